"""Callbacks and promises: virtual hold, booked callbacks, follow-ups, and keeping them.

A caller may leave the line and keep their place (:meth:`CallbackEngine.request_callback`):
the callback is a new contact that waits in the caller's place and is offered to an agent when
it reaches the front, promised within the expected wait plus the queue's window. A callback
may also be booked at a chosen time (:meth:`CallbackEngine.book_callback`), within the queue's
hours and its planned capacity, or the engine refuses and proposes the earliest time it can.
An agent may promise a follow-up (:meth:`CallbackEngine.make_promise`). Every promise is kept
or broken: a callback started by its due time keeps it; one not started by then, or a
follow-up not done, breaks it (``promise.broken``, reason ``overdue``).
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime, timedelta

from carecenter.commitments.ledger import CallbackSlots
from carecenter.domain.enums import Channel, ContactState, Direction, PromiseKind, PromiseStatus
from carecenter.domain.events import (
    CallbackRequested,
    ContactArrived,
    Event,
    PromiseBroken,
    PromiseCancelled,
    PromiseKept,
    PromiseMade,
)
from carecenter.engine.queueing import QueueingEngine
from carecenter.engine.records import AgentRec, ContactRec, QueueRuntime
from carecenter.errors import DomainError

S = ContactState


def refuse_callbacks(q: QueueRuntime) -> None:
    """A :class:`DomainError` unless the queue ``q`` offers callbacks
    (:attr:`~carecenter.domain.center.Queue.offers_callbacks`)."""
    if q.queue.offers_callbacks:
        return
    why = (
        ""
        if not q.routing.callback.enabled
        else f" (a callback is a call; {q.queue.channel} queues take none)"
    )
    raise DomainError(f"queue {q.queue_id} does not offer callbacks{why}")


class CallbackEngine(QueueingEngine):
    """The engine's callbacks and its promise ledger."""

    def _slots(self, q: QueueRuntime) -> CallbackSlots:
        """The queue's callback slots now: planned agents from the plan, or else those
        staffed now."""

        def agents(start: datetime) -> float:
            planned = self.planned_agents(q.queue_id, start) if self.planned_agents else None
            return float(q.staffed) if planned is None else planned

        policy = q.routing.callback
        return CallbackSlots(q.queue_id, policy, q.queue.hours.is_open, agents, self.now_dt)

    def request_callback(self, contact_id: str) -> list[Event]:
        """The waiting caller leaves the line and keeps their place: a callback waits there
        instead, promised within the expected wait plus the queue's callback window."""
        self._begin()
        c = self.contact(contact_id)
        q = c.queue
        if q is None or c.state is not S.QUEUED:
            raise DomainError(f"contact {contact_id} is not waiting in a queue")
        policy = q.routing.callback
        refuse_callbacks(q)
        start = self.now_dt + timedelta(seconds=self.estimate_wait(c) or 0.0)
        due = start + timedelta(seconds=policy.window_s)
        promise_id = f"{contact_id}:callback"
        self._request(c, q, promise_id, start, due)
        self.start_attempt(promise_id, place_since=self.state.at(c.place))
        return self._done()

    @abstractmethod
    def _settle(self, a: AgentRec) -> None:
        """Bring the agent's state in line with what they hold, then offer them work (see
        :class:`~carecenter.engine.agents.AgentEngine`)."""

    def _request(
        self, c: ContactRec, q: QueueRuntime, promise_id: str, start: datetime, due: datetime
    ) -> None:
        warm = self.state.agents.get(c.warm_from or "")
        self.emit(
            CallbackRequested(
                occurred_at=self.now_dt,
                contact_id=c.contact_id,
                queue_id=q.queue_id,
                promise_id=promise_id,
                due_at=due,
            )
        )
        self.emit(
            PromiseMade(
                occurred_at=self.now_dt,
                promise_id=promise_id,
                customer_id=c.customer_id,
                contact_id=c.contact_id,
                kind=PromiseKind.CALLBACK,
                due_at=due,
                description=f"call back between {start:%H:%M} and {due:%H:%M} ({q.queue_id})",
                queue_id=q.queue_id,
                window_start=start,
            )
        )
        if warm is not None:  # released by the request: free for other work
            self._settle(warm)

    def book_callback(
        self,
        queue_id: str,
        at: datetime,
        *,
        customer_id: str | None = None,
        contact_id: str | None = None,
        topic: str | None = None,
        promise_id: str | None = None,
    ) -> list[Event]:
        """Book a callback of ``queue_id`` at ``at``; a waiting ``contact_id`` leaves the line.

        Raises :class:`~carecenter.commitments.ledger.CallbackRefused` (with the earliest time
        the queue can) when the queue is closed then or the slot's share of planned capacity is
        taken.
        """
        self._begin()
        q = self._check_queue(queue_id)
        policy = q.routing.callback
        refuse_callbacks(q)
        self.state.ledger.check_booking(self._slots(q), at)
        pid = promise_id or f"P{len(self.state.ledger.promises) + 1}"
        due = at + timedelta(seconds=policy.window_s)
        c = self.state.contacts.get(contact_id) if contact_id else None
        if c is not None and c.state is S.QUEUED:
            self._request(c, q, pid, at, due)
            return self._done()
        self.emit(
            PromiseMade(
                occurred_at=self.now_dt,
                promise_id=pid,
                customer_id=customer_id,
                contact_id=contact_id,
                kind=PromiseKind.CALLBACK,
                due_at=due,
                description=topic or f"call back at {at:%Y-%m-%d %H:%M} ({queue_id})",
                queue_id=queue_id,
                window_start=at,
            )
        )
        return self._done()

    def callback_when_open(self, c: ContactRec) -> None:
        """The queue is closed: book the caller the first callback it can keep."""
        q = c.queue
        assert q is not None
        policy = q.routing.callback
        at = self.state.ledger.earliest(self._slots(q), self.now_dt)
        if at is None:
            self._end(c, "closed")
            return
        due = at + timedelta(seconds=policy.window_s)
        self._request(c, q, f"{c.contact_id}:callback", at, due)

    def start_attempt(self, promise_id: str, *, place_since: datetime | None = None) -> None:
        """A callback contact for ``promise_id`` arrives and waits for an agent."""
        entry = self.state.ledger.get(promise_id)
        promise = entry.promise
        if promise.status is PromiseStatus.CANCELLED or entry.queue_id is None:
            return
        origin = self.state.contacts.get(promise.contact_id or "")
        parent = entry.attempts[-1] if entry.attempts else promise.contact_id
        tier = "standard"
        customer = self.center.customers.get(promise.customer_id or "")
        if customer is not None:
            tier = customer.tier_id
        contact_id = f"{promise_id}.{len(entry.attempts) + 1}"
        self.emit(
            ContactArrived(
                occurred_at=self.now_dt,
                contact_id=contact_id,
                channel=Channel.CALLBACK,
                direction=Direction.OUTBOUND,
                customer_id=promise.customer_id,
                tier=origin.tier if origin else tier,
                topic=origin.topic if origin else None,
                parent_contact_id=parent,
                promise_id=promise_id,
            )
        )
        q = self.state.queues[entry.queue_id]
        c = self.contact(contact_id)
        self.enqueue(
            c,
            entry.queue_id,
            place_since=place_since,
            extra_priority=q.routing.callback.priority,
        )

    def keep_on_start(self, c: ContactRec, agent_id: str) -> None:
        """A callback contact was started by ``agent_id``: its promise is kept (or broken late)."""
        if c.promise_id is None:
            return
        promise = self.state.ledger.get(c.promise_id).promise
        if promise.status is not PromiseStatus.OPEN:
            return
        if self.now_dt <= promise.due_at:
            self.emit(
                PromiseKept(
                    occurred_at=self.now_dt,
                    promise_id=promise.promise_id,
                    agent_id=agent_id,
                    contact_id=c.contact_id,
                )
            )
        else:
            self.emit(
                PromiseBroken(occurred_at=self.now_dt, promise_id=promise.promise_id, reason="late")
            )

    def make_promise(
        self,
        kind: PromiseKind,
        due_at: datetime,
        *,
        contact_id: str | None = None,
        customer_id: str | None = None,
        agent_id: str | None = None,
        description: str = "",
        promise_id: str | None = None,
    ) -> list[Event]:
        """An agent promises something (a follow-up, a resolution date) due at ``due_at``."""
        self._begin()
        if due_at <= self.now_dt:
            raise DomainError(f"a promise must fall due after now ({self.now_dt.isoformat()})")
        c = self.state.contacts.get(contact_id or "")
        pid = promise_id or f"P{len(self.state.ledger.promises) + 1}"
        if pid in self.state.ledger.promises:
            raise DomainError(f"promise {pid} was made already")
        self.emit(
            PromiseMade(
                occurred_at=self.now_dt,
                promise_id=pid,
                customer_id=customer_id or (c.customer_id if c else None),
                contact_id=contact_id,
                kind=kind,
                due_at=due_at,
                description=description,
                queue_id=c.queue.queue_id if c and c.queue else None,
                agent_id=agent_id,
            )
        )
        return self._done()

    def fulfil_promise(self, promise_id: str, *, agent_id: str | None = None) -> list[Event]:
        """The promised thing was done now: kept when on time, broken (``late``) otherwise."""
        self._begin()
        promise = self.state.ledger.get(promise_id).promise
        if promise.status is not PromiseStatus.OPEN:
            raise DomainError(f"promise {promise_id} is {promise.status} already")
        if self.now_dt <= promise.due_at:
            self.emit(
                PromiseKept(occurred_at=self.now_dt, promise_id=promise_id, agent_id=agent_id)
            )
        else:
            self.emit(PromiseBroken(occurred_at=self.now_dt, promise_id=promise_id, reason="late"))
        return self._done()

    def cancel_promise(self, promise_id: str, reason: str = "") -> list[Event]:
        """Withdraw an open promise (the customer no longer needs it)."""
        self._begin()
        promise = self.state.ledger.get(promise_id).promise
        if promise.status is not PromiseStatus.OPEN:
            raise DomainError(f"promise {promise_id} is {promise.status} already")
        self.emit(PromiseCancelled(occurred_at=self.now_dt, promise_id=promise_id, reason=reason))
        return self._done()

    def break_overdue(self, promise_id: str) -> None:
        """A promise fell due: break it if it is still open."""
        promise = self.state.ledger.get(promise_id).promise
        if promise.status is PromiseStatus.OPEN and self.now_dt >= promise.due_at:
            self.emit(
                PromiseBroken(occurred_at=self.now_dt, promise_id=promise_id, reason="overdue")
            )
