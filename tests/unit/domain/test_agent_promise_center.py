"""Agent states, promises and the center configuration."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from types import MappingProxyType

import pytest
from tests.helpers import T0

from carecenter.domain.agent_state import AgentSession
from carecenter.domain.center import Agent, Center, OpeningHours, Queue, ServiceLevelPolicy, Skill
from carecenter.domain.enums import AgentStatus, Channel, PromiseKind, PromiseStatus
from carecenter.domain.events import PromiseBroken, PromiseKept
from carecenter.domain.promise import Promise
from carecenter.errors import DomainError, IllegalTransition

A = AgentStatus
# Hand-written: which agent moves are legal.
AGENT_LEGAL = {
    A.LOGGED_OUT: {A.AVAILABLE, A.BREAK},
    A.AVAILABLE: {A.BUSY, A.BREAK, A.LOGGED_OUT},
    A.BUSY: {A.AVAILABLE, A.AFTER_CALL_WORK, A.BREAK, A.LOGGED_OUT},
    A.AFTER_CALL_WORK: {A.AVAILABLE, A.BUSY, A.BREAK, A.LOGGED_OUT},
    A.BREAK: {A.AVAILABLE, A.LOGGED_OUT},
}


@pytest.mark.parametrize("start", list(A))
@pytest.mark.parametrize("to", list(A))
def test_agent_moves(start: AgentStatus, to: AgentStatus) -> None:
    session = AgentSession("a1", state=start, reason="lunch" if start is A.BREAK else None)
    if to in AGENT_LEGAL[start]:
        event = session.change(to, T0, reason="training")
        assert (event.previous, event.state, session.state) == (start, to, to)
        assert event.reason == ("training" if to is A.BREAK else None)
    elif start is A.BREAK and to is A.BREAK:
        assert session.change(A.BREAK, T0, reason="coaching").reason == "coaching"
        with pytest.raises(IllegalTransition):
            session.change(A.BREAK, T0, reason="coaching")
    else:
        with pytest.raises(IllegalTransition):
            session.change(to, T0)
        assert session.state is start


def test_agent_with_several_chats_stays_busy_until_the_last_ends() -> None:
    s = AgentSession("a1")
    s.log_in(T0)
    assert s.start_contact("c1", T0) is not None
    assert s.start_contact("c2", T0) is None
    assert s.finish_contact("c1", T0, wrap_up=True) is None
    with pytest.raises(IllegalTransition, match="log out holding contacts"):
        s.log_out(T0)
    event = s.finish_contact("c2", T0 + timedelta(seconds=5), wrap_up=True)
    assert event is not None and event.state is A.AFTER_CALL_WORK
    with pytest.raises(DomainError, match="does not hold"):
        s.finish_contact("c2", T0, wrap_up=False)
    with pytest.raises(DomainError, match="before"):
        s.make_available(T0)


def test_promise_kept_on_time_broken_when_late_or_overdue() -> None:
    due = T0 + timedelta(hours=2)
    p, made = Promise.make("p1", PromiseKind.CALLBACK, due_at=due, at=T0, customer_id="u1")
    assert made.due_at == due and p.status is PromiseStatus.OPEN
    assert p.check_overdue(due) is None
    assert isinstance(p.fulfil(due), PromiseKept) and p.status is PromiseStatus.KEPT
    with pytest.raises(IllegalTransition):
        p.fulfil(due)
    late, _ = Promise.make("p2", PromiseKind.RESOLUTION, due_at=due, at=T0)
    broken = late.fulfil(due + timedelta(seconds=1))
    assert isinstance(broken, PromiseBroken) and broken.reason == "late"
    over, _ = Promise.make("p3", PromiseKind.REPLY, due_at=due, at=T0)
    event = over.check_overdue(due + timedelta(minutes=1))
    assert event is not None and event.reason == "overdue" and over.check_overdue(due) is None
    cancel, _ = Promise.make("p4", PromiseKind.OTHER, due_at=due, at=T0)
    assert cancel.cancel(T0).promise_id == "p4" and cancel.status is PromiseStatus.CANCELLED
    with pytest.raises(DomainError, match="due before"):
        Promise.make("p5", PromiseKind.CALLBACK, due_at=T0 - timedelta(seconds=1), at=T0)


def test_opening_hours_in_the_queue_time_zone() -> None:
    hours = OpeningHours(
        timezone="Europe/London",
        weekly=MappingProxyType({"mon": ((time(8), time(18)),), "sat": ((time(22), time(0)),)}),
    )
    monday = datetime(2026, 7, 6, tzinfo=UTC)  # summer time: London = UTC+1
    assert hours.is_open(monday.replace(hour=7))  # 08:00 local
    assert not hours.is_open(monday.replace(hour=6, minute=59))
    assert not hours.is_open(monday.replace(hour=17))  # 18:00 local, closed
    assert hours.is_open(datetime(2026, 7, 11, 22, 30, tzinfo=UTC))  # Sat 23:30 local
    assert not hours.is_open(datetime(2026, 7, 7, 9, tzinfo=UTC))  # Tuesday: closed
    with pytest.raises(DomainError):
        hours.is_open(datetime(2026, 7, 6, 9))


def test_agents_serve_queues_they_are_skilled_and_staffed_for() -> None:
    q = Queue("billing", "Billing", Channel.VOICE, required_skills=MappingProxyType({"b": 3}))
    chat = Queue("chat", "Chat", Channel.CHAT)
    good = Agent("a1", "A", skills=MappingProxyType({"b": 3}))
    weak = Agent("a2", "B", skills=MappingProxyType({"b": 2}))
    center = Center(
        "c",
        skills=MappingProxyType({"b": Skill("b")}),
        queues=MappingProxyType({"billing": q, "chat": chat}),
        agents=MappingProxyType({"a1": good, "a2": weak}),
    )
    assert [a.agent_id for a in center.agents_for("billing")] == ["a1"]
    assert center.agents_for("chat") == []  # nobody has chat capacity
    with pytest.raises(DomainError, match="unknown skill"):
        Center("c", agents=MappingProxyType({"a1": good}))
    with pytest.raises(DomainError, match="proficiency"):
        Agent("a3", "C", skills=MappingProxyType({"b": 6}))
    with pytest.raises(DomainError, match="between 0 and 1"):
        ServiceLevelPolicy(target=80)
