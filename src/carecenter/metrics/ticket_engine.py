"""Run the ticket catalog (:mod:`.ticket_catalog`): sum the ticket metrics per interval and
group, add the percentiles and the backlog, then the ratios. One Ibis expression, on DuckDB or
PostgreSQL alike; a warehouse without ticket tables gives an empty report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ibis  # type: ignore[import-untyped]
from ibis.common.exceptions import TableNotFound  # type: ignore[import-untyped]

import carecenter.metrics.ticket_catalog  # noqa: F401  (the import fills the registry)
from carecenter.metrics.dims import Dimensions
from carecenter.metrics.engine import _aggregate, _join, _quantiles, fetch, quiet_backend
from carecenter.metrics.registry import (
    BACKLOG,
    CATALOG,
    TICKET,
    TICKET_PERCENTILE,
    TICKET_RATIO,
    of_kind,
    shares,
)
from carecenter.metrics.spec import Report, ReportSpec, period_of, read_contents, report_from_arrow
from carecenter.metrics.ticket_catalog import backlog_rows, ticket_rows
from carecenter.metrics.timebuckets import Buckets

TICKETS, SPELLS = "ticket_facts", "ticket_spells"


def ticket_columns() -> list[str]:
    """Every ticket metric key, in report column order."""
    order = (TICKET, TICKET_RATIO, TICKET_PERCENTILE, BACKLOG)
    return [m.key for kind in order for m in of_kind(kind)]


def ticket_expression(con: Any, spec: ReportSpec, dims: Dimensions, buckets: Buckets) -> Any:
    """The ticket report as one Ibis table expression over the backend ``con``."""
    by = list(spec.by)
    keys = ["interval", *by]
    rows = ticket_rows(con.table(TICKETS), dims, buckets, by)
    parts = [_aggregate(rows, keys, of_kind(TICKET))]
    if spec.percentiles:
        parts.append(_quantiles(rows, keys, of_kind(TICKET_PERCENTILE)))
    spells = backlog_rows(con.table(SPELLS), dims, buckets, by)
    parts.append(_aggregate(spells, keys, of_kind(BACKLOG)))
    table = parts[0]
    for part in parts[1:]:
        table = _join(table, part, keys, quantiles={m.key for m in of_kind(TICKET_PERCENTILE)})
    columns = {}
    for key in ticket_columns():
        m = CATALOG[key]
        if key in table.columns:
            columns[key] = table[key]
        elif m.kind == TICKET_RATIO:
            columns[key] = m.expr(table)
        else:
            columns[key] = ibis.null("float64")
    return table.select(*keys, **columns).order_by(keys)


def _span(con: Any) -> tuple[datetime, datetime] | None:
    """The first creation and the last activity of the tickets (``None``: no ticket)."""
    t = con.table(TICKETS)
    return read_contents(
        fetch(t.aggregate(t_lo=t.created_at.min(), t_hi=t.last_activity_at.max()))
    ).span


def run_tickets(con: Any, spec: ReportSpec, dims: Dimensions, timezone: str = "UTC") -> Report:
    """The ticket report on the backend ``con`` (tables ``ticket_facts`` and
    ``ticket_spells``; none: an empty report)."""
    with quiet_backend():
        columns = ["interval_start", *spec.by, *ticket_columns()]
        empty = Report(columns, [[] for _ in columns], None, shares())
        try:
            span = _span(con)
        except TableNotFound:
            return empty
        start, end = spec.start, spec.end
        if start is None or end is None:
            if span is None:
                return empty
            start, end = period_of(spec, span, timezone)
        buckets = Buckets.build(spec.interval, timezone, start, end, backend=con.name)
        table = ticket_expression(con, spec, dims, buckets)
        return report_from_arrow(fetch(table), spec, buckets, shares())
