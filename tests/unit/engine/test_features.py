"""The engine's features one by one: hold treatment, strategies, transfers, callbacks booked
at a time, follow-up promises and the screen pop."""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta
from types import MappingProxyType

import pytest
from tests.unit.engine.builders import T0, Run, agent, center, queue

from carecenter.commitments.ledger import CallbackRefused
from carecenter.domain.center import Customer, OpeningHours
from carecenter.domain.enums import Channel, PromiseKind
from carecenter.domain.routing_policy import (
    CallbackPolicy,
    HoldTreatment,
    QueueRouting,
    Strategy,
)
from carecenter.errors import DomainError

V = Channel.VOICE
OFFERS = ["contact.offered"]


def test_hold_treatment_repeats_and_offers_a_callback_when_the_wait_is_long() -> None:
    hold = HoldTreatment(
        music="jazz",
        messages=("m1", "m2"),
        message_every_s=30,
        announce_position_every_s=45,
        announce_wait_every_s=60,
        callback_offer_after_s=200,
    )
    r = Run(center([queue("q", hold=hold)], [agent("a1")]))
    r.do("sign_in", "a1")
    r.do("arrive", "c0", V, "q")
    r.do("accept", "c0", "a1")
    r.at(1).do("arrive", "c1", V, "q")
    r.at(70)
    assert r.lines(["contact.hold_treatment", "contact.wait_estimated"])[1:] == [
        # one agent busy, handle time 300 s: next in line waits 300 s
        "1 contact.wait_estimated contact_id=c1 queue_id=q estimate_s=300.0 position=1",
        "1 contact.hold_treatment contact_id=c1 queue_id=q kind=music",
        "1 contact.hold_treatment contact_id=c1 queue_id=q kind=message",
        "1 contact.hold_treatment contact_id=c1 queue_id=q kind=position value=1.0",
        "1 contact.hold_treatment contact_id=c1 queue_id=q kind=expected_wait value=300.0",
        "1 contact.hold_treatment contact_id=c1 queue_id=q kind=callback_offer value=300.0",
        "31 contact.hold_treatment contact_id=c1 queue_id=q kind=message",
        "46 contact.hold_treatment contact_id=c1 queue_id=q kind=position value=1.0",
        "61 contact.wait_estimated contact_id=c1 queue_id=q estimate_s=300.0 position=1",
        "61 contact.hold_treatment contact_id=c1 queue_id=q kind=expected_wait value=300.0",
        "61 contact.hold_treatment contact_id=c1 queue_id=q kind=message",
    ]
    texts = [e.text for e in r.events if e.name == "contact.hold_treatment"]  # type: ignore[attr-defined]
    assert texts[:2] == ["jazz", "m1"] and "m2" in texts


def test_support_queues_may_not_play_sales_offers() -> None:
    with pytest.raises(DomainError, match="only a sales queue"):
        QueueRouting(hold=HoldTreatment(offers=("Upgrade now!",)))
    assert QueueRouting(sales=True, hold=HoldTreatment(offers=("Upgrade now!",))).sales


def test_ring_all_rings_everyone_and_withdraws_the_rest() -> None:
    r = Run(center([queue("q", strategy=Strategy.RING_ALL)], [agent(a) for a in "xyz"]))
    for a in "xyz":
        r.do("sign_in", a)
    r.at(1).do("arrive", "c1", V, "q")
    r.at(3).do("accept", "c1", "y")
    names = ["contact.offered", "contact.offer_withdrawn", "contact.answered"]
    assert r.lines(names) == [
        "1 contact.offered contact_id=c1 agent_id=x queue_id=q",
        "1 contact.offered contact_id=c1 agent_id=y queue_id=q",
        "1 contact.offered contact_id=c1 agent_id=z queue_id=q",
        "3 contact.offer_withdrawn contact_id=c1 agent_id=x queue_id=q reason=answered_elsewhere",
        "3 contact.offer_withdrawn contact_id=c1 agent_id=z queue_id=q reason=answered_elsewhere",
        "3 contact.answered contact_id=c1 agent_id=y queue_id=q",
    ]


def _serve_in_turn(strategy: Strategy, n: int, **agents_skills: dict[str, int]) -> list[str]:
    agents = [agent(a, skills) for a, skills in agents_skills.items()]
    r = Run(center([queue("q", strategy=strategy, skills={"billing": 1})], agents))
    for a in agents_skills:
        r.do("sign_in", a)
    for i in range(n):
        r.at(10 * i).do("arrive", f"c{i}", V, "q")
        r.do("accept", f"c{i}", r.engine.contact(f"c{i}").offered_to[0])
        r.at(10 * i + 5 + i).do("end", f"c{i}")
    return [line.split()[3] for line in r.lines(OFFERS)]


def test_the_strategies_choose_as_named() -> None:
    skills = {"a1": {"billing": 2}, "a2": {"billing": 5}, "a3": {"billing": 4}}
    assert _serve_in_turn(Strategy.ROUND_ROBIN, 5, **skills) == [
        "agent_id=a1", "agent_id=a2", "agent_id=a3", "agent_id=a1", "agent_id=a2",
    ]  # fmt: skip
    # best skilled: always a2 (5), the longest idle breaking no tie here
    assert set(_serve_in_turn(Strategy.BEST_SKILLED, 4, **skills)) == {"agent_id=a2"}
    # longest idle: whoever has waited longest since their last contact
    assert _serve_in_turn(Strategy.LONGEST_IDLE, 4, **skills) == [
        "agent_id=a1", "agent_id=a2", "agent_id=a3", "agent_id=a1",
    ]  # fmt: skip
    # fewest contacts today: each in turn too, as each took one
    assert _serve_in_turn(Strategy.FEWEST_CONTACTS, 4, **skills)[:3] == [
        "agent_id=a1", "agent_id=a2", "agent_id=a3",
    ]  # fmt: skip
    first = _serve_in_turn(Strategy.RANDOM, 6, **skills)
    assert first == _serve_in_turn(Strategy.RANDOM, 6, **skills)  # seeded: the same draw
    assert len(set(first)) > 1


def test_transfers_escalation_and_a_warm_transfer_to_a_named_agent() -> None:
    queues = [queue("q"), queue("expert", skills={"cards": 4})]
    agents = [agent("a1"), agent("a2"), agent("x1", {"cards": 5})]
    r = Run(center(queues, agents))
    for a in ("a1", "a2", "x1"):
        r.do("sign_in", a)
    r.do("arrive", "c1", V, "q")
    r.do("accept", "c1", "a1")
    with pytest.raises(DomainError, match="needs the expert queue and a reason"):
        r.do("transfer", "c1", to_queue="expert", kind="escalation")
    r.at(60).do("transfer", "c1", to_queue="expert", kind="escalation", reason="card fraud")
    r.at(65).do("accept", "c1", "x1")
    r.at(100).do("transfer", "c1", to_agent="a2", kind="warm")
    assert r.engine.agent("x1").talking == {"c1"}  # stays with the customer until a2 answers
    r.at(110).do("accept", "c1", "a2")
    assert r.engine.agent("x1").talking == set()
    names = ["contact.transferred", "contact.offered", "agent.state_changed"]
    assert r.lines(names)[5:] == [
        "60 contact.transferred contact_id=c1 agent_id=a1 to_queue_id=expert "
        "reason=card fraud kind=escalation",
        "60 contact.offered contact_id=c1 agent_id=x1 queue_id=expert",
        "60 agent.state_changed agent_id=a1 state=available",
        "65 agent.state_changed agent_id=x1 state=busy",
        "100 contact.transferred contact_id=c1 agent_id=x1 to_queue_id=expert kind=warm",
        "100 contact.offered contact_id=c1 agent_id=a2 queue_id=expert",
        "110 agent.state_changed agent_id=a2 state=busy",
        "110 agent.state_changed agent_id=x1 state=available",
    ]


def _office_queue(**callback: float | int) -> Run:
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    hours = OpeningHours("UTC", MappingProxyType({d: ((time(9), time(17)),) for d in weekdays}))
    policy = CallbackPolicy(slot_s=1800, handle_s=300, **callback)  # type: ignore[arg-type]
    q = dataclasses.replace(queue("q", callback=policy), hours=hours)
    r = Run(center([q], [agent("a1"), agent("a2")]))
    r.do("sign_in", "a1")
    r.do("sign_in", "a2")
    return r


def test_a_booked_callback_the_queue_cannot_keep_is_refused_with_the_earliest_time() -> None:
    # two agents, 1,800 s slots, 300 s a callback, 10% for callbacks: one callback a slot
    r = _office_queue(share=0.1)
    with pytest.raises(CallbackRefused, match="closed then") as closed:
        r.do("book_callback", "q", T0 + timedelta(hours=9), customer_id="k1")
    assert closed.value.earliest == T0 + timedelta(hours=24)  # Tuesday 09:00
    r.do("book_callback", "q", T0 + timedelta(hours=2), customer_id="k1")
    with pytest.raises(CallbackRefused, match="1 callback") as full:
        r.do("book_callback", "q", T0 + timedelta(hours=2, minutes=10), customer_id="k2")
    assert full.value.earliest == T0 + timedelta(hours=2, minutes=30)
    assert str(full.value).endswith("the earliest it can is 2026-11-02T11:30:00+00:00")


def test_a_booked_callback_arrives_on_time_and_retries_when_nobody_answers() -> None:
    r = _office_queue(share=1.0, retries=1, retry_after_s=600, window_s=900)
    r.do("book_callback", "q", T0 + timedelta(hours=1), customer_id="k1", promise_id="P9")
    r.at(3600)
    r.do("accept", "P9.1", "a1")
    r.at(3630).do("callback_no_answer", "P9.1")
    r.at(4230)
    r.do("accept", "P9.2", "a2")
    r.at(4260).do("callback_no_answer", "P9.2")
    r.at(9999)  # no retries left
    names = ["promise.made", "promise.kept", "contact.arrived", "contact.ended"]
    assert r.lines(names) == [
        "0 promise.made queue_id=q kind=callback promise_id=P9",
        "3600 contact.arrived contact_id=P9.1 promise_id=P9",
        "3600 promise.kept contact_id=P9.1 agent_id=a1 promise_id=P9",
        "3630 contact.ended contact_id=P9.1 reason=no_answer",
        "4230 contact.arrived contact_id=P9.2 promise_id=P9",
        "4260 contact.ended contact_id=P9.2 reason=no_answer",
    ]


def test_follow_up_promises_are_kept_or_broken_when_overdue() -> None:
    r = Run(center([queue("q")], [agent("a1")]))
    r.do("sign_in", "a1")
    r.do("arrive", "c1", V, "q", customer_id="k1")
    r.do("accept", "c1", "a1")
    due = T0 + timedelta(hours=6)
    r.do("make_promise", PromiseKind.REPLY, due, contact_id="c1", agent_id="a1", promise_id="f1")
    r.do("make_promise", PromiseKind.RESOLUTION, due, contact_id="c1", agent_id="a1")
    r.do("make_promise", PromiseKind.REPLY, T0 + timedelta(hours=1), customer_id="k1")
    r.at(600).do("fulfil_promise", "f1", agent_id="a1")
    r.at(7200)  # the third, due at 10:00, is overdue
    with pytest.raises(DomainError, match="broken already"):
        r.do("fulfil_promise", "P3")
    r.at(21599).do("fulfil_promise", "P2", agent_id="a1")
    assert r.lines(["promise.kept", "promise.broken"]) == [
        "600 promise.kept agent_id=a1 promise_id=f1",
        "3600 promise.broken reason=overdue promise_id=P3",
        "21599 promise.kept agent_id=a1 promise_id=P2",
    ]
    with pytest.raises(DomainError, match="after now"):
        r.do("make_promise", PromiseKind.REPLY, T0, customer_id="k1")


def test_the_screen_pop_tells_the_agent_who_what_and_what_was_promised() -> None:
    k1 = Customer("k1", "vip", 250_000.0, account_number="12345")
    plan = {"q": 4.0}  # agents planned for the queue, whoever is signed in now
    c = center([queue("q")], [agent("a1")], customers=[k1, Customer("k2")])
    r = Run(c, planned_agents=lambda queue_id, start: plan[queue_id])
    r.do("arrive", "old", V, "q", customer_id="k1", topic="cards")
    r.do("abandon", "old")
    r.do("book_callback", "q", T0 + timedelta(hours=3), customer_id="k1", promise_id="cb")
    r.at(30).do("arrive", "c1", V, "q", customer_id="k1", topic="cards")
    r.at(40).do("sign_in", "a1")
    [offer] = r.engine.offers_for("a1")
    pop = offer.screen_pop
    assert offer.expires_at == T0 + timedelta(seconds=60)
    assert (pop.customer_id, pop.tier, pop.account_value, pop.top_account) == (
        "k1", "vip", 250_000.0, True,
    )  # fmt: skip
    assert pop.topic == "cards" and pop.expected_wait_told_s is None  # nobody was staffed
    assert pop.open_promises == (("cb", "callback", T0 + timedelta(hours=3, minutes=15)),)
    assert [(p.contact_id, p.outcome) for p in pop.last_contacts] == [("old", "abandoned")]


def test_a_contact_leaving_its_entry_flow_is_identified_and_routed_or_ends_there() -> None:
    from tests.flows import routed_center

    r = Run(routed_center())
    r.clock.set(T0.replace(hour=10))  # billing opens at 08:00 London time
    r.do("sign_in", "a1")
    line = "+442079460000"
    r.do("arrive_at_entry", "c1", V, line, choices=["1"], account="12345")
    r.do("arrive_at_entry", "c2", V, line, choices=["2"], self_service=[True])
    assert r.lines()[1:] == [
        "3600 contact.arrived contact_id=c1",
        "3600 contact.flow_step contact_id=c1 kind=announcement",
        "3600 contact.flow_step contact_id=c1 kind=menu",
        "3600 contact.flow_step contact_id=c1 kind=identify",
        "3600 contact.identified contact_id=c1",
        "3600 contact.flow_step contact_id=c1 kind=route",
        "3600 contact.queued contact_id=c1 queue_id=billing priority=10",  # a VIP: priority 10
        "3600 contact.offered contact_id=c1 agent_id=a1 queue_id=billing",
        "3600 contact.wait_estimated contact_id=c1 queue_id=billing estimate_s=0.0 position=0",
        # 45 s of self-service: the walk is told from when the caller entered the flow
        "3555 contact.arrived contact_id=c2",
        "3555 contact.flow_step contact_id=c2 kind=announcement",
        "3555 contact.flow_step contact_id=c2 kind=menu",
        "3555 contact.flow_step contact_id=c2 kind=self_service",
        "3600 contact.ended contact_id=c2 reason=self_service",
    ]
    assert r.engine.screen_pop("c1").flow_path == ("welcome", "menu", "who", "to_billing")
    with pytest.raises(DomainError, match="no entry flow starts at"):
        r.do("arrive_at_entry", "c3", V, "+15550000")


def test_accepting_work_after_call_work_opens_the_agents_other_channels() -> None:
    """After-call work keeps an agent's free channels from offers; accepting an e-mail offered
    before it started makes them busy, and a call waiting for them is offered at once (found by
    the property test's work-conserving invariant)."""
    email = Channel.EMAIL
    a = agent("a1", capacity={V: 1, Channel.CHAT: 0, email: 2})
    r = Run(center([queue("general"), queue("mail", email)], [a]))
    r.do("arrive", "m1", email, "mail")
    r.do("arrive", "v1", V, "general")
    r.do("arrive", "v2", V, "general")
    r.do("arrive", "m2", email, "mail")
    r.do("sign_in", "a1")  # offered m1, v1 and m2
    for cid in ("m1", "v1", "m2"):
        r.do("accept", cid, "a1")
    r.do("wrap_up", "m2")
    r.do("transfer", "m1", to_queue="mail", kind="blind")  # back to mail: offered to a1 again
    r.at(1).do("end", "v1")  # a1 in after-call work (m2): v2 waits
    assert r.engine.contact("v2").offered_to == []
    r.at(2).do("accept", "m1", "a1")
    assert (
        r.lines(["contact.offered"])[-1]
        == "2 contact.offered contact_id=v2 agent_id=a1 queue_id=general"
    )


def test_only_queues_of_calls_offer_callbacks() -> None:
    """A callback is a call: a chat queue (callbacks enabled, the default) offers none, so a
    voice callback is never dispatched by an agent's chat capacity (the property test found an
    agent on a call offered the callback of a chat that had left the line)."""
    a = agent("a1", {"cards": 2}, capacity={V: 1, Channel.CHAT: 1})
    r = Run(center([queue("general"), queue("chat", Channel.CHAT)], [a]))
    assert r.engine.state.queues["chat"].queue.routing.callback.enabled
    assert not r.engine.state.queues["chat"].queue.offers_callbacks
    r.do("arrive", "v1", V, "general")
    r.do("arrive", "c1", Channel.CHAT, "chat")
    r.do("sign_in", "a1")  # offered v1 and c1
    r.do("accept", "v1", "a1")
    r.do("decline", "c1", "a1")
    with pytest.raises(DomainError, match=r"chat does not offer callbacks \(a callback is a call"):
        r.do("request_callback", "c1")
    with pytest.raises(DomainError, match="chat does not offer callbacks"):
        r.do("book_callback", "chat", T0 + timedelta(hours=1), customer_id="k1")
    assert r.engine.contact("c1").state.name == "QUEUED"
    assert r.engine.state.agents["a1"].load.get(V, 0) == 1


@pytest.mark.parametrize("leaves", ["abandon", "request_callback"])
def test_a_customer_leaving_a_warm_transfer_frees_the_agent_who_stayed(leaves: str) -> None:
    """The agent who stays on the line in a warm transfer is freed when the customer hangs up
    or leaves the line for a callback, and offered the next call at once (the property test
    found the agent left holding a contact the engine had forgotten, and a call waiting)."""
    r = Run(center([queue("billing"), queue("general")], [agent("a1")]))
    r.do("arrive", "v1", V, "billing")
    r.do("arrive", "v2", V, "billing")
    r.do("sign_in", "a1")
    r.do("accept", "v1", "a1")
    r.do("transfer", "v1", to_queue="general", kind="warm")
    assert r.engine.state.agents["a1"].talking == {"v1"}
    r.at(5).do(leaves, "v1")
    a1 = r.engine.state.agents["a1"]
    assert "v1" not in a1.talking | a1.ringing | a1.wrapping
    assert a1.ringing == {"v2"}
    assert r.lines(["contact.offered"])[-1] == (
        "5 contact.offered contact_id=v2 agent_id=a1 queue_id=billing"
    )
