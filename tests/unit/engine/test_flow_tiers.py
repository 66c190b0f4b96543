"""The tier communication check of ``flow check``: VIP-only messages (an ``audience``, or
their words) that callers of another tier can reach, with the path they take; and the
``tier`` node that sends each tier its own way."""

from __future__ import annotations

from tests.flows import routed_center

from carecenter.domain.flows import TierNode
from carecenter.engine.flow import walk
from carecenter.engine.flow_check import check_center, tier_paths, tiers_of

CENTER = """\
center: {name: Tiers, timezone: UTC}
skills: {billing: {}}
tiers:
  standard: {}
  gold: {priority: 5}
  vip: {name: Premier, priority: 100}
queues:
  billing:
    skills: {billing: 1}
    routing: {hold: {messages: [Thanks for waiting]}}
  premier:
    skills: {billing: 1}
    routing: {hold: {messages: [A dedicated adviser will be with you]}}
agents:
  a1: {name: Ana, skills: {billing: 2}}
customers:
  c1: {tier: vip, account_number: "10001"}
  c2: {tier: gold, account_number: "10002"}
flows:
  main:
    nodes:
      welcome: {kind: announcement, text: Welcome to Example Bank, next: who}
      who: {kind: identify, found: by_tier, not_found: menu}
      by_tier: {kind: tier, branches: {vip: vip_news}, otherwise: menu}
      vip_news: {kind: announcement, audience: vip, text: Your adviser line is new, next: to_premier}
      menu:
        kind: menu
        prompt: Press 1 for billing
        choices: {1: to_billing}
      to_billing: {kind: route, queue: billing}
      to_premier: {kind: route, queue: premier}
"""  # noqa: E501


def problems(text: str) -> list[tuple[str, str, str]]:
    return [(p.node_id, p.problem, p.detail) for p in check_center(routed_center(text))]


def test_behind_the_tier_branch_is_fine() -> None:
    assert problems(CENTER) == []


def test_a_vip_message_before_the_branch_is_reported_with_the_path() -> None:
    text = CENTER.replace(
        "who: {kind: identify, found: by_tier", "who: {kind: identify, found: vip_news"
    )
    assert problems(text) == [
        ("by_tier", "unreachable", "no path from the start (welcome) leads here"),
        (
            "vip_news",
            "tier_leak",
            "audience vip: meant for vip, but a standard caller hears it (also gold): "
            "welcome > who [found] > vip_news",
        ),
    ]


def test_words_mark_a_message_and_the_tier_names_count() -> None:
    text = CENTER.replace("Press 1 for billing", "Press 1 for billing. Ask about our VIP line")
    assert problems(text) == [
        (
            "menu",
            "tier_leak",
            "mentions 'VIP': meant for vip, but a standard caller hears it (also gold): "
            "welcome > who [not_found] > menu",
        )
    ]
    # the name of the vip tier ("Premier"), whole words only, any case
    text = CENTER.replace("Welcome to Example Bank", "Welcome to the premier bank")
    assert [p[:2] for p in problems(text)] == [("welcome", "tier_leak")]
    assert problems(CENTER.replace("Welcome to Example Bank", "Welcome premiership fans")) == []
    # audience: all says the node is for everyone, whatever its words
    text = CENTER.replace(
        "welcome: {kind: announcement,", "welcome: {kind: announcement, audience: all,"
    ).replace("Welcome to Example Bank", "No VIP treatment here")
    assert problems(text) == []


def test_a_queue_whose_hold_message_is_vip_only() -> None:
    text = CENTER.replace("A dedicated adviser", "Your Premier adviser").replace(
        "choices: {1: to_billing}", "choices: {1: to_billing, 9: to_premier}"
    )
    assert problems(text) == [
        (
            "to_premier",
            "tier_leak",
            "queue premier's hold message 'Your Premier adviser will be with you' mentions "
            "'Premier': meant for vip, but a standard caller hears it (also gold): "
            "welcome > who [not_found] > menu [9] > to_premier",
        )
    ]


def test_unknown_tiers_and_a_tier_node_without_otherwise() -> None:
    text = CENTER.replace("branches: {vip: vip_news}, otherwise: menu", "branches: {vpi: vip_news}")
    # no tier of the center reaches vip_news now: nothing leaks, but the mistake shows
    assert problems(text) == [
        ("by_tier", "dead_end", "no next node for tier standard, gold, vip (no otherwise node)"),
        ("by_tier", "unknown_tier", "tier vpi is not defined under tiers"),
    ]


def test_each_tier_takes_its_branch() -> None:
    center = routed_center(CENTER)
    flow = center.flows["main"]
    assert tiers_of(center) == ["standard", "gold", "vip"]
    assert "vip_news" in tier_paths(flow, "vip")
    assert "vip_news" not in tier_paths(flow, "gold")
    assert tier_paths(flow, "vip")["to_premier"] == (
        "welcome > who [found] > by_tier [vip] > vip_news > to_premier"
    )
    node = flow.nodes["by_tier"]
    assert isinstance(node, TierNode) and node.next_for("gold") == "menu"
    vip = walk(flow, center, account="10001", choices=["1"])
    assert vip.path == ("welcome", "who", "by_tier", "vip_news", "to_premier")
    assert vip.steps[2].detail == "tier vip -> vip_news"
    gold = walk(flow, center, account="10002", choices=["1"])
    assert (gold.path[-2:], gold.queue_id) == (("menu", "to_billing"), "billing")
    nobody = walk(flow, center, choices=["1"])
    assert nobody.path == ("welcome", "who", "menu", "to_billing")


def test_tier_nodes_and_audiences_survive_the_store() -> None:
    from carecenter.adapters.store.config_json import flow_from_json, flow_to_json

    flow = routed_center(CENTER).flows["main"]
    assert flow_from_json("main", flow_to_json(flow)) == flow
