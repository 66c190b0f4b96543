"""Use case: ``carecenter schedule --verify-with-simulation`` — check a schedule of a
multi-skill center with the digital twin, and add agents where the twin shows a miss
(simulation-based staffing: Atlason, Epelman and Henderson, "Call center staffing with
simulation and cutting plane methods", Annals of Operations Research 127, 2004).

Per-queue Erlang staffing, added up over the queues, over- or under-counts the agents a center
needs when agents serve several queues. So, for the schedule's days (at most a week):

1. the twin (:func:`carecenter.services.simulation.simulate`, the real contact engine, measured
   by the metric catalog) runs the week: the saved forecast's contacts arrive at each queue
   (Poisson, at the forecast's rate per interval), each handled for an exponential time of
   the forecast's AHT (the staffing plan's assumption), callers giving up after an exponential
   patience where the forecast gives one; one simulated agent works each scheduled place (its
   shift and breaks), with the skills, channels and routing profile of the center's agents
   in turn (place ``k`` of a day takes the profile of the ``k``-th agent of ``center.yaml``,
   by id, round the list), so the schedule's agents have the center's skill mix;
2. a queue *misses* in an interval when its simulated service level (the mean over the
   replications) is below the queue's target and at least ``min_offered`` contacts were
   offered in it on average;
3. each miss adds one agent to the requirement of that interval (two queues missing: two),
   the schedule is solved again, and the twin runs again on the same random numbers; until no
   queue misses, ``max_rounds`` rounds were run, or the schedule would cost more than the
   budget (then the last schedule within it is kept).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.adapters.shifts_yaml import ShiftSettings, read_shifts
from carecenter.domain.center import Agent, Center
from carecenter.domain.durations import DAY_S, format_duration, wall_s
from carecenter.domain.plans import PlanKind, PlanRow
from carecenter.domain.schedules import ScheduledShift
from carecenter.errors import InputError
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.services.scheduling import (
    Requirement,
    ScheduleResult,
    make_schedule,
    scheduled_shifts,
)

MAX_DAYS = 7


@dataclass(frozen=True)
class Round:
    """One simulation of a schedule: what it cost, how many queue-intervals were checked and
    missed their target, and how many agent-intervals that added to the requirement."""

    number: int
    staff_cost: float
    checked: int
    missed: int
    added: int
    seconds: float


@dataclass(frozen=True)
class Verified:
    """The schedule kept, the rounds that led to it, and the last simulation's rows (one per
    queue and interval: offered, service level, its half-width, target, miss)."""

    result: ScheduleResult
    rounds: list[Round]
    rows: list[dict[str, Any]]
    met: bool
    stopped: str
    """Why it stopped: ``met``, ``rounds`` or ``budget``."""


@dataclass(frozen=True)
class Twin:
    """What the simulation of a schedule needs besides the schedule."""

    center: Center
    forecast: list[PlanRow]
    replications: int
    seed: int


def twin_of(
    source: WorkspaceSource, first_day: date, days: int, *, replications: int, seed: int
) -> Twin:
    """The center and its saved forecast of the schedule's days."""
    if days > MAX_DAYS:
        raise InputError(
            f"--verify-with-simulation checks at most {MAX_DAYS} days, not {days}", field="days"
        )
    with opened(source, read_only=True) as ws:
        center = ws.applied_center()
        zone = ZoneInfo(center.timezone)
        start = datetime.combine(first_day, time(0), zone)
        end = datetime.combine(first_day + timedelta(days=days), time(0), zone)
        forecast = [s.row for s in ws.plans.rows(PlanKind.FORECAST, start=start, end=end)]
    usable = [r for r in forecast if r.calls and r.queue_id in center.queues]
    if not usable:
        raise InputError(
            f"no forecast saved for {first_day} to {first_day + timedelta(days=days - 1)}: the "
            "simulation needs one (`carecenter forecast --save --workspace DIR`)"
        )
    if not center.agents:
        raise InputError("center.yaml has no agents: the simulation takes their skills")
    return Twin(center, usable, replications, seed)


def scenario_of(twin: Twin, shifts: Sequence[ScheduledShift], first_day: date, days: int) -> Any:
    """The twin's scenario of one schedule (see the module)."""
    from carecenter.sim.scenario import (
        Arrivals,
        Behaviour,
        Distribution,
        Replay,
        Scenario,
        Shape,
    )

    center = twin.center
    zone = ZoneInfo(center.timezone)
    profiles = [center.agents[a] for a in sorted(center.agents)]
    agents: dict[str, Agent] = {}
    rosters: dict[str, tuple[tuple[float, float], ...]] = dict.fromkeys(center.agents, ())
    away: dict[str, tuple[tuple[float, float], ...]] = {}
    placed: dict[date, int] = defaultdict(int)
    for shift in sorted(shifts, key=lambda s: (s.day, s.start_at, s.shift)):
        for _ in range(shift.agents):
            k = placed[shift.day]
            placed[shift.day] += 1
            agent_id = f"sim-{shift.day:%m%d}-{k:04d}"
            profile = profiles[k % len(profiles)]
            agents[agent_id] = dataclasses.replace(
                profile, agent_id=agent_id, name=f"{profile.name} ({agent_id})"
            )
            rosters[agent_id] = (
                (wall_s(shift.start_at, first_day, zone), wall_s(shift.end_at, first_day, zone)),
            )
            away[agent_id] = tuple(
                (wall_s(b.start_at, first_day, zone), wall_s(b.end_at, first_day, zone))
                for b in sorted(shift.breaks, key=lambda b: b.start_at)
            )
    simulated = dataclasses.replace(
        center, agents=MappingProxyType({**dict(center.agents), **agents})
    )
    rates: dict[str, dict[tuple[int, int], float]] = defaultdict(dict)
    sizes: dict[str, int] = {}
    handled: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    patience: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in twin.forecast:
        local = row.interval_start.astimezone(zone)
        into = local.hour * 3600 + local.minute * 60
        calls = float(row.calls or 0.0)
        sizes.setdefault(row.queue_id, row.interval_s)
        rates[row.queue_id][local.weekday(), into // row.interval_s] = calls * 3600 / row.interval_s
        if row.aht_s:
            handled[row.queue_id][0] += calls * row.aht_s
            handled[row.queue_id][1] += calls
        if row.patience_s:
            patience[row.queue_id][0] += calls * row.patience_s
            patience[row.queue_id][1] += calls
    arrivals = {}
    behaviour = {}
    for queue, by_slot in rates.items():
        size = sizes[queue]
        per_day = DAY_S // size
        per_hour = tuple(tuple(by_slot.get((w, i), 0.0) for i in range(per_day)) for w in range(7))
        arrivals[queue] = Arrivals(queue, per_hour, size)
        total, n = handled[queue]
        waited, m = patience[queue]
        behaviour[queue] = Behaviour(
            handle=Distribution(Shape.EXPONENTIAL, total / n if n else 300.0),
            patience=Distribution(Shape.EXPONENTIAL, waited / m) if m else None,
        )
    return Scenario(
        center=simulated,
        arrivals=MappingProxyType(arrivals),
        behaviour=MappingProxyType(behaviour),
        start=first_day,
        horizon_s=days * DAY_S,
        replications=twin.replications,
        seed=twin.seed,
        replay=Replay(rosters=MappingProxyType(rosters), away=MappingProxyType(away)),
    )


def check_schedule(
    twin: Twin, result: ScheduleResult, *, min_offered: float = 1.0, jobs: int | None = None
) -> list[dict[str, Any]]:
    """The twin's run of ``result``: one row per queue and interval of the schedule with
    contacts offered (``interval_start``, ``queue``, ``offered``, ``service_level``,
    ``service_level_half_width``, ``target``, ``miss``)."""
    from carecenter.services.simulation import simulate

    req = result.requirement
    scenario = scenario_of(twin, scheduled_shifts(result), req.first_day, req.days)
    simulation = simulate(scenario, interval=format_duration(req.interval_s), jobs=jobs)
    out = []
    for row in simulation.rows:
        queue = twin.center.queues.get(str(row["queue"]))
        offered = row["offered"] or 0.0
        if queue is None or offered <= 0:
            continue
        level = row["service_level"]
        target = queue.service_level.target
        out.append(
            {
                "interval_start": row["interval_start"].astimezone(req.zone),
                "queue": queue.queue_id,
                "offered": round(offered, 2),
                "service_level": None if level is None else round(level, 4),
                "service_level_half_width": row["service_level_half_width"],
                "target": target,
                "miss": level is not None and level < target and offered >= min_offered,
            }
        )
    return out


def _added(rows: Sequence[dict[str, Any]], req: Requirement) -> Requirement:
    agents = req.agents.copy()
    for row in rows:
        if not row["miss"]:
            continue
        day, into = divmod(int(wall_s(row["interval_start"], req.first_day, req.zone)), DAY_S)
        if 0 <= day < req.days:
            agents[day, into // req.interval_s] += 1
    return dataclasses.replace(req, agents=agents)


def verify_with_simulation(
    twin: Twin,
    first: ScheduleResult,
    shifts: Path | ShiftSettings,
    *,
    max_rounds: int = 5,
    budget: float | None = None,
    min_offered: float = 1.0,
    time_limit_s: float = 60.0,
    gap: float = 0.001,
    progress: Callable[[Round], None] | None = None,
) -> Verified:
    """Simulate ``first``, add agents where a queue misses its target, solve again, repeat
    (see the module); the schedule kept and the rounds."""
    import time as clock

    req = first.requirement
    settings = read_shifts(shifts, req.interval_s) if isinstance(shifts, Path) else shifts
    result, rounds = first, []
    stopped = "rounds"
    rows: list[dict[str, Any]] = []
    for number in range(1, max_rounds + 1):
        began = clock.perf_counter()
        rows = check_schedule(twin, result, min_offered=min_offered)
        missed = sum(1 for r in rows if r["miss"])
        done = Round(
            number,
            round(result.schedule.staff_cost, 2),
            len(rows),
            missed,
            missed,
            round(clock.perf_counter() - began, 1),
        )
        rounds.append(done)
        if progress is not None:
            progress(done)
        if not missed:
            stopped = "met"
            break
        if number == max_rounds:
            break
        more = make_schedule(
            _added(rows, result.requirement), settings, time_limit_s=time_limit_s, gap=gap
        )
        if budget is not None and more.schedule.staff_cost > budget:
            stopped = "budget"
            break
        result = more
    return Verified(result, rounds, rows, stopped == "met", stopped)
