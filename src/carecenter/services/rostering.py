"""Use case: ``carecenter roster``, the named agents who work the saved schedule's shifts.

The shifts are the workspace's saved schedule (``carecenter schedule --save``); the agents,
with their skills, contracts, hours, availability, leave and preferences, are those of the
applied ``center.yaml`` (``carecenter config apply``); the
contracts' hours and the week's rules (rest, days in a row, penalties) are ``shifts.yaml``'s;
each queue's own requirement is the saved staffing plan's ``scheduled_agents``. The days just
before come from the roster saved for them (``--save``): when each agent's last shift ended
(rest) and how many days in a row they had worked. What the model is given is
built by :mod:`carecenter.services.roster_inputs`; the model is
:mod:`carecenter.wfm.roster_model`; every hard rule of its answer is checked again by
:func:`carecenter.wfm.roster.violations`.

Times are wall-clock minutes from midnight of the first day, in the center's time zone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.adapters.shifts_yaml import read_shifts
from carecenter.domain.center import WEEKDAYS
from carecenter.domain.plans import PlanKind
from carecenter.domain.rosters import RosteredShift, RosterVersion
from carecenter.domain.schedules import ScheduledShift
from carecenter.errors import InputError
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.services.roster_inputs import HOUR, agents_of, carried_over, minute_of, slots_of
from carecenter.services.scheduling import clock_of, no_schedule
from carecenter.wfm.roster import (
    DAY_MIN,
    Roster,
    RosterProblem,
    RosterRules,
    ShiftSlot,
    coverage,
    paid_minutes,
    violations,
)

LOOK_BACK_DAYS = 28
"""How far back the saved roster is read for the days in a row worked before the first day."""


@dataclass(frozen=True)
class RosterResult:
    """A solved roster with its problem and where its minutes are."""

    problem: RosterProblem
    roster: Roster
    first_day: date
    names: dict[str, str]
    broken: list[str]
    """Hard rules the answer breaks, found by the independent check (must be empty)."""
    places: dict[int, tuple[ScheduledShift, ...]]
    """Slot key -> the saved schedule's row of each of its places (times, breaks, cost)."""
    schedule_version: int
    timezone: str
    hourly_cost: dict[str, float]
    """Agent id -> cost per paid hour (agents without one cost what their shift costs)."""
    carried: int = 0
    """Agents whose rest and days in a row come from the roster saved before the first day."""


def make_roster(
    source: WorkspaceSource,
    first_day: date,
    days: int,
    shifts_path: Path | None,
    *,
    time_limit_s: float = 30.0,
) -> RosterResult:
    """Roster the workspace's agents to its saved schedule of ``days`` days from
    ``first_day``."""
    from carecenter.wfm.roster_model import solve

    if days < 1:
        raise InputError(f"must be at least 1, got {days}", field="days")
    last_day = first_day + timedelta(days=days - 1)
    with opened(source, read_only=True) as ws:
        center = ws.applied_center()
        zone = ZoneInfo(center.timezone)
        saved = ws.schedules.current(first_day, last_day)
        sizes = {v.version: v.interval_s for v in ws.schedules.versions()}
        before = ws.schedules.current_roster(
            first_day - timedelta(days=LOOK_BACK_DAYS), first_day - timedelta(days=1)
        )
        start = datetime.combine(first_day, time(0), zone)
        end = datetime.combine(last_day + timedelta(days=1), time(0), zone)
        plan = ws.plans.rows(PlanKind.STAFF, start=start, end=end)
        path = shifts_path or ws.settings.workspace / "shifts.yaml"
    if not saved:
        raise no_schedule(first_day, last_day)
    interval_s = sizes[saved[0][0]]
    settings = read_shifts(path, interval_s) if path.exists() else None
    slots, places = slots_of([s for _, s in saved], settings, first_day, zone)
    carried = carried_over([s for _, s in before], first_day, zone)
    agents = agents_of(center, settings, first_day, days, carried)
    step = interval_s // 60
    need: dict[str, list[int]] = defaultdict(lambda: [0] * (days * DAY_MIN // step))
    for stored in plan:
        row = stored.row
        if row.scheduled_agents is None or row.interval_s != interval_s:
            continue
        i = minute_of(row.interval_start, first_day, zone) // step
        if 0 <= i < days * DAY_MIN // step:
            need[row.queue_id][i] += row.scheduled_agents
    problem = RosterProblem(
        tuple(agents),
        tuple(slots),
        days,
        settings.rules if settings else RosterRules(),
        interval_min=step,
        requirement={q: tuple(v) for q, v in need.items()},
    )
    roster = solve(problem, time_limit_s=time_limit_s)
    if roster.infeasible:
        shown = "; ".join(i.message for i in roster.infeasible[:3])
        more = len(roster.infeasible) - 3
        tail = f" (and {more} more)" if more > 0 else ""
        raise InputError(f"no roster keeps every rule: {shown}{tail}", field="contract hours")
    if roster.status not in ("OPTIMAL", "FEASIBLE"):
        raise InputError(
            f"no roster found in {time_limit_s:g} s ({roster.status}); give --time-limit more",
            field="time-limit",
        )
    names = {a.agent_id: a.name for a in center.agents.values()}
    return RosterResult(
        problem,
        roster,
        first_day,
        names,
        violations(problem, roster),
        places,
        schedule_version=max(v for v, _ in saved),
        timezone=center.timezone,
        hourly_cost={a.agent_id: center.hourly_cost_of(a) for a in center.agents.values()},
        carried=sum(1 for a in agents if a.agent_id in carried),
    )


def rostered_shifts(result: RosterResult) -> list[RosteredShift]:
    """The roster's shifts as saved: each agent's shift with the times and breaks of the
    saved schedule's place, costing the agent's hourly cost (else the shift's) per paid
    hour."""
    slots = {s.key: s for s in result.problem.slots}
    out = []
    for a in result.roster.assignments:
        row = result.places[a.slot][a.place]
        hourly = result.hourly_cost.get(a.agent_id, 0.0)
        cost = hourly * row.paid_hours if hourly else row.cost / row.agents
        out.append(
            RosteredShift(
                day=result.first_day + timedelta(days=slots[a.slot].day),
                agent_id=a.agent_id,
                shift=row.shift,
                start_at=row.start_at,
                end_at=row.end_at,
                paid_hours=row.paid_hours,
                cost=round(cost, 2),
                breaks=row.breaks,
            )
        )
    out.sort(key=lambda s: (s.day, s.start_at, s.agent_id))
    return out


def save_roster(source: WorkspaceSource, result: RosterResult, command: str) -> RosterVersion:
    """Keep ``result`` in the workspace as the roster of its days (replacing, for those
    days, what was saved before)."""
    with opened(source) as ws:
        draft = RosterVersion(
            version=0,
            saved_at=ws.clock.now(),
            command=command,
            first_day=result.first_day,
            days=result.problem.days,
            timezone=result.timezone,
            schedule_version=result.schedule_version,
            status=result.roster.status,
            open_places=sum(result.roster.unfilled.values()),
            shifts=0,
        )
        return ws.schedules.save_roster(draft, rostered_shifts(result))


def _when(result: RosterResult, minutes: int) -> str:
    moment = datetime.combine(result.first_day, time(0)) + timedelta(minutes=minutes)
    return moment.isoformat(timespec="minutes")


def roster_rows(result: RosterResult) -> list[dict[str, Any]]:
    """One row per shift worked (by day, start, agent), then one per place left open."""
    problem, roster = result.problem, result.roster
    slots = {s.key: s for s in problem.slots}
    rows = []
    for a in roster.assignments:
        slot = slots[a.slot]
        rows.append(_row(result, slot, a.agent_id, result.names.get(a.agent_id, ""), a.place))
    for key, count in roster.unfilled.items():
        slot = slots[key]
        for place in range(slot.count - count, slot.count):
            rows.append(_row(result, slot, "", "(open)", place))
    rows.sort(key=lambda r: (r["day"], r["start"], r["agent_id"] == "", r["agent_id"]))
    return rows


def _row(
    result: RosterResult, slot: ShiftSlot, agent_id: str, name: str, place: int
) -> dict[str, Any]:
    breaks = "; ".join(
        f"{_when(result, s)[11:]}-{_when(result, e)[11:]}" for s, e in slot.breaks[place]
    )
    return {
        "day": (result.first_day + timedelta(days=slot.day)).isoformat(),
        "agent_id": agent_id,
        "agent": name,
        "shift": slot.template,
        "start": _when(result, slot.start),
        "end": _when(result, slot.end),
        "breaks": breaks,
        "paid_hours": round(slot.paid_min / HOUR, 2),
    }


def agent_rows(result: RosterResult) -> list[dict[str, Any]]:
    """One row per agent: days and paid hours rostered against their contract's."""
    problem, roster = result.problem, result.roster
    paid = paid_minutes(problem, roster)
    slots = {s.key: s for s in problem.slots}
    worked: dict[str, set[int]] = defaultdict(set)
    for a in roster.assignments:
        worked[a.agent_id].add(slots[a.slot].day)
    return [
        {
            "agent_id": a.agent_id,
            "agent": result.names.get(a.agent_id, ""),
            "contract": a.contract or "",
            "days": len(worked[a.agent_id]),
            "paid_hours": round(paid[a.agent_id] / HOUR, 2),
            "min_hours": round(a.min_paid_min / HOUR, 2),
            "max_hours": None if a.max_paid_min is None else round(a.max_paid_min / HOUR, 2),
            "days_off_missed": len(worked[a.agent_id] & a.prefers_off),
        }
        for a in problem.agents
    ]


def summary(result: RosterResult) -> str:
    """What the roster did, on a few lines, for stderr."""
    problem, roster = result.problem, result.roster
    slots = {s.key: s for s in problem.slots}
    places = sum(s.count for s in problem.slots)
    open_hours = sum(slots[k].paid_min * n for k, n in roster.unfilled.items()) / HOUR
    rostered = len({a.agent_id for a in roster.assignments})
    lines = [
        f"{len(roster.assignments)} of {places} shifts rostered to {rostered} of "
        f"{len(problem.agents)} agents; {places - len(roster.assignments)} left open "
        f"({open_hours:g} paid hours)",
        f"every hard rule re-checked: {len(result.broken)} broken",
    ]
    if result.carried:
        lines.append(
            f"rest and days in a row before {result.first_day} from the saved roster: "
            f"{result.carried} agents"
        )
    if problem.requirement:
        covered = coverage(problem, roster)
        short = {
            q: sum(max(n - c, 0) for n, c in zip(need, covered[q], strict=True))
            for q, need in problem.requirement.items()
        }
        shown = ", ".join(f"{q} {n}" for q, n in sorted(short.items()))
        lines.append(f"queue coverage short (agent-intervals): {shown}")
    lines.append(f"{roster.status.lower()} in {roster.seconds:.1f} s")
    return "\n".join(lines)


def saved_roster(source: WorkspaceSource, first_day: date, last_day: date) -> list[dict[str, Any]]:
    """The current roster of the days from ``first_day`` to ``last_day`` as rows (one per
    agent and shift, times of the day in the center's zone), with the version of each; an
    :class:`InputError` when none is saved for them."""
    if last_day < first_day:
        raise InputError("must not be before --from", field="end")
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        zone = ZoneInfo(center.timezone if center is not None else "UTC")
        names = {a.agent_id: a.name for a in center.agents.values()} if center else {}
        found = ws.schedules.current_roster(first_day, last_day)
    if not found:
        raise no_roster(first_day, last_day)
    return [
        {
            "day": s.day.isoformat(),
            "weekday": WEEKDAYS[s.day.weekday()],
            "agent_id": s.agent_id,
            "agent": names.get(s.agent_id, ""),
            "shift": s.shift,
            "start": clock_of(s.start_at.astimezone(zone), s.day),
            "end": clock_of(s.end_at.astimezone(zone), s.day),
            "paid_hours": s.paid_hours,
            "cost": s.cost,
            "breaks": ", ".join(
                f"{b.name} {clock_of(b.start_at.astimezone(zone), s.day)}" for b in s.breaks
            ),
            "version": version,
        }
        for version, s in found
    ]


def no_roster(first_day: date, last_day: date) -> InputError:
    """The error of a command that needs a saved roster for days that have none."""
    return InputError(
        f"no roster saved for {first_day} to {last_day}; save one with "
        "`carecenter roster --save --workspace DIR`"
    )
