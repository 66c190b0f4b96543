"""Does the twin behave like the center? (``carecenter simulate --calibrate-from WS
--validate``): a scenario that replays the workspace's history (``replay:``) is simulated, and
its service level, ASA and abandonment per hour of the local day are set beside the ones the
history itself gives over the same days, from the same catalog with the same queue policies.

Both sides are added up per hour of the day over the period (a ratio of sums:
:func:`carecenter.metrics.engine.regroup`), over the queues the replay plays back; the twin's
side is the mean over replications with its 95 % half-width, and ``<measure>_error`` is the
twin's mean less the history's figure.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from carecenter.errors import InputError
from carecenter.metrics.dims import Dimensions
from carecenter.metrics.spec import ReportSpec
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.services.simulation import Simulation, half_width, simulate
from carecenter.sim.scenario import Scenario
from carecenter.sim.twin import replication_start

COMPARED = ("offered", "service_level", "asa_s", "p_wait", "abandon_rate")
"""The measures compared per hour."""
ALL_DAY = "all"
"""The ``hour`` of the row over the whole day."""


@dataclass(frozen=True)
class Validation:
    """The twin against the history, one row per hour of the day (and one over all hours)."""

    rows: list[dict[str, Any]]
    simulation: Simulation


def _hour(row: Mapping[str, Any]) -> str:
    return f"{row['interval_start'].hour:02d}:00"


def validate(source: WorkspaceSource, scenario: Scenario, *, jobs: int | None = None) -> Validation:
    """Simulate ``scenario`` (its replay filled from ``source``) per hour and compare it with
    ``source``'s own figures per hour of the day over the same period."""
    from carecenter.metrics.regroup import regroup
    from carecenter.services.reporting import run

    if scenario.replay is None or not scenario.replay.arrivals:
        raise InputError(
            "--validate compares a replayed history: give the scenario replay: with arrivals "
            "and --calibrate-from WORKSPACE",
            field="validate",
        )
    queues = set(scenario.replay.arrivals)
    start = replication_start(scenario, 0)
    end = start + timedelta(seconds=scenario.horizon_s)
    spec = ReportSpec("1h", ("queue",), start, end, fcr=False, percentiles=False)
    zone = scenario.center.timezone
    with opened(source, read_only=True) as ws:
        report = run(ws.warehouse.backend(), spec, Dimensions.from_center(scenario.center), zone)
    history = [
        dict(r, hour=_hour(r), day=r["interval_start"].date())
        for r in report.rows
        if r["queue"] in queues
    ]
    if not history:
        raise InputError("the workspace has no visits in the replayed period", field="start")
    real = {r["hour"]: r for r in regroup(history, ("hour",))}
    real[ALL_DAY] = regroup([dict(r, hour=ALL_DAY) for r in history], ("hour",))[0]
    days: dict[str, list[dict[str, Any]]] = {}
    for row in regroup(history, ("hour", "day")):
        days.setdefault(row["hour"], []).append(row)
    for row in regroup([dict(r, hour=ALL_DAY) for r in history], ("hour", "day")):
        days.setdefault(ALL_DAY, []).append(row)

    simulation = simulate(scenario, interval="1h", jobs=jobs)
    twin = [dict(r, hour=_hour(r)) for r in simulation.per_replication if r["queue"] in queues]
    per_hour = regroup(twin, ("replication", "hour"))
    per_hour += regroup([dict(r, hour=ALL_DAY) for r in twin], ("replication", "hour"))
    by_hour: dict[str, list[dict[str, Any]]] = {}
    for row in per_hour:
        by_hour.setdefault(row["hour"], []).append(row)
    rows = []
    for hour in sorted(set(real) | set(by_hour), key=lambda h: (h == ALL_DAY, h)):
        seen, runs = real.get(hour, {}), by_hour.get(hour, [])
        if not seen.get("offered") and not any(r.get("offered") for r in runs):
            continue  # agents at work, no customer in either
        out: dict[str, Any] = {"hour": hour}
        for name in COMPARED:
            values = [float(r[name]) for r in runs if r.get(name) is not None]
            if name == "offered":
                values += [0.0] * (scenario.replications - len(runs))
            mean = statistics.fmean(values) if values else None
            actual = seen.get(name)
            out[name] = actual
            out[f"twin_{name}"] = mean
            out[f"twin_{name}_half_width"] = half_width(values)
            out[f"{name}_error"] = (
                mean - float(actual) if mean is not None and actual is not None else None
            )
            daily = [float(d[name]) for d in days.get(hour, []) if d.get(name) is not None]
            out[f"{name}_day_sd"] = statistics.stdev(daily) if len(daily) > 1 else None
        rows.append(out)
    return Validation(rows, simulation)


__all__ = ["ALL_DAY", "COMPARED", "Validation", "validate"]
