"""Text normalization: one canonical form for every complaint text.

``normalize`` turns whatever a ticketing system exported into clean simplified Chinese:
traditional characters become simplified (OpenCC's ``t2s`` tables), full-width forms
become half-width (Unicode NFKC), invisible and control characters go, whitespace is
collapsed, runs of punctuation are shortened but kept countable (``!!!!!!`` becomes
``!!!``, so emphasis stays detectable), and personal data is masked with placeholder
tokens (see ``PII_TOKENS``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["normalize", "normalize_many", "mask_pii", "to_simplified", "PII_TOKENS", "PII_PLACEHOLDER"]

#: Placeholder tokens that replace personal data, by kind.
PII_TOKENS = {
    "email": "<EMAIL>",
    "order": "<ORDER>",
    "id_number": "<IDNUM>",
    "bank_card": "<CARD>",
    "phone": "<PHONE>",
    "number": "<NUMBER>",
    "passport": "<PASSPORT>",
    "plate": "<PLATE>",
    "wechat": "<WECHAT>",
    "qq": "<QQ>",
    "name": "<NAME>",
}
#: any placeholder of ``PII_TOKENS`` (as one capturing group: ``PII_PLACEHOLDER.split`` keeps them)
PII_PLACEHOLDER = re.compile("(" + "|".join(map(re.escape, PII_TOKENS.values())) + ")")

_CJK = "\u4e00-\u9fff"
# ASCII local part, or a short Chinese one (张三@例子.中国); the domain may be Chinese too. Full-width
# forms (ｚｈａｎｇ＠ｑｑ．ｃｏｍ) are NFKC's job in ``normalize``, but ``--mask-input`` masks the raw text
_EMAIL = re.compile(
    rf"(?:[A-Za-z0-9._%+\-Ａ-Ｚａ-ｚ０-９．＿－]+|[{_CJK}]{{1,3}})[@＠][\w\-－]+(?:[.．][\w\-－]+)*[.．]"
    rf"(?:[A-Za-zＡ-Ｚａ-ｚ]{{2,}}|[{_CJK}]{{1,3}})"
)
# an order / waybill / ticket number after its keyword; the keyword is kept
_ORDER = re.compile(
    r"((?:订单|运单|快递单|物流单|工单|投诉单|单)(?:号码|编号|号)\s*(?:是|为)?\s*[:#]?\s*)"
    r"([A-Za-z0-9][A-Za-z0-9-]{5,})"
)
# 18-digit resident ID number with a plausible birth date
_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"(?![0-9A-Za-z])"
)
# Hong Kong (A123456(7), AB987654(3)), Macau (1234567(8), 1/234567/8) and Taiwan (A123456789) IDs;
# the Hong Kong and Taiwan forms are checked by their check digits below
_HK_ID = re.compile(r"(?<![0-9A-Za-z])([A-Z]{1,2})(\d{6})\s?[(]?([0-9A])[)]?(?![0-9A-Za-z])")
_MO_ID = re.compile(r"(?<![0-9A-Za-z/])[1578](?:\d{6}[(]\d[)]|/\d{6}/\d)(?![0-9A-Za-z/])")
_TW_ID = re.compile(r"(?<![0-9A-Za-z])[A-Z][1289]\d{8}(?![0-9A-Za-z])")
# passports (E12345678, EA1234567, G12345678) and travel permits (C12345678, H12345678, M12345678)
_PASSPORT = re.compile(r"(?<![0-9A-Za-z])(?:[EGDSPCHMKL]\d{8}|[EC][A-HJ-NP-Z]\d{7})(?![0-9A-Za-z])")
# licence plates: province, letter, five (six: new energy) letters or digits, at least two digits
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z]\s?[·•.\s-]?\s?"
    r"(?=(?:[A-HJ-NP-Z]*\d){2})[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳](?![A-Za-z0-9])"
)
# 16-19 digits, optionally grouped by spaces or dashes (checked with Luhn below)
_CARD = re.compile(r"(?<![\d-])\d{4}(?:[ -]?\d){12,15}(?![\d])")
# mobiles: 11 digits, a space, dot or dash allowed between any two (138.1234.5678, 138 1234 5678)
_MOBILE = re.compile(
    r"(?<![\d+.])(?:(?:\+|00)?86 ?[ .-]? ?|\(\+?86\)\s?)?1(?: ?[.-] ?|[ .-])?[3-9](?:(?: ?[.-] ?|[ .-])?\d){9}(?![\d])"
    r"(?!\.\d)"
)
# ... and in Chinese numerals, 幺 / 洞 for 1 / 0, mixed with digits (一三八一二三四五六七八): read as
# digits (the translation keeps every offset) and matched with _MOBILE
_CN_TO_DIGITS = str.maketrans("〇零洞一幺壹二贰两三叁四肆五伍六陆七柒八捌九玖", "00011122233445566778899")
_CN_NUMERAL = re.compile("[〇零洞一幺壹二贰两三叁四肆五伍六陆七柒八捌九玖]")
_LANDLINE = re.compile(
    r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ -]?[2-9]\d{6,7}(?:-\d{1,5})?(?!\d)"
    r"|(?<!\d)[48]00[ -]?\d{3}[ -]?\d{4}(?!\d)"
)
_LONG_NUMBER = re.compile(r"(?<!\d)\d{11,}(?!\d)")
# WeChat and QQ ids after their keyword (the keyword is kept)
_WECHAT = re.compile(
    r"((?:微信|weixin|wechat|v信|薇信|威信|(?<![A-Za-z])(?:vx|wx|v)(?![A-Za-z])"
    r"|(?<![A-Za-z])(?:vx|wx)(?=[A-Za-z][-_A-Za-z0-9]{5,19}(?![-_A-Za-z0-9])))\s*(?:号|id)?\s*(?:是|为)?\s*[:：]?\s*)"
    r"([A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])",
    re.IGNORECASE,
)
_QQ = re.compile(r"((?:(?<![A-Za-z])qq|扣扣|企鹅号?|(?<![A-Za-z])q号)\s*(?:号码?)?\s*(?:是|为)?\s*[:：]?\s*)"
                 r"([1-9]\d{4,10})(?!\d)", re.IGNORECASE)
# a personal name after 我叫 / 本人 / 我是 / 姓名 ... : a surname and one or two characters;
# after the vaguer leads (本人, 我是, 姓名) the name must end at punctuation or a typical next word
_SURNAMES = (
    "欧阳|司马|上官|诸葛|东方|皇甫|令狐|慕容|尉迟|长孙|宇文|司徒|夏侯|公孙|轩辕|端木|独孤|南宫|西门|百里|呼延|"
    "[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝]"
)
_NAME_END = r"(?=[,.;:!?、()\s。，；：！？“”《》\"']|$|身份证|电话|手机|联系|性别|男|女|今年|来自|住|于|在)"
_NAME_END_STRICT = r"(?=[,.;:!?、()\s。，；：！？“”《》\"']|$|身份证|电话|手机|联系)"
# a given name's characters: not particles or adverbs that follow 我是 / 本人 in a sentence (我是白买了)
_GIVEN = rf"(?:(?![了的吗呢吧啊么过着不没很太都也就还又才被把给让要想会能在是有]){'[' + _CJK + ']'})"
_NAME = re.compile(
    rf"((?:我叫|我名叫|我的名字(?:是|叫)|本人名叫)\s*)((?:{_SURNAMES}){_GIVEN}{{1,2}})"
    rf"|((?:姓名|联系人)\s*[:：]\s*)([{_CJK}]{{2,4}}?)(?=[^{_CJK}]|$|身份证|电话|手机|联系|性别)"
    rf"|((?:本人(?:姓名)?(?:是|叫)?|姓名\s*(?:是|为)?\s*[:：]?|联系人\s*[:：]?)\s*)"
    rf"((?:{_SURNAMES}){_GIVEN}{{1,2}}?){_NAME_END}"
    rf"|(我是\s*)((?:{_SURNAMES}){_GIVEN}{{1,2}}?){_NAME_END_STRICT}"
)
#: the words before names, WeChat and QQ ids
_LEADS = (r"我叫|我名叫|名字|本人|我是|姓名|联系人|微信|薇信|威信|v信|扣扣|企鹅|q号|qq|vx|wx|weixin|wechat"
          r"|(?<![A-Za-z])v(?![A-Za-z])")
#: a text with none of these, and none of \d{4}, @ or \d[ .-]\d, holds nothing to mask
_CN_MOBILE_HINT = re.compile(r"[1一幺壹][ .-]?[三叁四肆五伍六陆七柒八捌九玖]"
                             r"|\d\d[ .-]?\d?[〇零洞一幺壹二贰两三叁四肆五伍六陆七柒八捌九玖]")
_MORE_PII = re.compile(r"(?-i:[A-Z][·•. -]?[A-Z]?\d)|" + _CN_MOBILE_HINT.pattern + "|" + _LEADS,
                       re.IGNORECASE)
_MAYBE_PII = re.compile(r"\d{4}|[@＠]|\d[ .-]\d|" + _MORE_PII.pattern, re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_UPPER_DIGIT = re.compile(r"[A-Z][·•. -]?[A-Z]?\d")
#: the fewest digits that _ID, _MOBILE, _CARD, _LANDLINE or _LONG_NUMBER can match (a landline:
#: 0 and two digits, then seven); a text with fewer skips those patterns
_MIN_DIGITS = 10
#: what every match of those patterns holds: seven digits in a row, with at most a space, dot or
#: dash between two of them (the landline's last seven, the 400 number's 3 + 4, the mobile's
#: 3 + 4 ...); a text without it skips them too (they are slow: each starts with a lookbehind,
#: so re tries it at every position)
_DIGIT_RUN = re.compile(r"\d(?: ?[.-] ?|[ .-])?\d(?:(?: ?[.-] ?|[ .-])?\d){5}")

_WS = re.compile(r"\s+")
# a punctuation or symbol character repeated more than three times in a row
_PUNCT_RUN = re.compile(r"([!?。,.~、;:\-=*#…^_])\1{3,}")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_or_number(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if 16 <= len(digits) <= 19 and _luhn_ok(digits):
        return PII_TOKENS["bank_card"]
    if len(digits) >= 11:
        return PII_TOKENS["number"]
    return match.group(0)


_TW_LETTERS = {c: v for v, c in enumerate("ABCDEFGHJKLMNPQRSTUVXYWZIO", start=10)}


def _hk_id(match: re.Match[str]) -> str:
    """A Hong Kong ID: in brackets it is masked as it is, without them only with a valid check digit."""
    letters, digits, check = match.groups()
    values = ([36] if len(letters) == 1 else []) + [ord(c) - 55 for c in letters] + [int(d) for d in digits]
    r = (11 - sum(v * w for v, w in zip(values, range(9, 1, -1))) % 11) % 11
    if "(" in match.group(0) or check == ("A" if r == 10 else str(r)):
        return PII_TOKENS["id_number"]
    return match.group(0)


def _tw_id(match: re.Match[str]) -> str:
    """A Taiwan ID (a letter and nine digits) whose checksum holds."""
    s = match.group(0)
    n = _TW_LETTERS[s[0]]
    total = n // 10 + (n % 10) * 9 + sum(int(d) * w for d, w in zip(s[1:9], range(8, 0, -1))) + int(s[9])
    return PII_TOKENS["id_number"] if total % 10 == 0 else s


def _cn_mobiles(text: str) -> str:
    """Mask mobiles written at least partly in Chinese numerals (all digits: _MOBILE's job)."""
    digits = text.translate(_CN_TO_DIGITS)
    if len(_DIGIT.findall(digits)) < 11 or not _DIGIT_RUN.search(digits):
        return text
    spans = [m.span() for m in _MOBILE.finditer(digits) if not text[m.start():m.end()].isascii()]
    for start, end in reversed(spans):
        text = text[:start] + PII_TOKENS["phone"] + text[end:]
    return text


def _name(match: re.Match[str]) -> str:
    lead = next(g for g in match.groups()[::2] if g is not None)  # the lead of the alternative that matched
    return lead + PII_TOKENS["name"]


def mask_pii(text: str) -> str:
    """Replace personal data with placeholder tokens.

    Masked: mobile and landline phones (also written with dots, spaces or dashes, or in Chinese
    numerals), mainland / Hong Kong / Macau / Taiwan ID numbers, passports and travel permits,
    bank cards, e-mail addresses (also with Chinese names or domains), licence plates, WeChat and
    QQ ids after their keyword, personal names after 我叫 / 本人 / 我是 / 姓名, order numbers, and
    any other run of 11 or more digits.

    Parameters
    ----------
    text : str
        Text to mask; ASCII digits and letters are expected (``normalize`` applies NFKC first, so
        full-width forms are covered).

    Returns
    -------
    str
        The text with each piece of personal data replaced by a token from ``PII_TOKENS``; the
        keywords before order numbers, WeChat / QQ ids and names are kept.

    Examples
    --------
    >>> mask_pii("我的电话13812345678,订单号:E2023110100123")
    '我的电话<PHONE>,订单号:<ORDER>'
    >>> mask_pii("我叫张伟,车牌粤B·D12345,微信zhangwei_88")
    '我叫<NAME>,车牌<PLATE>,微信<WECHAT>'
    """
    return _mask(text) if _maybe_pii(text) else text


_NUMERIC_MAYBE = re.compile(r"\d{4}|[@＠]|\d[ .-]\d")
_LONE_V = re.compile(r"(?<![a-z])v(?![a-z])")


def _maybe_pii(text: str) -> bool:
    """``bool(_MAYBE_PII.search(text))``, faster: substring tests for the lead words."""
    if _NUMERIC_MAYBE.search(text) or _UPPER_DIGIT.search(text) or _CN_MOBILE_HINT.search(text):
        return True
    low = text.lower()
    return any(lead in low for lead in _ALL_LEADS) or ("v" in low and bool(_LONE_V.search(low)))


_NAME_LEADS = ("我叫", "我名叫", "名字", "本人", "我是", "姓名", "联系人")
_WECHAT_LEADS = ("微信", "薇信", "威信", "v信", "weixin", "wechat", "vx", "wx")
_QQ_LEADS = ("qq", "扣扣", "企鹅", "q号")
_ALL_LEADS = (*_NAME_LEADS, *_WECHAT_LEADS, *_QQ_LEADS)
_SIX_DIGITS = re.compile(r"\d{6}")


def _mask(text: str) -> str:
    """``mask_pii`` once ``_MAYBE_PII`` has matched; each group of patterns runs only when a cheap
    test (a lead word, a digit run ...) says that it can match."""
    if "@" in text or "＠" in text:
        text = _EMAIL.sub(PII_TOKENS["email"], text)
    if "单" in text:  # every order keyword ends in 单 + 号 / 号码 / 编号
        text = _ORDER.sub(lambda m: m.group(1) + PII_TOKENS["order"], text)
    low = text.lower()
    if any(lead in low for lead in _WECHAT_LEADS) or ("v" in low and _LONE_V.search(low)):
        text = _WECHAT.sub(lambda m: m.group(1) + PII_TOKENS["wechat"], text)
    if any(lead in low for lead in _QQ_LEADS):
        text = _QQ.sub(lambda m: m.group(1) + PII_TOKENS["qq"], text)
    if any(lead in text for lead in _NAME_LEADS):
        text = _NAME.sub(_name, text)
    if _CN_NUMERAL.search(text):
        text = _cn_mobiles(text)
    if ("/" in text or "(" in text) and _SIX_DIGITS.search(text):  # Macau IDs: 1234567(8), 1/234567/8
        text = _MO_ID.sub(PII_TOKENS["id_number"], text)
    if _UPPER_DIGIT.search(text):
        if _SIX_DIGITS.search(text):  # every ID and passport form holds six digits in a row
            text = _TW_ID.sub(_tw_id, text)
            text = _HK_ID.sub(_hk_id, text)
            text = _PASSPORT.sub(PII_TOKENS["passport"], text)
        text = _PLATE.sub(PII_TOKENS["plate"], text)
    if len(_DIGIT.findall(text)) < _MIN_DIGITS or not _DIGIT_RUN.search(text):  # the patterns below are slow
        return text
    if len(_DIGIT.findall(text)) < _MIN_DIGITS:
        return text
    text = _ID.sub(PII_TOKENS["id_number"], text)
    text = _MOBILE.sub(PII_TOKENS["phone"], text)
    text = _CARD.sub(_card_or_number, text)
    text = _LANDLINE.sub(PII_TOKENS["phone"], text)
    return _LONG_NUMBER.sub(PII_TOKENS["number"], text)


@lru_cache(maxsize=1)
def _converter() -> tuple[Any, frozenset[str]]:
    from opencc import OpenCC

    cc = OpenCC("t2s")
    # characters that t2s would change: texts without any of them are left alone,
    # which skips the (slow) converter for the vast majority of simplified texts
    import opencc as _pkg

    path = os.path.join(os.path.dirname(_pkg.__file__), "dictionary", "TSCharacters.txt")
    trad: set[str] = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, _, values = line.rstrip("\n").partition("\t")
            if key and values.split(" ")[0] != key:
                trad.add(key)
    return cc, frozenset(trad)


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Per code point: does t2s change it (as ``isdisjoint`` tests), is it a ``\\d`` digit."""
    _, trad = _converter()
    cps = [ord(c) for c in trad if len(c) == 1]
    changes = np.zeros(max(cps, default=0) + 1, dtype=bool)
    changes[cps] = True
    digits = np.zeros(0x110000, dtype=bool)
    every = np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    digits[[m.start() for m in re.finditer(r"\d", every)]] = True  # what re's \d matches in str
    return changes, digits


_LEAD_PAIRS = ("我叫", "名叫", "名字", "本人", "我是", "姓名", "联系", "微信", "薇信", "威信", "扣扣", "企鹅", "q号",
               "qq", "vx", "wx", "we")


@lru_cache(maxsize=1)
def _trigger_tables() -> tuple[np.ndarray, ...]:
    """Per code point: upper-case letter, ASCII digit, first and second character of a
    Chinese-numeral mobile, first character of a lead word; and the lead words' pair codes."""
    def table(chars: str) -> np.ndarray:
        t = np.zeros(0x110000, dtype=bool)
        t[[ord(c) for c in chars]] = True
        return t

    pairs = {p for lead in _LEAD_PAIRS for p in {lead, lead.upper(), lead.capitalize(), lead[0] + lead[1:].upper()}}
    codes = np.array(sorted(ord(p[0]) * 0x110000 + ord(p[1]) for p in pairs), dtype=np.int64)
    return (table("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), table("0123456789"), table("1一幺壹"),
            table("三叁四肆五伍六陆七柒八捌九玖"), table("〇零洞一幺壹二贰两三叁四肆五伍六陆七柒八捌九玖"),
            table({p[0] for p in pairs} | {"v", "V"}), codes)


def _more_pii_hits(cps: np.ndarray) -> np.ndarray:
    """Positions where ``_MORE_PII`` may match (a superset, vectorized: the regex scan of a batch
    costs more than the rest of normalization): an upper-case letter with a digit within three
    characters, a Chinese-numeral mobile's start, a lead word (or a lone v) for a name, WeChat or QQ id."""
    upper, digit, first, second, numeral, lead, codes = _trigger_tables()
    n = len(cps)
    hit = np.zeros(n, dtype=bool)
    pad = np.concatenate([cps, np.zeros(4, dtype=cps.dtype)])
    d = digit[pad]
    hit |= upper[cps] & (d[1:n + 1] | d[2:n + 2] | d[3:n + 3])
    s2 = second[pad]
    hit |= first[cps] & (s2[1:n + 1] | s2[2:n + 2])
    c = numeral[pad]
    hit |= digit[cps] & d[1:n + 1] & (c[2:n + 2] | c[3:n + 3] | c[4:n + 4])
    at = np.flatnonzero(lead[cps])
    if len(at):
        pair = cps[at] * 0x110000 + pad[at + 1]
        lone_v = ((cps[at] == ord("v")) | (cps[at] == ord("V")))
        hit[at[np.isin(pair, codes) | lone_v]] = True
    return hit


def to_simplified(text: str) -> str:
    """Convert traditional Chinese to simplified (OpenCC ``t2s``).

    Examples
    --------
    >>> to_simplified("商場客戶投訴")
    '商场客户投诉'
    """
    cc, trad = _converter()
    if trad.isdisjoint(text):
        return text
    return cc.convert(text)


def _drop_invisible(text: str) -> str:
    # control, format (zero-width, bidi marks, BOM) and surrogate code points;
    # tabs and newlines become spaces later
    if text.isprintable():
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            if ch in "\t\n\r\x0b\x0c":
                out.append(" ")
            continue
        out.append(ch)
    return "".join(out)


def normalize(text: Any, *, to_simplified: bool = True, mask_pii: bool = True) -> str:
    """Return the canonical form of one complaint text.

    Parameters
    ----------
    text : Any
        The raw text. Empty, NaN, None and non-string values give ``""``.
    to_simplified : bool, default True
        Convert traditional characters to simplified.
    mask_pii : bool, default True
        Replace phone, ID, bank-card, e-mail and order numbers by placeholder tokens.

    Returns
    -------
    str
        Normalized text; never raises.

    Examples
    --------
    >>> normalize("　服務態度太差！！！！！！聯系電話：１３８１２３４５６７８")
    '服务态度太差!!!联系电话:<PHONE>'
    """
    if not isinstance(text, str):
        return ""
    if not text:
        return ""
    text = _nfkc(_drop_invisible(text))
    if to_simplified:
        text = globals()["to_simplified"](text)
    if mask_pii:
        text = globals()["mask_pii"](text)
    if " " in text or not text.isprintable():  # else there is no whitespace to collapse or strip
        text = _WS.sub(" ", text).strip()
    return _PUNCT_RUN.sub(r"\1\1\1", text) if _PUNCT_RUN.search(text) else text


# The full-width forms that make most Chinese texts fail NFKC's quick check, and their
# compatibility decompositions. Replacing a character by its full decomposition (NFKD) does
# not change a string's NFKC form, and what is left is then mostly NFKC already, which
# ``unicodedata.normalize`` recognises quickly and returns as it is.
_FULL_WIDTH = tuple((c, unicodedata.normalize("NFKD", c)) for c in "，！？：…）（；～．\u3000")


def _nfkc(text: str) -> str:
    for ch, plain in _FULL_WIDTH:
        if ch in text:
            text = text.replace(ch, plain)
    return unicodedata.normalize("NFKC", text)


_SEP = "\x00"  # joins the texts of a batch: _drop_invisible removes it from every text
_BATCH = 512


def normalize_many(texts: Any, *, to_simplified: bool = True, mask_pii: bool = True) -> list[str]:
    """``[normalize(t, ...) for t in texts]``, faster for many texts.

    The texts of a batch are joined by a NUL character (which normalization removes from
    every text and which no step matches across) and each step runs once over the batch:
    NFKC and the collapsing of whitespace and punctuation runs on the joined text, the
    traditional-character and personal-data checks as one search whose hits name the few
    texts that need conversion or masking.
    """
    texts = list(texts)
    out: list[str] = []
    for begin in range(0, len(texts), _BATCH):
        out.extend(_normalize_batch(texts[begin:begin + _BATCH], to_simplified, mask_pii))
    return out


def _normalize_batch(texts: list[Any], simplify: bool, mask: bool) -> list[str]:
    cleaned = [_drop_invisible(t) if isinstance(t, str) else "" for t in texts]
    joined = _SEP.join(cleaned)
    for ch, plain in _FULL_WIDTH:
        if ch in joined:
            joined = joined.replace(ch, plain)
    if not unicodedata.is_normalized("NFKC", joined):
        joined = _SEP.join([unicodedata.normalize("NFKC", t) for t in joined.split(_SEP)])
    if simplify or mask:
        changes, digits = _tables()
        if simplify:  # convert the texts that hold a character t2s changes
            cps = _code_points(joined)
            joined = _fix_texts(joined, cps, changes[np.minimum(cps, len(changes) - 1)] & (cps < len(changes)),
                                globals()["to_simplified"])
        if mask:  # mask the texts in which _MAYBE_PII (\d{4} | @ | \d[ .-]\d | _MORE_PII) matches
            cps = _code_points(joined)
            d = digits[cps]
            hit = cps == ord("@")
            hit[:-3] |= d[:-3] & d[1:-2] & d[2:-1] & d[3:]
            mid = cps[1:-1]
            hit[:-2] |= d[:-2] & ((mid == ord(" ")) | (mid == ord("-")) | (mid == ord("."))) & d[2:]
            hit |= _more_pii_hits(cps)
            joined = _fix_texts(joined, cps, hit, globals()["mask_pii"])  # it checks _MAYBE_PII itself
    if " " in joined or not joined.replace(_SEP, "").isprintable():
        # collapse and strip whitespace as _WS and strip() do (str.split's whitespace is re's \s),
        # then drop the single spaces left beside the separators
        joined = " ".join(joined.split()).replace(" " + _SEP, _SEP).replace(_SEP + " ", _SEP)
    if _PUNCT_RUN.search(joined):
        joined = _PUNCT_RUN.sub(r"\1\1\1", joined)
    out = joined.split(_SEP)
    return [o if isinstance(t, str) and t else "" for o, t in zip(out, texts)]


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)


def _fix_texts(joined: str, cps: np.ndarray, hit: np.ndarray, fix: Any) -> str:
    """Apply ``fix`` to each text of ``joined`` that has a hit at one of its positions."""
    pos = np.flatnonzero(hit)
    if not len(pos):
        return joined
    parts = joined.split(_SEP)
    starts = np.zeros(len(parts), dtype=np.int64)
    np.cumsum([len(p) + 1 for p in parts[:-1]], out=starts[1:])
    for i in np.unique(np.searchsorted(starts, pos, side="right") - 1).tolist():
        parts[i] = fix(parts[i])
    return _SEP.join(parts)
