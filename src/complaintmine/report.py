"""A one-file HTML root-cause report a manager can read without Python (``complaintmine report``).

``write_report`` writes a single self-contained UTF-8 HTML file: inline CSS, charts embedded
as base64 PNG, no scripts and no external resources. It holds the summary numbers, the
Pareto chart, where causes concentrate, trends and emerging issues (when there is a date
column), the motive and risk mix, and the ranked improvement actions with the handling
playbook and typical complaints (PII masked). Every piece of text from the data is
HTML-escaped.

Examples
--------
>>> import complaintmine as cm
>>> from complaintmine.report import write_report
>>> df = cm.analyze(cm.read_complaints("data/demo/complaints_demo.csv"))  # doctest: +SKIP
>>> write_report(df, "out/report.html", date_col="date")  # doctest: +SKIP

From the shell::

    complaintmine report data/demo/complaints_demo.csv -o out/report.html --date-col date
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import analysis, kpi, plots
from .atomic import atomic_path
from .errors import ColumnError, EmptyInputError, OutputError
from .io import columns_named
from .recommend import load_playbook, recommend
from .schema import NUMERIC_COLUMNS, OUTPUT_COLUMNS, is_classified

__all__ = ["write_report", "render_report", "check_report_path", "detect_date_column", "detect_dimensions",
           "dim_name", "DATE_COLUMN_NAMES", "DIMENSION_COLUMN_NAMES", "DIMENSION_LABELS"]

#: column names tried as the date column when none is given (CLI)
DATE_COLUMN_NAMES = (
    "date", "日期", "投诉日期", "投诉时间", "创建时间", "提交时间", "created_at", "created", "time",
    "timestamp",
)  # fmt: skip
#: column names tried as dimensions when none are given
DIMENSION_COLUMN_NAMES = (
    "store", "门店", "channel", "渠道", "product", "产品", "category", "品类", "city", "城市", "department",
    "部门",
)  # fmt: skip

#: how the report names common dimension columns (others keep their own name)
DIMENSION_LABELS = {
    "store": "门店", "shop": "门店", "channel": "渠道", "product": "产品", "category": "品类", "city": "城市",
    "department": "部门", "region": "区域", "brand": "品牌", "province": "省份", "agent": "客服",
}  # fmt: skip


def dim_name(dim: str) -> str:
    """The name a reader sees for a dimension column: 门店 for ``store`` ...; other names unchanged.

    Examples
    --------
    >>> dim_name("store"), dim_name("Channel"), dim_name("大区")
    ('门店', '渠道', '大区')
    """
    return DIMENSION_LABELS.get(str(dim).strip().lower(), str(dim))


def _friendly_where(text: str, dims: Sequence[str]) -> str:
    """``recommend``'s ``store=成都锦江店 (×2.4, p<0.001); channel=APP ...`` with the reader's names."""
    for dim in dims:
        text = re.sub(rf"(^|; ){re.escape(str(dim))}=", lambda m, d=dim: f"{m.group(1)}{dim_name(d)} ", text)
    return text


_CSS = """
body{font-family:"cm-report-zh","Noto Sans SC","Noto Sans CJK SC","Source Han Sans SC","PingFang SC",
"Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:0;background:#f5f6f8;color:#222;line-height:1.55}
main{max-width:1100px;margin:0 auto;padding:24px 32px;background:#fff}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;border-bottom:2px solid #4C72B0;padding-bottom:4px;margin-top:36px}
h3{font-size:16px;margin:18px 0 6px}.meta{color:#666;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{flex:1 1 180px;border:1px solid #dde;border-radius:8px;padding:10px 14px;background:#fafbff}
.card .v{font-size:22px;font-weight:bold;color:#2b4c8c}.card .k{font-size:12px;color:#666}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
th,td{border:1px solid #e1e4ea;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f7}td.n{text-align:right;white-space:nowrap}
img{max-width:100%;height:auto;display:block;margin:8px auto}
.action{border:1px solid #dde;border-left:5px solid #4C72B0;border-radius:6px;padding:10px 16px;margin:14px 0}
.action.hot{border-left-color:#C44E52}.tag{display:inline-block;background:#C44E52;color:#fff;border-radius:4px;
padding:0 6px;font-size:12px;margin-left:6px}.tag.esc{background:#8B0000}
.ex{background:#f6f6f6;border-radius:4px;padding:4px 8px;margin:4px 0;font-size:13px}
.note{font-size:12px;color:#555}
.headline{background:#f0f6ff;border-left:4px solid #2b6cb0;padding:4px 16px;margin-top:12px}
.headline li{margin:6px 0;font-size:1.05em}
.ex.claim{margin:0 0 6px 18px;font-size:.92em;color:#555;border-left:2px solid #ccd}
"""


# -- helpers -------------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    plots.use_chinese_font()
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _img(fig: Any, alt: str) -> str:
    return f'<img src="{_png(fig)}" alt="{_e(alt)}">'


def _pct(x: float) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.1%}"


def _table(frame: pd.DataFrame, columns: dict[str, str], numeric: Sequence[str] = ()) -> str:
    head = "".join(f"<th>{_e(label)}</th>" for label in columns.values())
    body = []
    for _, row in frame.iterrows():
        cells = []
        for col in columns:
            cls = ' class="n"' if col in numeric else ""
            cells.append(f"<td{cls}>{_e(row[col])}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def check_report_path(path: str | os.PathLike[str]) -> Path:
    """Check that the report can be written to ``path`` (an .html file in a writable folder),
    before any slow work; raises ``OutputError`` saying what to do."""
    p = Path(path)
    if p.suffix.lower() not in (".html", ".htm"):
        raise OutputError(f"{p}: the report is an HTML file; give a name ending in .html, e.g. report.html")
    if p.is_dir():
        raise OutputError(f"{p} is a folder; give a file name, e.g. {p / 'report.html'}")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{p}: folder {folder} does not exist; create it first (mkdir -p {folder}).")
    if not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise OutputError(f"{p}: permission denied; choose a folder you can write to.")
    return p


def _font_face(page: str) -> str:
    """CSS ``@font-face`` embedding the Chinese font subset to the characters of ``page``.

    The report then shows Chinese on machines without any Chinese font (a WOFF subset of the
    font ``plots.use_chinese_font`` chose, typically 100-300 kB). Empty when no font is found
    or subsetting fails: the CSS font list then falls back to the reader's system fonts.
    """
    path = plots.chinese_font_path()
    if not path:
        return ""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        chars = {ord(ch) for ch in page if not ch.isspace()} | set(range(0x20, 0x7F))
        options = subset.Options()
        options.flavor = "woff"
        options.hinting = False
        font = TTFont(path, lazy=True, fontNumber=0)
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes=sorted(chars))
        subsetter.subset(font)
        buf = io.BytesIO()
        font.flavor = "woff"
        font.save(buf)
    except Exception:  # a missing or unusual font must not stop the report
        return ""
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return ("@font-face{font-family:'cm-report-zh';font-style:normal;font-weight:400;"
            f"src:url(data:font/woff;base64,{data}) format('woff')}}")


def _model_tokenizer(model: Any) -> Any:
    """The segmenter of the classifying model, so that the report's words are its words."""
    if model is None:
        from .tokenizer import default_tokenizer

        return default_tokenizer()  # the bundled model's settings
    from .model import as_model

    return as_model(model).tokenizer


def _prepare(df: pd.DataFrame, text_col: str | None, model: Any) -> pd.DataFrame:
    """Classify a raw export, or check and type the columns of an already classified one."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if df.empty:
        raise EmptyInputError("the complaints frame has no rows; nothing to report")
    if not is_classified(df.columns):
        from .pipeline import analyze

        return analyze(df, text_col=text_col, model=model)
    missing = [c for c in OUTPUT_COLUMNS if c not in df.columns]
    if missing:
        raise ColumnError(
            "the input has the columns of classified complaints (cause, cause_score, motive_venting), so it is "
            f"taken as classified, but it lacks {', '.join(missing)}. Classify the raw export again "
            "(complaintmine classify).")
    out = df.copy()
    for col in NUMERIC_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce")
    for col in ("causes", "risk_flags", "evidence"):
        out[col] = out[col].fillna("").astype(str)
    return out


def detect_date_column(df: pd.DataFrame) -> str | None:
    """Return the first column named like a date (``DATE_COLUMN_NAMES``) whose values mostly parse."""
    for col in columns_named(df.columns, DATE_COLUMN_NAMES):
        if analysis.parse_dates(df[col]).notna().mean() >= 0.8:
            return str(col)
    return None


def detect_dimensions(df: pd.DataFrame, *, limit: int = 3) -> list[str]:
    """Return up to ``limit`` columns named like dimensions with 2 to 50 distinct values."""
    found = [c for c in columns_named(df.columns, DIMENSION_COLUMN_NAMES) if 2 <= df[c].nunique() <= 50]
    return [str(c) for c in found[:limit]]


# -- sections ------------------------------------------------------------------------------------


#: the fewest complaints behind a finding the headline states
_HEADLINE_MIN_COUNT = 10


def _headline(df: pd.DataFrame, par: pd.DataFrame, crosstabs: Mapping[str, pd.DataFrame],
              emerging: pd.DataFrame | None, slow: str | None) -> str:
    """Three to five plain sentences from the numbers: what, where, since when, how fast, how risky."""
    n = len(df)
    k80 = min(int((par["cum_share"] < 0.8).sum()) + 1, len(par))
    top = par.iloc[0]
    lines = [f"共 {n:,} 条投诉；最多的是<b>{_e(top['cause_zh'])}</b>（{top['share']:.0%}），"
             f"前 {k80} 个原因占了八成。"]
    best = None
    for dim, ct in crosstabs.items():
        sig = ct[ct["over_represented"] & (ct["count"] >= _HEADLINE_MIN_COUNT)]
        if not sig.empty:  # the concentration with the most complaints beyond what is expected
            excess = sig["count"] - sig["expected"]
            row = sig.loc[excess.idxmax()]
            if best is None or excess.max() > best[2]:
                best = (dim, row, excess.max())
    if best is not None:
        dim, row, _ = best
        lines.append(f"<b>{_e(row['cause_zh'])}</b>集中在{_e(dim_name(dim))} <b>{_e(row[dim])}</b>：占那里投诉的 "
                     f"{row['share_in_group']:.0%}，是预期的 {row['lift']:.1f} 倍（{int(row['count'])} 条）。")
    if emerging is not None:
        em = emerging[(emerging["kind"] == "cause") & emerging["emerging"]
                      & (emerging["count_after"] >= _HEADLINE_MIN_COUNT)]
        if not em.empty:
            row = em.iloc[0]
            lines.append(f"近期上升：<b>{_e(row['label'])}</b>占投诉的比例由 {row['rate_before']:.1%} 升到 "
                         f"{row['rate_after']:.1%}（近期 {int(row['count_after'])} 条）。")
        else:
            lines.append("近期没有明显上升的原因。")
    if slow:
        lines.append(slow)
    high = int((df["risk_level"] == "high").sum())
    if high:
        lines.append(f"{high:,} 条为高风险投诉（安全、媒体、法律、监管），需立即升级处理。")
    items = "".join(f"<li>{line}</li>" for line in lines[:5])
    return f"<section class='headline'><h2>要点</h2><ul>{items}</ul></section>"


def _summary(df: pd.DataFrame, par: pd.DataFrame, date_col: str | None, emerging: pd.DataFrame | None) -> str:
    n = len(df)
    k80 = int((par["cum_share"] < 0.8).sum()) + 1
    high = int((df["risk_level"] == "high").sum())
    top = par.iloc[0]
    cards = [
        ("投诉总数", f"{n:,}"),
        ("第一大原因", f"{top['cause_zh']} {top['share']:.0%}"),
        ("占 80% 投诉的原因数", f"{min(k80, len(par))} / {len(par)}"),
        ("高风险投诉", f"{high:,} ({high / n:.1%})"),
    ]
    if date_col is not None:
        dates = analysis.parse_dates(df[date_col])
        cards.insert(1, ("时间范围", f"{dates.min():%Y-%m-%d} 至 {dates.max():%Y-%m-%d}"))
    if emerging is not None:
        em = emerging[(emerging["kind"] == "cause") & emerging["emerging"]]
        cards.append(("新兴问题", "、".join(em["label"].astype(str)) or "无"))
    motive = df["motive"].astype(str)
    shown = motive[motive != "none"]
    if len(shown):
        from .taxonomy import MOTIVE_NAMES

        m = shown.value_counts().index[0]
        cards.append(("最常见动机", f"{MOTIVE_NAMES.get(m, m)} {len(shown[shown == m]) / n:.0%}"))
    body = "".join(f'<div class="card"><div class="k">{_e(k)}</div><div class="v">{_e(v)}</div></div>'
                   for k, v in cards)
    return f'<section><h2>概览</h2><div class="cards">{body}</div></section>'


def _pareto_section(par: pd.DataFrame) -> str:
    fig, ax = _figure(9, 4.6)
    plots.pareto_chart(par, ax=ax)
    tab = par.assign(share=par["share"].map(_pct), cum_share=par["cum_share"].map(_pct))
    table = _table(tab, {"rank": "排名", "cause_zh": "原因", "count": "投诉数", "share": "占比",
                         "cum_share": "累计占比"}, numeric=("rank", "count", "share", "cum_share"))
    return ("<section><h2>1. 投诉原因：帕累托分析</h2><p>少数原因占了大部分投诉；先解决左侧的几个原因。</p>"
            + _img(fig, "投诉原因帕累托图") + table + "</section>")


def _crosstabs(df: pd.DataFrame, dims: Sequence[str]) -> dict[str, pd.DataFrame]:
    """``analysis.crosstab_outliers`` of each dimension that has something to compare, computed once."""
    return {dim: analysis.crosstab_outliers(df, dim) for dim in dims if analysis.crosstab_possible(df, dim)}


def _where_section(df: pd.DataFrame, dims: Sequence[str], crosstabs: Mapping[str, pd.DataFrame]) -> str:
    parts = ["<section><h2>2. 集中在哪里</h2><p>某原因在某个门店、渠道……中的占比是否<b>超出预期</b>，"
             "而不是简单比较数量；黑框表示显著偏高。</p>"
             "<details class='how'><summary>我们如何知道</summary><p class='note'>调整后标准化残差（Haberman）"
             "衡量每个格子偏离独立假设的程度；显著性经 Holm 多重检验校正（α=0.05）。</p></details>"]
    for dim in dims:
        if dim not in crosstabs:
            what = "只有一个取值" if df[dim].nunique() < 2 else "投诉只有一种原因"
            parts.append(f"<p class='note'>{_e(dim_name(dim))}：{what}，无从比较，跳过。</p>")
            continue
        ct = crosstabs[dim]
        fig, ax = _figure(9, max(4, 0.42 * ct["cause"].nunique() + 1.6))
        plots.heatmap(ct, ax=ax, title=f"原因 × {dim_name(dim)}：调整后标准化残差", xlabel=dim_name(dim))
        parts.append(f"<h3>按{_e(dim_name(dim))}</h3>" + _img(fig, f"原因 × {dim_name(dim)} 热力图"))
        sig = ct[ct["over_represented"]]
        if sig.empty:
            parts.append("<p class='note'>没有显著偏高的组合。</p>")
            continue
        tab = sig.assign(share_in_group=sig["share_in_group"].map(_pct),
                         lift=sig["lift"].map("×{:.2f}".format),
                         p_adjusted=sig["p_adjusted"].map(lambda p: "<0.001" if p < 0.001 else f"{p:.3f}"))
        parts.append(_table(tab, {"cause_zh": "原因", dim: dim_name(dim), "count": "投诉数",
                                  "share_in_group": "占该取值投诉", "lift": "实际/预期",
                                  "p_adjusted": "校正后 p"},
                            numeric=("count", "share_in_group", "lift", "p_adjusted")))
    parts.append("</section>")
    return "".join(parts)


def _undated_note(df: pd.DataFrame, date_col: str) -> str:
    """Say how many complaints the trend leaves out for a date that is missing or implausible."""
    given = df[date_col].notna() & (df[date_col].astype(str).str.strip() != "")
    unread = int((given & analysis.parse_dates(df[date_col]).isna()).sum())
    missing = int((~given).sum())
    if not unread and not missing:
        return ""
    return (f"<p class='note'>{unread + missing:,} 条投诉没有可用的日期，未计入趋势：{missing:,} 条为空，"
            f"{unread:,} 条无法读取或不在 {analysis.EARLIEST_DATE[:4]} 年至明年之间（如 9999-12-31 等占位日期）。"
            "</p>")


def _trend_section(df: pd.DataFrame, date_col: str, dims: Sequence[str], freq: str, recent: int,
                   emerging: pd.DataFrame, tokenizer: Any = None) -> str:
    tr = analysis.trend(df, date_col, freq=freq)
    fig, ax = _figure(10, 4.6)
    plots.trend_lines(tr, emerging=emerging, ax=ax)
    a = emerging.attrs
    window = f"{a['recent_start']:%Y-%m-%d} 至 {a['recent_end']:%Y-%m-%d}"
    parts = [f"<section><h2>3. 趋势与新兴问题</h2><p>近期窗口：最近 {recent} 个周期（{_e(window)}），"
             "与此前的基线比较各原因占投诉的比例。</p><details class='how'><summary>我们如何知道</summary>"
             "<p class='note'>每个原因和词语：近期比例是否高于基线，单侧 Fisher 精确检验，"
             f"Benjamini-Hochberg 校正（α=0.01）。</p></details>{_undated_note(df, date_col)}",
             _img(fig, "投诉原因趋势")]
    terms = analysis.emerging_issues(df, date_col, freq=freq, recent=recent, terms=True, tokenizer=tokenizer)
    rows = [terms[terms["emerging"]]]
    for dim in dims:
        byd = analysis.emerging_issues(df, date_col, freq=freq, recent=recent, by=dim)
        byd = byd[byd["emerging"]]
        if byd.empty:
            continue
        rows.append(byd.assign(label=byd["label"] + "（" + dim_name(dim) + " " + byd[dim].astype(str) + "）"))
    em = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if em.empty:
        parts.append("<p>没有显著上升的原因或词语。</p>")
    else:
        em = em.assign(kind=em["kind"].map({"cause": "原因", "term": "词语"}),
                       rate_before=em["rate_before"].map(_pct), rate_after=em["rate_after"].map(_pct),
                       ratio=em["ratio"].map(lambda r: "新出现" if not np.isfinite(r) else f"×{r:.2f}"),
                       p_adjusted=em["p_adjusted"].map(lambda p: "<0.001" if p < 0.001 else f"{p:.3f}"))
        parts.append(_table(em.head(25), {"kind": "类型", "label": "项目", "count_after": "近期数量",
                                          "rate_before": "基线比例", "rate_after": "近期比例",
                                          "ratio": "变化", "p_adjusted": "校正后 p"},
                            numeric=("count_after", "rate_before", "rate_after", "ratio", "p_adjusted")))
    parts.append("</section>")
    return "".join(parts)


def _mix_section(mix: pd.DataFrame) -> str:
    fig1, ax1 = _figure(9, max(3.5, 0.4 * len(mix) + 1.8))
    plots.motive_mix(mix, ax=ax1)
    fig2, ax2 = _figure(9, max(3.5, 0.4 * len(mix) + 1.8))
    plots.motive_mix(mix, kind="risk", ax=ax2)
    return ("<section><h2>4. 顾客想要什么：动机与风险</h2><p>求尊重、求补偿、求发泄决定一线人员的处理方式；"
            "高风险（安全、媒体、法律、监管）投诉需立即升级。</p>"
            + _img(fig1, "投诉动机构成") + _img(fig2, "升级风险构成") + "</section>")


def _hours_text(x: float) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.1f}"


def _kpi_rows(kpis: pd.DataFrame) -> pd.DataFrame:
    """KPIs as table cells; a group with too few complaints says so instead of showing noisy rates."""
    rows = []
    for name, row in kpis.iterrows():
        cells = {"group": name, "count": f"{int(row['count']):,}"}
        metrics = {
            "response": _hours_text(row["response_hours_median"]),
            "resolution": _hours_text(row["resolution_hours_median"]),
            "resolved": _pct(row["resolution_rate"]),
            "response_breach": _pct(row["response_sla_breach_rate"]),
            "resolution_breach": _pct(row["resolution_sla_breach_rate"]),
            "repeat": _pct(row["repeat_rate"]),
        }
        if not row["enough"]:
            metrics = dict.fromkeys(metrics, "投诉太少，无从判断")
        rows.append({**cells, **metrics})
    return pd.DataFrame(rows)


#: the fewest complaints of a group whose handling rates the report shows
_KPI_MIN_COUNT = 10
_KPI_HEADERS = {"count": "投诉数", "response": "首次响应中位（小时）", "resolution": "解决中位（小时）",
                "resolved": "解决率", "response_breach": "响应超时率", "resolution_breach": "解决超时率",
                "repeat": "重复投诉率"}


def _kpi_tables(df: pd.DataFrame, dims: Sequence[str], columns: dict[str, str | None], sla_response_hours: float,
                sla_resolution_hours: float) -> dict[str | None, pd.DataFrame]:
    """``kpi.handling_kpis`` overall (key None), per cause and per dimension, computed once."""
    args = {"columns": columns, "sla_response_hours": sla_response_hours,
            "sla_resolution_hours": sla_resolution_hours, "min_count": _KPI_MIN_COUNT}
    return {by: kpi.handling_kpis(df, by=by, **args) for by in (None, "cause", *dims)}


def _slowest(tables: Mapping[str | None, pd.DataFrame], dims: Sequence[str], sla_response_hours: float) -> str | None:
    """A sentence naming the store / channel ... whose responses miss the target most, when it
    stands out (twice the overall rate and 5 points above it, with enough complaints)."""
    rest = tables[None].iloc[0]["response_sla_breach_rate"]
    found = []
    for dim in dims:
        by_dim = tables[dim]
        ok = by_dim[by_dim["enough"]].dropna(subset=["response_sla_breach_rate"])
        if len(ok) >= 2:
            worst = ok["response_sla_breach_rate"].idxmax()
            rate = ok.loc[worst, "response_sla_breach_rate"]
            if rate >= 2 * rest and rate - rest >= 0.05:
                found.append((rate, f"{_e(dim_name(dim))} <b>{_e(worst)}</b> 响应最慢：{_pct(rate)} 的投诉超过 "
                                    f"{sla_response_hours:g} 小时才首次响应（整体 {_pct(rest)}），首次响应中位 "
                                    f"{_hours_text(ok.loc[worst, 'response_hours_median'])} 小时。"))
    return max(found)[1] if found else None


def _kpi_section(df: pd.DataFrame, tables: Mapping[str | None, pd.DataFrame], dims: Sequence[str],
                 columns: dict[str, str | None], sla_response_hours: float, sla_resolution_hours: float,
                 slow: str | None) -> str:
    """Handling KPIs overall, per cause and per dimension (only when the export has the handling columns)."""
    total = tables[None]
    overall, basis, as_of = total.iloc[0], total.attrs["repeat_basis"], pd.Timestamp(total.attrs["as_of"])
    found = ", ".join(f"{role}={col}" for role, col in columns.items() if col)
    sentences = [f"整体：首次响应中位 {_hours_text(overall['response_hours_median'])} 小时，"
                 f"解决中位 {_hours_text(overall['resolution_hours_median'])} 小时，解决率 "
                 f"{_pct(overall['resolution_rate'])}；响应超过 {sla_response_hours:g} 小时的占 "
                 f"{_pct(overall['response_sla_breach_rate'])}，解决超过 {sla_resolution_hours:g} 小时的占 "
                 f"{_pct(overall['resolution_sla_breach_rate'])}。"]
    if slow:  # _slowest
        sentences.append(slow)
    parts = [f"<section><h2>6. 处理时效与服务水平</h2><p>{''.join(sentences)}</p>"]
    names = dict(zip(df["cause"].astype(str), df["cause_zh"].astype(str))) if "cause_zh" in df.columns else {}
    by_cause = tables["cause"].set_axis([names.get(c, c) for c in tables["cause"].index], axis=0)
    parts.append("<h3>按原因</h3>" + _table(_kpi_rows(by_cause), {"group": "原因", **_KPI_HEADERS},
                                           numeric=tuple(_KPI_HEADERS)))
    for dim in dims:
        rows = _kpi_rows(tables[dim])
        parts.append(f"<h3>按{_e(dim_name(dim))}</h3>" + _table(rows, {"group": dim_name(dim), **_KPI_HEADERS},
                                                       numeric=tuple(_KPI_HEADERS)))
    repeat = {"customer": "有客户编号的投诉中，同一客户在本导出中投诉不止一次的比例",
              "record card": "投诉中提到已经投诉过的比例", None: "导出没有客户列，未计算"}[basis]
    resolved = {"status": "按状态列判断", "closed time": "按有无结案时间判断", None: "无法判断"}[
        total.attrs["resolved_basis"]]
    parts.append(f"<p class='note'>使用的列：{_e(found)}。响应 = 首次响应 − 受理；解决 = 结案 − 受理（仅已解决的）；"
                 f"是否解决：{resolved}；超时包括导出时（{as_of:%Y-%m-%d %H:%M}）仍未响应或未解决且已超过时限的；"
                 f"重复投诉 = {repeat}。少于 {_KPI_MIN_COUNT} 条投诉的分组不给比率。</p>")
    parts.append("</section>")
    return "".join(parts)


def _motive_mix_text(row: Any) -> str:
    """The motive mix of an action's complaints, largest first, with the share that shows none."""
    shares = {"求发泄": row.motive_venting_share, "求补偿": row.motive_compensation_share,
              "求尊重": row.motive_respect_share, "未表现出明确动机": row.motive_none_share}
    return "，".join(f"{name} {_pct(share)}" for name, share in sorted(shares.items(), key=lambda kv: -kv[1]))


def _score_table(rec: pd.DataFrame) -> str:
    """The ranking components of every action, for the reader who wants to recompute the order."""
    rows = "".join(f"<tr><td>{row.rank}</td><td>{_e(row.cause_zh)}</td><td>{row.volume:.3f}</td>"
                   f"<td>{row.growth:.3f}</td><td>{row.severity:.3f}</td><td>{row.score:.3f}</td></tr>"
                   for row in rec.itertuples(index=False))
    return ("<table><tr><th>排名</th><th>原因</th><th>投诉占比</th><th>增长</th><th>严重度</th><th>分数</th></tr>"
            + rows + "</table>")


def _actions_section(rec: pd.DataFrame, dims: Sequence[str] = ()) -> str:
    book = load_playbook()
    w = rec.attrs.get("weights", {})
    parts = ["<section><h2>5. 改进建议（按优先级排序）</h2>",
             "<details class='how'><summary>我们如何排序</summary>"
             f"<p class='note'>排序分数 = {w.get('volume')} × 投诉占比 + {w.get('growth')} × 增长"
             f"（显著上升时为 min(比率−1, 1)，否则 0） + {w.get('severity')} × 严重度"
             "（(高风险占比 + 安全健康占比) / 2）。</p>" + _score_table(rec) + "</details>"]
    for row in rec.itertuples(index=False):
        hot = " hot" if row.emerging else ""
        tags = '<span class="tag">新兴</span>' if row.emerging else ""
        tags += '<span class="tag esc">需升级处理</span>' if row.escalate else ""
        trend = ("–" if not np.isfinite(row.trend_ratio) else
                 f"近期 {_pct(row.rate_after)}，基线 {_pct(row.rate_before)}（×{row.trend_ratio:.2f}）")
        examples = "".join(f'<div class="ex">“{_e(t)}”</div>' for t in row.examples)
        esc = f"<p><b>升级：</b>{_e(book['escalation']['text'])}</p>" if row.escalate else ""
        claims = getattr(row, "claim_examples", None) or {}

        def ex(claim: str, claims: dict = claims) -> str:  # the complaint behind a claim, under it
            return f'<div class="ex claim">例：“{_e(claims[claim])}”</div>' if claim in claims else ""

        parts.append(
            f'<div class="action{hot}"><h3>{row.rank}. {_e(row.cause_zh)}{tags}</h3>'
            f"<p><b>规模：</b>{row.count:,} 件，占 {_pct(row.share)}　<b>趋势：</b>{_e(trend)}"
            + (f"　<b>上升于：</b>{_e(_friendly_where(row.emerging_where, dims))}" if row.emerging_where else "")
            + "</p>" + ex("emerging")
            + (f"<p><b>具体问题：</b>{_e(row.phrases)}</p>" + ex("phrase") if row.phrases else "")
            + (f"<p><b>子话题：</b>{_e(row.subtopics)}</p>" if row.subtopics else "")
            + f"<p><b>集中于：</b>{_e(_friendly_where(row.where, dims) or '无显著集中')}</p>" + ex("where")
            + f"<p><b>动机构成：</b>{_e(_motive_mix_text(row))}；"
            f"高风险 {_pct(row.high_risk_share)}，安全健康 {_pct(row.safety_share)}</p>"
            + (f"<p><b>客户诉求：</b>{_pct(row.demand_share)} 提出明确诉求"
               + (f"：{_e(row.top_demands)}" if row.top_demands else "") + "</p>" + ex("demand")
               if np.isfinite(row.demand_share) else "")
            + f"<p><b>一线处理：</b>{_e(row.playbook)}</p>{esc}"
            f"<p><b>系统改进：</b>{_e(row.fix)}　<b>责任部门：</b>{_e(row.department)}</p>"
            f"<p><b>典型投诉：</b></p>{examples}</div>")
    parts.append("</section>")
    return "".join(parts)


# -- public --------------------------------------------------------------------------------------


def render_report(df: pd.DataFrame, *, title: str = "投诉根因分析报告",
                  dimensions: Sequence[str] | None = None, date_col: str | None = None,
                  text_col: str | None = None, top: int = 10, freq: str = "W",
                  recent: int = 4, model: Any = None, kpi_columns: Mapping[str, str | None] | None = None,
                  sla_response_hours: float = 24.0, sla_resolution_hours: float = 72.0) -> str:
    """Return the report as an HTML string (see ``write_report`` for the parameters)."""
    data = _prepare(df, text_col, model)
    tok = _model_tokenizer(model)
    if "tokens" not in data.columns:  # tokenized once, in one batch: every section reads the words from here
        data = analysis.add_tokens(data, text_col=text_col, tokenizer=tok)
    dims = detect_dimensions(data) if dimensions is None else list(dimensions)
    analysis._require(data, *dims, *([date_col] if date_col else []))
    par = analysis.pareto(data)
    emerging, trend_note = None, ""
    if date_col:
        try:
            emerging = analysis.emerging_issues(data, date_col, freq=freq, recent=recent)
        except ValueError as err:  # too short a time span: report without the trend section
            warnings.warn(f"complaintmine report: trends left out: {err}", UserWarning, stacklevel=2)
            trend_note = (f"<section><h2>3. 趋势与新兴问题</h2><p class='note'>日期跨度不足，未做趋势分析"
                          f"（{_e(err)}）。</p></section>")
            date_col = None
    mix = analysis.motive_risk_mix(data)
    rec = recommend(data, dimensions=dims, date_col=date_col, top=top, freq=freq, recent=recent,
                    text_col=text_col, tokenizer=tok)
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    columns = kpi.detect_kpi_columns(data, **dict(kpi_columns or {}))
    slow, kpi_html = None, ""
    if columns["received"] is not None:  # an export with its handling record
        timed = data.assign(**{col: analysis.parse_dates(data[col]) for role, col in columns.items()
                               if col and role in kpi.TIME_ROLES})  # parsed once, not in every KPI table
        try:
            tables = _kpi_tables(timed, dims, columns, sla_response_hours, sla_resolution_hours)
            slow = _slowest(tables, dims, sla_response_hours)
            kpi_html = _kpi_section(timed, tables, dims, columns, sla_response_hours, sla_resolution_hours, slow)
        except ValueError as err:  # e.g. a named received column with no readable time: the rest still reports
            kpi_html = (f"<section><h2>6. 处理时效与服务水平</h2><p class='note'>未计算处理时效：{_e(err)}。"
                        "</p></section>")
    crosstabs = _crosstabs(data, dims)
    sections = [_headline(data, par, crosstabs, emerging, slow), _summary(data, par, date_col, emerging),
                _pareto_section(par)]
    if dims:
        sections.append(_where_section(data, dims, crosstabs))
    if date_col:
        sections.append(_trend_section(data, date_col, dims, freq, recent, emerging, tok))
    elif trend_note:
        sections.append(trend_note)
    sections += [_mix_section(mix), _actions_section(rec, dims)]
    if kpi_html:
        sections.append(kpi_html)
    notes = ("<section><h2>方法说明</h2><ul class='note'>"
             "<li>原因、动机和风险由 complaintmine 模型逐条判定，每条都附有证据词；"
             "分类会有误差，请结合典型投诉阅读。</li>"
             "<li>集中度：调整后标准化残差（Haberman），Holm 校正。"
             "趋势：单侧 Fisher 精确检验，Benjamini-Hochberg 校正。</li>"
             "<li>典型投诉：与该原因的 TF-IDF 质心最接近的投诉，而非随机抽取；"
             "电话、证件号等个人信息已屏蔽。</li>"
             f"<li>生成时间 {now}；complaintmine 报告。</li></ul></section>")
    source = df.attrs.get("source")
    meta = f"{len(data):,} 条投诉" + (f" · 数据：{_e(os.path.basename(str(source)))}" if source else "")
    body = (f"<h1>{_e(title)}</h1><div class='meta'>{meta} · 生成于 {now}</div>"
            + "".join(sections) + notes)
    visible = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", body) + _CSS
    return ("<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{_e(title)}</title><style>{_font_face(visible + title)}{_CSS}</style></head><body><main>"
            + body + "</main></body></html>")


def write_report(df: pd.DataFrame, path: str | os.PathLike[str], *, title: str = "投诉根因分析报告",
                 dimensions: Sequence[str] | None = None, date_col: str | None = None,
                 text_col: str | None = None, top: int = 10, freq: str = "W", recent: int = 4,
                 model: Any = None, kpi_columns: Mapping[str, str | None] | None = None,
                 sla_response_hours: float = 24.0, sla_resolution_hours: float = 72.0) -> Path:
    """Write a self-contained HTML root-cause report (one file, charts embedded, UTF-8).

    Parameters
    ----------
    df : pandas.DataFrame
        Classified complaints (``complaintmine.analyze`` output), or a raw export, which is
        classified first (``text_col``, ``model``).
    path : str or path-like
        The ``.html`` file to write. Written atomically: a temporary file beside it is renamed
        over it only when complete.
    title : str, default "投诉根因分析报告"
    dimensions : sequence of str, optional
        Columns to look for concentration in (store, channel, product ...); default: columns
        named like ``DIMENSION_COLUMN_NAMES`` with 2 to 50 values (at most three).
    date_col : str, optional
        Complaint date column; adds trends and emerging issues.
    text_col : str, optional
        Text column (default ``df.attrs["text_col"]`` or ``"text"``).
    top : int, default 10
        Number of ranked actions.
    freq : str, default "W"
        Trend period (pandas period alias).
    recent : int, default 4
        Periods in the recent window.
    model : ComplaintModel or path, optional
        Model used when ``df`` must be classified first (default: the bundled model).
    kpi_columns : mapping, optional
        Handling columns by role (``received``, ``first_response``, ``closed``, ``status``,
        ``customer``); roles not given are detected by name (``complaintmine.kpi``). With a
        received time the report gains a section of handling KPIs.
    sla_response_hours, sla_resolution_hours : float, default 24 and 72
        Service-level targets for the first response and for closing a complaint.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    complaintmine.errors.OutputError
        The path does not end in .html, its folder is missing or not writable.
    complaintmine.errors.ColumnError
        A named column is missing.

    Examples
    --------
    >>> write_report(df, "out/report.html", date_col="date",
    ...              dimensions=["store", "channel"])  # doctest: +SKIP
    PosixPath('out/report.html')
    """
    p = check_report_path(path)
    text = render_report(df, title=title, dimensions=dimensions, date_col=date_col, text_col=text_col,
                         top=top, freq=freq, recent=recent, model=model, kpi_columns=kpi_columns,
                         sla_response_hours=sla_response_hours, sla_resolution_hours=sla_resolution_hours)
    try:
        with atomic_path(p) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as err:
        raise OutputError(f"{p}: cannot write the report ({err.strerror or err}).") from None
    return p


# -- command line --------------------------------------------------------------------------------
