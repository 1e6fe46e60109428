"""File-level robustness (issue 6): every bad input file or output path gets a specific one- or
two-line message naming the file, line or column and what to do, an exit code that tells the
kind of error, and no traceback unless ``--debug``. No input row is ever lost silently, and
an interrupted run leaves no partial output.

``python tests/test_robustness.py`` runs every case of ``CASES`` as a real subprocess and prints
the markdown table of docs/errors.md.
"""

from __future__ import annotations

import dataclasses
import glob
import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from complaintmine import OUTPUT_COLUMNS, errors
from complaintmine.cli import main

GOOD = "id,text\n1,送餐太慢，菜都凉了\n2,客服态度很差\n"


def _excel_two_sheets(path: Path) -> None:
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"说明": ["导出说明"]}).to_excel(xw, sheet_name="说明", index=False)
        pd.DataFrame({"id": [1], "投诉内容": ["送餐太慢"]}).to_excel(xw, sheet_name="投诉", index=False)


def _parquet(path: Path) -> None:
    pd.DataFrame({"id": ["1"], "text": ["送餐太慢"]}).to_parquet(path, index=False)


def _damaged_gzip() -> bytes:
    """Real complaints as gzipped JSON Lines with bytes inside the deflate stream changed (the
    header is intact, so the damage shows only while reading)."""
    lines = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                    for i, t in enumerate(["送餐太慢，菜都凉了", "客服态度很差", "房间隔音太差，一晚上没睡好"] * 50))
    data = bytearray(gzip.compress(lines.encode("utf-8"), mtime=0))
    for i in range(20, 40):
        data[i] ^= 0xA5
    return bytes(data)


def _parquet_bad_utf8(path: Path) -> None:
    """A Parquet file (no compression, so the text lies as bytes) with a text's bytes made invalid UTF-8."""
    pd.DataFrame({"id": ["1", "2"], "text": ["送餐太慢", "态度差"]}).to_parquet(path, index=False, compression=None)
    data = path.read_bytes()
    good = "送餐太慢".encode()
    path.write_bytes(data.replace(good, b"\xff" * len(good), 1))


def _parquet_bad_metadata(path: Path) -> None:
    """Found by fuzzing: pandas' metadata in the footer with a byte that is not UTF-8."""
    pd.DataFrame({"id": ["1", "2"], "text": ["送餐太慢", "态度差"]}).to_parquet(path, index=False)
    data = path.read_bytes()
    assert b'"index_columns"' in data
    path.write_bytes(data.replace(b'"index_columns"', b'\xbdindex_columns"', 1))


def _xlsx_future_zip() -> bytes:
    """A workbook whose first central-directory entry needs ZIP version 12.7 (found by fuzzing:
    ``zipfile`` raises NotImplementedError)."""
    data = bytearray(_xlsx_bytes())
    i = data.index(b"PK\x01\x02")
    data[i + 6 : i + 8] = (127).to_bytes(2, "little")
    return bytes(data)


def _xlsx_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as d:
        pd.DataFrame({"text": ["送餐太慢"]}).to_excel(Path(d) / "a.xlsx", index=False)
        return (Path(d) / "a.xlsx").read_bytes()


@dataclasses.dataclass
class Case:
    id: str
    what: str  # the bad input, for docs/errors.md
    files: dict[str, bytes | str | Callable[[Path], None]]
    args: list[str]
    code: int
    message: str  # must appear in stderr
    names: str | None = None  # the file / line / column the message must name (default: args[1])


def _short_idf_model(path: Path) -> None:
    """The bundled model with its character IDF cut to 10 values, re-signed as an attacker would."""
    import hashlib
    import io

    import numpy as np

    from complaintmine.modelio import _manifest_checksum

    bundled = Path(errors.__file__).parent / "resources" / "default_model.cmm"
    with zipfile.ZipFile(bundled) as zin, zipfile.ZipFile(path, "w") as zout:
        manifest = json.loads(zin.read("manifest.json"))
        for name in zin.namelist():
            if name.startswith("arrays/"):
                data = zin.read(name)
                if name == "arrays/vec0_char_idf.npy":
                    buf = io.BytesIO()
                    np.save(buf, np.load(io.BytesIO(data))[:10])
                    data = buf.getvalue()
                    manifest["arrays"]["vec0_char_idf"] = hashlib.sha256(data).hexdigest()
                zout.writestr(name, data)
        manifest["checksum"] = _manifest_checksum(manifest)
        zout.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))


def _cases() -> list[Case]:
    u8 = "utf-8"
    return [
        Case("missing", "input file does not exist", {}, ["classify", "missing.csv", "-o", "out.csv"], 3,
             "file not found"),
        Case("folder", "input is a folder", {"exports/a.csv": GOOD}, ["classify", "exports", "-o", "out.csv"], 3,
             "is a folder"),
        Case("unknown-type", "input of an unknown type (.docx)", {"a.docx": b"PK\x03\x04"},
             ["classify", "a.docx", "-o", "out.csv"], 3, "unknown file type"),
        Case("empty", "empty file (0 bytes)", {"empty.csv": b""}, ["classify", "empty.csv", "-o", "out.csv"], 4,
             "is empty"),
        Case("header-only", "header but no rows", {"header.csv": "id,text\n"},
             ["classify", "header.csv", "-o", "out.csv"], 4, "but no rows"),
        Case("latin1", "wrong encoding (Latin-1 bytes)",
             {"latin1.csv": "id,text\n1,café très froid\n".encode("latin-1")},
             ["classify", "latin1.csv", "-o", "out.csv"], 5, "line 2: bytes", "latin1.csv, line 2"),
        Case("mixed", "mixed encodings (UTF-8 and GBK lines)",
             {"mixed.csv": "id,text\n1,送餐员态度很差\n".encode(u8) + "2,菜都凉了还不让退款\n".encode("gbk")},
             ["classify", "mixed.csv", "-o", "out.csv"], 5, "mixes text encodings"),
        Case("binary", "a binary file named .csv (pages of NUL bytes)",
             {"bin.csv": b"id,text\n1,abc\n" + bytes(4096) + b"\x07\x01" * 99}, ["classify", "bin.csv", "-o",
                                                                                  "out.csv"], 5,
             "full of NUL", "bin.csv, line 3"),
        Case("sqlite", "an SQLite database named .csv", {"db.csv": b"SQLite format 3\x00" + bytes(200)},
             ["classify", "db.csv", "-o", "out.csv"], 3, "is an SQLite database"),
        Case("short-row", "a row with fewer fields than the header (pandas pads it silently)",
             {"short.csv": "id,text,store\n1,送餐慢,A店\n2,菜凉了\n3,态度差,B店\n"},
             ["classify", "short.csv", "-o", "out.csv"], 7, "expected 3 fields (as in the header) but found 2",
             "short.csv, line 3"),
        Case("short-row-quoted", "a short row after quoted multi-line cells",
             {"shortq.csv": 'id,text,store\n1,"送餐慢\n还洒了",A店\n2,"菜凉了"\n'},
             ["classify", "shortq.csv", "-o", "out.csv"], 7, "but found 2", "shortq.csv, line 4"),
        Case("bare-cr", "a bare carriage return (CR) inside an unquoted field (would split the row)",
             {"cr.csv": b"id,text\n1,\xe9\x80\x81\xe9\xa4\x90\r\xe5\xa4\xaa\xe6\x85\xa2\n2,ok\n"},
             ["classify", "cr.csv", "-o", "out.csv"], 7, "carriage return (CR", "cr.csv, line 2"),
        Case("long-cell", "a cell longer than --max-cell-chars", {"long.csv": "id,text\n1,送餐慢\n2," + "慢" * 1200},
             ["classify", "long.csv", "-o", "out.csv", "--max-cell-chars", "1000"], 7,
             "has more than 1,000 characters (1,200)", "long.csv, data row 2"),
        Case("huge-line", "a line of megabytes (refused while reading, before it fills memory)",
             {"huge.csv": "id,text\n1," + "x" * (1 << 21)}, ["classify", "huge.csv", "-o", "out.csv",
                                                            "--max-cell-chars", "1000"], 7,
             "a row longer than", "huge.csv, line 2"),
        Case("gz-bomb", "a small .csv.gz that inflates past --max-inflate-ratio (a decompression bomb)",
             {"bomb.csv.gz": lambda p: p.write_bytes(gzip.compress(b"text\n" + (b"x" * 500_000 + b"\n") * 140, 1))},
             ["classify", "bomb.csv.gz", "-o", "out.csv"], 7, "inflates to more than"),
        Case("gz-damaged", "a .jsonl.gz whose compressed data is damaged (bytes changed inside the stream)",
             {"damaged.jsonl.gz": lambda p: p.write_bytes(_damaged_gzip())},
             ["classify", "damaged.jsonl.gz", "-o", "out.csv"], 7, "gzip file"),
        Case("parquet-bad-utf8", "a Parquet file whose text column holds bytes that are not UTF-8",
             {"bad_text.parquet": _parquet_bad_utf8}, ["classify", "bad_text.parquet", "-o", "out.csv"], 7,
             "damaged data in data rows 1 to 2"),
        Case("parquet-bad-metadata", "a Parquet file whose pandas metadata (JSON in the footer) is damaged",
             {"bad_meta.parquet": _parquet_bad_metadata}, ["classify", "bad_meta.parquet", "-o", "out.csv"], 7,
             "damaged data in data rows 1 to 2"),
        Case("xlsx-zip-version", "a .xlsx whose ZIP directory asks for a ZIP version no reader has",
             {"version.xlsx": lambda p: p.write_bytes(_xlsx_future_zip())},
             ["classify", "version.xlsx", "-o", "out.csv"], 7, "cannot open as an Excel workbook"),
        Case("xlsx-as-csv", "an Excel workbook saved as .csv", {"book.csv": lambda p: p.write_bytes(_xlsx_bytes())},
             ["classify", "book.csv", "-o", "out.csv"], 3, "is an Excel workbook"),
        Case("bad-gzip", "a .csv.gz that is not gzip", {"a.csv.gz": b"id,text\n1,x\n"},
             ["classify", "a.csv.gz", "-o", "out.csv"], 7, "not a valid gzip file"),
        Case("quote-eof", "unbalanced quote, never closed", {"quote.csv": 'id,text\n1,送餐慢\n2,"菜凉了\n3,态度差\n'},
             ["classify", "quote.csv", "-o", "out.csv"], 7, "never closed", "quote.csv, line 3"),
        Case("quote-merge", "unbalanced quote closed by a later quote (rows would merge silently)",
             {"merge.csv": 'id,text\n1,送餐慢\n2,"菜凉了\n3,态度差\n4,还行"\n5,好\n'},
             ["classify", "merge.csv", "-o", "out.csv"], 7, "closed only on line 5", "merge.csv, line 3"),
        Case("extra-fields", "a row with more fields than the header",
             {"extra.csv": "id,text\n1,送餐慢\n2,菜凉了,还洒了\n"},
             ["classify", "extra.csv", "-o", "out.csv"], 7, "expected 2 fields but found 3", "extra.csv, line 3"),
        Case("extra-first", "the first row has more fields than the header (pandas would shift the columns)",
             {"extra1.csv": "id,text\n1,送餐慢,APP,晚上\n2,菜凉了\n"},
             ["classify", "extra1.csv", "-o", "out.csv"], 7, "expected 2 fields", "extra1.csv, line 2"),
        Case("bad-jsonl", "a JSON Lines file with a broken line",
             {"a.jsonl": json.dumps({"id": 1, "text": "送餐慢"}, ensure_ascii=False) + "\n{not json\n"},
             ["classify", "a.jsonl", "-o", "out.csv"], 7, "line 2: not valid JSON", "a.jsonl, line 2"),
        Case("bad-xlsx", "a damaged .xlsx", {"bad.xlsx": b"PK\x03\x04garbage"},
             ["classify", "bad.xlsx", "-o", "out.csv"], 7, "cannot open as an Excel workbook"),
        Case("bad-parquet", "a damaged .parquet", {"bad.parquet": b"PAR1 not really"},
             ["classify", "bad.parquet", "-o", "out.csv"], 7, "not a readable Parquet file"),
        Case("no-text-col", "no column with a known text name", {"cols.csv": "客户,说的话\n张,送餐太慢\n"},
             ["classify", "cols.csv", "-o", "out.csv"], 6, "--text-col", "客户, 说的话"),
        Case("wrong-text-col", "--text-col names a missing column", {"good.csv": GOOD},
             ["classify", "good.csv", "-o", "out.csv", "--text-col", "txet"], 6, "Did you mean 'text'", "'txet'"),
        Case("dup-ids", "duplicate ids", {"dup.csv": "id,text\n001,送餐太慢\n002,菜凉了\n001,态度差\n"},
             ["classify", "dup.csv", "-o", "out.csv"], 8, "occurs more than once", "'001'"),
        Case("sheets", "Excel workbook with several sheets", {"book.xlsx": _excel_two_sheets},
             ["classify", "book.xlsx", "-o", "out.csv"], 12, "--sheet", "说明, 投诉"),
        Case("no-sheet", "--sheet names a missing sheet", {"book.xlsx": _excel_two_sheets},
             ["classify", "book.xlsx", "-o", "out.csv", "--sheet", "Sheet9"], 12, "no sheet named 'Sheet9'"),
        Case("out-is-input", "output path equal to the input", {"good.csv": GOOD},
             ["classify", "good.csv", "-o", "./good.csv"], 9, "is also the input file", "good.csv"),
        Case("out-no-folder", "output folder does not exist", {"good.csv": GOOD},
             ["classify", "good.csv", "-o", "nodir/out.csv"], 9, "does not exist", "nodir"),
        Case("out-under-file", "output 'folder' is a file", {"good.csv": GOOD},
             ["classify", "good.csv", "-o", "good.csv/out.csv"], 9, "is a file, not a folder", "good.csv"),
        Case("out-unwritable", "output in a folder nobody can write to (/proc)", {"good.csv": GOOD},
             ["classify", "good.csv", "-o", "/proc/out.csv"], 9, "cannot create files in /proc", "/proc/out.csv"),
        Case("out-folder", "output path is a folder", {"good.csv": GOOD, "outdir/keep": ""},
             ["classify", "good.csv", "-o", "outdir"], 9, "is a folder", "outdir"),
        Case("out-type", "output of an unknown type (.docx)", {"good.csv": GOOD},
             ["classify", "good.csv", "-o", "out.docx"], 9, "unknown output type '.docx'", "out.docx"),
        Case("model-pickle", "--model is a pickle", {"good.csv": GOOD, "evil.cmm": b"\x80\x04K\x01."},
             ["classify", "good.csv", "-o", "out.csv", "--model", "evil.cmm"], 10, "never loads pickles", "evil.cmm"),
        Case("model-missing", "--model file missing", {"good.csv": GOOD},
             ["classify", "good.csv", "-o", "out.csv", "--model", "nope.cmm"], 10, "not found", "nope.cmm"),
        Case("model-crafted", "--model whose IDF array is shorter than its vocabulary, checksums recomputed (a "
             "crash in the compiled kernel before)", {"good.csv": GOOD, "short.cmm": _short_idf_model},
             ["classify", "good.csv", "-o", "out.csv", "--model", "short.cmm"], 10, "'char_idf' of the model file has "
             "shape (10,)", "short.cmm"),
        Case("model-cause-only", "--model saved by CauseClassifier.save() (no motive estimator)",
             {"good.csv": GOOD, "causes.cmm": lambda p: __import__("complaintmine").CauseClassifier.from_lexicon()
              .save(p)}, ["classify", "good.csv", "-o", "out.csv", "--model", "causes.cmm"], 10,
             "no motive estimator", "causes.cmm"),
        Case("model-sha256", "--model-sha256 that the model file does not have",
             {"good.csv": GOOD, "shared.cmm": lambda p: __import__("complaintmine").CauseClassifier.from_lexicon()
              .save(p)}, ["classify", "good.csv", "-o", "out.csv", "--model", "shared.cmm", "--model-sha256", "0" * 64],
             10, "not the expected", "shared.cmm"),
        Case("train-out-folder", "`train` output path is a folder (checked before training)",
             {"labeled.csv": "text,causes\n送餐太慢,delivery\n", "outdir/keep": ""},
             ["train", "labeled.csv", "-o", "outdir"], 9, "is a folder", "outdir"),
        Case("tokenize-merge", "`tokenize` on the merged-quote file", {"merge.csv": 'id,text\n1,a\n2,"b\n3,c\n4,d"\n'},
             ["tokenize", "merge.csv", "-o", "out.csv"], 7, "closed only on line 5", "merge.csv, line 3"),
        Case("bad-encoding", "`--encoding` Python does not know", {"good.csv": GOOD},
             ["classify", "good.csv", "-o", "out.csv", "--encoding", "utf-9"], 2, "unknown encoding 'utf-9'",
             "--encoding"),
        Case("chunksize-0", "`--chunksize 0`", {"good.csv": GOOD},
             ["classify", "good.csv", "-o", "out.csv", "--chunksize", "0"], 2, "must be at least 1", "--chunksize"),
        Case("jobs-negative", "`--jobs -3`", {"good.csv": GOOD},
             ["classify", "good.csv", "-o", "out.csv", "--jobs", "-3"], 2, "must be at least 0", "--jobs"),
        Case("top-0", "`report --top 0`", {"good.csv": GOOD},
             ["report", "good.csv", "-o", "r.html", "--top", "0"], 2, "must be at least 1", "--top"),
        Case("recent-0", "`report --recent 0`", {"good.csv": GOOD},
             ["report", "good.csv", "-o", "r.html", "--recent", "0"], 2, "must be at least 1", "--recent"),
        Case("freq-x", "`report --freq X` (not a trend period)", {"good.csv": GOOD},
             ["report", "good.csv", "-o", "r.html", "--freq", "X"], 2, "invalid choice: 'X'", "--freq"),
        Case("bootstrap-neg", "`evaluate --bootstrap -1`", {"good.csv": GOOD},
             ["evaluate", "good.csv", "--bootstrap", "-1"], 2, "must be at least 0", "--bootstrap"),
        Case("train-one-class", "`train` on labels that all have the same cause",
             {"one.csv": "text,causes\n送餐太慢,delivery\n菜都凉了,delivery\n"},
             ["train", "one.csv", "-o", "m.cmm"], 14, "at least two different causes", "(delivery)"),
        Case("train-empty-labels", "`train` on empty labels",
             {"empty.csv": "text,causes\n送餐太慢,\n客服态度很差,\n"},
             ["train", "empty.csv", "-o", "m.cmm"], 14, "2 of 2 labels are empty", "row 0"),
        Case("train-two-rows", "`train` on two labelled rows (too few to learn features from)",
             {"two.csv": "text,causes\n送餐太慢,delivery\n客服态度很差,service_attitude\n"},
             ["train", "two.csv", "-o", "m.cmm"], 14, "too few to train on", "2 texts"),
        Case("evaluate-unknown-codes", "`evaluate` on labels none of which is a cause code",
             {"unknown.csv": "text,causes\n送餐太慢,slow\n客服态度很差,rude\n"},
             ["evaluate", "unknown.csv", "--bootstrap", "10"], 14, "is a cause code of the model", "rude, slow"),
        Case("jsonl-late-key", "JSON Lines whose later rows gain a key the first chunk lacks (would shift columns)",
             {"late.jsonl": '{"id": 1, "text": "送餐太慢"}\n{"id": 2, "text": "态度差"}\n'
                            '{"id": 3, "text": "贵", "channel": "APP"}\n'},
             ["classify", "late.jsonl", "-o", "out.csv", "--chunksize", "2"], 7, "data row 3 has field(s) 'channel'"),
        # inputs that look odd but are read correctly (exit 0)
        Case("nul-cell", "stray NUL bytes in one cell (removed, the row kept, a warning)",
             {"nul.csv": b"id,text\n1,\xe5\xa4\xaa\x00\x00\xe6\x85\xa2\n2,ok\n"},
             ["classify", "nul.csv", "-o", "out.csv"], 0, "warning: nul.csv: NUL bytes on line(s) 2 were removed"),
        Case("big5", "Big5 (traditional) export: detected, not mis-read as GBK",
             {"big5.csv": "id,text\n1,送餐員態度很差，還不給退款\n2,房間隔音太差\n".encode("cp950")},
             ["classify", "big5.csv", "-o", "out.csv"], 0, "wrote 2 rows"),
        Case("utf16", "UTF-16 without byte-order mark", {"u16.csv": "id,text\n1,送餐太慢了\n".encode("utf-16-le")},
             ["classify", "u16.csv", "-o", "out.csv"], 0, "wrote 1 rows"),
        Case("trailing-comma", "a trailing separator on every row", {"tc.csv": "id,text\n1,送餐慢,\n2,菜凉了,\n"},
             ["classify", "tc.csv", "-o", "out.csv"], 0, "wrote 2 rows"),
        Case("blank-lines", "blank lines (kept as empty rows, not 'duplicate ids')",
             {"blank.csv": "id,text\n1,送餐慢\n\n2,菜凉了\n\n\n"}, ["classify", "blank.csv", "-o", "out.csv"], 0,
             "wrote 5 rows"),
        Case("jobs-capped", "`--jobs 4096` on a machine with fewer cores (capped, with a note)", {"good.csv": GOOD},
             ["classify", "good.csv", "-o", "out.csv", "--jobs", "4096"], 0, "cores; using", "--jobs 4096"),
        Case("multiline-ok", "a quoted multi-line text with a numbered list (not a merge)",
             {"ml.csv": 'id,text\n1,"问题：\n1,送餐慢\n2,态度差"\n2,好\n'}, ["classify", "ml.csv", "-o", "out.csv"], 0,
             "wrote 2 rows"),
    ]  # fmt: skip


CASES = _cases()


def _setup(case: Case, folder: Path) -> None:
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)


def _skip_reason(case: Case) -> str | None:
    if case.id == "out-unwritable":
        if not os.path.isdir("/proc"):
            return "no /proc on this system"
        try:
            fd, probe = tempfile.mkstemp(dir="/proc")
            os.close(fd)
            os.unlink(probe)
            return "/proc is writable here"
        except OSError:
            return None
    return None


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, tmp_path, monkeypatch, capsys):
    reason = _skip_reason(case)
    if reason:
        pytest.skip(reason)
    _setup(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    code = main([*case.args, "--jobs", "1"] if case.args[0] == "classify" and "--jobs" not in case.args else case.args)
    err = capsys.readouterr().err
    assert code == case.code, err
    assert case.message in err, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    if case.code:
        assert len(lines) <= 2 and any(line.startswith("complaintmine: error: ") for line in lines), err
        assert (case.names or case.args[1].lstrip("./")) in err
        # nothing written, the input untouched, no temporary files left
        assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before
    else:
        out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
        assert list(out.columns)[-len(OUTPUT_COLUMNS) - 1:] == [*OUTPUT_COLUMNS, "error"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".partial", ".probe"))]


def test_exit_codes_differ_by_kind():
    kinds = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.ComplaintmineError)
             and c is not errors.ComplaintmineError]
    codes = [k.exit_code for k in kinds]
    assert len(set(codes)) == len(codes), dict(zip([k.__name__ for k in kinds], codes))
    assert not {0, 1, 2, 130, 141} & set(codes)  # success, internal error, usage, interrupted, broken pipe
    seen = {}
    for case in CASES:
        if case.code:
            seen.setdefault(case.code, case.id)
    assert len(seen) >= 8  # the cases exercise most kinds


def _run(*args: str, cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "complaintmine", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300, **kw)


def test_real_process_no_traceback_but_debug_shows_one(tmp_path):
    (tmp_path / "merge.csv").write_text('id,text\n1,a\n2,"b\n3,c\n4,d"\n', encoding="utf-8")
    res = _run("classify", "merge.csv", "-o", "out.csv", cwd=tmp_path)
    assert res.returncode == 7 and "Traceback" not in res.stderr
    assert res.stderr.startswith("complaintmine: error: merge.csv, line 3:")
    res = _run("--debug", "classify", "merge.csv", "-o", "out.csv", cwd=tmp_path)
    assert res.returncode == 7  # the same exit code, with the traceback before the message
    assert "Traceback (most recent call last)" in res.stderr and "MalformedInputError" in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("complaintmine: error: merge.csv, line 3:")
    assert not (tmp_path / "out.csv").exists()


def test_internal_errors_are_one_line_without_traceback(tmp_path, monkeypatch, capsys):
    import complaintmine.batch

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug\nsecond line")

    monkeypatch.setattr(complaintmine.batch, "classify_file", broken)
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["classify", "good.csv", "-o", "out.csv"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: simulated bug second line" in err
    assert "--debug" in err
    assert main(["--debug", "classify", "good.csv", "-o", "out.csv"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and 'raise RuntimeError("simulated bug' in err


def test_disk_full_is_an_output_error(tmp_path, monkeypatch, capsys):
    """A write that fails half-way (ENOSPC) leaves no partial file and says so."""
    import errno

    import complaintmine.output as output

    real = output.TableWriter._write

    def full(self, frame):
        real(self, frame)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.TableWriter, "_write", full)
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["classify", "good.csv", "-o", "out.csv", "--jobs", "1"]) == errors.OutputError.exit_code
    assert "No space left on device" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.csv"]


# -- the merge detector: no false alarms on ordinary multi-line texts ------------------------------


def test_multiline_texts_are_not_taken_for_merges(tmp_path):
    from complaintmine import read_complaints

    frame = pd.DataFrame({
        "工单号": ["A001", "A002", "A003", "A004"],
        "日期": ["2024-01-02", "2024-01-03", "2024-01-03", "2024-01-04"],
        "投诉内容": ["送餐慢\n菜也凉了", "第一，态度差\n第二,不退款", "客服说:\n\"稍等\"\n然后没人理", "好"],
    })
    frame.to_csv(tmp_path / "a.csv", index=False)
    out = read_complaints(tmp_path / "a.csv")
    assert out["投诉内容"].tolist() == frame["投诉内容"].tolist()


def test_merge_without_id_column_is_found_by_other_columns(tmp_path):
    from complaintmine import read_complaints

    (tmp_path / "a.csv").write_text(
        'date,store,text\n2024-01-02,成都店,"送餐慢\n2024-01-03,北京店,菜凉了\n2024-01-04,成都店,他说"好的"\n',
        encoding="utf-8")
    with pytest.raises(errors.MalformedInputError, match=r"a.csv, line 2: .*\(line 3 looks like a row"):
        read_complaints(tmp_path / "a.csv")


def test_merge_found_in_a_later_chunk_names_the_physical_line(tmp_path):
    from complaintmine import iter_complaints

    rows = [f'{i},"第{i}条\n多行投诉"' for i in range(1, 40)]  # 2 physical lines each
    rows.append('40,"引号没关\n41,下一条\n42,又一条"')
    (tmp_path / "a.csv").write_text("id,text\n" + "\n".join(rows) + "\n43,好\n", encoding="utf-8")
    with pytest.raises(errors.MalformedInputError, match=r"a.csv, line 80: .*\(line 81 looks like a row"):
        list(iter_complaints(tmp_path / "a.csv", chunksize=7))


# -- no data lost --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def export(tmp_path_factory, real_texts) -> Path:
    n = 60
    frame = pd.DataFrame({
        "工单号": [f"{i:06d}" for i in range(n)],  # leading zeros
        "联系电话": [f"138{i:08d}" for i in range(n)],  # phone-like, must stay as written
        "金额": ["0.50", "1e3", "007", "", "NA", "nan"] * (n // 6),
        "投诉内容": real_texts[:n],
    })
    frame.loc[3, "投诉内容"] = "BOOM 这一行让模型崩溃"
    frame.loc[4, "投诉内容"] = ""
    path = tmp_path_factory.mktemp("export") / "export.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".xlsx"])
def test_failed_row_is_marked_and_no_row_is_lost(export, tmp_path, monkeypatch, suffix):
    import complaintmine.batch as batch
    import complaintmine.worker as worker

    real = worker.analyze_texts

    def flaky(texts, **kwargs):
        if any(isinstance(t, str) and "BOOM" in t for t in texts):
            raise ValueError("simulated failure")
        return real(texts, **kwargs)

    monkeypatch.setattr(worker, "analyze_texts", flaky)
    out_path = tmp_path / f"out{suffix}"
    rows = batch.classify_file(export, out_path, jobs=1, chunksize=16, progress=False).rows
    src = pd.read_csv(export, dtype=str, keep_default_na=False)
    assert rows == len(src)
    if suffix == ".csv":
        out = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    elif suffix == ".jsonl":
        out = pd.read_json(out_path, lines=True, dtype=False)
    elif suffix == ".parquet":
        out = pd.read_parquet(out_path)
    else:
        out = pd.read_excel(out_path, dtype=str, keep_default_na=False)
    assert list(out.columns) == [*src.columns, *OUTPUT_COLUMNS, "error"]
    pd.testing.assert_frame_equal(out[list(src.columns)].astype(str), src, check_dtype=False)
    errors_col = out["error"].fillna("").astype(str)
    assert errors_col[3].startswith("ValueError: simulated failure")
    assert (errors_col.drop(index=3) == "").all()
    assert out.loc[3, "cause"] == "other" and "error column" in out.loc[3, "evidence"]
    assert out.loc[4, "evidence"].startswith("no usable text")


@pytest.fixture(scope="module")
def big_export(tmp_path_factory) -> Path:
    """200,000 complaints resampled from the real corpora."""
    from complaintmine.datasets import load_reviews

    reviews = load_reviews()
    sample = reviews.sample(200_000, replace=True, random_state=6)
    path = tmp_path_factory.mktemp("big") / "big.csv"
    pd.DataFrame({"工单号": [f"{i:07d}" for i in range(len(sample))],
                  "投诉内容": sample["text"].to_numpy()}).to_csv(path, index=False)
    return path


def _default_sigint() -> None:
    # as in a terminal's foreground job: a runner that starts the tests in the background
    # (no job control) has SIGINT ignored, and the child would inherit that
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt(big_export: Path, out: Path, sig: int, *, group: bool, jobs: str) -> tuple[int, str, float]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "complaintmine", "classify", str(big_export), "-o", str(out), "--jobs", jobs,
         "--chunksize", "2000"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True,
        preexec_fn=_default_sigint)
    try:
        deadline = time.time() + 120
        while not glob.glob(str(out.parent / f".{out.name}.*.partial")):  # writing has started
            assert proc.poll() is None, proc.stderr.read()
            assert time.time() < deadline, "classify never started writing"
            time.sleep(0.1)
        time.sleep(1.0)
        t0 = time.time()
        os.killpg(proc.pid, sig) if group else proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        return proc.returncode, err, time.time() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.parametrize("sig, group, jobs, previous", [
    (signal.SIGINT, True, "2", False),  # Ctrl-C in a terminal: the whole process group
    (signal.SIGTERM, False, "2", True),  # kill PID, with a previous complete output in place
    (signal.SIGINT, False, "1", True),
], ids=["ctrl-c-group-2-jobs", "sigterm-parent-2-jobs-previous-output", "sigint-1-job-previous-output"])
def test_interrupted_run_leaves_no_partial_output(big_export, tmp_path, sig, group, jobs, previous):
    out = tmp_path / "classified.csv"
    if previous:
        out.write_text("工单号,投诉内容,cause\n0000001,旧的结果,delivery\n", encoding="utf-8")
    before = out.read_bytes() if previous else None
    code, err, took = _interrupt(big_export, out, sig, group=group, jobs=jobs)
    assert code == 130, err
    assert err.strip().splitlines() == [
        "complaintmine: interrupted; no output was written (an existing output file is left as it was)."]
    if previous:
        assert out.read_bytes() == before  # the previous complete file, untouched
    else:
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ([out.name] if previous else [])  # no temp files
    assert took < 60


# -- docs/errors.md ------------------------------------------------------------------------------


def markdown_table() -> str:
    """Run every case as a real subprocess; return the markdown table of docs/errors.md."""
    lines = ["| bad input | command | exit code | what the user sees (stderr) |", "| --- | --- | --- | --- |"]
    for case in CASES:
        reason = _skip_reason(case)
        with tempfile.TemporaryDirectory() as d:
            folder = Path(d)
            _setup(case, folder)
            res = _run(*case.args, cwd=folder, env={**os.environ, "PYTHONWARNINGS": "ignore"})
            err = " <br> ".join(res.stderr.strip().splitlines()).replace("|", "\\|")
            for where in (str(folder.resolve()), str(folder)):  # the temp folder, as a user's would read
                err = err.replace(where, "/home/analyst/exports")
        if reason and res.returncode != case.code:
            err = f"(skipped in tests: {reason}) {err}"
        cmd = "complaintmine " + " ".join(case.args)
        lines.append(f"| {case.what} | `{cmd}` | {res.returncode} | {err} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())


# -- safe loading: model, lexicon and user dictionary files are data, never code ----------------


def _evil_pickles(folder: Path, marker: Path) -> list[Path]:
    import pickle

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    paths = []
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        path = folder / f"evil{protocol}.pkl"
        path.write_bytes(pickle.dumps(Evil(), protocol=protocol))
        paths.append(path)
    return paths


def _loaders():
    from complaintmine import CauseClassifier, MotiveEstimator, Tokenizer, load_model
    from complaintmine.lexicon import Lexicon

    return {
        "load_model": load_model,
        "CauseClassifier.load": CauseClassifier.load,
        "Lexicon.from_json": Lexicon.from_json,
        "CauseClassifier(lexicon=)": lambda p: CauseClassifier.from_lexicon(p),
        "MotiveEstimator(lexicon=)": lambda p: MotiveEstimator.from_rules(lexicon=p),
        "Tokenizer(user_dicts=)": lambda p: Tokenizer(user_dicts=[p]),
    }


@pytest.mark.parametrize("loader", list(_loaders()))
def test_planted_pickle_is_refused_everywhere_and_never_runs(tmp_path, loader):
    marker = tmp_path / "pwned"
    load = _loaders()[loader]
    for path in _evil_pickles(tmp_path, marker):
        with pytest.raises(errors.ModelFileError) as info:
            load(path)
        assert str(path) in str(info.value)
    assert not marker.exists()


def test_planted_pickle_via_the_command_line(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    for path in _evil_pickles(tmp_path, marker)[::-5]:  # the newest and the oldest protocol
        res = _run("classify", "good.csv", "-o", "out.csv", "--model", path.name, cwd=tmp_path)
        assert res.returncode == errors.ModelFileError.exit_code and "Traceback" not in res.stderr, res.stderr
    assert not marker.exists() and not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("content, message", [
    (b"{not json", "line 1: not valid JSON"),
    (b'{"causes": {"delivery": "slow"}}', "causes.delivery must be a list of non-empty strings"),
    (b'{"causes": {"delivery": ["", 1]}}', "must be a list of non-empty strings"),
    (b'[1, 2, 3]', "a lexicon is a JSON object"),
    (b'{"about": "no groups"}', "a lexicon is a JSON object"),
    ("{\"causes\": {\"送餐\": [\"慢\"]}}".encode("gbk"), "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b"PK\x03\x04 a zip", "not valid JSON"),
])
def test_malformed_lexicon_gets_a_clear_message(tmp_path, content, message):
    from complaintmine.lexicon import Lexicon

    path = tmp_path / "lex.json"
    path.write_bytes(content)
    with pytest.raises(errors.ModelFileError, match=message):
        Lexicon.from_json(path)
    with pytest.raises(errors.ModelFileError, match="is a folder"):
        Lexicon.from_json(tmp_path)


@pytest.mark.parametrize("content, message", [
    ("送餐员 很多\n", r"line 1: expected 'word \[freq \[tag\]\]'"),
    ("送餐员 10 n extra\n", "line 1: expected"),
    ("ok\n\x07bell 3\n", "line 2: expected"),
    ("送餐员\n".encode("gbk"), "not UTF-8"),
    (b"abc\x00def\n", "binary file"),
])
def test_malformed_user_dictionary_gets_a_clear_message(tmp_path, content, message):
    from complaintmine import Tokenizer

    path = tmp_path / "user.dict"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    with pytest.raises(errors.ModelFileError, match=message):
        Tokenizer(user_dicts=[path])
    with pytest.raises(errors.ModelFileError, match="is a folder"):
        Tokenizer(user_dicts=[tmp_path])
    with pytest.raises(errors.ModelFileError, match="not found"):
        Tokenizer(user_dicts=[tmp_path / "missing.dict"])


def test_good_user_dictionary_and_lexicon_still_load(tmp_path):
    from complaintmine import CauseClassifier, Tokenizer

    (tmp_path / "user.dict").write_text("\ufeff# comment\n配送小哥 50 n\n超时赔付\n\n", encoding="utf-8")
    tok = Tokenizer(backend="jieba", user_dicts=[tmp_path / "user.dict"])
    assert "配送小哥" in tok.tokenize("配送小哥态度差") and "超时赔付" in tok.tokenize("要求超时赔付")
    (tmp_path / "lex.json").write_text(json.dumps({"causes": {"delivery": ["配送小哥"]}}, ensure_ascii=False),
                                       encoding="utf-8")
    assert CauseClassifier.from_lexicon(tmp_path / "lex.json").predict(["配送小哥迟到"])[0] == "delivery"
