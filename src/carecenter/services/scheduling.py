"""Use case: ``carecenter schedule``, the shifts that cover a staffing requirement at the least
cost.

The requirement is agents to schedule per interval (``scheduled_agents``, shrinkage
included): a CSV file (``carecenter staff --format csv``) or the staffing plan saved in the
workspace (``carecenter staff --save``). Several queues' requirements of one interval add up:
the schedule is for agents who can serve all of them (a multi-skill center is checked with
the simulator). The shift templates come from ``shifts.yaml``
(:mod:`carecenter.adapters.shifts_yaml`); the model is :mod:`carecenter.wfm.scheduling`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from carecenter.adapters.requirement_csv import RequirementRow
from carecenter.adapters.shifts_yaml import ShiftSettings, read_shifts
from carecenter.domain.durations import DAY_S, divides_day
from carecenter.domain.plans import PlanKind
from carecenter.domain.schedules import ScheduledBreak, ScheduledShift, ScheduleVersion
from carecenter.errors import InputError, WorkspaceError
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.wfm.scheduling import solve
from carecenter.wfm.shifts import Problem, Schedule, ShiftCount

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Requirement:
    """Agents to schedule per interval of ``days`` days from ``first_day`` (center time)."""

    first_day: date
    interval_s: int
    agents: NDArray[np.int64]
    """days x intervals of a day."""
    zone: ZoneInfo
    outside: int = 0
    """Rows of the source outside the days asked for (left out)."""

    @property
    def days(self) -> int:
        return int(self.agents.shape[0])

    def moment(self, day: int, interval: int) -> datetime:
        """The wall-clock time of ``interval`` of ``day`` (naive, center time)."""
        return datetime.combine(self.first_day + timedelta(days=day), time(0)) + timedelta(
            seconds=interval * self.interval_s
        )


def requirement_of(
    rows: Sequence[RequirementRow], first_day: date, days: int, zone: ZoneInfo, where: str
) -> Requirement:
    """The requirement of ``rows`` (a CSV's, named ``where`` in messages) on the days asked
    for; rows of one interval add up (several queues)."""
    if days < 1:
        raise InputError(f"must be at least 1, got {days}", field="days")
    sizes = {row.interval_s for row in rows}
    if len(sizes) > 1:
        raise InputError(
            f"the rows have different interval lengths: {sorted(sizes)}",
            file=where,
            field="interval_s",
        )
    interval_s = sizes.pop()
    if not divides_day(interval_s):
        raise InputError(
            f"{interval_s} s intervals do not tile a day", file=where, field="interval_s"
        )
    per_day = DAY_S // interval_s
    agents = np.zeros((days, per_day), np.int64)
    outside = 0
    for row in rows:
        local = row.interval_start
        if local.tzinfo is not None:
            local = local.astimezone(zone).replace(tzinfo=None)
        day = (local.date() - first_day).days
        into = local.hour * 3600 + local.minute * 60 + local.second
        if into % interval_s or local.microsecond:
            raise InputError(
                f"{row.interval_start.isoformat()} does not start a {interval_s // 60}-minute "
                "interval",
                file=where,
                line=row.line,
                field="interval_start",
            )
        if not 0 <= day < days:
            outside += 1
            continue
        agents[day, into // interval_s] += row.agents
    return Requirement(first_day, interval_s, agents, zone, outside)


def requirement_from_plan(source: WorkspaceSource, first_day: date, days: int) -> Requirement:
    """The requirement of the workspace's saved staffing plan (``carecenter staff --save``)."""
    with opened(source, read_only=True) as ws:
        center = ws.applied_center()
        zone = ZoneInfo(center.timezone)
        start = datetime.combine(first_day, time(0), zone)
        end = datetime.combine(first_day + timedelta(days=days), time(0), zone)
        stored = ws.plans.rows(PlanKind.STAFF, start=start, end=end)
        rows = [
            RequirementRow(
                s.row.interval_start, s.row.interval_s, s.row.scheduled_agents, s.row.queue_id
            )
            for s in stored
            if s.row.scheduled_agents is not None
        ]
    if not rows:
        raise WorkspaceError(
            f"no staffing plan saved for {first_day} to {first_day + timedelta(days=days - 1)}: "
            "run `carecenter staff --save` first, or give --requirement FILE"
        )
    return requirement_of(rows, first_day, days, zone, "the saved staffing plan")


@dataclass(frozen=True)
class ScheduleResult:
    """A solved schedule with what it was solved for."""

    requirement: Requirement
    problem: Problem
    schedule: Schedule


def make_schedule(
    requirement: Requirement,
    shifts: Path | ShiftSettings,
    *,
    time_limit_s: float = 60.0,
    gap: float = 0.001,
) -> ScheduleResult:
    """Solve: the least-cost shifts (``shifts.yaml`` or its settings) for ``requirement``."""
    settings = read_shifts(shifts, requirement.interval_s) if isinstance(shifts, Path) else shifts
    problem = Problem(
        requirement=requirement.agents,
        interval_s=requirement.interval_s,
        templates=settings.templates,
        contracts=settings.contracts,
        under_penalty=settings.under_penalty,
        over_penalty=settings.over_penalty,
        first_weekday=requirement.first_day.weekday(),
    )
    return ScheduleResult(requirement, problem, solve(problem, time_limit_s=time_limit_s, gap=gap))


def clock_of(moment: datetime, day: date) -> str:
    """``moment``'s time of day, ``+1`` when it falls on the day after ``day``."""
    later = (moment.date() - day).days
    return moment.strftime("%H:%M") + (f"+{later}" if later else "")


def _placements(shift: ShiftCount) -> Counter[tuple[int, ...]]:
    """How many agents take each combination of break offsets: each break's placements
    in order, the earliest of each break to the same agents."""
    lists = [
        sorted(offset for offset, n in placed.items() for _ in range(n)) for placed in shift.breaks
    ]
    return Counter(zip(*lists, strict=True)) if lists else Counter({(): shift.agents})


def scheduled_shifts(result: ScheduleResult) -> list[ScheduledShift]:
    """The schedule as shifts of the center's days (aware times): one per day, shift, start
    and placement of its breaks."""
    req, problem = result.requirement, result.problem
    templates = {t.name: t for t in problem.templates}
    step = timedelta(seconds=req.interval_s)

    def at(day: int, interval: int) -> datetime:
        return req.moment(day, interval).replace(tzinfo=req.zone)

    out = []
    for shift in result.schedule.shifts:
        template = templates[shift.template]
        paid = template.paid_intervals() * req.interval_s / 3600
        for offsets, agents in sorted(_placements(shift).items()):
            breaks = tuple(
                ScheduledBreak(
                    rule.name,
                    at(shift.day, shift.start + o),
                    at(shift.day, shift.start + o) + rule.length * step,
                    rule.paid,
                )
                for rule, o in zip(template.breaks, offsets, strict=True)
            )
            begin = at(shift.day, shift.start)
            out.append(
                ScheduledShift(
                    day=req.first_day + timedelta(days=shift.day),
                    shift=shift.template,
                    start_at=begin,
                    end_at=begin + shift.length * step,
                    agents=agents,
                    paid_hours=paid,
                    cost=round(agents * paid * template.cost_per_hour, 2),
                    breaks=breaks,
                )
            )
    return out


def shift_rows(
    shifts: Sequence[ScheduledShift], zone: ZoneInfo, versions: Sequence[int] = ()
) -> list[dict[str, Any]]:
    """The shifts as rows, times of the day in ``zone`` (``+1``: the next day); with
    ``versions`` (one per shift), the version each comes from."""
    out = []
    for n, shift in enumerate(shifts):
        local = shift.start_at.astimezone(zone)
        row: dict[str, Any] = {
            "day": shift.day.isoformat(),
            "weekday": WEEKDAYS[shift.day.weekday()],
            "shift": shift.shift,
            "start": clock_of(local, shift.day),
            "end": clock_of(shift.end_at.astimezone(zone), shift.day),
            "agents": shift.agents,
            "paid_hours": shift.paid_hours,
            "cost": shift.cost,
            "breaks": ", ".join(
                f"{b.name} {clock_of(b.start_at.astimezone(zone), shift.day)}" for b in shift.breaks
            ),
        }
        if versions:
            row["version"] = versions[n]
        out.append(row)
    return out


def save_schedule(source: WorkspaceSource, result: ScheduleResult, command: str) -> ScheduleVersion:
    """Keep ``result`` in the workspace as the schedule of its days (replacing, for those
    days, what was saved before)."""
    req, s = result.requirement, result.schedule
    with opened(source) as ws:
        center = ws.center.load()
        if center is not None and center.timezone != req.zone.key:
            raise InputError(
                f"the schedule is in {req.zone.key}, the workspace's center in "
                f"{center.timezone}: give --tz {center.timezone}",
                field="tz",
            )
        draft = ScheduleVersion(
            version=0,
            saved_at=ws.clock.now(),
            command=command,
            first_day=req.first_day,
            days=req.days,
            interval_s=req.interval_s,
            timezone=req.zone.key,
            objective=s.objective,
            lp_bound=s.lp_bound,
            bound=s.bound,
            shifts=0,
        )
        return ws.schedules.save(draft, scheduled_shifts(result))


def no_schedule(first_day: date, last_day: date) -> InputError:
    """The error of a command that needs a saved schedule for days that have none."""
    return InputError(
        f"no schedule saved for {first_day} to {last_day}; save one with "
        "`carecenter schedule --save --workspace DIR`"
    )


def saved_schedule(
    source: WorkspaceSource, first_day: date, last_day: date
) -> list[dict[str, Any]]:
    """The current schedule of the days from ``first_day`` to ``last_day`` as rows, with the
    version of each; an :class:`InputError` when none is saved for them."""
    if last_day < first_day:
        raise InputError("must not be before --from", field="end")
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        zone = ZoneInfo(center.timezone if center is not None else "UTC")
        found = ws.schedules.current(first_day, last_day)
    if not found:
        raise no_schedule(first_day, last_day)
    return shift_rows([s for _, s in found], zone, [v for v, _ in found])


def coverage_rows(result: ScheduleResult) -> list[dict[str, Any]]:
    """One row per interval: agents required, scheduled (working, not on a break), under and
    over."""
    req, s = result.requirement, result.schedule
    out = []
    for day in range(req.days):
        for i in range(req.agents.shape[1]):
            moment = req.moment(day, i)
            out.append(
                {
                    "interval_start": moment.isoformat(timespec="minutes"),
                    "required": int(req.agents[day, i]),
                    "scheduled": int(s.coverage[day, i]),
                    "under": int(s.under[day, i]),
                    "over": int(s.over[day, i]),
                }
            )
    return out


def summary(result: ScheduleResult) -> str:
    """One line: agents, cost, the LP bound and the gap, time."""
    s, req = result.schedule, result.requirement
    agents = sum(sum(p.values()) for p in s.patterns.values())
    days = f"{req.days} day{'s' if req.days > 1 else ''}"
    people = f", {agents} agents on contracts" if agents else ""
    return (
        f"schedule: {days}, {sum(x.agents for x in s.shifts)} shifts{people}; "
        f"cost {s.objective:,.2f} (staff {s.staff_cost:,.2f}); LP bound {s.lp_bound:,.2f} "
        f"(gap {100 * s.lp_gap:.3f} %); best bound {s.bound:,.2f} (gap {100 * s.gap:.3f} %); "
        f"under-covered {int(s.under.sum())} agent-intervals; "
        f"{s.seconds:.1f} s"
    )
