"""The contact engine (ACD): commands in, events out, driven by a clock it is given.

:class:`ContactEngine` holds the queues, the waiting contacts and the agents of a center in
memory. Every command returns the events it caused (including those of timers that fell due
before it); the same commands at the same times always give the same events, and
:meth:`ContactEngine.replay` rebuilds the engine from its events. The simulator and the server
drive this one class; nothing in it does I/O.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from carecenter.domain.center import Center
from carecenter.domain.clock import Clock
from carecenter.domain.enums import AgentStatus, ContactState
from carecenter.domain.events import (
    ContactAbandoned,
    ContactEnded,
    ContactHeld,
    ContactResumed,
    ContactSkillsRelaxed,
    ContactTransferred,
    ContactWrapUpStarted,
    Event,
    SurveyAnswered,
)
from carecenter.domain.surveys import POST_CONTACT, post_contact_problem
from carecenter.engine import dispatch, reading
from carecenter.engine.agents import AgentEngine
from carecenter.engine.base import PlannedAgents
from carecenter.engine.records import ContactRec, Offer, ScreenPop
from carecenter.engine.timers import Due, Timer
from carecenter.errors import DomainError, IllegalTransition

S = ContactState
A = AgentStatus
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
"""Engine seconds count from here, so a replayed engine computes every key the same way."""


class ContactEngine(AgentEngine):
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

    def abandon(self, contact_id: str) -> list[Event]:
        """The customer gives up waiting (hangs up, closes the chat)."""
        self._begin()
        c = self.contact(contact_id)
        q = c.queue
        if q is None or c.state not in (S.QUEUED, S.OFFERED):
            raise IllegalTransition("contact", contact_id, c.state, "abandon")
        rung = [self.agent(o) for o in c.offered_to]
        warm = self.state.agents.get(c.warm_from or "")  # released by the abandon too
        for a in rung:
            self.withdraw(c, a, "abandoned")
        self.emit(
            ContactAbandoned(occurred_at=self.now_dt, contact_id=contact_id, queue_id=q.queue_id)
        )
        for a in [*rung, *([warm] if warm is not None else [])]:
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
        self,
        contact_id: str,
        *,
        resolved: bool | None = None,
        reason: str | None = None,
        disposition: str | None = None,
        note: str | None = None,
    ) -> list[Event]:
        """The contact is over (after the conversation or its wrap-up); ``disposition`` and
        ``note`` are the agent's wrap-up code and note."""
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
                disposition=disposition,
                note=note,
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

    def answer_survey(
        self,
        contact_id: str,
        answers: Mapping[str, int],
        *,
        survey_id: str | None = None,
        comment: str | None = None,
    ) -> list[Event]:
        """The customer answered the post-contact survey of ``contact_id`` (``answers``:
        question -> score, of :data:`~carecenter.domain.surveys.POST_CONTACT`): one
        ``survey.answered`` per answer, in the order csat, ces, nps, the ``comment`` on the
        first. The survey is
        ``post-contact:<contact_id>`` unless ``survey_id`` says otherwise. The customer is the
        contact's while the engine holds it; an ended contact (the engine keeps live ones only)
        or one it never saw gives none, and the warehouse takes the customer of the contact."""
        self._begin()
        if not contact_id.strip():
            raise DomainError("a survey answer needs the contact it is about")
        problem = post_contact_problem(answers)
        if problem is not None:
            raise DomainError(problem)
        c = self.state.contacts.get(contact_id)
        customer = c.customer_id if c is not None else None
        survey = survey_id.strip() if survey_id is not None and survey_id.strip() else ""
        text = comment.strip() if comment is not None and comment.strip() else None
        for question, _, high in POST_CONTACT:
            score = answers.get(question)
            if score is None:
                continue
            self.emit(
                SurveyAnswered(
                    occurred_at=self.now_dt,
                    survey_id=survey or f"post-contact:{contact_id}",
                    question=question,
                    score=score,
                    scale_max=high,
                    contact_id=contact_id,
                    customer_id=customer,
                    comment=text,
                )
            )
            text = None
        return self._done()

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
            if to_agent is not None and self.agent(to_agent).capacity.get(channel, 0) < 1:
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
            if c.state is S.QUEUED and q is not None and q.routing.overflow is not None:
                self.move(c, q.routing.overflow.to_queue, reason="overflow_wait", hops=0)
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
        pause = q.routing.missed_pause_s
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

    def is_waiting(self, contact_id: str) -> bool:
        """Whether the contact waits in a queue (queued, or ringing at an agent)."""
        c = self.state.contacts.get(contact_id)
        return c is not None and (c.state is S.QUEUED or c.state is S.OFFERED)

    def is_queued(self, contact_id: str) -> bool:
        """Whether the contact waits in a queue and rings at no agent."""
        c = self.state.contacts.get(contact_id)
        return c is not None and c.state is S.QUEUED

    def is_offered_to(self, contact_id: str, agent_id: str) -> bool:
        """Whether the contact rings at ``agent_id`` now (the agent may accept it)."""
        c = self.state.contacts.get(contact_id)
        return c is not None and c.state is S.OFFERED and agent_id in c.offered_to

    def is_signed_in(self, agent_id: str) -> bool:
        """Whether the agent is signed in (working, idle or on a break)."""
        return self.agent(agent_id).state is not A.LOGGED_OUT

    def is_on_break(self, agent_id: str) -> bool:
        """Whether the agent is on a break now."""
        return self.agent(agent_id).state is A.BREAK

    def is_going_on_break(self, agent_id: str) -> bool:
        """Whether the agent asked for a break once free and is not on it yet."""
        return self.agent(agent_id).away is A.BREAK

    def holds_contacts(self, agent_id: str) -> bool:
        """Whether the agent is being offered, talking to or wrapping up a contact."""
        a = self.agent(agent_id)
        return bool(a.ringing or a.talking or a.wrapping)

    def offers_for(self, agent_id: str) -> list[Offer]:
        """The contacts ringing at ``agent_id``, each with its screen pop."""
        return reading.offers_for(self, agent_id)

    def screen_pop(self, contact_id: str) -> ScreenPop:
        """What an agent needs to help the contact from the get-go."""
        return reading.screen_pop(self, contact_id)

    def snapshot(self) -> dict[str, Any]:
        """The engine's state as plain values (to compare a rebuilt engine with the original)."""
        return reading.snapshot(self)


class _Fixed:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at
