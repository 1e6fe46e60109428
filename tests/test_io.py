import csv
import gzip
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintmine import iter_complaints, read_complaints
from complaintmine.errors import (
    ColumnError,
    DuplicateIdError,
    EmptyInputError,
    EncodingError,
    InputFileError,
    MalformedInputError,
    SheetError,
)


@pytest.fixture(scope="module")
def frame(real_texts):
    texts = real_texts[:40]
    return pd.DataFrame({"编号": [f"{i:05d}" for i in range(len(texts))], "投诉内容": texts})


def check_roundtrip(out, frame, text_col="投诉内容"):
    assert out.attrs["text_col"] == text_col
    assert out[text_col].tolist() == frame[text_col].tolist()
    assert out["编号"].tolist() == frame["编号"].tolist()  # order kept, leading zeros kept


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(tmp_path, frame, encoding):
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, encoding=encoding, errors="replace" if encoding == "gbk" else "strict")
    out = read_complaints(path)
    expected = frame if encoding != "gbk" else pd.read_csv(path, encoding="gbk", dtype=str)
    check_roundtrip(out, expected)
    assert out.attrs["id_col"] == "编号"


def test_tsv_txt_and_gzip(tmp_path, frame):
    frame.to_csv(tmp_path / "a.tsv", sep="\t", index=False)
    check_roundtrip(read_complaints(tmp_path / "a.tsv"), frame)
    frame.to_csv(tmp_path / "a.txt", sep="\t", index=False)
    check_roundtrip(read_complaints(tmp_path / "a.txt"), frame)
    with gzip.open(tmp_path / "a.csv.gz", "wt", encoding="utf-8") as fh:
        frame.to_csv(fh, index=False)
    check_roundtrip(read_complaints(tmp_path / "a.csv.gz"), frame)


def test_excel_jsonl_json_parquet(tmp_path, frame):
    frame.to_excel(tmp_path / "a.xlsx", index=False)
    check_roundtrip(read_complaints(tmp_path / "a.xlsx"), frame)
    frame.to_json(tmp_path / "a.jsonl", orient="records", lines=True, force_ascii=False)
    check_roundtrip(read_complaints(tmp_path / "a.jsonl"), frame)
    frame.to_json(tmp_path / "a.json", orient="records", force_ascii=False)
    check_roundtrip(read_complaints(tmp_path / "a.json"), frame)
    frame.to_parquet(tmp_path / "a.parquet", index=False)
    check_roundtrip(read_complaints(tmp_path / "a.parquet"), frame)


def test_excel_with_several_sheets(tmp_path, frame):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as xw:
        frame.to_excel(xw, sheet_name="说明", index=False)
        frame.to_excel(xw, sheet_name="投诉", index=False)
    with pytest.raises(SheetError, match="2 sheets.*说明, 投诉.*--sheet"):
        read_complaints(path)
    check_roundtrip(read_complaints(path, sheet="投诉"), frame)
    with pytest.raises(SheetError, match="no sheet named"):
        read_complaints(path, sheet="Sheet9")


@pytest.mark.parametrize("name", ["投诉内容", "内容", "问题描述", "详情", "review", "Text", "content"])
def test_text_column_found_by_common_names(tmp_path, name, real_texts):
    path = tmp_path / "a.csv"
    pd.DataFrame({"客户": ["张"] * 3, name: real_texts[:3]}).to_csv(path, index=False)
    assert read_complaints(path).attrs["text_col"] == name


def test_unknown_text_column_lists_columns(tmp_path, real_texts):
    path = tmp_path / "a.csv"
    pd.DataFrame({"客户": ["张"] * 3, "说的话": real_texts[:3]}).to_csv(path, index=False)
    with pytest.raises(ColumnError, match=r"客户, 说的话.*text_col=.*--text-col"):
        read_complaints(path)
    assert read_complaints(path, text_col="说的话").attrs["text_col"] == "说的话"
    with pytest.raises(ColumnError, match="no column named '说的'.*Did you mean '说的话'"):
        read_complaints(path, text_col="说的")


def test_ids_added_when_missing_and_rows_kept_in_order(tmp_path, real_texts):
    texts = real_texts[:30] + ["", "   "]
    path = tmp_path / "a.csv"
    pd.DataFrame({"review": texts}).to_csv(path, index=False)
    out = read_complaints(path)
    assert out["id"].tolist() == list(range(1, 33))
    assert out["review"].tolist()[:30] == texts[:30]
    assert len(out) == 32  # empty texts are kept


def test_duplicate_ids_are_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,text\n001,送餐太慢\n002,菜凉了\n001,态度差\n", encoding="utf-8")
    with pytest.raises(DuplicateIdError, match=r"'001'.*row\(s\) 2, 4"):
        read_complaints(path)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_duplicate_ids_across_chunks_are_refused(tmp_path, real_texts, suffix):
    n = 250
    ids = [f"{i:06d}" for i in range(n)]
    ids[230] = ids[17]  # the repeat is 11 chunks after the first occurrence
    frame = pd.DataFrame({"编号": ids, "投诉内容": real_texts[:n]})
    path = tmp_path / f"a{suffix}"
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_json(path, orient="records", lines=True,
                                                                            force_ascii=False)
    unique = tmp_path / f"b{suffix}"
    ok = frame.assign(编号=[f"{i:06d}" for i in range(n)])
    ok.to_csv(unique, index=False) if suffix == ".csv" else ok.to_json(unique, orient="records", lines=True,
                                                                         force_ascii=False)
    assert sum(len(c) for c in iter_complaints(unique, chunksize=20)) == n
    with pytest.raises(DuplicateIdError, match=r"'000017'.*row\(s\) 232"):
        for _ in iter_complaints(path, chunksize=20):
            pass


def test_chunks_of_blank_ids_do_not_break_the_check(tmp_path, real_texts):
    ids = [""] * 5 + [f"{i:03d}" for i in range(5)] + [""] * 5 + [f"{i:03d}" for i in range(5, 10)]
    frame = pd.DataFrame({"编号": ids, "投诉内容": real_texts[:20]})
    frame.to_csv(tmp_path / "a.csv", index=False)
    assert sum(len(c) for c in iter_complaints(tmp_path / "a.csv", chunksize=5)) == 20  # nothing lost
    frame.loc[17, "编号"] = "002"
    frame.to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(DuplicateIdError, match=r"'002'.*row\(s\) 19"):
        list(iter_complaints(tmp_path / "b.csv", chunksize=5))


@pytest.mark.parametrize("second", [
    [None, 3, 9],  # integer ids read as floats in a chunk with a missing id: 3.0 is 3
    ["x", "3", "y"],  # the same id once as a number, once as text
])
def test_duplicate_ids_compared_as_text_within_and_across_chunks(tmp_path, real_texts, second):
    ids = [1, 2, 3, 4, 5, *second]
    lines = [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in zip(ids, real_texts)]
    (tmp_path / "a.jsonl").write_text("\n".join(lines), encoding="utf-8")
    for chunksize in (5, 100):  # across chunks, and within one
        with pytest.raises(DuplicateIdError, match="'?3'?.*row"):
            list(iter_complaints(tmp_path / "a.jsonl", chunksize=chunksize))
    frame = read_complaints(tmp_path / "a.jsonl", check_unique_ids=False)
    assert len(frame) == 8


def test_seen_ids_compare_both_hashes():
    from complaintmine.io import _SeenIds

    seen = _SeenIds()
    u = lambda *v: np.array(v, dtype=np.uint64)  # noqa: E731
    seen.add(u(5, 5, 7), u(1, 2, 3))  # two ids whose first hashes collide
    seen.add(u(9), u(4))
    assert seen.contains(u(5, 5, 5, 7, 9, 9, 8), u(2, 1, 9, 3, 4, 3, 1)).tolist() == [
        True, True, False, True, True, False, False]
    # numbers and strings are compared by their text, as the output shows them
    a, b = _SeenIds.hashes(pd.Series([1, "1", 2.5, "2.5 "], dtype=object))
    assert a[0] == a[1] and b[0] == b[1] and a[2] != a[3]


def test_chunks_equal_whole(tmp_path, frame):
    path = tmp_path / "a.csv"
    frame.to_csv(path, index=False)
    chunks = list(iter_complaints(path, chunksize=7))
    assert len(chunks) == 6
    assert pd.concat(chunks)["投诉内容"].tolist() == frame["投诉内容"].tolist()


# -- bad input: each gets a specific message ---------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="nope.csv: file not found"):
        read_complaints(tmp_path / "nope.csv")


def test_directory(tmp_path):
    with pytest.raises(InputFileError, match="is a folder"):
        read_complaints(tmp_path)


def test_unknown_extension(tmp_path):
    (tmp_path / "a.docx").write_bytes(b"x")
    with pytest.raises(InputFileError, match="unknown file type '.docx'"):
        read_complaints(tmp_path / "a.docx")


def test_empty_file(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"")
    with pytest.raises(EmptyInputError, match="a.csv is empty"):
        read_complaints(tmp_path / "a.csv")
    (tmp_path / "b.jsonl").write_bytes(b"")
    with pytest.raises(EmptyInputError, match="b.jsonl is empty"):
        read_complaints(tmp_path / "b.jsonl")


def test_header_only(tmp_path):
    (tmp_path / "a.csv").write_text("id,投诉内容\n", encoding="utf-8")
    with pytest.raises(EmptyInputError, match=r"header \(id, 投诉内容\) but no rows"):
        read_complaints(tmp_path / "a.csv")


def test_undecodable_bytes(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"id,text\n1," + b"\xff\xfe\xfa\x80\x80" + b"\n")
    with pytest.raises(EncodingError, match="line 2.*neither UTF-8 nor GBK.*--encoding"):
        read_complaints(tmp_path / "a.csv")


def test_mixed_encodings(tmp_path):
    data = "id,text\n1,送餐员态度很差\n".encode() + "2,菜都凉了还不让退款\n".encode("gbk")
    (tmp_path / "a.csv").write_bytes(data)
    with pytest.raises(EncodingError, match=r"mixes text encodings: line\(s\) 2 are UTF-8 but line\(s\) 3"):
        read_complaints(tmp_path / "a.csv")


def test_extra_fields(tmp_path):
    (tmp_path / "a.csv").write_text("id,text\n1,送餐慢\n2,菜凉了,还洒了\n", encoding="utf-8")
    with pytest.raises(MalformedInputError, match="line 3: expected 2 fields but found 3"):
        read_complaints(tmp_path / "a.csv")


def test_unbalanced_quote(tmp_path):
    (tmp_path / "a.csv").write_text('id,text\n1,送餐慢\n2,"菜凉了\n3,态度差\n', encoding="utf-8")
    with pytest.raises(MalformedInputError, match="quoted field .* never closed"):
        read_complaints(tmp_path / "a.csv")


def test_bad_jsonl_line(tmp_path):
    lines = [json.dumps({"id": 1, "text": "送餐慢"}, ensure_ascii=False), "{not json", "[1, 2]"]
    (tmp_path / "a.jsonl").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(MalformedInputError, match="line 2: not valid JSON"):
        read_complaints(tmp_path / "a.jsonl")


# -- every chunk read like the first (issue 18, item 7) -------------------------------------------


def _jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def test_jsonl_keys_in_another_order_or_missing_in_a_later_chunk_are_aligned_by_name(tmp_path, real_texts):
    records = [{"id": f"{i:03d}", "text": t, "store": f"店{i}"} for i, t in enumerate(real_texts[:7])]
    records[2] = {"store": "店2", "text": real_texts[2], "id": "002"}  # the second chunk starts with other key order
    del records[5]["store"]  # a key absent in the third chunk
    path = _jsonl(tmp_path / "keys.jsonl", records)
    chunks = list(iter_complaints(path, chunksize=2))
    out = pd.concat(chunks, ignore_index=True)
    assert [list(c.columns) for c in chunks] == [["id", "text", "store"]] * 4
    assert out["id"].tolist() == [f"{i:03d}" for i in range(7)]
    assert out["text"].tolist() == real_texts[:7]
    assert out["store"].tolist()[:5] == [f"店{i}" for i in range(5)] and pd.isna(out["store"][5])


def test_a_key_that_appears_only_in_a_later_chunk_is_refused_with_its_row(tmp_path, real_texts):
    records = [{"id": i, "text": t} for i, t in enumerate(real_texts[:6])]
    records[4]["channel"] = "APP"
    path = _jsonl(tmp_path / "late.jsonl", records)
    with pytest.raises(MalformedInputError, match=r"late.jsonl: data row 5 has field\(s\) 'channel'"):
        list(iter_complaints(path, chunksize=2))
    assert read_complaints(path)["channel"].tolist()[4] == "APP"  # one chunk: read as it is


def test_numeric_headers_become_names_and_a_column_named_twice_is_refused(tmp_path, real_texts):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pd.DataFrame({1: real_texts[:3], 2: ["a", "b", "c"]}).to_excel(tmp_path / "num.xlsx", index=False)
    out = read_complaints(tmp_path / "num.xlsx", text_col="1")
    assert out["1"].tolist() == real_texts[:3] and out.attrs["text_col"] == "1"
    table = pa.table([pa.array(real_texts[:3]), pa.array(["a", "b", "c"])], names=["text", "text"])
    pq.write_table(table, tmp_path / "dup.parquet")
    with pytest.raises(MalformedInputError, match="'text' occur more than once"):
        read_complaints(tmp_path / "dup.parquet")


# -- rows checked as they are read (issue 18, items 5 and 9) -------------------------------------

_FIELD = st.text(alphabet=list('ab中文,"\n\r 1'), max_size=8)


@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(_FIELD, _FIELD, st.integers(0, 6)), min_size=1, max_size=12),
       quote_all=st.booleans(), crlf=st.booleans())
def test_short_rows_are_refused_exactly_where_a_csv_reader_sees_them(tmp_path_factory, rows, quote_all, crlf):
    """The oracle is Python's csv module reading the same text: a record with fewer fields than
    the header is refused, naming the line the record starts on; otherwise every record is a row."""
    buf = io.StringIO()
    # with lines ending in LF alone, csv leaves a field with a CR unquoted: a bare CR (tested apart)
    crlf = crlf or any("\r" in t + s for t, s, _ in rows)
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
                        lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["id", "text", "store"])
    for i, (text, store, cut) in enumerate(rows):
        record = [f"r{i}", text, store]
        writer.writerow(record[:2] if cut == 0 else record)  # cut == 0: a short row
    content = buf.getvalue()
    # a line ends at LF, not at a CR (csv refuses a CR inside a line it is given: hide it)
    reader = csv.reader([line.replace("\r", "\0") + "\n" for line in content.split("\n")[:-1]])
    next(reader)
    expected, start = None, reader.line_num + 1
    for record in reader:
        if len(record) < 3 and expected is None:
            expected = start
        start = reader.line_num + 1
    path = tmp_path_factory.mktemp("short") / "rows.csv"
    path.write_bytes(content.encode("utf-8"))
    if expected is None:
        df = read_complaints(path)
        assert df["id"].tolist() == [f"r{i}" for i in range(len(rows))]
        assert df["text"].tolist() == [t for t, _, _ in rows]
    else:
        with pytest.raises(MalformedInputError, match=rf"rows\.csv, line {expected}: expected 3 fields"):
            read_complaints(path)


def test_an_xlsx_that_inflates_past_the_limit_is_refused_before_it_is_opened(tmp_path):
    real = tmp_path / "real.xlsx"
    pd.DataFrame({"投诉内容": ["送餐太慢，菜都凉了"]}).to_excel(real, index=False)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/media/pad.bin", bytes(80 << 20))  # 80 MiB of zeros: about 80 KB on disk
    with pytest.raises(MalformedInputError, match=r"bomb\.xlsx: the workbook inflates to 80\.0 MiB"):
        read_complaints(bomb)
    assert len(read_complaints(bomb, max_inflate_ratio=10_000)) == 1
    assert len(read_complaints(real)) == 1


def test_limits_are_checked_before_reading(tmp_path):
    with pytest.raises(ValueError, match="max_cell_chars must be a whole number >= 1"):
        read_complaints(tmp_path / "missing.csv", max_cell_chars=0)
