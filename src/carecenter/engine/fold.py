"""How each contact event changes the engine's state: one small function per event type.

:meth:`carecenter.engine.state.EngineState.apply` looks the event's type up in
:data:`HANDLERS` after checking the contact's life cycle allows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from carecenter.domain.enums import ContactState
from carecenter.domain.events import (
    CallbackRequested,
    ContactAbandoned,
    ContactAnswered,
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
from carecenter.engine.records import ContactRec, QueueRuntime
from carecenter.engine.timers import Due
from carecenter.errors import DomainError
from carecenter.routing.scoring import waiting_key

if TYPE_CHECKING:
    from carecenter.engine.state import EngineState

S = ContactState
HANDLE_SMOOTHING = 0.05
"""Weight of the newest handle time in a queue's moving average."""


def _queued(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactQueued)
    q = st.queues.get(e.queue_id)
    if q is None:
        raise DomainError(f"queue {e.queue_id} is not in the center")
    routing = q.routing
    c.queue, c.state, c.visits = q, S.QUEUED, c.visits + 1
    c.enqueued = t
    c.place = st.seconds(e.place_since) if e.place_since is not None else t
    c.priority = float(e.priority)
    c.key = waiting_key(c.priority, routing.aging_rate, c.place)
    c.level = c.step = c.offer_no = 0
    c.offered_to, c.announcements = [], {}
    c.declined = {c.warm_from} if c.warm_from is not None else set()
    c.ewt_told, c.callback_offered, c.agent_id, c.answered, c.wrap = None, False, None, None, False
    c.preferred = None
    if c.target_agent is None and routing.preferred_agent_s > 0:
        c.preferred = _preferred(st, c, q)
        if c.preferred is not None:
            c.preferred_until = t + routing.preferred_agent_s
            st.timers.set(c.preferred_until, Due.PREFERRED_END, c.contact_id, c.visits)
    st.enter_line(c)
    for k in range(1, len(q.thresholds)):
        st.timers.set(t + q.thresholds[k], Due.LEVEL, c.contact_id, c.visits, str(k))
    overflow = routing.overflow
    if overflow is not None and overflow.after_s is not None:
        st.timers.set(t + overflow.after_s, Due.OVERFLOW, c.contact_id, c.visits)


def _preferred(st: EngineState, c: ContactRec, q: QueueRuntime) -> str | None:
    if c.customer_id is None:
        return None
    customer = st.center.customers.get(c.customer_id)
    candidates = [customer.owner_agent_id if customer else None, st.last_agent.get(c.customer_id)]
    ready = {a.agent_id for a in q.members if a.levels.get(q.queue_id) == 0}
    return next((a for a in candidates if a is not None and a in ready), None)


def _offered(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactOffered)
    a = st.agents[e.agent_id]
    q = c.queue
    assert q is not None
    if c.state is S.QUEUED:
        st.leave_line(c)
        c.state = S.OFFERED
        c.offer_no += 1
        c.offered_at = t
        st.timers.set(t + q.routing.offer_timeout_s, Due.OFFER_TIMEOUT, c.contact_id, c.offer_no)
    c.offered_to.append(a.agent_id)
    a.ringing.add(c.contact_id)
    st.hold(a, c)
    q.offers += 1
    q.last_offer[a.agent_id] = q.offers
    st.agent_changed(a)


def _back_in_line(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactOfferRejected)
    a = st.agents[e.agent_id]
    if c.contact_id in a.ringing:
        c.offered_to.remove(a.agent_id)
        st.release(a, c, t)
    if e.reason == "declined":
        c.declined.add(a.agent_id)
    if c.preferred == a.agent_id:
        c.preferred = None
    c.state = S.QUEUED
    for other in list(c.offered_to):
        c.offered_to.remove(other)
        st.release(st.agents[other], c, t)
    st.enter_line(c)


def _withdrawn(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactOfferWithdrawn)
    a = st.agents[e.agent_id]
    if a.agent_id in c.offered_to and c.contact_id in a.ringing:
        c.offered_to.remove(a.agent_id)
        st.release(a, c, t)


def _answered(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactAnswered)
    a = st.agents[e.agent_id]
    q = c.queue
    assert q is not None
    if c.state is S.QUEUED:
        st.leave_line(c)
        st.hold(a, c)
    elif c.contact_id not in a.ringing:
        st.hold(a, c)
    a.ringing.discard(c.contact_id)
    if c.agent_id is None and a.agent_id in c.offered_to:
        c.offered_to.remove(a.agent_id)
    a.talking.add(c.contact_id)
    if a.busy_since is None:
        a.busy_since = t
    c.state, c.agent_id, c.answered = S.ANSWERED, a.agent_id, t
    wait = t - c.enqueued
    q.last_wait_s = wait
    q.waited_s += wait
    if c.customer_id is not None:
        st.last_agent[c.customer_id] = a.agent_id
    st.set_day(t)
    s = a.standing
    s.contacts_today = s.contacts_today + 1 if s.day == st.today else 1
    s.day = st.today
    if c.warm_from is not None:
        st.release(st.agents[c.warm_from], c, t)
        c.warm_from = None
    if a.load.get(c.capacity_channel, 0) < a.capacity.get(c.capacity_channel, 0):
        st.agent_changed(a)  # still free: the count of contacts today may rank them anew


def _held(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    c.state = S.ON_HOLD


def _resumed(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    c.state = S.ANSWERED


def _wrap(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    a = st.agents[c.agent_id or ""]
    a.talking.discard(c.contact_id)
    a.wrapping.add(c.contact_id)
    c.state, c.wrap = S.AFTER_CALL_WORK, True


def _leave_visit(st: EngineState, c: ContactRec, t: float) -> None:
    if c.state is S.QUEUED:
        st.leave_line(c)
    for other in list(c.offered_to):
        c.offered_to.remove(other)
        st.release(st.agents[other], c, t)


def _ended(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactEnded)
    _leave_visit(st, c, t)
    if c.promise_id is not None and e.reason == "no_answer" and c.queue is not None:
        policy = c.queue.routing.callback
        attempts = st.ledger.get(c.promise_id).attempts
        if len(attempts) < 1 + policy.retries:
            st.timers.set(
                t + policy.retry_after_s, Due.CALLBACK_ATTEMPT, c.promise_id, len(attempts) + 1
            )
    if c.agent_id is not None and c.answered is not None:
        a = st.agents[c.agent_id]
        if c.contact_id in a.talking or c.contact_id in a.wrapping:
            q = c.queue
            assert q is not None
            handle = t - c.answered
            q.mean_handle_s += HANDLE_SMOOTHING * (handle - q.mean_handle_s)
            st.release(a, c, t)
    if c.warm_from is not None:
        st.release(st.agents[c.warm_from], c, t)
        c.warm_from = None
    c.state = S.ENDED


def _abandoned(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    _leave_visit(st, c, t)
    q = c.queue
    assert q is not None
    q.abandons += 1
    q.waited_s += t - c.enqueued
    if c.warm_from is not None:
        st.release(st.agents[c.warm_from], c, t)
        c.warm_from = None
    c.state = S.ABANDONED


def _transferred(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactTransferred)
    _leave_visit(st, c, t)
    if c.state in (S.ANSWERED, S.ON_HOLD) and c.agent_id is not None:
        if e.kind == "warm" and c.warm_from is None:
            c.warm_from = c.agent_id
        else:
            st.release(st.agents[c.agent_id], c, t)
    c.target_agent = e.to_agent_id
    c.state = S.TRANSFERRED


def _callback(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, CallbackRequested)
    _leave_visit(st, c, t)
    q = c.queue
    assert q is not None
    q.waited_s += t - c.enqueued
    if c.warm_from is not None:  # the agent who stayed on the line (warm transfer) is free
        st.release(st.agents[c.warm_from], c, t)
        c.warm_from = None
    c.state = S.CALLBACK_REQUESTED


def _relaxed(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactSkillsRelaxed)
    c.step = max(c.step, e.step)


def _estimated(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactWaitEstimated)
    if c.ewt_told is None:
        c.ewt_told = e.estimate_s


def _treated(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactHoldTreatment)
    c.announcements[e.kind] = c.announcements.get(e.kind, 0) + 1
    if e.kind == "callback_offer":
        c.callback_offered = True
    assert c.queue is not None
    hold = c.queue.routing.hold
    every = {
        "message": hold.message_every_s,
        "offer": hold.message_every_s,
        "position": hold.announce_position_every_s,
        "expected_wait": hold.announce_wait_every_s,
    }.get(e.kind)
    if every is not None:
        kind = "message" if e.kind == "offer" else e.kind
        st.timers.set(t + every, Due.ANNOUNCE, c.contact_id, c.visits, kind)


def _identified(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactIdentified)
    c.customer_id, c.tier, c.account_value = e.customer_id, e.tier, e.account_value


def _flow_step(st: EngineState, c: ContactRec, e: ContactEvent, t: float) -> None:
    assert isinstance(e, ContactFlowStep)
    c.path.append(e.node_id)


HANDLERS: dict[
    type[ContactEvent], Callable[[EngineState, ContactRec, ContactEvent, float], None]
] = {
    ContactQueued: _queued,
    ContactOffered: _offered,
    ContactOfferRejected: _back_in_line,
    ContactOfferWithdrawn: _withdrawn,
    ContactAnswered: _answered,
    ContactHeld: _held,
    ContactResumed: _resumed,
    ContactWrapUpStarted: _wrap,
    ContactEnded: _ended,
    ContactAbandoned: _abandoned,
    ContactTransferred: _transferred,
    CallbackRequested: _callback,
    ContactSkillsRelaxed: _relaxed,
    ContactWaitEstimated: _estimated,
    ContactHoldTreatment: _treated,
    ContactIdentified: _identified,
    ContactFlowStep: _flow_step,
}
