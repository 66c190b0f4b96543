"""Use case: ``carecenter plan compare`` — per interval, the agents the staffing plan required,
the agents the saved schedule put on the floor and the agents who really were there; and what
a handled contact cost as scheduled and as it happened.

Like with like, all of the center's queues together (the schedule is for agents who serve them
all):

- ``required``: the staffing plan's ``scheduled_agents`` (shrinkage included), summed over
  its queues, time-weighted over the interval (:class:`Required`);
- ``scheduled``: agents of the saved schedule on a shift and not on a break, on average over
  the interval;
- ``actual``: agents logged in and not on a break, on average over the interval, from the
  agent-state facts (the metric catalog's ``logged_in_total_s`` less ``break_total_s``);
- ``scheduled_cost``: the paid time of the schedule's shifts in the interval times their cost
  per hour; ``actual_cost``: the catalog's ``staff_cost`` (logged-in hours times each agent's
  hourly cost) plus its ``outsourced_cost`` (contacts of outsourcers paid per contact); each
  divided by the contacts handled in the interval (``scheduled_cost_per_contact``,
  ``cost_per_contact``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.domain.durations import format_duration
from carecenter.domain.plans import PlanKind, StoredPlanRow
from carecenter.domain.schedules import ScheduledShift
from carecenter.errors import InputError
from carecenter.metrics.spec import ReportSpec
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.services.reporting import catalog_report

COLUMNS = (
    "interval_start",
    "required",
    "scheduled",
    "actual",
    "scheduled_minus_required",
    "actual_minus_scheduled",
    "handled",
    "scheduled_cost",
    "actual_cost",
    "scheduled_cost_per_contact",
    "cost_per_contact",
)


def _overlap_s(a: datetime, b: datetime, start: datetime, end: datetime) -> float:
    return max(0.0, (min(b, end) - max(a, start)).total_seconds())


def scheduled_in(
    shifts: Sequence[ScheduledShift], start: datetime, end: datetime
) -> tuple[float, float]:
    """Over [``start``, ``end``): the agents of ``shifts`` on a shift and not on a break, on
    average, and the cost of their paid time."""
    span = (end - start).total_seconds()
    working = cost = 0.0
    for shift in shifts:
        on = _overlap_s(shift.start_at, shift.end_at, start, end)
        if on == 0:
            continue
        away = sum(_overlap_s(b.start_at, b.end_at, start, end) for b in shift.breaks)
        unpaid = sum(
            _overlap_s(b.start_at, b.end_at, start, end) for b in shift.breaks if not b.paid
        )
        rate = shift.cost / (shift.agents * shift.paid_hours) if shift.paid_hours else 0.0
        working += shift.agents * (on - away) / span
        cost += shift.agents * (on - unpaid) / 3600 * rate
    return working, cost


def _cost(row: Mapping[str, Any]) -> float | None:
    """What an interval's staff really cost: the catalog's ``staff_cost`` (logged-in hours)
    and ``outsourced_cost`` (contacts of outsourcers paid per contact)."""
    if row["staff_cost"] is None:
        return None
    return float(row["staff_cost"]) + float(row.get("outsourced_cost") or 0.0)


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def compare_staffing(
    source: WorkspaceSource, first_day: date, last_day: date, interval_s: int | None = None
) -> list[dict[str, Any]]:
    """One row per interval of the days from ``first_day`` to ``last_day`` (center time) in
    which anybody was required, scheduled or there (``interval_s``: default the staffing
    plan's interval, else 30 minutes)."""
    if last_day < first_day:
        raise InputError("must not be before --from", field="end")
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        zone = ZoneInfo(center.timezone if center is not None else "UTC")
        start = datetime.combine(first_day, time(0), zone)
        end = datetime.combine(last_day + timedelta(days=1), time(0), zone)
        plan = ws.plans.rows(PlanKind.STAFF, start=start, end=end)
        shifts = [s for _, s in ws.schedules.current(first_day, last_day)]
        versions = ws.schedules.versions()
        step = interval_s or (plan[0].row.interval_s if plan else 1800)
        spec = ReportSpec(format_duration(step), (), start, end, fcr=False, percentiles=False)
        report = catalog_report(ws, spec, center).rows
    if not plan and not shifts and not report:
        raise InputError(
            f"nothing to compare for {first_day} to {last_day}: no staffing plan, no saved "
            "schedule and no agent states"
        )
    actual = {as_utc(r["interval_start"]): r for r in report}
    required = Required(plan)
    out = []
    moment = start.astimezone(UTC)
    while moment < end:
        finish = moment + timedelta(seconds=step)
        need = required.over(moment, finish)
        need = None if need is None else round(need, 3)
        working, cost = scheduled_in(shifts, moment, finish)
        # a day no saved schedule covers: none scheduled is not known, not zero
        planned = any(v.covers(moment.astimezone(zone).date()) for v in versions)
        found = actual.get(moment)
        there = handled = spent = None
        if found is not None:
            there = ((found["logged_in_total_s"] or 0.0) - (found["break_total_s"] or 0.0)) / step
            handled, spent = found["handled"], _cost(found)
        if need or working or there:
            out.append(
                {
                    "interval_start": moment.astimezone(zone),
                    "required": need,
                    "scheduled": round(working, 3) if planned else None,
                    "actual": None if there is None else round(there, 3),
                    "scheduled_minus_required": (
                        round(working - (need or 0.0), 3) if planned else None
                    ),
                    "actual_minus_scheduled": (
                        round(there - working, 3) if planned and there is not None else None
                    ),
                    "handled": handled,
                    "scheduled_cost": round(cost, 2) if planned else None,
                    "actual_cost": spent,
                    "scheduled_cost_per_contact": _div(cost, handled) if planned else None,
                    "cost_per_contact": _div(spent, handled),
                }
            )
        moment = finish
    return out


class Required:
    """The plan rows' ``scheduled_agents`` (summed over their queues), time-weighted over any
    interval: an interval of the plan's length is its row's figure, a longer one the average
    of its rows. The rows are sorted once, so each interval finds its own by bisection."""

    def __init__(self, rows: Iterable[StoredPlanRow]) -> None:
        found = [s.row for s in rows if s.row.scheduled_agents is not None]
        self._rows = sorted(found, key=lambda r: r.interval_start)
        self._starts = [r.interval_start for r in self._rows]
        longest = max((r.interval_s for r in self._rows), default=0)
        self._longest = timedelta(seconds=longest)

    def over(self, start: datetime, end: datetime) -> float | None:
        """The agents required over [``start``, ``end``); ``None`` when no row overlaps it."""
        first = bisect_left(self._starts, start - self._longest)
        last = bisect_left(self._starts, end)
        span = (end - start).total_seconds()
        total, found = 0.0, False
        for row in self._rows[first:last]:
            lo, hi = max(row.interval_start, start), min(row.interval_end, end)
            if hi > lo:
                total += (row.scheduled_agents or 0) * (hi - lo).total_seconds() / span
                found = True
        return total if found else None


def as_utc(value: Any) -> datetime:
    """A catalog row's ``interval_start`` (aware, or its ISO text) in UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC)


def report_staffing(
    source: WorkspaceSource, first: datetime | None, last: datetime | None, tz: str
) -> list[dict[str, Any]]:
    """The rows of :func:`compare_staffing` over the days of a report from ``first`` to
    ``last`` (``tz``: the center's zone), when a staffing plan or a schedule covers them;
    none otherwise (the HTML report then leaves the section out)."""
    if first is None or last is None:
        return []
    zone = ZoneInfo(tz)
    start, end = (
        first.astimezone(zone).date(),
        (last - timedelta(seconds=1)).astimezone(zone).date(),
    )
    try:
        rows = compare_staffing(source, start, end)
    except InputError:  # nothing planned or scheduled, and no agent states: no section
        return []
    planned = any(r["required"] is not None or r["scheduled"] is not None for r in rows)
    return rows if planned else []
