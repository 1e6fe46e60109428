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
}
#: any placeholder of ``PII_TOKENS`` (as one capturing group: ``PII_PLACEHOLDER.split`` keeps them)
PII_PLACEHOLDER = re.compile("(" + "|".join(map(re.escape, PII_TOKENS.values())) + ")")

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
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
# 16-19 digits, optionally grouped by spaces or dashes (checked with Luhn below)
_CARD = re.compile(r"(?<![\d-])\d{4}(?:[ -]?\d){12,15}(?![\d])")
_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
_LANDLINE = re.compile(
    r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ -]?[2-9]\d{6,7}(?:-\d{1,5})?(?!\d)"
    r"|(?<!\d)[48]00[ -]?\d{3}[ -]?\d{4}(?!\d)"
)
_LONG_NUMBER = re.compile(r"(?<!\d)\d{11,}(?!\d)")
_MAYBE_PII = re.compile(r"\d{4}|@|\d[ -]\d")
_DIGIT = re.compile(r"\d")
#: the fewest digits that _ID, _MOBILE, _CARD, _LANDLINE or _LONG_NUMBER can match (a landline:
#: 0 and two digits, then seven); a text with fewer skips those patterns
_MIN_DIGITS = 10
#: what every match of those patterns holds: seven digits in a row, with at most a space or a dash
#: between two of them (the landline's last seven, the 400 number's 3 + 4, the mobile's 3 + 4 ...);
#: a text without it skips them too (they are slow: each starts with a lookbehind, so re tries it
#: at every position)
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){6}")

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


def mask_pii(text: str) -> str:
    """Replace phone, ID, bank-card, e-mail and order numbers with placeholder tokens.

    Parameters
    ----------
    text : str
        Text to mask; ASCII digits are expected (``normalize`` applies NFKC first).

    Returns
    -------
    str
        The text with each piece of personal data replaced by a token from
        ``PII_TOKENS``; order-number keywords (订单号 ...) are kept before the token.

    Examples
    --------
    >>> mask_pii("我的电话13812345678,订单号:E2023110100123")
    '我的电话<PHONE>,订单号:<ORDER>'
    """
    if not _MAYBE_PII.search(text):
        return text
    if "@" in text:
        text = _EMAIL.sub(PII_TOKENS["email"], text)
    if "单" in text:  # every order keyword ends in 单 + 号 / 号码 / 编号
        text = _ORDER.sub(lambda m: m.group(1) + PII_TOKENS["order"], text)
    if len(_DIGIT.findall(text)) < _MIN_DIGITS or not _DIGIT_RUN.search(text):  # the patterns below are slow
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
        if mask:  # mask the texts in which _MAYBE_PII (\d{4} | @ | \d[ -]\d) matches
            cps = _code_points(joined)
            d = digits[cps]
            hit = cps == ord("@")
            hit[:-3] |= d[:-3] & d[1:-2] & d[2:-1] & d[3:]
            hit[:-2] |= d[:-2] & ((cps[1:-1] == ord(" ")) | (cps[1:-1] == ord("-"))) & d[2:]
            joined = _fix_texts(joined, cps, hit, globals()["mask_pii"])
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
