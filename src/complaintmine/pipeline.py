"""``analyze``: cause, motive and escalation risk for every complaint, with evidence."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from .errors import ColumnError
from .features import Prepared, prepare
from .model import ComplaintModel, load_model
from .risk import risk_level
from .taxonomy import RISK_FLAGS

__all__ = ["analyze", "analyze_texts", "OUTPUT_COLUMNS"]

#: the columns ``analyze`` adds, in order
OUTPUT_COLUMNS = (
    "cause", "cause_zh", "causes", "cause_score", "motive", "motive_respect", "motive_compensation",
    "motive_venting", "risk_level", "risk_flags", "evidence",
)  # fmt: skip


def _resolve_model(model: ComplaintModel | str | os.PathLike[str] | None) -> ComplaintModel:
    if isinstance(model, ComplaintModel):
        return model
    return load_model(model)


def _top_terms(model: ComplaintModel, prepared: Prepared, pred_idx: np.ndarray, k: int = 2) -> list[list[str]]:
    """Up to ``k`` word tokens that pushed each row towards its predicted cause (vectorized)."""
    clf = model.causes
    if clf is None or clf.mode != "model":
        return [[] for _ in range(len(prepared))]
    vec = clf.vectorizer_
    X = prepared.features(vec)
    n_word = len(vec.word_.vocabulary)
    coef = clf.primary_.coef
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    is_word = X.indices < n_word
    rows, cols, vals = rows[is_word], X.indices[is_word], X.data[is_word]
    contrib = vals * coef[pred_idx[rows], cols]
    keep = contrib > 0
    rows, cols, contrib = rows[keep], cols[keep], contrib[keep]
    order = np.lexsort((-contrib, rows))
    out: list[list[str]] = [[] for _ in range(len(prepared))]
    vocab = vec.word_.vocabulary
    for r, c in zip(rows[order], cols[order]):
        term = vocab[c]
        # readable evidence: single words of two or more characters (no bigrams, no particles)
        if len(out[r]) < k and " " not in term and len(term) >= 2:
            out[r].append(term)
    return out


def analyze_texts(texts: Any, *, model: ComplaintModel | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Classify an iterable of texts; returns a frame with the ``OUTPUT_COLUMNS`` only.

    Each text is normalized and tokenized once; cause, motive and risk share the result.
    """
    m = _resolve_model(model)
    prepared = texts if isinstance(texts, Prepared) else prepare(list(texts), m.tokenizer)
    n = len(prepared)
    clf, est = m.causes, m.motives
    if clf is None or est is None:
        raise ValueError("the model needs both a cause classifier and a motive estimator")
    proba = clf._proba(prepared)
    primary = clf._predict_prepared(prepared, proba)
    index = {c: i for i, c in enumerate(clf.classes_)}
    pred_idx = np.array([index[c] for c in primary])
    causes = clf._multilabel(primary, clf._label_proba(prepared))
    scores = est._scores(prepared)
    motive = est._primary(scores, prepared)
    mcol = {mname: (scores[:, est.motives_.index(mname)] if mname in est.motives_ else np.zeros(n))
            for mname in ("respect", "compensation", "venting")}

    lex = clf.lexicon_
    cue_lists = prepared.cues(lex)
    terms = _top_terms(m, prepared, pred_idx)
    names = clf.names_
    rows_level, rows_flags, rows_evidence = [], [], []
    for i in range(n):
        cues = cue_lists[i]
        norm = prepared.norm[i]
        if not norm.strip() or not prepared.tokens[i]:
            reason = "empty text" if not norm.strip() else "no words to analyse (only symbols or numbers)"
            rows_level.append("low")
            rows_flags.append("")
            rows_evidence.append(f"no usable text: {reason}")
            continue
        flags = [f for f in RISK_FLAGS if any(f"risks:{f}" in c.groups for c in cues)]
        if "safety_health" in causes[i] and "safety" not in flags:
            flags = [f for f in RISK_FLAGS if f in flags or f == "safety"]
        rows_level.append(risk_level(flags, float(mcol["venting"][i])))
        rows_flags.append(";".join(flags))
        code = primary[i]
        cause_cues = [c.term for c in cues if f"causes:{code}" in c.groups]
        words = list(dict.fromkeys(cause_cues + terms[i]))[:4]
        parts = [f"{names.get(code, code)}: {', '.join(words) if words else '(model)'}"]
        ev = est._evidence_from(cues, norm)
        if ev["demand"]:
            parts.append("诉求: " + ", ".join(ev["demand"][:3]))
        if ev["disrespect"]:
            parts.append("尊重: " + ", ".join(ev["disrespect"][:3]))
        if ev["intensity"]:
            parts.append("情绪: " + ", ".join(ev["intensity"][:3]))
        risk_terms = [c.term for c in cues if any(g.startswith("risks:") for g in c.groups)]
        if flags:
            parts.append("风险: " + ", ".join(dict.fromkeys(risk_terms or ["安全健康"])))
        rows_evidence.append(" | ".join(parts))
    return pd.DataFrame({
        "cause": primary.astype(str),
        "cause_zh": [names.get(c, c) for c in primary],
        "causes": [";".join(c) for c in causes],
        "cause_score": proba[np.arange(n), pred_idx].round(4),
        "motive": motive.astype(str),
        "motive_respect": mcol["respect"].round(4),
        "motive_compensation": mcol["compensation"].round(4),
        "motive_venting": mcol["venting"].round(4),
        "risk_level": rows_level,
        "risk_flags": rows_flags,
        "evidence": rows_evidence,
    })


def analyze(df: Any, text_col: str = "text", *, model: ComplaintModel | str | os.PathLike[str] | None = None,
            ) -> Any:
    """Add cause, motive and escalation-risk columns (with evidence) to a frame of complaints.

    Parameters
    ----------
    df : pandas.DataFrame or dask.dataframe.DataFrame
        The complaints; every row and column is kept, in order. A Dask frame gives a lazy
        Dask frame back (one model per worker, partitions processed independently).
    text_col : str, default "text"
        Column holding the complaint text.
    model : ComplaintModel or path, optional
        A model from ``complaintmine train`` / ``load_model``; the bundled default otherwise.

    Returns
    -------
    DataFrame
        ``df`` with ``OUTPUT_COLUMNS`` appended: ``cause`` (primary code), ``cause_zh``,
        ``causes`` (``;``-joined, primary first), ``cause_score``, ``motive`` (respect /
        compensation / venting / none), ``motive_respect``, ``motive_compensation``,
        ``motive_venting``, ``risk_level`` (low / medium / high), ``risk_flags``
        (``;``-joined) and ``evidence``.

    Examples
    --------
    >>> import pandas as pd, complaintmine as cm
    >>> out = cm.analyze(pd.DataFrame({"text": ["送餐员迟到一个小时，态度还很差，要求退款！"]}))
    >>> out.loc[0, ["cause", "motive"]].tolist()
    ['delivery', 'compensation']
    """
    if _is_dask(df):
        from .distributed import analyze_dask

        return analyze_dask(df, text_col=text_col, model=model)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"analyze expects a pandas or dask DataFrame, got {type(df).__name__}")
    if text_col not in df.columns:
        raise ColumnError(
            f"no column named {text_col!r}; columns are: {', '.join(map(str, df.columns))}. "
            "Pass text_col='...'."
        )
    clash = [c for c in OUTPUT_COLUMNS if c in df.columns]
    base = df.drop(columns=clash) if clash else df
    result = analyze_texts(df[text_col].tolist(), model=model)
    result.index = df.index
    out = pd.concat([base, result], axis=1)
    out.attrs.update(df.attrs)
    return out


def _is_dask(df: Any) -> bool:
    return type(df).__module__.startswith("dask")
