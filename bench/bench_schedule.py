"""Benchmark: ``carecenter schedule``'s model on a week of 15-minute intervals.

The instance (generated here, from real data):

- the requirement: the US bank's intraday shape (``../shared/data/callcenter/
  us_bank_calls_5min_2003.csv``, 2003, five-minute call counts 07:00-21:00 on weekdays) —
  the mean of each weekday's counts per 15 minutes, Monday to Friday from the days of that
  weekday, Saturday and Sunday the weekdays' mean times 0.5 and 0.3 — scaled so the week's
  peak is ``--peak`` (500) agents; the center is open 07:00-21:00 (nobody needed outside);
- the shifts: 4, 6, 8 and 10 hours, starting every 15 minutes from 07:00 as long as they end
  by 21:00; their breaks (offsets from the start, 15-minute rests paid, 30-minute meals not):

  | length | breaks |
  |---|---|
  | 4 h | rest 15 min starting 1:30-2:30 |
  | 6 h | rest 1:00-2:15; meal 30 min 2:30-4:00 |
  | 8 h | rest 1:00-2:30; meal 3:00-5:00; rest 5:30-7:00 |
  | 10 h | rest 1:00-2:45; meal 3:30-5:30; rest 6:00-7:45 |

- the contracts, whose days-off rules link the days of the week: 8-hour shifts for full-time
  agents working 5 days with 2 consecutive days off, 10-hour shifts for agents working 4 days
  with 3 consecutive days off, 4- and 6-hour shifts for part-timers working 5 days with any 2
  days off; 20 an hour full-time, 22 part-time; a missing agent costs 100 an interval.

``shift_variants_per_day`` counts the shifts with every combination of their breaks'
placements (what an explicit model would have as columns). The model solves to within 0.1 %
of the optimum; ``gap`` is against the LP bound.

The peer, in the same run: pyworkforce 0.5.1's ``MinRequiredResources`` (CP-SAT), in its own
venv (``bench/out/venv-pyworkforce``, made on first use by ``bench/peers.py``), on what its
model can express: shifts with their breaks as explicit columns
(one per combination of placements), every interval covered, no days-off rule, and so one
day (Monday; a week would be 7 times the columns with nothing linking the days). Our model
solves the same day with the same rule (an uncovered agent-interval costing 100,000) for the
comparison (``peer_*`` and ``ours_on_peer_*``). pyworkforce gets ``--peer-time-limit`` (120)
seconds and two workers; its ``peer_seconds`` include building its model.

    python bench/bench_schedule.py [--peak 500] [--time-limit 60] [--peer-time-limit 120]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from carecenter.wfm.scheduling import solve
from carecenter.wfm.shifts import BreakRule, Contract, Problem, ShiftTemplate
from peers import peer_python, run_peer

DATA = Path(__file__).resolve().parents[2] / "shared/data/callcenter/us_bank_calls_5min_2003.csv"
PER_DAY = 96
OPEN, CLOSE = 7 * 4, 21 * 4
WEEKEND = (0.5, 0.3)


def q(hours: float) -> int:
    """Hours as 15-minute intervals."""
    return round(hours * 4)


def requirement(peak: int) -> np.ndarray:
    """7 x 96 required agents, Monday first (see the module's docstring)."""
    sums = np.zeros((5, PER_DAY))
    days = np.zeros(5)
    seen: set[int] = set()
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            day = int(row["weekday_index"])
            hour, minute = map(int, row["interval_start"].split(":"))
            slot = (hour * 60 + minute) // 15
            if slot >= CLOSE:
                continue
            sums[day % 5, slot] += float(row["calls"])
            if day not in seen:
                seen.add(day)
                days[day % 5] += 1
    shape = sums / days[:, None]
    week = np.vstack([shape, shape.mean(axis=0) * WEEKEND[0], shape.mean(axis=0) * WEEKEND[1]])
    return np.ceil(week * peak / week.max()).astype(np.int64)


def templates() -> tuple[ShiftTemplate, ...]:
    def starts(hours: float) -> tuple[int, ...]:
        return tuple(range(OPEN, CLOSE - q(hours) + 1))

    def rest(a: float, b: float) -> BreakRule:
        return BreakRule("rest", 1, q(a), q(b), paid=True)

    def meal(a: float, b: float) -> BreakRule:
        return BreakRule("meal", 2, q(a), q(b), paid=False)

    return (
        ShiftTemplate("4h", q(4), starts(4), 22.0, (rest(1.5, 2.5),), contract="part-time"),
        ShiftTemplate(
            "6h", q(6), starts(6), 22.0, (rest(1, 2.25), meal(2.5, 4)), contract="part-time"
        ),
        ShiftTemplate(
            "8h",
            q(8),
            starts(8),
            20.0,
            (rest(1, 2.5), meal(3, 5), rest(5.5, 7)),
            contract="full-time-5",
        ),
        ShiftTemplate(
            "10h",
            q(10),
            starts(10),
            20.0,
            (rest(1, 2.75), meal(3.5, 5.5), rest(6, 7.75)),
            contract="full-time-4",
        ),
    )


CONTRACTS = (
    Contract("full-time-5", 5, consecutive_days_off=True),
    Contract("full-time-4", 4, consecutive_days_off=True),
    Contract("part-time", 5, consecutive_days_off=False),
)


def variants_per_day(shifts: tuple[ShiftTemplate, ...]) -> int:
    return sum(
        len(t.starts) * math.prod(b.latest - b.earliest + 1 for b in t.breaks) for t in shifts
    )


PEER_SCRIPT = r"""
import itertools, json, sys, time
from pyworkforce.scheduling import MinRequiredResources
spec = json.load(open(sys.argv[1]))
started = time.perf_counter()
per_day = len(spec["req"])
coverage, costs = {}, {}
for t in spec["templates"]:
    for start in t["starts"]:
        for offsets in itertools.product(*(range(a, b + 1) for a, b, _ in t["breaks"])):
            row = [0] * per_day
            for i in range(start, min(start + t["length"], per_day)):
                row[i] = 1
            for (_, _, size), o in zip(t["breaks"], offsets):
                for i in range(start + o, start + o + size):
                    row[i] = 0
            name = f"{t['name']}@{start}:{'-'.join(map(str, offsets))}"
            coverage[name], costs[name] = row, t["pay"]
top = max(spec["req"])
model = MinRequiredResources(
    num_days=1, periods=per_day, shifts_coverage=coverage, required_resources=[spec["req"]],
    max_period_concurrency=3 * top, max_shift_concurrency=top, cost_dict=costs,
    max_search_time=spec["limit"], num_search_workers=2,
)
solution = model.solve()
print(json.dumps({"objective": solution["cost"], "solver_status": solution["status"],
                  "columns": len(coverage), "seconds": time.perf_counter() - started}))
"""


def peer(
    req: np.ndarray, shifts: tuple[ShiftTemplate, ...], limit: float, python: str | None
) -> dict[str, Any]:
    """pyworkforce's MinRequiredResources on one day, breaks as explicit columns, in its own
    venv; and ours on the same day with every interval covered."""
    found, how = peer_python("pyworkforce==0.5.1", "pyworkforce", python)
    day = req[:1]
    free = tuple(
        ShiftTemplate(t.name, t.length, t.starts, t.cost_per_hour, t.breaks) for t in shifts
    )
    ours = solve(Problem(day, 900, free, under_penalty=100_000.0), time_limit_s=limit, gap=0.001)
    result: dict[str, Any] = {
        "peer": "pyworkforce 0.5.1 MinRequiredResources (one day, breaks as explicit columns)",
        "ours_on_peer_objective": round(ours.objective, 2),
        "ours_on_peer_lp_bound": round(ours.lp_bound, 2),
        "ours_on_peer_seconds": round(ours.seconds, 2),
        "ours_on_peer_under": int(ours.under.sum()),
    }
    if found is None:
        return {**result, "peer_status": how}
    spec = {
        "req": day[0].tolist(),
        "limit": limit,
        "templates": [
            {
                "name": t.name,
                "length": t.length,
                "starts": list(t.starts),
                "pay": round(t.paid_intervals() / 4 * t.cost_per_hour),
                "breaks": [[b.earliest, b.latest, b.length] for b in t.breaks],
            }
            for t in free
        ],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(spec, handle)
    try:
        ran = run_peer(found, PEER_SCRIPT, [handle.name], timeout=limit * 3 + 300)
    finally:
        Path(handle.name).unlink()
    result["peer_status"] = ran.pop("status")
    result.update({f"peer_{k}": round(v, 2) if isinstance(v, float) else v for k, v in ran.items()})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peak", type=int, default=500)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--peer-time-limit", type=float, default=120.0)
    parser.add_argument("--no-peer", action="store_true", help="Leave pyworkforce out.")
    parser.add_argument("--peer-python", help="The interpreter of a venv with pyworkforce.")
    args = parser.parse_args()
    req = requirement(args.peak)
    shifts = templates()
    problem = Problem(req, 900, shifts, CONTRACTS, under_penalty=100.0)
    schedule = solve(problem, time_limit_s=args.time_limit, gap=0.001)
    result = {
        "days": int(req.shape[0]),
        "intervals_per_day": int(req.shape[1]),
        "shift_variants_per_day": variants_per_day(shifts),
        "model_variables": schedule.variables,
        "peak_requirement": int(req.max()),
        "required_agent_hours": float(req.sum() / 4),
        "objective": round(schedule.objective, 2),
        "staff_cost": round(schedule.staff_cost, 2),
        "lp_bound": round(schedule.lp_bound, 2),
        "gap": round(schedule.lp_gap, 6),
        "best_bound": round(schedule.bound, 2),
        "gap_to_best_bound": round(schedule.gap, 6),
        "seconds": round(schedule.seconds, 2),
        "under_agent_intervals": int(schedule.under.sum()),
        "over_agent_intervals": int(schedule.over.sum()),
        "agents": {k: sum(v.values()) for k, v in schedule.patterns.items()},
        "status": schedule.status,
    }
    if not args.no_peer:
        result.update(peer(req, shifts, args.peer_time_limit, args.peer_python))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
