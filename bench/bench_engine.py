"""Benchmark: routing decisions per second of the contact engine, beside a naive baseline.

A center of 50 queues (30 voice, 12 chat, 8 e-mail) and 20 skills: each queue requires one
skill at proficiency 3 (half of them a second at 2) and relaxes after 30 s to its first skill at
proficiency 1; every queue routes ``best_skilled``. Agents have five skills at proficiency 1-5
and take one call, and three chats or two e-mails at once. A driver plays an overloaded day
through the engine's real commands (arrivals, accepts after a 2 s ring, ends after a
lognormal handle time, abandons after an exponential patience, the engine's own timers), so
more than 100 contacts wait throughout. A *decision* is one offer, or one finding that none
can be made, computed by the engine when a contact arrives or an agent becomes free.

For each size (100, 1,000, 10,000 agents) it runs the engine three ways, each in fresh
processes: the compiled build (``make compiled``: the same source compiled to C by mypyc, what
a production install with ``CARECENTER_COMPILE=1`` runs) with its heaps (O(log n) a
decision); the same build with ``scan=True``, the naive baseline that looks at every agent or
waiting contact for each decision (stopped after ``--naive-decisions`` decisions, so the
largest size finishes); and the pure-Python build (the ``pure_*`` keys). ``seconds`` is time
spent in the engine's commands (the driver's own bookkeeping is not counted) and
``decisions_per_s`` is decisions over it: the whole engine's rate, every command and event
included. ``dispatch_seconds`` is the part spent in the decisions themselves (choosing, and
emitting and applying the offers), as the engine counts it (``decision_seconds``), and
``decision_path_per_s`` is decisions over that part; ``peak_memory_mb`` is the process's peak
resident memory. Each figure is the fastest of ``--repeat`` runs (3): the runs are the same,
seeded, so they differ only by what else the machine was doing (timeit takes the minimum for
the same reason).

Prints a JSON list, one object per size. ``python bench/bench_engine.py [--contacts 60000]
[--sizes 100,1000,10000] [--naive-decisions 20000] [--seed 7] [--repeat 3]
[--compiled build/compiled]``.
"""

from __future__ import annotations

import argparse
import heapq
import importlib.machinery
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType as Frozen
from typing import Any

from carecenter.adapters.memory import FakeClock
from carecenter.domain.center import Agent, Center, Queue, Skill, Tier
from carecenter.domain.enums import Channel
from carecenter.domain.events import ContactOffered
from carecenter.domain.routing_policy import QueueRouting, RelaxationStep, Strategy
from carecenter.engine import engine as engine_module
from carecenter.engine.engine import ContactEngine

QUEUES, SKILLS = 50, 20
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
COMPILED = Path(__file__).resolve().parent.parent / "build" / "compiled"
"""Where ``make compiled`` installs the compiled build (``setup.py``)."""
EXTENSIONS = tuple(importlib.machinery.EXTENSION_SUFFIXES)
MEAN_HANDLE_S = {Channel.VOICE: 300.0, Channel.CHAT: 600.0, Channel.EMAIL: 400.0}


def build_center(agents: int, seed: int) -> Center:
    """The benchmark center with ``agents`` agents."""
    rng = random.Random(seed)
    skills = {f"s{i}": Skill(f"s{i}") for i in range(SKILLS)}
    queues = {}
    for i in range(QUEUES):
        channel = Channel.VOICE if i < 30 else Channel.CHAT if i < 42 else Channel.EMAIL
        first, second = f"s{i % SKILLS}", f"s{(i * 7 + 3) % SKILLS}"
        required = {first: 3} | ({second: 2} if i % 2 and second != first else {})
        routing = QueueRouting(
            strategy=Strategy.BEST_SKILLED,
            relaxation=(RelaxationStep(30.0, Frozen({first: 1})),),
            offer_timeout_s=20.0,
        )
        queues[f"q{i}"] = Queue(
            f"q{i}", f"q{i}", channel, required_skills=Frozen(required), routing=routing
        )
    people = {}
    for i in range(agents):
        mine = rng.sample(range(SKILLS), 5)
        second = {Channel.CHAT: 3} if i % 5 < 3 else {Channel.EMAIL: 2}
        people[f"a{i}"] = Agent(
            f"a{i}",
            f"a{i}",
            skills=Frozen({f"s{s}": rng.randint(1, 5) for s in mine}),
            capacity=Frozen({Channel.VOICE: 1} | second),
        )
    tiers = {"standard": Tier("standard"), "vip": Tier("vip", priority=120)}
    return Center(
        name="bench",
        skills=Frozen(skills),
        queues=Frozen(queues),
        agents=Frozen(people),
        tiers=Frozen(tiers),
    )


def run_one(agents: int, contacts: int, scan: bool, limit: int | None, seed: int) -> dict[str, Any]:
    """Drive one engine through the benchmark day; the figures of that run."""
    center = build_center(agents, seed)
    rng = random.Random(seed + 1)
    clock = FakeClock(START)
    engine = ContactEngine(center, clock, scan=scan)
    queue_ids = list(center.queues)
    weights = [3.0 if i < 30 else 2.0 if i < 42 else 1.0 for i in range(QUEUES)]
    # half the contacts are calls; each agent answers a call per 300 s on average: calls come
    # 20% faster than the agents can answer them, so a line builds (chats and e-mails do not)
    rate = 2 * 1.2 * agents / 300.0
    plan: list[tuple[float, int, str, str]] = []
    order = 0

    def later(at: float, kind: str, subject: str, detail: str = "") -> None:
        nonlocal order
        order += 1
        heapq.heappush(plan, (at, order, kind, subject + "|" + detail))

    spent = 0.0
    waiting_seen: list[int] = []

    def call(method: Any, *args: Any, **kwargs: Any) -> list[Any]:
        nonlocal spent
        t0 = time.perf_counter()
        try:
            events = method(*args, **kwargs)
        except Exception:  # a driver race (the contact left first) is not the engine's cost
            events = []
        spent += time.perf_counter() - t0
        for e in events:
            if isinstance(e, ContactOffered):
                later(now + 2.0, "accept", e.contact_id, e.agent_id)
        return events

    now = 0.0
    for a in center.agents:
        call(engine.sign_in, a)
    backlog = max(200, agents // 4)
    arrival = 0.0
    for i in range(contacts):
        if i >= backlog:
            arrival += rng.expovariate(rate)
        later(arrival, "arrive", f"c{i}")
    started = engine.decisions
    while plan:
        at, _, kind, what = heapq.heappop(plan)
        due = engine.next_due()
        if due is not None and (due - START).total_seconds() < at:
            heapq.heappush(plan, (at, _, kind, what))
            now = (due - START).total_seconds()
            clock.set(due)
            call(engine.advance)
            continue
        now = at
        clock.set(START + timedelta(seconds=at))
        subject, _, detail = what.partition("|")
        if kind == "arrive":
            i = int(subject[1:])
            q = rng.choices(queue_ids, weights)[0]
            tier = "vip" if rng.random() < 0.1 else "standard"
            events = call(engine.arrive, subject, center.queues[q].channel, q, tier=tier)
            if events and rng.random() < 0.5:
                later(at + rng.expovariate(1 / 900.0), "abandon", subject)
            waiting_seen.append(sum(len(r.line) for r in engine.state.queues.values()))
        elif kind == "accept":
            c = engine.state.contacts.get(subject)
            if c is None or detail not in c.offered_to:
                continue
            call(engine.accept, subject, detail)
            channel = c.capacity_channel
            handle = rng.lognormvariate(math.log(MEAN_HANDLE_S[channel]) - 0.125, 0.5)
            later(at + handle, "end", subject)
        elif kind == "end":
            call(engine.end, subject, resolved=True)
        elif kind == "abandon":
            c = engine.state.contacts.get(subject)
            if c is not None and c.waiting:
                call(engine.abandon, subject)
        if limit is not None and engine.decisions - started >= limit:
            break
    decisions = engine.decisions - started
    return {
        "agents": agents,
        "queues": QUEUES,
        "skills": SKILLS,
        "mode": "scan" if scan else "heap",
        "build": "compiled" if engine_module.__file__.endswith(EXTENSIONS) else "pure",
        "decisions": decisions,
        "events": engine.emitted,
        "seconds": round(spent, 3),
        "decisions_per_s": round(decisions / spent) if spent else None,
        "dispatch_seconds": round(engine.decision_seconds, 3),
        "decision_path_per_s": (
            round(decisions / engine.decision_seconds) if engine.decision_seconds else None
        ),
        "waiting_min": min(waiting_seen[len(waiting_seen) // 10 :] or [0]),
        "waiting_mean": round(sum(waiting_seen) / max(1, len(waiting_seen))),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _run(size: int, args: argparse.Namespace, *, scan: bool, build: str) -> dict[str, Any]:
    """The fastest of ``--repeat`` runs, each in a fresh process, on the pure-Python or the
    compiled build (the same run every time: only the machine's speed varies)."""
    command = [sys.executable, __file__, "--one", str(size), "--seed", str(args.seed)]
    command += ["--contacts", str(args.contacts), "--naive-decisions", str(args.naive_decisions)]
    command += ["--scan"] if scan else []
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if build == "compiled":
        env["PYTHONPATH"] = str(args.compiled)
    best: dict[str, Any] | None = None
    for _ in range(args.repeat):
        out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
        figures: dict[str, Any] = json.loads(out)
        if figures["build"] != build:
            sys.exit(f"bench_engine: asked for the {build} build, ran the {figures['build']} one")
        if best is None or figures["seconds"] < best["seconds"]:
            best = figures
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=60000)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--naive-decisions", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compiled", type=Path, default=COMPILED)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--scan", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        limit = args.naive_decisions if args.scan else None
        print(json.dumps(run_one(args.one, args.contacts, args.scan, limit, args.seed)))
        return
    if not (args.compiled / "carecenter").is_dir():
        sys.exit(f"bench_engine: no compiled build in {args.compiled}: run `make compiled` first")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        row = _run(size, args, scan=False, build="compiled")
        naive = _run(size, args, scan=True, build="compiled")
        pure = _run(size, args, scan=False, build="pure")
        row.pop("mode")
        row["naive_decisions"] = naive["decisions"]
        row["naive_seconds"] = naive["seconds"]
        row["naive_decisions_per_s"] = naive["decisions_per_s"]
        row["naive_decision_path_per_s"] = naive["decision_path_per_s"]
        row["speedup_vs_naive"] = (
            round(row["decisions_per_s"] / naive["decisions_per_s"], 1)
            if naive["decisions_per_s"]
            else None
        )
        for key in ("seconds", "decisions_per_s", "dispatch_seconds", "decision_path_per_s"):
            row[f"pure_{key}"] = pure[key]
        row["pure_peak_memory_mb"] = pure["peak_memory_mb"]
        row["compiled_speedup"] = round(row["decisions_per_s"] / pure["decisions_per_s"], 2)
        rows.append(row)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
