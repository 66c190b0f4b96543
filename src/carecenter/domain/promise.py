"""Promises made to customers (callback times, resolution dates) and whether they were kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carecenter.domain.enums import PromiseKind, PromiseStatus
from carecenter.domain.events import (
    Event,
    PromiseBroken,
    PromiseCancelled,
    PromiseKept,
    PromiseMade,
)
from carecenter.errors import DomainError, IllegalTransition


@dataclass
class Promise:
    """What was promised to whom, due when, and where it stands."""

    promise_id: str
    kind: PromiseKind
    due_at: datetime
    made_at: datetime
    customer_id: str | None = None
    contact_id: str | None = None
    description: str = ""
    status: PromiseStatus = PromiseStatus.OPEN
    closed_at: datetime | None = None

    @classmethod
    def make(
        cls,
        promise_id: str,
        kind: PromiseKind,
        *,
        due_at: datetime,
        at: datetime,
        customer_id: str | None = None,
        contact_id: str | None = None,
        description: str = "",
    ) -> tuple[Promise, PromiseMade]:
        """Make a promise due at ``due_at``; it cannot be due before it is made."""
        if due_at < at:
            raise DomainError(f"promise {promise_id} would be due before it is made")
        event = PromiseMade(
            occurred_at=at,
            promise_id=promise_id,
            customer_id=customer_id,
            contact_id=contact_id,
            kind=kind,
            due_at=due_at,
            description=description,
        )
        promise = cls(promise_id, kind, due_at, at, customer_id, contact_id, description)
        return promise, event

    def fulfil(self, at: datetime) -> Event:
        """The promised thing happened at ``at``: kept if on time, else broken (late)."""
        self._must_be_open("fulfil")
        self.closed_at = at
        if at <= self.due_at:
            self.status = PromiseStatus.KEPT
            return PromiseKept(occurred_at=at, promise_id=self.promise_id)
        self.status = PromiseStatus.BROKEN
        return PromiseBroken(occurred_at=at, promise_id=self.promise_id, reason="late")

    def check_overdue(self, now: datetime) -> PromiseBroken | None:
        """Break an open promise whose due time has passed; ``None`` if not overdue."""
        if self.status is not PromiseStatus.OPEN or now <= self.due_at:
            return None
        self.status = PromiseStatus.BROKEN
        self.closed_at = now
        return PromiseBroken(occurred_at=now, promise_id=self.promise_id, reason="overdue")

    def cancel(self, at: datetime, reason: str = "") -> PromiseCancelled:
        """Withdraw an open promise."""
        self._must_be_open("cancel")
        self.status = PromiseStatus.CANCELLED
        self.closed_at = at
        return PromiseCancelled(occurred_at=at, promise_id=self.promise_id, reason=reason)

    def _must_be_open(self, action: str) -> None:
        if self.status is not PromiseStatus.OPEN:
            raise IllegalTransition("promise", self.promise_id, self.status, action)
