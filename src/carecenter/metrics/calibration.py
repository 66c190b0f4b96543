"""The visits a simulation is fitted to (``carecenter simulate --calibrate-from``): every
inbound queue visit with when it entered the queue, how long it waited, how it ended, and its
conversation and after-call work. Fitting them is :mod:`carecenter.sim.calibration`'s work."""

from __future__ import annotations

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
)


def calibration_visits(con: Any) -> Any:
    """The inbound visits of the warehouse behind the Ibis backend ``con``, oldest first, as
    an Arrow table."""
    with quiet_backend():
        v = con.table(FACTS)
        inbound = v.filter(v.direction == Direction.INBOUND.value)
        return fetch(inbound.select(*COLUMNS).order_by("enqueued_at"))
