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


@pytest.mark.parametrize("text, flags", [
    ("前台服务员坐着看报纸", []),                       # a newspaper is not the media threatened
    ("转发微博", []),
    ("投诉到酒店客房部也没人管", []),                     # the hotel's own desk is not a regulator
    ("请求教育局严查有偿补课", []),                       # the addressee of the message
    ("听当地公安机关说出过案件", []),                     # the police as a source of news
    ("已经向银保监会投诉", ["regulator"]),
    ("当场报警了", ["legal"]),
    ("再不退款就打12315", ["regulator"]),
])
def test_media_legal_regulator_are_the_record_cards_escalation_channels(text, flags):
    from complaintmine.normalization import normalize
    from complaintmine.record import read_record
    from complaintmine.risk import THREAT_FLAGS

    out = flag_risks([text])
    got = [f for f in ("media", "legal", "regulator") if out.loc[0, f]]
    assert got == flags
    # one owner: the flags are what the record card's channels mean, nothing else
    assert set(got) == {THREAT_FLAGS[c] for c in read_record(normalize(text)).threats}
    if flags:
        assert out.loc[0, "risk_evidence"]
