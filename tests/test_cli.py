"""The command line as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from complaintmine import OUTPUT_COLUMNS


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "complaintmine", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def export(tmp_path_factory, negative_reviews):
    sample = negative_reviews.sample(400, random_state=3)
    frame = pd.DataFrame({"工单号": [f"{i:06d}" for i in range(400)], "渠道": "APP",
                          "投诉内容": sample["text"].tolist()})
    frame.loc[5, "投诉内容"] = "客户电话13812345678，送餐员迟到一个小时"
    frame.loc[7, "投诉内容"] = ""
    path = tmp_path_factory.mktemp("cli") / "export.csv"
    frame.to_csv(path, index=False, encoding="gbk", errors="replace")
    return path


def test_version_and_help():
    out = run("--version")
    assert out.returncode == 0 and "complaintmine" in out.stdout
    assert run().returncode == 2


def test_tokenize_command(export, tmp_path):
    out_path = tmp_path / "tok.csv"
    res = run("tokenize", str(export), "-o", str(out_path))
    assert res.returncode == 0, res.stderr
    src = pd.read_csv(export, encoding="gbk", dtype=str, keep_default_na=False)
    out = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert list(out.columns) == [*src.columns, "text_norm", "tokens"]
    assert out["工单号"].tolist() == src["工单号"].tolist()
    assert "<PHONE>" in out.loc[5, "text_norm"] and "13812345678" not in out.loc[5, "tokens"]
    assert "送餐员" in out.loc[5, "tokens"].split()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_classify_command(export, tmp_path, jobs):
    out_path = tmp_path / f"out{jobs}.csv"
    res = run("classify", str(export), "-o", str(out_path), "--jobs", jobs, "--chunksize", "150")
    assert res.returncode == 0, res.stderr
    src = pd.read_csv(export, encoding="gbk", dtype=str, keep_default_na=False)
    out = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert list(out.columns) == [*src.columns, *OUTPUT_COLUMNS, "error"]
    assert out[list(src.columns)].equals(src)  # every row, in order, ids and text untouched
    assert (out["error"] == "").all()
    assert out.loc[7, "cause"] == "other" and out.loc[7, "evidence"].startswith("no usable text")
    assert "13812345678" not in out.loc[5, "evidence"]


@pytest.mark.parametrize("command", ["classify", "tokenize"])
def test_repeated_ids_refused_unless_allowed(export, tmp_path, command):
    src = pd.read_csv(export, encoding="gbk", dtype=str, keep_default_na=False)
    src.loc[390, "工单号"] = src.loc[3, "工单号"]  # a follow-up message under the same ticket, two chunks on
    path = tmp_path / "dup.csv"
    src.to_csv(path, index=False)
    out_path = tmp_path / "out.csv"
    res = run(command, str(path), "-o", str(out_path), "--chunksize", "150")
    assert res.returncode == 8 and "--allow-duplicate-ids" in res.stderr and not out_path.exists()
    res = run(command, str(path), "-o", str(out_path), "--chunksize", "150", "--allow-duplicate-ids")
    assert res.returncode == 0, res.stderr
    out = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert out["工单号"].tolist() == src["工单号"].tolist() and out["投诉内容"].tolist() == src["投诉内容"].tolist()


def test_jobs_give_identical_results(export, tmp_path):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    assert run("classify", str(export), "-o", str(a), "--jobs", "1", "--chunksize", "100").returncode == 0
    assert run("classify", str(export), "-o", str(b), "--jobs", "2", "--chunksize", "100").returncode == 0
    pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b))


def test_train_and_evaluate_commands(tmp_path, labeled):
    subset = labeled[labeled["holdout"] == "train"].groupby("domain").head(100)
    subset.to_csv(tmp_path / "lab.csv", index=False)
    model = tmp_path / "m.cmm"
    res = run("train", str(tmp_path / "lab.csv"), "-o", str(model))
    assert res.returncode == 0, res.stderr
    res = run("evaluate", str(tmp_path / "lab.csv"), "--model", str(model), "--json", "--bootstrap", "50")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert {"cause", "motive", "motive_presence", "baselines"} <= set(report)
    lo, hi = report["cause"]["macro_f1_ci"]
    assert lo <= report["cause"]["macro_f1"] <= hi
    text = run("evaluate", str(tmp_path / "lab.csv"), "--model", str(model), "--bootstrap", "50").stdout
    assert "confusion matrix" in text and "macro-F1" in text and "majority" in text


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["classify", "MISSING.csv", "-o", "OUT.csv"], 3, "file not found"),
        (["classify", ".", "-o", "OUT.csv"], 3, "is a folder"),
        (["classify", "EMPTY.csv", "-o", "OUT.csv"], 4, "is empty"),
        (["classify", "HEADER.csv", "-o", "OUT.csv"], 4, "but no rows"),
        (["classify", "NOTEXT.csv", "-o", "OUT.csv"], 6, "--text-col"),
        (["classify", "GOOD.csv", "-o", "GOOD.csv"], 9, "also the input"),
        (["classify", "GOOD.csv", "-o", "nodir/OUT.csv"], 9, "does not exist"),
        (["classify", "GOOD.csv", "-o", "OUT.csv", "--model", "EVIL.cmm"], 10, "pickle"),
    ],
)
def test_bad_input_gets_a_clear_message_and_exit_code(tmp_path, args, code, message):
    (tmp_path / "EMPTY.csv").write_bytes(b"")
    (tmp_path / "HEADER.csv").write_text("id,text\n", encoding="utf-8")
    (tmp_path / "NOTEXT.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "GOOD.csv").write_text("id,text\n1,送餐太慢\n", encoding="utf-8")
    (tmp_path / "EVIL.cmm").write_bytes(b"\x80\x04K\x01.")
    res = run(*args, cwd=tmp_path)
    assert res.returncode == code, res.stderr
    assert message in res.stderr
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "OUT.csv").exists()
