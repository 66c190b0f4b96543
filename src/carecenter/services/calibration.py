"""Calibrating a scenario from a workspace's history (``carecenter simulate --calibrate-from``):
each queue of the scenario's center that has visits in the warehouse gets its arrival rates
per weekday and half hour, its handle and wrap-up times (the ones seen), and its patience
(Kaplan-Meier, answered waits censored: :mod:`carecenter.sim.calibration`)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.domain.durations import DAY_S
from carecenter.domain.enums import VisitOutcome
from carecenter.errors import InputError
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.sim.calibration import (
    busy_pauses,
    empirical,
    fit_patience,
    served_queues,
    slot_exposure,
    visit_spans,
)
from carecenter.sim.scenario import Arrivals, Behaviour, Scenario

SLOT_S = 1800
"""Arrival rates are fitted per half hour of each weekday."""


@dataclass
class _Queue:
    arrivals: Counter[tuple[int, int]]
    handle: list[float]
    wrap: list[float]
    waits: list[float]
    gave_up: list[bool]


PAUSE_GAP_S = 1800.0
"""Pauses longer than this between an agent's contacts are time away, not after-call work
(:func:`carecenter.sim.calibration.busy_pauses`)."""


def calibrate(source: WorkspaceSource, scenario: Scenario) -> tuple[Scenario, list[dict[str, Any]]]:
    """The scenario fitted to the workspace's visits, and one row per fitted queue saying
    what was estimated (days of history, visits, arrivals a day, mean handle time, patience:
    Kaplan-Meier median and exponential mean)."""
    from carecenter.metrics.calibration import calibration_visits

    with opened(source, read_only=True) as ws:
        table = calibration_visits(ws.warehouse.backend())
    if table.num_rows == 0:
        raise InputError("the workspace holds no inbound visits to calibrate from")
    zone = ZoneInfo(scenario.center.timezone)
    queues: dict[str, _Queue] = defaultdict(lambda: _Queue(Counter(), [], [], [], []))
    first: datetime | None = None
    last: datetime | None = None
    visits = table.to_pylist()
    for row in visits:
        q = queues[row["queue_id"]]
        local = row["enqueued_at"].astimezone(zone)
        first, last = min(first or local, local), max(last or local, local)
        if not row["transferred_in"]:
            seconds = local.hour * 3600 + local.minute * 60 + local.second
            q.arrivals[(local.weekday(), seconds // SLOT_S)] += 1
        outcome, wait = row["outcome"], row["wait_s"]
        if outcome == VisitOutcome.ANSWERED.value:
            if row["conversation_s"] is not None:
                q.handle.append(float(row["conversation_s"]))
            if row["acw_s"]:
                q.wrap.append(float(row["acw_s"]))
        if outcome in (VisitOutcome.ANSWERED.value, VisitOutcome.ABANDONED.value) and (
            wait is not None and math.isfinite(wait)
        ):
            q.waits.append(max(0.0, float(wait)))
            q.gave_up.append(outcome == VisitOutcome.ABANDONED.value)
    assert first is not None
    assert last is not None
    seen = slot_exposure(first, last, SLOT_S)
    days = sum(seen.values()) * SLOT_S / DAY_S
    arrivals, behaviour = dict(scenario.arrivals), dict(scenario.behaviour)
    pauses: dict[str, list[float]] = {}
    if any(v.handle and not v.wrap for v in queues.values()):  # after-call work unrecorded
        services, waits = visit_spans(visits, datetime.timestamp)
        pauses = busy_pauses(services, waits, served_queues(services), PAUSE_GAP_S)
    rows = []
    for queue_id in sorted(queues):
        if queue_id not in scenario.center.queues:
            continue
        q = queues[queue_id]
        handle = empirical(q.handle)
        if handle is None:
            continue
        per_hour = tuple(
            tuple(
                q.arrivals[(w, s)] / seen[(w, s)] * 3600 / SLOT_S if seen[(w, s)] else 0.0
                for s in range(DAY_S // SLOT_S)
            )
            for w in range(7)
        )
        old = scenario.arrivals.get(queue_id)
        tiers = old.tiers if old is not None else MappingProxyType({})
        arrivals[queue_id] = Arrivals(queue_id, per_hour, SLOT_S, tiers)
        patience = fit_patience(q.waits, q.gave_up)
        base = scenario.behaviour.get(queue_id, Behaviour(handle))
        inferred = not q.wrap and bool(pauses.get(queue_id))
        wrap = empirical(q.wrap or pauses.get(queue_id, []))
        behaviour[queue_id] = replace(
            base, handle=handle, wrap_up=wrap, patience=patience.distribution
        )
        rows.append(
            {
                "queue": queue_id,
                "days": days,
                "arrivals": sum(q.arrivals.values()),
                "arrivals_per_day": sum(q.arrivals.values()) / days,
                "handle_mean_s": handle.mean_s,
                "wrap_up_mean_s": wrap.mean_s if wrap is not None else None,
                "wrap_up_inferred": inferred,
                "abandons": patience.abandons,
                "answered": patience.answered,
                "patience_median_s": patience.median_s,
                "patience_exponential_mean_s": patience.exponential_mean_s,
                "patience_mean_s": (
                    patience.distribution.mean_s if patience.distribution is not None else None
                ),
            }
        )
    if not rows:
        raise InputError(
            "no queue of the scenario's center has answered visits in the workspace",
            field="calibrate-from",
        )
    fitted = replace(
        scenario,
        arrivals=MappingProxyType(arrivals),
        behaviour=MappingProxyType(behaviour),
    )
    return fitted, rows
