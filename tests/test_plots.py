"""Charts: every Chinese label has a glyph in the chosen font, and drawing raises no missing-glyph warning."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402
from PIL import Image  # noqa: E402

import complaintmine as cm  # noqa: E402
from complaintmine import analysis, plots  # noqa: E402
from complaintmine.datasets import data_dir  # noqa: E402
from complaintmine.taxonomy import CAUSES, MOTIVE_NAMES  # noqa: E402

#: fixed Chinese strings drawn by complaintmine.plots (titles, axis labels, legends)
PLOT_LABELS = [
    "投诉原因帕累托图", "投诉数", "累计占比", "调整后标准化残差", "投诉原因趋势", "占当期投诉比例", "周期",
    "(新兴)",
    "近期窗口", "各原因的投诉动机构成", "各原因的升级风险构成", "低风险", "中风险", "高风险", "「」的特征词",
    "提升度", "出现比例", "原因 × 门店",
]  # fmt: skip


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    raw = cm.read_complaints(data_dir() / "demo" / "complaints_demo.csv")
    return analysis.add_tokens(cm.analyze(raw, text_col="text"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _cjk(text: str) -> set[str]:
    return {ch for ch in text if ord(ch) > 0x2E7F and not ch.isspace()}


def test_a_chinese_font_is_found_and_registered():
    family = plots.use_chinese_font()
    assert family is not None, "no Chinese font: pip install pylopdf-fonts-zh-cn"
    assert plots.use_chinese_font() == family  # idempotent
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert matplotlib.rcParams["font.sans-serif"].count(family) == 1
    path = plots.chinese_font_path()
    assert path and path.lower().endswith((".otf", ".ttf", ".ttc"))


def test_every_chinese_label_has_a_glyph(demo):
    font = FT2Font(plots.chinese_font_path())
    labels = list(PLOT_LABELS) + list(CAUSES.values()) + list(MOTIVE_NAMES.values())
    labels += demo["store"].unique().tolist() + demo["channel"].unique().tolist()
    labels += demo["category"].unique().tolist()
    labels += analysis.distinctive_terms(demo, top=10)["term"].tolist()
    chars = set().union(*map(_cjk, labels))
    assert len(chars) > 100
    missing = sorted(ch for ch in chars if font.get_char_index(ord(ch)) == 0)
    assert not missing, f"glyphs missing from {font.family_name}: {''.join(missing)}"


def _draw_all(demo: pd.DataFrame) -> list[Axes]:
    em = analysis.emerging_issues(demo, "date", recent=6)
    mix = analysis.motive_risk_mix(demo)
    return [
        plots.pareto_chart(analysis.pareto(demo)),
        plots.heatmap(analysis.crosstab_outliers(demo, "store"), title="原因 × 门店"),
        plots.trend_lines(analysis.trend(demo, "date"), emerging=em),
        plots.motive_mix(mix),
        plots.motive_mix(mix, kind="risk"),
        plots.keyword_bars(analysis.distinctive_terms(demo), cause="delivery"),
    ]


def test_all_charts_draw_without_missing_glyphs(demo, tmp_path):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from")
        axes = _draw_all(demo)
        for i, ax in enumerate(axes):
            assert isinstance(ax, Axes)
            out = tmp_path / f"chart{i}.png"
            ax.figure.savefig(out, dpi=60)  # rendering is where missing glyphs are reported
            pixels = np.asarray(Image.open(out).convert("L"), dtype=float)
            assert pixels.std() > 10, f"chart {i} looks blank"
    texts = [t.get_text() for t in axes[0].get_xticklabels()]
    assert texts[:2] == analysis.pareto(demo)["cause_zh"].head(2).tolist()


def test_plot_functions_draw_on_a_given_axes(demo):
    fig, ax = plt.subplots()
    assert plots.pareto_chart(demo, ax=ax) is ax
    fig, ax = plt.subplots()
    assert plots.keyword_bars(analysis.distinctive_terms(demo.head(800), min_df=2), ax=ax) is ax


def test_heatmap_of_a_wide_matrix_and_marks():
    fig, ax = plt.subplots()
    conf = pd.DataFrame([[5, 1], [2, 7]], index=["物流配送", "商品质量"], columns=["物流配送", "商品质量"])
    assert plots.heatmap(conf, center=None, fmt="d", ax=ax) is ax
    assert [t.get_text() for t in ax.texts] == ["5", "1", "2", "7"]


def test_pareto_chart_refuses_several_groups(demo):
    with pytest.raises(ValueError, match="one group"):
        plots.pareto_chart(analysis.pareto(demo, by="store"))


def test_missing_font_warns_once_and_names_the_fix(monkeypatch):
    monkeypatch.setitem(plots._state, "searched", False)
    monkeypatch.setitem(plots._state, "warned", False)
    monkeypatch.setitem(plots._state, "family", None)
    monkeypatch.setitem(plots._state, "path", None)
    monkeypatch.setattr(plots, "_find_font", lambda: (None, None))
    with pytest.warns(UserWarning, match="pip install pylopdf-fonts-zh-cn"):
        assert plots.use_chinese_font() is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plots.use_chinese_font() is None
    monkeypatch.undo()
    assert plots.use_chinese_font() is not None
