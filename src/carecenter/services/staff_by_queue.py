"""Use case: ``carecenter plan compare --by queue`` — per interval and queue, the agents the
staffing plan required, the agents the saved roster put there and the agents who really were,
and what a handled contact of the queue cost as rostered and as it happened.

An agent serves several queues, so an agent's time and cost are split between the queues by
the agent's handling time in each (DESIGN.md section 3; idle time goes in the same
proportion):

1. the agent's handle time per queue in the interval (the catalog's ``handle_total_s`` by
   agent and queue: talk, hold and after-call work of the visits that entered the queue in
   the interval);
2. when the agent handled nothing in the interval, their handle time per queue over the day
   (center time);
3. when they handled nothing that day, equal shares of the queues they can serve (their
   routing profile and skills); of every queue when they can serve none.

The columns:

- ``required``: the staffing plan's ``scheduled_agents`` of the queue (shrinkage included),
  time-weighted over the interval (so a day's row is the day's average);
- ``scheduled``: the rostered agents on a shift and not on a break, on average over the
  interval, times their share of the queue (``None`` on a day no saved roster covers);
- ``actual``: agents logged in and not on a break, on average over the interval, times their
  share;
- ``scheduled_cost``: the rostered shifts' paid time in the interval times their cost per paid
  hour (the agent's hourly cost, else the shift's), times the share; ``actual_cost``: the
  catalog's ``staff_cost`` (logged-in hours times the agent's hourly cost: their own, else
  their site's) times the share, plus the queue's ``outsourced_cost`` (its contacts handled
  by outsourcers paid per contact);
- ``handled``: the queue's handled contacts; ``scheduled_cost_per_contact`` and
  ``cost_per_contact``: each cost divided by them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.domain.center import Center
from carecenter.domain.durations import format_duration
from carecenter.domain.plans import PlanKind, StoredPlanRow
from carecenter.domain.rosters import RosteredShift
from carecenter.domain.schedules import ScheduledShift
from carecenter.errors import InputError
from carecenter.metrics.spec import ReportSpec
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.services.reporting import catalog_report
from carecenter.services.staff_vs_plan import COLUMNS as ALL_QUEUES
from carecenter.services.staff_vs_plan import Required, as_utc, scheduled_in

COLUMNS = ("interval_start", "queue", *ALL_QUEUES[1:])
"""The columns of :data:`carecenter.services.staff_vs_plan.COLUMNS`, per queue."""

Key = tuple[str, datetime]
"""An agent and the UTC start of an interval."""


class QueueShares:
    """Each agent's share of each queue per interval, by handling time (see the module)."""

    def __init__(
        self,
        handled_s: Mapping[tuple[str, datetime, str], float],
        servable: Mapping[str, Sequence[str]],
        queues: Sequence[str],
        day_of: Any,
    ) -> None:
        self._interval: dict[Key, dict[str, float]] = defaultdict(dict)
        self._day: dict[tuple[str, date], dict[str, float]] = defaultdict(dict)
        for (agent, moment, queue), seconds in handled_s.items():
            if seconds > 0:
                bucket = self._interval[agent, moment]
                bucket[queue] = bucket.get(queue, 0.0) + seconds
                daily = self._day[agent, day_of(moment)]
                daily[queue] = daily.get(queue, 0.0) + seconds
        self._servable = servable
        self._queues = tuple(queues)
        self._day_of = day_of

    def of(self, agent: str, moment: datetime) -> dict[str, float]:
        """Queue -> share (adding up to 1) of ``agent``'s time in the interval at ``moment``."""
        found = self._interval.get((agent, moment)) or self._day.get((agent, self._day_of(moment)))
        if found:
            total = sum(found.values())
            return {q: s / total for q, s in found.items()}
        queues = self._servable.get(agent) or self._queues
        return {q: 1 / len(queues) for q in queues} if queues else {}


def servable_queues(center: Center) -> dict[str, list[str]]:
    """Agent id -> the queues the agent can serve (routing profile and skills)."""
    return {
        a.agent_id: sorted(q.queue_id for q in center.queues.values() if a.serves(q))
        for a in center.agents.values()
    }


def _as_shift(s: RosteredShift) -> ScheduledShift:
    return ScheduledShift(s.day, s.shift, s.start_at, s.end_at, 1, s.paid_hours, s.cost, s.breaks)


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else round(a / b, 4)


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def compare_by_queue(
    source: WorkspaceSource, first_day: date, last_day: date, interval_s: int | None = None
) -> list[dict[str, Any]]:
    """One row per interval and queue of the days from ``first_day`` to ``last_day`` (center
    time) in which the queue required, had rostered or had present agents, or handled a
    contact (``interval_s``: default the staffing plan's, else 30 minutes)."""
    if last_day < first_day:
        raise InputError("must not be before --from", field="end")
    with opened(source, read_only=True) as ws:
        center = ws.applied_center()
        zone = ZoneInfo(center.timezone)
        start = datetime.combine(first_day, time(0), zone)
        end = datetime.combine(last_day + timedelta(days=1), time(0), zone)
        plan = ws.plans.rows(PlanKind.STAFF, start=start, end=end)
        rostered = [
            s
            for _, s in ws.schedules.current_roster(first_day - timedelta(days=1), last_day)
            if s.end_at > start and s.start_at < end
        ]
        versions = ws.schedules.roster_versions()
        step = interval_s or (plan[0].row.interval_s if plan else 1800)
        base = ReportSpec(
            format_duration(step), ("agent",), start, end, fcr=False, percentiles=False
        )
        by_agent = catalog_report(ws, base, center).rows
        by_pair = catalog_report(ws, replace(base, by=("agent", "queue")), center).rows
        by_queue = catalog_report(ws, replace(base, by=("queue",)), center).rows
    if not plan and not rostered and not by_agent and not by_queue:
        raise InputError(
            f"nothing to compare for {first_day} to {last_day}: no staffing plan, no saved "
            "roster and no agent states"
        )
    queues = sorted(center.queues)
    handled_s = {
        (r["agent"], as_utc(r["interval_start"]), r["queue"]): float(r["handle_total_s"] or 0.0)
        for r in by_pair
        if r["agent"] is not None and r["queue"] is not None
    }
    shares = QueueShares(
        handled_s, servable_queues(center), queues, lambda m: m.astimezone(zone).date()
    )
    present: dict[Key, tuple[float, float]] = {}
    for r in by_agent:
        if r["agent"] is None:
            continue
        working = (r["logged_in_total_s"] or 0.0) - (r["break_total_s"] or 0.0)
        present[r["agent"], as_utc(r["interval_start"])] = (working / step, r["staff_cost"] or 0.0)
    handled = {(r["queue"], as_utc(r["interval_start"])): r["handled"] for r in by_queue}
    fees = {
        (r["queue"], as_utc(r["interval_start"])): r["outsourced_cost"] or 0.0 for r in by_queue
    }
    plan_of: dict[str, list[StoredPlanRow]] = defaultdict(list)
    for stored in plan:
        plan_of[stored.row.queue_id].append(stored)
    shifts_of: dict[str, list[ScheduledShift]] = defaultdict(list)
    for shift in rostered:
        shifts_of[shift.agent_id].append(_as_shift(shift))
    agents = sorted({a for a, _ in present} | set(shifts_of))
    out = []
    every_queue = sorted(set(queues) | set(plan_of) | {q for q, _ in handled})
    required_of = {q: Required(plan_of.get(q, ())) for q in every_queue}
    moment = start.astimezone(UTC)
    while moment < end:
        finish = moment + timedelta(seconds=step)
        sched: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        there: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for agent in agents:
            split = shares.of(agent, moment)
            if agent in shifts_of:
                working, cost = scheduled_in(shifts_of[agent], moment, finish)
                for q, share in split.items():
                    sched[q][0] += working * share
                    sched[q][1] += cost * share
            if (agent, moment) in present:
                working, cost = present[agent, moment]
                for q, share in split.items():
                    there[q][0] += working * share
                    there[q][1] += cost * share
        # a day no saved roster covers: the rostered agents are not known, not zero
        on_roster = any(v.covers(moment.astimezone(zone).date()) for v in versions)
        for queue in every_queue:
            need = required_of[queue].over(moment, finish)
            done = handled.get((queue, moment))
            s_agents, s_cost = sched[queue] if on_roster else (None, None)
            a_agents, a_cost = there[queue] if present else (None, None)
            if a_cost is not None:
                a_cost += fees.get((queue, moment), 0.0)
            if not (need or s_agents or a_agents or done):
                continue
            out.append(
                {
                    "interval_start": moment.astimezone(zone),
                    "queue": queue,
                    "required": _round(need),
                    "scheduled": _round(s_agents),
                    "actual": _round(a_agents),
                    "scheduled_minus_required": (
                        _round(s_agents - (need or 0.0)) if s_agents is not None else None
                    ),
                    "actual_minus_scheduled": (
                        _round(a_agents - s_agents)
                        if a_agents is not None and s_agents is not None
                        else None
                    ),
                    "handled": done,
                    "scheduled_cost": _round(s_cost, 2),
                    "actual_cost": _round(a_cost, 2),
                    "scheduled_cost_per_contact": _div(s_cost, done),
                    "cost_per_contact": _div(a_cost, done),
                }
            )
        moment = finish
    return out


def report_staffing_by_queue(
    source: WorkspaceSource, first: datetime | None, last: datetime | None, tz: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """For the HTML report over the days of ``first`` to ``last`` (``tz``: the center's zone):
    the rows of :func:`compare_by_queue` per plan interval and per day, when a staffing plan or
    a saved roster covers them; none otherwise (the report then leaves the section out)."""
    if first is None or last is None:
        return [], []
    zone = ZoneInfo(tz)
    start = first.astimezone(zone).date()
    end = (last - timedelta(seconds=1)).astimezone(zone).date()
    try:
        rows = compare_by_queue(source, start, end)
    except InputError:  # nothing planned or rostered, and no agent states: no section
        return [], []
    if not any(r["required"] is not None or r["scheduled"] is not None for r in rows):
        return [], []
    return rows, compare_by_queue(source, start, end, 86400)
