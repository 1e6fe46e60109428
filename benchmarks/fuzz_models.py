"""Fuzz `complaintmine classify` with mutated model files, for a bounded time.

Each input is the bundled model file mutated one way or a few: truncated, bytes flipped,
members swapped, arrays reshaped, cut or of another dtype, NaN / inf injected, manifest
entries replaced or deleted, huge declared sizes (an .npy header, a ZIP size field), a
manifest that inflates past the limit. Most mutations are re-signed (the keyless checksums
recomputed, as an attacker would) so that they reach the checks behind the checksums.

Every model is given to ``complaintmine classify`` on a few real complaint texts. The
classify runs happen in a child process (many models per child, to try more of them); a
child that dies by a signal or hangs is a finding, and the model it was on is run again
alone to confirm. The outcome of each run must be:

* exit 0 with every input row in the output and no row failed, or
* exit 10 (``ModelFileError``) with a one-line ``complaintmine: error:`` message,

and never a traceback, an internal error (exit 1), every row failed (exit 13), a crash or a
hang. Prints how many inputs were tried and the findings (each one's model is kept in
``--keep``).

    python benchmarks/fuzz_models.py               # 10 minutes
    python benchmarks/fuzz_models.py --seconds 30
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

import complaintmine
from complaintmine.model import DEFAULT_MODEL
from complaintmine.modelio import MAX_MANIFEST_BYTES, _manifest_checksum

BUNDLED = Path(complaintmine.__file__).parent / "resources" / DEFAULT_MODEL
#: real complaint texts, one per row of the input
TEXTS = [
    "送餐员态度太差，菜都凉了，要求退款！",
    "酒店房间隔音太差，一晚上没睡好",
    "手机信号很差，经常断网，客服也不解决",
    "买的衣服质量太差，洗一次就掉色了",
    "",
]
HANG_SECONDS = 120  # one classify of 5 rows takes about a second


# -- building mutated model files ---------------------------------------------------------------


class Parts:
    """The bundled model taken apart: manifest, array blobs (decoded on demand)."""

    def __init__(self, manifest: dict[str, Any], blobs: dict[str, bytes]) -> None:
        self.manifest = manifest
        self.blobs = dict(blobs)
        self.raw: dict[str, bytes] = {}  # members written as they are (not re-encoded)
        self.sign = True
        self.after_sign: list[Any] = []

    def array(self, name: str) -> np.ndarray:
        return np.load(io.BytesIO(self.blobs[name]), allow_pickle=False)

    def set_array(self, name: str, arr: Any) -> None:
        buf = io.BytesIO()
        np.save(buf, np.asarray(arr), allow_pickle=False)
        self.blobs[name] = buf.getvalue()

    def build(self) -> bytes:
        members = {f"arrays/{k}.npy": b for k, b in self.blobs.items()}
        members.update({k: v for k, v in self.raw.items() if k != "manifest.json"})
        manifest = self.manifest
        if self.sign:
            manifest["arrays"] = {
                n[7:-4]: hashlib.sha256(b).hexdigest()
                for n, b in members.items()
                if n.startswith("arrays/") and n.endswith(".npy")
            }
            for f in self.after_sign:
                f(manifest)
            manifest["checksum"] = _manifest_checksum(manifest)
        else:
            for f in self.after_sign:
                f(manifest)
        body = self.raw.get("manifest.json")
        if body is None:
            body = json.dumps(manifest, ensure_ascii=False, allow_nan=True).encode("utf-8")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr("manifest.json", body)
            for name, data in members.items():
                zf.writestr(name, data)
        return out.getvalue()


def _paths(node: Any, prefix: tuple[Any, ...] = (), depth: int = 0) -> list[tuple[Any, ...]]:
    """Paths into the manifest's meta (dict keys and the first list items), a sample of them."""
    out = [prefix] if prefix else []
    if depth > 6:
        return out
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, prefix + (k,), depth + 1))
    elif isinstance(node, list) and node:
        for i in {0, len(node) - 1}:
            out.extend(_paths(node[i], prefix + (i,), depth + 1))
    return out


ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1,
    2**63,
    -(2**70),
    1e308,
    -1e308,
    0.0,
    1e-320,
    "",
    "x",
    "../../etc/passwd",
    "/etc/passwd",
    [],
    [1, 2],
    ["a", "a"],
    {},
    {"a": 1},
    [[1, 2, 3]],
    "NaN",
    "Infinity",
    list(range(5000)),
    "字" * 10000,
    [None] * 3,
    {"kind": "CauseClassifier"},
]


def _odd(rng: random.Random) -> Any:
    v = rng.choice(ODD_VALUES + ["nest", "nan", "inf"])
    if v == "nest":
        deep: Any = 1
        for _ in range(rng.choice([50, 500])):
            deep = [deep]
        return deep
    if v == "nan":
        return float("nan")
    if v == "inf":
        return float("inf")
    return copy.deepcopy(v)


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        node = node[k]
    return node


def _dtype(rng: random.Random) -> Any:
    return rng.choice(
        [
            np.float16,
            np.float32,
            np.float64,
            np.int8,
            np.int64,
            np.uint8,
            np.bool_,
            np.complex64,
            "U4",
            "S4",
            ">f8",
            "<f4",
            "V8",
        ]
    )


def mutate(parts: Parts, rng: random.Random) -> str:
    """Apply one mutation; return its name."""
    kind = rng.choice(
        [
            "reshape",
            "cut",
            "grow",
            "dtype",
            "nan",
            "swap",
            "drop_array",
            "extra_array",
            "manifest_set",
            "manifest_del",
            "manifest_swap",
            "huge_header",
            "bad_header",
            "manifest_bomb",
            "unsigned",
            "tokenizer",
            "vocab",
        ]
    )
    names = sorted(parts.blobs)
    name = rng.choice(names)
    if kind == "reshape":
        arr = parts.array(name)
        if arr.size > 1:
            shapes = [(arr.size,), (1, arr.size), (arr.size, 1)]
            if arr.ndim == 2:
                shapes.append(arr.shape[::-1])
            parts.set_array(name, arr.reshape(rng.choice(shapes)))
    elif kind == "cut":
        arr = parts.array(name)
        axis = rng.randrange(arr.ndim) if arr.ndim else 0
        if arr.ndim:
            keep = rng.choice([0, 1, max(0, arr.shape[axis] - 1), arr.shape[axis] // 2])
            parts.set_array(name, np.take(arr, range(keep), axis=axis))
    elif kind == "grow":
        arr = parts.array(name)
        if arr.ndim:
            parts.set_array(name, np.concatenate([arr, arr[: rng.choice([1, 7])]], axis=0))
    elif kind == "dtype":
        arr = parts.array(name)
        with np.errstate(all="ignore"), contextlib.suppress(ValueError, TypeError, OverflowError):
            parts.set_array(name, arr.astype(_dtype(rng)))
    elif kind == "nan":
        arr = parts.array(name).astype(np.float64)
        if arr.size:
            for _ in range(rng.choice([1, 5])):
                arr.flat[rng.randrange(arr.size)] = rng.choice([np.nan, np.inf, -np.inf, 1e300])
            parts.set_array(name, arr)
    elif kind == "swap":
        other = rng.choice(names)
        parts.blobs[name], parts.blobs[other] = parts.blobs[other], parts.blobs[name]
    elif kind == "drop_array":
        del parts.blobs[name]
    elif kind == "extra_array":
        parts.set_array(rng.choice(["../evil", "x" * 300, "cause_primary_coef2"]), np.zeros(rng.choice([1, 10**6])))
    elif kind in ("manifest_set", "manifest_del", "manifest_swap", "vocab"):
        meta = parts.manifest["meta"]
        paths = _paths(meta)
        if kind == "vocab":
            paths = [
                p for p in paths if any(str(k).endswith(("vocab", "words", "classes", "labels", "motives")) for k in p)
            ] or paths
        path = rng.choice(paths)
        parent = _get(meta, path[:-1])
        if kind == "manifest_del" and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif kind == "manifest_swap":
            other = rng.choice(paths)
            with contextlib.suppress(KeyError, IndexError, TypeError):
                a, b = _get(meta, path), _get(meta, other)
                parent[path[-1]] = copy.deepcopy(b)
                _get(meta, other[:-1])[other[-1]] = copy.deepcopy(a)
        else:
            parent[path[-1]] = _odd(rng)
    elif kind == "tokenizer":
        tok = parts.manifest["meta"]["tokenizer"]
        key = rng.choice(["user_dicts", "user_entries", "user_words", "backend", "hmm", "extra_stopwords", "evil"])
        tok[key] = rng.choice(
            [
                ["/etc/passwd"],
                [["词", 5, None]],
                [["", -5, 3]],
                [["a b", None, None]],
                "rjieba",
                "x",
                [1],
                None,
                [["词" * 50, 2**70, "n"]],
                _odd(rng),
            ]
        )
    elif kind == "huge_header":
        shape = rng.choice(["(1000000000000,)", "(4294967296, 4294967296)", "(-1,)", "(40000,)", "()", "(1, 0)"])
        header = (
            "{'descr': '"
            + rng.choice(["<f8", "|O", "<U1000000", "<f4"])
            + "', 'fortran_order': "
            + rng.choice(["False", "True"])
            + ", 'shape': "
            + shape
            + ", }"
        ).encode()
        header += b" " * (-(len(header) + 11) % 64) + b"\n"
        parts.blobs[name] = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 80
    elif kind == "bad_header":
        blob = parts.blobs[name]
        cut = rng.randrange(0, min(len(blob), 200))
        parts.blobs[name] = blob[:cut] + bytes([rng.randrange(256)]) + blob[cut + 1 :]
    elif kind == "manifest_bomb":
        parts.raw["manifest.json"] = rng.choice(
            [
                b" " * (MAX_MANIFEST_BYTES + 1),
                b"[" * 100000 + b"]" * 100000,
                b'{"format": "complaintmine-model", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                b"\xff\xfe{}",
                b"null",
                b'"x"',
            ]
        )
    elif kind == "unsigned":
        parts.sign = False
        parts.manifest["meta"]["causes"]["classes"][0] = "evil"
    return kind


def raw_mutation(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """Mutations of the file's bytes: truncation, byte flips, a lying ZIP size field."""
    kind = rng.choice(["truncate", "flip", "zip_size"])
    if kind == "truncate":
        return data[: rng.randrange(len(data))], kind
    if kind == "flip":
        b = bytearray(data)
        for _ in range(rng.choice([1, 4, 64])):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        return bytes(b), kind
    b = bytearray(data)  # the uncompressed size of a central-directory entry, set to something else
    starts = [i for i in range(len(b) - 4) if b[i : i + 4] == b"PK\x01\x02"]
    if starts:
        i = rng.choice(starts)
        b[i + 24 : i + 28] = rng.choice([0, 1, 2**31, 2**32 - 1]).to_bytes(4, "little")
    return bytes(b), kind


def make_input(parts0: tuple[dict[str, Any], dict[str, bytes]], rng: random.Random) -> tuple[bytes, str]:
    manifest, blobs = parts0
    parts = Parts(copy.deepcopy(manifest), blobs)
    kinds = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        try:
            kinds.append(mutate(parts, rng))
        except Exception:  # a later mutation of an array an earlier one broke: the input stays as it is
            kinds.append("skipped")
    data = parts.build()
    if rng.random() < 0.2:
        data, kind = raw_mutation(data, rng)
        kinds.append(kind)
    return data, "+".join(kinds)


# -- the child: classify with each model, in one process ----------------------------------------


def child(folder: str) -> int:
    """Run ``complaintmine classify`` (its ``main``) on every model listed in ``folder/todo``;
    write one JSON line per model to ``folder/results`` (``start`` first, so a crash names it)."""
    from complaintmine.cli import main

    src = Path(folder) / "in.csv"
    with open(Path(folder) / "results", "a", encoding="utf-8") as log:
        for line in (Path(folder) / "todo").read_text(encoding="utf-8").split():
            out = Path(folder) / "out.csv"
            out.unlink(missing_ok=True)
            log.write(json.dumps({"start": line}) + "\n")
            log.flush()
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code = main(["classify", str(src), "-o", str(out), "--model", line, "--jobs", "1"])
            rows, failed = -1, -1
            if out.exists():
                import pandas as pd

                frame = pd.read_csv(out, dtype=str, keep_default_na=False)
                rows, failed = len(frame), int((frame["error"] != "").sum())
            log.write(
                json.dumps(
                    {"model": line, "code": code, "stderr": err.getvalue()[:3000], "rows": rows, "failed": failed},
                    ensure_ascii=False,
                )
                + "\n"
            )
            log.flush()
    return 0


def judge(r: dict[str, Any]) -> str | None:
    """What is wrong with one run's outcome, or None."""
    err = r["stderr"]
    if "Traceback" in err:
        return "traceback"
    if r["code"] == 0:
        if r["rows"] != len(TEXTS):
            return f"exit 0 with {r['rows']} of {len(TEXTS)} rows"
        if r["failed"]:
            return f"exit 0 with {r['failed']} rows failed"
        return None
    if r["code"] == 10:
        # one or two lines, of a length someone reads (a crafted setting may be megabytes long)
        ok = err.startswith("complaintmine: error: ") and err.count("\n") <= 2 and len(err) <= 1000
        return None if ok else f"exit 10, bad message: {err[:300]!r}"
    return f"exit {r['code']}: {err.strip()[:200]}"


def run_batch(folder: Path, models: list[Path]) -> list[dict[str, Any]]:
    """Run ``models`` in a child; a crash or hang is reported for the model it was on and the
    rest are run again in a new child."""
    results: list[dict[str, Any]] = []
    todo = list(models)
    while todo:
        (folder / "todo").write_text("\n".join(map(str, todo)), encoding="utf-8")
        (folder / "results").unlink(missing_ok=True)
        try:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(folder)],
                capture_output=True,
                timeout=HANG_SECONDS * len(todo),
                text=True,
            )
            status = proc.returncode
        except subprocess.TimeoutExpired:
            status = "hang"
        lines = (
            [json.loads(x) for x in (folder / "results").read_text(encoding="utf-8").splitlines()]
            if (folder / "results").exists()
            else []
        )
        done = [x for x in lines if "model" in x]
        results.extend(done)
        started = [x["start"] for x in lines if "start" in x]
        if status == 0 and len(done) == len(todo):
            break
        culprit = started[-1] if len(started) > len(done) else (todo[len(done)] if len(done) < len(todo) else None)
        if culprit is None:
            break
        what = "hang" if status == "hang" else f"crash (return code {status})"
        results.append(
            {"model": str(culprit), "code": status, "stderr": f"{what}", "rows": -1, "failed": -1, "crash": what}
        )
        todo = todo[todo.index(Path(culprit)) + 1 :] if Path(culprit) in todo else []
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="time to fuzz for (default 600)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=25, help="models per child process")
    parser.add_argument("--keep", default="fuzz_findings", help="folder for the models of findings")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    with zipfile.ZipFile(BUNDLED) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        blobs = {n[7:-4]: zf.read(n) for n in zf.namelist() if n.startswith("arrays/")}
    rng = random.Random(args.seed)
    end = time.monotonic() + args.seconds
    tried, kinds, findings = 0, Counter(), []
    with tempfile.TemporaryDirectory(prefix="cm_fuzz_") as tmp:
        folder = Path(tmp)
        (folder / "in.csv").write_text(
            "id,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate(TEXTS, 1)), encoding="utf-8"
        )
        names: dict[str, str] = {}
        while time.monotonic() < end:
            models = []
            for i in range(args.batch):
                data, kind = make_input((manifest, blobs), rng)
                path = folder / f"m{tried + i}.cmm"
                path.write_bytes(data)
                names[str(path)] = kind
                models.append(path)
            for r in run_batch(folder, models):
                tried += 1
                kind = names[r["model"]]
                kinds[(kind.split("+")[0], r["code"])] += 1
                problem = r.get("crash") or judge(r)
                if problem:
                    os.makedirs(args.keep, exist_ok=True)
                    kept = Path(args.keep) / Path(r["model"]).name
                    shutil.copy(r["model"], kept)
                    findings.append((kind, problem, str(kept)))
                    print(f"FINDING {kind}: {problem} ({kept})", flush=True)
            for m in models:
                m.unlink(missing_ok=True)
    print(f"\ntried {tried} mutated model files in {args.seconds:.0f} s; findings: {len(findings)}")
    by_kind = Counter()
    for (kind, _code), n in sorted(kinds.items(), key=lambda kv: str(kv[0])):
        by_kind[kind] += n
    print("first mutation of each input, and outcomes (exit code: count):")
    for kind in sorted(by_kind):
        codes = ", ".join(f"{code}: {n}" for (k, code), n in sorted(kinds.items(), key=str) if k == kind)
        print(f"  {kind:14s} {by_kind[kind]:5d}   {codes}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
