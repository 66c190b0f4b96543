"""The visits a simulation is fitted to (``carecenter simulate --calibrate-from``): every
inbound queue visit with when it entered the queue, its tier, how long it waited, how it
ended, who answered it and when, and its conversation and after-call work. Fitting them is
:mod:`carecenter.sim.calibration`'s work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from carecenter.domain.enums import Direction
from carecenter.metrics.engine import FACTS, fetch, quiet_backend

COLUMNS = (
    "queue_id",
    "enqueued_at",
    "wait_s",
    "outcome",
    "conversation_s",
    "acw_s",
    "transferred_in",
    "tier",
    "agent_id",
    "answered_at",
    "ended_at",
)


def calibration_visits(con: Any, start: datetime | None = None, end: datetime | None = None) -> Any:
    """The inbound visits of the warehouse behind the Ibis backend ``con`` that entered their
    queue from ``start`` until before ``end`` (``None``: no bound), oldest first, as an Arrow
    table."""
    with quiet_backend():
        v = con.table(FACTS)
        inbound = v.filter(v.direction == Direction.INBOUND.value)
        if start is not None:
            inbound = inbound.filter(inbound.enqueued_at >= start)
        if end is not None:
            inbound = inbound.filter(inbound.enqueued_at < end)
        return fetch(inbound.select(*COLUMNS).order_by("enqueued_at"))
