"""Events to facts: the pure fold behind the projector.

The warehouse holds five kinds of rows, and each row is also the state of the fold:

* :class:`ContactRow`: one per contact (who, what about, when, how it ended);
* :class:`VisitFact`: one per queue visit of a contact, the row every contact metric reads;
* :class:`AgentInterval`: one per stretch of time an agent spent in one state;
* :class:`SurveyAnswerRow`: one per answered survey question (CSAT, NPS);
* :class:`~carecenter.domain.promise_facts.PromiseRow`: one per promise made to a customer.

:func:`fold` applies one stored event (with its log sequence number) to a
:class:`ProjectionState` that holds the rows the event can touch. The projector service loads
those rows from the warehouse, folds a batch of new events and writes the touched rows back, so
projecting is deterministic, idempotent and incremental.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any

from carecenter.domain.contact import NEUTRAL, TERMINAL, TRANSITIONS
from carecenter.domain.durations import elapsed_s
from carecenter.domain.enums import AgentStatus, Channel, ContactState, Direction, VisitOutcome
from carecenter.domain.events import (
    AgentStateChanged,
    CallbackRequested,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactEvent,
    ContactHeld,
    ContactIdentified,
    ContactOffered,
    ContactOfferRejected,
    ContactQueued,
    ContactResumed,
    ContactSkillsRelaxed,
    ContactTransferred,
    ContactWaitEstimated,
    ContactWrapUpStarted,
    Event,
    SurveyAnswered,
)
from carecenter.domain.promise_facts import PROMISE_EVENTS, PromiseRow, fold_promise


def _seconds(start: datetime | None, end: datetime) -> float:
    return 0.0 if start is None else elapsed_s(start, end)


@dataclass(slots=True)
class ContactRow:
    """Warehouse table ``contacts``: one row per contact."""

    contact_id: str
    channel: str = Channel.VOICE.value
    direction: str = Direction.INBOUND.value
    customer_id: str | None = None
    tier: str = "standard"
    topic: str | None = None
    parent_contact_id: str | None = None
    arrived_at: datetime | None = None
    ended_at: datetime | None = None
    state: str = ContactState.ARRIVED.value
    visits: int = 0
    resolved: bool | None = None
    last_seq: int = 0
    transferred_in: bool = False
    """The next leg of a transfer of ``parent_contact_id`` (see ``contact.arrived``)."""
    disposition: str | None = None
    """The agent's wrap-up code and note from ``contact.ended`` (``None``: none given)."""
    note: str | None = None


@dataclass(slots=True)
class VisitFact:
    """Warehouse table ``contact_facts``: one row per queue visit of a contact.

    Durations are in seconds. ``wait_s`` runs from entering the queue to answer, abandon or
    leaving the queue otherwise; ``conversation_s`` from answer to the end of the conversation
    (hold included); ``talk_s`` is the conversation less hold time, ``hold_s`` the time on
    hold; ``acw_s`` is after-call work. ``outcome`` is a :class:`VisitOutcome` value.

    A duration the source does not record is ``None`` (unknown), never a stand-in with another
    meaning: an Asterisk queue_log logs the conversation but not how much of it was hold, nor
    after-call work, so its visits have ``conversation_s`` and ``None`` talk, hold and ACW.

    From the contact engine (``None`` in rows no fold of events wrote: a queue_log import, an
    earlier version):
    ``relaxation_step`` is the highest skill-relaxation step the visit reached (0: none);
    ``ewt_s`` the expected wait told on entering the queue (its first
    ``contact.wait_estimated``; ``None``: none told) and ``ewt_predictor`` the predictor that
    made it; ``transfer_kind`` how the visit was transferred out (``blind``, ``warm``,
    ``escalation`` to an expert queue or agent; ``None``: not transferred out) and
    ``transfer_reason`` why (an escalation's reason, an overflow's ``overflow_wait``...).
    """

    contact_id: str
    visit: int
    queue_id: str
    channel: str
    direction: str
    customer_id: str | None
    tier: str
    topic: str | None
    arrived_at: datetime | None
    enqueued_at: datetime
    agent_id: str | None = None
    offered_at: datetime | None = None
    answered_at: datetime | None = None
    abandoned_at: datetime | None = None
    ended_at: datetime | None = None
    wait_s: float | None = None
    talk_s: float | None = 0.0
    hold_s: float | None = 0.0
    acw_s: float | None = 0.0
    offers: int = 0
    outcome: str = VisitOutcome.OPEN.value
    transferred_in: bool = False
    transferred_out: bool = False
    callback_requested: bool = False
    resolved: bool | None = None
    state: str = ContactState.QUEUED.value
    hold_started_at: datetime | None = None
    talk_ended_at: datetime | None = None
    last_seq: int = 0
    conversation_s: float | None = None
    relaxation_step: int | None = None
    ewt_s: float | None = None
    ewt_predictor: str | None = None
    transfer_kind: str | None = None
    transfer_reason: str | None = None

    def close(self, at: datetime) -> None:
        """Close the conversation at ``at``: settle conversation, talk and hold time."""
        if self.hold_started_at is not None:
            self.hold_s = (self.hold_s or 0.0) + _seconds(self.hold_started_at, at)
            self.hold_started_at = None
        if self.answered_at is not None and self.talk_ended_at is None:
            self.talk_ended_at = at
            self.conversation_s = _seconds(self.answered_at, at)
            self.talk_s = max(0.0, self.conversation_s - (self.hold_s or 0.0))


@dataclass(slots=True)
class AgentInterval:
    """Warehouse table ``agent_state_intervals``: an agent in one state from start to end.

    Logged-out time is not stored. ``end_at`` is ``None`` while the interval is open.
    """

    agent_id: str
    start_seq: int
    state: str
    start_at: datetime
    reason: str | None = None
    end_at: datetime | None = None
    duration_s: float | None = None


@dataclass(slots=True)
class SurveyAnswerRow:
    """Warehouse table ``survey_answers``: one row per answered survey question.

    ``score`` is on 1..``scale_max`` (0..10 for NPS); ``contact_id`` links the answer to the
    contact it is about (``None``: about no single contact). A later answer to the same
    ``(survey_id, question)`` replaces the earlier one. ``comment``: the customer's free text
    given with the answer.
    """

    survey_id: str
    question: str
    score: int
    scale_max: int
    answered_at: datetime
    contact_id: str | None = None
    customer_id: str | None = None
    last_seq: int = 0
    comment: str | None = None


@dataclass(frozen=True)
class WarehouseCounts:
    """Row counts of the warehouse tables."""

    contacts: int
    contact_facts: int
    agent_state_intervals: int
    checkpoint: int
    tickets: int = 0
    promises: int = 0


_GETTERS: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {}


def row_values(row: Any) -> tuple[Any, ...]:
    """A row dataclass as a tuple in field order (for bulk writes)."""
    getter = _GETTERS.get(type(row))
    if getter is None:
        names = [f.name for f in fields(row)]
        if len(names) == 1:
            return (getattr(row, names[0]),)
        # one attrgetter of every field builds the tuple in C
        getter = _GETTERS[type(row)] = attrgetter(*names)
    return getter(row)


@dataclass
class ProjectionState:
    """The rows a batch of events can touch, and which of them it touched."""

    contacts: dict[str, ContactRow] = field(default_factory=dict)
    visits: dict[str, VisitFact] = field(default_factory=dict)
    """contact id -> its latest visit."""
    open_intervals: dict[str, AgentInterval] = field(default_factory=dict)
    """agent id -> the interval the agent is in now."""
    touched_visits: dict[tuple[str, int], VisitFact] = field(default_factory=dict)
    touched_contacts: set[str] = field(default_factory=set)
    touched_intervals: dict[tuple[str, int], AgentInterval] = field(default_factory=dict)
    survey_answers: dict[tuple[str, str], SurveyAnswerRow] = field(default_factory=dict)
    """(survey id, question) -> the answer; only touched rows (answers need no prior state)."""
    promises: dict[str, PromiseRow] = field(default_factory=dict)
    """promise id -> its row (loaded for the promises a batch names, or made by it)."""
    touched_promises: set[str] = field(default_factory=set)


def fold(state: ProjectionState, seq: int, event: Event) -> None:
    """Apply one event (log sequence number ``seq``) to ``state``."""
    if isinstance(event, AgentStateChanged):
        _agent(state, seq, event)
    elif isinstance(event, ContactEvent):
        _contact(state, seq, event)
    elif isinstance(event, SurveyAnswered):
        state.survey_answers[(event.survey_id, event.question)] = SurveyAnswerRow(
            event.survey_id,
            event.question,
            event.score,
            event.scale_max,
            event.occurred_at,
            event.contact_id,
            event.customer_id,
            seq,
            event.comment,
        )
    elif isinstance(event, PROMISE_EVENTS):
        visit = state.visits.get(getattr(event, "contact_id", None) or "")
        queue = visit.queue_id if visit is not None else None
        state.touched_promises.add(fold_promise(state.promises, seq, event, queue))


def _agent(state: ProjectionState, seq: int, event: AgentStateChanged) -> None:
    current = state.open_intervals.pop(event.agent_id, None)
    if current is not None:
        current.end_at = event.occurred_at
        current.duration_s = _seconds(current.start_at, event.occurred_at)
        state.touched_intervals[(current.agent_id, current.start_seq)] = current
    if event.state is AgentStatus.LOGGED_OUT:
        return
    interval = AgentInterval(
        event.agent_id, seq, event.state.value, event.occurred_at, event.reason
    )
    state.open_intervals[event.agent_id] = interval
    state.touched_intervals[(event.agent_id, seq)] = interval


def _contact(state: ProjectionState, seq: int, event: ContactEvent) -> None:
    row = state.contacts.get(event.contact_id)
    if row is None:
        row = ContactRow(event.contact_id, arrived_at=event.occurred_at)
        state.contacts[event.contact_id] = row
    state.touched_contacts.add(event.contact_id)
    row.last_seq = seq
    if isinstance(event, ContactArrived):
        row.channel, row.direction = event.channel.value, event.direction.value
        row.customer_id, row.tier, row.topic = event.customer_id, event.tier, event.topic
        row.parent_contact_id, row.arrived_at = event.parent_contact_id, event.occurred_at
        row.transferred_in = event.transferred_in
        return
    if type(event) in NEUTRAL:
        if isinstance(event, ContactIdentified):
            row.customer_id, row.tier = event.customer_id, event.tier
        elif isinstance(event, ContactSkillsRelaxed | ContactWaitEstimated):
            _waiting(state, seq, event)
        return
    target = TRANSITIONS[type(event)][1]
    row.state = target.value
    if target in TERMINAL:
        row.ended_at = event.occurred_at
    if isinstance(event, ContactEnded):
        row.resolved, row.disposition, row.note = event.resolved, event.disposition, event.note
    if isinstance(event, ContactQueued):
        _new_visit(state, row, seq, event)
        return
    visit = state.visits.get(event.contact_id)
    if visit is None or visit.ended_at is not None:
        return  # no queue visit in progress (e.g. ended in self-service or after a transfer)
    _VISIT_HANDLERS[type(event)](visit, event)
    visit.state = target.value
    visit.last_seq = seq
    state.touched_visits[(visit.contact_id, visit.visit)] = visit


def _waiting(
    state: ProjectionState, seq: int, event: ContactSkillsRelaxed | ContactWaitEstimated
) -> None:
    """What the engine told about a waiting contact: its relaxation step, its expected wait."""
    visit = state.visits.get(event.contact_id)
    if visit is None or visit.ended_at is not None or visit.queue_id != event.queue_id:
        return  # not about the visit in progress
    if isinstance(event, ContactSkillsRelaxed):
        visit.relaxation_step = max(visit.relaxation_step or 0, event.step)
    elif visit.ewt_s is None:  # the first estimate is the one told on entry
        visit.ewt_s, visit.ewt_predictor = event.estimate_s, event.predictor
    else:
        return
    visit.last_seq = seq
    state.touched_visits[(visit.contact_id, visit.visit)] = visit


def _new_visit(state: ProjectionState, row: ContactRow, seq: int, event: ContactQueued) -> None:
    previous = state.visits.get(event.contact_id)
    row.visits += 1
    row.state = ContactState.QUEUED.value
    visit = VisitFact(
        contact_id=event.contact_id,
        visit=row.visits,
        queue_id=event.queue_id,
        channel=row.channel,
        direction=row.direction,
        customer_id=row.customer_id,
        tier=row.tier,
        topic=row.topic,
        arrived_at=row.arrived_at,
        enqueued_at=event.occurred_at,
        transferred_in=previous is not None or (row.visits == 1 and row.transferred_in),
        last_seq=seq,
        relaxation_step=0,
    )
    state.visits[event.contact_id] = visit
    state.touched_visits[(visit.contact_id, visit.visit)] = visit


def _offered(v: VisitFact, e: ContactEvent) -> None:
    assert isinstance(e, ContactOffered)
    v.offers += 1
    v.offered_at = v.offered_at or e.occurred_at
    v.agent_id = e.agent_id or None  # "": an agent the source does not name


def _rejected(v: VisitFact, e: ContactEvent) -> None:
    v.agent_id = None


def _answered(v: VisitFact, e: ContactEvent) -> None:
    assert isinstance(e, ContactAnswered)
    v.answered_at, v.agent_id = e.occurred_at, e.agent_id or None
    v.wait_s = _seconds(v.enqueued_at, e.occurred_at)
    v.outcome = VisitOutcome.ANSWERED.value


def _held(v: VisitFact, e: ContactEvent) -> None:
    v.hold_started_at = e.occurred_at


def _resumed(v: VisitFact, e: ContactEvent) -> None:
    v.hold_s = (v.hold_s or 0.0) + _seconds(v.hold_started_at, e.occurred_at)
    v.hold_started_at = None


def _wrap_up(v: VisitFact, e: ContactEvent) -> None:
    v.close(e.occurred_at)


def _leave_unanswered(v: VisitFact, at: datetime, outcome: VisitOutcome) -> None:
    v.wait_s = _seconds(v.enqueued_at, at)
    v.ended_at, v.outcome = at, outcome.value


def _transferred(v: VisitFact, e: ContactEvent) -> None:
    assert isinstance(e, ContactTransferred)
    v.transferred_out = True
    v.transfer_kind, v.transfer_reason = e.kind, e.reason
    if v.answered_at is None:
        _leave_unanswered(v, e.occurred_at, VisitOutcome.FLOWED_OUT)
        return
    v.close(e.occurred_at)
    v.ended_at = e.occurred_at


def _ended(v: VisitFact, e: ContactEvent) -> None:
    assert isinstance(e, ContactEnded)
    if v.answered_at is None:
        _leave_unanswered(v, e.occurred_at, VisitOutcome.EXITED)
        return
    if v.talk_ended_at is None:
        v.close(e.occurred_at)
    else:
        v.acw_s = _seconds(v.talk_ended_at, e.occurred_at)
    v.ended_at, v.resolved = e.occurred_at, e.resolved


def _abandoned(v: VisitFact, e: ContactEvent) -> None:
    v.abandoned_at = e.occurred_at
    _leave_unanswered(v, e.occurred_at, VisitOutcome.ABANDONED)


def _callback(v: VisitFact, e: ContactEvent) -> None:
    v.callback_requested = True
    _leave_unanswered(v, e.occurred_at, VisitOutcome.CALLBACK)


_VISIT_HANDLERS = {
    ContactOffered: _offered,
    ContactOfferRejected: _rejected,
    ContactAnswered: _answered,
    ContactHeld: _held,
    ContactResumed: _resumed,
    ContactWrapUpStarted: _wrap_up,
    ContactTransferred: _transferred,
    ContactEnded: _ended,
    ContactAbandoned: _abandoned,
    CallbackRequested: _callback,
}
