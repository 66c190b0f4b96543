"""Putting contacts in queues: arrival, opening hours and closed actions, overflow, transfers,
the estimate told on entry and the hold treatment while waiting."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime, timedelta

from carecenter.domain.enums import Channel, ContactState, Direction
from carecenter.domain.events import (
    ContactArrived,
    ContactEnded,
    ContactHoldTreatment,
    ContactQueued,
    ContactTransferred,
    ContactWaitEstimated,
    Event,
)
from carecenter.domain.routing_policy import ClosedActionKind
from carecenter.engine import dispatch
from carecenter.engine.base import EngineBase
from carecenter.engine.flow import Chooser, Outcome, SelfService, find_flow, flow_events, walk
from carecenter.engine.records import ContactRec, QueueRuntime
from carecenter.errors import DomainError
from carecenter.routing.scoring import CAPACITY_CHANNEL

S = ContactState
MAX_HOPS = 8
"""How many queues in a row a contact may be sent through (overflow, closed actions) before
the engine stops it, so a configuration loop cannot spin forever."""


class QueueingEngine(EngineBase):
    """Contacts arriving and moving between queues."""

    def arrive(
        self,
        contact_id: str,
        channel: Channel,
        queue_id: str | None = None,
        *,
        customer_id: str | None = None,
        tier: str | None = None,
        topic: str | None = None,
        direction: Direction = Direction.INBOUND,
        parent_contact_id: str | None = None,
    ) -> list[Event]:
        """A contact arrives for ``queue_id``. Its tier is the customer's (``center.yaml``
        ``customers``) unless given; the engine queues it, tells it the expected wait and
        offers it to an agent when one may take it."""
        self._begin()
        if queue_id is None:
            raise DomainError(f"contact {contact_id}: give a queue or an entry point")
        self.check_channel(self._check_queue(queue_id), channel)
        customer = self.center.customers.get(customer_id) if customer_id else None
        self.emit(
            ContactArrived(
                occurred_at=self.now_dt,
                contact_id=contact_id,
                channel=channel,
                direction=direction,
                customer_id=customer_id,
                tier=tier or (customer.tier_id if customer else "standard"),
                topic=topic,
                parent_contact_id=parent_contact_id,
            )
        )
        self.enqueue(self.contact(contact_id), queue_id)
        return self._done()

    def arrive_at_entry(
        self,
        contact_id: str,
        channel: Channel,
        entry: str,
        *,
        choices: Sequence[str] = (),
        account: str | None = None,
        self_service: SelfService = None,
        chooser: Chooser | None = None,
    ) -> list[Event]:
        """A contact leaves the entry flow (IVR) of ``entry`` now, having pressed ``choices``
        and keyed in ``account``: the walk is told as it happened (``contact.arrived`` when the
        contact entered the flow, its self-service time ago, then a ``contact.flow_step`` per
        node and ``contact.identified``), and the contact then joins the queue it was routed to,
        or ends where the flow ended it (reason ``self_service``, ``hung_up``...). A
        ``chooser`` decides at each menu instead of ``choices`` (a simulated caller)."""
        self._begin()
        flow = find_flow(self.center, entry)
        if flow is None:
            raise DomainError(f"no entry flow starts at {entry!r}")
        walked = walk(
            flow,
            self.center,
            choices=choices,
            account=account,
            self_service=self_service,
            chooser=chooser,
        )
        if walked.outcome is Outcome.ROUTED and walked.queue_id is not None:
            self.check_channel(self._check_queue(walked.queue_id), channel)
        start = self.now_dt - timedelta(seconds=sum(s.duration_s for s in walked.steps))
        self.emit_past(
            ContactArrived(
                occurred_at=start, contact_id=contact_id, channel=channel, topic=walked.topic
            )
        )
        for event in flow_events(walked, contact_id, start):
            self.emit_past(event)
        c = self.contact(contact_id)
        if walked.outcome is Outcome.ROUTED and walked.queue_id is not None:
            self.enqueue(c, walked.queue_id)
        else:
            self._end(c, walked.outcome.value)
        return self._done()

    def contact(self, contact_id: str) -> ContactRec:
        """The live contact ``contact_id``; :class:`DomainError` when the engine has none."""
        c = self.state.contacts.get(contact_id)
        if c is None:
            raise DomainError(f"contact {contact_id} is not in the engine (unknown or over)")
        return c

    def _check_queue(self, queue_id: str) -> QueueRuntime:
        q = self.state.queues.get(queue_id)
        if q is None:
            known = ", ".join(sorted(self.state.queues)) or "none"
            raise DomainError(f"unknown queue {queue_id!r} (queues: {known})")
        return q

    def check_channel(self, q: QueueRuntime, channel: Channel) -> None:
        """A queue takes contacts that use its agents' capacity of its own channel."""
        if CAPACITY_CHANNEL[channel] is not q.capacity_channel:
            raise DomainError(
                f"queue {q.queue_id} takes {q.queue.channel} contacts, not {channel} ones"
            )

    def priority_of(self, c: ContactRec, q: QueueRuntime, extra: int = 0) -> int:
        """The contact's priority in ``q``: its tier's, plus the queue's, plus ``extra``."""
        tier = self.center.tiers.get(c.tier)
        return (tier.priority if tier else 0) + q.queue.priority + extra

    def enqueue(
        self,
        c: ContactRec,
        queue_id: str,
        *,
        place_since: datetime | None = None,
        extra_priority: int = 0,
        hops: int = 0,
    ) -> None:
        """Put ``c`` in ``queue_id``, or do the queue's closed action or overflow."""
        q = self._check_queue(queue_id)
        routing = q.routing
        self.emit(
            ContactQueued(
                occurred_at=self.now_dt,
                contact_id=c.contact_id,
                queue_id=queue_id,
                priority=self.priority_of(c, q, extra_priority),
                place_since=place_since,
            )
        )
        if not q.always_open and not q.queue.hours.is_open(self.now_dt):
            self._closed(c, q, hops)
            return
        overflow = routing.overflow
        if overflow is not None and overflow.when_no_agents and q.signed_in == 0:
            self.move(c, overflow.to_queue, reason="no_agents", hops=hops)
            return
        dispatch.assign(self, c)
        self._on_entry(c)

    def move(self, c: ContactRec, to_queue: str, *, reason: str, hops: int) -> None:
        """Send a waiting contact from its queue to ``to_queue`` (it keeps its place)."""
        q = c.queue
        assert q is not None
        self.emit(
            ContactTransferred(
                occurred_at=self.now_dt,
                contact_id=c.contact_id,
                from_queue_id=q.queue_id,
                to_queue_id=to_queue,
                reason=reason,
            )
        )
        if hops + 1 >= MAX_HOPS:
            self._end(c, "too_many_hops")
            return
        self.enqueue(c, to_queue, place_since=self.state.at(c.place), hops=hops + 1)

    def _end(self, c: ContactRec, reason: str) -> None:
        self.emit(
            ContactEnded(
                occurred_at=self.now_dt, contact_id=c.contact_id, ended_by="system", reason=reason
            )
        )

    def _closed(self, c: ContactRec, q: QueueRuntime, hops: int) -> None:
        action = q.routing.closed
        if action.kind is ClosedActionKind.WAIT:
            self._on_entry(c)
            return
        if action.kind is ClosedActionKind.QUEUE and action.to_queue is not None:
            self.move(c, action.to_queue, reason="closed", hops=hops)
            return
        if action.kind is ClosedActionKind.CALLBACK and q.queue.offers_callbacks:
            self.callback_when_open(c)
            return
        reason = "voicemail" if action.kind is ClosedActionKind.VOICEMAIL else "closed"
        self._end(c, reason)

    @abstractmethod
    def callback_when_open(self, c: ContactRec) -> None:
        """Book ``c`` a callback at the first time its queue can call back (see
        :class:`~carecenter.engine.callbacks.CallbackEngine`)."""

    # -- told on entry, and while waiting ---------------------------------------------

    def _on_entry(self, c: ContactRec) -> None:
        q = c.queue
        assert q is not None
        hold = q.routing.hold
        told = 0.0 if c.state is S.OFFERED else self.estimate_wait(c)
        if told is not None:
            waiting = c.state is S.QUEUED
            self._tell_wait(c, told, announced=hold.announce_wait_every_s is not None and waiting)
        if c.state is not S.QUEUED:
            return
        if hold.music:
            self.treat(c, "music", hold.music)
        if hold.messages or hold.offers:
            self.announce(c, "message")
        if hold.announce_position_every_s is not None:
            self.announce(c, "position")
        if hold.announce_wait_every_s is not None and told is not None:
            self.treat(c, "expected_wait", value=told)
        self._offer_callback(c, told)

    def _tell_wait(self, c: ContactRec, told: float, *, announced: bool) -> None:
        """Record the wait estimated for ``c`` (its place in line, 0 once it is offered)."""
        q = c.queue
        assert q is not None
        self.emit(
            ContactWaitEstimated(
                occurred_at=self.now_dt,
                contact_id=c.contact_id,
                queue_id=q.queue_id,
                estimate_s=round(told, 3),
                predictor=q.routing.predictor.value,
                position=self.position(c) if c.state is S.QUEUED else 0,
                announced=announced,
            )
        )

    def treat(self, c: ContactRec, kind: str, text: str = "", value: float | None = None) -> None:
        """Give the waiting contact one hold treatment."""
        q = c.queue
        assert q is not None
        self.emit(
            ContactHoldTreatment(
                occurred_at=self.now_dt,
                contact_id=c.contact_id,
                queue_id=q.queue_id,
                kind=kind,
                text=text,
                value=None if value is None else round(value, 3),
            )
        )

    def announce(self, c: ContactRec, kind: str) -> None:
        """Play the next repeating treatment of ``kind`` (``message``, ``position``,
        ``expected_wait``); applying it sets the timer for the one after."""
        q = c.queue
        assert q is not None
        hold = q.routing.hold
        if kind == "message":
            plays = [("message", m) for m in hold.messages] + [("offer", o) for o in hold.offers]
            n = c.announcements.get("message", 0) + c.announcements.get("offer", 0)
            what, text = plays[n % len(plays)]
            self.treat(c, what, text)
        elif kind == "position" and hold.announce_position_every_s is not None:
            self.treat(c, "position", value=float(self.position(c)))
        elif kind == "expected_wait" and hold.announce_wait_every_s is not None:
            told = self.estimate_wait(c)
            if told is not None:
                self._tell_wait(c, told, announced=True)
                self.treat(c, "expected_wait", value=told)
            self._offer_callback(c, told)

    def _offer_callback(self, c: ContactRec, told: float | None) -> None:
        q = c.queue
        assert q is not None
        routing = q.routing
        threshold = routing.hold.callback_offer_after_s
        if (
            threshold is not None
            and told is not None
            and told > threshold
            and not c.callback_offered
            and q.queue.offers_callbacks
            and c.channel is not Channel.CALLBACK
        ):
            self.treat(c, "callback_offer", value=told)
