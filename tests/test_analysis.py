"""Root-cause exploration on the demo data: real texts, documented synthetic metadata, planted effects."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import complaintmine as cm
from complaintmine import analysis
from complaintmine.datasets import data_dir
from complaintmine.errors import ColumnError

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    raw = cm.read_complaints(data_dir() / "demo" / "complaints_demo.csv")
    return analysis.add_tokens(cm.analyze(raw, text_col="text"))


# -- Pareto --------------------------------------------------------------------------------------


def test_pareto_shares_sum_to_one_and_are_descending(demo):
    par = analysis.pareto(demo)
    assert par["share"].sum() == pytest.approx(1.0)
    assert par["cum_share"].iloc[-1] == pytest.approx(1.0)
    assert par["count"].is_monotonic_decreasing
    assert par["cum_share"].is_monotonic_increasing
    assert par["count"].sum() == len(demo)
    assert par["rank"].tolist() == list(range(1, len(par) + 1))
    assert set(par["cause_zh"]) <= set(demo["cause_zh"])


def test_pareto_by_dimension_is_a_pareto_per_group(demo):
    par = analysis.pareto(demo, by="store")
    assert set(par["store"]) == set(demo["store"])
    for store, group in par.groupby("store"):
        assert group["share"].sum() == pytest.approx(1.0), store
        assert group["count"].is_monotonic_decreasing, store
        assert group["count"].sum() == (demo["store"] == store).sum()


def test_pareto_exact_small_example():
    df = pd.DataFrame({"cause": ["delivery", "delivery", "product_quality", "delivery"]})
    par = analysis.pareto(df)
    assert par[["cause", "cause_zh", "count"]].values.tolist() == [["delivery", "物流配送", 3],
                                                                    ["product_quality", "商品质量", 1]]
    assert par["cum_share"].tolist() == [0.75, 1.0]


# -- multiple testing ------------------------------------------------------------------------------


def test_adjust_pvalues_holm_and_bh_match_hand_computation():
    p = np.array([0.01, 0.04, 0.03, 0.005])
    # Holm: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1, running max
    assert analysis.adjust_pvalues(p, "holm").tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # BH: sorted times 4/1, 4/2, 4/3, 4/4, running min from the top
    assert analysis.adjust_pvalues(p, "fdr_bh").tolist() == pytest.approx([0.02, 0.04, 0.04, 0.02])
    with_nan = analysis.adjust_pvalues([0.01, np.nan], "holm")
    assert with_nan[0] == pytest.approx(0.01) and np.isnan(with_nan[1])


# -- where ---------------------------------------------------------------------------------------


def test_crosstab_outliers_finds_the_planted_store(demo):
    ct = analysis.crosstab_outliers(demo, "store")
    top = ct.iloc[0]
    assert (top["cause"], top["store"]) == ("facilities_environment", "成都锦江店")
    assert top["over_represented"] and top["p_adjusted"] < 1e-6 and top["lift"] > 1.5
    flagged = ct[ct["over_represented"]]
    assert ("delivery", "杭州西湖店") in set(zip(flagged["cause"], flagged["store"]))
    # flagged for surprise, not size: the largest cell outside the two planted stores is not flagged
    unplanted = ct[~ct["store"].isin(["成都锦江店", "杭州西湖店"])]
    biggest = unplanted.loc[unplanted["count"].idxmax()]
    assert biggest["count"] > flagged["count"].min() and not biggest["over_represented"]
    assert (flagged["p_adjusted"] < 0.05).all() and (flagged["residual"] > 0).all()
    assert ct.attrs["correction"] == "holm" and ct.attrs["chi2_p"] < 1e-6


def test_crosstab_residual_is_habermans_adjusted_residual(demo):
    ct = analysis.crosstab_outliers(demo, "channel")
    cell = ct.iloc[3]
    n = len(demo.dropna(subset=["channel"]))
    row = (demo["cause"] == cell["cause"]).sum()
    col = (demo["channel"] == cell["channel"]).sum()
    obs = ((demo["cause"] == cell["cause"]) & (demo["channel"] == cell["channel"])).sum()
    exp = row * col / n
    expected = (obs - exp) / np.sqrt(exp * (1 - row / n) * (1 - col / n))
    assert cell["residual"] == pytest.approx(expected)
    assert cell["expected"] == pytest.approx(exp)


def test_crosstab_needs_two_values_and_the_column(demo):
    with pytest.raises(ValueError, match="two values"):
        analysis.crosstab_outliers(demo.assign(one="x"), "one")
    with pytest.raises(ColumnError, match="no column 'region'"):
        analysis.crosstab_outliers(demo, "region")


# -- when ----------------------------------------------------------------------------------------


def test_trend_rates_sum_to_one_per_period(demo):
    tr = analysis.trend(demo, "date")
    per_period = tr.groupby("period")["rate"].sum()
    assert np.allclose(per_period, 1.0)
    assert tr.groupby("period")["count"].sum().sum() == len(demo)
    assert tr["period"].nunique() == 52  # the demo spans 52 Monday-to-Sunday weeks


def test_emerging_issues_detects_the_planted_rise_and_nothing_else(demo):
    em = analysis.emerging_issues(demo, "date", recent=6)
    flagged = em[em["emerging"]]
    assert flagged["item"].tolist() == ["delivery"]
    row = flagged.iloc[0]
    assert row["rate_after"] > 1.5 * row["rate_before"]
    assert row["ratio"] == pytest.approx(row["rate_after"] / row["rate_before"])
    assert row["p_adjusted"] < 1e-6
    assert "Fisher" in row["test"] and row["correction"] == "fdr_bh"
    assert em.attrs["recent_start"] == pd.Timestamp("2025-09-22")


def test_emerging_issues_by_store_points_at_the_planted_store(demo):
    em = analysis.emerging_issues(demo, "date", recent=6, by="store")
    flagged = em[em["emerging"]]
    assert set(zip(flagged["item"], flagged["store"])) == {("delivery", "杭州西湖店")}


def test_emerging_terms_are_delivery_words(demo):
    em = analysis.emerging_issues(demo, "date", recent=6, terms=True)
    words = set(em[em["emerging"] & (em["kind"] == "term")]["item"])
    assert words & {"送到", "送餐", "小时", "太慢", "送餐员"}
    assert not words & {"酒店", "房间", "质量"}


def test_a_flat_series_is_not_flagged(demo):
    # the same real complaints with their dates shuffled: no cause can have risen
    rng = np.random.default_rng(7)
    shuffled = demo.assign(date=rng.permutation(demo["date"].to_numpy()))
    em = analysis.emerging_issues(shuffled, "date", recent=6, terms=True)
    assert not em["emerging"].any()
    # a perfectly constant weekly mix: p-values are large
    weeks = pd.date_range("2025-01-06", periods=20, freq="W-MON")
    flat = pd.DataFrame({"date": np.repeat(weeks, 10),
                         "cause": np.tile(["delivery"] * 3 + ["product_quality"] * 7, 20)})
    em = analysis.emerging_issues(flat, "date", recent=4, alpha=0.05)
    assert not em["emerging"].any() and (em["p_value"] > 0.3).all()


def test_emerging_issues_needs_enough_periods(demo):
    with pytest.raises(ValueError, match="more than recent"):
        analysis.emerging_issues(demo.head(5).assign(date="2025-01-01"), "date", recent=4)


# -- why -----------------------------------------------------------------------------------------


def test_distinctive_terms_are_distinctive_for_their_cause(demo):
    terms = analysis.distinctive_terms(demo, top=10)
    scores = analysis.class_tfidf(demo)
    delivery = terms[terms["cause"] == "delivery"]
    assert set(delivery["term"]) & {"送餐", "配送", "慢", "太慢", "送到", "小时"}
    for term in delivery["term"].head(5):
        others = scores.drop(index="delivery")[term]
        assert scores.loc["delivery", term] > others.max(), term
    assert (terms["lift"] > 1).all()
    assert not set(terms["term"]) & analysis.FUNCTION_WORDS
    for _, group in terms.groupby("cause"):
        assert group["score"].is_monotonic_decreasing


def test_distinctive_terms_use_a_given_tokens_column(demo):
    sample = demo.head(400)
    a = analysis.distinctive_terms(sample, top=5, min_df=2)
    b = analysis.distinctive_terms(sample.drop(columns="tokens"), top=5, min_df=2)
    pd.testing.assert_frame_equal(a, b)


def test_subtopics_are_stable_under_the_same_random_state(demo):
    a = analysis.subtopics(demo, "delivery", n_topics=4, random_state=0)
    b = analysis.subtopics(demo, "delivery", n_topics=4, random_state=0)
    pd.testing.assert_frame_equal(a.topics, b.topics)
    pd.testing.assert_frame_equal(a.assignment, b.assignment)
    n_delivery = (demo["cause"] == "delivery").sum()
    assert len(a.assignment) == n_delivery
    assert a.topics["n"].is_monotonic_decreasing
    assert a.topics["share"].sum() == pytest.approx((a.assignment["topic"] >= 0).mean())
    for _, topic in a.topics.iterrows():
        assert topic["label"] == "/".join(topic["top_words"][:3])
    all_words = {w for words in a.topics["top_words"] for w in words}
    assert all_words & {"小时", "送到", "太慢", "送餐", "慢"}


def test_subtopics_refuses_a_tiny_cause(demo):
    with pytest.raises(ValueError, match="too few"):
        analysis.subtopics(demo.head(30), "network_system", n_topics=5)


# -- co-occurrence, mix ----------------------------------------------------------------------------


def test_cooccurrence_counts_and_lift(demo):
    co = analysis.cooccurrence(demo)
    top = co.iloc[0]
    sets = demo["causes"].str.split(";")
    has_a = sets.map(lambda s: top["cause_a"] in s)
    has_b = sets.map(lambda s: top["cause_b"] in s)
    assert top["count"] == (has_a & has_b).sum()
    assert top["lift"] == pytest.approx((has_a & has_b).mean() / (has_a.mean() * has_b.mean()))
    assert top["conf_a_b"] == pytest.approx((has_a & has_b).sum() / has_a.sum())
    assert co["count"].is_monotonic_decreasing


def test_motive_risk_mix_shares(demo):
    mix = analysis.motive_risk_mix(demo)
    motive = mix[["motive_respect_share", "motive_compensation_share", "motive_venting_share",
                  "motive_none_share"]].sum(axis=1)
    risk = mix[["risk_low_share", "risk_medium_share", "risk_high_share"]].sum(axis=1)
    assert np.allclose(motive, 1) and np.allclose(risk, 1)
    assert mix["count"].sum() == len(demo)
    assert mix.set_index("cause").loc["safety_health", "risk_high_share"] == pytest.approx(1.0)
    assert set(mix["dominant_motive"]) <= {"respect", "compensation", "venting"}


# -- examples ------------------------------------------------------------------------------------


def test_representative_is_deterministic_typical_and_masked(demo):
    a = analysis.representative(demo, cause="delivery", n=3, where={"store": "杭州西湖店"})
    b = analysis.representative(demo, cause="delivery", n=3, where={"store": "杭州西湖店"})
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 3 and (a["cause"] == "delivery").all()
    assert a["similarity"].is_monotonic_decreasing
    assert (demo.loc[a.index, "store"] == "杭州西湖店").all()
    by_score = analysis.representative(demo, cause="delivery", n=3, by="score")
    top_score = demo.loc[demo["cause"] == "delivery", "cause_score"].max()
    assert by_score["cause_score"].iloc[0] == pytest.approx(top_score)


def test_representative_masks_phone_numbers(demo):
    with_phone = demo[demo["text"].str.contains(PHONE)]
    assert len(with_phone) >= 3  # real reviews that published a phone number
    out = analysis.representative(with_phone, n=len(with_phone), max_chars=None)
    assert len(out) >= 3
    assert not out["text"].str.contains(PHONE).any()
    assert out["text"].str.contains("<PHONE>").any()


def test_add_tokens_batch_path_gives_the_reference_words(real_texts):
    # add_tokens runs normalize_many + tokenize_many; _tokens (one text at a time) is the reference
    from complaintmine.analysis import _tokens

    frame = pd.DataFrame({"text": real_texts + ["", None, "服務態度太差！聯系電話：13812345678"]})
    batch = analysis.add_tokens(frame)["tokens"].tolist()
    assert batch == [" ".join(t) for t in _tokens(frame, "text")]
    assert "13812345678" not in batch[-1] and "服务" in batch[-1]
