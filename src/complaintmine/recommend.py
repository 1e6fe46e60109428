"""Ranked improvement actions: one per cause, with where, how fast, why, who handles and who fixes.

``recommend`` turns a classified frame into the table the improvement loop of the complaint
handling literature asks for: the cause, what exactly goes wrong (its distinctive words and
sub-topics, with counts), where it concentrates, how big and how fast-growing it is, what its
customers show and ask for, the front-line handling advice chosen from that motive and demand
mix (``handling_advice``, built on the techniques of ``playbook``), the systemic fix with its
owning department, and typical complaints. The handling techniques and fixes are data
(``complaintmine/resources/playbook.json``).

Examples
--------
>>> import complaintmine as cm
>>> from complaintmine.recommend import recommend, playbook
>>> df = cm.analyze(cm.read_complaints("data/demo/complaints_demo.csv"))  # doctest: +SKIP
>>> recommend(df, date_col="date").head(3)  # doctest: +SKIP
>>> playbook("venting")[:3]
'移情法'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import analysis
from ._resources import resource_json
from .analysis import _names, _require
from .taxonomy import DEMAND_NAMES, MOTIVE_NAMES, MOTIVES

__all__ = ["recommend", "playbook", "handling_advice", "load_playbook", "DEFAULT_WEIGHTS", "DEFAULT_DIMENSIONS"]

#: weights of the ranking score (see ``recommend``)
DEFAULT_WEIGHTS: dict[str, float] = {"volume": 0.5, "growth": 0.3, "severity": 0.2}
#: dimensions used when ``dimensions`` is None (those present in the frame)
DEFAULT_DIMENSIONS: tuple[str, ...] = ("store", "channel")


def load_playbook() -> dict[str, Any]:
    """Return the playbook data (``resources/playbook.json``): techniques, escalation, fixes.

    Examples
    --------
    >>> load_playbook()["causes"]["delivery"]["department"]
    '物流配送部'
    """
    return resource_json("playbook.json")


def playbook(motive: str, *, can_meet: bool = True) -> str:
    """The front-line handling technique for a complaint motive.

    Parameters
    ----------
    motive : {"venting", "respect", "compensation", "none"}
        The (dominant) motive: 求发泄 -> 移情法; 求尊重 -> sincere apology, a senior person takes
        over, thanks for the feedback; 求补偿 -> 补偿关照法 / 替换法 / 引导征询法; none -> fast
        first-contact handling.
    can_meet : bool, default True
        False when the customer's demand cannot be met: the 三明治法 / 谅解法 / 3F advice is
        appended.

    Returns
    -------
    str
        The technique, in Chinese, as one paragraph.

    Examples
    --------
    >>> playbook("compensation").split("：")[0]
    '补偿关照法、替换法、引导征询法'
    """
    book = load_playbook()
    if motive not in book["motives"]:
        raise ValueError(f"unknown motive {motive!r}; choose from {', '.join(book['motives'])}")
    text = book["motives"][motive]["text"]
    if not can_meet:
        text += " " + book["cannot_meet"]["text"]
    return text


#: how the handling advice describes each part of a motive mix
_MIX_WORDS = {"none": "只陈述问题、未表现出明确动机的", "venting": "以发泄情绪为主的", "respect": "求尊重的",
              "compensation": "求补偿的"}


def _share(value: Any) -> float:
    """A share as a float in [0, 1]; missing (None, NaN, NA) is 0."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return 0.0
    return min(max(x, 0.0), 1.0) if np.isfinite(x) else 0.0


def handling_advice(motive_shares: Mapping[str, float], demand_shares: Mapping[str, float] | None = None, *,
                    min_share: float = 0.15, min_demand_share: float = 0.02) -> tuple[str, str]:
    """Front-line handling advice for a group of complaints, chosen from what they show.

    The techniques of the motives that at least ``min_share`` of the complaints show, the
    largest first (at most two); complaints with no motive (a bare account of a problem) count
    as a part of their own, whose technique is fast problem-solving (``playbook("none")``), not
    移情法. Then the advice for the remedies customers ask for most (at least
    ``min_demand_share``, at most two; ``load_playbook()["demands"]``). The paragraph states the
    mix it was chosen from, so two groups get the same paragraph only when their mixes agree.

    Parameters
    ----------
    motive_shares : mapping
        Share of the complaints whose primary motive is ``respect`` / ``compensation`` /
        ``venting`` (missing keys count as 0); the rest show none.
    demand_shares : mapping, optional
        Share of the complaints that ask for each demand code (``refund``, ``apology`` ...).
    min_share, min_demand_share : float, default 0.15 and 0.02
        The smallest share of the complaints for which a motive's technique, or a demand's
        advice, is given. Missing shares (None, NaN) count as 0.

    Returns
    -------
    (str, str)
        The technique(s) and the advice paragraph, in Chinese.

    Raises
    ------
    ValueError
        The motive shares add up to more than 1.

    Examples
    --------
    >>> technique, text = handling_advice({"venting": 0.3}, {"refund": 0.1})
    >>> technique
    '快速受理、首问负责；移情法'
    >>> text.startswith("这类投诉中只陈述问题、未表现出明确动机的占 70%")
    True
    """
    book = load_playbook()
    mix = {m: _share(motive_shares.get(m)) for m in MOTIVES}
    if sum(mix.values()) > 1 + 1e-9:
        raise ValueError(f"motive shares add up to {sum(mix.values()):.3f}, more than 1: {motive_shares}")
    mix["none"] = max(0.0, 1.0 - sum(mix.values()))
    ranked = sorted(mix.items(), key=lambda kv: -kv[1])  # stable: the order of MOTIVES breaks ties
    chosen = [m for m, share in ranked if share >= min_share][:2] or [ranked[0][0]]
    described = "，".join(f"{_MIX_WORDS[m]}占 {share:.0%}" for m, share in ranked if share >= 0.05)
    parts = [f"这类投诉中{described}。"]
    for m in chosen:
        parts.append(f"对{_MIX_WORDS[m]}投诉，{book['motives'][m]['text']}")
    asked = sorted(((_share(share), code) for code, share in (demand_shares or {}).items()
                    if code in book.get("demands", {}) and _share(share) >= min_demand_share), key=lambda t: -t[0])
    for share, code in asked[:2]:
        parts.append(f"{share:.0%} 要求{DEMAND_NAMES[code]}：{book['demands'][code]}")
    return "；".join(book["motives"][m]["technique"] for m in chosen), " ".join(parts)


def _dimensions(df: pd.DataFrame, dimensions: Sequence[str] | None) -> list[str]:
    if dimensions is None:
        return [d for d in DEFAULT_DIMENSIONS if d in df.columns]
    dims = [dimensions] if isinstance(dimensions, str) else list(dimensions)
    _require(df, *dims)
    return dims


def _fmt_p(p: float) -> str:
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def _what_goes_wrong(df: pd.DataFrame, causes: list[str], *, cause_col: str, text_col: str | None, tokenizer: Any,
                     n_subtopics: int) -> tuple[dict[str, list[tuple[str, int]]], dict[str, str]]:
    """Per cause: its most distinctive words, each with the number of its complaints using it,
    and its sub-topics with their sizes (what exactly goes wrong, in the customers' words)."""
    if not causes:
        return {}, {}
    try:
        found_terms = analysis.distinctive_terms(df, cause_col=cause_col, text_col=text_col, top=5,
                                                 tokenizer=tokenizer)
    except ValueError:  # no usable word in any complaint (numbers, placeholders): nothing to name
        found_terms = pd.DataFrame(columns=["cause", "term", "docs"])
    terms = {c: [(t.term, int(t.docs)) for t in part.itertuples()]
             for c, part in found_terms.groupby("cause", sort=False)}
    topics: dict[str, str] = {}
    for cause in causes if n_subtopics else []:
        try:
            found = analysis.subtopics(df, cause, n_topics=n_subtopics, cause_col=cause_col, text_col=text_col,
                                       tokenizer=tokenizer).topics
        except ValueError:  # too few complaints or words to split: no sub-topics, not an error
            continue
        topics[cause] = " · ".join(f"{'、'.join(row.top_words[:3])} {int(row.n)} 条"
                                   for row in found.itertuples() if row.n > 0)
    return terms, topics


def _claim_examples(df: pd.DataFrame, cause: str, *, phrase: str, where: tuple[Any, Any], emerging: Any,
                    recent: pd.Series | None, demand: str | None, cause_col: str, text_col: str | None,
                    tokenizer: Any) -> dict[str, str]:
    """One typical complaint (masked) behind each claim of an action: its top phrase, its strongest
    concentration, where it is emerging and its most asked-for remedy."""
    sub = df[df[cause_col].astype(str) == cause]
    slices: dict[str, pd.DataFrame] = {}
    if phrase:  # recommend gave df its tokens column
        slices["phrase"] = sub[sub["tokens"].astype(str).str.split().map(lambda words: phrase in words)]
    if where[0] is not None:
        slices["where"] = sub[sub[where[0]] == where[1]]
    if emerging:
        rise = sub[emerging[0]] == emerging[1]
        slices["emerging"] = sub[rise & recent.reindex(sub.index, fill_value=False)] if recent is not None else (
            sub[rise])
    if demand and "demand" in sub.columns:
        slices["demand"] = sub[sub["demand"].astype(str).str.split(";").map(lambda c: demand in c)]
    out: dict[str, str] = {}
    for claim, part in slices.items():
        if len(part):
            texts = analysis.representative(part, cause=cause, n=3, text_col=text_col, cause_col=cause_col,
                                            max_chars=120, tokenizer=tokenizer)["text"].tolist()
            fresh = [t for t in texts if t not in out.values()]  # a different complaint for each claim
            if fresh:
                out[claim] = fresh[0]
    return out


def recommend(df: pd.DataFrame, *, dimensions: Sequence[str] | None = None, date_col: str | None = None,
              top: int | None = 10, freq: str = "W", recent: int = 4, alpha: float = 0.05,
              trend_alpha: float = 0.01, weights: Mapping[str, float] | None = None, n_examples: int = 2,
              exclude: Sequence[str] = ("other",), text_col: str | None = None, cause_col: str = "cause",
              tokenizer: Any = None, n_subtopics: int = 3) -> pd.DataFrame:
    """Rank improvement actions, one per cause, with the evidence a manager needs to act.

    **Ranking rule.** Each cause gets three components, all between 0 and 1, shown as columns:

    - ``volume``: the cause's share of all complaints (Pareto: the vital few first).
    - ``growth``: ``min(trend_ratio - 1, 1)`` when the cause is *emerging* (its recent rate rose
      significantly, see ``analysis.emerging_issues``), else 0; always 0 without ``date_col``.
      A doubling or more counts fully; a rise that is not significant counts nothing.
    - ``severity``: ``(high_risk_share + safety_share) / 2``: the share of its complaints at high
      escalation risk (safety, media, lawyers, regulators) and, counted again, the share
      touching safety or health, which must be escalated at once.

    ``score = w_volume * volume + w_growth * growth + w_severity * severity`` with the weights
    ``DEFAULT_WEIGHTS`` (0.5, 0.3, 0.2) unless ``weights`` is given; rows are sorted by
    ``score`` descending (ties: larger ``count`` first) and ``rank`` numbers them. A reader can
    recompute the order from the columns.

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints (``complaintmine.analyze`` output).
    dimensions : sequence of str, optional
        Columns in which to look for concentration (store, channel, product ...). Default:
        ``store`` and ``channel`` when the frame has them.
    date_col : str, optional
        Complaint date column; enables the trend and emerging-issue columns.
    top : int, optional, default 10
        Number of actions returned (all when None).
    freq : str, default "W"
        Trend period (pandas period alias).
    recent : int, default 4
        Periods in the recent window of the trend test.
    alpha : float, default 0.05
        Significance level for concentration (Holm-corrected adjusted residuals).
    trend_alpha : float, default 0.01
        Significance level for emerging causes (Benjamini-Hochberg-corrected one-sided Fisher
        tests, as ``analysis.emerging_issues``).
    weights : mapping, optional
        ``{"volume": ..., "growth": ..., "severity": ...}``; missing keys take the defaults.
    n_subtopics : int, default 3
        Sub-topics found inside each ranked cause (``analysis.subtopics``; 0 leaves them out).
    n_examples : int, default 2
        Representative complaints per cause (closest to the cause's centroid; PII masked).
    exclude : sequence of str, default ("other",)
        Causes not turned into actions.
    text_col : str, optional
        Text column for the examples (default ``df.attrs["text_col"]`` or ``"text"``).
    cause_col : str, default "cause"
    tokenizer : Tokenizer, optional
        Segmenter for choosing the examples; pass the classifying model's (``model.tokenizer``)
        so that the words are the model's words (default ``complaintmine.tokenizer.dt``).

    Returns
    -------
    pandas.DataFrame
        ``rank, cause, cause_zh, count, share``, ``phrases`` (the cause's most distinctive
        words, each with the number of its complaints using it), ``subtopics`` (its sub-topics
        by their top words, each with its number of complaints; "" when too few to split),
        ``where`` (significantly over-represented dimension values, e.g.
        ``store=成都锦江店 (×2.5, p<0.001)``), ``trend_ratio, rate_before, rate_after,
        emerging, emerging_where`` (dimension values where the cause
        is emerging), ``dominant_motive, dominant_motive_zh, motive_respect_share,
        motive_compensation_share, motive_venting_share, motive_none_share`` (no motive shown),
        ``demand_share, top_demands`` (what
        the cause's customers ask for, from the record card: ``analysis.demand_mix``; NaN / ""
        for a file classified without it), ``high_risk_share, safety_share,
        technique, playbook`` (the handling advice chosen from the cause's motive and demand
        mix, ``handling_advice``), ``escalate`` (True when at least 20% of the cause's complaints are
        high risk: handle them as major complaints, see ``load_playbook()["escalation"]``),
        ``fix, department, examples`` (list of masked texts), ``claim_examples`` (a masked
        complaint behind each claim: ``phrase``, ``where``, ``emerging``, ``demand``; empty
        with ``n_examples=0``), ``volume, growth, severity,
        score``. ``attrs["weights"]`` holds the weights used.

    Examples
    --------
    >>> rec = recommend(df, date_col="date")  # doctest: +SKIP
    >>> rec[["rank", "cause_zh", "where", "technique", "department", "score"]]  # doctest: +SKIP
    """
    _require(df, cause_col)
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    unknown = set(w) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ValueError(f"unknown weight(s) {sorted(unknown)}; use volume, growth, severity")
    dims = _dimensions(df, dimensions)
    book = load_playbook()
    names = _names(df, cause_col)
    n_total = len(df)
    if n_total == 0:
        raise ValueError("recommend: the frame has no complaints")

    if "tokens" not in df.columns:  # tokenized once, in one batch, for the phrases, sub-topics and examples
        df = analysis.add_tokens(df, text_col=text_col, tokenizer=tokenizer)
    mix = analysis.motive_risk_mix(df, cause_col=cause_col).set_index("cause")
    # what customers ask for, per cause (a file classified before the record card has no demand)
    demands = (analysis.demand_mix(df, cause_col=cause_col).set_index("cause") if "demand" in df.columns
               else None)
    causes = [c for c in mix.index if c not in set(exclude)]
    # the share asking for each remedy the playbook has advice for, per cause (None: no demand column)
    asked: dict[str, dict[str, float] | None] = {
        cause: ({code: float(demands.loc[cause, f"demand_{code}_share"]) for code in book["demands"]}
                if demands is not None else None) for cause in causes}
    top_demand = {cause: max(shares, key=shares.get) for cause, shares in asked.items()
                  if shares and max(shares.values()) > 0}

    where: dict[str, list[str]] = {c: [] for c in causes}
    where_top: dict[str, tuple[float, str, Any]] = {}  # the strongest concentration: its example is shown
    emerging_top: dict[str, tuple[str, Any]] = {}
    for dim in dims:
        if not analysis.crosstab_possible(df, dim, cause_col=cause_col):
            continue
        ct = analysis.crosstab_outliers(df, dim, cause_col=cause_col, alpha=alpha)
        for row in ct[ct["over_represented"]].to_dict("records"):  # a dimension's name need not be an identifier
            if row["cause"] in where:
                where[row["cause"]].append(
                    f"{dim}={row[dim]} (×{row['lift']:.1f}, {_fmt_p(row['p_adjusted'])})")
                if row["cause"] not in where_top or row["residual"] > where_top[row["cause"]][0]:
                    where_top[row["cause"]] = (row["residual"], dim, row[dim])

    trend_cols = {c: (np.nan, np.nan, np.nan, False) for c in causes}
    emerging_where: dict[str, list[str]] = {c: [] for c in causes}
    recent_rows = None
    if date_col is not None:
        em = analysis.emerging_issues(df, date_col, freq=freq, recent=recent, alpha=trend_alpha,
                                      cause_col=cause_col)
        recent_rows = analysis.parse_dates(df[date_col]) >= em.attrs["recent_start"]  # examples of the rise
        for row in em[em["kind"] == "cause"].itertuples(index=False):
            if row.item in trend_cols:
                trend_cols[row.item] = (row.ratio, row.rate_before, row.rate_after, bool(row.emerging))
        for dim in dims:
            emd = analysis.emerging_issues(df, date_col, freq=freq, recent=recent, alpha=trend_alpha,
                                           by=dim, cause_col=cause_col)
            for row in emd[emd["emerging"] & (emd["kind"] == "cause")].to_dict("records"):
                if row["item"] in emerging_where:
                    emerging_where[row["item"]].append(f"{dim}={row[dim]} (×{row['ratio']:.1f})")
                    emerging_top.setdefault(row["item"], (dim, row[dim]))  # the most significant first

    rows = []
    for cause in causes:
        m = mix.loc[cause]
        ratio, before, after, emerging = trend_cols[cause]
        motive = str(m["dominant_motive"])
        fix = book["causes"].get(cause, {"fix": "（无预设方案：请补充 playbook.json）",
                                         "department": "（未指定）"})
        examples = []
        if n_examples:
            examples = analysis.representative(df, cause=cause, n=n_examples, text_col=text_col,
                                               cause_col=cause_col, max_chars=160,
                                               tokenizer=tokenizer)["text"].tolist()
        technique, advice = handling_advice({k: float(m[f"motive_{k}_share"]) for k in MOTIVES}, asked[cause])
        high, safety = float(m["risk_high_share"]), float(m["safety_share"])
        growth = float(min(max(ratio - 1.0, 0.0), 1.0)) if emerging and np.isfinite(ratio) else (
            1.0 if emerging else 0.0)
        rows.append({
            "cause": cause, "cause_zh": names.get(cause, cause), "count": int(m["count"]),
            "share": int(m["count"]) / n_total,
            "where": "; ".join(where[cause]),
            "trend_ratio": ratio, "rate_before": before, "rate_after": after, "emerging": emerging,
            "emerging_where": "; ".join(emerging_where[cause]),
            "dominant_motive": motive, "dominant_motive_zh": MOTIVE_NAMES.get(motive, motive),
            "motive_respect_share": float(m["motive_respect_share"]),
            "motive_compensation_share": float(m["motive_compensation_share"]),
            "motive_venting_share": float(m["motive_venting_share"]),
            "motive_none_share": float(m["motive_none_share"]),
            "demand_share": float(demands.loc[cause, "demand_share"]) if demands is not None else np.nan,
            "top_demands": str(demands.loc[cause, "top_demands"]) if demands is not None else "",
            "high_risk_share": high, "safety_share": safety,
            "technique": technique, "playbook": advice,
            "escalate": bool(high >= 0.2),
            "fix": fix["fix"], "department": fix["department"], "examples": examples,
            "volume": int(m["count"]) / n_total, "growth": growth, "severity": (high + safety) / 2,
        })
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["score"] = w["volume"] * out["volume"] + w["growth"] * out["growth"] + w["severity"] * out["severity"]
    out = out.sort_values(["score", "count"], ascending=[False, False], kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    if top:
        out = out.head(top)
    out = out.reset_index(drop=True)
    terms, topics = _what_goes_wrong(df, list(out["cause"]), cause_col=cause_col, text_col=text_col,
                                     tokenizer=tokenizer, n_subtopics=n_subtopics)
    phrases = [" · ".join(f"{term} {docs} 条" for term, docs in terms.get(c, [])) for c in out["cause"]]
    out.insert(out.columns.get_loc("where"), "phrases", phrases)
    out.insert(out.columns.get_loc("where"), "subtopics", [topics.get(c, "") for c in out["cause"]])
    out["claim_examples"] = [{} for _ in out["cause"]]
    if n_examples:
        out["claim_examples"] = [
            _claim_examples(df, cause, phrase=terms[cause][0][0] if terms.get(cause) else "",
                            where=where_top.get(cause, (0, None, None))[1:], emerging=emerging_top.get(cause),
                            recent=recent_rows,
                            demand=top_demand.get(cause), cause_col=cause_col, text_col=text_col, tokenizer=tokenizer)
            for cause in out["cause"]]
    out.attrs["weights"] = dict(w)
    out.attrs["rule"] = ("score = {volume} * volume + {growth} * growth + {severity} * severity; "
                         "volume = share of complaints; growth = min(trend_ratio - 1, 1) if emerging else 0; "
                         "severity = (high_risk_share + safety_share) / 2").format(**w)
    return out
