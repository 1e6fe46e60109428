import numpy as np
import pandas as pd

import complaintmine as cm
from complaintmine.datasets import load_seed_cases

EXPECTED = ["cause", "cause_zh", "causes", "cause_score", "motive", "motive_respect", "motive_compensation",
            "motive_venting", "risk_level", "risk_flags", "evidence", "demand", "amount", "object", "waited_hours",
            "repeat", "escalation_threat", "record_evidence"]


def test_output_schema_exactly(real_texts):
    df = pd.DataFrame({"工单号": [f"{i:04d}" for i in range(50)], "text": real_texts[:50], "门店": "A"})
    out = cm.analyze(df)
    assert list(out.columns) == ["工单号", "text", "门店", *EXPECTED]
    assert list(cm.OUTPUT_COLUMNS) == EXPECTED
    assert out["工单号"].tolist() == df["工单号"].tolist()
    assert out["text"].tolist() == df["text"].tolist()
    assert out.index.equals(df.index)
    assert set(out["motive"]) <= {"respect", "compensation", "venting", "none"}
    assert set(out["risk_level"]) <= {"low", "medium", "high"}
    for col in ("cause_score", "motive_respect", "motive_compensation", "motive_venting"):
        assert out[col].between(0, 1).all()
    assert (out["causes"].str.split(";").str[0] == out["cause"]).all()
    assert out["evidence"].str.len().gt(0).all()


def test_unusable_texts_get_other_none_and_a_note():
    df = pd.DataFrame({"text": ["", None, np.nan, 42, "!!!???", "   ", "送餐员态度很差"]}, index=list("abcdefg"))
    out = cm.analyze(df)
    assert out.index.tolist() == list("abcdefg")
    assert out["cause"].tolist()[:6] == ["other"] * 6
    assert out["motive"].tolist()[:6] == ["none"] * 6
    assert out["evidence"].str.startswith("no usable text").tolist()[:6] == [True] * 6
    assert out.loc["g", "cause"] == "service_attitude"


def test_analyze_keeps_custom_index_and_text_col(real_texts):
    df = pd.DataFrame({"内容": real_texts[:5]}, index=[10, 3, 7, 1, 0])
    out = cm.analyze(df, text_col="内容")
    assert out.index.tolist() == [10, 3, 7, 1, 0]


def test_seed_cases_classified_sensibly():
    seeds = load_seed_cases()
    out = cm.analyze(seeds).set_index("case_id")
    fridge = out[out["title"].str.contains("冰箱")].iloc[0]
    assert fridge["cause"] == "misleading_sales"
    assert fridge["motive_compensation"] >= 0.5
    ring = out[out["title"].str.contains("彩鈴|彩铃")].iloc[0]
    assert ring["cause"] == "price_billing"
    shampoo = out[out["title"].str.contains("洗發水|洗发水")].iloc[0]
    assert shampoo["cause"] == "safety_health" and shampoo["risk_level"] == "high"
