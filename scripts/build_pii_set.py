"""Build ``data/pii/pii_eval.csv.gz``: personal data planted in real complaint texts, to measure
how much of it ``normalize`` masks (``benchmarks/evaluate_pii.py``).

Every row is a real complaint from ``data/labeled/labeled.csv`` (reviews and narratives of
eight domains) with one piece of personal data written into it the way customers write it: a
lead-in phrase (我的电话是 / 联系方式: / 加我微信 / 车牌号 / 我叫 ...) or none, the value, and the
text before or after it. Values are drawn in real formats with valid check digits (mainland,
Hong Kong and Taiwan IDs), real mobile prefixes and area codes, surnames from the ~300 most
common plus compound ones. The labels come from the construction (the value and its offsets are
known), not from reading; nothing here uses the masker's patterns.

The ``dev`` and ``test`` splits use disjoint source texts and different random draws: the
masker is developed on ``dev``; ``test`` is for reporting. ``negative`` rows hold number-like
text that is not personal data (prices, dates, model numbers ...) and must survive.

    python scripts/build_pii_set.py
"""

from __future__ import annotations

import hashlib
import random
import string
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "pii" / "pii_eval.csv.gz"
PER_KIND = 320

MOBILE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "170", "171", "173", "175", "176", "177", "178", "180",
    "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "195", "198", "199",
]  # fmt: skip
AREA_CODES = ["010", "021", "022", "023", "020", "0755", "0571", "025", "027", "028", "029", "0531", "0532", "0731",
              "0371", "0591", "0592", "0871", "0451", "024", "0411", "0898"]
CN_DIGITS = ["零一二三四五六七八九", "〇一二三四五六七八九", "零幺二三四五六七八九", "洞幺两三四五六七八九"]
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
# the most common surnames (about 300) and compound ones
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝"
) + ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "尉迟", "长孙", "宇文", "司徒", "夏侯"]
# rarer surnames (about 4% of people carry a surname outside the 300 most common)
RARE_SURNAMES = list("亓禹扈邸逯鄢蹇訾妫郜郄郦阚隗蔺茹郗逄睢铁暴谌揭綦冼晁宓禄靖琚戈晋") + ["万俟", "钟离", "闻人"]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂兰华玲红梅鹏飞波斌宇浩凯健俊帆晨阳欣怡子涵雨轩博文"
             "思琪梓萱一诺佳琪宁建国志强海燕晓东春花秋菊冬梅振华")
EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com", "foxmail.com",
                 "139.com", "hotmail.com", "yeah.net", "aliyun.com", "sohu.com"]
CN_DOMAINS = ["例子.中国", "邮箱.中国", "公司.网络", "测试.公司", "qq.com", "163.com", "sina.cn"]

LEADS = {
    "mobile": ["我的电话是", "联系电话：", "手机号", "电话", "手机：", "打我电话", "我手机号码是", "联系方式", ""],
    "mobile_sep": ["我的电话是", "联系电话：", "手机号", "电话 ", "手机：", "联系方式：", ""],
    "mobile_cn": ["我的电话是", "手机号", "电话", "联系我", "打这个号", ""],
    "landline": ["座机", "电话：", "家里电话", "公司电话", "打了", "联系电话", ""],
    "id_cn": ["身份证号", "身份证：", "我的身份证号码是", "证件号", "身份证号码", ""],
    "id_hk": ["香港身份证", "身份证号", "证件号码：", "我的香港身份证是", ""],
    "id_mo": ["澳门身份证", "澳门居民身份证号", "证件号：", ""],
    "id_tw": ["台湾身份证", "身份证字号", "证件号：", "我的身份证号是", ""],
    "passport": ["护照号", "护照：", "港澳通行证", "通行证号码", "我的护照号码是", "回乡证", ""],
    "email_fullwidth": ["邮箱", "我的邮箱是", "电子邮件：", "发到", ""],
    "email_intl": ["邮箱", "我的邮箱是", "电子邮件：", "发到", ""],
    "wechat": ["微信", "微信号", "微信号：", "加我微信", "vx", "VX:", "wx ", "v信", "薇信", "加V", "我的微信是"],
    "qq": ["QQ", "qq号", "QQ：", "扣扣", "加我QQ", "q号", "企鹅号"],
    "plate": ["车牌号", "车牌", "我的车", "车牌号码是", "车号", ""],
    "name": ["我叫", "本人", "本人姓名：", "我是", "我的名字是", "姓名：", "联系人：", "本人叫", "我名叫"],
}


def _luhn_like_id(rng: random.Random) -> str:
    area = rng.choice(["110101", "310104", "440305", "330106", "510107", "420106", "320102", "610113", "500103",
                       "130102", "370202", "210202", "350203", "430104"])
    birth = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = area + birth + f"{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check


def _hk_id(rng: random.Random) -> str:
    letters = rng.choice(string.ascii_uppercase) if rng.random() < 0.85 else \
        rng.choice(string.ascii_uppercase) + rng.choice(string.ascii_uppercase)
    digits = "".join(rng.choice(string.digits) for _ in range(6))
    values = ([36] if len(letters) == 1 else []) + [ord(c) - 55 for c in letters] + [int(d) for d in digits]
    r = (11 - sum(v * w for v, w in zip(values, range(9, 1, -1))) % 11) % 11
    check = "A" if r == 10 else str(r)
    form = rng.random()
    return f"{letters}{digits}({check})" if form < 0.6 else f"{letters}{digits}（{check}）" if form < 0.75 \
        else f"{letters}{digits}{check}"


def _tw_id(rng: random.Random) -> str:
    codes = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36)))
    letter = rng.choice(list(codes))
    digits = [rng.choice("12")] + [rng.choice(string.digits) for _ in range(7)]
    n = codes[letter]
    total = n // 10 + (n % 10) * 9 + sum(int(d) * w for d, w in zip(digits, range(8, 0, -1)))
    return letter + "".join(digits) + str((10 - total % 10) % 10)


def _mo_id(rng: random.Random) -> str:
    first = rng.choice("1578")
    mid = "".join(rng.choice(string.digits) for _ in range(6))
    check = rng.choice(string.digits)
    return f"{first}{mid}({check})" if rng.random() < 0.6 else f"{first}/{mid}/{check}"


def _passport(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.35:
        return "E" + "".join(rng.choice(string.digits) for _ in range(8))
    if r < 0.5:
        return "E" + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + "".join(rng.choice(string.digits) for _ in range(7))
    if r < 0.65:
        return "G" + "".join(rng.choice(string.digits) for _ in range(8))
    return rng.choice("CHM") + "".join(rng.choice(string.digits) for _ in range(8))


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice(string.digits) for _ in range(8))


def _value(kind: str, rng: random.Random) -> str:
    if kind == "mobile":
        m = _mobile(rng)
        return rng.choice([m, m, m, "+86" + m, "+86 " + m, "86-" + m])
    if kind == "mobile_sep":
        m = _mobile(rng)
        sep = rng.choice([" ", "-", ".", " - "])
        groups = [m[:3], m[3:7], m[7:]]
        value = sep.join(groups) if rng.random() < 0.8 else f"{m[:3]}{sep}{m[3:]}"
        return rng.choice(["", "", "+86 ", "+86-", "(+86)"]) + value
    if kind == "mobile_cn":
        m = _mobile(rng)
        table = rng.choice(CN_DIGITS)
        cn = "".join(table[int(d)] for d in m)
        if rng.random() < 0.25:  # mixed: part in digits
            cut = rng.randint(3, 8)
            cn = m[:cut] + cn[cut:]
        return cn
    if kind == "landline":
        area = rng.choice(AREA_CODES)
        local = str(rng.randint(2, 8)) + "".join(rng.choice(string.digits) for _ in range(7 if len(area) == 3 else 6))
        r = rng.random()
        if r < 0.15:
            return "400" + rng.choice(["-", " ", ""]) + "".join(rng.choice(string.digits) for _ in range(3)) + \
                rng.choice(["-", " ", ""]) + "".join(rng.choice(string.digits) for _ in range(4))
        return f"({area}){local}" if r < 0.35 else f"{area}-{local}" if r < 0.8 else f"{area} {local}"
    if kind == "id_cn":
        return _luhn_like_id(rng)
    if kind == "id_hk":
        return _hk_id(rng)
    if kind == "id_mo":
        return _mo_id(rng)
    if kind == "id_tw":
        return _tw_id(rng)
    if kind == "passport":
        return _passport(rng)
    if kind in ("email_fullwidth", "email_intl"):
        user = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 8)))
        if rng.random() < 0.4:
            user += str(rng.randint(1, 9999))
        if kind == "email_fullwidth":
            plain = f"{user}@{rng.choice(EMAIL_DOMAINS)}"
            return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in plain)
        local = rng.choice([user, rng.choice(SURNAMES) + rng.choice(GIVEN), "用户" + str(rng.randint(1, 99))])
        return f"{local}@{rng.choice(CN_DOMAINS)}"
    if kind == "wechat":
        first = rng.choice(string.ascii_letters)
        rest = "".join(rng.choice(string.ascii_lowercase + string.digits + "_-") for _ in range(rng.randint(5, 14)))
        return first + rest
    if kind == "qq":
        return str(rng.randint(1, 9)) + "".join(rng.choice(string.digits) for _ in range(rng.randint(4, 10)))
    if kind == "plate":
        body_len = 6 if rng.random() < 0.3 else 5
        chars = [rng.choice(PLATE_LETTERS + string.digits * 3) for _ in range(body_len)]
        if sum(c.isdigit() for c in chars) < 3:
            chars[-3:] = [rng.choice(string.digits) for _ in range(3)]
        sep = rng.choice(["", "", "·", " "])
        return rng.choice(PROVINCES) + rng.choice(PLATE_LETTERS) + sep + "".join(chars)
    if kind == "name":
        surname = rng.choice(RARE_SURNAMES) if rng.random() < 0.05 else rng.choice(SURNAMES)
        return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))
    raise ValueError(kind)


NEGATIVES = [
    lambda r: f"{r.randint(19, 9999)}元",
    lambda r: f"{r.randint(2015, 2024)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    lambda r: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}", lambda r: f"iPhone {r.randint(6, 15)}",
    lambda r: f"RTX{r.choice([2060, 3060, 3070, 4090])}",
    lambda r: r.choice(["A6L", "X5", "Q5L", "H6", "CR-V", "Model 3"]),
    lambda r: f"{r.choice(['CA', 'MU', 'CZ', 'HU'])}{r.randint(1000, 9999)}", lambda r: f"{r.randint(101, 2899)}房间",
    lambda r: f"{r.randint(1, 99)}%", lambda r: f"v{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}",
    lambda r: f"{r.randint(10000, 99999)}人", lambda r: f"{r.randint(2008, 2024)}年{r.randint(1, 12)}月",
    lambda r: f"{r.randint(1, 30)}天", lambda r: f"{r.randint(100, 9999)}公里", lambda r: f"第{r.randint(2, 9)}次",
    # harder: number shapes near the masked ones
    lambda r: f"{r.randint(7, 10)}:00-{r.randint(17, 22)}:00", lambda r: f"{r.randint(1, 9)},{r.randint(100, 999)}元",
    lambda r: f"{r.randint(2015, 2024)}.{r.randint(1, 12):02d}.{r.randint(1, 28):02d}",
    lambda r: f"G{r.randint(1, 9999)}次列车", lambda r: f"型号{r.choice(['XR', 'SM', 'KD'])}-{r.randint(100, 9999)}",
    lambda r: f"第{r.randint(2019, 2024)}{r.randint(1, 999):03d}期",
    lambda r: f"{r.randint(1, 30)}号楼{r.randint(101, 2899)}室",
    lambda r: f"{r.randint(1, 9)}.{r.randint(1, 9)}折", lambda r: f"{r.randint(10, 99)}.{r.randint(10, 99)}万元",
    lambda r: f"{r.choice(['5G', '4G'])}套餐{r.randint(19, 399)}元",
    lambda r: f"{r.randint(1, 12)}月{r.randint(1, 28)}日{r.randint(1, 12)}点",
    lambda r: f"我是{r.choice(['老客户', '会员', '学生', '外地人', '第一次来'])}",
    lambda r: f"本人{r.choice(['于', '在', '从'])}{r.randint(2018, 2024)}年",
]  # fmt: skip


def _split_of(text: str) -> str:
    return "dev" if int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


def _place(context: str, piece: str, rng: random.Random) -> tuple[str, int]:
    """``context`` with ``piece`` at its start, its end or after a sentence; the piece's offset."""
    context = context.strip()
    r = rng.random()
    if r < 0.35:
        text = piece + "，" + context
        return text, 0
    if r < 0.7:
        text = context + "，" + piece + rng.choice(["", "。", "，谢谢", "，请尽快回复"])
        return text, len(context) + 1
    cut = next((i + 1 for i, ch in enumerate(context) if ch in "，。！？,.!" and i > 5), len(context))
    text = context[:cut] + piece + "。" + context[cut:]
    return text, cut


def main() -> None:
    labeled = pd.read_csv(ROOT / "data" / "labeled" / "labeled.csv", dtype=str, keep_default_na=False)
    labeled = labeled[labeled["text"].str.len().between(12, 200)]
    pools = {s: labeled[labeled["text"].map(_split_of) == s] for s in ("dev", "test")}
    rows = []
    for split, seed in (("dev", 1), ("test", 2)):
        rng = random.Random(seed)
        pool = pools[split].sample(frac=1, random_state=seed)
        contexts = list(zip(pool["text"], pool["domain"], pool["id"]))
        k = 0
        for kind, leads in LEADS.items():
            for _ in range(PER_KIND):
                text, domain, source = contexts[k % len(contexts)]
                k += 1
                value = _value(kind, rng)
                lead = rng.choice(leads)
                gap = rng.choice(["", "", " "]) if lead and not lead.endswith(("：", ":", " ")) else ""
                piece = lead + gap + value
                placed, at = _place(text, piece, rng)
                start = at + len(lead) + len(gap)
                assert placed[start:start + len(value)] == value
                rows.append({"split": split, "kind": kind, "text": placed, "value": value, "start": start,
                             "end": start + len(value), "context_source": f"{domain}:{source}"})
        for _ in range(PER_KIND):
            text, domain, source = contexts[k % len(contexts)]
            k += 1
            value = rng.choice(NEGATIVES)(rng)
            placed, at = _place(text, value, rng)
            rows.append({"split": split, "kind": "negative", "text": placed, "value": value, "start": at,
                         "end": at + len(value), "context_source": f"{domain}:{source}"})
    out = pd.DataFrame(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(OUT, index=False)
    print(f"wrote {len(out)} rows to {OUT.relative_to(ROOT)}")
    print(out.groupby(["kind", "split"]).size().unstack())


if __name__ == "__main__":
    main()
