"""The flow walker: menus, identification, self-service shares, invalid input and retries,
and the events a walk turns into."""

from __future__ import annotations

import random

from tests.flows import ROUTED, routed_center
from tests.helpers import T0

from carecenter.domain.events import ContactFlowStep, ContactIdentified
from carecenter.domain.flows import NodeKind
from carecenter.engine.flow import (
    HANG_UP,
    FlowStep,
    Outcome,
    customer_by_account,
    find_flow,
    flow_events,
    walk,
)

CENTER = routed_center()
MAIN = CENTER.flows["main"]


def test_a_menu_choice_and_an_identified_customer_reach_the_queue() -> None:
    walked = walk(MAIN, CENTER, choices=["1"], account="12345")
    assert walked.outcome is Outcome.ROUTED
    assert (walked.queue_id, walked.topic) == ("billing", "billing")
    assert walked.customer is not None and walked.customer.customer_id == "c1"
    assert walked.steps == (
        FlowStep("welcome", NodeKind.ANNOUNCEMENT, None, "Welcome"),
        FlowStep("menu", NodeKind.MENU, "1", "-> who"),
        FlowStep(
            "who", NodeKind.IDENTIFY, None, "account 12345: customer c1, tier vip, value 120000"
        ),
        FlowStep("to_billing", NodeKind.ROUTE, None, "queue billing, topic billing"),
    )


def test_an_unknown_or_missing_account_is_not_found() -> None:
    for account, detail in (("999", "account 999: not found"), (None, "no account number")):
        walked = walk(MAIN, CENTER, choices=["1"], account=account)
        assert walked.path == ("welcome", "menu", "who", "to_general")
        assert walked.steps[2].detail == detail
        assert walked.customer is None and walked.queue_id == "general" and walked.topic == ""


def test_the_self_service_share_is_drawn_from_a_seeded_random() -> None:
    def outcomes(seed: int) -> list[Outcome]:
        rng = random.Random(seed)
        return [walk(MAIN, CENTER, choices=["2"], self_service=rng).outcome for _ in range(1000)]

    ended = outcomes(7)
    assert ended.count(Outcome.SELF_SERVICE) == 633  # share 0.6
    assert set(ended) == {Outcome.SELF_SERVICE, Outcome.ROUTED}
    assert outcomes(7) == ended


def test_scripted_self_service_answers() -> None:
    done = walk(MAIN, CENTER, choices=["2"], self_service=[True])
    assert done.outcome is Outcome.SELF_SERVICE and done.queue_id is None
    assert done.steps[-1] == FlowStep("balance", NodeKind.SELF_SERVICE, None, "ended here", 45.0)
    on = walk(MAIN, CENTER, choices=["2"], self_service=[False])
    assert on.outcome is Outcome.ROUTED and on.queue_id == "general"
    assert walk(MAIN, CENTER, choices=["2"]).outcome is Outcome.ROUTED  # no answers: goes on


def test_invalid_input_is_retried_then_goes_to_the_invalid_node() -> None:
    walked = walk(MAIN, CENTER, choices=["7", "1"], account="12345")
    assert walked.path == ("welcome", "menu", "menu", "who", "to_billing")
    assert walked.steps[1].detail == "invalid choice '7': played again (1 of 2)"
    used_up = walk(MAIN, CENTER, choices=["7", "8", "9", "1"])
    assert used_up.path == ("welcome", "menu", "menu", "menu", "to_general")
    assert [s.detail for s in used_up.steps[1:4]] == [
        "invalid choice '7': played again (1 of 2)",
        "invalid choice '8': played again (2 of 2)",
        "invalid choice '9': retries used up -> to_general",
    ]
    silent = walk(MAIN, CENTER)
    assert silent.steps[-2].detail == "no input: retries used up -> to_general"
    assert silent.outcome is Outcome.ROUTED and silent.queue_id == "general"


def test_a_menu_without_an_invalid_node_ends_the_contact() -> None:
    center = routed_center(ROUTED.replace("        invalid: to_general\n", "        retries: 0\n"))
    walked = walk(center.flows["main"], center, choices=["5"])
    assert walked.outcome is Outcome.INVALID_INPUT
    assert walked.steps[-1].detail == "invalid choice '5': retries used up, the contact ends"


def test_hanging_up_and_ending_at_an_announcement() -> None:
    assert walk(MAIN, CENTER, choices=[HANG_UP]).outcome is Outcome.HUNG_UP
    text = ROUTED.replace("{kind: route, queue: billing, topic: billing}", "{kind: announcement}")
    center = routed_center(text)
    walked = walk(center.flows["main"], center, choices=["1"], account="12345")
    assert walked.outcome is Outcome.ANNOUNCEMENT and walked.customer is not None


def test_a_loop_stops_the_walk() -> None:
    text = ROUTED.replace("next: menu}", "next: welcome}")
    center = routed_center(text)
    walked = walk(center.flows["main"], center, max_steps=50)
    assert walked.outcome is Outcome.LOOP and len(walked.steps) == 50


def test_a_flow_is_found_by_id_or_entry_point_and_a_customer_by_account() -> None:
    assert find_flow(CENTER, "main") is MAIN
    assert find_flow(CENTER, "+442079460000") is MAIN
    assert find_flow(CENTER, "+1") is None
    found = customer_by_account(CENTER, " 555 ")
    assert found is not None and found.customer_id == "c2"


def test_a_walk_becomes_flow_step_and_identified_events() -> None:
    walked = walk(MAIN, CENTER, choices=["1"], account="12345")
    events = flow_events(walked, "k1", T0)
    assert [type(e) for e in events] == [
        ContactFlowStep,
        ContactFlowStep,
        ContactFlowStep,
        ContactIdentified,
        ContactFlowStep,
    ]
    assert events[1] == ContactFlowStep(
        occurred_at=T0, contact_id="k1", flow_id="main", node_id="menu", kind="menu", choice="1"
    )
    assert events[3] == ContactIdentified(
        occurred_at=T0, contact_id="k1", customer_id="c1", tier="vip", account_value=120000.0
    )
    served = flow_events(walk(MAIN, CENTER, choices=["2"], self_service=[False]), "k2", T0)
    assert [(e.occurred_at - T0).total_seconds() for e in served] == [0, 0, 0, 45]
