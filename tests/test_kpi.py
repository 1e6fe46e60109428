"""Handling KPIs (issue 15, item 3): detection of the handling columns, the KPI definitions on a
hand-computed example, the planted slow store of the demo export, and the report section."""

from __future__ import annotations

import html
import math
import re

import pandas as pd
import pytest

from complaintmine import kpi
from complaintmine.cli import main
from complaintmine.datasets import data_dir
from complaintmine.errors import ColumnError
from complaintmine.report import render_report

DEMO = data_dir() / "demo" / "complaints_demo.csv"


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return pd.read_csv(DEMO, dtype=str, keep_default_na=False)


def test_handling_columns_are_detected_by_english_and_chinese_names(demo):
    assert kpi.detect_kpi_columns(demo) == {"received": "received_at", "first_response": "first_response_at",
                                           "closed": "closed_at", "status": "status", "customer": "customer_id"}
    chinese = demo.rename(columns={"received_at": "受理时间", "first_response_at": "首次回复时间",
                                   "closed_at": "办结时间", "status": "处理状态", "customer_id": "客户编号"})
    assert kpi.detect_kpi_columns(chinese) == {"received": "受理时间", "first_response": "首次回复时间",
                                              "closed": "办结时间", "status": "处理状态", "customer": "客户编号"}
    # a column named like a time that holds no times is not taken; a given column must exist
    odd = demo[["text", "status"]].assign(受理时间="电话")
    assert kpi.detect_kpi_columns(odd)["received"] is None
    with pytest.raises(ColumnError, match="nosuch"):
        kpi.detect_kpi_columns(demo, received="nosuch")


def test_kpis_follow_their_definitions_on_a_hand_computed_export():
    df = pd.DataFrame({
        "cause": ["delivery", "delivery", "delivery", "service_attitude", "service_attitude"],
        "received_at": ["2025-03-01 08:00", "2025-03-01 10:00", "2025-03-02 09:00", "2025-03-03 09:00",
                        "2025-03-05 09:00"],
        "first_response_at": ["2025-03-01 09:00", "2025-03-02 12:00", "", "2025-03-03 08:00", "2025-03-05 10:00"],
        "closed_at": ["2025-03-02 08:00", "2025-03-06 10:00", "", "2025-03-04 09:00", ""],
        "status": ["已结案", "Closed ", "处理中", "已结案", "处理中"],
        "customer_id": ["U1", "U2", "U1", "", "U3"],
    })
    out = kpi.handling_kpis(df, by="cause", min_count=3)
    d, s = out.loc["delivery"], out.loc["service_attitude"]
    assert d["count"] == 3 and bool(d["enough"]) and not bool(s["enough"])
    assert d["response_hours_median"] == 13.5  # 1 h and 26 h; the third has none yet
    assert d["resolution_hours_median"] == 72.0  # 24 h and 120 h ("Closed " counts as resolved)
    assert d["resolved"] == 2 and d["resolution_rate"] == pytest.approx(2 / 3)
    # as of 2025-03-06 10:00 (the latest timestamp): row 2 answered after 26 h > 24; row 3 still
    # unanswered after 97 h; resolution: row 2 took 120 h > 72, row 3 open for 97 h > 72
    assert d["response_sla_breaches"] == 2 and d["resolution_sla_breaches"] == 2
    assert d["repeat_rate"] == pytest.approx(2 / 3)  # U1 twice
    # service_attitude: a response before the complaint was received is a data error, left out
    assert s["response_hours_median"] == 1.0 and out.attrs["invalid_durations"] == 1
    assert s["repeat_rate"] == 0.0  # a blank customer is not counted, U3 complained once
    assert out.attrs["as_of"] == pd.Timestamp("2025-03-06 10:00") and out.attrs["repeat_basis"] == "customer"
    # without a status the closed time decides; without a first-response column those KPIs are NaN
    partial = kpi.handling_kpis(df.drop(columns=["status", "first_response_at"]), by=None)
    assert partial.iloc[0]["resolved"] == 3 and math.isnan(partial.iloc[0]["response_hours_median"])
    with pytest.raises(ValueError, match="no received-time column"):
        kpi.handling_kpis(df.drop(columns=["received_at"]))


def test_the_demo_exports_slow_store_stands_out(demo):
    by_store = kpi.handling_kpis(demo, by="store")
    assert by_store["response_sla_breach_rate"].idxmax() == "广州天河店"
    slow = by_store.loc["广州天河店", "response_sla_breach_rate"]
    others = by_store.drop(index="广州天河店")["response_sla_breach_rate"]
    assert slow > 10 * others.max()
    assert by_store["count"].sum() == len(demo) and by_store["enough"].all()


def test_the_report_has_a_kpi_section_only_for_exports_with_a_handling_record(demo, tmp_path):
    sample = demo.groupby("store").head(60)
    page = re.sub(r"<[^>]+>", "", html.unescape(render_report(sample, dimensions=["store"])))
    assert "6. 处理时效与服务水平" in page and "门店 广州天河店 响应最慢" in page
    small = html.unescape(render_report(sample.head(150), dimensions=["channel"]))
    assert "投诉太少，无从判断" in small  # a channel with under 10 complaints shows no rates
    bare = html.unescape(render_report(sample.drop(columns=["received_at"]), dimensions=["store"]))
    assert "处理时效" not in bare

    sample.to_csv(tmp_path / "export.csv", index=False)
    renamed = sample.rename(columns={"received_at": "进线"})
    renamed.to_csv(tmp_path / "renamed.csv", index=False)
    args = ["report", str(tmp_path / "renamed.csv"), "-o", str(tmp_path / "r.html"), "-q", "--dimension", "store"]
    assert main(args + ["--received-col", "进线", "--sla-response-hours", "12"]) == 0
    page = html.unescape((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert "received=进线" in page and "响应超过 12 小时的占" in page
    assert main(args + ["--received-col", "nosuch"]) == ColumnError.exit_code
    assert main(args + ["--sla-response-hours", "0"]) == 2


def test_statuses_it_cannot_read_fall_back_to_the_closed_time(demo):
    # found in review: a blank or coded status made every complaint unresolved
    truth = kpi.handling_kpis(demo, by=None).iloc[0]
    for odd in ("", "1"):
        out = kpi.handling_kpis(demo.assign(status=odd), by=None)
        assert out.attrs["resolved_basis"] == "closed time"
        assert out.iloc[0]["resolved"] == (demo["closed_at"] != "").sum()
        assert abs(out.iloc[0]["resolution_sla_breach_rate"] - truth["resolution_sla_breach_rate"]) < 0.01
    assert kpi.detect_kpi_columns(demo.assign(status="1"))["status"] is None
    coded = demo.assign(status=demo["status"].map({"已结案": "3", "处理中": "1"}))
    out = kpi.handling_kpis(coded, by=None, columns={"status": "status"}, resolved_statuses={"3"})
    assert out.attrs["resolved_basis"] == "status" and out.iloc[0]["resolved"] == truth["resolved"]


def test_odd_handling_records_are_read_or_refused_clearly(demo):
    sample = demo.groupby("store").head(40)
    # UTC offsets, also mixed within one column, are compared in UTC
    offsets = sample.assign(received_at=sample["received_at"] + ["+08:00", "+00:00"] * (len(sample) // 2))
    out = kpi.handling_kpis(offsets, by="store")
    assert out["count"].sum() == len(sample)
    assert "6. 处理时效与服务水平" in render_report(offsets, dimensions=["store"])
    # a named received column with no readable time: a clear error, and the report says so
    blank = sample.assign(received_at="")
    with pytest.raises(ValueError, match="holds no readable received times"):
        kpi.handling_kpis(blank, by="store", columns={"received": "received_at"})
    page = html.unescape(render_report(blank, dimensions=["store"], kpi_columns={"received": "received_at"}))
    assert "未计算处理时效：column 'received_at' holds no readable received times" in page
    # a missing group value is a group of its own, not dropped
    holes = sample.assign(store=sample["store"].where(sample.index % 7 != 0))
    assert kpi.handling_kpis(holes, by="store")["count"].sum() == len(sample)
    with pytest.raises(TypeError, match="unknown KPI role"):
        kpi.handling_kpis(sample, columns={"statuss": "status"})


def test_a_resolved_complaint_without_a_response_time_is_not_waiting():
    df = pd.DataFrame({"received_at": ["2025-03-01 08:00", "2025-03-01 08:00", "2025-03-10 09:00"],
                       "first_response_at": ["", "", "2025-03-10 10:00"],
                       "closed_at": ["2025-03-01 09:00", "", "2025-03-10 11:00"]})
    out = kpi.handling_kpis(df, by=None).iloc[0]
    assert out["response_sla_breaches"] == 1  # only the open one is still waiting for an answer
    assert out["resolution_sla_breaches"] == 1
    # an as_of with a UTC offset is compared in UTC, like the timestamps
    late = kpi.handling_kpis(df, by=None, as_of="2025-03-20 08:00+08:00").iloc[0]
    assert late["resolution_sla_breaches"] == 1 and late["response_sla_breaches"] == 1
