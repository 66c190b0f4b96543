"""The contact engine (ACD): commands in, events out, driven by a clock it is given.

:class:`ContactEngine` holds the queues, the waiting contacts and the agents of a center in
memory. Every command returns the events it caused (including those of timers that fell due
before it); the same commands at the same times always give the same events, and
:meth:`ContactEngine.replay` rebuilds the engine from its events. The simulator and the server
drive this one class; nothing in it does I/O.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from carecenter.domain.agent_state import ALLOWED
from carecenter.domain.center import Center
from carecenter.domain.clock import Clock
from carecenter.domain.enums import AgentStatus, ContactState
from carecenter.domain.events import (
    AgentStateChanged,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactHeld,
    ContactOfferRejected,
    ContactOfferWithdrawn,
    ContactResumed,
    ContactSkillsRelaxed,
    ContactTransferred,
    ContactWrapUpStarted,
    Event,
)
from carecenter.engine import dispatch
from carecenter.engine.base import PlannedAgents
from carecenter.engine.callbacks import CallbackEngine
from carecenter.engine.records import AgentRec, ContactRec, Offer, ScreenPop
from carecenter.engine.timers import Due, Timer
from carecenter.errors import DomainError, IllegalTransition

S = ContactState
A = AgentStatus
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
"""Engine seconds count from here, so a replayed engine computes every key the same way."""
TOP_ACCOUNTS = 20


class ContactEngine(CallbackEngine):
    """Routes a center's contacts to its agents and keeps its promises."""

    def __init__(
        self,
        center: Center,
        clock: Clock,
        *,
        planned_agents: PlannedAgents | None = None,
        scan: bool = False,
    ) -> None:
        super().__init__(center, clock, planned_agents=planned_agents, epoch=EPOCH, scan=scan)
        self.now_dt = clock.now()
        self.now = self.state.seconds(self.now_dt)
        self.state.set_day(self.now)
        ranked = sorted(center.customers.values(), key=lambda c: (-c.account_value, c.customer_id))
        self._top = {c.customer_id for c in ranked[:TOP_ACCOUNTS] if c.account_value > 0}

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
        """Bring the agent's state in line with what they hold, then offer them work."""
        if a.state is A.BREAK or a.state is A.LOGGED_OUT:
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

    def sign_out(self, agent_id: str) -> list[Event]:
        """The agent ends their shift (not while holding or being offered contacts)."""
        self._begin()
        a = self.agent(agent_id)
        if a.ringing or a.talking or a.wrapping:
            raise IllegalTransition("agent", agent_id, a.state, "sign out holding contacts")
        self._agent_to(a, A.LOGGED_OUT)
        return self._done()

    def start_break(self, agent_id: str, reason: str = "break") -> list[Event]:
        """The agent goes on a break (lunch, training...) once they hold no contact."""
        self._begin()
        a = self.agent(agent_id)
        if a.ringing or a.talking or a.wrapping:
            raise IllegalTransition("agent", agent_id, a.state, "take a break holding contacts")
        self._agent_to(a, A.BREAK, reason)
        return self._done()

    def end_break(self, agent_id: str) -> list[Event]:
        """The agent is back from a break, ready for contacts."""
        self._begin()
        a = self.agent(agent_id)
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
            self.emit(
                ContactOfferWithdrawn(
                    occurred_at=self.now_dt,
                    contact_id=contact_id,
                    queue_id=q.queue_id,
                    agent_id=other.agent_id,
                    reason="answered_elsewhere",
                )
            )
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
        self._agent_to(a, A.BUSY)
        self.keep_on_start(c, agent_id)
        for other in [*others, *([warm] if warm else [])]:
            self._settle(other)
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

    def _unring(self, c: ContactRec, a: AgentRec, reason: str) -> None:
        q = c.queue
        assert q is not None
        if len(c.offered_to) > 1:
            self.emit(
                ContactOfferWithdrawn(
                    occurred_at=self.now_dt,
                    contact_id=c.contact_id,
                    queue_id=q.queue_id,
                    agent_id=a.agent_id,
                    reason=reason,
                )
            )
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

    def abandon(self, contact_id: str) -> list[Event]:
        """The customer gives up waiting (hangs up, closes the chat)."""
        self._begin()
        c = self.contact(contact_id)
        q = c.queue
        if q is None or c.state not in (S.QUEUED, S.OFFERED):
            raise IllegalTransition("contact", contact_id, c.state, "abandon")
        rung = [self.agent(o) for o in c.offered_to]
        for a in rung:
            self.emit(
                ContactOfferWithdrawn(
                    occurred_at=self.now_dt,
                    contact_id=contact_id,
                    queue_id=q.queue_id,
                    agent_id=a.agent_id,
                    reason="abandoned",
                )
            )
        self.emit(
            ContactAbandoned(occurred_at=self.now_dt, contact_id=contact_id, queue_id=q.queue_id)
        )
        for a in rung:
            self._settle(a)
        return self._done()

    def hold(self, contact_id: str) -> list[Event]:
        """The agent puts the customer on hold."""
        self._begin()
        c = self._at_agent(contact_id, (S.ANSWERED,), "hold")
        self.emit(
            ContactHeld(occurred_at=self.now_dt, contact_id=contact_id, agent_id=c.agent_id or "")
        )
        return self._done()

    def resume(self, contact_id: str) -> list[Event]:
        """The agent takes the customer off hold."""
        self._begin()
        c = self._at_agent(contact_id, (S.ON_HOLD,), "resume")
        self.emit(
            ContactResumed(
                occurred_at=self.now_dt, contact_id=contact_id, agent_id=c.agent_id or ""
            )
        )
        return self._done()

    def wrap_up(self, contact_id: str) -> list[Event]:
        """The conversation is over; the agent does after-call work on the contact."""
        self._begin()
        c = self._at_agent(contact_id, (S.ANSWERED, S.ON_HOLD), "start wrap-up")
        a = self.agent(c.agent_id or "")
        self.emit(
            ContactWrapUpStarted(
                occurred_at=self.now_dt, contact_id=contact_id, agent_id=a.agent_id
            )
        )
        self._settle(a)
        return self._done()

    def end(
        self, contact_id: str, *, resolved: bool | None = None, reason: str | None = None
    ) -> list[Event]:
        """The contact is over (after the conversation or its wrap-up)."""
        self._begin()
        c = self.contact(contact_id)
        a = self.state.agents.get(c.agent_id or "") if c.answered is not None else None
        rung = [self.agent(o) for o in c.offered_to]
        self.emit(
            ContactEnded(
                occurred_at=self.now_dt,
                contact_id=contact_id,
                ended_by="agent" if a else "customer",
                reason=reason,
                resolved=resolved,
            )
        )
        for agent in [*([a] if a else []), *rung]:
            self._settle(agent)
        return self._done()

    def callback_no_answer(self, contact_id: str) -> list[Event]:
        """The agent called back and the customer did not answer: the attempt ends and, while
        retries are left, the next one is set ``retry_after_s`` later."""
        c = self._at_agent(contact_id, (S.ANSWERED, S.ON_HOLD), "record no answer")
        if c.promise_id is None:
            raise DomainError(f"contact {contact_id} is not a callback")
        return self.end(contact_id, reason="no_answer")

    def _at_agent(
        self, contact_id: str, states: tuple[ContactState, ...], action: str
    ) -> ContactRec:
        c = self.contact(contact_id)
        if c.state not in states or c.agent_id is None:
            raise IllegalTransition("contact", contact_id, c.state, action)
        return c

    def transfer(
        self,
        contact_id: str,
        *,
        to_queue: str | None = None,
        to_agent: str | None = None,
        kind: str = "blind",
        reason: str | None = None,
    ) -> list[Event]:
        """Transfer a contact to a queue, to an agent (``to_agent``; in its queue unless
        ``to_queue``), or out of the center (neither). ``kind``: ``blind``, ``warm`` (the
        agent stays with the customer until the next agent answers) or ``escalation`` (to an
        expert queue, with a ``reason``)."""
        self._begin()
        c = self.contact(contact_id)
        q = c.queue
        if q is None or c.state not in (S.QUEUED, S.ANSWERED, S.ON_HOLD):
            raise IllegalTransition("contact", contact_id, c.state, "transfer")
        if kind not in ("blind", "warm", "escalation"):
            raise DomainError(f"transfer kind must be blind, warm or escalation, not {kind!r}")
        if kind == "escalation" and (to_queue is None or not reason):
            raise DomainError("an escalation needs the expert queue and a reason")
        target = to_queue or (q.queue_id if to_agent else None)
        if target is not None:
            self.check_channel(self._check_queue(target), c.channel)
            channel = c.capacity_channel
            if to_agent is not None and self.agent(to_agent).agent.capacity.get(channel, 0) < 1:
                raise DomainError(f"agent {to_agent} takes no {channel} contacts")
        a = self.state.agents.get(c.agent_id or "") if c.answered is not None else None
        self.emit(
            ContactTransferred(
                occurred_at=self.now_dt,
                contact_id=contact_id,
                from_queue_id=q.queue_id,
                to_queue_id=target,
                agent_id=a.agent_id if a else None,
                kind=kind,
                to_agent_id=to_agent,
                reason=reason,
            )
        )
        if target is None:
            self._end(c, "transferred_out")
        else:
            self.enqueue(c, target)
        if a is not None:
            self._settle(a)
        return self._done()

    # -- timers ----------------------------------------------------------------------------

    def _fire(self, timer: Timer) -> None:
        _, _, what, subject, token, detail = timer
        if what is Due.PROMISE_DUE:
            if not self._replaying:
                self.break_overdue(subject)
            return
        if what is Due.CALLBACK_ATTEMPT:
            entry = self.state.ledger.promises.get(subject)
            if not self._replaying and entry is not None and len(entry.attempts) < token:
                self.start_attempt(subject)
            return
        if what is Due.MISSED_END:
            a = self.state.agents[subject]
            if (
                not self._replaying
                and a.state is A.BREAK
                and a.reason == "missed"
                and repr(a.since) == detail
            ):
                self._agent_to(a, A.AVAILABLE)
                dispatch.serve(self, a)
            return
        c = self.state.contacts.get(subject)
        if c is None or (c.visits != token and what is not Due.OFFER_TIMEOUT):
            return
        if what is Due.LEVEL:
            self._level_up(c, int(detail))
        elif what is Due.PREFERRED_END:
            if c.preferred is not None and c.state is S.QUEUED:
                self.state.release_reserved(c)
                if not self._replaying:
                    dispatch.assign(self, c)
            elif c.state is S.OFFERED:
                c.preferred = None
        elif self._replaying:
            return
        elif what is Due.OFFER_TIMEOUT:
            if c.state is S.OFFERED and c.offer_no == token:
                self._ring_out(c)
        elif what is Due.OVERFLOW:
            q = c.queue
            if c.state is S.QUEUED and q is not None and q.queue.routing.overflow is not None:
                self.move(c, q.queue.routing.overflow.to_queue, reason="overflow_wait", hops=0)
        elif what is Due.ANNOUNCE and c.state in (S.QUEUED, S.OFFERED):
            self.announce(c, detail)

    def _level_up(self, c: ContactRec, level: int) -> None:
        q = c.queue
        if q is None or c.level >= level or c.state not in (S.QUEUED, S.OFFERED):
            return
        old, c.level = c.level, level
        if c.state is S.QUEUED and c.preferred is None and c.target_agent is None:
            entry = (c.key, c.seq, c.version, c)
            for k in range(old + 1, level + 1):
                heapq.heappush(q.waiting[k], entry)
        if self._replaying:
            return
        if q.steps[level] > c.step:
            self.emit(
                ContactSkillsRelaxed(
                    occurred_at=self.now_dt,
                    contact_id=c.contact_id,
                    queue_id=q.queue_id,
                    step=q.steps[level],
                )
            )
        if c.state is S.QUEUED:
            dispatch.assign(self, c)

    def _ring_out(self, c: ContactRec) -> None:
        rung = [self.agent(o) for o in c.offered_to]
        for a in rung[:-1]:
            self._unring(c, a, "no_answer")
        self._unring(c, rung[-1], "no_answer")
        q = c.queue
        assert q is not None
        pause = q.queue.routing.missed_pause_s
        alone = len(rung) == 1 and rung[0].state is A.AVAILABLE
        if alone and pause > 0 and not any(rung[0].load.values()):
            self._agent_to(rung[0], A.BREAK, "missed")
        dispatch.assign(self, c)
        for a in rung:
            self._settle(a)

    # -- rebuilding and reading -------------------------------------------------------------

    @classmethod
    def replay(
        cls,
        center: Center,
        events: Iterable[Event],
        clock: Clock,
        *,
        planned_agents: PlannedAgents | None = None,
    ) -> ContactEngine:
        """An engine rebuilt from its events, standing at the clock's time."""
        events = list(events)
        first = events[0].occurred_at if events else clock.now()
        engine = cls(center, _Fixed(first), planned_agents=planned_agents)
        engine.clock = clock
        engine._replaying = True
        for event in events:
            engine._run_timers(engine.state.seconds(event.occurred_at))
            engine.now_dt, engine.now = event.occurred_at, engine.state.seconds(event.occurred_at)
            engine.state.apply(event)
        now = clock.now()
        engine._run_timers(engine.state.seconds(now))
        engine.now_dt, engine.now = now, engine.state.seconds(now)
        engine.state.set_day(engine.now)
        engine._replaying = False
        return engine

    def offers_for(self, agent_id: str) -> list[Offer]:
        """The contacts ringing at ``agent_id``, each with its screen pop."""
        a = self.agent(agent_id)
        offers = []
        for cid in sorted(a.ringing):
            c = self.contact(cid)
            q = c.queue
            assert q is not None
            expires = self.state.at(c.offered_at + q.queue.routing.offer_timeout_s)
            offers.append(Offer(cid, agent_id, q.queue_id, expires, self.screen_pop(cid)))
        return offers

    def screen_pop(self, contact_id: str) -> ScreenPop:
        """What an agent needs to help the contact from the get-go."""
        c = self.contact(contact_id)
        q = c.queue
        customer = self.center.customers.get(c.customer_id or "")
        value = (
            c.account_value
            if c.account_value is not None
            else (customer.account_value if customer else None)
        )
        promises = self.state.ledger.open_for(c.customer_id)
        return ScreenPop(
            contact_id=contact_id,
            queue_id=q.queue_id if q else "",
            channel=c.channel.value,
            customer_id=c.customer_id,
            tier=c.tier,
            account_value=value,
            top_account=c.customer_id in self._top,
            topic=c.topic,
            flow_path=tuple(c.path),
            expected_wait_told_s=c.ewt_told,
            open_promises=tuple((p.promise_id, p.kind.value, p.due_at) for p in promises),
            last_contacts=tuple(self.state.history.get(c.customer_id or "", ())),
            relaxation_step=c.step,
        )

    def snapshot(self) -> dict[str, Any]:
        """The engine's state as plain values (to compare a replayed engine with the original)."""
        st = self.state
        contacts = {
            cid: (
                c.state.value,
                c.queue.queue_id if c.queue else None,
                c.agent_id,
                c.level,
                c.step,
                round(c.key, 6),
                c.seq,
                sorted(c.offered_to),
                sorted(c.declined),
                c.preferred,
                c.ewt_told,
                sorted(c.announcements.items()),
                c.visits,
                c.target_agent,
                c.warm_from,
            )
            for cid, c in sorted(st.contacts.items())
        }
        agents = {
            aid: (
                a.state.value,
                a.reason,
                round(a.since, 6),
                sorted((k.value, v) for k, v in a.load.items() if v),
                sorted(a.ringing),
                sorted(a.talking),
                sorted(a.wrapping),
                round(a.standing.idle_since, 6),
                a.standing.contacts_today,
                a.standing.epoch,
            )
            for aid, a in sorted(st.agents.items())
        }
        queues = {
            qid: (
                q.line,
                q.signed_in,
                q.staffed,
                round(q.mean_handle_s, 6),
                round(q.waited_s, 6),
                q.abandons,
                q.last_wait_s,
                q.offers,
                sorted(q.last_offer.items()),
            )
            for qid, q in sorted(st.queues.items())
        }
        promises = {
            pid: (e.promise.status.value, e.promise.closed_at, list(e.attempts), e.kept_by)
            for pid, e in sorted(st.ledger.promises.items())
        }
        return {
            "contacts": contacts,
            "agents": agents,
            "queues": queues,
            "promises": promises,
            "last_agent": dict(sorted(st.last_agent.items())),
            "booked": dict(sorted(st.ledger.booked.items())),
        }


class _Fixed:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at
