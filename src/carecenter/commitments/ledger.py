"""The promise ledger: every promise made to a customer, and whether it was kept.

A promise is made (``promise.made``), then kept (``promise.kept``: the callback started, the
follow-up done on time), broken (``promise.broken``: done late, or not done by its due time)
or cancelled. The ledger folds those events, so the engine rebuilt from its log knows the same
promises; it also books callbacks into slots of each queue and refuses a slot the queue's
planned capacity cannot meet (:meth:`PromiseLedger.check_booking`), proposing the earliest one
it can.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from carecenter.domain.enums import PromiseKind, PromiseStatus
from carecenter.domain.events import (
    Event,
    PromiseBroken,
    PromiseCancelled,
    PromiseKept,
    PromiseMade,
)
from carecenter.domain.promise import Promise
from carecenter.domain.routing_policy import CallbackPolicy
from carecenter.errors import DomainError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SEARCH_DAYS = 14
"""How far ahead :meth:`PromiseLedger.check_booking` looks for a slot."""


class CallbackRefused(DomainError):
    """A callback time the queue cannot keep; ``earliest`` is the first time it can (``None``
    when there is none within two weeks)."""

    def __init__(self, message: str, earliest: datetime | None) -> None:
        self.earliest = earliest
        hint = f"; the earliest it can is {earliest.isoformat()}" if earliest else ""
        super().__init__(message + hint)


@dataclass
class Ledgered:
    """A promise and, for a callback, its queue, window and attempts."""

    promise: Promise
    queue_id: str | None = None
    agent_id: str | None = None
    window_start: datetime | None = None
    kept_by: str | None = None
    attempts: list[str] = field(default_factory=list)
    """The callback contacts made for it, in order."""


@dataclass(frozen=True)
class CallbackSlots:
    """What decides whether a queue can take one more callback at a time: its callback
    policy, when it is open, the agents planned for a slot (given the slot's start), and now."""

    queue_id: str
    policy: CallbackPolicy
    is_open: Callable[[datetime], bool]
    planned_agents: Callable[[datetime], float]
    now: datetime


def slot_of(at: datetime, slot_s: float) -> int:
    """The index of the ``slot_s``-long slot (counted from 1970-01-01 UTC) holding ``at``."""
    return math.floor((at - EPOCH).total_seconds() / slot_s)


class PromiseLedger:
    """The promises of a center, folded from their events."""

    def __init__(self) -> None:
        self.promises: dict[str, Ledgered] = {}
        self.booked: dict[tuple[str, int], int] = {}
        """(queue id, slot index) -> callbacks booked in that slot."""
        self._slot_s: dict[str, float] = {}

    def apply(self, event: Event) -> None:
        """Fold one promise event (other events are ignored)."""
        if isinstance(event, PromiseMade):
            self._made(event)
            return
        if not isinstance(event, PromiseKept | PromiseBroken | PromiseCancelled):
            return
        entry = self.promises.get(event.promise_id)
        if entry is None:
            raise DomainError(f"{event.name} for unknown promise {event.promise_id}")
        promise = entry.promise
        if promise.status is not PromiseStatus.OPEN:
            raise DomainError(f"promise {promise.promise_id} is {promise.status} already")
        promise.closed_at = event.occurred_at
        if isinstance(event, PromiseKept):
            promise.status, entry.kept_by = PromiseStatus.KEPT, event.agent_id
        elif isinstance(event, PromiseBroken):
            promise.status = PromiseStatus.BROKEN
        else:
            promise.status = PromiseStatus.CANCELLED
            self._unbook(entry)

    def _made(self, event: PromiseMade) -> None:
        if event.promise_id in self.promises:
            raise DomainError(f"promise {event.promise_id} was made already")
        promise = Promise(
            event.promise_id,
            event.kind,
            event.due_at,
            event.occurred_at,
            event.customer_id,
            event.contact_id,
            event.description,
        )
        entry = Ledgered(promise, event.queue_id, event.agent_id, event.window_start)
        self.promises[event.promise_id] = entry
        if event.kind is PromiseKind.CALLBACK and event.queue_id and event.window_start:
            key = self._slot_key(entry)
            if key is not None:
                self.booked[key] = self.booked.get(key, 0) + 1

    def _slot_key(self, entry: Ledgered) -> tuple[str, int] | None:
        slot_s = self._slot_s.get(entry.queue_id or "")
        if slot_s is None or entry.window_start is None or entry.queue_id is None:
            return None
        return entry.queue_id, slot_of(entry.window_start, slot_s)

    def _unbook(self, entry: Ledgered) -> None:
        key = self._slot_key(entry)
        if key is not None and self.booked.get(key, 0) > 0:
            self.booked[key] -= 1

    def set_slot_length(self, queue_id: str, slot_s: float) -> None:
        """The length of ``queue_id``'s callback slots (from its callback policy)."""
        self._slot_s[queue_id] = slot_s

    def get(self, promise_id: str) -> Ledgered:
        """The promise ``promise_id``; :class:`DomainError` when there is none."""
        entry = self.promises.get(promise_id)
        if entry is None:
            raise DomainError(f"no promise {promise_id}")
        return entry

    def open_for(self, customer_id: str | None) -> list[Promise]:
        """The open promises made to ``customer_id``, soonest due first."""
        if customer_id is None:
            return []
        found = [
            e.promise
            for e in self.promises.values()
            if e.promise.customer_id == customer_id and e.promise.status is PromiseStatus.OPEN
        ]
        return sorted(found, key=lambda p: (p.due_at, p.promise_id))

    def check_booking(self, slots: CallbackSlots, at: datetime) -> None:
        """Raise :class:`CallbackRefused` unless a callback can be booked in ``slots``' queue at
        ``at``: in the future, while the queue is open, and within the slot's share of planned
        capacity (``planned agents x slot_s / handle_s x share`` callbacks per slot)."""
        self.set_slot_length(slots.queue_id, slots.policy.slot_s)
        problem = self._problem(slots, at)
        if problem is None:
            return
        raise CallbackRefused(
            f"queue {slots.queue_id}: cannot call back at {at.isoformat()}: {problem}",
            self.earliest(slots, max(at, slots.now)),
        )

    def _problem(self, slots: CallbackSlots, at: datetime) -> str | None:
        policy = slots.policy
        if at < slots.now:
            return "that time has passed"
        if not slots.is_open(at):
            return "the queue is closed then"
        slot = slot_of(at, policy.slot_s)
        start = EPOCH + timedelta(seconds=slot * policy.slot_s)
        capacity = math.floor(
            slots.planned_agents(start) * policy.slot_s / policy.handle_s * policy.share + 1e-9
        )
        if self.booked.get((slots.queue_id, slot), 0) >= capacity:
            return f"the slot's {capacity} callback(s) are taken"
        return None

    def earliest(self, slots: CallbackSlots, after: datetime) -> datetime | None:
        """The first time from ``after`` on (``after`` itself, then slot starts) at which a
        callback can be booked, within two weeks."""
        self.set_slot_length(slots.queue_id, slots.policy.slot_s)
        if self._problem(slots, after) is None:
            return after
        step = timedelta(seconds=slots.policy.slot_s)
        slot = slot_of(after, slots.policy.slot_s) + 1
        candidate = EPOCH + timedelta(seconds=slot * slots.policy.slot_s)
        end = after + timedelta(days=SEARCH_DAYS)
        while candidate <= end:
            if self._problem(slots, candidate) is None:
                return candidate
            candidate += step
        return None
