"""A contact and its life cycle.

The life cycle is a state machine (``TRANSITIONS`` below is the whole of it):

=================  ===========================================================================
state              may go to
=================  ===========================================================================
arrived            queued (queue), ended (self-service)
queued             offered, answered (no ring step), abandoned, callback_requested,
                   transferred (flow-out), ended (timeout, exit key)
offered            answered, queued (offer rejected: no answer), abandoned, transferred
answered           on_hold, transferred, after_call_work (wrap up), ended
on_hold            answered (resume), transferred, after_call_work, ended
transferred        queued (the next queue visit), ended (transferred out of the center)
after_call_work    ended
ended, abandoned,  nothing: terminal
callback_requested
=================  ===========================================================================

Every command checks the table, changes the state and returns the event it produced; an
illegal command raises :class:`~carecenter.errors.IllegalTransition` and changes nothing.
:meth:`Contact.apply` replays a stored event with the same checks, so a contact can be rebuilt
from the event log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from carecenter.domain.enums import Channel, ContactState, Direction
from carecenter.domain.events import (
    CallbackRequested,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactEvent,
    ContactFlowStep,
    ContactHeld,
    ContactHoldTreatment,
    ContactIdentified,
    ContactOffered,
    ContactOfferRejected,
    ContactOfferWithdrawn,
    ContactQueued,
    ContactResumed,
    ContactSkillsRelaxed,
    ContactTransferred,
    ContactWaitEstimated,
    ContactWrapUpStarted,
)
from carecenter.errors import DomainError, IllegalTransition

S = ContactState

TRANSITIONS: dict[type[ContactEvent], tuple[frozenset[ContactState], ContactState]] = {
    ContactQueued: (frozenset({S.ARRIVED, S.TRANSFERRED}), S.QUEUED),
    ContactOffered: (frozenset({S.QUEUED}), S.OFFERED),
    ContactOfferRejected: (frozenset({S.OFFERED}), S.QUEUED),
    ContactAnswered: (frozenset({S.QUEUED, S.OFFERED}), S.ANSWERED),
    ContactHeld: (frozenset({S.ANSWERED}), S.ON_HOLD),
    ContactResumed: (frozenset({S.ON_HOLD}), S.ANSWERED),
    ContactTransferred: (frozenset({S.QUEUED, S.OFFERED, S.ANSWERED, S.ON_HOLD}), S.TRANSFERRED),
    ContactWrapUpStarted: (frozenset({S.ANSWERED, S.ON_HOLD}), S.AFTER_CALL_WORK),
    ContactEnded: (
        frozenset(
            {
                S.ARRIVED,
                S.QUEUED,
                S.OFFERED,
                S.ANSWERED,
                S.ON_HOLD,
                S.AFTER_CALL_WORK,
                S.TRANSFERRED,
            }
        ),
        S.ENDED,
    ),
    ContactAbandoned: (frozenset({S.QUEUED, S.OFFERED}), S.ABANDONED),
    CallbackRequested: (frozenset({S.QUEUED}), S.CALLBACK_REQUESTED),
}
"""event type -> (states it may happen in, state it leads to)."""

TERMINAL = frozenset({S.ENDED, S.ABANDONED, S.CALLBACK_REQUESTED})

NEUTRAL: dict[type[ContactEvent], frozenset[ContactState]] = {
    ContactIdentified: frozenset({S.ARRIVED, S.TRANSFERRED}),
    ContactFlowStep: frozenset({S.ARRIVED, S.TRANSFERRED}),
    ContactSkillsRelaxed: frozenset({S.QUEUED, S.OFFERED}),
    ContactWaitEstimated: frozenset({S.QUEUED, S.OFFERED}),
    ContactHoldTreatment: frozenset({S.QUEUED, S.OFFERED}),
    ContactOfferWithdrawn: frozenset({S.QUEUED, S.OFFERED, S.ANSWERED, S.ON_HOLD}),
}
"""Events that tell something about a contact without moving it: event type -> the states
it may happen in. A ``contact.offered`` with ``ring_all`` set may also come while the contact
is offered: it rings one more agent at once."""

_ACTION = {
    ContactQueued: "queue",
    ContactOffered: "offer",
    ContactOfferRejected: "reject an offer",
    ContactAnswered: "answer",
    ContactHeld: "hold",
    ContactResumed: "resume",
    ContactTransferred: "transfer",
    ContactWrapUpStarted: "start wrap-up",
    ContactEnded: "end",
    ContactAbandoned: "abandon",
    CallbackRequested: "request a callback",
}


@dataclass
class Contact:
    """One customer contact (call, chat, e-mail or callback) on its way through the center."""

    contact_id: str
    channel: Channel
    arrived_at: datetime
    direction: Direction = Direction.INBOUND
    customer_id: str | None = None
    tier: str = "standard"
    topic: str | None = None
    parent_contact_id: str | None = None
    state: ContactState = ContactState.ARRIVED
    queue_id: str | None = None
    agent_id: str | None = None
    visits: int = 0
    history: list[ContactEvent] = field(default_factory=list)

    @classmethod
    def arrive(
        cls,
        contact_id: str,
        channel: Channel,
        at: datetime,
        *,
        direction: Direction = Direction.INBOUND,
        customer_id: str | None = None,
        tier: str = "standard",
        topic: str | None = None,
        parent_contact_id: str | None = None,
    ) -> tuple[Contact, ContactArrived]:
        """Create a contact that has just arrived, and its ``contact.arrived`` event."""
        event = ContactArrived(
            occurred_at=at,
            contact_id=contact_id,
            channel=channel,
            direction=direction,
            customer_id=customer_id,
            tier=tier,
            topic=topic,
            parent_contact_id=parent_contact_id,
        )
        return cls.from_arrival(event), event

    @classmethod
    def from_arrival(cls, event: ContactArrived) -> Contact:
        """A contact in state ``arrived`` built from its first event."""
        contact = cls(
            contact_id=event.contact_id,
            channel=event.channel,
            arrived_at=event.occurred_at,
            direction=event.direction,
            customer_id=event.customer_id,
            tier=event.tier,
            topic=event.topic,
            parent_contact_id=event.parent_contact_id,
        )
        contact.history.append(event)
        return contact

    @classmethod
    def replay(cls, events: Iterable[ContactEvent]) -> Contact:
        """Rebuild a contact from its events, checking every transition."""
        it = iter(events)
        first = next(it, None)
        if not isinstance(first, ContactArrived):
            raise DomainError("a contact's history must start with contact.arrived")
        contact = cls.from_arrival(first)
        for event in it:
            contact.apply(event)
        return contact

    @property
    def is_over(self) -> bool:
        """Whether the contact reached a terminal state."""
        return self.state in TERMINAL

    def can(self, event_type: type[ContactEvent]) -> bool:
        """Whether an event of ``event_type`` is legal now."""
        rule = TRANSITIONS.get(event_type)
        return rule is not None and self.state in rule[0]

    def apply(self, event: ContactEvent) -> ContactEvent:
        """Check and apply ``event`` to this contact; return it."""
        if event.contact_id != self.contact_id:
            raise DomainError(f"event for {event.contact_id} applied to {self.contact_id}")
        if isinstance(event, ContactArrived):
            raise IllegalTransition("contact", self.contact_id, self.state, "arrive again")
        neutral = NEUTRAL.get(type(event))
        if isinstance(event, ContactOffered) and event.ring_all and self.state is S.OFFERED:
            neutral = frozenset({S.OFFERED})
        if neutral is not None:
            if self.state not in neutral:
                raise IllegalTransition("contact", self.contact_id, self.state, event.name)
            if isinstance(event, ContactIdentified):
                self.customer_id, self.tier = event.customer_id, event.tier
            self.history.append(event)
            return event
        sources, target = TRANSITIONS[type(event)]
        if self.state not in sources:
            action = _ACTION[type(event)]
            raise IllegalTransition("contact", self.contact_id, self.state, action)
        self._enter(event)
        self.state = target
        self.history.append(event)
        return event

    def _enter(self, event: ContactEvent) -> None:
        if isinstance(event, ContactQueued):
            self.queue_id = event.queue_id
            self.agent_id = None
            self.visits += 1
        elif isinstance(event, ContactOffered | ContactAnswered):
            self.agent_id = event.agent_id
        elif isinstance(event, ContactOfferRejected):
            self.agent_id = None

    # Commands: each builds the event and applies it.

    def queue(self, queue_id: str, at: datetime, *, priority: int = 0) -> ContactEvent:
        """Put the contact in ``queue_id`` (a new queue visit)."""
        return self.apply(
            ContactQueued(
                occurred_at=at, contact_id=self.contact_id, queue_id=queue_id, priority=priority
            )
        )

    def offer(self, agent_id: str, at: datetime) -> ContactEvent:
        """Ring the contact at ``agent_id``."""
        return self.apply(
            ContactOffered(
                occurred_at=at,
                contact_id=self.contact_id,
                queue_id=self._queue(),
                agent_id=agent_id,
            )
        )

    def reject_offer(self, at: datetime, *, reason: str = "no_answer") -> ContactEvent:
        """The agent it rang at did not take it: back to waiting."""
        agent = self.agent_id or ""
        return self.apply(
            ContactOfferRejected(
                occurred_at=at,
                contact_id=self.contact_id,
                queue_id=self._queue(),
                agent_id=agent,
                reason=reason,
            )
        )

    def answer(self, agent_id: str, at: datetime) -> ContactEvent:
        """``agent_id`` answers the contact."""
        return self.apply(
            ContactAnswered(
                occurred_at=at,
                contact_id=self.contact_id,
                queue_id=self._queue(),
                agent_id=agent_id,
            )
        )

    def hold(self, at: datetime) -> ContactEvent:
        """Put the customer on hold."""
        return self.apply(
            ContactHeld(occurred_at=at, contact_id=self.contact_id, agent_id=self.agent_id or "")
        )

    def resume(self, at: datetime) -> ContactEvent:
        """Take the customer off hold."""
        return self.apply(
            ContactResumed(occurred_at=at, contact_id=self.contact_id, agent_id=self.agent_id or "")
        )

    def transfer(
        self, at: datetime, *, to_queue_id: str | None, kind: str = "blind"
    ) -> ContactEvent:
        """Transfer to another queue (or out, when ``to_queue_id`` is None)."""
        agent = self.agent_id if self.state in (S.ANSWERED, S.ON_HOLD) else None
        return self.apply(
            ContactTransferred(
                occurred_at=at,
                contact_id=self.contact_id,
                from_queue_id=self._queue(),
                to_queue_id=to_queue_id,
                agent_id=agent,
                kind=kind,
            )
        )

    def wrap_up(self, at: datetime) -> ContactEvent:
        """The conversation is over; the agent does after-call work."""
        return self.apply(
            ContactWrapUpStarted(
                occurred_at=at, contact_id=self.contact_id, agent_id=self.agent_id or ""
            )
        )

    def end(
        self,
        at: datetime,
        *,
        ended_by: str = "customer",
        reason: str | None = None,
        resolved: bool | None = None,
    ) -> ContactEvent:
        """End the contact."""
        return self.apply(
            ContactEnded(
                occurred_at=at,
                contact_id=self.contact_id,
                ended_by=ended_by,
                reason=reason,
                resolved=resolved,
            )
        )

    def abandon(self, at: datetime) -> ContactEvent:
        """The customer gives up waiting."""
        return self.apply(
            ContactAbandoned(occurred_at=at, contact_id=self.contact_id, queue_id=self._queue())
        )

    def request_callback(self, at: datetime, *, promise_id: str, due_at: datetime) -> ContactEvent:
        """The customer leaves the queue asking to be called back by ``due_at``."""
        return self.apply(
            CallbackRequested(
                occurred_at=at,
                contact_id=self.contact_id,
                queue_id=self._queue(),
                promise_id=promise_id,
                due_at=due_at,
            )
        )

    def _queue(self) -> str:
        # Outside a queue the transition check in ``apply`` rejects the command.
        return self.queue_id or ""
