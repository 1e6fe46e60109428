"""Root-cause exploration over classified complaints: what, where, when, why, and examples.

Every function takes the frame that ``complaintmine.analyze`` returns (columns ``cause``,
``cause_zh``, ``causes``, ``cause_score``, ``motive``, ``motive_*``, ``risk_level``,
``risk_flags``, ``evidence`` plus the export's own columns such as store, channel or date)
and returns a tidy ``pandas.DataFrame``; nothing is modified in place.

- ``pareto``: how many complaints per cause, shares and cumulative shares (the vital few).
- ``crosstab_outliers``: where a cause concentrates (store, channel, product ...), tested with
  adjusted standardized residuals and a multiple-testing correction.
- ``trend`` and ``emerging_issues``: counts and rates per period; causes (and words) whose
  recent rate rose significantly above their own baseline.
- ``distinctive_terms`` (class-based TF-IDF) and ``subtopics`` (NMF): why, in the customers' words.
- ``cooccurrence``: causes named together.
- ``motive_risk_mix``: what customers want and how risky each cause is.
- ``representative``: the most typical complaints of a finding, PII-masked, with evidence.

Examples
--------
>>> import complaintmine as cm
>>> from complaintmine import analysis
>>> df = cm.analyze(cm.read_complaints("data/demo/complaints_demo.csv"))  # doctest: +SKIP
>>> analysis.pareto(df).head(3)  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse, stats

from .errors import ColumnError
from .io import resolve_text_column
from .normalization import PII_PLACEHOLDER, normalize, normalize_many
from .taxonomy import CAUSES, DEMAND_NAMES, DEMANDS, MOTIVE_NAMES, MOTIVES, cause_name, parse_codes
from .tokenizer import Tokenizer, default_tokenizer

__all__ = [
    "add_tokens",
    "pareto",
    "demand_mix",
    "crosstab_outliers",
    "crosstab_possible",
    "trend",
    "emerging_issues",
    "parse_dates",
    "EARLIEST_DATE",
    "class_tfidf",
    "distinctive_terms",
    "subtopics",
    "Subtopics",
    "cooccurrence",
    "motive_risk_mix",
    "representative",
    "adjust_pvalues",
    "FUNCTION_WORDS",
]

Correction = Literal["holm", "fdr_bh"]

# a token worth counting: contains a CJK character, or is a Latin word of two or more letters
_TERM_OK = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]{2,}")

#: Words the tokenizer keeps on purpose (negations, intensifiers, fillers: they matter for
#: classifying motives) but that say nothing about *what* went wrong. ``distinctive_terms``,
#: ``subtopics`` and ``representative`` leave them out by default (``exclude=()`` keeps them).
FUNCTION_WORDS = frozenset(
    "不 没 没有 很 太 还 也 都 就 又 再 真 真的 非常 特别 比较 有点 挺 最 更 才 好 一个 说 "
    "感觉 觉得 已经 一点 一下 以后 这次 这个 那个 什么 怎么 还是 但是 而且 然后 所以 因为 "
    "可以 知道 一直 实在 简直 居然 竟然 根本".split()
)


# -- helpers -------------------------------------------------------------------------------------


def _require(df: pd.DataFrame, *cols: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ColumnError(
            f"no column {missing[0]!r}; columns are: {', '.join(map(str, df.columns))}. "
            "Run complaintmine.analyze first, or pass the right column name."
        )


def _text_col(df: pd.DataFrame, text_col: str | None) -> str:
    return resolve_text_column(df, text_col, source="the frame")


def _names(df: pd.DataFrame, cause_col: str = "cause") -> dict[str, str]:
    """cause code -> Chinese name, from the frame's ``cause_zh`` column, else the taxonomy."""
    names = dict(CAUSES)
    if cause_col == "cause" and "cause_zh" in df.columns and "cause" in df.columns:
        pairs = df[["cause", "cause_zh"]].drop_duplicates("cause")
        names.update(zip(pairs["cause"].astype(str), pairs["cause_zh"].astype(str), strict=True))
    return names


def _cause_order(codes: Iterable[str]) -> list[str]:
    """Taxonomy order first, then any other codes alphabetically."""
    codes = set(codes)
    known = [c for c in CAUSES if c in codes]
    return known + sorted(codes - set(known))


def _default_tokenizer() -> Tokenizer:
    # the same tokenizer the default model segments with (a trained model owns its own:
    # pass ``tokenizer=model.tokenizer``)
    return default_tokenizer()


@functools.lru_cache(maxsize=1 << 18)  # pure, and asked for the same few hundred thousand words again and again
def _keep_term(tok: str) -> bool:
    return bool(_TERM_OK.search(tok)) and not PII_PLACEHOLDER.fullmatch(tok)


def _tokens(df: pd.DataFrame, text_col: str | None = None, tokenizer: Tokenizer | None = None,
            exclude: Iterable[str] = ()) -> list[list[str]]:
    """Token lists per row: the ``tokens`` column when present (space-joined or lists), else
    normalize and tokenize ``text_col`` with ``tokenizer`` (default: ``complaintmine.tokenizer.dt``).
    Placeholders (``<PHONE>`` ...), numbers, punctuation and the ``exclude`` words are dropped."""
    drop = frozenset(exclude)
    if "tokens" in df.columns:
        lists = [value.split() if isinstance(value, str) else
                 [str(t) for t in value] if isinstance(value, (list, tuple, np.ndarray)) else []
                 for value in df["tokens"]]
        # each distinct word judged once (a column holds millions of tokens), then a set lookup per token
        bad = {t for t in set().union(*lists) if not _keep_term(t) or t in drop}
        return [[t for t in toks if t not in bad] for toks in lists] if bad else lists
    col = _text_col(df, text_col)
    tok = tokenizer or _default_tokenizer()
    return [[t for t in tok.tokenize(normalize(text)) if _keep_term(t) and t not in drop] for text in df[col]]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def adjust_pvalues(p: Sequence[float] | np.ndarray, method: Correction = "holm") -> np.ndarray:
    """Adjust p-values for multiple testing.

    Parameters
    ----------
    p : array-like of float
        Raw p-values (NaN stays NaN and is not counted as a test).
    method : {"holm", "fdr_bh"}, default "holm"
        ``"holm"``: Holm-Bonferroni step-down, controls the family-wise error rate.
        ``"fdr_bh"``: Benjamini-Hochberg step-up, controls the false discovery rate.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, capped at 1, in the input order.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "fdr_bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    order = np.argsort(q, kind="stable")
    ranked = q[order]
    if method == "holm":
        adj = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method == "fdr_bh":
        adj = np.minimum.accumulate(m / np.arange(m, 0, -1) * ranked[::-1])[::-1]
    else:
        raise ValueError(f"method must be 'holm' or 'fdr_bh', got {method!r}")
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def add_tokens(df: pd.DataFrame, *, text_col: str | None = None, tokenizer: Tokenizer | None = None
               ) -> pd.DataFrame:
    """Return ``df`` with a ``tokens`` column (space-joined words), so later calls skip tokenizing.

    The text is normalized (simplified Chinese, PII masked) and tokenized with the project
    tokenizer; placeholders, numbers and punctuation are dropped.

    Parameters
    ----------
    df : pandas.DataFrame
        Complaints.
    text_col : str, optional
        Text column; default the one ``read_complaints`` found (``df.attrs["text_col"]``), else
        a known text column name.
    tokenizer : Tokenizer, optional
        Default: the module default ``complaintmine.tokenizer.dt``.

    Examples
    --------
    >>> import pandas as pd
    >>> add_tokens(pd.DataFrame({"text": ["送餐太慢了"]}))["tokens"].tolist()
    ['送餐 太慢']
    """
    col = _text_col(df, text_col)
    tok = tokenizer or _default_tokenizer()
    if not hasattr(tok, "tokenize_many"):  # any object with .tokenize works, as in _tokens
        toks = _tokens(df.drop(columns=["tokens"], errors="ignore"), col, tok)
    else:  # the batch form of _tokens (normalize_many + tokenize_many: the same words, equivalence-tested)
        toks = [[t for t in words if _keep_term(t)] for words in tok.tokenize_many(normalize_many(df[col].tolist()))]
    out = df.assign(tokens=[" ".join(t) for t in toks])
    out.attrs.update(df.attrs)
    return out


# -- what: Pareto --------------------------------------------------------------------------------


def pareto(df: pd.DataFrame, by: str | None = None, *, cause_col: str = "cause") -> pd.DataFrame:
    """Complaints per cause with share and cumulative share, largest first (a Pareto table).

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints (``complaintmine.analyze`` output).
    by : str, optional
        A dimension column (store, product, channel, domain, category ...): one Pareto table
        per value, shares computed within the value. Overall when None.
    cause_col : str, default "cause"
        Column with the cause code.

    Returns
    -------
    pandas.DataFrame
        Columns ``[by,] cause, cause_zh, count, share, cum_share, rank``. Within each group the
        rows are sorted by ``count`` descending (ties by taxonomy order); ``share`` sums to 1
        and ``cum_share`` ends at 1.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"cause": ["delivery", "delivery", "product_quality"]})
    >>> pareto(df)[["cause", "count", "cum_share"]].values.tolist()
    [['delivery', 2, 0.6666666666666666], ['product_quality', 1, 1.0]]
    """
    _require(df, cause_col, *([by] if by else []))
    names = _names(df, cause_col)
    order = {c: i for i, c in enumerate(_cause_order(df[cause_col].dropna().astype(str)))}
    keys = [by, cause_col] if by else [cause_col]
    counts = (df.dropna(subset=keys).groupby(keys, observed=True, sort=False).size()
              .rename("count").reset_index())
    counts[cause_col] = counts[cause_col].astype(str)
    counts["_order"] = counts[cause_col].map(order)
    sort_keys = ([by] if by else []) + ["count", "_order"]
    counts = counts.sort_values(sort_keys, ascending=[True] * bool(by) + [False, True], kind="stable")
    if by:
        totals = counts.groupby(by, observed=True)["count"].transform("sum")
        cum = counts.groupby(by, observed=True)["count"].cumsum()
        rank = counts.groupby(by, observed=True).cumcount() + 1
    else:
        totals = counts["count"].sum()
        cum = counts["count"].cumsum()
        rank = pd.Series(np.arange(1, len(counts) + 1), index=counts.index)
    counts["share"] = counts["count"] / totals
    counts["cum_share"] = cum / totals
    counts["rank"] = rank
    counts.insert(counts.columns.get_loc(cause_col) + 1, "cause_zh", counts[cause_col].map(names))
    out = counts.drop(columns="_order").rename(columns={cause_col: "cause"}).reset_index(drop=True)
    out["count"] = out["count"].astype(int)
    return out


# -- where: cause x dimension --------------------------------------------------------------------


def crosstab_possible(df: pd.DataFrame, dimension: str, *, cause_col: str = "cause") -> bool:
    """Whether ``crosstab_outliers(df, dimension)`` has something to compare: at least two causes
    and two values of ``dimension`` among the rows where both are given.

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints.
    dimension : str
        The column to compare causes across (store, channel ...).
    cause_col : str, default "cause"

    Returns
    -------
    bool

    Examples
    --------
    >>> df = pd.DataFrame({"cause": ["delivery", "delivery"], "store": ["A", "B"]})
    >>> crosstab_possible(df, "store")
    False
    """
    _require(df, cause_col, dimension)
    data = df[[cause_col, dimension]].dropna()
    # as crosstab_outliers counts them: causes as text, dimension values as they are
    return data[cause_col].astype(str).nunique() >= 2 and data[dimension].nunique() >= 2


def crosstab_outliers(df: pd.DataFrame, dimension: str, *, cause_col: str = "cause", alpha: float = 0.05,
                      correction: Correction = "holm", min_count: int = 5) -> pd.DataFrame:
    """Cells of the cause x dimension table that stand out statistically.

    For every cell the adjusted standardized residual of Haberman (1973) is computed,
    ``r = (O - E) / sqrt(E (1 - row/N) (1 - col/N))`` with ``E = row * col / N``; under
    independence it is approximately standard normal. Two-sided p-values are corrected for the
    number of cells (Holm by default), so a cell is flagged for its *surprise*, not its size:
    a large store with many complaints of every kind is not flagged, a small store with an
    unusual share of one cause is.

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints.
    dimension : str
        Column to cross with the cause (store, channel, product, domain, category ...); needs
        at least two values. Rows where it is missing are left out.
    cause_col : str, default "cause"
    alpha : float, default 0.05
        Significance level applied to the adjusted p-values.
    correction : {"holm", "fdr_bh"}, default "holm"
        Multiple-testing correction (see ``adjust_pvalues``).
    min_count : int, default 5
        Cells with fewer complaints are never flagged (too small to act on).

    Returns
    -------
    pandas.DataFrame
        One row per cell, sorted by residual descending: ``cause, cause_zh, <dimension>, count,
        expected, lift`` (count / expected), ``share_in_group`` (share of that dimension value's
        complaints with this cause), ``share_of_cause`` (share of this cause's complaints in that
        value), ``residual, p_value, p_adjusted, over_represented, under_represented``.
        ``attrs`` holds ``dimension``, ``correction``, ``alpha`` and the overall chi-square test
        (``chi2``, ``dof``, ``chi2_p``).

    Examples
    --------
    >>> out = crosstab_outliers(df, "store")  # doctest: +SKIP
    >>> out[out["over_represented"]][["cause", "store", "lift", "p_adjusted"]]  # doctest: +SKIP
    """
    _require(df, cause_col, dimension)
    data = df[[cause_col, dimension]].dropna()
    ct = pd.crosstab(data[cause_col].astype(str), data[dimension])
    if ct.shape[1] < 2 or ct.shape[0] < 2:  # what crosstab_possible tells beforehand
        raise ValueError(f"crosstab_outliers needs at least two causes and two values of {dimension!r}; "
                         f"found {ct.shape[0]} cause(s) and {ct.shape[1]} value(s)")
    ct = ct.loc[_cause_order(ct.index)]
    obs = ct.to_numpy(dtype=float)
    n = obs.sum()
    row = obs.sum(axis=1, keepdims=True)
    col = obs.sum(axis=0, keepdims=True)
    exp = row @ col / n
    resid = (obs - exp) / np.sqrt(exp * (1 - row / n) * (1 - col / n))
    pval = 2 * stats.norm.sf(np.abs(resid))
    padj = adjust_pvalues(pval.ravel(), correction).reshape(pval.shape)
    chi2, chi_p, dof, _ = stats.chi2_contingency(obs, correction=False)
    names = _names(df, cause_col)
    causes = np.repeat(ct.index.to_numpy(), ct.shape[1])
    values = np.tile(ct.columns.to_numpy(), ct.shape[0])
    out = pd.DataFrame({
        "cause": causes,
        "cause_zh": [names.get(c, c) for c in causes],
        dimension: values,
        "count": obs.ravel().astype(int),
        "expected": exp.ravel(),
        "lift": (obs / exp).ravel(),
        "share_in_group": (obs / col).ravel(),
        "share_of_cause": (obs / row).ravel(),
        "residual": resid.ravel(),
        "p_value": pval.ravel(),
        "p_adjusted": padj.ravel(),
    })
    sig = (out["p_adjusted"] < alpha) & (out["count"] >= min_count)
    out["over_represented"] = sig & (out["residual"] > 0)
    out["under_represented"] = (out["p_adjusted"] < alpha) & (out["residual"] < 0)
    out = out.sort_values(["residual", "count"], ascending=[False, False], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(dimension=dimension, correction=correction, alpha=alpha, chi2=float(chi2), dof=int(dof),
                     chi2_p=float(chi_p), n=int(n))
    return out


# -- when: trends and emerging issues ------------------------------------------------------------


#: complaint dates before this, or more than a year after today, are read as missing: placeholder
#: dates (9999-12-31, 1900-01-01, 1970-01-01) and typos (2203 for 2023) would otherwise stretch a
#: trend over centuries
EARLIEST_DATE = "1990-01-01"


def parse_dates(values: Any, *, earliest: str | pd.Timestamp = EARLIEST_DATE,
                latest: str | pd.Timestamp | None = None) -> pd.Series:
    """Complaint dates as datetimes; what is not a plausible complaint date becomes ``NaT``.

    Parameters
    ----------
    values : array-like
        Dates in any form ``pandas.to_datetime`` reads (text, datetimes, Excel dates).
    earliest, latest : date, optional
        The window of plausible dates: ``EARLIEST_DATE`` (1990-01-01) and, by default, a year
        after today. Dates outside it (placeholders such as 9999-12-31, typos) become ``NaT``
        like unreadable ones, so that trends are not stretched over centuries.

    Returns
    -------
    pandas.Series
        ``datetime64`` values, with the index of ``values`` when it is a Series.

    Examples
    --------
    >>> parse_dates(["2024-03-01", "9999-12-31", "not a date"]).isna().tolist()
    [False, True, True]
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    readers = (lambda: pd.to_datetime(series, errors="coerce"),
               lambda: pd.to_datetime(series, errors="coerce", utc=True),  # several UTC offsets in one column
               lambda: pd.to_datetime(series.astype(str), errors="coerce", utc=True))  # odd objects: as text
    for read in readers:
        try:
            dates = read()
            break
        except (TypeError, ValueError, OverflowError):
            continue
    else:
        dates = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    naive = dates.dt.tz_localize(None) if dates.dt.tz is not None else dates
    low = pd.Timestamp(earliest)
    high = pd.Timestamp(latest) if latest is not None else pd.Timestamp.now().normalize() + pd.Timedelta(days=366)
    return dates.where((naive >= low) & (naive <= high))


def _periods(df: pd.DataFrame, date_col: str, freq: str) -> pd.Series:
    _require(df, date_col)
    dates = parse_dates(df[date_col])
    if dates.notna().sum() == 0:
        raise ColumnError(f"column {date_col!r} holds no readable dates (e.g. 2025-03-31) from "
                          f"{EARLIEST_DATE} to a year from now; pass the date column")
    try:
        return dates.dt.to_period(freq)
    except ValueError as err:
        raise ValueError(f"freq {freq!r} is not a pandas period alias (use 'D', 'W', 'M', 'Q'): "
                         f"{err}") from None


def trend(df: pd.DataFrame, date_col: str, *, freq: str = "W", cause_col: str = "cause") -> pd.DataFrame:
    """Complaints per period and cause, with the cause's rate (share of the period's complaints).

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints.
    date_col : str
        Column with the complaint date (anything ``pandas.to_datetime`` reads); rows without a
        readable date are left out.
    freq : str, default "W"
        Pandas period alias: ``"D"``, ``"W"`` (weeks Monday to Sunday), ``"M"``, ``"Q"``.
    cause_col : str, default "cause"

    Returns
    -------
    pandas.DataFrame
        ``period`` (start of the period, a Timestamp), ``cause, cause_zh, count, total, rate``;
        every period between the first and last date appears for every cause (zeros included).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": ["2025-01-06", "2025-01-07", "2025-01-14"],
    ...                    "cause": ["delivery", "other", "delivery"]})
    >>> trend(df, "date")[["cause", "count", "rate"]].values.tolist()
    [['delivery', 1, 0.5], ['delivery', 1, 1.0], ['other', 1, 0.5], ['other', 0, 0.0]]
    """
    _require(df, cause_col)
    per = _periods(df, date_col, freq)
    ok = per.notna() & df[cause_col].notna()
    data = pd.DataFrame({"period": per[ok], "cause": df.loc[ok, cause_col].astype(str)})
    if data.empty:
        raise ValueError("trend: no rows with both a date and a cause")
    full = pd.period_range(data["period"].min(), data["period"].max(), freq=data["period"].iloc[0].freq)
    causes = _cause_order(data["cause"].unique())
    counts = data.groupby(["cause", "period"]).size()
    idx = pd.MultiIndex.from_product([causes, full], names=["cause", "period"])
    counts = counts.reindex(idx, fill_value=0).rename("count").reset_index()
    totals = data.groupby("period").size().reindex(full, fill_value=0)
    counts["total"] = counts["period"].map(totals).astype(int)
    counts["rate"] = np.where(counts["total"] > 0, counts["count"] / counts["total"].clip(lower=1), 0.0)
    counts["period"] = counts["period"].dt.start_time
    names = _names(df, cause_col)
    counts.insert(1, "cause_zh", counts["cause"].map(lambda c: names.get(c, c)))
    counts["count"] = counts["count"].astype(int)
    return counts


def emerging_issues(df: pd.DataFrame, date_col: str, *, freq: str = "W", recent: int = 4,
                    baseline: int | None = None, alpha: float = 0.01, min_count: int = 5,
                    terms: bool = False, by: str | None = None, cause_col: str = "cause",
                    text_col: str | None = None, tokenizer: Tokenizer | None = None,
                    correction: Correction = "fdr_bh") -> pd.DataFrame:
    """Causes (and optionally words) whose recent rate rose significantly above their own baseline.

    The last ``recent`` periods form the recent window; the ``baseline`` periods before it (all
    earlier periods when None) the baseline. The *rate* of an item is the share of complaints
    in a window that have it (the cause, or the word in the text), so a general rise in
    complaint volume does not flag every cause. Each item is tested with a one-sided Fisher
    exact test (hypergeometric: is the item's share in the recent window larger than in the
    baseline?); p-values are corrected over all items tested (Benjamini-Hochberg by default).
    An item is *emerging* when its adjusted p-value is below ``alpha``, its rate rose, and it
    occurs at least ``min_count`` times in the recent window. A flat series has p-values
    around 0.5 and is not flagged.

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints with a date column.
    date_col : str
        Complaint date column.
    freq : str, default "W"
        Period length (pandas period alias).
    recent : int, default 4
        Number of most recent periods in the recent window (the last period counts even when
        partial: rates are shares, so a short period is not penalised).
    baseline : int, optional
        Number of periods before the recent window used as baseline; all of them by default.
    alpha : float, default 0.01
        Significance level for the adjusted p-values.
    min_count : int, default 5
        Minimum number of recent complaints with the item. Words are only tested when they
        occur at least ``min_count`` times in both windows together (a filter independent of
        the test under the null hypothesis).
    terms : bool, default False
        Also test words (document frequency of tokens).
    by : str, optional
        Test within each value of this dimension (e.g. ``"store"``) instead of overall.
    cause_col : str, default "cause"
    text_col : str, optional
        Text column for ``terms`` (default ``df.attrs["text_col"]``, else a known text column name); a ``tokens``
        column is used when present.
    tokenizer : Tokenizer, optional
        For ``terms``; default ``Tokenizer(backend="auto")``.
    correction : {"fdr_bh", "holm"}, default "fdr_bh"

    Returns
    -------
    pandas.DataFrame
        One row per item (and ``by`` value): ``kind`` (cause / term), ``item``, ``label``
        (Chinese cause name or the word), ``[by,] count_before, count_after, total_before,
        total_after, per_period_before, per_period_after, rate_before, rate_after, ratio``
        (rate_after / rate_before), ``p_value, p_adjusted, emerging, test, correction``.
        Emerging items first, then by p-value. ``attrs`` holds the window bounds
        (``baseline_start``, ``recent_start``, ``recent_end``).

    Examples
    --------
    >>> em = emerging_issues(df, "date", recent=6)  # doctest: +SKIP
    >>> em[em["emerging"]][["label", "rate_before", "rate_after", "ratio", "p_adjusted"]]  # doctest: +SKIP
    """
    _require(df, cause_col, *([by] if by else []))
    if recent < 1:
        raise ValueError("recent must be at least 1 period")
    per = _periods(df, date_col, freq)
    ok = per.notna().to_numpy()
    if not ok.any():
        raise ValueError("emerging_issues: no rows with a readable date")
    first, last = per[ok].min(), per[ok].max()
    full = pd.period_range(first, last, freq=first.freq)
    if len(full) < recent + 1:
        raise ValueError(f"emerging_issues needs more than recent={recent} periods of data; "
                         f"the dates span {len(full)} period(s) of {freq!r}")
    recent_p = full[-recent:]
    base_p = full[:-recent] if baseline is None else full[max(0, len(full) - recent - baseline):-recent]
    window = np.where(per.isin(recent_p), 1, np.where(per.isin(base_p), 0, -1))
    rows = np.flatnonzero(ok & (window >= 0))
    win = window[rows]
    group = (df[by].to_numpy(dtype=object)[rows] if by else np.zeros(len(rows), dtype=object))

    # one record per (row, item): the row's cause, and its distinct words when terms=True
    items: list[tuple[np.ndarray, np.ndarray, str]] = [
        (np.arange(len(rows)), df[cause_col].astype(str).to_numpy()[rows], "cause")]
    if terms:
        toks = _tokens(df.iloc[rows], text_col, tokenizer)
        doc = np.repeat(np.arange(len(rows)), [len(set(t)) for t in toks])
        words = np.array([w for t in toks for w in dict.fromkeys(t)], dtype=object)
        items.append((doc, words, "term"))
    frames = []
    totals = pd.DataFrame({"g": group, "w": win}).groupby(["g", "w"]).size().unstack(fill_value=0)
    totals = totals.reindex(columns=[0, 1], fill_value=0)
    for doc, item, kind in items:
        rec = pd.DataFrame({"g": group[doc], "w": win[doc], "item": item})
        cnt = rec.groupby(["g", "item", "w"]).size().unstack(fill_value=0)
        cnt = cnt.reindex(columns=[0, 1], fill_value=0)
        cnt.columns = ["count_before", "count_after"]
        cnt = cnt.reset_index()
        cnt["kind"] = kind
        if kind == "term":
            cnt = cnt[cnt["count_before"] + cnt["count_after"] >= min_count]
        frames.append(cnt)
    res = pd.concat(frames, ignore_index=True)
    res["total_before"] = res["g"].map(totals[0]).astype(int)
    res["total_after"] = res["g"].map(totals[1]).astype(int)
    res = res[(res["total_before"] > 0) & (res["total_after"] > 0)].copy()
    nb, na = res["total_before"].to_numpy(), res["total_after"].to_numpy()
    xb, xa = res["count_before"].to_numpy(), res["count_after"].to_numpy()
    res["per_period_before"] = xb / len(base_p)
    res["per_period_after"] = xa / len(recent_p)
    res["rate_before"] = xb / nb
    res["rate_after"] = xa / na
    with np.errstate(divide="ignore", invalid="ignore"):
        res["ratio"] = np.where(xb > 0, (xa / na) / np.where(xb > 0, xb / nb, 1),
                                np.where(xa > 0, np.inf, np.nan))
    # P(X >= xa) for X ~ Hypergeometric(population nb+na, successes xb+xa, draws na)
    res["p_value"] = stats.hypergeom.sf(xa - 1, nb + na, xb + xa, na)
    res["p_adjusted"] = adjust_pvalues(res["p_value"].to_numpy(), correction)
    rose = res["rate_after"] > res["rate_before"]
    res["emerging"] = (res["p_adjusted"] < alpha) & rose & (xa >= min_count)
    res["test"] = "one-sided Fisher exact (hypergeometric)"
    res["correction"] = correction
    names = _names(df, cause_col)
    res["label"] = [names.get(i, i) if k == "cause" else i
                    for k, i in zip(res["kind"], res["item"], strict=True)]
    res = res.sort_values(["emerging", "kind", "p_value", "count_after"],
                          ascending=[False, True, True, False], kind="stable")
    cols = ["kind", "item", "label"] + (["g"] if by else []) + [
        "count_before", "count_after", "total_before", "total_after", "per_period_before", "per_period_after",
        "rate_before", "rate_after", "ratio", "p_value", "p_adjusted", "emerging", "test", "correction"]
    out = res[cols].rename(columns={"g": by} if by else {}).reset_index(drop=True)
    out.attrs.update(
        baseline_start=base_p[0].start_time if len(base_p) else None, recent_start=recent_p[0].start_time,
        recent_end=recent_p[-1].end_time.normalize(), freq=freq, alpha=alpha, by=by,
    )
    return out


# -- why: words ----------------------------------------------------------------------------------


def class_tfidf(df: pd.DataFrame, *, cause_col: str = "cause", text_col: str | None = None,
                tokenizer: Tokenizer | None = None, min_df: int = 3,
                exclude: Iterable[str] = FUNCTION_WORDS) -> pd.DataFrame:
    """Class-based TF-IDF (c-TF-IDF) of every word for every cause.

    All complaints of one cause are treated as one document. For word ``t`` and cause ``c``,
    ``score = tf(t, c) * log(1 + A / f(t))`` where ``tf`` is the word's frequency within the
    cause divided by the cause's word count, ``f(t)`` the word's frequency over all causes and
    ``A`` the average number of words per cause (Grootendorst 2022, BERTopic).

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints; a ``tokens`` column (see ``add_tokens``) is used when present.
    cause_col : str, default "cause"
    text_col : str, optional
        Default ``df.attrs["text_col"]``, else a known text column name.
    tokenizer : Tokenizer, optional
        Default: the module default ``complaintmine.tokenizer.dt``.
    min_df : int, default 3
        Ignore words in fewer complaints.
    exclude : iterable of str, default FUNCTION_WORDS
        Words left out (negations, intensifiers and fillers by default).

    Returns
    -------
    pandas.DataFrame
        Causes (index) x words (columns) of c-TF-IDF scores.

    Examples
    --------
    >>> scores = class_tfidf(df)  # doctest: +SKIP
    >>> scores.loc["delivery"].nlargest(3)  # doctest: +SKIP
    """
    from sklearn.feature_extraction.text import CountVectorizer

    _require(df, cause_col)
    toks = _tokens(df, text_col, tokenizer, exclude)
    labels = df[cause_col].astype(str).to_numpy()
    cv = CountVectorizer(analyzer=_identity, lowercase=False, min_df=min_df)
    X = cv.fit_transform(toks)
    classes = _cause_order(set(labels))
    idx = {c: i for i, c in enumerate(classes)}
    onehot = sparse.csr_matrix((np.ones(len(labels)), ([idx[c] for c in labels], np.arange(len(labels)))),
                               shape=(len(classes), len(labels)))
    counts = np.asarray((onehot @ X).todense(), dtype=float)
    words_per_class = counts.sum(axis=1, keepdims=True)
    tf = counts / np.maximum(words_per_class, 1)
    freq = counts.sum(axis=0)
    avg = counts.sum() / len(classes)
    score = tf * np.log1p(avg / np.maximum(freq, 1))
    return pd.DataFrame(score, index=pd.Index(classes, name="cause"), columns=cv.get_feature_names_out())


def distinctive_terms(df: pd.DataFrame, *, cause_col: str = "cause", text_col: str | None = None,
                      top: int = 15, tokenizer: Tokenizer | None = None, min_df: int = 3,
                      min_lift: float = 1.0, exclude: Iterable[str] = FUNCTION_WORDS) -> pd.DataFrame:
    """The words that distinguish each cause from the others (class-based TF-IDF).

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints; a ``tokens`` column (see ``add_tokens``) avoids re-tokenizing.
    cause_col : str, default "cause"
    text_col : str, optional
        Default ``df.attrs["text_col"]``, else a known text column name.
    top : int, default 15
        Words per cause.
    tokenizer : Tokenizer, optional
        Default: the module default ``complaintmine.tokenizer.dt`` (the project's jieba + complaint dictionary).
    min_df : int, default 3
        Ignore words in fewer complaints.
    min_lift : float, default 1.0
        Keep only words relatively more common in the cause than in the other causes
        (``lift`` above this): a word frequent everywhere is not distinctive.
    exclude : iterable of str, default FUNCTION_WORDS
        Words left out (negations, intensifiers and fillers by default).

    Returns
    -------
    pandas.DataFrame
        ``cause, cause_zh, rank, term, score`` (c-TF-IDF, see ``class_tfidf``), ``docs``
        (complaints of the cause with the word), ``share_in_cause`` (docs / complaints of the
        cause), ``share_elsewhere`` (the same share among the other causes) and ``lift``
        (share_in_cause / share_elsewhere).

    Examples
    --------
    >>> terms = distinctive_terms(df, top=5)  # doctest: +SKIP
    >>> terms[terms["cause"] == "delivery"]["term"].tolist()  # doctest: +SKIP
    ['送餐', '小时', '慢', '送到', '分钟']
    """
    from sklearn.feature_extraction.text import CountVectorizer

    if "tokens" not in df.columns:
        df = add_tokens(df, text_col=text_col, tokenizer=tokenizer)
    scores = class_tfidf(df, cause_col=cause_col, min_df=min_df, exclude=exclude)
    toks = _tokens(df, exclude=exclude)
    labels = df[cause_col].astype(str).to_numpy()
    names = _names(df, cause_col)
    # document frequency of every word, inside each cause and overall
    X = CountVectorizer(analyzer=_identity, lowercase=False, binary=True,
                        vocabulary=list(scores.columns)).fit_transform(toks)
    df_all = np.asarray(X.sum(axis=0)).ravel()
    rows = []
    for cause in scores.index:
        in_cause = labels == cause
        n_in, n_out = int(in_cause.sum()), max(int((~in_cause).sum()), 1)
        d_in = np.asarray(X[in_cause].sum(axis=0)).ravel()
        share_in = d_in / max(n_in, 1)
        share_out = (df_all - d_in) / n_out
        with np.errstate(divide="ignore", invalid="ignore"):
            lift = np.where(share_out > 0, share_in / np.where(share_out > 0, share_out, 1), np.inf)
        score = scores.loc[cause].to_numpy()
        ok = np.flatnonzero((score > 0) & (lift > min_lift))
        best = ok[np.lexsort((ok, -score[ok]))][:top]
        for rank, j in enumerate(best, 1):
            rows.append({"cause": cause, "cause_zh": names.get(cause, cause), "rank": rank,
                         "term": scores.columns[j], "score": float(score[j]), "docs": int(d_in[j]),
                         "share_in_cause": float(share_in[j]), "share_elsewhere": float(share_out[j]),
                         "lift": float(lift[j])})
    return pd.DataFrame(rows, columns=["cause", "cause_zh", "rank", "term", "score", "docs", "share_in_cause",
                                       "share_elsewhere", "lift"])


@dataclass
class Subtopics:
    """Result of ``subtopics``.

    Attributes
    ----------
    topics : pandas.DataFrame
        ``topic`` (0 = largest), ``label`` (top three words), ``top_words`` (list), ``n``
        (complaints assigned) and ``share`` (of the cause's complaints).
    assignment : pandas.DataFrame
        Indexed like the input rows of the cause: ``topic``, ``label`` and ``weight`` (the
        NMF weight of the assigned topic); ``topic`` is -1 for texts with no usable word.
    components : numpy.ndarray
        The NMF topic-word matrix (topics in ``topics`` order).
    vocabulary : numpy.ndarray
        The words of ``components``' columns.
    """

    topics: pd.DataFrame
    assignment: pd.DataFrame
    components: np.ndarray
    vocabulary: np.ndarray


def subtopics(df: pd.DataFrame, cause: str, *, n_topics: int = 5, random_state: int = 0,
              text_col: str | None = None, cause_col: str = "cause", top_words: int = 8,
              tokenizer: Tokenizer | None = None, min_df: int = 2, max_df: float = 0.5,
              exclude: Iterable[str] = FUNCTION_WORDS) -> Subtopics:
    """Sub-topics inside one cause: NMF over TF-IDF of the complaints' words.

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints; a ``tokens`` column (see ``add_tokens``) avoids re-tokenizing.
    cause : str
        The cause code to split (e.g. ``"delivery"``).
    n_topics : int, default 5
        Number of sub-topics.
    random_state : int, default 0
        Seed for NMF's initialisation: the same seed gives the same topics.
    text_col : str, optional
        Default ``df.attrs["text_col"]``, else a known text column name.
    cause_col : str, default "cause"
    top_words : int, default 8
        Words listed per sub-topic.
    tokenizer : Tokenizer, optional
    min_df : int, default 2
        Ignore words in fewer complaints of the cause.
    max_df : float, default 0.5
        Ignore words in more than this share of the cause's complaints (they name the cause,
        not a sub-topic).
    exclude : iterable of str, default FUNCTION_WORDS
        Words left out (negations, intensifiers and fillers by default).

    Returns
    -------
    Subtopics
        ``topics`` (label, top words, size, share) and ``assignment`` (topic per complaint).

    Examples
    --------
    >>> st = subtopics(df, "delivery", n_topics=4)  # doctest: +SKIP
    >>> st.topics[["label", "share"]]  # doctest: +SKIP
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    _require(df, cause_col)
    sub = df[df[cause_col].astype(str) == cause]
    if len(sub) < max(n_topics * 2, 5):
        raise ValueError(f"cause {cause!r} has {len(sub)} complaint(s); too few for {n_topics} sub-topics")
    toks = _tokens(sub, text_col, tokenizer, exclude)
    vec = TfidfVectorizer(analyzer=_identity, lowercase=False, min_df=min_df, max_df=max_df,
                          sublinear_tf=True)
    X = vec.fit_transform(toks)
    if X.shape[1] < n_topics:
        raise ValueError(f"cause {cause!r} has only {X.shape[1]} usable words; lower n_topics or min_df")
    nmf = NMF(n_components=n_topics, init="nndsvda", random_state=random_state, max_iter=500)
    W = nmf.fit_transform(X)
    H = nmf.components_
    vocab = vec.get_feature_names_out()
    raw = np.where(W.sum(axis=1) > 0, W.argmax(axis=1), -1)
    sizes = np.bincount(raw[raw >= 0], minlength=n_topics)
    order = np.lexsort((np.arange(n_topics), -sizes))  # largest first, ties by NMF index
    remap = np.full(n_topics, -1)
    remap[order] = np.arange(n_topics)
    H = H[order]
    words = [vocab[np.argsort(-h, kind="stable")[:top_words]].tolist() for h in H]
    labels = ["/".join(w[:3]) for w in words]
    topic = np.where(raw >= 0, remap[np.maximum(raw, 0)], -1)
    topics = pd.DataFrame({"topic": np.arange(n_topics), "label": labels, "top_words": words,
                           "n": sizes[order], "share": sizes[order] / len(sub)})
    assignment = pd.DataFrame({"topic": topic,
                               "label": [labels[t] if t >= 0 else "(no words)" for t in topic],
                               "weight": W.max(axis=1)}, index=sub.index)
    return Subtopics(topics=topics, assignment=assignment, components=H, vocabulary=vocab)


# -- co-occurrence, motives, risk ----------------------------------------------------------------


def cooccurrence(df: pd.DataFrame, *, causes_col: str = "causes", min_count: int = 1) -> pd.DataFrame:
    """Which causes are named together in the same complaint.

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints; ``causes_col`` holds ``;``-joined codes (or lists).
    causes_col : str, default "causes"
    min_count : int, default 1
        Leave out pairs seen in fewer complaints.

    Returns
    -------
    pandas.DataFrame
        One row per unordered pair: ``cause_a, cause_a_zh, cause_b, cause_b_zh, count,
        support`` (count / complaints), ``conf_a_b`` (share of complaints naming a that also
        name b), ``conf_b_a`` and ``lift`` (support / (P(a) P(b)); above 1 means the two
        go together more often than chance). Sorted by count descending.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"causes": ["delivery;product_quality", "delivery", "product_quality"]})
    >>> cooccurrence(df)[["cause_a", "cause_b", "count", "lift"]].values.tolist()
    [['product_quality', 'delivery', 1, 0.75]]
    """
    _require(df, causes_col)
    sets = [parse_codes(v) for v in df[causes_col]]
    codes = _cause_order({c for s in sets for c in s})
    idx = {c: i for i, c in enumerate(codes)}
    n = len(sets)
    rows = np.repeat(np.arange(n), [len(s) for s in sets])
    cols = [idx[c] for s in sets for c in s]
    M = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, len(codes)))
    M.data[:] = 1
    co = np.asarray((M.T @ M).todense())
    names = {c: cause_name(c) for c in codes}
    if "cause" in df.columns:
        names.update(_names(df))
    out = []
    for i in range(len(codes)):
        for j in range(i + 1, len(codes)):
            c = int(co[i, j])
            if c < max(min_count, 1):
                continue
            pa, pb = co[i, i] / n, co[j, j] / n
            out.append({"cause_a": codes[i], "cause_a_zh": names[codes[i]], "cause_b": codes[j],
                        "cause_b_zh": names[codes[j]], "count": c, "support": c / n,
                        "conf_a_b": c / co[i, i], "conf_b_a": c / co[j, j], "lift": (c / n) / (pa * pb)})
    cols_out = ["cause_a", "cause_a_zh", "cause_b", "cause_b_zh", "count", "support", "conf_a_b", "conf_b_a",
                "lift"]
    res = pd.DataFrame(out, columns=cols_out)
    # put the more frequent cause first in each pair
    swap = np.array([co[idx[a], idx[a]] < co[idx[b], idx[b]]
                     for a, b in zip(res["cause_a"], res["cause_b"], strict=True)], dtype=bool)
    if swap.any():
        a_cols, b_cols = ["cause_a", "cause_a_zh", "conf_a_b"], ["cause_b", "cause_b_zh", "conf_b_a"]
        res.loc[swap, a_cols + b_cols] = res.loc[swap, b_cols + a_cols].to_numpy()
    res = res.sort_values(["count", "lift"], ascending=[False, False], kind="stable").reset_index(drop=True)
    res["count"] = res["count"].astype(int)
    return res


def motive_risk_mix(df: pd.DataFrame, *, cause_col: str = "cause") -> pd.DataFrame:
    """Per cause: the motive mix, the risk mix and the mean motive scores.

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints (``motive``, ``motive_respect``, ``motive_compensation``,
        ``motive_venting``, ``risk_level``, ``risk_flags``).
    cause_col : str, default "cause"

    Returns
    -------
    pandas.DataFrame
        One row per cause, largest first: ``cause, cause_zh, count``, primary-motive shares
        ``motive_respect_share, motive_compensation_share, motive_venting_share,
        motive_none_share``, risk shares ``risk_low_share, risk_medium_share,
        risk_high_share``, ``safety_share`` (complaints flagged ``safety``), mean scores
        ``mean_respect, mean_compensation, mean_venting``, and ``dominant_motive`` /
        ``dominant_motive_zh``: the most frequent primary motive among respect,
        compensation and venting (ties: the highest mean score; ``none`` when no complaint of
        the cause shows a motive).

    Examples
    --------
    >>> mix = motive_risk_mix(df)  # doctest: +SKIP
    >>> mix[["cause_zh", "dominant_motive_zh", "risk_high_share"]]  # doctest: +SKIP
    """
    score_cols = [f"motive_{m}" for m in MOTIVES]
    _require(df, cause_col, "motive", "risk_level", *score_cols)
    names = _names(df, cause_col)
    data = df.assign(_cause=df[cause_col].astype(str))
    g = data.groupby("_cause", sort=False)
    out = pd.DataFrame({"count": g.size()})
    motive_share = pd.crosstab(data["_cause"], data["motive"].astype(str), normalize="index")
    for m in (*MOTIVES, "none"):
        out[f"motive_{m}_share"] = motive_share[m] if m in motive_share else 0.0
    risk_share = pd.crosstab(data["_cause"], data["risk_level"].astype(str), normalize="index")
    for lvl in ("low", "medium", "high"):
        out[f"risk_{lvl}_share"] = risk_share[lvl] if lvl in risk_share else 0.0
    if "risk_flags" in data.columns:
        safety = data["risk_flags"].fillna("").astype(str).str.split(";").map(lambda f: "safety" in f)
        out["safety_share"] = safety.groupby(data["_cause"]).mean()
    else:
        out["safety_share"] = 0.0
    for m in MOTIVES:
        out[f"mean_{m}"] = pd.to_numeric(data[f"motive_{m}"], errors="coerce").groupby(data["_cause"]).mean()
    shares = out[[f"motive_{m}_share" for m in MOTIVES]].to_numpy()
    means = out[[f"mean_{m}" for m in MOTIVES]].fillna(0).to_numpy()
    key = shares + 1e-9 * means  # shares first, mean scores break ties
    # a cause whose complaints show no motive at all has none (problem-solving advice, not 移情法)
    out["dominant_motive"] = np.where(shares.max(axis=1) > 0, np.asarray(MOTIVES, dtype=object)[key.argmax(axis=1)],
                                      "none")
    out["dominant_motive_zh"] = out["dominant_motive"].map(MOTIVE_NAMES)
    out = out.reset_index(names="cause")
    out.insert(1, "cause_zh", out["cause"].map(lambda c: names.get(c, c)))
    order = {c: i for i, c in enumerate(_cause_order(out["cause"]))}
    out = out.assign(_o=out["cause"].map(order)).sort_values(["count", "_o"], ascending=[False, True])
    return out.drop(columns="_o").reset_index(drop=True)


def demand_mix(df: pd.DataFrame, *, cause_col: str = "cause", top: int = 3) -> pd.DataFrame:
    """Per cause: what its customers ask for (the record card's ``demand`` column).

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints with a ``demand`` column (``;``-joined codes or ``none``).
    cause_col : str, default "cause"
    top : int, default 3
        How many demands ``top_demands`` names.

    Returns
    -------
    pandas.DataFrame
        One row per cause, largest first: ``cause, cause_zh, count``, ``demand_share`` (the
        share of its complaints that state any demand), ``demand_<code>_share`` for every code
        of ``DEMANDS`` (a complaint may state several), and ``top_demands``: the most frequent
        ones in words with their shares (``退款 34% · 解释 12%``; "" when none is stated).

    Examples
    --------
    >>> mix = demand_mix(df)  # doctest: +SKIP
    >>> mix[["cause_zh", "top_demands"]]  # doctest: +SKIP
    """
    _require(df, cause_col, "demand")
    names = _names(df, cause_col)
    cause = df[cause_col].astype(str)
    codes = df["demand"].fillna("none").astype(str).str.split(";")
    out = pd.DataFrame({"count": cause.groupby(cause, sort=False).size()})
    out["demand_share"] = codes.map(lambda c: c != ["none"] and c != [""]).groupby(cause).mean()
    for code in DEMANDS:
        out[f"demand_{code}_share"] = codes.map(lambda c, code=code: code in c).groupby(cause).mean()
    share_cols = [f"demand_{code}_share" for code in DEMANDS]

    def words(row: pd.Series) -> str:
        ranked = sorted(((row[col], i) for i, col in enumerate(share_cols) if row[col] > 0),
                        key=lambda t: (-t[0], t[1]))
        return " · ".join(f"{DEMAND_NAMES[DEMANDS[i]]} {share:.0%}" if share >= 0.005 else
                          f"{DEMAND_NAMES[DEMANDS[i]]} <1%" for share, i in ranked[:top])

    out["top_demands"] = out.apply(words, axis=1) if len(out) else pd.Series(dtype=str)
    out = out.reset_index(names="cause")
    out.insert(1, "cause_zh", out["cause"].map(lambda c: names.get(c, c)))
    order = {c: i for i, c in enumerate(_cause_order(out["cause"]))}
    out = out.assign(_o=out["cause"].map(order)).sort_values(["count", "_o"], ascending=[False, True])
    return out.drop(columns="_o").reset_index(drop=True)


# -- examples ------------------------------------------------------------------------------------


def representative(df: pd.DataFrame, *, cause: str | None = None, n: int = 3, text_col: str | None = None,
                   by: Literal["centroid", "score"] = "centroid", where: Mapping[str, Any] | None = None,
                   cause_col: str = "cause", min_chars: int = 8, max_chars: int | None = 200,
                   tokenizer: Tokenizer | None = None, exclude: Iterable[str] = FUNCTION_WORDS,
                   ) -> pd.DataFrame:
    """The most typical complaints of a finding (never a random draw), PII-masked, with evidence.

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints.
    cause : str, optional
        Restrict to complaints with this primary cause.
    n : int, default 3
        Number of complaints.
    text_col : str, optional
        Default ``df.attrs["text_col"]``, else a known text column name.
    by : {"centroid", "score"}, default "centroid"
        ``"centroid"``: the complaints closest (cosine) to the mean TF-IDF vector of the group,
        i.e. those that use the group's most common words. ``"score"``: the highest
        ``cause_score`` (the classifier's most confident).
    where : mapping, optional
        Further restrict the group, e.g. ``{"store": "成都锦江店"}`` (a value or a list of values).
    cause_col : str, default "cause"
    min_chars : int, default 8
        Skip texts shorter than this (too terse to show).
    max_chars : int, optional, default 200
        Cut the displayed text to this length (``…`` marks the cut).
    tokenizer : Tokenizer, optional
    exclude : iterable of str, default FUNCTION_WORDS
        Words ignored when computing the centroid.

    Returns
    -------
    pandas.DataFrame
        Up to ``n`` rows, indexed like ``df``: ``rank, text`` (normalized, PII masked),
        ``evidence`` (masked), ``cause, cause_zh, cause_score, motive, risk_level`` (those
        present) and ``similarity`` (cosine to the centroid; NaN for ``by="score"``).
        Duplicated texts are shown once.

    Examples
    --------
    >>> representative(df, cause="delivery", n=2, where={"store": "杭州西湖店"})  # doctest: +SKIP
    """
    col = _text_col(df, text_col)
    sub = df
    if cause is not None:
        _require(df, cause_col)
        sub = sub[sub[cause_col].astype(str) == cause]
    for key, value in (where or {}).items():
        _require(df, key)
        values = value if isinstance(value, (list, tuple, set)) else [value]
        sub = sub[sub[key].isin(values)]
    shown = pd.Series(normalize_many(sub[col].tolist()), index=sub.index, dtype=object)  # = .map(normalize)
    keep = (shown.str.len() >= min_chars) & ~shown.duplicated()
    if not keep.any():
        keep = shown.str.len() > 0
    sub, shown = sub[keep], shown[keep]
    cols = [c for c in ("cause", "cause_zh", "cause_score", "motive", "risk_level") if c in sub.columns]
    if sub.empty:
        return pd.DataFrame(columns=["rank", "text", "evidence", *cols, "similarity"])
    if by == "centroid":
        from sklearn.feature_extraction.text import TfidfVectorizer

        toks = _tokens(sub, col, tokenizer, exclude)
        if sum(map(len, toks)) == 0:
            sim = np.zeros(len(sub))
        else:
            X = TfidfVectorizer(analyzer=_identity, lowercase=False, sublinear_tf=True).fit_transform(toks)
            centroid = np.asarray(X.mean(axis=0)).ravel()
            norm = np.linalg.norm(centroid)
            sim = X @ centroid / norm if norm else np.zeros(len(sub))
        order = np.lexsort((np.arange(len(sub)), -np.asarray(sim)))
        similarity = np.asarray(sim)
    elif by == "score":
        _require(sub, "cause_score")
        score = pd.to_numeric(sub["cause_score"], errors="coerce").fillna(0).to_numpy()
        order = np.lexsort((np.arange(len(sub)), -score))
        similarity = np.full(len(sub), np.nan)
    else:
        raise ValueError(f"by must be 'centroid' or 'score', got {by!r}")
    pick = order[:n]
    text = shown.iloc[pick]
    if max_chars:
        text = text.map(lambda t: t if len(t) <= max_chars else t[: max_chars - 1] + "…")
    out = pd.DataFrame({"rank": np.arange(1, len(pick) + 1), "text": text.to_numpy()}, index=sub.index[pick])
    out["evidence"] = (sub["evidence"].iloc[pick].fillna("").astype(str).map(normalize).to_numpy()
                       if "evidence" in sub.columns else "")
    for c in cols:
        out[c] = sub[c].iloc[pick].to_numpy()
    out["similarity"] = similarity[pick]
    return out
