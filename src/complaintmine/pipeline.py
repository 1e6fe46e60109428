"""``analyze``: cause, motive and escalation risk for every complaint, with evidence."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from .features import Prepared, prepare, unusable_reason
from .io import resolve_text_column
from .model import ComplaintModel, as_model
from .record import read_record, records_frame
from .risk import STRONG_VENTING, flags_of_bits, risk_flag_bits, risk_level, risk_terms
from .schema import OUTPUT_COLUMNS, join_result, result_frame

__all__ = ["analyze", "analyze_texts", "OUTPUT_COLUMNS"]


def _top_terms(model: ComplaintModel, prepared: Prepared, pred_idx: np.ndarray, k: int = 2) -> list[list[str]]:
    """Up to ``k`` word tokens that pushed each row towards its predicted cause (vectorized)."""
    clf = model.causes
    if clf is None or clf.mode != "model":
        return [[] for _ in range(len(prepared))]
    vec = clf.vectorizer_
    X = prepared.features(vec)
    vocab = vec.word_.vocabulary
    # readable evidence: single words of two or more characters (no bigrams, no particles)
    readable = _readable_words(vocab)
    coef = clf.primary_.coef
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    is_word = X.indices < len(vocab)
    rows, cols, vals = rows[is_word], X.indices[is_word], X.data[is_word]
    contrib = vals * coef[pred_idx[rows], cols]
    keep = (contrib > 0) & readable[cols]
    rows, cols, contrib = rows[keep], cols[keep], contrib[keep]
    order = np.lexsort((-contrib, rows))
    rows, cols = rows[order], cols[order]
    # rank of each term within its row (rows are sorted): keep the first k
    first = np.searchsorted(rows, rows, side="left")
    top = np.arange(len(rows)) - first < k
    out: list[list[str]] = [[] for _ in range(len(prepared))]
    for r, c in zip(rows[top].tolist(), cols[top].tolist()):
        out[r].append(vocab[c])
    return out


_READABLE: dict[int, tuple[list[str], np.ndarray]] = {}


def _readable_words(vocab: list[str]) -> np.ndarray:
    hit = _READABLE.get(id(vocab))
    if hit is None or hit[0] is not vocab:
        hit = _READABLE[id(vocab)] = (vocab, np.array([" " not in t and len(t) >= 2 for t in vocab], dtype=bool))
    return hit[1]


def analyze_texts(texts: Any, *, model: ComplaintModel | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Classify an iterable of texts; returns a frame with the ``OUTPUT_COLUMNS`` only.

    Each text is normalized and tokenized once; cause, motive and risk share the result.
    """
    m = as_model(model)
    prepared = texts if isinstance(texts, Prepared) else prepare(list(texts), m.tokenizer)
    n = len(prepared)
    m.check_can_classify(model if isinstance(model, (str, os.PathLike)) else None)
    clf, est = m.causes, m.motives
    vec = getattr(clf, "vectorizer_", None)
    if vec is not None:  # the linear models that read the same features: one sparse product
        shared = est.linear_models() if getattr(est, "vectorizer_", None) is vec else []
        prepared.share_products(vec, clf.linear_models() + shared)
    cause = clf.decide(prepared)
    motive_d = est.decide(prepared)
    primary, causes, proba = cause.primary, cause.causes, cause.proba
    pred_idx = cause.primary_index
    motive = motive_d.primary
    mcol = {mname: motive_d.score_of(mname) for mname in ("respect", "compensation", "venting")}

    lex = clf.lexicon_
    cue_lists = prepared.cues(lex)
    counts = prepared.cue_counts(lex)
    columns = {c: i for i, c in enumerate(lex.columns)}
    records = [read_record(norm) for norm in prepared.norm]
    flag_bits = risk_flag_bits(prepared, lex, causes, threats=[r.threats for r in records])
    demand_free = motive_d.no_demand
    # rows with no demand and no motive cue: _evidence_from has nothing to report for them
    motive_cols = [columns[c] for c in _MOTIVE_GROUPS if c in columns]
    no_motive_evidence = (demand_free & ~(counts[:, motive_cols] > 0).any(axis=1)).tolist()
    no_demand = demand_free.tolist()
    terms = _top_terms(m, prepared, pred_idx)
    names = clf.names_
    venting = mcol["venting"].tolist()
    strong = (mcol["venting"] >= STRONG_VENTING).tolist()
    rows_level, rows_flags, rows_evidence = [], [], []
    usable = prepared.usable().tolist()
    # the few distinct flag sets and causes, described once each
    described: dict[tuple[int, bool], tuple[list[str], str, str]] = {}
    heads: dict[str, tuple[str, str]] = {}
    for i, (cues, norm, code, bits) in enumerate(zip(cue_lists, prepared.norm, primary.tolist(),
                                                      flag_bits.tolist())):
        if not usable[i]:
            reason = "empty text" if not norm.strip() else unusable_reason(prepared.tokens[i])
            rows_level.append("low")
            rows_flags.append("")
            rows_evidence.append(f"no usable text: {reason}")
            continue
        risk = described.get((bits, strong[i]))
        if risk is None:
            flags = flags_of_bits(bits)
            risk = described[bits, strong[i]] = (flags, risk_level(flags, venting[i]), ";".join(flags))
        flags = risk[0]
        rows_level.append(risk[1])
        rows_flags.append(risk[2])
        head = heads.get(code)
        if head is None:
            head = heads[code] = (f"causes:{code}", names.get(code, code))
        group = head[0]
        words = list(dict.fromkeys([c.term for c in cues if group in c.groups] + terms[i]))[:4]
        parts = [f"{head[1]}: {', '.join(words) if words else '(model)'}"]
        # the demand patterns found nothing in this text: no need to run them again
        ev = _NO_EVIDENCE if no_motive_evidence[i] else est.evidence_from(cues, "" if no_demand[i] else norm)
        if ev["demand"]:
            parts.append("诉求: " + ", ".join(ev["demand"][:3]))
        if ev["disrespect"]:
            parts.append("尊重: " + ", ".join(ev["disrespect"][:3]))
        if ev["intensity"]:
            parts.append("情绪: " + ", ".join(ev["intensity"][:3]))
        if flags:
            parts.append("风险: " + ", ".join(risk_terms(cues, records[i].threat_phrases) or ["安全健康"]))
        rows_evidence.append(" | ".join(parts))
    return result_frame(primary, names, causes, proba[np.arange(n), pred_idx], motive, mcol, rows_level,
                        rows_flags, rows_evidence, records_frame(records))


#: texts analysed at a time by ``analyze``: bounds the feature matrices of large frames
_BATCH = 5000


def _analyze_batched(texts: list[Any], model: ComplaintModel) -> pd.DataFrame:
    """``analyze_texts`` in batches of ``_BATCH`` (rows are independent: the same result)."""
    if len(texts) <= _BATCH:
        return analyze_texts(texts, model=model)
    return pd.concat([analyze_texts(texts[i:i + _BATCH], model=model) for i in range(0, len(texts), _BATCH)],
                     ignore_index=True)


_NO_EVIDENCE: dict[str, list[str]] = {"demand": [], "disrespect": [], "intensity": []}
#: the cue groups that ``MotiveEstimator.evidence_from`` reports
_MOTIVE_GROUPS = ("motives:compensation", "motives:respect", "motives:venting")


def analyze(df: pd.DataFrame, text_col: str | None = None, *,
            model: ComplaintModel | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Add cause, motive and escalation-risk columns (with evidence) to a frame of complaints.

    Parameters
    ----------
    df : pandas.DataFrame
        The complaints; every row and column is kept, in order. (For a Dask DataFrame use
        ``complaintmine.distributed.analyze_dask``.)
    text_col : str, optional
        Column holding the complaint text; by default the one ``read_complaints`` found
        (``df.attrs["text_col"]``), else the first column with a known text name.
    model : ComplaintModel or path, optional
        A model from ``complaintmine train`` / ``load_model``; the bundled default otherwise.

    Returns
    -------
    DataFrame
        ``df`` with ``OUTPUT_COLUMNS`` appended: ``cause`` (primary code), ``cause_zh``,
        ``causes`` (``;``-joined, primary first), ``cause_score``, ``motive`` (respect /
        compensation / venting / none), ``motive_respect``, ``motive_compensation``,
        ``motive_venting``, ``risk_level`` (low / medium / high), ``risk_flags``
        (``;``-joined) and ``evidence``. An input column named like one of these is kept,
        renamed (``cause`` becomes ``cause_input``), with a ``UserWarning`` saying so.

    Examples
    --------
    >>> import pandas as pd, complaintmine as cm
    >>> out = cm.analyze(pd.DataFrame({"text": ["送餐员迟到一个小时，态度还很差，要求退款！"]}))
    >>> out.loc[0, ["cause", "motive"]].tolist()
    ['delivery', 'compensation']
    """
    if type(df).__module__.startswith("dask"):
        raise TypeError("analyze takes a pandas DataFrame; for a Dask DataFrame use "
                        "complaintmine.distributed.analyze_dask(ddf, text_col=...)")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"analyze expects a pandas DataFrame, got {type(df).__name__}")
    text_col = resolve_text_column(df, text_col, source="the frame")
    result = _analyze_batched(df[text_col].tolist(), as_model(model))
    return join_result(df, result, warn=True)

