"""Benchmark: Erlang C / Erlang A staffing, side by side with pyworkforce in the same run.

Cases
* ``peer_staffing``: fewest agents for 80% of calls answered in 20 s, AHT 180 s, at 100, 1,000,
  5,000 and 50,000 erlangs (30-minute intervals), ours against pyworkforce's
  ``ErlangC.required_positions``; agent counts must agree, and from 1,000 erlangs up we must be
  at least 50 times faster.
* ``week_of_intervals``: a week of 15-minute intervals for 50 queues (33,600 solves) in one
  vectorised call, Erlang C and Erlang A; goal under one second each.
* ``erlang_a_1000``: one Erlang A staffing at 1,000 erlangs; goal under 10 ms (pyworkforce's
  ``ErlangA`` when the installed version has one).

The peer runs in its own virtual environment (``bench/out/venv-pyworkforce``, created and filled
with ``pip install pyworkforce`` on first use; ``--peer-python`` to use another interpreter), in
a subprocess per case that times itself (best of up to five runs, like ours: best of twenty after
a warm-up), with a time limit per case. When it cannot be
installed or run, the JSON says why. Prints one JSON document.

    python bench/bench_erlang.py [--peer-python PATH] [--peer-timeout 120]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy

from carecenter.wfm.staffing import StaffingTarget, required_agents
from peers import peer_python, run_peer

TRAFFIC = (100, 1_000, 5_000, 50_000)
AHT_S = 180.0
INTERVAL_S = 1800.0
TARGET = StaffingTarget(service_level=0.8, threshold=20.0)
SPEEDUP_GOAL = 50.0

PEER_STAFFING = """
import json, sys, time
from importlib.metadata import version
from pyworkforce.queuing import ErlangC
traffic, aht_min, interval_min = float(sys.argv[1]), 3.0, 30.0
times, spent = [], 0.0
while len(times) < 5 and (spent < 3.0 or not times):
    t = time.perf_counter()
    erlang = ErlangC(transactions=traffic * interval_min / aht_min, aht=aht_min, asa=20 / 60,
                     interval=interval_min, shrinkage=0.0)
    result = erlang.required_positions(service_level=0.8, max_occupancy=1.0)
    times.append(time.perf_counter() - t)
    spent += times[-1]
print(json.dumps({"agents": int(result["raw_positions"]), "seconds": min(times),
                  "runs": len(times), "version": version("pyworkforce")}))
"""

PEER_ERLANG_A = """
import json
import pyworkforce.queuing as q
print(json.dumps({"has_erlang_a": hasattr(q, "ErlangA")}))
"""


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, dict[str, float]]:
    """Result of ``fn`` and its best and median wall time over ``repeat`` runs after a warm-up."""
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, {"best_s": min(times), "median_s": statistics.median(times)}


def peer_staffing(python: str | None, reason: str, timeout: float) -> list[dict[str, Any]]:
    rows = []
    for traffic in TRAFFIC:
        calls = traffic * INTERVAL_S / AHT_S

        def solve(calls: float = calls) -> int:
            return int(required_agents(calls, AHT_S, TARGET))

        ours, timing = timed(solve, repeat=20)
        row: dict[str, Any] = {"traffic_erlangs": traffic, "ours_agents": ours, "ours": timing}
        if python is None:
            row["peer"] = {"status": "unavailable", "reason": reason}
        else:
            peer = run_peer(python, PEER_STAFFING, [str(traffic)], timeout)
            row["peer"] = peer
            if peer["status"] == "ok":
                row["same_agents"] = peer["agents"] == ours
                row["speedup"] = peer["seconds"] / timing["best_s"]
                row["meets_speedup_goal"] = traffic < 1_000 or row["speedup"] >= SPEEDUP_GOAL
        rows.append(row)
    return rows


def week_volumes(seed: int = 7) -> tuple[np.ndarray[Any, Any], ...]:
    """Calls, AHT and patience for 50 queues x 7 days x 96 quarter hours (a daily profile)."""
    rng = np.random.default_rng(seed)
    quarter = np.arange(96)
    profile = np.clip(np.sin(np.pi * (quarter - 28) / 56), 0.02, None)  # 07:00 to 21:00
    size = rng.lognormal(mean=4.0, sigma=1.0, size=(50, 1, 1))  # calls per peak quarter
    day = np.array([1.0, 0.95, 0.9, 0.9, 0.85, 0.5, 0.3])[None, :, None]
    calls = rng.poisson(size * day * profile[None, None, :]).astype(float)
    aht = rng.uniform(120, 600, size=(50, 1, 1)) * np.ones_like(calls)
    patience = rng.uniform(30, 600, size=(50, 1, 1)) * np.ones_like(calls)
    return calls.ravel(), aht.ravel(), patience.ravel()


def week_of_intervals() -> dict[str, Any]:
    calls, aht, patience = week_volumes()
    n_c, timing_c = timed(lambda: required_agents(calls, aht, TARGET, interval=900.0), repeat=5)
    n_a, timing_a = timed(
        lambda: required_agents(calls, aht, TARGET, interval=900.0, patience=patience), repeat=5
    )
    return {
        "solves": int(calls.size),
        "erlang_c": {
            **timing_c,
            "total_agents": int(n_c.sum()),
            "under_1s": timing_c["best_s"] < 1,
        },
        "erlang_a": {
            **timing_a,
            "total_agents": int(n_a.sum()),
            "under_1s": timing_a["best_s"] < 1,
        },
    }


def erlang_a_1000(python: str | None, timeout: float) -> dict[str, Any]:
    calls = 1000 * INTERVAL_S / AHT_S
    ours, timing = timed(
        lambda: int(required_agents(calls, AHT_S, TARGET, patience=300.0)), repeat=50
    )
    peer: dict[str, Any] = {"status": "unavailable"}
    if python is not None:
        probe = run_peer(python, PEER_ERLANG_A, [], timeout)
        if probe.get("has_erlang_a") is False:
            peer = {"status": "absent", "reason": "installed pyworkforce has no ErlangA"}
        else:
            peer = probe
    return {
        "traffic_erlangs": 1000,
        "patience_s": 300.0,
        "agents": ours,
        **timing,
        "under_10ms": timing["best_s"] < 0.010,
        "peer": peer,
    }


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer-python", default=os.environ.get("CARECENTER_BENCH_PYWORKFORCE"))
    parser.add_argument("--peer-timeout", type=float, default=120.0)
    args = parser.parse_args()
    started = time.perf_counter()
    python, how = peer_python("pyworkforce", "pyworkforce", args.peer_python)
    report: dict[str, Any] = {
        "benchmark": "erlang",
        "machine": machine(),
        "peer": {"name": "pyworkforce", "python": python, "setup": how},
        "peer_staffing": peer_staffing(python, how, args.peer_timeout),
        "week_of_intervals": week_of_intervals(),
        "erlang_a_1000": erlang_a_1000(python, args.peer_timeout),
    }
    report["total_s"] = time.perf_counter() - started
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
