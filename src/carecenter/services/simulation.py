"""The digital twin as a service: run a scenario's replications through the real engine,
measure each one with the metric catalog, and give per queue (and group and interval) the mean
over replications with its 95 % confidence half-width.

Every replication's events are folded into facts by the projector's own fold
(:func:`carecenter.domain.projection.fold`) and measured by the catalog on an in-memory
warehouse, so a simulated service level is computed exactly as a real one; nothing is written
to disk. Replication ``r`` is simulated ``r`` spans after the scenario's start (see
:func:`carecenter.sim.twin.replication_start`), so all of them are measured by one report:
each report row falls in one replication's measured window or is dropped (warm-up and drain).
"""

from __future__ import annotations

import copyreg
import math
import multiprocessing
import os
import statistics
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from carecenter.adapters.settings import Settings
from carecenter.domain.events import Event
from carecenter.domain.projection import ProjectionState, fold
from carecenter.errors import InputError
from carecenter.metrics.dims import Dimensions
from carecenter.metrics.spec import ReportSpec
from carecenter.sim.scenario import Scenario
from carecenter.sim.twin import RunCounts, replication_start, run_replication

MEASURES = (
    "offered",
    "service_level",
    "asa_s",
    "p_wait",
    "abandon_rate",
    "occupancy",
    "callbacks",
    "promises_made",
    "promises_kept",
    "ewt_mae_s",
    "ewt_not_exceeded",
)
"""The catalog metrics a simulation reports, each with ``<name>_half_width``."""
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Simulation:
    """What a simulation gave: one row per group (mean and half-width of each measure)."""

    rows: list[dict[str, Any]]
    replications: int
    customers: int
    """Customers who arrived, over all replications (warm-ups included)."""
    events: int
    """Events the engine emitted, over all replications."""
    per_replication: list[dict[str, Any]]
    """The catalog's rows for each replication and group (``replication``: 0-based)."""


def _t_quantile(n: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.5 + CONFIDENCE / 2, n - 1))


def half_width(values: Sequence[float]) -> float | None:
    """Half-width of the 95 % confidence interval of the mean of ``values`` (Student's t);
    ``None`` with fewer than two values."""
    if len(values) < 2:
        return None
    return _t_quantile(len(values)) * statistics.stdev(values) / math.sqrt(len(values))


ROW_INTERVAL = "1d"
"""The report interval a simulation is measured in when no ``interval`` is asked for; each
replication's days are then added up (:func:`carecenter.metrics.engine.regroup`)."""


SEQ_PER_REPLICATION = 1_000_000_000
"""Replication ``r``'s events are folded with sequence numbers from ``r`` times this."""


def replicate(
    scenario: Scenario, index: int, sink: Callable[[list[Event]], None] | None = None
) -> tuple[dict[str, Any], RunCounts]:
    """Simulate replication ``index`` and fold its events into facts, given as Arrow tables
    per warehouse table (``sink`` also gets every event)."""
    from carecenter.adapters.warehouse import fact_tables

    state = ProjectionState()
    seq = index * SEQ_PER_REPLICATION

    def take(batch: list[Event]) -> None:
        nonlocal seq
        for event in batch:
            seq += 1
            fold(state, seq, event)
        if sink is not None:
            sink(batch)

    counts = run_replication(scenario, index, take)
    return fact_tables(state), counts


def _mapping(content: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(content)


def _pickle_mapping(m: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _mapping, (dict(m),)


copyreg.pickle(MappingProxyType, _pickle_mapping)  # a scenario goes to worker processes


def run_scenario(
    scenario: Scenario,
    replication_done: Callable[[dict[str, Any]], None],
    sink: Callable[[list[Event]], None] | None = None,
    jobs: int = 1,
) -> tuple[int, int]:
    """Simulate every replication, folding its events into facts (Arrow tables per warehouse
    table) that go to ``replication_done`` one replication at a time, in order (so memory
    holds a few replications' facts); the customers who arrived and the events emitted.
    ``jobs`` > 1 runs replications in that many worker processes (they are independent);
    ``sink``, which gets every event, needs them here (``jobs`` 1)."""
    if sink is not None and jobs > 1:
        raise ValueError("events go to a sink from one process: run with jobs=1")
    customers = events = 0
    indexes = range(scenario.replications)
    if jobs <= 1:
        results: Iterator[tuple[dict[str, Any], RunCounts]] = (
            replicate(scenario, i, sink) for i in indexes
        )
        for state, counts in results:
            replication_done(state)
            customers, events = customers + counts.customers, events + counts.events
        return customers, events
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for state, counts in pool.map(replicate, [scenario] * len(indexes), indexes):
            replication_done(state)
            customers, events = customers + counts.customers, events + counts.events
    return customers, events


def default_jobs(scenario: Scenario) -> int:
    """Worker processes for a scenario's replications: one per CPU, at most one each."""
    return max(1, min(os.cpu_count() or 1, scenario.replications))


def simulate(
    scenario: Scenario,
    *,
    by: Sequence[str] = (),
    interval: str | None = None,
    sink: Callable[[list[Event]], None] | None = None,
    jobs: int | None = None,
) -> Simulation:
    """Run ``scenario`` and measure it per queue (and ``by``, and ``interval``: then per
    interval of the horizon, ``interval_start`` in the first replication's dates)."""
    from carecenter.adapters.warehouse import DuckDbWarehouse
    from carecenter.metrics.regroup import regroup
    from carecenter.services.reporting import run

    if "queue" in by:
        raise InputError("simulations are always reported per queue: drop queue from --by")
    if scenario.replay_plan is not None and scenario.replay is None:
        raise InputError(
            "the scenario replays a history (replay:): give it with --calibrate-from WORKSPACE",
            field="calibrate-from",
        )
    replayed = scenario.replay.customers if scenario.replay is not None else 0
    if not scenario.arrivals and not replayed:
        raise InputError("the scenario has no arrivals: give arrivals: or --calibrate-from")
    starts = [replication_start(scenario, r) for r in range(scenario.replications + 1)]
    horizon = timedelta(seconds=scenario.horizon_s)
    center = scenario.center
    spec = ReportSpec(
        interval or ROW_INTERVAL,
        ("queue", *by),
        starts[0],
        starts[-1],
        fcr=False,
        percentiles=False,
    )
    warehouse = DuckDbWarehouse(":memory:")
    try:
        if jobs is None:
            jobs = 1 if sink is not None else default_jobs(scenario)
        customers, events = run_scenario(scenario, warehouse.append, sink, jobs)
        report = run(warehouse.backend(), spec, Dimensions.from_center(center), center.timezone)
    finally:
        warehouse.close()
    per_replication = _by_replication(report.rows, starts[:-1], horizon)
    keys = ("queue", *by) + (("interval_start",) if interval else ())
    if not interval:  # each replication's days added up
        per_replication = regroup(per_replication, ("replication", *keys))
    rows = _summarise(per_replication, keys, scenario.replications)
    for row in rows:
        row["replications"] = scenario.replications
        row["events"] = events
    return Simulation(rows, scenario.replications, customers, events, per_replication)


def _by_replication(
    rows: list[dict[str, Any]], starts: list[datetime], horizon: timedelta
) -> list[dict[str, Any]]:
    """The report rows inside a replication's measured window, each marked with its
    replication and moved to the first replication's dates."""
    kept = []
    for row in rows:
        at: datetime = row["interval_start"]
        for r, start in enumerate(starts):
            if start <= at < start + horizon:
                moved = dict(row, replication=r)
                offset = at - start
                moved["interval_start"] = starts[0] + offset
                kept.append(moved)
                break
    return kept


def _summarise(
    rows: list[dict[str, Any]], keys: Sequence[str], replications: int
) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in keys), []).append(row)
    out = []
    for key in sorted(groups, key=lambda k: tuple(str(v) for v in k)):
        members = groups[key]
        summary: dict[str, Any] = dict(zip(keys, key, strict=True))
        for name in MEASURES:
            values = [float(m[name]) for m in members if m.get(name) is not None]
            if name in ("offered", "callbacks", "promises_made", "promises_kept"):
                values += [0.0] * (replications - len(members))  # none in that replication
            summary[name] = statistics.fmean(values) if values else None
            summary[f"{name}_half_width"] = half_width(values)
        out.append(summary)
    return out


@dataclass(frozen=True)
class Comparison:
    """Two scenarios run on the same random numbers: per queue and measure, the paired
    difference (change - base) over replications with its 95 % half-width."""

    rows: list[dict[str, Any]]
    base: Simulation
    change: Simulation


def compare_scenarios(base: Scenario, change: Scenario, *, jobs: int | None = None) -> Comparison:
    """Run ``base`` and ``change`` with the same seed and replications (common random
    numbers) and compare them replication by replication."""
    if base.replications != change.replications or base.seed != change.seed:
        change = change.with_changes(replications=base.replications, seed=base.seed)
    a, b = simulate(base, jobs=jobs), simulate(change, jobs=jobs)
    index_a = {(r["queue"], r["replication"]): r for r in a.per_replication}
    index_b = {(r["queue"], r["replication"]): r for r in b.per_replication}
    queues = sorted({q for q, _ in index_a} | {q for q, _ in index_b})
    rows = []
    for queue in queues:
        for name in MEASURES:
            diffs, lefts, rights = [], [], []
            for r in range(base.replications):
                left, right = index_a.get((queue, r), {}), index_b.get((queue, r), {})
                x, y = left.get(name), right.get(name)
                if x is not None:
                    lefts.append(float(x))
                if y is not None:
                    rights.append(float(y))
                if x is not None and y is not None:
                    diffs.append(float(y) - float(x))
            if not lefts and not rights:
                continue
            rows.append(
                {
                    "queue": queue,
                    "measure": name,
                    "base": statistics.fmean(lefts) if lefts else None,
                    "change": statistics.fmean(rights) if rights else None,
                    "difference": statistics.fmean(diffs) if diffs else None,
                    "difference_half_width": half_width(diffs),
                    "replications": len(diffs),
                }
            )
    return Comparison(rows, a, b)


@dataclass(frozen=True)
class Recorded:
    """A simulation recorded in a workspace: its measures, and what went into the store."""

    simulation: Simulation
    events: int
    """Events appended to the workspace's event log (and projected into its warehouse)."""
    created: bool
    """Whether the workspace was created for it."""


EVENT_BATCH = 5000
"""Events appended to the event log at a time."""


def simulate_into(
    settings: Settings,
    scenario: Scenario,
    center_yaml: str,
    *,
    by: Sequence[str] = (),
    interval: str | None = None,
) -> Recorded:
    """:func:`simulate`, with every event appended to the workspace's event log and projected
    into its warehouse, so ``carecenter report`` runs on the simulated days (replication ``r``
    on its own dates, see :func:`carecenter.sim.twin.replication_start`). A directory that is
    no workspace yet becomes one, with the scenario's center as its ``center.yaml``; an
    existing workspace must hold the same center and no events."""
    from carecenter.services.bootstrap import opened
    from carecenter.services.projector import project
    from carecenter.services.workspace import init_workspace

    created = not settings.config_path.exists()
    if created:
        settings.workspace.mkdir(parents=True, exist_ok=True)
        settings.config_path.write_text(center_yaml, encoding="utf-8")
        init_workspace(settings)
    with opened(settings) as ws:
        held = ws.center.load()
        if held != scenario.center:
            name = held.name if held is not None else "none"
            raise InputError(
                f"{settings.workspace}: the workspace holds another center ({name}); "
                "simulate into a new directory",
                field="workspace",
            )
        if ws.events.count():
            raise InputError(
                f"{settings.workspace}: the workspace holds events already; "
                "simulate into a new directory",
                field="workspace",
            )
        pending: list[Event] = []
        appended = 0

        def sink(events: list[Event]) -> None:
            nonlocal appended
            pending.extend(events)
            if len(pending) >= EVENT_BATCH:
                ws.events.append(pending)
                appended += len(pending)
                pending.clear()

        result = simulate(scenario, by=by, interval=interval, sink=sink, jobs=1)
        if pending:
            ws.events.append(pending)
            appended += len(pending)
        project(ws.events, ws.warehouse)
    return Recorded(result, appended, created)
