"""The flow checker: one test per kind of problem, and a clean center."""

from __future__ import annotations

from tests.flows import ROUTED, routed_center

from carecenter.adapters.center_yaml import parse_center, template
from carecenter.engine.flow_check import FlowProblem, check_center


def problems(text: str) -> list[FlowProblem]:
    return check_center(routed_center(text))


def test_a_clean_center_has_no_problems() -> None:
    assert check_center(routed_center()) == []
    assert check_center(parse_center(template())) == []


def test_an_unreachable_node() -> None:
    text = ROUTED + "      spare: {kind: announcement, text: Goodbye}\n"
    assert problems(text) == [
        FlowProblem("main", "spare", "unreachable", "no path from the start (welcome) leads here")
    ]


def test_dead_ends() -> None:
    text = ROUTED.replace(", not_found: to_general}", "}").replace(", next: to_general}", "}")
    assert problems(text) == [
        FlowProblem("main", "who", "dead_end", "no next node when the customer is not found"),
        FlowProblem("main", "balance", "dead_end", "no next node for the 40% who do not end here"),
    ]
    menu = ROUTED.replace(
        "        choices: {1: who, 2: balance}\n        invalid: to_general\n", ""
    )
    found = problems(menu)
    assert (
        FlowProblem("main", "menu", "dead_end", "a menu with no choices and no invalid node")
        in found
    )


def test_a_loop_a_caller_can_never_leave() -> None:
    text = ROUTED.replace("choices: {1: who, 2: balance}", "choices: {1: help, 2: help}")
    text += (
        "      help: {kind: announcement, text: Our hours are 8 to 6, next: more}\n"
        "      more: {kind: menu, choices: {1: help, 9: menu}}\n"
    )
    found = problems(text.replace("invalid: to_general", "invalid: menu"))
    assert [p for p in found if p.problem == "loop"] == [
        FlowProblem(
            "main",
            "menu",
            "loop",
            "menu, help, more lead only to each other: no way on to a queue or an end",
        )
    ]
    # a way out of the loop (the invalid node) is enough
    assert [p.problem for p in problems(text)] == ["unreachable"] * 3


def test_a_queue_with_hours_and_no_closed_action() -> None:
    text = ROUTED.replace("      closed: {action: message, message: We are closed}\n", "")
    assert problems(text) == [
        FlowProblem(
            "main",
            "to_billing",
            "closed_no_action",
            "queue billing has opening hours but no routing.closed action",
        )
    ]


def test_required_skills_no_agent_has() -> None:
    text = (
        ROUTED.replace("skills: {billing: 3}", "skills: {billing: 5, spanish: 1}")
        .replace("skills: {billing: 2}}", "skills: {billing: 2, spanish: 1}}")
        .replace("skills: {billing: 1}}\n      overflow", "skills: {spanish: 1}}\n      overflow")
    )
    assert problems(text) == [
        FlowProblem(
            "main",
            "to_billing",
            "no_agent",
            "queue billing: no agent has billing >= 5, spanish >= 1 for voice",
        ),
        FlowProblem(
            "main",
            "to_billing",
            "no_agent",
            "queue billing after its last relaxation: no agent has spanish >= 1 for voice",
        ),
    ]


def test_a_routing_profile_and_capacity_limit_who_serves_a_queue() -> None:
    text = ROUTED.replace("queues: [billing, general]", "queues: [general]")
    found = problems(text)
    assert {p.detail for p in found} == {
        "queue billing: no agent has billing >= 3 for voice",
        "queue billing after its last relaxation: no agent has billing >= 1 for voice",
    }
    chat = ROUTED.replace("  general:\n    skills", "  general:\n    channel: chat\n    skills")
    chat = chat.replace("      overflow: {to_queue: general, after_s: 300}\n", "")
    assert {p.detail for p in problems(chat)} == {
        "queue general: no agent has billing >= 1 for chat",
    }


def test_overflow_and_closed_targets_in_a_cycle() -> None:
    text = ROUTED.replace(
        "  general:\n    skills: {billing: 1}\n",
        "  general:\n    skills: {billing: 1}\n    routing: {overflow: {to_queue: billing}}\n",
    )
    cycles = [p for p in problems(text) if p.problem == "queue_cycle"]
    assert cycles == [
        FlowProblem(
            "main",
            "to_billing",
            "queue_cycle",
            "billing -> general -> billing: contacts go round in a cycle",
        ),
        FlowProblem(
            "main",
            "to_general",
            "queue_cycle",
            "general -> billing -> general: contacts go round in a cycle",
        ),
    ]
