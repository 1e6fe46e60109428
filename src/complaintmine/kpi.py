"""Handling KPIs: how fast complaints are answered and closed, how many are resolved, how many
come back, and how many miss their service-level targets, per cause or per store / channel.

They need an export that carries the handling record: when each complaint was received, first
answered and closed, and its status. Such columns are detected by name, like the text column
(``KPI_COLUMN_NAMES``); any of them may be missing, and the KPIs that need it are then left
out (NaN), never guessed.

- ``detect_kpi_columns``: which column holds each timestamp, the status and the customer.
- ``handling_kpis``: the KPIs per group (or overall), with counts, so that small groups show.

Definitions (hours, from the received time):

- response time: first response - received; resolution time: closed - received, for resolved
  complaints. A negative duration (closed before received: a data error) is left out and counted
  in ``attrs["invalid_durations"]``.
- resolved: the status is one of ``RESOLVED_STATUSES``; without a status column, or with one
  none of whose values is such a word (status codes), a closed time. ``attrs["resolved_basis"]``
  says which. The resolution rate is over all complaints of the group.
- SLA breach: answered (closed) later than the target, or still unanswered (unresolved) when
  the export was taken (``as_of``: by default the latest timestamp in it) for longer than the
  target; a resolved complaint with no response time recorded is not counted as waiting.
  Breach rates are over the complaints with a received time.
- repeat-complaint rate: with a customer column, the share, among complaints with a customer
  id, of those whose customer complained more than once in the export; otherwise the share
  whose text says they complained before (the record card's ``repeat``, when the frame has it).
  ``attrs["repeat_basis"]`` says which.
- timestamps with a UTC offset are compared in UTC; a missing group value is the group "（空）".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .analysis import _require, parse_dates
from .io import columns_named

__all__ = ["KPI_COLUMN_NAMES", "RESOLVED_STATUSES", "KPI_ROLES", "TIME_ROLES", "detect_kpi_columns", "handling_kpis"]

#: column names tried for each role, in order (case and surrounding spaces ignored)
KPI_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "received": ("received_at", "received", "opened_at", "受理时间", "接收时间", "投诉时间", "创建时间", "提交时间",
                 "来电时间", "登记时间"),
    "first_response": ("first_response_at", "responded_at", "first_reply_at", "首次响应时间", "首次回复时间",
                       "响应时间", "回复时间", "首次联系时间"),
    "closed": ("closed_at", "resolved_at", "closed", "结案时间", "办结时间", "关闭时间", "解决时间", "完成时间",
               "处理完成时间"),
    "status": ("status", "ticket_status", "状态", "处理状态", "工单状态", "办理状态", "结案状态"),
    "customer": ("customer_id", "customer", "user_id", "客户编号", "客户id", "客户ID", "用户id", "用户ID", "会员号",
                 "会员编号"),
}
KPI_ROLES = tuple(KPI_COLUMN_NAMES)
#: the roles that hold timestamps
TIME_ROLES = ("received", "first_response", "closed")
#: status values that mean the complaint is resolved (case and spaces ignored)
RESOLVED_STATUSES = frozenset({
    "已解决", "解决", "已结案", "结案", "已关闭", "关闭", "已办结", "办结", "已完成", "完成", "已处理", "处理完毕",
    "closed", "resolved", "solved", "done", "completed", "complete",
})  # fmt: skip
_KPI_COLUMNS = (
    "count", "response_hours_median", "response_hours_p90", "resolution_hours_median", "resolution_hours_p90",
    "resolved", "resolution_rate", "response_sla_breaches", "response_sla_breach_rate", "resolution_sla_breaches",
    "resolution_sla_breach_rate", "repeat_rate", "enough",
)  # fmt: skip


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype(str).str.strip() == "")


def _stamps(values: pd.Series) -> pd.Series:
    """Timestamps as naive datetimes; those with a UTC offset are compared in UTC."""
    dates = parse_dates(values)
    return dates.dt.tz_convert("UTC").dt.tz_localize(None) if dates.dt.tz is not None else dates


def _times_column(values: pd.Series) -> bool:
    """Whether most given values of a column are plausible timestamps (an open ticket has none)."""
    given = ~_blank(values)
    return bool(given.any()) and _stamps(values[given]).notna().mean() >= 0.8


def _resolved_words(values: pd.Series, statuses: frozenset[str]) -> pd.Series:
    return values.astype(str).str.strip().str.lower().isin(statuses)


def detect_kpi_columns(df: pd.DataFrame, **given: str | None) -> dict[str, str | None]:
    """Find the handling columns of an export: received, first-response and closed times, status, customer.

    Parameters
    ----------
    df : pandas.DataFrame
        The export (raw or classified).
    **given : str or None
        A column to use for a role (``received="受理时间"``); it must exist. ``None`` (the default)
        detects it by name (``KPI_COLUMN_NAMES``); timestamps must mostly read as dates.

    Returns
    -------
    dict
        Role -> column name, or None when the export has no such column.

    Examples
    --------
    >>> df = pd.DataFrame({"text": ["送餐太慢"], "受理时间": ["2025-03-01 09:12"], "状态": ["已结案"]})
    >>> detect_kpi_columns(df)
    {'received': '受理时间', 'first_response': None, 'closed': None, 'status': '状态', 'customer': None}
    """
    unknown = sorted(set(given) - set(KPI_ROLES))
    if unknown:
        raise TypeError(f"unknown KPI role(s) {', '.join(unknown)}; roles are {', '.join(KPI_ROLES)}")
    named = [c for c in given.values() if c is not None]
    _require(df, *named)
    found: dict[str, str | None] = {}
    taken = set(named)
    for role in KPI_ROLES:
        if given.get(role) is not None:
            found[role] = str(given[role])
            continue
        found[role] = None
        for col in columns_named(df.columns, KPI_COLUMN_NAMES[role]):
            if col in taken or (role in TIME_ROLES and not _times_column(df[col])) or (
                    role == "status" and not _resolved_words(df[col], RESOLVED_STATUSES).any()):
                continue  # not times; a status column none of whose values says "resolved" (codes?)
            found[role] = str(col)
            taken.add(col)
            break
    return found


def _hours(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.total_seconds() / 3600.0


def handling_kpis(df: pd.DataFrame, by: str | None = "cause", *, columns: Mapping[str, str | None] | None = None,
                  sla_response_hours: float = 24.0, sla_resolution_hours: float = 72.0,
                  min_count: int = 10, as_of: Any = None,
                  resolved_statuses: Iterable[str] = RESOLVED_STATUSES) -> pd.DataFrame:
    """Response and resolution times, resolution rate, repeat-complaint rate and SLA breaches.

    Parameters
    ----------
    df : pandas.DataFrame
        Complaints with handling columns (see the module docstring for the definitions).
    by : str or None, default "cause"
        Group by this column (a cause, store, channel ...); None gives one overall row.
    columns : mapping, optional
        Role -> column (``received``, ``first_response``, ``closed``, ``status``, ``customer``);
        roles not given are detected by name, as ``detect_kpi_columns`` does.
    sla_response_hours, sla_resolution_hours : float, default 24 and 72
        The service-level targets for the first response and for closing a complaint.
    min_count : int, default 10
        Groups with fewer complaints are marked ``enough=False``: too few to say.
    as_of : timestamp, optional
        When the export was taken, for the complaints still open (default: its latest timestamp).
    resolved_statuses : iterable of str, default RESOLVED_STATUSES
        Status values that mean resolved (case and spaces ignored), e.g. ``{"3", "4"}`` for codes.

    Returns
    -------
    pandas.DataFrame
        One row per group (largest first), columns ``count``, ``response_hours_median`` /
        ``_p90``, ``resolution_hours_median`` / ``_p90``, ``resolved``, ``resolution_rate``,
        ``response_sla_breaches`` / ``_rate``, ``resolution_sla_breaches`` / ``_rate``,
        ``repeat_rate``, ``enough``. A KPI whose columns the export lacks is NaN. ``attrs``:
        ``columns`` (role -> column), ``as_of`` (the time the export was taken),
        ``invalid_durations``, ``resolved_basis`` ("status", "closed time" or None) and
        ``repeat_basis`` ("customer", "record card" or None).

    Raises
    ------
    complaintmine.errors.ColumnError
        ``by`` or a given column is missing.
    ValueError
        The export has no received-time column, or it holds no readable time (no KPI can be
        computed).
    TypeError
        ``columns`` names a role that does not exist.

    Examples
    --------
    >>> kpis = handling_kpis(classified, by="store")  # doctest: +SKIP
    >>> kpis.loc["广州天河店", "response_sla_breach_rate"]  # doctest: +SKIP
    0.41
    """
    cols = detect_kpi_columns(df, **dict(columns or {}))  # roles not given are detected
    if cols["received"] is None:
        raise ValueError("no received-time column (e.g. received_at, 受理时间); pass columns={'received': ...}")
    _require(df, *([by] if by else []))
    received = _stamps(df[cols["received"]])
    if received.notna().sum() == 0:
        raise ValueError(f"column {cols['received']!r} holds no readable received times (e.g. 2025-03-01 09:12)")
    response = _stamps(df[cols["first_response"]]) if cols["first_response"] else None
    closed = _stamps(df[cols["closed"]]) if cols["closed"] else None
    if as_of is None:  # when the export was taken: its latest timestamp
        as_of = max(s.max() for s in (received, response, closed) if s is not None)
    as_of = pd.Timestamp(as_of)
    if as_of.tzinfo is not None:  # compared in UTC, like the timestamps
        as_of = as_of.tz_convert("UTC").tz_localize(None)

    statuses = frozenset(str(v).strip().lower() for v in resolved_statuses)
    resolved, resolved_basis = None, None
    if cols["status"] and _resolved_words(df[cols["status"]], statuses).any():
        resolved, resolved_basis = _resolved_words(df[cols["status"]], statuses), "status"
    elif closed is not None:  # no status, or one whose values we cannot read: a closed time means closed
        resolved, resolved_basis = closed.notna(), "closed time"

    invalid = 0
    frame = pd.DataFrame(index=df.index)
    frame["_group"] = df[by].astype(object).where(df[by].notna(), "（空）").astype(str) if by else "全部"
    frame["received"] = received.notna()
    open_hours = _hours(pd.Series(as_of, index=df.index), received)
    if response is not None:
        hours = _hours(response, received)
        invalid += int((hours < 0).sum())
        frame["response_hours"] = hours.where(hours >= 0)
        late = frame["response_hours"] > sla_response_hours
        # no response recorded and still open: waiting (a closed complaint was answered, if unrecorded)
        still_open = ~resolved if resolved is not None else pd.Series(True, index=df.index)
        waiting = response.isna() & still_open & (open_hours > sla_response_hours)
        frame["response_breach"] = (late | waiting) & received.notna()
    if resolved is not None:
        frame["resolved"] = resolved.astype(bool)
        if closed is not None:
            hours = _hours(closed, received).where(resolved)
            invalid += int((hours < 0).sum())
            frame["resolution_hours"] = hours.where(hours >= 0)
            late = frame["resolution_hours"] > sla_resolution_hours
        else:
            late = pd.Series(False, index=df.index)
        waiting = ~resolved & (open_hours > sla_resolution_hours)
        frame["resolution_breach"] = (late | waiting) & received.notna()

    basis = None
    if cols["customer"]:
        customer = df[cols["customer"]]
        known = ~_blank(customer)
        counts = customer[known].astype(str).map(customer[known].astype(str).value_counts())
        frame["repeat"] = (counts.reindex(df.index) > 1).where(known)
        basis = "customer"
    elif "repeat" in df.columns:
        frame["repeat"] = pd.to_numeric(df["repeat"], errors="coerce").fillna(0) > 0
        basis = "record card"

    groups = frame.groupby("_group", sort=False)
    out = pd.DataFrame({"count": groups.size()})
    with_received = groups["received"].sum()

    def quantile(col: str, q: float) -> Any:
        return groups[col].quantile(q) if col in frame else np.nan

    out["response_hours_median"] = quantile("response_hours", 0.5)
    out["response_hours_p90"] = quantile("response_hours", 0.9)
    out["resolution_hours_median"] = quantile("resolution_hours", 0.5)
    out["resolution_hours_p90"] = quantile("resolution_hours", 0.9)
    out["resolved"] = groups["resolved"].sum().astype(int) if "resolved" in frame else np.nan
    out["resolution_rate"] = out["resolved"] / out["count"] if "resolved" in frame else np.nan
    for kind in ("response", "resolution"):
        col = f"{kind}_breach"
        breaches = groups[col].sum().astype(int) if col in frame else np.nan
        out[f"{kind}_sla_breaches"] = breaches
        out[f"{kind}_sla_breach_rate"] = breaches / with_received.where(with_received > 0) if col in frame else np.nan
    out["repeat_rate"] = groups["repeat"].mean().astype(float) if "repeat" in frame else np.nan
    out["enough"] = out["count"] >= min_count
    out = out.sort_values("count", ascending=False, kind="stable")
    out.index.name = by or "group"
    out = out[list(_KPI_COLUMNS)]
    out.attrs.update(columns=cols, as_of=as_of, invalid_durations=invalid, repeat_basis=basis,
                     resolved_basis=resolved_basis,
                     sla_response_hours=sla_response_hours, sla_resolution_hours=sla_resolution_hours)
    return out
