"""Promise facts: the warehouse row of each promise, folded from the ``promise.*`` events.

A promise is made (``promise.made``) and later kept, broken or cancelled; the row holds who
made it, for which queue, when it is due and how it ended. :func:`fold_promise` applies one
event to the row of its promise; :mod:`carecenter.domain.projection` calls it from the one fold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carecenter.domain.enums import PromiseStatus
from carecenter.domain.events import (
    Event,
    PromiseBroken,
    PromiseCancelled,
    PromiseKept,
    PromiseMade,
)

PROMISE_EVENTS = (PromiseMade, PromiseKept, PromiseBroken, PromiseCancelled)
"""The events that make or close a promise."""


@dataclass(slots=True)
class PromiseRow:
    """Warehouse table ``promises``: one row per promise made to a customer.

    * ``kind``: what was promised (``callback``, ``resolution``, ``reply``, ``other``);
    * ``customer_id``, ``contact_id``: to whom, and during which contact it was made;
    * ``queue_id``: the queue it was made for (a callback's queue); for a promise made without
      one, the queue of the contact's queue visit at that moment (``None``: neither);
    * ``agent_id``: the agent who made it (a follow-up); ``None`` when the engine made it (a
      callback the caller asked for);
    * ``kept_by_agent_id``, ``kept_contact_id``: who kept it (the agent who started the callback
      or did the follow-up) and with which contact (the callback), when known;
    * ``made_at``, ``window_start``, ``due_at``: when it was made and the promised window
      ("between ``window_start`` and ``due_at``"; ``window_start`` ``None``: by ``due_at``);
    * ``status``: ``open``, ``kept``, ``broken`` or ``cancelled``; ``closed_at`` when it was
      kept, broken or cancelled; ``reason`` why it was broken (``late``: done after it was
      due; ``overdue``: not done by then) or cancelled;
    * ``description``: what was promised, in words;
    * ``last_seq``: the event-log sequence number of the last event folded into the row.

    ``made_at``, ``kind`` and ``due_at`` are ``None`` only for a promise whose
    ``promise.made`` the log does not hold (its other events are kept all the same).
    """

    promise_id: str
    kind: str | None = None
    customer_id: str | None = None
    contact_id: str | None = None
    queue_id: str | None = None
    agent_id: str | None = None
    kept_by_agent_id: str | None = None
    kept_contact_id: str | None = None
    made_at: datetime | None = None
    window_start: datetime | None = None
    due_at: datetime | None = None
    status: str = PromiseStatus.OPEN.value
    closed_at: datetime | None = None
    reason: str | None = None
    description: str = ""
    last_seq: int = 0

    def overdue_s(self, now: datetime) -> float | None:
        """Seconds an open promise is past due at ``now`` (0 when not yet due); ``None`` when
        the promise is closed or has no due time."""
        if self.status != PromiseStatus.OPEN.value or self.due_at is None:
            return None
        return max(0.0, (now - self.due_at).total_seconds())


def fold_promise(rows: dict[str, PromiseRow], seq: int, event: Event, queue_now: str | None) -> str:
    """Apply one promise event (sequence number ``seq``) to the row of its promise in ``rows``
    (a new row when there is none); return the promise id. ``queue_now`` is the queue of the
    promise's contact's current visit (for a promise made without a queue).

    A later event wins: the row ends as the last of the promise's events says.
    """
    assert isinstance(event, PROMISE_EVENTS)
    row = rows.get(event.promise_id)
    if row is None:
        row = rows[event.promise_id] = PromiseRow(event.promise_id)
    row.last_seq = seq
    if isinstance(event, PromiseMade):
        row.kind = event.kind.value
        row.customer_id, row.contact_id = event.customer_id, event.contact_id
        row.queue_id = event.queue_id or queue_now
        row.agent_id, row.made_at = event.agent_id, event.occurred_at
        row.window_start, row.due_at = event.window_start, event.due_at
        row.description = event.description
        return row.promise_id
    row.closed_at = event.occurred_at
    if isinstance(event, PromiseKept):
        row.status, row.reason = PromiseStatus.KEPT.value, None
        row.kept_by_agent_id, row.kept_contact_id = event.agent_id, event.contact_id
    elif isinstance(event, PromiseBroken):
        row.status, row.reason = PromiseStatus.BROKEN.value, event.reason
    else:
        row.status, row.reason = PromiseStatus.CANCELLED.value, event.reason or None
    return row.promise_id


def promise_id_of(event: Event) -> str | None:
    """The promise a ``promise.*`` event is about (``None`` for other events)."""
    return event.promise_id if isinstance(event, PROMISE_EVENTS) else None
