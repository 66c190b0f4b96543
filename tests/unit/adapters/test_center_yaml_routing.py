"""center.yaml's routing, routing profiles, customers and entry flows: what they build, and
each mistake as one line with file, line and field."""

from __future__ import annotations

import pytest
from tests.flows import ROUTED

from carecenter.adapters.center_yaml import parse_center, template
from carecenter.domain.flows import IdentifyNode, MenuNode, RouteNode
from carecenter.domain.routing_policy import (
    AgentQueue,
    ClosedAction,
    ClosedActionKind,
    Overflow,
    Strategy,
)
from carecenter.errors import ConfigError


def error_for(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_center(text)
    return info.value


def test_routing_profiles_customers_and_flows_build_the_domain() -> None:
    center = parse_center(ROUTED)
    routing = center.queues["billing"].routing
    assert routing.strategy is Strategy.BEST_SKILLED and routing.aging_rate == 0.5
    assert [(s.after_s, dict(s.skills)) for s in routing.relaxation] == [
        (60.0, {"billing": 2}),
        (120.0, {"billing": 1}),
    ]
    assert center.queues["billing"].skills_at(2) == {"billing": 1}
    assert routing.overflow == Overflow("general", 300.0)
    assert routing.closed == ClosedAction(ClosedActionKind.MESSAGE, message="We are closed")
    assert routing.hold.messages == ("Thanks for waiting",)
    assert routing.hold.announce_position_every_s == 60
    assert (routing.callback.window_s, routing.callback.retries) == (600, 1)
    assert center.queues["general"].routing.closed == ClosedAction()
    assert dict(center.agents["a1"].queues) == {"billing": AgentQueue(), "general": AgentQueue()}
    assert dict(center.agents["a2"].queues) == {"general": AgentQueue(1, 10.0)}
    assert center.agents["a2"].call_blocks_chat and not center.agents["a1"].call_blocks_chat
    c1, c2 = center.customers["c1"], center.customers["c2"]
    assert (c1.tier_id, c1.account_value, c1.owner_agent_id, c1.account_number) == (
        "vip",
        120000.0,
        "a1",
        "12345",
    )
    assert (c2.tier_id, c2.account_number) == ("standard", "555")
    flow = center.flows["main"]
    assert flow.start == "welcome" and flow.entries == ("+442079460000",)
    assert flow.nodes["menu"] == MenuNode(
        "menu", "Press 1 for billing, 2 for balance", {"1": "who", "2": "balance"}, "to_general"
    )
    assert flow.nodes["who"] == IdentifyNode("who", "", "to_billing", "to_general")
    assert flow.nodes["to_billing"] == RouteNode("to_billing", "billing", "billing")


def test_the_template_has_a_routing_and_a_flow_example() -> None:
    center = parse_center(template())
    assert center.flows and center.customers
    assert any(q.routing.relaxation for q in center.queues.values())


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "strategy: best_skilled",
            "strategy: fastest",
            "center.yaml:13: queues.billing.routing.strategy: must be one of 'longest_idle', "
            "'best_skilled', 'least_occupied', 'round_robin', 'fewest_contacts', 'ring_all' or "
            "'random', got 'fastest'",
        ),
        (
            "aging_rate: 0.5",
            "aging_rate: -1",
            "center.yaml:14: queues.billing.routing.aging_rate: must be at least 0, got -1",
        ),
        (
            "{after_s: 120,",
            "{after_s: 30,",
            "center.yaml:17: queues.billing.routing.relaxation.1.after_s: must be after the step "
            "before (60 s), got 30",
        ),
        (
            "skills: {billing: 2}}",
            "skills: {french: 2}}",
            "center.yaml:16: queues.billing.routing.relaxation.0.skills.french: unknown skill "
            "'french' (defined: billing, spanish)",
        ),
        (
            "to_queue: general, after_s: 300",
            "to_queue: nowhere, after_s: 300",
            "center.yaml:18: queues.billing.routing.overflow.to_queue: unknown queue 'nowhere' "
            "(defined: billing, general)",
        ),
        (
            "{after_s: 120, skills: {billing: 1}}",
            "{after_s: 120, skills: {billing: 1, spanish: 1}}",
            "center.yaml:17: queues.billing.routing.relaxation.1.skills.spanish: a relaxation "
            "step may only lower or drop requirements; spanish 1 asks more than the step before "
            "(not required)",
        ),
        (
            "  general:\n    skills: {billing: 1}",
            "  general:\n    channel: chat\n    skills: {billing: 1}",
            "center.yaml:18: queues.billing.routing.overflow.to_queue: queue 'general' takes chat "
            "contacts, not voice ones",
        ),
        (
            "to_queue: general, after_s: 300",
            "to_queue: billing, after_s: 300",
            "center.yaml:18: queues.billing.routing.overflow.to_queue: a queue cannot send "
            "contacts to itself",
        ),
        (
            "closed: {action: message, message: We are closed}",
            "closed: {action: queue}",
            "center.yaml:19: queues.billing.routing.closed: action queue needs to_queue",
        ),
        (
            "closed: {action: message, message: We are closed}",
            "closed: {action: message}",
            "center.yaml:19: queues.billing.routing.closed: action message needs the message",
        ),
        (
            "closed: {action: message, message: We are closed}",
            "closed: {action: voicemail, to_queue: general}",
            "center.yaml:19: queues.billing.routing.closed: to_queue is only for action queue, "
            "not voicemail",
        ),
        (
            "hold: {messages:",
            "hold: {offers: [Buy now], messages:",
            "center.yaml:20: queues.billing.routing.hold.offers: only a sales queue (sales: true) "
            "may play offers",
        ),
        (
            "callback: {window_s: 600, retries: 1}",
            "callback: {window_s: 600, retries: -1}",
            "center.yaml:21: queues.billing.routing.callback.retries: must be at least 0, got -1",
        ),
        (
            "queues: [billing, general]",
            "queues: [billing, sales]",
            "center.yaml:25: agents.a1.queues.sales: unknown queue 'sales' "
            "(defined: billing, general)",
        ),
        (
            "queues: [billing, general]",
            "queues: billing",
            "center.yaml:25: agents.a1.queues: must be a list of queue ids or a mapping of queue "
            "id to priority and delay_s, got 'billing'",
        ),
        (
            "welcome: {kind: announcement, text: Welcome, next: menu}",
            "welcome: hello",
            "center.yaml:34: flows.main.nodes.welcome: must be a mapping, got 'hello'",
        ),
        (
            "{priority: 1, delay_s: 10}",
            "{priority: 1, delay: 10}",
            "center.yaml:26: agents.a2.queues.general.delay: is not a known field",
        ),
        (
            "call_blocks_chat: true",
            "call_blocks_chat: maybe",
            "center.yaml:26: agents.a2.call_blocks_chat: must be true or false, got 'maybe'",
        ),
        (
            "c1: {tier: vip",
            "c1: {tier: gold",
            "center.yaml:28: customers.c1.tier: unknown tier 'gold' (defined: standard, vip)",
        ),
        ("owner: a1", "owner: a9", "center.yaml:28: customers.c1.owner: unknown agent 'a9'"),
        (
            "c2: {account_number: 555}",
            "c2: {account_number: '12345'}",
            "center.yaml:29: customers.c2.account_number: account number '12345' is also "
            "customer c1's",
        ),
        (
            "account_value: 120000",
            "account_value: lots",
            "center.yaml:28: customers.c1.account_value: must be a number, got 'lots'",
        ),
        (
            '    entry: "+442079460000"\n',
            '    entry: "+442079460000"\n    start: nope\n',
            "center.yaml:33: flows.main.start: unknown node 'nope'",
        ),
        (
            "invalid: to_general",
            "invalid: nowhere",
            "center.yaml:39: flows.main.nodes.menu.invalid: unknown node 'nowhere'",
        ),
        (
            "choices: {1: who, 2: balance}",
            "choices: {1: who, 2: balanse}",
            "center.yaml:38: flows.main.nodes.menu.choices.2: unknown node 'balanse'",
        ),
        (
            "{kind: identify,",
            "{kind: ask,",
            "center.yaml:40: flows.main.nodes.who.kind: must be one of menu, identify, "
            "self_service, announcement, route, tier, got 'ask'",
        ),
        (
            "{kind: identify, found",
            "{found",
            "center.yaml:40: flows.main.nodes.who.kind: is required: one of menu, identify, "
            "self_service, announcement, route, tier",
        ),
        (
            "share: 0.6",
            "share: 1.6",
            "center.yaml:41: flows.main.nodes.balance.share: must be between 0 and 1, got 1.6",
        ),
        (
            "{kind: route, queue: general}",
            "{kind: route, queue: sales}",
            "center.yaml:43: flows.main.nodes.to_general.queue: unknown queue 'sales' "
            "(defined: billing, general)",
        ),
        (
            "{kind: route, queue: general}",
            "{kind: route}",
            "center.yaml:43: flows.main.nodes.to_general.queue: is required",
        ),
        (
            "{kind: route, queue: general}",
            "{kind: route, queue: general, next: welcome}",
            "center.yaml:43: flows.main.nodes.to_general.next: is not a known field",
        ),
    ],
)
def test_routing_and_flow_mistakes_are_reported_exactly(old: str, new: str, message: str) -> None:
    assert old in ROUTED
    error = error_for(ROUTED.replace(old, new))
    assert [str(p) for p in error.problems] == [message]


def test_an_entry_point_starts_one_flow() -> None:
    second = """\
  other:
    entry: ["chat", "+442079460000"]
    nodes:
      only: {kind: route, queue: general}
"""
    error = error_for(ROUTED + second)
    assert str(error) == (
        "center.yaml:45: flows.other.entry.1: entry '+442079460000' also starts flow main"
    )


def test_an_empty_flow_and_every_mistake_in_line_order() -> None:
    text = ROUTED.replace("owner: a1", "owner: a9").replace("invalid: to_general", "invalid: x")
    error = error_for(text + "  empty: {nodes: {}}\n")
    assert [str(p) for p in error.problems] == [
        "center.yaml:28: customers.c1.owner: unknown agent 'a9'",
        "center.yaml:39: flows.main.nodes.menu.invalid: unknown node 'x'",
        "center.yaml:44: flows.empty.nodes: a flow needs at least one node",
    ]
