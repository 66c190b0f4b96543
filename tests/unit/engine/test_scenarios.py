"""Seeded scenarios that pin the exact events the contact engine emits.

Each test plays a short, scripted situation on a fake clock and compares the engine's events,
as ``"<seconds after 09:00> <event> <fields>"`` lines, with what a care manager expects.
"""

from __future__ import annotations

import dataclasses
from datetime import time
from types import MappingProxyType

from tests.unit.engine.builders import Run, agent, center, frozen, queue

from carecenter.domain.center import Customer, OpeningHours
from carecenter.domain.enums import Channel
from carecenter.domain.routing_policy import (
    AgentQueue,
    CallbackPolicy,
    ClosedAction,
    ClosedActionKind,
    Overflow,
    RelaxationStep,
)

V, CHAT = Channel.VOICE, Channel.CHAT
OFFERS = ["contact.offered"]


def test_vip_is_served_before_standard() -> None:
    r = Run(center([queue("q")], [agent("a1")]))
    r.do("arrive", "s1", V, "q")
    r.at(1).do("arrive", "v1", V, "q", tier="vip")
    r.at(2).do("sign_in", "a1")
    assert r.lines(["contact.queued", "contact.offered"]) == [
        "0 contact.queued contact_id=s1 queue_id=q",
        "1 contact.queued contact_id=v1 queue_id=q priority=100",
        "2 contact.offered contact_id=v1 agent_id=a1 queue_id=q",
    ]


def test_aging_bounds_the_longest_standard_wait() -> None:
    # a VIP starts 100 points ahead; at 1 point a second a standard contact that waited
    # more than 100 s longer goes first: no VIP overtakes one who came 100 s earlier
    r = Run(center([queue("q", aging_rate=1.0)], [agent("a1")]))
    r.do("arrive", "s1", V, "q")
    r.at(99).do("arrive", "v1", V, "q", tier="vip")
    r.at(150).do("arrive", "v2", V, "q", tier="vip")
    r.at(160).do("sign_in", "a1")
    # at 160: s1 scores 160, v1 100 + 61 = 161, v2 100 + 10 = 110
    assert r.lines(OFFERS) == ["160 contact.offered contact_id=v1 agent_id=a1 queue_id=q"]
    r.do("accept", "v1", "a1")
    r.at(170).do("end", "v1")
    # at 170: s1 scores 170, v2 120
    assert r.lines(OFFERS)[-1] == "170 contact.offered contact_id=s1 agent_id=a1 queue_id=q"


def test_a_rejected_offer_keeps_the_contacts_place() -> None:
    q = queue("q", offer_timeout_s=10, missed_pause_s=30)
    r = Run(center([q], [agent("a1"), agent("a2")]))
    for i in range(3):
        r.at(i).do("arrive", f"c{i}", V, "q")
    r.at(5).do("sign_in", "a1")
    r.at(6).do("decline", "c0", "a1")
    r.at(7).do("sign_in", "a2")
    r.at(17)  # a2 lets c0 ring out: c0 keeps its place, a2 pauses (missed)
    assert r.lines(["contact.offered", "contact.offer_rejected", "agent.state_changed"]) == [
        "5 agent.state_changed agent_id=a1 state=available",
        "5 contact.offered contact_id=c0 agent_id=a1 queue_id=q",
        "6 contact.offer_rejected contact_id=c0 agent_id=a1 queue_id=q reason=declined",
        "6 contact.offered contact_id=c1 agent_id=a1 queue_id=q",
        "7 agent.state_changed agent_id=a2 state=available",
        "7 contact.offered contact_id=c0 agent_id=a2 queue_id=q",
        "16 contact.offer_rejected contact_id=c1 agent_id=a1 queue_id=q reason=no_answer",
        "16 agent.state_changed agent_id=a1 state=break reason=missed",
        "17 contact.offer_rejected contact_id=c0 agent_id=a2 queue_id=q reason=no_answer",
        "17 agent.state_changed agent_id=a2 state=break reason=missed",
    ]
    r.at(46)  # a1 is back after 30 s: the first in line is still c0 (declined by a1), so c1
    r.at(47)  # a2 is back: c0, still ahead of c2
    assert r.lines(OFFERS)[-2:] == [
        "46 contact.offered contact_id=c1 agent_id=a1 queue_id=q",
        "47 contact.offered contact_id=c0 agent_id=a2 queue_id=q",
    ]


def test_relaxation_fires_at_its_threshold() -> None:
    q = queue(
        "q",
        skills={"billing": 4},
        relaxation=(RelaxationStep(30.0, frozen({"billing": 2})),),
    )
    r = Run(center([q], [agent("a1", {"billing": 2})]))
    r.do("sign_in", "a1")
    r.do("arrive", "c1", V, "q")
    r.at(29.9)
    assert r.lines(["contact.skills_relaxed", "contact.offered"]) == []
    r.at(30)
    assert r.lines(["contact.skills_relaxed", "contact.offered"]) == [
        "30 contact.skills_relaxed contact_id=c1 queue_id=q step=1",
        "30 contact.offered contact_id=c1 agent_id=a1 queue_id=q",
    ]


def test_overflow_after_a_wait_and_when_nobody_is_signed_in() -> None:
    q = queue("q", overflow=Overflow("o", after_s=60))
    empty = queue("e", overflow=Overflow("o", when_no_agents=True))
    r = Run(center([q, empty, queue("o")], [agent("a1", queues={"o": AgentQueue()})]))
    r.do("sign_in", "a1")
    r.do("arrive", "c1", V, "q")
    r.at(1).do("arrive", "c2", V, "e")
    r.do("accept", "c2", "a1")
    r.at(60)
    assert r.lines(["contact.transferred", "contact.queued", "contact.offered"]) == [
        "0 contact.queued contact_id=c1 queue_id=q",
        "1 contact.queued contact_id=c2 queue_id=e",
        "1 contact.transferred contact_id=c2 to_queue_id=o reason=no_agents kind=blind",
        "1 contact.queued contact_id=c2 queue_id=o",
        "1 contact.offered contact_id=c2 agent_id=a1 queue_id=o",
        "60 contact.transferred contact_id=c1 to_queue_id=o reason=overflow_wait kind=blind",
        "60 contact.queued contact_id=c1 queue_id=o",
    ]


def test_a_closed_queue_does_its_closed_action() -> None:
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    hours = OpeningHours("UTC", MappingProxyType({d: ((time(10), time(18)),) for d in weekdays}))
    callback = queue(
        "q",
        closed=ClosedAction(ClosedActionKind.CALLBACK),
        callback=CallbackPolicy(share=1.0, handle_s=300),
    )
    voicemail = queue("v", closed=ClosedAction(ClosedActionKind.VOICEMAIL))
    queues = [dataclasses.replace(q, hours=hours) for q in (callback, voicemail)]
    r = Run(center(queues, [agent("a1")]))
    r.do("sign_in", "a1")
    r.do("arrive", "c1", V, "q", customer_id="k1")
    r.do("arrive", "c2", V, "v")
    r.at(3600)  # 10:00, the queue opens: the callback booked for then arrives
    assert r.lines()[1:] == [
        "0 contact.arrived contact_id=c1",
        "0 contact.queued contact_id=c1 queue_id=q",
        "0 contact.callback_requested contact_id=c1 queue_id=q promise_id=c1:callback",
        "0 promise.made contact_id=c1 queue_id=q kind=callback promise_id=c1:callback",
        "0 contact.arrived contact_id=c2",
        "0 contact.queued contact_id=c2 queue_id=v",
        "0 contact.ended contact_id=c2 reason=voicemail",
        "3600 contact.arrived contact_id=c1:callback.1 promise_id=c1:callback",
        "3600 contact.queued contact_id=c1:callback.1 queue_id=q",
        "3600 contact.offered contact_id=c1:callback.1 agent_id=a1 queue_id=q",
        "3600 contact.wait_estimated contact_id=c1:callback.1 queue_id=q estimate_s=0.0 position=0",
    ]


def _busy_agent_and_a_line(window_s: float) -> Run:
    r = Run(center([queue("q", callback=CallbackPolicy(window_s=window_s))], [agent("a1")]))
    r.do("sign_in", "a1")
    r.do("arrive", "c0", V, "q")
    r.do("accept", "c0", "a1")
    r.at(10).do("arrive", "c1", V, "q", customer_id="k1")
    r.at(20).do("arrive", "c2", V, "q")
    r.at(30).do("request_callback", "c1")
    return r


PROMISES = ["promise.made", "promise.kept", "promise.broken", "contact.offered"]


def test_a_callback_keeps_its_place_and_its_promise() -> None:
    r = _busy_agent_and_a_line(window_s=600)
    r.at(100).do("end", "c0")
    r.at(102).do("accept", "c1:callback.1", "a1")
    # c1 waited since 10, c2 since 20: the callback goes first, within the promised window
    # (30 s + the 300 s expected wait + 600 s)
    assert r.lines(PROMISES) == [
        "0 contact.offered contact_id=c0 agent_id=a1 queue_id=q",
        "30 promise.made contact_id=c1 queue_id=q kind=callback promise_id=c1:callback",
        "100 contact.offered contact_id=c1:callback.1 agent_id=a1 queue_id=q",
        "102 promise.kept contact_id=c1:callback.1 agent_id=a1 promise_id=c1:callback",
    ]
    made = next(e for e in r.events if e.name == "promise.made")
    assert (made.due_at - r.clock.now()).total_seconds() == 930 - 102  # type: ignore[attr-defined]


def test_a_callback_not_started_in_time_breaks_its_promise() -> None:
    r = _busy_agent_and_a_line(window_s=60)
    r.at(1000).do("end", "c0")
    r.at(1005).do("accept", "c1:callback.1", "a1")
    assert r.lines(PROMISES) == [
        "0 contact.offered contact_id=c0 agent_id=a1 queue_id=q",
        "30 promise.made contact_id=c1 queue_id=q kind=callback promise_id=c1:callback",
        "390 promise.broken reason=overdue promise_id=c1:callback",
        "1000 contact.offered contact_id=c1:callback.1 agent_id=a1 queue_id=q",
    ]


def test_the_preferred_agent_has_the_contact_first_for_a_window() -> None:
    owner = Customer("k1", owner_agent_id="a2")
    r = Run(
        center([queue("q", preferred_agent_s=30)], [agent("a1"), agent("a2")], customers=[owner])
    )
    r.do("sign_in", "a1")
    r.do("sign_in", "a2")
    r.do("arrive", "x", V, "q")
    r.do("accept", "x", "a1")
    r.do("arrive", "y", V, "q")
    r.do("accept", "y", "a2")
    r.at(5).do("arrive", "c1", V, "q", customer_id="k1")
    r.at(10).do("end", "x")  # a1 is free, but c1 waits for its account owner
    r.at(20).do("end", "y")
    r.do("accept", "c1", "a2")
    r.at(21).do("arrive", "c2", V, "q", customer_id="k1")  # a2 is busy: a1 after 30 s
    r.at(50.9)
    assert r.lines(OFFERS)[2:] == ["20 contact.offered contact_id=c1 agent_id=a2 queue_id=q"]
    r.at(51)
    assert r.lines(OFFERS)[-1] == "51 contact.offered contact_id=c2 agent_id=a1 queue_id=q"


def test_capacity_three_chats_and_one_call_that_blocks_new_chats() -> None:
    a1 = agent("a1", capacity={V: 1, CHAT: 3}, call_blocks_chat=True)
    r = Run(center([queue("chat", CHAT), queue("voice")], [a1]))
    r.do("sign_in", "a1")
    for i in range(5):
        r.at(i).do("arrive", f"ch{i}", CHAT, "chat")
    r.at(5).do("arrive", "v1", V, "voice")
    r.do("accept", "v1", "a1")
    for i in range(3):
        r.do("accept", f"ch{i}", "a1")
    r.at(6).do("end", "ch0")  # a chat place is free, but a call is on
    r.at(7).do("end", "v1")
    assert r.lines(["contact.offered", "agent.state_changed"]) == [
        "0 agent.state_changed agent_id=a1 state=available",
        "0 contact.offered contact_id=ch0 agent_id=a1 queue_id=chat",
        "1 contact.offered contact_id=ch1 agent_id=a1 queue_id=chat",
        "2 contact.offered contact_id=ch2 agent_id=a1 queue_id=chat",
        "5 contact.offered contact_id=v1 agent_id=a1 queue_id=voice",
        "5 agent.state_changed agent_id=a1 state=busy",
        "7 contact.offered contact_id=ch3 agent_id=a1 queue_id=chat",
    ]
    held = r.engine.agent("a1")
    assert held.load[CHAT] == 3 and held.load.get(V, 0) == 0
