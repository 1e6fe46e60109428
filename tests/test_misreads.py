"""Misreads found by trying complaintmine on real complaints, each kept fixed on a real text.

The texts are real reviews from ``data/reviews`` (not in the labelled set unless said) and
labelled complaint narratives from ``data/labeled``; the bundled default model is used, as a
user would.
"""

from __future__ import annotations

import pandas as pd
import pytest

import complaintmine as cm
from complaintmine.datasets import load_labeled, load_reviews


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    reviews = load_reviews()
    labeled = load_labeled()
    both = pd.concat([reviews[["id", "text"]], labeled[["id", "text"]]]).drop_duplicates("id")
    return dict(zip(both["id"], both["text"]))


def analyze(*texts: str) -> pd.DataFrame:
    return cm.analyze(pd.DataFrame({"text": list(texts)}), text_col="text")


def test_hair_is_no_safety_cue_outside_food(texts):
    # shampoo reviews: 头发 is what the product is for
    out = analyze(texts["os-31060"], texts["os-31104"], texts["os-31125"])
    assert (out["cause"] != "safety_health").all(), out[["cause", "evidence"]]
    assert (out["risk_level"] != "high").all()
    # hair on a hotel bedsheet is about cleanliness, not a safety hazard
    out = analyze(texts["ht-06945"])
    assert out["cause"].iat[0] == "facilities_environment"
    assert "safety" not in out["risk_flags"].iat[0]
    # ... while hair in the food still is
    food = [t for t in load_labeled().query("domain == 'food_delivery' and cause == 'safety_health'")["text"]
            if any(s in t for s in ("吃出一根头发", "饭里有头发", "吃出了头发"))]
    assert food and (analyze(*food)["risk_level"] == "high").all()


@pytest.mark.parametrize("key", ["hd-02600", "hd-03970", "hd-01281", "os-09022"])
def test_signal_and_network_problems_are_network_system(texts, key):
    assert analyze(texts[key])["cause"].iat[0] == "network_system"


def test_queues_are_process_policy_not_delivery(texts):
    # a hotel check-in queue (not in the labelled set)
    out = analyze(texts["os-58509"], texts["os-59993"])
    assert (out["cause"] != "delivery").all()
    assert "process_policy" in ";".join(out["causes"])


def test_vip_in_a_product_name_is_no_status_claim(texts):
    # "搜狐视频VIP大片", "vip特权" name a product, they do not claim status
    out = analyze(texts["os-12819"], texts["os-13183"])
    assert (out["motive"] != "respect").all(), out[["motive", "evidence"]]


def test_regular_customer_asking_for_money_back_is_compensation(texts):
    # "我是兴业多年老客户 ... 要求退还年费。还坑老客户"
    assert analyze(texts["fin-03120"])["motive"].iat[0] == "compensation"


def test_a_bare_verdict_has_no_cause_and_low_risk(texts):
    out = analyze(texts["os-08939"], texts["os-13562"])  # "差评！！！！！！！！", "差评！！！"
    assert (out["cause"] == "other").all()
    assert (out["risk_level"] == "low").all()
    assert out["evidence"].str.contains("only a verdict").all()


def test_you_must_find_out_is_a_demand_for_an_explanation(texts):
    # "希望查清楚给我解释", "请求政府查清事实给村民一个交代": respect, not venting
    out = analyze(texts["fin-06189"], "2005年到现在大明村多次征地，由于历任现任村干部长期不作为，新官不理旧帐，"
                                      "至使村民（外嫁女）的征地征收补偿款一分钱都没拿到。信访了也不给解决问题。"
                                      "请求政府查清事实给村民一个交代。")
    assert (out["motive"] != "venting").all()
    assert (out["motive"] == "respect").any()


def test_the_stated_demand_decides_the_motive_and_a_bare_report_has_none(texts):
    # "我的诉求是…" / "要求…退还": what the customer asks for is their motive
    demands = ["fin-00078", "fin-00758", "fin-03935"]
    assert (analyze(*(texts[k] for k in demands))["motive"] == "compensation").all()
    # car owners' one-line reports of a defect ask for nothing
    bare = ["car-00006", "car-00011", "car-00012", "car-00085"]
    assert (analyze(*(texts[k] for k in bare))["motive"] == "none").all()
