"""Agents and their offers: signing in and out, breaks, accepting and declining contacts.

The agent's state follows what they hold: busy while a conversation goes on, after-call
work while only wrap-ups remain, available otherwise; every change is an
``agent.state_changed`` event and a free agent is offered the next contact at once.
"""

from __future__ import annotations

from carecenter.domain.agent_state import ALLOWED
from carecenter.domain.enums import AgentStatus, ContactState
from carecenter.domain.events import (
    AgentAwayRequested,
    AgentStateChanged,
    ContactAnswered,
    ContactOfferRejected,
    ContactOfferWithdrawn,
    Event,
)
from carecenter.engine import dispatch
from carecenter.engine.callbacks import CallbackEngine
from carecenter.engine.records import AgentRec, ContactRec
from carecenter.errors import DomainError, IllegalTransition

S = ContactState
A = AgentStatus


class AgentEngine(CallbackEngine):
    """The agents' side of the engine."""

    # -- agents -----------------------------------------------------------------------

    def agent(self, agent_id: str) -> AgentRec:
        """The agent ``agent_id``; :class:`DomainError` when the center has none."""
        a = self.state.agents.get(agent_id)
        if a is None:
            raise DomainError(f"unknown agent {agent_id!r}")
        return a

    def _agent_to(self, a: AgentRec, to: AgentStatus, reason: str | None = None) -> None:
        if a.state is to and (to is not A.BREAK or a.reason == reason):
            return
        same_break = to is A.BREAK and a.state is A.BREAK
        if to not in ALLOWED[a.state] and not same_break:
            raise IllegalTransition("agent", a.agent_id, a.state, f"go {to}")
        self.emit(
            AgentStateChanged(
                occurred_at=self.now_dt,
                agent_id=a.agent_id,
                state=to,
                previous=a.state,
                reason=reason if to is A.BREAK else None,
            )
        )

    def _settle(self, a: AgentRec) -> None:
        """Bring the agent's state in line with what they hold, then offer them work (or,
        free and asked to go away, send them away)."""
        if a.state is A.BREAK or a.state is A.LOGGED_OUT:
            return
        if a.away is not None and not (a.ringing or a.talking or a.wrapping):
            self._agent_to(a, a.away, a.away_reason)
            return
        target = A.BUSY if a.talking else A.AFTER_CALL_WORK if a.wrapping else A.AVAILABLE
        self._agent_to(a, target)
        dispatch.serve(self, a)

    def sign_in(self, agent_id: str) -> list[Event]:
        """The agent starts their shift, ready for contacts."""
        self._begin()
        a = self.agent(agent_id)
        self._agent_to(a, A.AVAILABLE)
        dispatch.serve(self, a)
        return self._done()

    def sign_out(self, agent_id: str, *, when_free: bool = False) -> list[Event]:
        """The agent ends their shift. Holding or being offered contacts, they may not,
        unless ``when_free``: then no new contact is offered to them and they sign out when
        the last one is over."""
        self._begin()
        a = self.agent(agent_id)
        self._go_away(a, A.LOGGED_OUT, None, when_free, "sign out")
        return self._done()

    def start_break(
        self, agent_id: str, reason: str = "break", *, when_free: bool = False
    ) -> list[Event]:
        """The agent goes on a break (lunch, training...) once they hold no contact: at once
        when free; holding contacts, only ``when_free`` (after the last one)."""
        self._begin()
        a = self.agent(agent_id)
        self._go_away(a, A.BREAK, reason, when_free, "take a break")
        return self._done()

    def _go_away(
        self, a: AgentRec, to: AgentStatus, reason: str | None, when_free: bool, action: str
    ) -> None:
        if a.ringing or a.talking or a.wrapping:
            if not when_free:
                raise IllegalTransition("agent", a.agent_id, a.state, f"{action} holding contacts")
            self.emit(
                AgentAwayRequested(
                    occurred_at=self.now_dt, agent_id=a.agent_id, state=to, reason=reason
                )
            )
            return
        self._agent_to(a, to, reason)

    def end_break(self, agent_id: str) -> list[Event]:
        """The agent is back from a break, ready for contacts (a break they were to take
        once free is called off)."""
        self._begin()
        a = self.agent(agent_id)
        if a.state is not A.BREAK and a.away is A.BREAK:
            self.emit(AgentAwayRequested(occurred_at=self.now_dt, agent_id=agent_id, state=None))
            dispatch.serve(self, a)
            return self._done()
        if a.state is not A.BREAK:
            raise IllegalTransition("agent", agent_id, a.state, "end a break")
        self._agent_to(a, A.AVAILABLE)
        dispatch.serve(self, a)
        return self._done()

    # -- contacts at agents -------------------------------------------------------------

    def accept(self, contact_id: str, agent_id: str) -> list[Event]:
        """The agent takes the contact offered to them (other rings are withdrawn)."""
        self._begin()
        c = self.contact(contact_id)
        a = self.agent(agent_id)
        if c.state is not S.OFFERED or agent_id not in c.offered_to:
            raise IllegalTransition("contact", contact_id, c.state, f"be accepted by {agent_id}")
        q = c.queue
        assert q is not None
        others = [self.agent(o) for o in c.offered_to if o != agent_id]
        for other in others:
            self.withdraw(c, other, "answered_elsewhere")
        warm = self.state.agents.get(c.warm_from or "")
        self.emit(
            ContactAnswered(
                occurred_at=self.now_dt,
                contact_id=contact_id,
                queue_id=q.queue_id,
                agent_id=agent_id,
            )
        )
        c.target_agent = None
        was = a.state
        self._agent_to(a, A.BUSY)
        self.keep_on_start(c, agent_id)
        for other in [*others, *([warm] if warm else [])]:
            self._settle(other)
        if was is A.AFTER_CALL_WORK:
            # after-call work kept the agent's free channels from offers; busy does not
            dispatch.serve(self, a)
        return self._done()

    def decline(self, contact_id: str, agent_id: str) -> list[Event]:
        """The agent declines the offer: the contact keeps its place and goes to another agent."""
        self._begin()
        c = self.contact(contact_id)
        a = self.agent(agent_id)
        if c.state is not S.OFFERED or agent_id not in c.offered_to:
            raise IllegalTransition("contact", contact_id, c.state, f"be declined by {agent_id}")
        self._unring(c, a, "declined")
        dispatch.assign(self, c)
        self._settle(a)
        return self._done()

    def withdraw(self, c: ContactRec, a: AgentRec, reason: str) -> None:
        """End the offer of ``c`` ringing at ``a`` (the contact's state does not change)."""
        q = c.queue
        assert q is not None
        self.emit(
            ContactOfferWithdrawn(
                occurred_at=self.now_dt,
                contact_id=c.contact_id,
                queue_id=q.queue_id,
                agent_id=a.agent_id,
                reason=reason,
            )
        )

    def _unring(self, c: ContactRec, a: AgentRec, reason: str) -> None:
        q = c.queue
        assert q is not None
        if len(c.offered_to) > 1:
            self.withdraw(c, a, reason)
            return
        self.emit(
            ContactOfferRejected(
                occurred_at=self.now_dt,
                contact_id=c.contact_id,
                queue_id=q.queue_id,
                agent_id=a.agent_id,
                reason=reason,
            )
        )
