import numpy as np
import pytest
from sklearn.base import clone

from complaintmine import MotiveEstimator, load_model
from complaintmine.errors import NotFittedError


def test_contract():
    est = MotiveEstimator(rule_weight=0.2)
    assert clone(est).get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        est.predict(["要求退款"])


def test_rules_only_mode():
    est = MotiveEstimator.from_rules()
    texts = ["质量太差了，要求退款！", "什么态度！叫你们经理出来给个说法", "垃圾！！！再也不买了", "菜有点凉"]
    pred = est.predict(texts)
    assert pred.tolist() == ["compensation", "respect", "venting", "none"]


def test_scores_in_unit_interval_and_evidence(labeled):
    model = load_model()
    texts = labeled["text"].head(300)
    scores = model.motives.predict_proba(texts)
    assert scores.shape == (300, len(model.motives.motives_))
    assert ((scores >= 0) & (scores <= 1)).all()
    ev = model.motives.evidence("你们这是什么态度！我是老顾客了，必须给我退款！！！")
    assert any("什么态度" in d for d in ev["disrespect"]) and "老顾客" in ev["disrespect"]
    assert any("退款" in d for d in ev["demand"])
    assert "!!!" in ev["intensity"]


def test_explicit_demand_sets_compensation_even_in_a_long_narrative():
    model = load_model()
    text = ("我于上月在贵公司购买了一台洗衣机，使用不到一周就出现漏水，联系客服三次都说会派人上门，"
            "结果一直没人来。现在我要求退货并赔偿我的损失。")
    scores = dict(zip(model.motives.motives_, model.motives.predict_proba([text])[0]))
    assert scores["compensation"] >= 0.6


def test_trained_estimator_beats_majority(small_model, labeled):
    test = labeled[labeled["holdout"] == "test"]
    pred = small_model.motives.predict(test["text"])
    truth = test["motive"].to_numpy()
    per_class_recall = [np.mean(pred[truth == m] == m) for m in ("venting", "none")]
    assert min(per_class_recall) > 0.4


def test_demand_patterns_match_as_the_grouped_form_does(negative_reviews):
    """The demand patterns are written one branch per lead (for speed); they must find what the
    plain grouped form finds, in the same order, on every real review."""
    import re

    from complaintmine.motives import _ALONE, _DEMANDS, _LEADS, _REMEDIES
    from complaintmine.normalization import normalize_many

    lead = "(?:" + "|".join(_LEADS) + ")"
    grouped = {m: re.compile("|".join([lead + rf"[^。!?;]{{0,12}}?(?:{_REMEDIES[m]})", *_ALONE[m]]))
               for m in _REMEDIES}
    texts = normalize_many(negative_reviews["text"]) + ["强烈要求退款", "要求你们经理道歉", "假一赔十，不加钱"]
    for motive, pattern in grouped.items():
        found = [pattern.findall(t) for t in texts]
        assert sum(map(bool, found)) > 100  # the corpus exercises the pattern (about 570 and 140 texts)
        assert [_DEMANDS[motive].findall(t) for t in texts] == found
