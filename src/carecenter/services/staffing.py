"""Use cases of the queueing formulas: ``carecenter erlang {b,c,a,staff}`` and ``carecenter staff``.

Each function checks the user's numbers (an :class:`~carecenter.errors.InputError` naming the
field when one is wrong), calls :mod:`carecenter.wfm` and returns plain rows (dicts) for the
interface to render; ``staff_plan_page`` gathers what the plan's self-contained HTML page
shows, with a chart per queue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from carecenter.adapters.volumes_csv import CsvVolumes, VolumeRow
from carecenter.domain.plans import PlanKind
from carecenter.errors import InputError
from carecenter.services import plans
from carecenter.services.bootstrap import WorkspaceSource
from carecenter.services.plans import SavedPlan
from carecenter.wfm.erlang import erlang_b, erlang_c
from carecenter.wfm.erlang_a import erlang_a
from carecenter.wfm.measures import MEASURE_NAMES, QueueMeasures
from carecenter.wfm.staffing import StaffingTarget, required_agents, scheduled_agents

MODELS = ("b", "c", "a")
MEASURE_COLUMNS = MEASURE_NAMES
PLAN_COLUMNS = ("model", "calls", "aht_s", "agents", "scheduled_agents", *MEASURE_COLUMNS)
"""The columns of a plan row after ``queue`` and ``interval_start``."""


class VolumeSource(Protocol):
    """Where offered volumes come from (a CSV file, memory, a warehouse query...)."""

    def rows(self) -> list[VolumeRow]:
        """All volume rows."""
        ...


def _check(name: str, value: float | None, ok: bool, rule: str) -> None:
    if value is not None and (not ok or math.isnan(value)):
        raise InputError(f"must be {rule}, got {value:g}", field=name)


def _check_interval(calls: float, interval_s: float, aht_s: float) -> None:
    _check("calls", calls, math.isfinite(calls) and calls >= 0, "a number >= 0")
    _check("interval", interval_s, math.isfinite(interval_s) and interval_s > 0, "> 0 seconds")
    _check("aht", aht_s, math.isfinite(aht_s) and aht_s > 0, "> 0 seconds")


def _check_patience(patience_s: float | None) -> None:
    _check("patience", patience_s, patience_s is None or patience_s >= 0, ">= 0 seconds")


def make_target(
    *,
    target_sl: float | None = 0.8,
    threshold_s: float = 20.0,
    max_asa_s: float | None = None,
    max_abandon: float | None = None,
    max_occupancy: float | None = None,
) -> StaffingTarget:
    """The staffing target from user input; ``InputError`` naming the bad field, or
    ``target_sl`` when no target is set at all (a service level of 0 or ``None`` sets none)."""
    sl_ok = target_sl is None or 0 <= target_sl < 1
    _check("target_sl", target_sl, sl_ok, "in [0, 1)")
    _check("threshold", threshold_s, math.isfinite(threshold_s) and threshold_s >= 0, ">= 0")
    _check("max_asa", max_asa_s, max_asa_s is None or max_asa_s > 0, "> 0 seconds")
    for name, value in (("max_abandon", max_abandon), ("max_occupancy", max_occupancy)):
        _check(name, value, value is None or 0 < value <= 1, "in (0, 1]")
    service_level = target_sl or None  # 0: no service-level target
    if (
        service_level is None
        and max_asa_s is None
        and max_abandon is None
        and max_occupancy is None
    ):
        raise InputError(
            "no target: a service level of 0 sets none, and no maximum ASA, abandonment or "
            "occupancy is given; there is nothing to staff for",
            field="target_sl",
        )
    return StaffingTarget(
        service_level=service_level,
        threshold=threshold_s,
        max_asa=max_asa_s,
        max_abandon=max_abandon,
        max_occupancy=max_occupancy,
    )


def queue_measures(
    model: str,
    *,
    calls: float,
    interval_s: float,
    aht_s: float,
    agents: int,
    threshold_s: float = 20.0,
    patience_s: float | None = None,
) -> dict[str, Any]:
    """Measures of one interval under Erlang ``model`` (``b``, ``c`` or ``a``) as one row."""
    if model not in MODELS:
        raise InputError(f"unknown model {model!r}; choose one of b, c, a", field="model")
    _check_interval(calls, interval_s, aht_s)
    _check("agents", agents, agents >= 0, ">= 0")
    _check("threshold", threshold_s, math.isfinite(threshold_s) and threshold_s >= 0, ">= 0")
    _check_patience(patience_s)
    common = {"interval": interval_s, "threshold": threshold_s}
    if model == "b":
        measures = erlang_b(calls, aht_s, agents, **common)
    elif model == "c":
        measures = erlang_c(calls, aht_s, agents, **common)
    else:
        if patience_s is None:
            raise InputError("Erlang A needs the mean patience in seconds", field="patience")
        measures = erlang_a(calls, aht_s, agents, patience_s, **common)
    return {"agents": agents, **_measure_row(measures, ())}


def _measure_row(measures: QueueMeasures, index: int | tuple[int, ...]) -> dict[str, float]:
    row = measures.row(index)
    return {name: row[name] for name in MEASURE_COLUMNS}


def staff_interval(
    *,
    calls: float,
    interval_s: float,
    aht_s: float,
    target: StaffingTarget,
    patience_s: float | None = None,
    shrinkage: float = 0.0,
) -> dict[str, Any]:
    """Agents needed for one interval (Erlang A when ``patience_s`` is given, else C)."""
    _check_interval(calls, interval_s, aht_s)
    _check_patience(patience_s)
    _check("shrinkage", shrinkage, 0 <= shrinkage < 1, "in [0, 1)")
    volume = VolumeRow("", "", calls, aht_s, interval_s, patience_s)
    return _plan([volume], target, None, shrinkage)[0]


def staff_plan(
    source: VolumeSource | Path,
    target: StaffingTarget,
    *,
    default_patience_s: float | None = None,
    default_aht_s: float | None = None,
    shrinkage: float = 0.0,
) -> list[dict[str, Any]]:
    """Agents needed per queue and interval of ``source`` (a volume CSV file when a path, e.g.
    the forecast CSV of ``carecenter forecast --output``; ``default_aht_s`` fills its empty
    ``aht_s``).

    Erlang A for rows whose patience is known (their ``patience_s`` or ``default_patience_s``),
    Erlang C for the others.
    """
    return _plan_volumes(source, target, default_patience_s, default_aht_s, shrinkage)[1]


def save_staff_plan(
    workspace: WorkspaceSource,
    source: VolumeSource | Path,
    target: StaffingTarget,
    *,
    default_patience_s: float | None = None,
    default_aht_s: float | None = None,
    shrinkage: float = 0.0,
    command: str,
) -> tuple[list[dict[str, Any]], SavedPlan]:
    """:func:`staff_plan`, saved as the workspace's staffing plan (a new version replacing the
    current plan of the same queues and intervals; ``command`` is recorded): the rows and what
    was saved."""
    volumes, rows = _plan_volumes(source, target, default_patience_s, default_aht_s, shrinkage)
    where = str(source) if isinstance(source, Path) else "volumes"
    saved = plans.save_plan(
        workspace,
        PlanKind.STAFF,
        lambda zone: plans.staff_plan_rows(volumes, rows, zone, where),
        command=command,
        where=where,
    )
    return rows, saved


@dataclass(frozen=True)
class StaffingPage:
    """What the page shows: plan rows (``queue``, ``interval_start``, ``calls``, ``agents``,
    ``scheduled_agents`` and the measures) in ``columns`` order, and the prediction band."""

    title: str
    subtitle: str
    rows: Sequence[Mapping[str, Any]]
    bands: Mapping[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    """(queue, interval_start) -> (calls_lo, calls_hi)."""
    columns: Sequence[str] = ()


def staff_plan_page(
    source: VolumeSource | Path,
    target: StaffingTarget,
    *,
    default_patience_s: float | None = None,
    default_aht_s: float | None = None,
    shrinkage: float = 0.0,
) -> StaffingPage:
    """:func:`staff_plan` as what one offline HTML page shows: per queue a chart of the
    forecast calls (with the prediction band when the source has one) and the required and
    scheduled agents, and the plan's table (``rows``)."""
    volumes, rows = _plan_volumes(source, target, default_patience_s, default_aht_s, shrinkage)
    bands = {
        (v.queue, v.interval_start): (v.calls_lo, v.calls_hi)
        for v in volumes
        if v.calls_lo is not None and v.calls_hi is not None
    }
    name = source.name if isinstance(source, Path) else "volumes"
    return StaffingPage(
        title="Staffing plan",
        subtitle=f"{name}: {describe_target(target)}; shrinkage {shrinkage:.0%}",
        rows=rows,
        bands=bands,
        columns=("queue", "interval_start", *PLAN_COLUMNS),
    )


def describe_target(target: StaffingTarget) -> str:
    """The targets in words, e.g. ``service level 80% within 20 s, abandonment <= 5%``."""
    parts = []
    if target.service_level:
        parts.append(f"service level {target.service_level:.0%} within {target.threshold:g} s")
    if target.max_asa is not None:
        parts.append(f"ASA <= {target.max_asa:g} s")
    if target.max_abandon is not None:
        parts.append(f"abandonment <= {target.max_abandon:.1%}")
    if target.max_occupancy is not None:
        parts.append(f"occupancy <= {target.max_occupancy:.0%}")
    if target.max_p_wait is not None:
        parts.append(f"P(wait) <= {target.max_p_wait:.0%}")
    return ", ".join(parts) or "no target"


def _plan_volumes(
    source: VolumeSource | Path,
    target: StaffingTarget,
    default_patience_s: float | None,
    default_aht_s: float | None,
    shrinkage: float,
) -> tuple[list[VolumeRow], list[dict[str, Any]]]:
    _check_patience(default_patience_s)
    _check("aht", default_aht_s, default_aht_s is None or 0 < default_aht_s < math.inf, "> 0")
    _check("shrinkage", shrinkage, 0 <= shrinkage < 1, "in [0, 1)")
    reader = CsvVolumes(source, default_aht_s) if isinstance(source, Path) else source
    volumes = reader.rows()
    planned = _plan(volumes, target, default_patience_s, shrinkage)
    rows = [
        {"queue": row.queue, "interval_start": row.interval_start, **plan}
        for row, plan in zip(volumes, planned, strict=True)
    ]
    return volumes, rows


def _plan(
    rows: list[VolumeRow], target: StaffingTarget, default_patience: float | None, shrinkage: float
) -> list[dict[str, Any]]:
    if not rows:
        return []
    calls = np.array([r.calls for r in rows])
    aht = np.array([r.aht_s for r in rows])
    interval = np.array([r.interval_s for r in rows])
    known = [r.patience_s if r.patience_s is not None else default_patience for r in rows]
    patience = np.array([math.inf if p is None else p for p in known])
    agents = required_agents(calls, aht, target, interval=interval, patience=patience)
    scheduled = scheduled_agents(agents, shrinkage)
    measures = erlang_a(calls, aht, agents, patience, interval=interval, threshold=target.threshold)
    return [
        {
            "model": _model_name(patience[i]),
            "calls": float(calls[i]),
            "aht_s": float(aht[i]),
            "agents": int(agents[i]),
            "scheduled_agents": int(scheduled[i]),
            **_measure_row(measures, i),
        }
        for i in range(len(rows))
    ]


def _model_name(patience: float) -> str:
    if math.isinf(patience):
        return "C"
    return "B" if patience == 0 else "A"
