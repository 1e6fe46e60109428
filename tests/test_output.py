"""TableWriter: what is written reads back as the same values, whichever CSV writer ran."""

import io

import numpy as np
import pandas as pd
import pytest

from complaintmine.output import TableWriter, _arrow_csv


@pytest.fixture(scope="module")
def frame(real_texts):
    texts = real_texts[:30] + ['他说"不退款",还骂人', "第一行\n第二行", "", "a,b\tc"]
    n = len(texts)
    return pd.DataFrame({
        "编号": pd.Series([f"{i:05d}" for i in range(n)], dtype="str"),
        "投诉内容": pd.Series(texts, dtype="str"),
        "score": np.linspace(0, 1, n).round(4),
        "count": np.arange(n),
    })


def read_back(path, sep):
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.mark.parametrize("suffix,sep", [(".csv", ","), (".tsv", "\t")])
def test_fast_writer_reads_back_like_pandas(frame, tmp_path, suffix, sep):
    assert _arrow_csv(frame, header=True, sep=sep) is not None  # the fast path is the one tested
    path = tmp_path / f"out{suffix}"
    with TableWriter(path) as w:
        w.write(frame.iloc[:20])
        w.write(frame.iloc[20:])
    ours = read_back(path, sep)
    pandas_text = frame.to_csv(index=False, sep=sep)
    theirs = pd.read_csv(io.StringIO(pandas_text), sep=sep, dtype=str, keep_default_na=False)
    assert ours["编号"].tolist() == theirs["编号"].tolist()  # leading zeros kept
    assert ours["投诉内容"].tolist() == frame["投诉内容"].tolist()  # quotes, commas, newlines intact
    assert ours["count"].astype(int).tolist() == frame["count"].tolist()
    assert np.allclose(ours["score"].astype(float), frame["score"])


@pytest.mark.parametrize("column", [
    pd.Series([1, "二", 3.5, None] * 9, dtype=object),  # mixed objects (as from JSON)
    pd.Series([True, False] * 18),
    pd.Series(pd.date_range("2026-01-01", periods=36, freq="h")),
    pd.Series(["\ud800坏"] * 36, dtype=object),  # lone surrogate
])
def test_other_columns_fall_back_to_pandas_and_mix_with_fast_chunks(frame, tmp_path, column):
    odd = frame.iloc[:34].assign(extra=pd.Series(column.iloc[:34].to_numpy(), index=frame.index[:34],
                                                 dtype=column.dtype))
    assert _arrow_csv(odd, header=True, sep=",") is None
    plain = frame.iloc[:34].assign(extra="x")
    path = tmp_path / "out.csv"
    with TableWriter(path) as w:
        w.write(plain.iloc[:10])  # fast writer
        w.write(odd.iloc[10:])  # pandas
    back = read_back(path, ",")
    assert back["投诉内容"].tolist() == frame["投诉内容"].tolist()[:34]
    assert back["编号"].tolist() == frame["编号"].tolist()[:34]
    assert back["extra"].iloc[:10].tolist() == ["x"] * 10
    odd.iloc[10:].to_csv(tmp_path / "pandas.csv", index=False, errors="backslashreplace")
    expected = read_back(tmp_path / "pandas.csv", ",")["extra"].tolist()
    assert back["extra"].iloc[10:].tolist() == expected
