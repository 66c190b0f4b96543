"""Benchmark: ``carecenter roster``'s model, about 500 named agents over a week.

The instance (generated here, seeded):

- the schedule: ``bench_schedule.py``'s week (the US bank's 2003 intraday shape, 15-minute
  intervals, 4-, 6-, 8- and 10-hour shifts with their breaks, three days-off contracts),
  scaled to a peak of ``--peak`` (340) agents and solved by ``carecenter schedule``'s model;
- the agents: 90 % of those the schedule's days-off patterns need, per contract (so some
  places stay open); the contract's hours (37.5 paid hours: 8-hour shifts five days; 38:
  10-hour shifts four days; 16 to 27.5 for part-timers; a day of leave counts as worked),
  their days off in one block for the full-time contracts;
- four queues (billing, cards, loans, business: 45, 30, 15 and 10 % of the requirement);
  each agent can serve one to three of them;
- availability: one agent in five cannot start before 09:00 or cannot work weekends;
  one in ten has a day of leave; preferences: half want a day off, a third an early or late
  start; the week before: each agent worked 0 to 3 days in a row, the last until 21:00;
- the rules: 11 hours of rest, at most 6 days in a row.

``violations`` re-checks every hard rule on the answer with :func:`carecenter.wfm.roster.
violations`, which is written apart from the model.

The peer, in the same run: pyworkforce 0.5.1's ``MinHoursRoster`` (CP-SAT), in its own venv,
on what its model can express: the shifts (template and start) as its shifts, each day's
places as its required resources, the agents' availability as banned shifts, rest as
non-sequential shift pairs, hours as its minimum working hours; it has no contracts, no
consecutive-day limit, no days-off blocks and no queues. It gets the same time limit.

How the peer's instance is made (``peer``):

- its shifts: one per distinct (template, start minute of day) of the week, named like
  ``8h@07:00``; its ``shifts_hours`` are the shift's paid *minutes* (and its minimum working
  hours minutes too): CP-SAT takes integer coefficients only and a 6-hour shift pays 5.5;
- its required resources: each day's places of the shift times ``TEAM`` (0.9), floored (its
  model requires at least that many, and we have 90 % of the agents the places need);
- its banned shifts: every (shift, day) an agent may not work (``can_work``: contract or
  availability), and every (shift, day) the schedule has no slot for;
- its non-sequential shifts: (a, b) when b the next day starts less than
  ``RosterRules().min_rest_min`` after a ends. Its constraint is, for each shift a and day,
  ``k(a) x[a, d] + sum_b x[b, d + 1] <= 1`` (``k(a)``: the shifts b listed after a): with one
  b listed, a forbids any shift the next day; with two or more, a can never be worked on
  any day but the last (``peer_shifts_never_workable`` counts the ones with required
  resources). That is its model, and we give it the rule as its API asks;
- its minimum working hours: one number for all, the least ``min_paid_min`` among the agents;
- its ``max_resting`` (each resource works at least ``days - max_resting`` days): 7, i.e. no
  such floor (our agents' least number of days depends on their contract and leave).

Its answer, (agent, day, shift), becomes our ``Assignment`` records (places numbered per slot in
order; a shift beyond the slot's places stays as a place the slot does not have) and is
re-checked with ``violations`` (``peer_violations``); it knows nothing of contracts' hours,
days, days-off blocks or the week before, so those count too. ``peer_seconds`` include
building its model.

    python bench/bench_roster.py [--peak 340] [--time-limit 50] [--peer-time-limit 50]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench_schedule import CONTRACTS, requirement, templates
from carecenter.wfm.roster import (
    DAY_MIN,
    Assignment,
    Roster,
    RosterAgent,
    RosterProblem,
    RosterRules,
    ShiftSlot,
    violations,
)
from carecenter.wfm.roster_model import solve as roster
from carecenter.wfm.scheduling import solve as schedule
from carecenter.wfm.shifts import Problem
from peers import peer_python, run_peer

TEAM = 0.9
"""The agents, as a share of those the schedule's days-off patterns need."""
QUEUES = {"billing": 0.45, "cards": 0.30, "loans": 0.15, "business": 0.10}
PAID_DAY = {"full-time-5": 450, "full-time-4": 570, "part-time": 240}
HOURS = {"full-time-5": (37.5, 37.5), "full-time-4": (38.0, 38.0), "part-time": (16.0, 27.5)}


def slots_of(problem: Problem, shifts: list[Any]) -> list[ShiftSlot]:
    """One slot per day, template and start; one place per agent, with its breaks."""
    step = problem.interval_s // 60
    tmpl = {t.name: t for t in problem.templates}
    out = []
    for shift in shifts:
        t = tmpl[shift.template]
        start = shift.day * DAY_MIN + shift.start * step
        places: list[list[tuple[int, int]]] = [[] for _ in range(shift.agents)]
        for rule, offsets in zip(t.breaks, shift.breaks, strict=True):
            i = 0
            for offset, n in sorted(offsets.items()):
                for _ in range(n):
                    b = start + offset * step
                    places[i].append((b, b + rule.length * step))
                    i += 1
        out.append(
            ShiftSlot(
                len(out),
                shift.day,
                t.name,
                start,
                start + t.length * step,
                t.paid_intervals() * step,
                t.contract,
                tuple(tuple(p) for p in places),
            )
        )
    return out


def agents_for(patterns: dict[str, dict[Any, int]], rng: random.Random) -> list[RosterAgent]:
    queue_names = list(QUEUES)
    out = []
    for contract, counts in sorted(patterns.items()):
        n = round(sum(counts.values()) * TEAM)
        low, high = HOURS[contract]
        for k in range(n):
            serves = rng.sample(queue_names, rng.choice((1, 2, 2, 3)))
            available: tuple[tuple[int, int], ...] | None = None
            roll = rng.random()
            if roll < 0.1:
                available = tuple((d * DAY_MIN + 9 * 60, (d + 1) * DAY_MIN) for d in range(7))
            elif roll < 0.2:
                available = ((0, 5 * DAY_MIN),)
            low_min = round(low * 60)
            if rng.random() < 0.1:
                leave = rng.randrange(7)
                low_min -= PAID_DAY[contract]  # leave is paid: a day's hours less to roster
                base = available or ((0, 7 * DAY_MIN),)
                cut: list[tuple[int, int]] = []
                for lo, hi in base:
                    for a, b in (
                        (lo, min(hi, leave * DAY_MIN)),
                        (max(lo, (leave + 1) * DAY_MIN), hi),
                    ):
                        if a < b:
                            cut.append((a, b))
                available = tuple(cut)
            # the week before ended on a weekend: those who never work weekends had it off
            before = 0 if roll < 0.2 and roll >= 0.1 else rng.choice((0, 0, 1, 2, 3))
            start_pref = None
            if rng.random() < 1 / 3:
                start_pref = rng.choice(((7 * 60, 9 * 60), (11 * 60, 14 * 60)))
            out.append(
                RosterAgent(
                    f"{contract}-{k:03d}",
                    queues=frozenset(serves),
                    contract=contract,
                    min_paid_min=low_min,
                    max_paid_min=round(high * 60),
                    max_days=5 if contract != "full-time-4" else 4,
                    consecutive_days_off=contract != "part-time",
                    available=available,
                    prefers_off=frozenset({rng.randrange(7)})
                    if rng.random() < 0.5
                    else frozenset(),
                    prefers_start=start_pref,
                    worked_before=before,
                    last_end=-3 * 60 if before else None,
                )
            )
    return out


PEER_SCRIPT = r"""
import json, sys, time
from pyworkforce.rostering.binary_programming import MinHoursRoster
spec = json.load(open(sys.argv[1]))
started = time.perf_counter()
shifts, days = spec["shifts"], spec["days"]
banned = []
for agent, allowed in spec["allowed"].items():
    ok = {(s, d) for s, d in allowed}
    banned += [{"resource": agent, "shift": shifts[s], "day": d}
               for s in range(len(shifts)) for d in range(days) if (s, d) not in ok]
model = MinHoursRoster(
    num_days=days, resources=list(spec["allowed"]), shifts=shifts,
    shifts_hours=spec["minutes"], min_working_hours=spec["min_minutes"],
    banned_shifts=banned, max_resting=days, required_resources=spec["required"],
    non_sequential_shifts=[{"origin": shifts[a], "destination": shifts[b]}
                           for a, b in spec["non_sequential"]],
    max_search_time=spec["limit"], num_search_workers=2,
)
solution = model.solve()
found = solution["status"] in ("OPTIMAL", "FEASIBLE")
print(json.dumps({
    "solver_status": solution["status"], "cost_minutes": solution["cost"],
    "assigned": solution["total_shifts"], "banned": len(banned),
    "seconds": time.perf_counter() - started,
    "answer": [[r["resource"], r["day"], r["shift"]] for r in solution["resource_shifts"]]
              if found else [],
}))
"""


def shift_name(slot: ShiftSlot) -> str:
    minute = slot.start - slot.day * DAY_MIN
    return f"{slot.template}@{minute // 60:02d}:{minute % 60:02d}"


def peer(problem: RosterProblem, limit: float, python: str | None) -> dict[str, Any]:
    """pyworkforce's MinHoursRoster on what it can express (see the module's docstring), in
    its own venv; its answer re-checked with our ``violations``."""
    found, how = peer_python("pyworkforce==0.5.1", "pyworkforce", python)
    result: dict[str, Any] = {"peer": "pyworkforce 0.5.1 MinHoursRoster"}
    if found is None:
        return {**result, "peer_status": how}
    days, rest = problem.days, problem.rules.min_rest_min
    by_day_shift = {(s.day, shift_name(s)): s for s in problem.slots}
    first: dict[str, ShiftSlot] = {}
    for s in sorted(problem.slots, key=lambda s: (s.start - s.day * DAY_MIN, s.template)):
        first.setdefault(shift_name(s), s)
    names = list(first)
    index = {n: i for i, n in enumerate(names)}
    required = {n: [0] * days for n in names}
    for (day, name), s in by_day_shift.items():
        required[name][day] = int(s.count * TEAM)
    # times of day: shift a ends at end(a) on day d, b starts at DAY_MIN + start(b) on d + 1
    tod = {n: (s.start - s.day * DAY_MIN, s.end - s.day * DAY_MIN) for n, s in first.items()}
    non_sequential = [
        (index[a], index[b]) for a in names for b in names if DAY_MIN + tod[b][0] - tod[a][1] < rest
    ]
    after = defaultdict(int)
    for a, _ in non_sequential:
        after[a] += 1
    never = sum(
        1
        for a, k in after.items()
        if k >= 2 and any(required[names[a]][d] for d in range(days - 1))
    )
    spec = {
        "shifts": names,
        "days": days,
        "minutes": [first[n].paid_min for n in names],
        "min_minutes": min(a.min_paid_min for a in problem.agents),
        "required": required,
        "non_sequential": non_sequential,
        "limit": limit,
        "allowed": {
            a.agent_id: [
                [index[name], day] for (day, name), s in by_day_shift.items() if a.can_work(s)
            ]
            for a in problem.agents
        },
    }
    result.update(
        {
            "peer_shifts": len(names),
            "peer_required": sum(map(sum, required.values())),
            "peer_non_sequential_pairs": len(non_sequential),
            "peer_shifts_never_workable": never,
            "peer_min_working_minutes": spec["min_minutes"],
        }
    )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(spec, handle)
    try:
        ran = run_peer(found, PEER_SCRIPT, [handle.name], timeout=limit * 3 + 600)
    finally:
        Path(handle.name).unlink()
    result["peer_status"] = ran.pop("status")
    answer = ran.pop("answer", [])
    result.update({f"peer_{k}": round(v, 2) if isinstance(v, float) else v for k, v in ran.items()})
    if result["peer_status"] == "ok" and answer:
        taken: dict[int, int] = defaultdict(int)
        assignments = []
        for agent_id, day, name in answer:
            s = by_day_shift.get((day, name))
            key = s.key if s is not None else -1
            assignments.append(Assignment(agent_id, key, taken[key]))
            taken[key] += 1
        broken = violations(problem, Roster(assignments, "peer", 0.0))
        result["peer_violations"] = len(broken)
        result["peer_first_violations"] = broken[:5]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peak", type=int, default=340)
    parser.add_argument("--time-limit", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--peer-time-limit", type=float, help="Default: --time-limit.")
    parser.add_argument("--no-peer", action="store_true", help="Leave pyworkforce out.")
    parser.add_argument("--peer-python", help="The interpreter of a venv with pyworkforce.")
    args = parser.parse_args()
    req = requirement(args.peak)
    shifts = Problem(req, 900, templates(), CONTRACTS, under_penalty=100.0)
    week = schedule(shifts, time_limit_s=20, gap=0.002)
    slots = slots_of(shifts, week.shifts)
    rng = random.Random(args.seed)
    agents = agents_for(week.patterns, rng)
    per_queue = {q: tuple(round(v * share) for v in req.reshape(-1)) for q, share in QUEUES.items()}
    problem = RosterProblem(
        tuple(agents), tuple(slots), 7, RosterRules(), interval_min=15, requirement=per_queue
    )
    started = time.perf_counter()
    answer = roster(problem, time_limit_s=args.time_limit)
    seconds = time.perf_counter() - started
    broken = violations(problem, answer)
    places = sum(s.count for s in slots)
    by_contract: dict[str, int] = defaultdict(int)
    for a in agents:
        by_contract[a.contract or ""] += 1
    result: dict[str, Any] = {
        "agents": len(agents),
        "days": 7,
        "seconds": round(seconds, 2),
        "violations": len(broken),
        "status": answer.status,
        "places": places,
        "unfilled": sum(answer.unfilled.values()),
        "objective": round(answer.objective, 2),
        "bound": round(answer.bound, 2),
        "agents_by_contract": by_contract,
        "schedule_seconds": round(week.seconds, 2),
        "infeasible": [i.message for i in answer.infeasible][:5],
        "first_violations": broken[:5],
    }
    if not args.no_peer:
        limit = args.peer_time_limit if args.peer_time_limit is not None else args.time_limit
        result.update(peer(problem, limit, args.peer_python))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
