"""Charts for root-cause exploration, with Chinese labels that render on any machine.

Each function draws on ``ax`` (a new figure when None) and returns the matplotlib ``Axes``:
``pareto_chart``, ``heatmap``, ``trend_lines``, ``motive_mix`` and ``keyword_bars``. They
accept the frames returned by ``complaintmine.analysis``.

Chinese text needs a CJK font. ``use_chinese_font`` (called by every plot function) registers
Noto Sans SC, shipped inside the ``pylopdf-fonts-zh-cn`` dependency (SIL Open Font License
1.1), so charts look the same on every machine; when that package is missing it falls back
to a CJK font installed on the system (Noto Sans CJK, Source Han Sans, WenQuanYi, SimHei,
Microsoft YaHei, PingFang ...), and warns once, naming what to install, when there is none.

Examples
--------
>>> from complaintmine import analysis, plots
>>> ax = plots.pareto_chart(analysis.pareto(df))  # doctest: +SKIP
>>> ax.figure.savefig("pareto.png", dpi=150)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .taxonomy import MOTIVE_NAMES, MOTIVES

__all__ = [
    "use_chinese_font",
    "chinese_font_path",
    "pareto_chart",
    "heatmap",
    "trend_lines",
    "motive_mix",
    "keyword_bars",
    "CJK_FAMILIES",
]

#: system font families tried (in order) when the packaged Noto Sans SC is not installed
CJK_FAMILIES = (
    "Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Sarasa Gothic SC", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC",
    "Hiragino Sans GB", "STHeiti", "Droid Sans Fallback", "AR PL UMing CN", "Noto Sans CJK JP",
    "Arial Unicode MS",
)  # fmt: skip

_state: dict[str, Any] = {"family": None, "path": None, "warned": False, "searched": False}

_RISK_NAMES = {"low": "低", "medium": "中", "high": "高"}
_MOTIVE_COLORS = {"respect": "#4C72B0", "compensation": "#DD8452", "venting": "#C44E52", "none": "#BBBBBB"}
_RISK_COLORS = {"low": "#8FBC8F", "medium": "#F0C05A", "high": "#C44E52"}


def _packaged_font() -> str | None:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = str(pylopdf_fonts_zh_cn.sans_path())
    return path if os.path.exists(path) else None


def _find_font() -> tuple[str | None, str | None]:
    from matplotlib import font_manager

    path = _packaged_font()
    if path is not None:
        font_manager.fontManager.addfont(path)
        return font_manager.FontProperties(fname=path).get_name(), path
    by_name = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in by_name:
            return family, by_name[family]
    return None, None


def use_chinese_font(family: str | None = None) -> str | None:
    """Make matplotlib draw Chinese text; return the font family used (None when none found).

    Idempotent and cheap: the font is looked up once, and later calls only make sure it is
    still first in ``rcParams["font.sans-serif"]`` (so a style reset is repaired).

    Parameters
    ----------
    family : str, optional
        Use this installed font family instead of the automatic choice.

    Returns
    -------
    str or None
        The family set in ``rcParams["font.sans-serif"]``.

    Warns
    -----
    UserWarning
        Once, when no Chinese font is available, naming what to install.

    Examples
    --------
    >>> from complaintmine.plots import use_chinese_font
    >>> use_chinese_font()  # doctest: +SKIP
    'Noto Sans SC'
    """
    import matplotlib as mpl

    if family is not None:
        _state.update(family=family, searched=True)
    elif not _state["searched"]:
        _state["family"], _state["path"] = _find_font()
        _state["searched"] = True
    chosen = _state["family"]
    if chosen is None:
        if not _state["warned"]:
            warnings.warn(
                "complaintmine.plots: no Chinese font found, so Chinese labels will show as empty boxes. "
                "Install one: pip install pylopdf-fonts-zh-cn (Noto Sans SC, installed with complaintmine), "
                "or apt-get install fonts-noto-cjk.", UserWarning, stacklevel=3)
            _state["warned"] = True
        return None
    current = list(mpl.rcParams["font.sans-serif"])
    if current[:1] != [chosen]:
        mpl.rcParams["font.sans-serif"] = [chosen] + [f for f in current if f != chosen]
    if mpl.rcParams["font.family"] != ["sans-serif"]:
        mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["axes.unicode_minus"] = False
    return chosen


def chinese_font_path() -> str | None:
    """Return the file of the Chinese font ``use_chinese_font`` chose (None when none)."""
    use_chinese_font()
    if _state["path"] is None and _state["family"] is not None:
        from matplotlib import font_manager

        _state["path"] = font_manager.findfont(_state["family"], fallback_to_default=False)
    return _state["path"]


def _axes(ax: Any, figsize: tuple[float, float]) -> Any:
    import matplotlib.pyplot as plt

    use_chinese_font()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _label_col(frame: pd.DataFrame) -> str:
    return "cause_zh" if "cause_zh" in frame.columns else "cause"


# -- Pareto --------------------------------------------------------------------------------------


def pareto_chart(data: pd.DataFrame, *, top: int | None = None, ax: Any = None,
                 title: str | None = "投诉原因帕累托图", threshold: float | None = 0.8) -> Any:
    """Bars of complaints per cause (largest first) with the cumulative share as a line.

    Parameters
    ----------
    data : pandas.DataFrame
        ``analysis.pareto`` output (one group), or classified complaints (the table is computed).
    top : int, optional
        Show only the ``top`` causes.
    ax : matplotlib Axes, optional
    title : str, optional
    threshold : float, optional, default 0.8
        Draw a reference line at this cumulative share (the 80/20 rule); None for none.

    Returns
    -------
    matplotlib.axes.Axes
        The bar axes (the cumulative line is on a twin axis, ``ax.right_ax``).

    Examples
    --------
    >>> ax = pareto_chart(analysis.pareto(df), top=8)  # doctest: +SKIP
    """
    from matplotlib.ticker import PercentFormatter

    from .analysis import pareto

    table = data if "cum_share" in data.columns else pareto(data)
    if "rank" in table.columns and (table["rank"] == 1).sum() > 1:
        raise ValueError("pareto_chart draws one group; select it first, e.g. table[table['store'] == '...']")
    if top:
        table = table.head(top)
    ax = _axes(ax, (8, 4.5))
    x = np.arange(len(table))
    ax.bar(x, table["count"], color="#4C72B0")
    ax.set_xticks(x, table[_label_col(table)], rotation=30, ha="right")
    ax.set_ylabel("投诉数")
    right = ax.twinx()
    right.plot(x, table["cum_share"], color="#C44E52", marker="o", lw=2)
    right.set_ylim(0, 1.05)
    right.yaxis.set_major_formatter(PercentFormatter(1.0))
    right.set_ylabel("累计占比")
    if threshold:
        right.axhline(threshold, color="#888888", ls="--", lw=1)
    for xi, (cnt, share) in enumerate(zip(table["count"], table["share"], strict=True)):
        ax.annotate(f"{share:.0%}", (xi, cnt), ha="center", va="bottom", fontsize=8)
    if title:
        ax.set_title(title)
    ax.right_ax = right
    return ax


# -- heatmap -------------------------------------------------------------------------------------


def heatmap(data: pd.DataFrame, *, values: str = "residual", index: str | None = None,
            columns: str | None = None, mark: str | None = "over_represented", annot: bool = True,
            fmt: str = ".1f", cmap: str | None = None, center: float | None = 0.0, ax: Any = None,
            title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
            colorbar_label: str | None = None, max_columns: int | None = 30) -> Any:
    """A heatmap of a matrix: crosstab residuals (long format) or any wide table (e.g. a confusion matrix).

    Parameters
    ----------
    data : pandas.DataFrame
        Either long format, like ``analysis.crosstab_outliers`` output (pivoted with ``index``,
        ``columns`` and ``values``), or a wide matrix (its index and columns are the axes) when
        it has no ``values`` column.
    values : str, default "residual"
        Column with the cell values (long format).
    index, columns : str, optional
        Row and column keys (long format). Default rows ``cause_zh`` (or ``cause``), columns the
        crosstab's dimension (``data.attrs["dimension"]``).
    mark : str, optional, default "over_represented"
        Boolean column (long format) whose True cells get a black frame; ignored when absent.
    annot : bool, default True
        Write the values in the cells.
    fmt : str, default ".1f"
        Number format of the annotations.
    cmap : str, optional
        Colormap; default diverging ``"RdBu_r"`` when ``center`` is set, else ``"Blues"``.
    center : float or None, default 0.0
        Value at the middle of a diverging colormap; None for a sequential scale.
    ax : matplotlib Axes, optional
    title, xlabel, ylabel, colorbar_label : str, optional
    max_columns : int or None, default 30
        Long format: show at most this many of the dimension's values, those with the most
        complaints (the ``count`` column), and say so in the x label; a dimension with thousands
        of values (stores, products) would otherwise draw an unreadable chart for minutes.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = heatmap(analysis.crosstab_outliers(df, "store"), title="调整后标准化残差")  # doctest: +SKIP
    >>> ax = heatmap(confusion_frame, center=None, fmt="d")  # doctest: +SKIP
    """
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.patches import Rectangle

    marks = None
    if values in data.columns:
        index = index or _label_col(data)
        columns = columns or data.attrs.get("dimension")
        if columns is None:
            raise ValueError("heatmap: pass columns=... (the dimension column of the long table)")
        shown_of = None
        if max_columns is not None and data[columns].nunique() > max_columns:
            weight = data["count"] if "count" in data.columns else pd.Series(1, index=data.index)
            top = weight.groupby(data[columns], sort=False).sum().nlargest(max_columns).index
            shown_of = (max_columns, data[columns].nunique())
            data = data[data[columns].isin(top)]
        matrix = data.pivot_table(index=index, columns=columns, values=values, aggfunc="first", sort=False)
        if mark and mark in data.columns:
            marks = data.pivot_table(index=index, columns=columns, values=mark, aggfunc="first",
                                     sort=False).reindex_like(matrix).fillna(False).astype(bool)
        xlabel = xlabel if xlabel is not None else str(columns)
        if shown_of is not None:
            xlabel += f"（投诉最多的 {shown_of[0]} 个取值，共 {shown_of[1]:,} 个）"
    else:
        matrix = data
    arr = matrix.to_numpy(dtype=float)
    ax = _axes(ax, (max(6, 0.9 * arr.shape[1] + 3), max(4, 0.45 * arr.shape[0] + 1.5)))
    if center is not None:
        lim = np.nanmax(np.abs(arr - center)) if np.isfinite(arr).any() else 1.0
        lim = lim or 1.0
        norm = TwoSlopeNorm(vcenter=center, vmin=center - lim, vmax=center + lim)
        cmap = cmap or "RdBu_r"
    else:
        norm = None
        cmap = cmap or "Blues"
    im = ax.imshow(arr, cmap=cmap, norm=norm, aspect="auto")
    ax.set_xticks(np.arange(arr.shape[1]), [str(c) for c in matrix.columns], rotation=30, ha="right")
    ax.set_yticks(np.arange(arr.shape[0]), [str(i) for i in matrix.index])
    cbar = ax.figure.colorbar(im, ax=ax, shrink=0.8)
    if colorbar_label or values in data.columns:
        cbar.set_label(colorbar_label or ("调整后标准化残差" if values == "residual" else values))
    if annot:
        for i in range(arr.shape[0]):
            for j in range(arr.shape[1]):
                v = arr[i, j]
                if np.isnan(v):
                    continue
                text = format(int(round(v)), fmt) if fmt.endswith("d") else format(v, fmt)
                shade = float(im.norm(v))  # 0..1 position on the colormap
                dark = abs(shade - 0.5) > 0.3 if center is not None else shade > 0.6
                ax.text(j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black")
    if marks is not None:
        for i, j in zip(*np.nonzero(marks.to_numpy()), strict=True):
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="black", lw=2))
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax


# -- trends --------------------------------------------------------------------------------------


def trend_lines(trend: pd.DataFrame, *, emerging: pd.DataFrame | None = None,
                causes: Sequence[str] | None = None, top: int = 5, value: str = "rate", ax: Any = None,
                title: str | None = "投诉原因趋势") -> Any:
    """One line per cause over time; emerging causes drawn thick and the recent window shaded.

    Parameters
    ----------
    trend : pandas.DataFrame
        ``analysis.trend`` output.
    emerging : pandas.DataFrame, optional
        ``analysis.emerging_issues`` output: causes flagged ``emerging`` are highlighted (and
        always shown), the recent window is shaded.
    causes : sequence of str, optional
        Cause codes to draw; default the ``top`` largest plus the emerging ones.
    top : int, default 5
    value : {"rate", "count"}, default "rate"
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> em = analysis.emerging_issues(df, "date")  # doctest: +SKIP
    >>> ax = trend_lines(analysis.trend(df, "date"), emerging=em)  # doctest: +SKIP
    """
    from matplotlib.ticker import PercentFormatter

    flagged: list[str] = []
    if emerging is not None and len(emerging):
        sel = emerging[(emerging["kind"] == "cause") & emerging["emerging"]]
        flagged = list(dict.fromkeys(sel["item"].astype(str)))
    if causes is None:
        totals = trend.groupby("cause")["count"].sum().sort_values(ascending=False, kind="stable")
        causes = list(dict.fromkeys(list(totals.index[:top]) + flagged))
    ax = _axes(ax, (9, 4.5))
    colors = {c: f"C{i % 10}" for i, c in enumerate(causes)}
    for cause in causes:
        part = trend[trend["cause"] == cause].sort_values("period")
        if part.empty:
            continue
        is_flag = cause in flagged
        label = str(part[_label_col(part)].iloc[0]) + (" (新兴)" if is_flag else "")
        ax.plot(part["period"], part[value], label=label, color=colors[cause], lw=3 if is_flag else 1.3,
                alpha=1 if is_flag or not flagged else 0.7)
    if emerging is not None and emerging.attrs.get("recent_start") is not None:
        ax.axvspan(emerging.attrs["recent_start"], emerging.attrs["recent_end"], color="#F0C05A", alpha=0.25,
                   label="近期窗口")
    if value == "rate":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("占当期投诉比例")
    else:
        ax.set_ylabel("投诉数")
    ax.set_xlabel("周期")
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    if title:
        ax.set_title(title)
    ax.figure.autofmt_xdate()
    return ax


# -- motive / risk mix ---------------------------------------------------------------------------


def motive_mix(mix: pd.DataFrame, *, kind: str = "motive", top: int | None = None, ax: Any = None,
               title: str | None = None) -> Any:
    """Stacked horizontal bars: the motive (or risk) mix of each cause.

    Parameters
    ----------
    mix : pandas.DataFrame
        ``analysis.motive_risk_mix`` output.
    kind : {"motive", "risk"}, default "motive"
        Stack primary-motive shares (求尊重 / 求补偿 / 求发泄 / 无) or risk-level shares (低 / 中 / 高).
    top : int, optional
        Only the ``top`` largest causes.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = motive_mix(analysis.motive_risk_mix(df), kind="risk")  # doctest: +SKIP
    """
    from matplotlib.ticker import PercentFormatter

    if kind == "motive":
        parts = [(f"motive_{m}_share", MOTIVE_NAMES[m], _MOTIVE_COLORS[m]) for m in (*MOTIVES, "none")]
        title = title if title is not None else "各原因的投诉动机构成"
    elif kind == "risk":
        parts = [(f"risk_{lvl}_share", f"{_RISK_NAMES[lvl]}风险", _RISK_COLORS[lvl])
                 for lvl in ("low", "medium", "high")]
        title = title if title is not None else "各原因的升级风险构成"
    else:
        raise ValueError(f"kind must be 'motive' or 'risk', got {kind!r}")
    table = mix.head(top) if top else mix
    table = table.iloc[::-1]  # largest on top
    ax = _axes(ax, (8, max(3, 0.4 * len(table) + 1.5)))
    y = np.arange(len(table))
    left = np.zeros(len(table))
    for col, label, color in parts:
        vals = table[col].to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=color, label=label)
        left += vals
    labels = [f"{name} (n={n})" for name, n in zip(table[_label_col(table)], table["count"], strict=True)]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(parts), fontsize=8, frameon=False)
    if title:
        ax.set_title(title, pad=24)
    return ax


# -- keywords ------------------------------------------------------------------------------------


def keyword_bars(terms: pd.DataFrame, *, cause: str | None = None, top: int = 10, value: str = "score",
                 ax: Any = None, title: str | None = None) -> Any:
    """Horizontal bars of the most distinctive words of one cause.

    Parameters
    ----------
    terms : pandas.DataFrame
        ``analysis.distinctive_terms`` output (or any frame with ``term`` and ``value``).
    cause : str, optional
        Cause code to show; default the first cause in ``terms``.
    top : int, default 10
    value : str, default "score"
        Column to plot (``score`` = c-TF-IDF, or ``lift``, ``share_in_cause``).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = keyword_bars(analysis.distinctive_terms(df), cause="delivery")  # doctest: +SKIP
    """
    part = terms
    if "cause" in terms.columns:
        cause = cause or str(terms["cause"].iloc[0])
        part = terms[terms["cause"] == cause]
        if part.empty:
            raise ValueError(f"keyword_bars: no terms for cause {cause!r}")
    part = part.sort_values(value, ascending=False, kind="stable").head(top).iloc[::-1]
    ax = _axes(ax, (6, max(3, 0.35 * len(part) + 1.2)))
    ax.barh(np.arange(len(part)), part[value], color="#4C72B0")
    ax.set_yticks(np.arange(len(part)), part["term"])
    axis_names = {"score": "c-TF-IDF", "lift": "提升度 (lift)", "share_in_cause": "出现比例"}
    ax.set_xlabel(axis_names.get(value, value))
    if title is None and "cause_zh" in part.columns and len(part):
        title = f"「{part['cause_zh'].iloc[0]}」的特征词"
    if title:
        ax.set_title(title)
    return ax
