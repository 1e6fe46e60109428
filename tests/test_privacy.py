"""Privacy (issue 6): personal data planted in real complaints never reaches a derived or displayed
text (text_norm, tokens, evidence, recommendation examples, the HTML report), while the original
input columns pass through untouched unless ``--mask-input``.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from complaintmine import OUTPUT_COLUMNS
from complaintmine.cli import main
from complaintmine.normalization import PII_PLACEHOLDER, mask_pii
from complaintmine.output import recover_formula_text

#: personal data as customers type it: mobiles (plain, +86 spaced, dashed, full-width), landlines,
#: resident ID numbers, bank cards (Luhn-valid, grouped or not), e-mail addresses
PII = [
    "13812345678", "+86 139 1234 5678", "137-1234-5678", "１３６１２３４５６７８", "010-62345678", "(021)62345678",
    "0755-2345678", "110101199003071234", "44030419851231002X", "4111111111111111", "4111-1111-1111-1111",
    "6222020200112233446", "6222 0202 0011 2233 446", "zhang.san@example.com", "li_si+shop@mail.qq.com",
    # issue 18, item 6: separators and Chinese numerals, Hong Kong / Macau / Taiwan IDs, passports,
    # full-width and Chinese e-mails, WeChat / QQ ids, plates, names after 我叫 / 本人
    "138.1234.5678", "一三八一二三四五六七八", "幺三九零零二八六七五四", "A123456(3)", "1234567(8)", "A123456789",
    "E12345678", "ｚｈａｎｇ＠ｑｑ．ｃｏｍ", "张三@例子.中国", "微信zhangwei_88", "QQ 12345678", "粤B·D12345",
    "我叫覃晓玲", "本人欧阳娜娜，",
]  # fmt: skip
TEMPLATES = ["联系电话{}，{}", "{}。我的身份证号{}", "{} 银行卡{}被扣款了", "{}，邮箱{}请回复", "{}！！！电话:{}"]
#: derived text columns of `classify` (scores are numbers and cannot hold text)
DERIVED = [c for c in (*OUTPUT_COLUMNS, "error") if c not in
           ("cause_score", "motive_respect", "motive_compensation", "motive_venting")]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


def assert_no_pii(text: str, where: str) -> None:
    squeezed = _digits(text)
    for pii in PII:
        assert pii not in text, f"{pii!r} in {where}: {text[:200]!r}"
        digits = _digits(pii)
        if len(digits) >= 10:
            assert digits not in squeezed, f"digits of {pii!r} in {where}: {text[:200]!r}"
        if "@" in pii:
            assert pii.split("@")[0] not in text, f"{pii!r} in {where}"


@pytest.fixture(scope="module")
def planted(negative_reviews) -> pd.DataFrame:
    """120 real complaints, each with one or two pieces of personal data planted in the text, plus
    a phone number in a separate contact column."""
    sample = negative_reviews.sample(120, random_state=11).reset_index(drop=True)
    texts = []
    for i, text in enumerate(sample["text"]):
        template = TEMPLATES[i % len(TEMPLATES)]
        pii = PII[i % len(PII)]
        texts.append(template.format(text, pii) if i % 2 else template.format(pii, text))
    return pd.DataFrame({
        "工单号": [f"{i:06d}" for i in range(len(texts))],
        "联系电话": [PII[i % 3] for i in range(len(texts))],
        "store": [f"门店{i % 4}" for i in range(len(texts))],
        "date": pd.date_range("2024-01-01", periods=len(texts), freq="D").strftime("%Y-%m-%d"),
        "投诉内容": texts,
    })


@pytest.fixture(scope="module")
def classified(planted, tmp_path_factory):
    folder = tmp_path_factory.mktemp("privacy")
    planted.to_csv(folder / "export.csv", index=False)
    results = {}
    for name, extra in (("default", []), ("mask_input", ["--mask-input"])):
        out = folder / f"{name}.csv"
        assert main(["classify", str(folder / "export.csv"), "-o", str(out), "--jobs", "1", *extra]) == 0
        results[name] = pd.read_csv(out, dtype=str, keep_default_na=False)
    return results


def _read_back(path):
    """A CSV we wrote, as the user's spreadsheet shows it: cells that would be formulas are
    written with a leading quote (issue 18); ``recover_formula_text`` undoes it exactly."""
    return pd.read_csv(path, dtype=str, keep_default_na=False).map(recover_formula_text)


def test_pii_never_enters_a_trained_vocabulary(planted):
    from complaintmine.features import ComplaintVectorizer, prepare

    vec = ComplaintVectorizer(min_df=1, embeddings=None).fit(prepare(planted["投诉内容"].tolist()))
    terms = "\n".join([*vec.word_.vocabulary, *vec.char_.vocabulary])
    for secret in ("zhangwei_88", "晓玲", "娜娜", "D12345", "A123456", "E12345678", "ｚｈａｎｇ", "zhang", "一三八一二",
                   "幺三九零", "12345678"):
        assert secret not in terms, secret
    assert "<NAME>" in terms or "NAME" in terms  # the placeholders are what is learnt


def test_planted_pii_is_really_there(planted):
    text = "\n".join(planted["投诉内容"])
    assert all(p in text for p in PII)


def test_classify_derived_columns_hold_no_pii(classified, planted):
    out = classified["default"]
    assert len(out) == len(planted)
    for col in DERIVED:
        for i, cell in enumerate(out[col]):
            assert_no_pii(cell, f"{col} row {i}")
    assert out["evidence"].str.len().gt(0).all()


def test_original_columns_pass_through_untouched_by_default(classified, planted):
    # a phone written "+86 ..." would be a formula in a spreadsheet: the CSV holds it defused
    # with a leading quote (issue 18), and recover_formula_text gives back every cell exactly
    out = classified["default"]
    phones = out["联系电话"]
    assert phones[planted["联系电话"].str.startswith("+")].str.startswith("'+").all()
    recovered = out[list(planted.columns)].map(recover_formula_text)
    pd.testing.assert_frame_equal(recovered, planted, check_dtype=False)
    assert not phones.equals(recovered["联系电话"])  # the quote was really there


def test_mask_input_masks_the_text_column_only(classified, planted):
    out = classified["mask_input"].map(recover_formula_text)
    for i, cell in enumerate(out["投诉内容"]):
        assert_no_pii(cell, f"masked text row {i}")
    assert out["投诉内容"].map(lambda t: bool(PII_PLACEHOLDER.search(t))).all()
    # only the personal data is replaced; the other columns are not touched
    assert out["投诉内容"].tolist() == [mask_pii(t) for t in planted["投诉内容"]]
    others = [c for c in planted.columns if c != "投诉内容"]
    pd.testing.assert_frame_equal(out[others], planted[others], check_dtype=False)
    for col in DERIVED:
        for cell in out[col]:
            assert_no_pii(cell, col)


def test_tokenize_command_masks_by_default(planted, tmp_path):
    planted.to_csv(tmp_path / "export.csv", index=False)
    assert main(["tokenize", str(tmp_path / "export.csv"), "-o", str(tmp_path / "tok.csv")]) == 0
    out = _read_back(tmp_path / "tok.csv")
    for col in ("text_norm", "tokens"):
        for i, cell in enumerate(out[col]):
            assert_no_pii(cell, f"{col} row {i}")
    assert out["投诉内容"].tolist() == planted["投诉内容"].tolist()


def test_recommendation_examples_hold_no_pii(classified):
    recommend = pytest.importorskip("complaintmine.recommend", reason="complaintmine.recommend not written yet")
    frame = classified["default"].copy()
    for col in ("cause_score", "motive_respect", "motive_compensation", "motive_venting"):
        frame[col] = frame[col].astype(float)
    frame.attrs["text_col"] = "投诉内容"
    rec = recommend.recommend(frame, dimensions=["store"], date_col="date", text_col="投诉内容", n_examples=3)
    examples = [e for row in rec["examples"] for e in row]
    assert examples, "recommend gave no examples to check"
    for text in examples:
        assert_no_pii(text, "recommendation example")
    for col in rec.columns:
        for value in rec[col]:
            assert_no_pii(str(value), f"recommend column {col}")


def test_html_report_holds_no_pii(classified, tmp_path):
    report = pytest.importorskip("complaintmine.report", reason="complaintmine.report not written yet")
    frame = classified["default"].copy()
    frame.attrs["text_col"] = "投诉内容"
    path = report.write_report(frame, tmp_path / "report.html", date_col="date", dimensions=["store"],
                               text_col="投诉内容")
    html = path.read_text(encoding="utf-8")
    assert "典型投诉" in html  # the section with example complaints is there
    assert_no_pii(html, "report.html")


def test_report_command_on_a_raw_export_holds_no_pii(planted, tmp_path):
    pytest.importorskip("complaintmine.report", reason="complaintmine.report not written yet")
    planted.to_csv(tmp_path / "export.csv", index=False)
    code = main(["report", str(tmp_path / "export.csv"), "-o", str(tmp_path / "r.html"), "--date-col", "date"])
    assert code == 0
    assert_no_pii((tmp_path / "r.html").read_text(encoding="utf-8"), "report.html (raw export)")
