"""Reports: run the metric catalog over the workspace's warehouse; targets and peer gaps.

``metrics_report`` is ``carecenter report``; ``gap_table`` compares each queue (and the whole
center) with its targets from ``center.yaml`` and with an optional peer-benchmark CSV;
``html_report`` gathers what the self-contained HTML report shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.domain.center import Center
from carecenter.domain.durations import HOUR_S
from carecenter.errors import InputError
from carecenter.metrics.dims import Dimensions
from carecenter.metrics.spec import TICKET_ONLY_DIMS, Report, ReportSpec
from carecenter.metrics.timebuckets import step_seconds
from carecenter.services.bootstrap import Workspace, WorkspaceSource, opened

GAP_METRICS: dict[str, int] = {
    "service_level": 1,
    "asa_s": -1,
    "abandon_rate": -1,
    "occupancy": 0,
    "email_response_s": -1,
    "aht_s": -1,
    "fcr": 1,
    "cost_per_contact": -1,
}
"""Metrics of the gap table: +1 higher is better, -1 lower is better, 0 neither."""
GAP_COLUMNS = ["queue", "metric", "ours", "target", "peer", "gap", "peer_gap", "met"]
CENTER = "(center)"


@dataclass(frozen=True)
class Period:
    """The report period as given on the command line (``None``: from the data)."""

    start: str | None = None
    end: str | None = None

    def resolve(self, timezone: str) -> tuple[datetime | None, datetime | None]:
        """Aware datetimes; naive values are local time of the center. A date alone in
        ``end`` includes that whole day."""
        return (
            _parse(self.start, timezone, "start", end=False),
            _parse(self.end, timezone, "end", end=True),
        )


def _parse(text: str | None, timezone: str, field: str, *, end: bool) -> datetime | None:
    if not text:
        return None
    zone = ZoneInfo(timezone)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1 if end else 0), time(0), zone)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{text!r} is not a date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM)",
            field=field,
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def parse_by(text: str | None) -> tuple[str, ...]:
    """``queue,agent`` -> ``("queue", "agent")``."""
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())


@contextmanager
def _backend(source: WorkspaceSource) -> Iterator[tuple[Any, Center | None]]:
    with opened(source, read_only=True) as ws:
        yield ws.warehouse.backend(), ws.center.load()


def _spec(
    center: Center | None,
    period: Period,
    interval: str,
    by: Sequence[str],
    fcr: bool,
    percentiles: bool = True,
) -> ReportSpec:
    start, end = period.resolve(center.timezone if center else "UTC")
    return ReportSpec(interval, tuple(by), start, end, fcr, percentiles)


def metrics_report(
    source: WorkspaceSource,
    *,
    period: Period = Period(),
    interval: str = "1d",
    by: Sequence[str] = (),
    fcr: bool = True,
    percentiles: bool = True,
) -> Report:
    """Every metric per interval and group (``by``: queue, channel, tier, topic, agent, team,
    site); ``fcr`` and ``percentiles`` say whether to compute those (the costliest) metrics.

    On a warehouse that runs SQL itself (DuckDB) the catalog's compiled SQL is cached in the
    workspace (:mod:`carecenter.metrics.compiled`): a repeated report does not compile again.
    """
    _contact_dims(by)
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        return catalog_report(ws, _spec(center, period, interval, by, fcr, percentiles), center)


def facts_report(
    directory: Path | str,
    *,
    backend: str | None = None,
    remote: str | None = None,
    config: Path | None = None,
    period: Period = Period(),
    interval: str = "1d",
    by: Sequence[str] = (),
    fcr: bool = True,
    percentiles: bool = True,
) -> Report:
    """``metrics_report`` over an export of facts (``carecenter export facts``) instead of a
    workspace: a directory on DuckDB (the default) or Spark (``remote``: a Spark Connect
    server), or a PostgreSQL database URL on PostgreSQL. The
    queues' policies and the agents' teams, sites and costs are those of the center file
    ``config`` (``None``: defaults, in the time zone of the export's days)."""
    from carecenter.adapters.center_yaml import read_center_file
    from carecenter.adapters.parquet_facts import open_facts

    _contact_dims(by)
    center = read_center_file(config) if config is not None else None
    facts = open_facts(directory, backend, remote=remote)
    try:
        timezone = center.timezone if center is not None else facts.timezone
        start, end = period.resolve(timezone)
        spec = ReportSpec(interval, tuple(by), start, end, fcr, percentiles)
        return run(facts.con, spec, Dimensions.from_center(center), timezone)
    finally:
        facts.close()


def catalog_report(ws: Workspace, spec: ReportSpec, center: Center | None) -> Report:
    """The catalog's report ``spec`` on the open workspace ``ws`` (of ``center``), from the
    workspace's cache of compiled SQL when its warehouse runs SQL itself."""
    from carecenter.adapters.sql_cache import FileSqlCache
    from carecenter.metrics import compiled

    dims, tz = Dimensions.from_center(center), _tz(center)
    warehouse = ws.warehouse
    if isinstance(warehouse, compiled.SqlWarehouse):
        cache = FileSqlCache(ws.settings.cache_path / "report-sql")
        return compiled.run(warehouse, spec, dims, tz, cache)
    return run(warehouse.backend(), spec, dims, tz)


def _contact_dims(by: Sequence[str]) -> None:
    """``InputError`` for a grouping only tickets have."""
    for d in by:
        if d in TICKET_ONLY_DIMS:
            raise InputError(f"{d} is a dimension of tickets: use --tickets", field="by")


def tickets_held(source: WorkspaceSource) -> int:
    """How many tickets the warehouse holds."""
    with opened(source, read_only=True) as ws:
        return ws.warehouse.counts().tickets


def ticket_report(
    source: WorkspaceSource,
    *,
    period: Period = Period(),
    interval: str = "1d",
    by: Sequence[str] = (),
    percentiles: bool = True,
) -> Report:
    """Every ticket metric per interval and group (``by``: queue, channel, tier, topic, agent,
    team, site): first response and resolution in business hours, reopens, SLA, backlog."""
    from carecenter.metrics.ticket_engine import run_tickets

    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        spec = _spec(center, period, interval, by, False, percentiles)
        return run_tickets(
            ws.warehouse.backend(), spec, Dimensions.from_center(center), _tz(center)
        )


def run(con: Any, spec: ReportSpec, dims: Dimensions, timezone: str) -> Report:
    """The catalog's report on the Ibis backend ``con``."""
    from carecenter.metrics.engine import run as run_catalog

    return run_catalog(con, spec, dims, timezone)


PROMISE_LESS = ("channel", "tier", "topic")
"""Groupings promises do not have (see :mod:`carecenter.metrics.promise_catalog`)."""


def unrecorded(report: Report) -> list[str]:
    """Notes on what the report cannot count: durations some handled contacts' sources do not
    record (``talk_logged`` and ``acw_logged`` below ``handled``), so a reader knows what AHT
    and the averages cover; promises in a grouping they do not have."""

    def total(key: str) -> int:
        return round(sum(v or 0 for v in report.column(key))) if key in report.columns else 0

    handled = total("handled")
    notes = []
    no_talk = handled - total("talk_logged")
    if handled and no_talk:
        notes.append(
            f"talk and hold are not recorded apart for {no_talk} of {handled} handled contacts "
            "(e.g. an Asterisk queue_log logs the whole conversation): avg_talk_s and "
            "avg_hold_s are over the others"
        )
    no_acw = handled - total("acw_logged")
    if handled and no_acw:
        notes.append(
            f"after-call work is not recorded for {no_acw} of {handled} handled contacts: "
            "their AHT is the conversation only, and avg_acw_s is over the others"
        )
    without = [d for d in PROMISE_LESS if d in report.columns]
    if without:
        notes.append(
            f"promises have no {' or '.join(without)}: promises_made, promises_kept, "
            "promises_broken and promise_kept_rate are empty in this grouping"
        )
    return notes


def _tz(center: Center | None) -> str:
    return center.timezone if center else "UTC"


def read_peers(path: Path) -> dict[tuple[str, str], float]:
    """The benchmarks of a peers file (:mod:`carecenter.services.peer_file`: columns
    ``metric,value`` and optionally ``queue``, empty: the whole center; its rows for named
    peers and their features are read by ``carecenter voc table``). Returns (queue or
    ``(center)``, metric) -> value."""
    from carecenter.services.peer_file import read_peer_file

    return read_peer_file(path).benchmarks


def _targets(center: Center | None) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    if center is None:
        return out
    for q in center.queues.values():
        values = {
            "service_level": q.service_level.target,
            "asa_s": q.targets.asa_s,
            "abandon_rate": q.targets.abandon_rate,
            "occupancy": q.targets.occupancy,
            "email_response_s": q.targets.response_time_s,
        }
        out.update({(q.queue_id, m): v for m, v in values.items() if v is not None})
    for metric in GAP_METRICS:
        shared = {v for (_, m), v in out.items() if m == metric}
        if len(shared) == 1 and all((q, metric) in out for q in center.queues):
            out[(CENTER, metric)] = shared.pop()  # every queue's target: the center's too
    return out


def _gap_row(
    queue: str, metric: str, ours: Any, target: float | None, peer: float | None
) -> dict[str, Any]:
    direction = GAP_METRICS[metric]
    gap = ours - target if ours is not None and target is not None else None
    met = None
    if gap is not None and direction:
        met = gap * direction >= 0
    return {
        "queue": queue,
        "metric": metric,
        "ours": ours,
        "target": target,
        "peer": peer,
        "gap": gap,
        "peer_gap": ours - peer if ours is not None and peer is not None else None,
        "met": met,
    }


def gaps_from(
    center: Center | None,
    total: dict[str, Any],
    queues: dict[str, dict[str, Any]],
    peers: dict[tuple[str, str], float],
) -> list[dict[str, Any]]:
    """Gap rows from the whole-period report of the center (``total``) and of each queue
    (``queues``: queue id -> row, with ``occupancy`` of the queue's agents)."""
    targets = _targets(center)
    rows = []
    for scope, values in [(CENTER, total), *sorted(queues.items())]:
        for metric in GAP_METRICS:
            target = targets.get((scope, metric))
            peer = peers.get((scope, metric), peers.get((CENTER, metric)))
            if target is None and peer is None:
                continue
            rows.append(_gap_row(scope, metric, values.get(metric), target, peer))
    return rows


def _whole_period(
    con: Any, center: Center | None, period: Period, fcr: bool
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    dims, tz = Dimensions.from_center(center), _tz(center)
    spec = _spec(center, period, "all", (), fcr)
    total = run(con, spec, dims, tz)
    by_queue = run(con, replace(spec, by=("queue",)), dims, tz)
    queues = {r["queue"]: dict(r) for r in by_queue.rows if r["queue"] is not None}
    return (dict(total.rows[0]) if total.rows else {}), queues


def gap_table(
    source: WorkspaceSource,
    *,
    period: Period = Period(),
    peers: Path | None = None,
    fcr: bool = True,
) -> list[dict[str, Any]]:
    """Ours against target and peer, per queue and for the whole center, over the period."""
    peer_values = read_peers(peers) if peers is not None else {}
    with _backend(source) as (con, center):
        total, queues = _whole_period(con, center, period, fcr)
        return gaps_from(center, total, queues, peer_values)


@dataclass
class HtmlReport:
    """What the page shows. Rows are report rows (``interval_start`` and metric keys)."""

    title: str
    subtitle: str
    totals: Sequence[Mapping[str, Any]]
    """Per interval, the whole center."""
    by_queue: Sequence[Mapping[str, Any]]
    """Per interval and queue."""
    heat: Sequence[Mapping[str, Any]]
    """Per hour or finer, the whole center (for the weekday × time heatmap)."""
    agents: Sequence[Mapping[str, Any]]
    """Whole period, per agent (with team and site)."""
    gaps: Sequence[Mapping[str, Any]]
    sl_targets: Mapping[str, float] = field(default_factory=dict)
    """Queue -> service-level target."""
    table: Sequence[Mapping[str, Any]] = ()
    table_columns: Sequence[str] = ()
    staffing: Sequence[Mapping[str, Any]] = ()
    """Per interval: required, scheduled and actual agents (``carecenter plan compare``), when
    a staffing plan or a saved schedule covers the period."""
    staffing_by_queue: Sequence[Mapping[str, Any]] = ()
    """Per interval and queue (``carecenter plan compare --by queue``), when a staffing plan or
    a saved roster covers the period."""
    staffing_by_queue_day: Sequence[Mapping[str, Any]] = ()
    """The same per day and queue, with the costs per contact."""
    sites: Sequence[Mapping[str, Any]] = ()
    """Whole period, per site (``kind``: own or outsourcer), when agents work at more than one
    site or ``center.yaml`` declares sites."""
    expectations: Sequence[Mapping[str, Any]] = ()
    """The customer expectation evaluation table, ranked (``carecenter voc table``), when the
    workspace keeps a register."""


def html_report(
    source: WorkspaceSource,
    *,
    period: Period = Period(),
    interval: str = "1d",
    by: Sequence[str] = (),
    peers: Path | None = None,
    fcr: bool = True,
) -> HtmlReport:
    """What the self-contained HTML report shows (charts, gap table, agent table); the
    interface renders it."""
    from carecenter.services.staff_by_queue import report_staffing_by_queue
    from carecenter.services.staff_vs_plan import report_staffing  # it reads catalog_report

    _contact_dims(by)
    peer_values = read_peers(peers) if peers is not None else {}
    with _backend(source) as (con, center):
        dims, tz = Dimensions.from_center(center), _tz(center)
        spec = _spec(center, period, interval, by, fcr)
        table = run(con, spec, dims, tz)
        totals = run(con, replace(spec, by=()), dims, tz)
        by_queue = run(con, replace(spec, by=("queue",), fcr=False, percentiles=False), dims, tz)
        step = step_seconds(interval)
        heat_interval = interval if step is not None and step <= HOUR_S else "1h"
        heat_spec = replace(spec, interval=heat_interval, by=(), fcr=False, percentiles=False)
        heat = run(con, heat_spec, dims, tz)
        agents = run(con, replace(spec, interval="all", by=("agent", "team", "site")), dims, tz)
        sites = run(con, replace(spec, interval="all", by=("site",), percentiles=False), dims, tz)
        total, queues = _whole_period(con, center, period, fcr)
        gaps = gaps_from(center, total, queues, peer_values)
    from carecenter.services.voc_table import current as expectation_table

    evaluation = expectation_table(source)
    first = totals.buckets.start if totals.buckets else None
    last = totals.buckets.end if totals.buckets else None
    subtitle = (
        f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC, interval {interval}, times in {tz}"
        if first and last
        else "no data in the warehouse"
    )
    per_queue, per_queue_day = report_staffing_by_queue(source, first, last, tz)
    return HtmlReport(
        staffing=report_staffing(source, first, last, tz),
        staffing_by_queue=per_queue,
        staffing_by_queue_day=per_queue_day,
        title=f"{center.name if center else 'carecenter'}: service report",
        subtitle=subtitle,
        totals=totals.rows,
        by_queue=by_queue.rows,
        heat=heat.rows,
        agents=[r for r in agents.rows if r["agent"] is not None],
        gaps=gaps,
        sl_targets={q.queue_id: q.service_level.target for q in center.queues.values()}
        if center
        else {},
        table=table.rows,
        table_columns=table.columns,
        sites=_site_rows(sites.rows, center),
        expectations=evaluation.rows if evaluation is not None else (),
    )


def _site_rows(rows: Sequence[Mapping[str, Any]], center: Center | None) -> list[dict[str, Any]]:
    """The sites side by side (the report's per-site rows, with each site's kind); none when
    there is only one site and ``center.yaml`` declares none."""
    declared = center.sites if center is not None else {}
    found = [r for r in rows if r["site"]]
    if len(found) < 2 and not declared:
        return []
    out = []
    for row in found:
        site = declared.get(str(row["site"]))
        kind = "outsourcer" if site is not None and site.outsourcer else "own"
        out.append({**row, "kind": kind, "site": site.name if site else row["site"]})
    return out
