"""Property tests: arbitrary Unicode and odd cell values never break the text pipeline, and
``classify_file`` hands every input row and column back untouched (issue 6).

Settings are modest (``max_examples`` 40-80, no deadline) so the file runs in well under a
minute; the 1 MB text is tested once, explicitly.
"""

from __future__ import annotations

import math
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import complaintmine as cm
from complaintmine.batch import classify_file
from complaintmine.io import ID_COLUMN_NAMES, TEXT_COLUMN_NAMES
from complaintmine.normalization import normalize
from complaintmine.output import recover_formula_text
from complaintmine.tokenizer import Tokenizer, available_backends

SETTINGS = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
MOTIVES = {"respect", "compensation", "venting", "none"}
SCORE_COLUMNS = ("cause_score", "motive_respect", "motive_compensation", "motive_venting")

# -- strategies ----------------------------------------------------------------------------------

#: characters that have broken text pipelines before: zero-width, bidi, BOM, controls, lone
#: surrogates, combining marks, emoji (with ZWJ / skin tone / variation selectors), ideographic
#: space, full-width forms, CJK extension B, Arabic / Hebrew / Cyrillic / Devanagari
NASTY = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c",
    "\u202d", "\u202e", "\u2066", "\u2069", "\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\t", "\n", "\r",
    "\x0b", "\x0c", "\u2028", "\u2029", "\ud800", "\udfff", "\udc80", "\u0301", "\u0308", "\u20dd", "\u0489",
    "😀", "👍🏽", "👨\u200d👩\u200d👧", "❤️", "\ufe0f", "\U0001f1e8\U0001f1f3", "\u3000", "！", "１２３", "Ａ",
    "\U00020000", "\U0002a6d6", "\ue000", "\U000f0000", "\uffff", "مرحبا", "שלום", "привет", "नमस्ते",
    "<PHONE>", "<", ">", "&", "\\", '"', "'", ",", "，", "。", "!", "?", "…", "~", "¥", "%", "#",
]  # fmt: skip
REAL = ["送餐员态度很差", "菜都凉了，要求退款！！！", "房间隔音太差", "客服不理人，我要投诉到12315", "質量太差了"]

nasty_text = st.lists(st.sampled_from(NASTY + REAL), max_size=12).map("".join)
any_unicode = st.text(alphabet=st.characters(exclude_categories=()), max_size=60)
texts = st.one_of(any_unicode, nasty_text, st.sampled_from(REAL), st.just(""))
#: what a text column can hold once pandas has read JSON / Excel / Parquet
cells = st.one_of(
    texts,
    st.none(),
    st.just(float("nan")),
    st.just(pd.NA),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
#: texts of punctuation, symbols (emoji), spaces, controls and invisible characters only
#: (NFKC can turn a symbol into a letter or a combining mark, e.g. '¸' -> ' \u0327': filtered out)
no_content = st.text(alphabet=st.characters(categories=["P", "S", "Z", "Cc", "Cf"]), max_size=30).filter(
    lambda t: not any(unicodedata.category(c)[0] in "LNM" for c in unicodedata.normalize("NFKC", t)))


@pytest.fixture(scope="module")
def model():
    return cm.load_model()


def _is_text(value) -> bool:
    return isinstance(value, str)


# -- normalize ----------------------------------------------------------------------------------


@SETTINGS
@given(cells)
def test_normalize_never_raises_and_cleans(value):
    out = normalize(value)
    assert isinstance(out, str)
    if not _is_text(value):
        assert out == ""
    assert out == out.strip()
    # no control, format, surrogate or private-use characters survive
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in out)
    out.encode("utf-8")  # always writable


# -- tokenize (jieba and rjieba) ----------------------------------------------------------------


@pytest.fixture(scope="module", params=available_backends())
def tokenizer(request):
    return Tokenizer(backend=request.param)


@SETTINGS
@given(value=texts)
def test_tokenizer_never_raises(tokenizer, value):
    tokens = tokenizer.tokenize(normalize(value))
    assert all(isinstance(t, str) and t and not t.isspace() for t in tokens)
    raw = tokenizer.cut(value)  # un-normalized input too
    assert all(isinstance(t, str) and t for t in raw)


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_tokenizer_raw_text_with_lone_surrogate(backend):
    if backend not in available_backends():
        pytest.skip(f"{backend} not installed")
    assert Tokenizer(backend=backend).tokenize("送餐\ud800太慢") is not None


def test_both_backends_are_tested():
    assert "rjieba" in available_backends(), "install complaintmine[fast] so rjieba is covered"


# -- cause classifier and motive estimator (the bundled model) ----------------------------------


@settings(deadline=None, max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cells, min_size=1, max_size=8))
def test_cause_classifier(model, values):
    clf = model.causes
    pred = clf.predict(values)
    proba = clf.predict_proba(values)
    assert len(pred) == len(values) and proba.shape == (len(values), len(clf.classes_))
    assert set(pred) <= set(clf.classes_)
    assert np.isfinite(proba).all() and (proba >= 0).all() and (proba <= 1 + 1e-9).all()
    assert np.allclose(proba.sum(axis=1), 1.0)
    for value, code in zip(values, pred):
        if not _is_text(value) or not normalize(value).strip():
            assert code == "other"


@settings(deadline=None, max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cells, min_size=1, max_size=8))
def test_motive_estimator(model, values):
    est = model.motives
    pred = est.predict(values)
    scores = est.predict_proba(values)
    assert len(pred) == len(values) and scores.shape == (len(values), len(est.motives_))
    assert set(pred) <= MOTIVES
    assert np.isfinite(scores).all() and (scores >= 0).all() and (scores <= 1).all()
    for value, motive in zip(values, pred):
        if not _is_text(value) or not normalize(value).strip():
            assert motive == "none"


# -- analyze ------------------------------------------------------------------------------------


def check_output(out: pd.DataFrame, frame: pd.DataFrame, model) -> None:
    assert len(out) == len(frame) and out.index.equals(frame.index)
    assert list(out.columns) == [*frame.columns, *cm.OUTPUT_COLUMNS]
    assert set(out["cause"]) <= set(model.causes.classes_)
    assert set(out["motive"]) <= MOTIVES
    assert set(out["risk_level"]) <= {"low", "medium", "high"}
    for col in SCORE_COLUMNS:
        values = out[col].to_numpy(dtype=float)
        assert np.isfinite(values).all() and ((values >= 0) & (values <= 1)).all(), col
    assert (out["causes"].str.split(";").str[0] == out["cause"]).all()
    assert out["evidence"].map(lambda e: isinstance(e, str) and e != "").all()
    for col in ("cause", "causes", "evidence", "risk_flags"):
        out[col].map(lambda s: s.encode("utf-8"))  # derived text is always valid UTF-8


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cells, min_size=1, max_size=10))
def test_analyze_any_cells(model, values):
    frame = pd.DataFrame({"工单号": [f"{i:05d}" for i in range(len(values))], "text": pd.Series(values, dtype=object)})
    out = cm.analyze(frame, model=model)
    check_output(out, frame, model)
    assert out["工单号"].tolist() == frame["工单号"].tolist()
    for value, row in zip(values, out.itertuples()):
        if not _is_text(value) or not normalize(value).strip():
            assert (row.cause, row.motive, row.risk_level) == ("other", "none", "low")
            assert row.evidence.startswith("no usable text: ")


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(no_content, min_size=1, max_size=6))
def test_texts_without_words_get_other_none_and_a_reason(model, values):
    """Punctuation, symbols (emoji), spaces, controls, zero-width and combining marks only."""
    out = cm.analyze(pd.DataFrame({"text": values}), model=model)
    assert out["cause"].tolist() == ["other"] * len(values)
    assert out["motive"].tolist() == ["none"] * len(values)
    assert out["evidence"].str.match(r"no usable text: (empty text|no words to analyse)").all()


@pytest.mark.parametrize("text", ["12345", "2023 10 01", "13800000000", "\u0300", ";;;\\;;;\u0300", "!!\u20dd"])
def test_numbers_or_marks_only_get_no_usable_text(model, text):
    out = cm.analyze(pd.DataFrame({"text": [text]}), model=model)
    assert out.loc[0, "cause"] == "other" and out.loc[0, "evidence"].startswith("no usable text")


def test_numbers_only_texts_do_not_break(model):
    frame = pd.DataFrame({"text": ["12345", "2023 10 01", "13800000000", "3.14159", "1" * 500, "000000"]})
    out = cm.analyze(frame, model=model)
    check_output(out, frame, model)
    assert set(out["motive"]) == {"none"}


def test_mixed_scripts_and_rtl(model):
    frame = pd.DataFrame({"text": pd.Series([
        "\u202e送餐员\u202c态度\u200b很差，refund please!!! مرحبا 😡😡",
        "ｓｅｒｖｉｃｅ　太差！！！ Ｔｈｅ ｆｏｏｄ ｗａｓ ｃｏｌｄ",
        "e\u0301\u0301\u0301 送\u0308餐慢",
        "房間隔音太差" + "\ud800" + "一晚上沒睡好",  # a lone surrogate (object column: pandas 3 str refuses it)
    ], dtype=object)})
    out = cm.analyze(frame, model=model)
    check_output(out, frame, model)
    assert out.loc[0, "cause"] == "service_attitude" or "态度" in out.loc[0, "evidence"]
    assert out.loc[3, "cause"] == "facilities_environment"


def test_one_megabyte_text(model):
    """A 1 MB complaint (a paste gone wrong) is analysed like any other, next to normal ones."""
    big = ("送餐员迟到一个小时，菜都凉了，态度还很差，要求退款！" * 40_000)[: 1 << 20]
    assert len(big.encode("utf-8")) > 1_000_000
    frame = pd.DataFrame({"text": [big, "房间隔音太差", ""]})
    out = cm.analyze(frame, model=model)
    check_output(out, frame, model)
    assert out.loc[0, "motive"] == "compensation"
    assert len(out.loc[0, "evidence"]) < 500  # evidence stays short
    assert out.loc[2, "cause"] == "other"
    for backend in available_backends():
        assert len(Tokenizer(backend=backend).tokenize(normalize(big))) > 100_000


# -- round trip through classify_file: input rows and columns come back untouched ---------------

_RESERVED = {c.lower() for c in (*cm.OUTPUT_COLUMNS, "error", *ID_COLUMN_NAMES, *TEXT_COLUMN_NAMES)}
column_names = st.text(
    alphabet=st.sampled_from(list("abcxyzABC_0123456789") + list("渠道门店电话客户备注日期金额")),
    min_size=1, max_size=6,
).filter(lambda n: n.lower() not in _RESERVED and not n.lower().startswith("unnamed"))
#: cells: leading zeros, phone-like numbers, empty strings, spaces, NA-like words, quotes,
#: embedded newlines, Chinese; no ASCII comma after a newline (see io._check_merged_rows)
cell_text = st.one_of(
    st.sampled_from(["", " ", "00123", "0", "007", "13812345678", "+86 138 1234 5678", "010-62345678", "NA",
                     "nan", "NULL", "None", "#N/A", "-", "1e5", "0x1F", "TRUE", "2024-01-02", " 带空格 "]),
    st.from_regex(r"0[0-9]{1,17}", fullmatch=True),
    st.text(alphabet=st.sampled_from(list("送餐员态度很差凉了退款 ，。！？\"'\n\t0123456789abc😀")), max_size=30),
)


@st.composite
def frames(draw):
    names = draw(st.lists(column_names, min_size=1, max_size=4, unique_by=str.lower))
    n = draw(st.integers(1, 12))
    data = {name: draw(st.lists(cell_text, min_size=n, max_size=n)) for name in names}
    data["投诉内容"] = draw(st.lists(cell_text, min_size=n, max_size=n))
    order = draw(st.permutations(list(data)))
    return pd.DataFrame({k: data[k] for k in order})


def _write_input(frame: pd.DataFrame, path) -> None:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(path, index=False)


def _read_output(path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    if path.suffix == ".jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_parquet(path)


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(frame=frames(), fmt_in=st.sampled_from([".csv", ".jsonl", ".parquet"]),
       fmt_out=st.sampled_from([".csv", ".jsonl", ".parquet"]))
def test_classify_file_round_trip_keeps_every_input_cell(tmp_path_factory, frame, fmt_in, fmt_out):
    folder = tmp_path_factory.mktemp("rt")
    src, dst = folder / f"in{fmt_in}", folder / f"out{fmt_out}"
    _write_input(frame, src)
    rows = classify_file(src, dst, text_col="投诉内容", jobs=1, chunksize=5, progress=False).rows
    assert rows == len(frame)
    out = _read_output(dst)
    assert len(out) == len(frame)
    assert out["id"].astype(str).tolist() == [str(i) for i in range(1, len(frame) + 1)]  # added, numbered
    assert list(out.columns) == ["id", *frame.columns, *cm.OUTPUT_COLUMNS, "error"]
    # CSV cells a spreadsheet would run as formulas are written defused (a leading quote)
    back = recover_formula_text if fmt_out == ".csv" else str
    for col in frame.columns:
        got = out[col].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else back(str(v)))
        assert got.tolist() == frame[col].tolist(), col
    assert (out["error"].fillna("") == "").all()

