import pytest

from complaintmine import flag_risks
from complaintmine.risk import risk_level


@pytest.mark.parametrize(
    "text, flag",
    [
        ("再不处理我就找媒体曝光你们", "media"),
        ("我已经请了律师，准备起诉", "legal"),
        ("我要打12315投诉到市场监管局", "regulator"),
        ("外卖里吃出一只虫子，吃完拉肚子", "safety"),
        ("这已经是第三次了，问题一直没解决", "repeat"),
    ],
)
def test_each_flag(text, flag):
    out = flag_risks([text])
    assert bool(out.loc[0, flag])
    assert flag in out.loc[0, "risk_flags"].split(";")
    assert out.loc[0, "risk_level"] == ("medium" if flag == "repeat" else "high")
    assert out.loc[0, "risk_evidence"]


def test_safety_from_cause_and_levels():
    out = flag_risks(["房间里有股怪味", "送餐慢"], causes=["safety_health", "delivery"], venting=[0.1, 0.95])
    assert out["safety"].tolist() == [True, False]
    assert out["risk_level"].tolist() == ["high", "medium"]
    assert flag_risks(["菜有点咸"])["risk_level"].tolist() == ["low"]


def test_risk_level_rule():
    assert risk_level([]) == "low"
    assert risk_level(["repeat"]) == "medium"
    assert risk_level(["legal", "repeat"]) == "high"
    assert risk_level([], venting=0.8) == "medium"
