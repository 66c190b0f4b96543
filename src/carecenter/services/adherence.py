"""Use case: ``carecenter adherence`` — did the agents work the saved roster?

The plan is the workspace's saved roster (``carecenter roster --save``): each rostered shift is
working time except its breaks, each break its own planned activity. What happened is the
warehouse's agent-state intervals (from the engine, the simulator or an import); an interval
still open counts up to now. The definitions (adherence, conformance, out-of-adherence events)
are :mod:`carecenter.wfm.adherence`'s.

Days are the center's: the window runs from midnight of ``--from`` to midnight after ``--to``
in its time zone; a night shift of the day before counts for its part inside the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.domain.rosters import RosteredShift
from carecenter.errors import InputError
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.services.rostering import no_roster
from carecenter.wfm.adherence import Actual, AdherenceReport, Planned, adherence

WORK = "work"


@dataclass(frozen=True)
class AdherenceResult:
    """The report, the window it covers and the agents' names."""

    report: AdherenceReport
    start_at: datetime
    end_at: datetime
    zone: ZoneInfo
    names: dict[str, str]
    tolerance_s: float


def planned_of(shifts: Sequence[RosteredShift]) -> list[Planned]:
    """Each rostered shift as planned activities: working time between its breaks, and each
    break (paid or not) as the break it is."""
    out: list[Planned] = []
    for shift in shifts:
        moment = shift.start_at
        for b in sorted(shift.breaks, key=lambda b: b.start_at):
            if b.start_at > moment:
                out.append(Planned(shift.agent_id, moment, b.start_at, WORK, True))
            out.append(Planned(shift.agent_id, b.start_at, b.end_at, b.name, False))
            moment = max(moment, b.end_at)
        if shift.end_at > moment:
            out.append(Planned(shift.agent_id, moment, shift.end_at, WORK, True))
    return out


def measure_adherence(
    source: WorkspaceSource,
    first_day: date,
    last_day: date,
    *,
    interval_s: int = 1800,
    tolerance_s: float = 300.0,
) -> AdherenceResult:
    """Adherence of every agent rostered or seen in the days from ``first_day`` to
    ``last_day`` (center time), per agent and per interval of ``interval_s`` seconds."""
    if last_day < first_day:
        raise InputError("must not be before --from", field="to")
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        zone = ZoneInfo(center.timezone if center is not None else "UTC")
        names = {a.agent_id: a.name for a in center.agents.values()} if center else {}
        start = datetime.combine(first_day, time(0), zone)
        end = datetime.combine(last_day + timedelta(days=1), time(0), zone)
        rostered = ws.schedules.current_roster(first_day - timedelta(days=1), last_day)
        now = ws.clock.now()
        intervals = ws.warehouse.agent_intervals(start, end)
    shifts = [s for _, s in rostered if s.end_at > start and s.start_at < end]
    if not shifts:
        raise no_roster(first_day, last_day)
    actual = [
        Actual(
            iv.agent_id,
            iv.start_at,
            iv.end_at if iv.end_at is not None else max(min(now, end), iv.start_at),
            str(iv.state),
            iv.reason,
        )
        for iv in intervals
    ]
    report = adherence(
        planned_of(shifts),
        actual,
        start_at=start,
        end_at=end,
        interval_s=interval_s,
        tolerance_s=tolerance_s,
    )
    return AdherenceResult(report, start, end, zone, names, tolerance_s)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def agent_rows(result: AdherenceResult) -> list[dict[str, Any]]:
    """One row per agent over the whole window."""
    return [
        {
            "agent_id": a.agent_id,
            "agent": result.names.get(a.agent_id, ""),
            "scheduled_s": a.scheduled_s,
            "scheduled_work_s": a.scheduled_work_s,
            "in_adherence_s": a.in_adherence_s,
            "out_of_adherence_s": a.out_of_adherence_s,
            "worked_s": a.worked_s,
            "adherence": _share(a.adherence),
            "conformance": _share(a.conformance),
            "events": a.events,
        }
        for a in result.report.agents
    ]


def interval_rows(result: AdherenceResult) -> list[dict[str, Any]]:
    """One row per agent and interval with scheduled or worked time."""
    return [
        {
            "interval_start": r.interval_start.astimezone(result.zone),
            "agent_id": r.agent_id,
            "agent": result.names.get(r.agent_id, ""),
            "scheduled_s": r.scheduled_s,
            "scheduled_work_s": r.scheduled_work_s,
            "in_adherence_s": r.in_adherence_s,
            "worked_s": r.worked_s,
            "adherence": _share(r.adherence),
            "conformance": _share(r.conformance),
        }
        for r in result.report.intervals
    ]


def event_rows(result: AdherenceResult) -> list[dict[str, Any]]:
    """One row per out-of-adherence event longer than the tolerance."""
    return [
        {
            "agent_id": e.agent_id,
            "agent": result.names.get(e.agent_id, ""),
            "start_at": e.start_at.astimezone(result.zone),
            "end_at": e.end_at.astimezone(result.zone),
            "duration_s": e.duration_s,
            "activity": e.activity,
            "state": e.state,
        }
        for e in result.report.events
    ]


def summary(result: AdherenceResult) -> str:
    """The whole center's adherence and conformance, on one line for stderr."""
    agents = result.report.agents
    scheduled = sum(a.scheduled_s for a in agents)
    work = sum(a.scheduled_work_s for a in agents)
    kept = sum(a.in_adherence_s for a in agents)
    worked = sum(a.worked_s for a in agents)
    events = len(result.report.events)
    adh = f"{kept / scheduled:.1%}" if scheduled else "-"
    conf = f"{worked / work:.1%}" if work else "-"
    return (
        f"{len(agents)} agents: adherence {adh}, conformance {conf}; {events} out-of-adherence "
        f"events over {result.tolerance_s:g} s"
    )
