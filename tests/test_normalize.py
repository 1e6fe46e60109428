import importlib
import math
import re

import pytest

from complaintmine import normalize
from complaintmine.datasets import load_seed_cases
from complaintmine.normalization import PII_TOKENS, mask_pii, normalize_many, to_simplified


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit to a card number prefix."""
    digits = [int(d) for d in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return prefix + str((10 - total % 10) % 10)


def test_traditional_seed_title_becomes_simplified():
    seed = load_seed_cases()
    first = seed[seed["source_file"].str.startswith("000")]["text"].iloc[0]
    assert "顧客" in first or "導購" in first  # the source really is traditional Chinese
    out = normalize(first)
    assert "顾客" in out or "导购" in out
    assert to_simplified("商場客戶投訴") == "商场客户投诉"


def test_full_width_becomes_half_width():
    assert normalize("ＡＢＣ１２３，好！") == "ABC123,好!"


def test_emphasis_is_shortened_but_countable():
    out = normalize("太差了！！！！！！！再也不来了？？？？")
    assert "!!!" in out and "!!!!" not in out
    assert "???" in out and "????" not in out
    assert normalize("好！") == "好!"


def test_whitespace_and_invisible_characters():
    assert normalize("  送餐\u200b慢 \n\t 太慢\u202e了\x00 ") == "送餐慢 太慢了"


@pytest.mark.parametrize("value", [None, float("nan"), "", 12, 3.5, b"bytes", ["list"]])
def test_non_text_gives_empty_string(value):
    assert normalize(value) == ""


@pytest.mark.parametrize(
    "raw, token",
    [
        ("我电话13812345678你打", "<PHONE>"),
        ("我电话 138 1234 5678 你打", "<PHONE>"),
        ("我电话138-1234-5678你打", "<PHONE>"),
        ("我电话+86 13812345678你打", "<PHONE>"),
        ("座机010-87654321找我", "<PHONE>"),
        ("座机(0755)83456789找我", "<PHONE>"),
        ("客服400-820-8820没人接", "<PHONE>"),
        ("身份证号11010519900307123X已提供", "<IDNUM>"),
        ("身份证110105199003071234已提供", "<IDNUM>"),
        ("邮箱zhang.san@example.com回复", "<EMAIL>"),
        ("订单号:E2023110100123没发货", "<ORDER>"),
        ("运单号 SF1234567890123 查不到", "<ORDER>"),
    ],
)
def test_pii_patterns_are_masked(raw, token):
    out = normalize(raw)
    assert token in out
    assert not re.search(r"\d{7,}", out), out


def test_bank_cards_are_masked_when_luhn_valid():
    card16 = luhn_complete("622202123456789")
    card19 = luhn_complete("622848001234567891")
    grouped = " ".join(card16[i:i + 4] for i in range(0, 16, 4))
    for raw in (card16, card19, grouped):
        assert PII_TOKENS["bank_card"] in mask_pii(f"卡号{raw}扣了钱"), raw


def test_other_long_numbers_are_masked_too():
    assert "<NUMBER>" in mask_pii("流水号123456789012345扣款")


def test_ordinary_numbers_are_left_alone():
    text = "等了2个小时，花了128元，2023-11-01下的单，第3次了"
    assert normalize(text) == text.replace("，", ",")


def test_masking_can_be_switched_off():
    assert "13812345678" in normalize("电话13812345678", mask_pii=False)


def test_real_texts_normalize_without_leaking_long_numbers(real_texts):
    for text in real_texts:
        out = normalize(text)
        assert isinstance(out, str)
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", out)


def test_nan_is_not_the_string_nan():
    assert normalize(math.nan) == ""


def _mask_every_pattern(text):
    """mask_pii without its shortcuts: every pattern runs on every text."""
    nm = importlib.import_module("complaintmine.normalization")
    text = nm._EMAIL.sub(PII_TOKENS["email"], text)
    text = nm._ORDER.sub(lambda m: m.group(1) + PII_TOKENS["order"], text)
    text = nm._WECHAT.sub(lambda m: m.group(1) + PII_TOKENS["wechat"], text)
    text = nm._QQ.sub(lambda m: m.group(1) + PII_TOKENS["qq"], text)
    text = nm._NAME.sub(nm._name, text)
    text = nm._cn_mobiles(text)
    text = nm._MO_ID.sub(PII_TOKENS["id_number"], text)
    text = nm._TW_ID.sub(nm._tw_id, text)
    text = nm._HK_ID.sub(nm._hk_id, text)
    text = nm._PASSPORT.sub(PII_TOKENS["passport"], text)
    text = nm._PLATE.sub(PII_TOKENS["plate"], text)
    text = nm._ID.sub(PII_TOKENS["id_number"], text)
    text = nm._MOBILE.sub(PII_TOKENS["phone"], text)
    text = nm._CARD.sub(nm._card_or_number, text)
    text = nm._LANDLINE.sub(PII_TOKENS["phone"], text)
    return nm._LONG_NUMBER.sub(PII_TOKENS["number"], text)


def test_mask_shortcuts_skip_nothing(negative_reviews):
    # the shortest number each pattern masks: a 10-digit landline / 400 number is the
    # fewest digits, which is where the digit-count shortcut starts
    shortest = ["座机0102345678找我", "座机010 2345678", "热线4001234567", "热线400 123 4567", "(010)2345678",
                "电话13812345678", "号123456789012", "卡" + luhn_complete("622202123456789"), "单号:AB1234",
                "a@b.cn", "电话138 1234 5678", "电话+86-138-1234-5678", "(0755) 23456789-12", "电话138.1234.5678",
                "一三八一二三四五六七八", "京A12D45", "E12345678", "A123456(3)", "A123456789", "1234567(8)",
                "我叫张伟", "本人王芳,", "我是李娜。", "微信abc123", "加v abc123", "qq 12345", "单号 12345"]
    assert all(mask_pii(t) != t for t in shortest[:-1])
    with_digits = [t for t in negative_reviews["text"] if re.search(r"\d", t)]
    assert len(with_digits) > 1000
    for text in [*shortest, *with_digits, *(t.replace("号", "单号") for t in with_digits[:500])]:
        norm = normalize(text, mask_pii=False)
        assert mask_pii(norm) == _mask_every_pattern(norm), norm


def test_fast_pii_gates_agree_with_the_reference_pattern(negative_reviews):
    """``_maybe_pii`` (substring tests) decides as ``_MAYBE_PII`` does, and the vectorized batch
    trigger ``_more_pii_hits`` finds every text ``_MORE_PII`` matches in (it may find more)."""
    nm = importlib.import_module("complaintmine.normalization")
    extra = ["我叫张伟", "我名叫李雷", "加v abc123", "VX:abc123", "QQ 12345", "扣扣12345", "一三八一二三四五六七八",
             "粤B·D12345", "E12345678", "联系人:王芳", "152二九三九四八六七九", "vxabc12345",
             "8/048258/0", "微信号 abc_123", "WeChat: zhang123", "vip会员", "MP3"]
    texts = [normalize(t, mask_pii=False) for t in [*negative_reviews["text"], *extra]]
    for text in texts:
        assert nm._maybe_pii(text) == bool(nm._MAYBE_PII.search(text)), text
        if nm._MORE_PII.search(text):
            assert nm._more_pii_hits(nm._code_points(text)).any(), text
    assert normalize_many(extra) == [normalize(t) for t in extra]
