"""An agent's state during a shift, and the legal moves between states.

::

    logged_out ──log in──> available ⇄ busy ──> after_call_work ──> available
         ^                  │  ^                 │
         │                  v  │                 v
         └──log out──── break (reason) <─────────┘

An agent may hold several contacts at once up to their capacity (e.g. three chats); the state
stays ``busy`` until the last one ends. Every change returns an ``agent.state_changed`` event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from carecenter.domain.enums import AgentStatus
from carecenter.domain.events import AgentStateChanged
from carecenter.errors import DomainError, IllegalTransition

A = AgentStatus

ALLOWED: dict[AgentStatus, frozenset[AgentStatus]] = {
    A.LOGGED_OUT: frozenset({A.AVAILABLE, A.BREAK}),
    A.AVAILABLE: frozenset({A.BUSY, A.BREAK, A.LOGGED_OUT}),
    A.BUSY: frozenset({A.AVAILABLE, A.AFTER_CALL_WORK, A.BREAK, A.LOGGED_OUT}),
    A.AFTER_CALL_WORK: frozenset({A.AVAILABLE, A.BUSY, A.BREAK, A.LOGGED_OUT}),
    A.BREAK: frozenset({A.AVAILABLE, A.LOGGED_OUT}),
}
"""state -> states it may move to. A break may also change to a break with another reason."""


@dataclass
class AgentSession:
    """What one agent is doing now and which contacts they hold."""

    agent_id: str
    state: AgentStatus = AgentStatus.LOGGED_OUT
    reason: str | None = None
    since: datetime | None = None
    contacts: set[str] = field(default_factory=set)

    def change(
        self, to: AgentStatus, at: datetime, *, reason: str | None = None
    ) -> AgentStateChanged:
        """Move to ``to``; raise :class:`IllegalTransition` when the move is not allowed."""
        same_break = to is A.BREAK and self.state is A.BREAK and reason != self.reason
        if to not in ALLOWED[self.state] and not same_break:
            raise IllegalTransition("agent", self.agent_id, self.state, f"go {to}")
        if to is A.LOGGED_OUT and self.contacts:
            raise IllegalTransition("agent", self.agent_id, self.state, "log out holding contacts")
        if self.since is not None and at < self.since:
            raise DomainError(f"agent {self.agent_id}: state change at {at} before {self.since}")
        event = AgentStateChanged(
            occurred_at=at,
            agent_id=self.agent_id,
            state=to,
            previous=self.state,
            reason=reason if to is A.BREAK else None,
        )
        self.apply(event)
        return event

    def apply(self, event: AgentStateChanged) -> None:
        """Apply a stored state change (used to rebuild a session from the log)."""
        self.state = event.state
        self.reason = event.reason
        self.since = event.occurred_at

    def log_in(self, at: datetime) -> AgentStateChanged:
        """Start the shift, ready for contacts."""
        return self.change(A.AVAILABLE, at)

    def log_out(self, at: datetime) -> AgentStateChanged:
        """End the shift."""
        return self.change(A.LOGGED_OUT, at)

    def take_break(self, at: datetime, reason: str) -> AgentStateChanged:
        """Go on a break (lunch, training, coaching...)."""
        return self.change(A.BREAK, at, reason=reason)

    def make_available(self, at: datetime) -> AgentStateChanged:
        """Ready for the next contact."""
        return self.change(A.AVAILABLE, at)

    def start_contact(self, contact_id: str, at: datetime) -> AgentStateChanged | None:
        """Take a contact; returns an event only when the state changes to busy."""
        if contact_id in self.contacts:
            raise DomainError(f"agent {self.agent_id} already holds {contact_id}")
        if self.state is A.BUSY:
            self.contacts.add(contact_id)
            return None
        event = self.change(A.BUSY, at)
        self.contacts.add(contact_id)
        return event

    def finish_contact(
        self, contact_id: str, at: datetime, *, wrap_up: bool
    ) -> AgentStateChanged | None:
        """Let go of a contact: to after-call work or available once the last one is done."""
        if contact_id not in self.contacts:
            raise DomainError(f"agent {self.agent_id} does not hold {contact_id}")
        self.contacts.discard(contact_id)
        if self.contacts:
            return None
        return self.change(A.AFTER_CALL_WORK if wrap_up else A.AVAILABLE, at)
