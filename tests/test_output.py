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
    assert _arrow_csv(frame, header=True) is not None  # the fast path (CSV) is the one tested
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
    pd.Series([98765432109876543210] * 36, dtype=object),  # a 20-digit JSON id: beyond int64
])
@pytest.mark.parametrize("fast_first", [True, False])
def test_other_columns_fall_back_to_pandas_and_mix_with_fast_chunks(frame, tmp_path, column, fast_first):
    odd = frame.iloc[:34].assign(extra=pd.Series(column.iloc[:34].to_numpy(), index=frame.index[:34],
                                                 dtype=column.dtype))
    assert _arrow_csv(odd, header=True) is None
    plain = frame.iloc[:34].assign(extra="x")
    path = tmp_path / "out.csv"
    fast, slow = (plain.iloc[:10], odd.iloc[10:]) if fast_first else (plain.iloc[24:], odd.iloc[:24])
    with TableWriter(path) as w:
        w.write(fast if fast_first else slow)
        w.write(slow if fast_first else fast)
    back = read_back(path, ",")
    assert back["投诉内容"].tolist() == frame["投诉内容"].tolist()[:34]
    assert back["编号"].tolist() == frame["编号"].tolist()[:34]
    slow.to_csv(tmp_path / "pandas.csv", index=False, errors="backslashreplace")
    expected = read_back(tmp_path / "pandas.csv", ",")["extra"].tolist()
    assert back["extra"].tolist() == (["x"] * 10 + expected if fast_first else expected + ["x"] * 10)


def test_tsv_output_quotes_only_what_needs_it(frame, tmp_path):
    path = tmp_path / "out.tsv"
    with TableWriter(path) as w:
        w.write(frame)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "编号\t投诉内容\tscore\tcount"  # no quotes for cut / awk
    assert lines[1].startswith(f"00000\t{frame.loc[0, '投诉内容']}\t")


# -- outputs keep values (issue 18, item 11) -------------------------------------------------------


@pytest.fixture
def nested_parquet(tmp_path, real_texts):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"id": [1, 2, 3], "text": real_texts[:3], "tags": [["a", "b"], [], None],
                             "meta": [{"k": 1}, {"k": 2}, None], "score": [np.nan, np.inf, 0.5]}), path)
    return path


def test_list_and_struct_columns_survive_parquet_to_parquet(nested_parquet, tmp_path):
    import pyarrow.parquet as pq

    from complaintmine.batch import classify_file

    out = tmp_path / "out.parquet"
    classify_file(nested_parquet, out, jobs=1, progress=False)
    table = pq.read_table(out)
    assert str(table.schema.field("tags").type) == "list<element: string>"
    assert table.column("tags").to_pylist() == [["a", "b"], [], None]
    assert table.column("meta").to_pylist() == [{"k": 1}, {"k": 2}, None]


def test_jsonl_output_is_valid_json_with_lists_and_no_nan(nested_parquet, tmp_path):
    import json

    from complaintmine.batch import classify_file

    out = tmp_path / "out.jsonl"
    classify_file(nested_parquet, out, jobs=1, progress=False)
    lines = out.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} is not JSON")) for line in lines]
    assert [r["tags"] for r in rows] == [["a", "b"], [], None]
    assert [r["meta"] for r in rows] == [{"k": 1}, {"k": 2}, None]
    assert [r["score"] for r in rows] == [None, None, 0.5]


def test_an_xlsx_cell_longer_than_excel_holds_is_refused_not_cut(tmp_path, real_texts):
    from complaintmine.errors import OutputError

    long_text = (real_texts[0] * 40_000)[:40_000]
    frame = pd.DataFrame({"id": [1, 2], "text": [real_texts[1], long_text]})
    with pytest.raises(OutputError, match=r"column 'text' of data row 2 holds 40,000 characters"):
        with TableWriter(tmp_path / "out.xlsx") as writer:
            writer.write(frame)
    assert not (tmp_path / "out.xlsx").exists()
    with TableWriter(tmp_path / "out.csv") as writer:  # the same rows, whole, in CSV
        writer.write(frame)
    assert pd.read_csv(tmp_path / "out.csv")["text"].str.len().tolist() == [len(real_texts[1]), 40_000]


def test_nested_values_become_json_text_in_csv_tsv_and_xlsx(nested_parquet, tmp_path):
    import json

    from complaintmine.batch import classify_file

    for suffix in (".csv", ".tsv", ".xlsx"):
        out = tmp_path / f"out{suffix}"
        classify_file(nested_parquet, out, jobs=1, progress=False)
        back = (pd.read_excel(out, dtype=str, keep_default_na=False) if suffix == ".xlsx"
                else read_back(out, "\t" if suffix == ".tsv" else ","))
        assert [json.loads(v) if v else None for v in back["tags"]] == [["a", "b"], [], None], suffix
        assert [json.loads(v)["k"] if v else None for v in back["meta"]] == [1, 2, None], suffix


@pytest.mark.parametrize("suffix,sep", [(".tsv", "\t"), (".csv", ",")])
def test_a_lone_carriage_return_in_a_cell_stays_inside_its_row(frame, tmp_path, suffix, sep):
    # found by benchmarks/fuzz_inputs.py: Python's csv writer does not quote a lone CR when rows end
    # in LF, so readers split the row there (TSV, and CSV chunks that pandas writes)
    odd = frame.assign(extra=pd.Series([True, False] * (len(frame) // 2), index=frame.index))  # pandas' CSV path
    odd.loc[3, "投诉内容"] = "送餐员\r态度差"
    path = tmp_path / f"out{suffix}"
    with TableWriter(path) as w:
        w.write(odd)
    back = read_back(path, sep)
    assert len(back) == len(odd)
    assert back["投诉内容"].tolist() == odd["投诉内容"].tolist()


def test_a_json_column_mixing_objects_lists_and_text_is_written_everywhere(tmp_path, real_texts):
    # found by benchmarks/fuzz_inputs.py: Parquet output died (Arrow cannot mix lists and mappings)
    import json

    from complaintmine.cli import main

    src = tmp_path / "mixed.jsonl"
    metas = [{"a": 1}, [1, 2], "s", None]
    src.write_text("".join(json.dumps({"id": i, "text": t, "meta": m}, ensure_ascii=False) + "\n"
                           for i, (t, m) in enumerate(zip(real_texts, metas))), encoding="utf-8")
    expected = ['{"a": 1}', "[1, 2]", "s", None]
    for suffix in (".parquet", ".csv", ".xlsx"):
        out = tmp_path / f"out{suffix}"
        assert main(["tokenize", str(src), "-o", str(out), "-q"]) == 0
        back = (pd.read_parquet(out) if suffix == ".parquet" else pd.read_excel(out, dtype=object)
                if suffix == ".xlsx" else pd.read_csv(out, dtype=object, encoding="utf-8-sig"))
        assert [None if pd.isna(v) else v for v in back["meta"]] == expected, suffix
