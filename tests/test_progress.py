"""Progress a log can read: plain lines with total, rate and ETA when stderr is not a terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from complaintmine.io import count_rows
from complaintmine.progress import format_duration, progress_bar

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "complaints_demo.csv"
LINE = re.compile(r"^classify: (\d+)/6000 rows \((\d+)%\), \d+ rows/s(, ETA \d+s)?$")


def run(*args: str, seconds: str = "0") -> subprocess.CompletedProcess:
    # stderr is a pipe here, not a terminal: the plain lines; a line at every update with 0 s
    env = {**os.environ, "COMPLAINTMINE_PROGRESS_SECONDS": seconds, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "complaintmine", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_classify_prints_progress_lines_when_stderr_is_not_a_terminal(tmp_path):
    out = tmp_path / "out.csv"
    res = run("classify", str(DEMO), "-o", str(out), "--chunksize", "1500", "--jobs", "1")
    assert res.returncode == 0, res.stderr
    lines = res.stderr.strip().splitlines()
    progress = [line for line in lines if LINE.match(line)]
    assert [int(LINE.match(line).group(1)) for line in progress] == [1500, 3000, 4500, 6000]
    assert [int(LINE.match(line).group(2)) for line in progress] == [25, 50, 75, 100]
    assert all("ETA" in line for line in progress[:-1])
    assert re.match(r"^classify: done, 6000 rows in \d+s \(\d+ rows/s\)$", lines[-2]), lines
    assert lines[-1] == f"wrote 6000 rows to {out}"
    assert len(pd.read_csv(out, dtype=str)) == 6000


def test_quiet_and_short_runs_print_no_progress(tmp_path):
    for args, seconds in ((["--quiet"], "0"), ([], "600")):  # --quiet; a run shorter than the interval
        res = run(*args, "tokenize", str(DEMO), "-o", str(tmp_path / "tok.csv"), "--chunksize", "2000",
                  seconds=seconds)
        assert res.returncode == 0, res.stderr
        assert res.stderr.strip().splitlines() == [f"wrote 6000 rows to {tmp_path / 'tok.csv'}"]
    res = run("tokenize", str(DEMO), "-o", str(tmp_path / "tok.csv"), "-q")  # after the command too
    assert res.returncode == 0 and "tokenize:" not in res.stderr


def test_a_failed_run_prints_its_error_and_no_done_line(tmp_path):
    bad = tmp_path / "bad.csv"
    good = DEMO.read_text(encoding="utf-8-sig").splitlines()
    bad.write_text("\n".join(good[:3000] + ['X1,2024-01-01,店,APP,d,c,s,"never closed'] + good[3000:]) + "\n",
                   encoding="utf-8")
    res = run("classify", str(bad), "-o", str(tmp_path / "out.csv"), "--chunksize", "1000", "--jobs", "1")
    assert res.returncode == 7, res.stderr
    assert "done" not in res.stderr and res.stderr.strip().splitlines()[-1].startswith("complaintmine: error: ")


def test_count_rows(tmp_path):
    assert count_rows(DEMO) == 6000
    frame = pd.read_csv(DEMO, dtype=str, nrows=120)
    frame.to_parquet(tmp_path / "a.parquet")
    assert count_rows(tmp_path / "a.parquet") == 120  # from the metadata
    frame.to_json(tmp_path / "a.jsonl", orient="records", lines=True, force_ascii=False)
    assert count_rows(tmp_path / "a.jsonl") == 120
    (tmp_path / "nolf.csv").write_text("id,text\n1,a\n2,b", encoding="utf-8")
    assert count_rows(tmp_path / "nolf.csv") == 2
    (tmp_path / "u16.csv").write_bytes("id,text\n1,上\n".encode("utf-16-le"))  # 上 is 0A 4E in UTF-16LE
    assert count_rows(tmp_path / "u16.csv") is None
    assert count_rows(DEMO, max_bytes=1000) is None  # too large to count cheaply
    assert count_rows(tmp_path / "missing.csv") is None and count_rows(tmp_path / "a.docx") is None


def test_lines_say_rate_and_eta(capsys):
    with progress_bar("work", total=200, interval=0) as bar:
        bar.update(50)
    err = capsys.readouterr().err.splitlines()
    assert re.match(r"^work: 50/200 rows \(25%\), \d+ rows/s, ETA \d+s$", err[0]), err
    assert err[1].startswith("work: done, 50 rows in ")
    with progress_bar("work", interval=0, unit="steps") as bar:  # no total: count and rate only
        bar.update(3)
    assert re.match(r"^work: 3 steps, \d+ steps/s$", capsys.readouterr().err.splitlines()[0])
    with pytest.raises(RuntimeError), progress_bar("work", total=10, interval=0) as bar:
        bar.update(1)
        raise RuntimeError("boom")
    assert "done" not in capsys.readouterr().err


def test_format_duration():
    assert [format_duration(s) for s in (0, 59.4, 103, 3599, 3600, 7500)] == \
        ["0s", "59s", "1m43s", "59m59s", "1h00m", "2h05m"]
