"""Escalation-risk flags (TAXONOMY.md): media, legal, regulator, safety, repeat, and a risk level."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .features import Prepared, prepare
from .lexicon import Lexicon, default_lexicon
from .record import read_record
from .taxonomy import RISK_FLAGS

__all__ = ["flag_risks", "risk_level", "risk_flag_bits", "flags_of_bits", "STRONG_VENTING", "THREAT_FLAGS"]

#: the risk flag each escalation channel of the record card raises (``record.THREATS``): the
#: record card owns reading threats from the text, this module what they mean for the risk
THREAT_FLAGS = {"media": "media", "consumer": "regulator", "regulator": "regulator", "lawyer": "legal",
                "court": "legal", "police": "legal"}
#: the flags read from the lexicon's cue groups (safety also from a safety_health cause; repeat:
#: a problem that keeps coming back or complaints repeated, 又坏了 / 多次 / 一直没解决)
_LEXICON_FLAGS = ("safety", "repeat")

#: venting score from which a complaint counts as "strongly venting" (risk level medium)
STRONG_VENTING = 0.8


def risk_level(flags: list[str], venting: float = 0.0) -> str:
    """``high`` if media, legal, regulator or safety is flagged; ``medium`` if only repeat is
    flagged or the venting score is at least ``STRONG_VENTING``; otherwise ``low``.

    Examples
    --------
    >>> risk_level(["repeat"]), risk_level(["media", "repeat"]), risk_level([], venting=0.9)
    ('medium', 'high', 'medium')
    """
    if any(f in ("media", "legal", "regulator", "safety") for f in flags):
        return "high"
    if "repeat" in flags or venting >= STRONG_VENTING:
        return "medium"
    return "low"


def risk_flag_bits(prepared: Prepared, lexicon: Lexicon, causes: list[list[str]] | None = None,
                   threats: Sequence[Sequence[str]] | None = None) -> np.ndarray:
    """The escalation flags of each text as bits (bit ``j`` = ``RISK_FLAGS[j]``).

    ``media``, ``legal`` and ``regulator`` come from the escalation channels the record card
    reads (``threats``: each text's ``Record.threats``; read from the text when not given),
    mapped by ``THREAT_FLAGS``; ``safety`` and ``repeat`` are set when a cue of their lexicon
    group occurs, and a ``safety_health`` cause sets ``safety``.

    The one place that decides the flags (``flags_of_bits`` names them, ``risk_level`` grades them).
    """
    counts = prepared.cue_counts(lexicon)
    columns = {c: i for i, c in enumerate(lexicon.columns)}
    bits = np.zeros(len(prepared), dtype=np.int64)
    for j, f in enumerate(RISK_FLAGS):
        if f in _LEXICON_FLAGS and f"risks:{f}" in columns:
            bits |= (counts[:, columns[f"risks:{f}"]] > 0).astype(np.int64) << j
    if threats is None:
        threats = [read_record(norm).threats for norm in prepared.norm]
    channel_bits = {code: 1 << RISK_FLAGS.index(flag) for code, flag in THREAT_FLAGS.items()}
    bits |= np.array([sum({channel_bits[c] for c in row}) for row in threats], dtype=np.int64).reshape(-1)
    if causes is not None:
        safety = 1 << RISK_FLAGS.index("safety")
        bits |= np.array(["safety_health" in c for c in causes], dtype=np.int64) * safety
    return bits


def flags_of_bits(bits: int) -> list[str]:
    """The flag names of ``risk_flag_bits``' value for one text, in ``RISK_FLAGS`` order."""
    return [f for j, f in enumerate(RISK_FLAGS) if bits >> j & 1]


def risk_terms(cues: Sequence[Any], threat_phrases: Sequence[str]) -> list[str]:
    """The phrases behind a text's risk flags: its lexicon cues of the safety and repeat groups
    (``Prepared.cues``) and the record card's threat phrases, each once."""
    groups = {f"risks:{f}" for f in _LEXICON_FLAGS}
    return list(dict.fromkeys([c.term for c in cues if groups & set(c.groups)] + list(threat_phrases)))


def _flags(
    prepared: Prepared, lexicon: Lexicon, causes: list[list[str]] | None
) -> tuple[list[list[str]], list[list[str]]]:
    records = [read_record(norm) for norm in prepared.norm]
    bits_all = risk_flag_bits(prepared, lexicon, causes, threats=[r.threats for r in records])
    flags, evidence = [], []
    for text, bits, rec in zip(prepared.norm, bits_all.tolist(), records):
        row = flags_of_bits(bits)
        flags.append(row)
        evidence.append(risk_terms(lexicon.find(text), rec.threat_phrases) if row else [])
    return flags, evidence


def flag_risks(texts: Any, *, causes: Any = None, venting: Any = None,
               lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Flag escalation risks from explicit mentions, one row per text.

    Parameters
    ----------
    texts : iterable of str or Prepared
    causes : iterable, optional
        Cause codes of each text (``"safety_health;..."`` or lists); a ``safety_health``
        cause sets the safety flag.
    venting : array-like of float, optional
        Venting scores (``MotiveEstimator``); from ``STRONG_VENTING`` on, the level is at
        least ``medium``.
    lexicon : Lexicon, optional

    Returns
    -------
    pandas.DataFrame
        Boolean columns ``media, legal, regulator, safety, repeat``, plus ``risk_flags``
        (``;``-joined), ``risk_level`` (low / medium / high) and ``risk_evidence``.

    Examples
    --------
    >>> flag_risks(["再不解决我就投诉到12315，还要找媒体曝光"])[["regulator", "media", "risk_level"]]
       regulator  media risk_level
    0       True   True       high
    """
    from .taxonomy import parse_codes

    prepared = prepare(texts)
    lex = lexicon or default_lexicon()
    cause_lists = [parse_codes(c) for c in causes] if causes is not None else None
    flags, evidence = _flags(prepared, lex, cause_lists)
    vent = np.zeros(len(prepared)) if venting is None else np.asarray(venting, dtype=float)
    frame = pd.DataFrame({f: [f in row for row in flags] for f in RISK_FLAGS})
    frame["risk_flags"] = [";".join(row) for row in flags]
    frame["risk_level"] = [risk_level(row, v) for row, v in zip(flags, vent)]
    frame["risk_evidence"] = [", ".join(e) for e in evidence]
    return frame
