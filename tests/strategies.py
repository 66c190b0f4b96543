"""Hypothesis strategies: legal, interleaved event streams driven by the domain entities."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from hypothesis import strategies as st
from tests.helpers import T0

from carecenter.domain.agent_state import ALLOWED, AgentSession
from carecenter.domain.contact import Contact
from carecenter.domain.enums import AgentStatus, Channel, ContactState, Direction, PromiseKind
from carecenter.domain.events import (
    ContactSkillsRelaxed,
    ContactWaitEstimated,
    Event,
    PromiseBroken,
    PromiseCancelled,
    PromiseKept,
    PromiseMade,
    SurveyAnswered,
)

S = ContactState
CONTACT_ACTIONS = {
    S.ARRIVED: ["queue", "end"],
    S.QUEUED: ["offer", "answer", "abandon", "callback", "transfer", "end", "estimate", "relax"],
    S.OFFERED: ["answer", "reject", "abandon", "transfer", "estimate"],
    S.ANSWERED: ["hold", "transfer", "wrap_up", "end"],
    S.ON_HOLD: ["resume", "transfer", "wrap_up", "end"],
    S.TRANSFERRED: ["queue", "end"],
    S.AFTER_CALL_WORK: ["end"],
}
OUTBOUND_ACTIONS = {
    S.OFFERED: ["answer", "fail"],
    S.ANSWERED: ["hold", "wrap_up", "end"],
    S.ON_HOLD: ["resume", "wrap_up", "end"],
    S.AFTER_CALL_WORK: ["end"],
}
"""An outbound call: dialled by its agent (offered), then answered or not connected."""
DIAL_FAILURES = ["busy", "no_answer", "cancel", "fail", "congestion"]
QUEUES = ["billing", "cards", "chat"]
AGENTS = ["a1", "a2", "a3"]
OFFSETS = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]


def _contact_step(draw: st.DrawFn, c: Contact, at: object) -> Event:
    action = draw(st.sampled_from(CONTACT_ACTIONS[c.state]))
    agent = draw(st.sampled_from(AGENTS))
    when = at  # type: ignore[assignment]
    if action == "queue":
        return c.queue(draw(st.sampled_from(QUEUES)), when, priority=draw(st.integers(0, 3)))
    if action == "offer":
        return c.offer(agent, when)
    if action == "answer":
        return c.answer(agent, when)
    if action == "transfer":
        kind = draw(st.sampled_from(["blind", "warm", "escalation"]))
        return c.transfer(when, to_queue_id=draw(st.sampled_from([*QUEUES, None])), kind=kind)
    if action == "estimate":
        return c.apply(
            ContactWaitEstimated(
                occurred_at=when,
                contact_id=c.contact_id,
                queue_id=c.queue_id or "",
                estimate_s=float(draw(st.integers(0, 600))),
                predictor=draw(st.sampled_from(["queue_length", "head_of_line"])),
                position=draw(st.integers(1, 9)),
            )
        )
    if action == "relax":
        return c.apply(
            ContactSkillsRelaxed(
                occurred_at=when,
                contact_id=c.contact_id,
                queue_id=c.queue_id or "",
                step=draw(st.integers(1, 3)),
            )
        )
    if action == "callback":
        return c.request_callback(
            when, promise_id=f"p-{c.contact_id}", due_at=when + timedelta(hours=1)
        )
    if action == "end":
        return c.end(when, resolved=draw(st.sampled_from([None, True, False])))
    if action == "reject":
        return c.reject_offer(when)
    return {"hold": c.hold, "resume": c.resume, "wrap_up": c.wrap_up, "abandon": c.abandon}[action](
        when
    )


def _outbound_step(draw: st.DrawFn, c: Contact, at: object) -> Event:
    action = draw(st.sampled_from(OUTBOUND_ACTIONS[c.state]))
    when = at  # type: ignore[assignment]
    if action == "answer":
        return c.answer(c.agent_id or AGENTS[0], when)
    if action == "fail":
        return c.end(when, ended_by="system", reason=draw(st.sampled_from(DIAL_FAILURES)))
    if action == "end":
        return c.end(when, ended_by=draw(st.sampled_from(["agent", "customer"])))
    return {"hold": c.hold, "resume": c.resume, "wrap_up": c.wrap_up}[action](when)


def _dial(draw: st.DrawFn, number: int, at: object) -> tuple[Contact, list[Event]]:
    """An outbound call dialled at ``at``: arrived, queued in its campaign queue, offered
    to the agent who dials."""
    c, arrived = Contact.arrive(
        f"c{number}",
        Channel.VOICE,
        at,  # type: ignore[arg-type]
        direction=Direction.OUTBOUND,
        customer_id=f"555{number:04d}",
    )
    queued = c.queue(draw(st.sampled_from(QUEUES)), at)  # type: ignore[arg-type]
    offered = c.offer(draw(st.sampled_from(AGENTS)), at)  # type: ignore[arg-type]
    return c, [arrived, queued, offered]


def _agent_step(draw: st.DrawFn, a: AgentSession, at: object) -> Event:
    to = draw(
        st.sampled_from(
            sorted(
                ALLOWED[a.state] | {AgentStatus.BREAK}
                if a.state is AgentStatus.BREAK
                else ALLOWED[a.state]
            )
        )
    )
    reason = draw(st.sampled_from(["lunch", "training", "coaching"]))
    if to is AgentStatus.BREAK and a.state is AgentStatus.BREAK and reason == a.reason:
        to = AgentStatus.AVAILABLE
    return a.change(to, at, reason=reason)  # type: ignore[arg-type]


def _survey_answer(draw: st.DrawFn, contacts: list[Contact], at: object) -> Event:
    question = draw(st.sampled_from(["csat", "nps"]))
    scale = 5 if question == "csat" else 10
    contact = draw(st.sampled_from([None, *contacts])) if contacts else None
    return SurveyAnswered(
        occurred_at=at,  # type: ignore[arg-type]
        survey_id=f"s{draw(st.integers(1, 3))}",
        question=question,
        score=draw(st.integers(0 if scale == 10 else 1, scale)),
        scale_max=scale,
        contact_id=None if contact is None else contact.contact_id,
        customer_id=draw(st.sampled_from([None, "k1"])),
    )


def _promise_step(
    draw: st.DrawFn, contacts: list[Contact], promises: dict[str, bool], at: object
) -> Event:
    """Make a promise (about a contact or none), or close one still open."""
    when = at  # type: ignore[assignment]
    still = sorted(p for p, is_open in promises.items() if is_open)
    if still and draw(st.booleans()):
        pid = draw(st.sampled_from(still))
        promises[pid] = False
        how = draw(st.sampled_from(["kept", "broken", "cancelled"]))
        if how == "kept":
            agent = draw(st.sampled_from([None, *AGENTS]))
            return PromiseKept(occurred_at=when, promise_id=pid, agent_id=agent)
        if how == "broken":
            reason = draw(st.sampled_from(["late", "overdue"]))
            return PromiseBroken(occurred_at=when, promise_id=pid, reason=reason)
        return PromiseCancelled(occurred_at=when, promise_id=pid)
    pid = f"p{len(promises) + 1}"
    promises[pid] = True
    contact = draw(st.sampled_from([None, *contacts])) if contacts else None
    return PromiseMade(
        occurred_at=when,
        promise_id=pid,
        customer_id=draw(st.sampled_from([None, "k1", "k2"])),
        contact_id=None if contact is None else contact.contact_id,
        kind=draw(st.sampled_from(list(PromiseKind))),
        due_at=when + timedelta(minutes=draw(st.integers(0, 120))),
        queue_id=draw(st.sampled_from([None, *QUEUES])),
        agent_id=draw(st.sampled_from([None, *AGENTS])),
    )


@st.composite
def event_streams(draw: st.DrawFn, max_steps: int = 60) -> list[Event]:
    """A time-ordered stream of legal events for a few contacts and agents."""
    now = T0
    contacts: list[Contact] = []
    agents = [AgentSession(a) for a in AGENTS]
    events: list[Event] = []
    promises: dict[str, bool] = {}
    for _ in range(draw(st.integers(1, max_steps))):
        now += timedelta(
            seconds=draw(st.integers(0, 120)), microseconds=draw(st.integers(0, 999_999))
        )
        local = now.astimezone(draw(st.sampled_from(OFFSETS)))
        live = [c for c in contacts if not c.is_over]
        if draw(st.integers(0, 15)) == 0:  # now and then a survey answer (rarely a repeat)
            events.append(_survey_answer(draw, contacts, local))
            continue
        if draw(st.integers(0, 10)) == 0:  # now and then a promise made or closed
            events.append(_promise_step(draw, contacts, promises, local))
            continue
        kind = draw(st.sampled_from(["new", "contact", "contact", "agent"]))
        if kind == "new" and draw(st.integers(0, 4)) == 0:  # now and then an outbound call
            c, dialled = _dial(draw, len(contacts) + 1, local)
            contacts.append(c)
            events.extend(dialled)
        elif kind == "new" or (kind == "contact" and not live):
            channel = draw(st.sampled_from(list(Channel)))
            c, arrived = Contact.arrive(
                f"c{len(contacts) + 1}",
                channel,
                local,
                tier=draw(st.sampled_from(["standard", "vip"])),
                topic=draw(st.sampled_from([None, "billing", "card"])),
            )
            contacts.append(c)
            events.append(arrived)
        elif kind == "contact":
            c = draw(st.sampled_from(live))
            step = _outbound_step if c.direction is Direction.OUTBOUND else _contact_step
            events.append(step(draw, c, local))
        else:
            events.append(_agent_step(draw, draw(st.sampled_from(agents)), local))
    return events
