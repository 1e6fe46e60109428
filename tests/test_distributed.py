"""The Dask engine gives exactly the single-machine results, on a real two-process cluster."""

from __future__ import annotations

import filecmp
import subprocess
import sys

import pandas as pd
import pytest

import complaintmine as cm
from complaintmine import OUTPUT_COLUMNS
from complaintmine.batch import classify_file
from complaintmine.distributed import analyze_dask
from complaintmine.errors import ColumnError
from complaintmine.schema import NUMERIC_COLUMNS

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as lc, \
            distributed.Client(lc):
        yield lc


@pytest.fixture(scope="module")
def frame(real_texts):
    texts = [*real_texts, "", "客户电话13812345678，送餐员迟到一个小时", "!!!", "服務態度太差！！！"]
    return pd.DataFrame({"工单号": [f"{i:05d}" for i in range(len(texts))], "渠道": "APP", "投诉内容": texts})


def test_analyze_dask_is_lazy_with_the_right_meta(frame):
    from dask import delayed

    def explode():
        raise AssertionError("the input was computed")

    ddf = dd.from_delayed([delayed(explode)()], meta=frame.iloc[:0], verify_meta=False)
    out = analyze_dask(ddf, text_col="投诉内容")  # builds the graph only
    assert isinstance(out, dd.DataFrame)
    assert list(out.columns) == [*frame.columns, *OUTPUT_COLUMNS]
    expected = cm.analyze(frame.head(3), text_col="投诉内容").dtypes
    assert out.dtypes[list(OUTPUT_COLUMNS)].equals(expected[list(OUTPUT_COLUMNS)])
    with pytest.raises(ColumnError):
        analyze_dask(ddf, text_col="nope")
    with pytest.raises(TypeError, match="analyze_dask"):  # pandas-only: Dask is explicit
        cm.analyze(ddf, text_col="投诉内容")


@pytest.mark.filterwarnings("ignore:Sending large graph:UserWarning")  # the model object, shipped once
def test_analyze_dask_equals_pandas(cluster, frame):
    ddf = dd.from_pandas(frame.assign(cause="old value"), npartitions=3)  # an input column named like an output
    local = cm.analyze(ddf.compute(), text_col="投诉内容")
    out = analyze_dask(ddf, text_col="投诉内容")
    assert list(out.columns) == list(local.columns)
    pd.testing.assert_frame_equal(out.compute(), local, check_exact=True)
    # a model object is shipped to the workers; an empty partition keeps the meta
    model = cm.load_model()
    filtered = ddf[ddf["工单号"] < "00100"]  # the later partitions end up empty
    pd.testing.assert_frame_equal(analyze_dask(filtered, text_col="投诉内容", model=model).compute(),
                                  cm.analyze(filtered.compute(), text_col="投诉内容", model=model), check_exact=True)


def test_classify_file_engines_write_the_same_file(cluster, frame, tmp_path):
    src = tmp_path / "export.csv"
    frame.to_csv(src, index=False)
    outputs = {}
    for name, kwargs in {"jobs1": {"jobs": 1}, "jobs2": {"jobs": 2},
                         "dask": {"engine": "dask", "scheduler": cluster.scheduler_address}}.items():
        outputs[name] = tmp_path / f"{name}.csv"
        rows = classify_file(src, outputs[name], chunksize=70, progress=False, **kwargs).rows
        assert rows == len(frame)
    assert filecmp.cmp(outputs["jobs1"], outputs["jobs2"], shallow=False)
    assert filecmp.cmp(outputs["jobs1"], outputs["dask"], shallow=False)
    out = pd.read_csv(outputs["dask"], dtype=str, keep_default_na=False)
    assert list(out.columns) == [*frame.columns, *OUTPUT_COLUMNS, "error"]
    assert (out["error"] == "").all() and out["工单号"].tolist() == frame["工单号"].tolist()
    # the command line, pointed at the running cluster
    cli = tmp_path / "cli.parquet"
    res = subprocess.run([sys.executable, "-m", "complaintmine", "classify", str(src), "-o", str(cli),
                          "--engine", "dask", "--scheduler", cluster.scheduler_address, "--chunksize", "100"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    local = pd.read_csv(outputs["jobs1"], dtype=str, keep_default_na=False)
    got = pd.read_parquet(cli).astype(str)
    for col in NUMERIC_COLUMNS:  # numbers compared as numbers (an empty CSV cell is NaN)
        got[col] = pd.read_parquet(cli)[col].astype(float).map(repr)
        local[col] = pd.to_numeric(local[col]).astype(float).map(repr)
    pd.testing.assert_frame_equal(got, local.astype(str), check_dtype=False)


def test_dask_engine_aligns_jsonl_chunks_by_key(cluster, real_texts, tmp_path):
    """Keys in another order in a later chunk come out under the right columns on Dask too."""
    import json

    records = [{"id": f"{i:03d}", "text": t, "store": f"店{i}"} for i, t in enumerate(real_texts[:6])]
    records[2] = {"store": "店2", "text": real_texts[2], "id": "002"}
    src = tmp_path / "keys.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    out = tmp_path / "dask.csv"
    classify_file(src, out, chunksize=2, progress=False, engine="dask", scheduler=cluster.scheduler_address)
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["id"].tolist() == [f"{i:03d}" for i in range(6)]
    assert got["store"].tolist() == [f"店{i}" for i in range(6)] and got["text"].tolist() == real_texts[:6]


def test_a_scheduler_that_is_not_dask_or_not_an_address_fails_fast_with_a_message(frame, tmp_path):
    """A server that accepts the connection and never answers (here: a silent socket) is given up
    within SCHEDULER_TIMEOUT + 1 s instead of hanging; a malformed address is said as such."""
    import socket

    from complaintmine.distributed import SCHEDULER_TIMEOUT
    from complaintmine.errors import SchedulerError

    src = tmp_path / "export.csv"
    frame.head(5).to_csv(src, index=False)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(SchedulerError, match="did not answer as a Dask scheduler"):
            classify_file(src, tmp_path / "out.csv", progress=False, engine="dask", scheduler=address)
    assert SCHEDULER_TIMEOUT + 1 < 10
    with pytest.raises(SchedulerError, match="missing port number"):
        classify_file(src, tmp_path / "out.csv", progress=False, engine="dask", scheduler="not a url")
    assert not (tmp_path / "out.csv").exists()
