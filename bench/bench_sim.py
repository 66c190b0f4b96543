"""Benchmark: the digital twin's customers per second, beside ciw on the same model.

Two cases, each one simulated day of an M/M/c queue with full event output: 50 agents
(15 calls a minute, exponential handle time with mean 3 minutes) and 500 agents (150 calls a
minute). Ours is ``carecenter.services.simulation.simulate``, the service behind
``carecenter simulate``: the twin drives the real contact engine, every engine event is
folded into facts and the catalog measures them. ``seconds`` is that whole service;
``simulation_seconds`` is the part spent simulating (twin and engine, events emitted), without
folding and measuring. ciw 3.x runs the same model (``simulate_until_max_time`` of a day per
replication, its records collected) in its own venv (``bench/out/venv-ciw``, created with
``pip install ciw`` on first use). Each side runs ``--replications`` days (3) with its own
seeds; both give the mean wait and the share answered within 20 s with 95 % half-widths, so
the results can be seen to agree.

``customers_per_s`` is the service in one process (as ciw runs); ``parallel_customers_per_s``
the same service with its replications in ``--jobs`` worker processes (one per CPU, what
``carecenter simulate`` does by default), over wall-clock time.

Ours runs on the compiled build (``make compiled``) and on the pure-Python build (the
``pure_*`` keys), each in a fresh process. Prints a JSON list, one object per case, with at
least ``agents``, ``customers``, ``customers_per_s``, ``ciw_customers_per_s`` and ``speedup``
(ours over ciw's, compiled build).

    python bench/bench_sim.py [--replications 3] [--cases 50,500] [--compiled build/compiled]
"""

from __future__ import annotations

import argparse
import importlib.machinery
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import MappingProxyType as Frozen
from typing import Any

from carecenter.domain.center import Agent, Center, Queue, ServiceLevelPolicy, Tier
from carecenter.domain.enums import Channel
from carecenter.domain.routing_policy import QueueRouting, Strategy
from carecenter.sim.scenario import Arrivals, Behaviour, Distribution, Scenario, Shape
from peers import peer_python, run_peer

COMPILED = Path(__file__).resolve().parent.parent / "build" / "compiled"
EXTENSIONS = tuple(importlib.machinery.EXTENSION_SUFFIXES)
MEAN_HANDLE_S = 180.0
THRESHOLD_S = 20.0
CALLS_PER_MIN = {50: 15.0, 500: 150.0}

CIW = """
import json, statistics, sys, time
from importlib.metadata import version
import ciw
agents, replications = int(sys.argv[1]), int(sys.argv[4])
per_min, handle = float(sys.argv[2]), float(sys.argv[3])
waits, within, customers, spent = [], [], 0, 0.0
for r in range(replications):
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(per_min / 60)],
        service_distributions=[ciw.dists.Exponential(1 / handle)],
        number_of_servers=[agents],
    )
    ciw.seed(r + 1)
    t = time.perf_counter()
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(86400)
    records = sim.get_all_records()
    spent += time.perf_counter() - t
    customers += len(records)
    waits.append(statistics.fmean(x.waiting_time for x in records))
    within.append(sum(x.waiting_time <= 20 for x in records) / len(records))
print(json.dumps({"customers": customers, "seconds": spent, "mean_wait": waits,
                  "within_20s": within, "version": version("ciw")}))
"""


def scenario(agents: int, replications: int) -> Scenario:
    """One queue, ``agents`` agents, Poisson arrivals, exponential handle times, a day."""
    queue = Queue(
        "q",
        "q",
        Channel.VOICE,
        service_level=ServiceLevelPolicy(threshold_s=THRESHOLD_S),
        routing=QueueRouting(strategy=Strategy.LONGEST_IDLE),
    )
    people = {f"a{i:04d}": Agent(f"a{i:04d}", f"a{i}") for i in range(agents)}
    center = Center(
        name="bench",
        queues=Frozen({"q": queue}),
        agents=Frozen(people),
        tiers=Frozen({"standard": Tier("standard")}),
    )
    per_hour = CALLS_PER_MIN[agents] * 60
    return Scenario(
        center,
        Frozen({"q": Arrivals.constant("q", per_hour)}),
        Frozen({"q": Behaviour(Distribution(Shape.EXPONENTIAL, MEAN_HANDLE_S))}),
        replications=replications,
    )


def run_ours(agents: int, replications: int, jobs: int) -> dict[str, Any]:
    """Our side of one case, in this process: the service in one process (its simulation
    part timed apart), then with ``jobs`` worker processes."""
    from carecenter.engine import engine as engine_module
    from carecenter.services import simulation
    from carecenter.sim import twin

    simulated = 0.0
    run = twin.run_replication

    def timed_run(*args: Any, **kwargs: Any) -> twin.RunCounts:
        # the twin and the engine; folding the events (in the sink the service gives the
        # twin) is inside too, measuring with the catalog is after the runs
        nonlocal simulated
        t = time.perf_counter()
        out = run(*args, **kwargs)
        simulated += time.perf_counter() - t
        return out

    simulation.run_replication = timed_run  # type: ignore[attr-defined]
    t = time.perf_counter()
    result = simulation.simulate(scenario(agents, replications), jobs=1)
    seconds = time.perf_counter() - t
    simulation.run_replication = run  # type: ignore[attr-defined]
    t = time.perf_counter()
    parallel = simulation.simulate(scenario(agents, replications), jobs=jobs)
    parallel_seconds = time.perf_counter() - t
    if parallel.rows != result.rows:
        sys.exit("bench_sim: the parallel run measured something else than the serial one")
    [row] = result.rows
    return {
        "jobs": jobs,
        "parallel_seconds": parallel_seconds,
        "build": "compiled" if engine_module.__file__.endswith(EXTENSIONS) else "pure",
        "customers": result.customers,
        "events": result.events,
        "seconds": seconds,
        "simulation_seconds": simulated,
        "mean_wait_s": row["asa_s"],
        "mean_wait_half_width": row["asa_s_half_width"],
        "within_20s": row["service_level"],
        "within_20s_half_width": row["service_level_half_width"],
    }


def _fresh(agents: int, args: argparse.Namespace, build: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", str(agents)]
    command += ["--replications", str(args.replications), "--jobs", str(args.jobs)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if build == "compiled":
        env["PYTHONPATH"] = str(args.compiled)
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    figures: dict[str, Any] = json.loads(out)
    if figures["build"] != build:
        sys.exit(f"bench_sim: asked for the {build} build, ran the {figures['build']} one")
    return figures


def _interval(values: list[float]) -> tuple[float, float]:
    from scipy.stats import t

    mean = statistics.fmean(values)
    half = float(t.ppf(0.975, len(values) - 1)) * statistics.stdev(values) / math.sqrt(len(values))
    return mean, half


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--cases", default="50,500")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--compiled", type=Path, default=COMPILED)
    parser.add_argument("--peer-python", default=os.environ.get("CARECENTER_BENCH_CIW"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_ours(args.one, args.replications, args.jobs)))
        return
    if not (args.compiled / "carecenter").is_dir():
        sys.exit(f"bench_sim: no compiled build in {args.compiled}: run `make compiled` first")
    python, how = peer_python("ciw>=3,<4", "ciw", args.peer_python)
    rows = []
    for agents in (int(c) for c in args.cases.split(",")):
        ours = _fresh(agents, args, "compiled")
        pure = _fresh(agents, args, "pure")
        row: dict[str, Any] = {
            "agents": agents,
            "calls_per_min": CALLS_PER_MIN[agents],
            "replications": args.replications,
            "customers": ours["customers"],
            "events": ours["events"],
            "events_per_customer": round(ours["events"] / ours["customers"], 2),
            "seconds": round(ours["seconds"], 2),
            "customers_per_s": round(ours["customers"] / ours["seconds"]),
            "simulation_seconds": round(ours["simulation_seconds"], 2),
            "jobs": ours["jobs"],
            "parallel_seconds": round(ours["parallel_seconds"], 2),
            "parallel_customers_per_s": round(ours["customers"] / ours["parallel_seconds"]),
            "simulation_customers_per_s": round(ours["customers"] / ours["simulation_seconds"]),
            "pure_seconds": round(pure["seconds"], 2),
            "pure_customers_per_s": round(pure["customers"] / pure["seconds"]),
            "pure_simulation_customers_per_s": round(
                pure["customers"] / pure["simulation_seconds"]
            ),
            "mean_wait_s": round(ours["mean_wait_s"], 2),
            "mean_wait_half_width": round(ours["mean_wait_half_width"], 2),
            "within_20s": round(ours["within_20s"], 4),
            "within_20s_half_width": round(ours["within_20s_half_width"], 4),
        }
        if python is None:
            row["ciw"] = {"status": "unavailable", "reason": how}
        else:
            args_ = [str(agents), str(CALLS_PER_MIN[agents]), str(MEAN_HANDLE_S)]
            peer = run_peer(python, CIW, [*args_, str(args.replications)], timeout=3600)
            if peer["status"] == "ok":
                wait, wait_half = _interval(peer["mean_wait"])
                within, within_half = _interval(peer["within_20s"])
                row |= {
                    "ciw_version": peer["version"],
                    "ciw_customers": peer["customers"],
                    "ciw_seconds": round(peer["seconds"], 2),
                    "ciw_customers_per_s": round(peer["customers"] / peer["seconds"]),
                    "ciw_mean_wait_s": round(wait, 2),
                    "ciw_mean_wait_half_width": round(wait_half, 2),
                    "ciw_within_20s": round(within, 4),
                    "ciw_within_20s_half_width": round(within_half, 4),
                }
                row["speedup"] = round(row["customers_per_s"] / row["ciw_customers_per_s"], 2)
                row["simulation_speedup"] = round(
                    row["simulation_customers_per_s"] / row["ciw_customers_per_s"], 2
                )
                row["parallel_speedup"] = round(
                    row["parallel_customers_per_s"] / row["ciw_customers_per_s"], 2
                )
                row["agree"] = bool(
                    abs(wait - ours["mean_wait_s"]) <= wait_half + ours["mean_wait_half_width"]
                    and abs(within - ours["within_20s"])
                    <= within_half + ours["within_20s_half_width"]
                )
            else:
                row["ciw"] = peer
        rows.append(row)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
