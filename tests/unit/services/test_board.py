"""The wallboard's figures from hand-built rows (:mod:`carecenter.services.board`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from carecenter.domain.center import Agent, Center, Queue, ServiceLevelPolicy, Skill
from carecenter.domain.enums import Channel
from carecenter.domain.projection import AgentInterval, VisitFact
from carecenter.domain.promise_facts import PromiseRow
from carecenter.services.board import CENTER, build, recent

NOW = datetime(2026, 12, 7, 10, 30, 20, tzinfo=UTC)
CENTER_CONFIG = Center(
    name="Test",
    skills={"s": Skill("s"), "t": Skill("t")},
    queues={
        "sales": Queue(
            "sales", "Sales", Channel.VOICE, ServiceLevelPolicy(20, 0.8), required_skills={"s": 1}
        ),
        "support": Queue(
            "support",
            "Support",
            Channel.VOICE,
            ServiceLevelPolicy(30, 0.9),
            required_skills={"t": 1},
        ),
    },
    agents={
        "a1": Agent("a1", "Amy", team="red", skills={"s": 3}),
        "a2": Agent("a2", "Abe", team="red", skills={"s": 2}),
        "b1": Agent("b1", "Bea", team="blue", skills={"t": 3}),
    },
)


def minute(
    at: datetime, queue: str, offered: int, within: int, answered: int, waits: float
) -> dict[str, Any]:
    """A catalog row of one minute: ``offered`` contacts, ``answered`` of them after
    ``waits`` seconds in all, ``within`` of them within the threshold."""
    return {
        "interval_start": at,
        "queue": queue,
        "offered": offered,
        "answered": answered,
        "abandoned": offered - answered,
        "sl_numerator": within,
        "sl_denominator": offered,
        "wait_answered_total_s": waits,
        "flowed_out_offered": offered,
        "waited": offered,
    }


def board(**overrides: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "center": CENTER_CONFIG,
        "now": NOW,
        "source": "test",
        "minutes": [],
        "agent_rows": [],
        "visits": [],
        "intervals": [],
        "promises": [],
        "forecast": {},
        "required": {},
    }
    inputs.update(overrides)
    return build(**inputs)


def visit(contact: str, queue: str, waited_s: float, *, answered: bool = False) -> VisitFact:
    enqueued = NOW - timedelta(seconds=waited_s)
    return VisitFact(
        contact_id=contact,
        visit=1,
        queue_id=queue,
        channel="voice",
        direction="inbound",
        customer_id=None,
        tier="standard",
        topic=None,
        arrived_at=enqueued,
        enqueued_at=enqueued,
        answered_at=NOW - timedelta(seconds=5) if answered else None,
        agent_id="a1" if answered else None,
    )


def queue(result: dict[str, Any], queue_id: str) -> dict[str, Any]:
    return next(q for q in result["queues"] if q["queue_id"] == queue_id)


def test_today_and_the_last_minutes_are_ratios_of_sums() -> None:
    start = NOW.replace(hour=9, minute=0, second=0)
    rows = [
        minute(start, "sales", 10, 9, 10, 100.0),  # long ago: 90 %
        minute(NOW.replace(second=0) - timedelta(minutes=20), "sales", 4, 2, 4, 80.0),  # 50 %
        minute(NOW.replace(second=0) - timedelta(minutes=5), "sales", 2, 0, 2, 90.0),  # 0 %
        minute(start, "support", 5, 5, 5, 10.0),
    ]
    result = board(minutes=rows)
    sales = queue(result, "sales")
    assert sales["offered"] == 16
    assert sales["service_level"] == pytest.approx(11 / 16)
    assert sales["asa_s"] == pytest.approx(270 / 16)
    assert sales["service_level_15m"] == pytest.approx(0.0)
    assert sales["service_level_30m"] == pytest.approx(2 / 6)
    totals = result["totals"]
    assert totals["queue_id"] == CENTER
    assert totals["offered"] == 21
    assert totals["service_level"] == pytest.approx(16 / 21)
    assert sales["sl_target"] == 0.8
    assert sales["sl_threshold_s"] == 20


def test_recent_takes_the_current_minute_and_the_ones_before() -> None:
    rows = [{"interval_start": NOW.replace(second=0) - timedelta(minutes=m)} for m in range(20)]
    assert len(recent(rows, NOW, 15)) == 15


def test_waiting_contacts_and_the_longest_wait() -> None:
    visits = [
        visit("c1", "sales", 42.0),
        visit("c2", "sales", 7.0),
        visit("c3", "sales", 300.0, answered=True),
        visit("c4", "support", 3.0),
    ]
    result = board(visits=visits)
    sales = queue(result, "sales")
    assert sales["waiting"] == 2
    assert sales["longest_wait_s"] == pytest.approx(42.0)
    assert result["totals"]["waiting"] == 3
    states = {c["contact_id"]: c["state"] for c in result["contacts"]}
    assert states == {"c1": "waiting", "c2": "waiting", "c3": "on_contact", "c4": "waiting"}
    assert [c["contact_id"] for c in result["contacts"]][:2] == ["c1", "c2"]  # longest first


def test_agents_by_state_with_time_in_state() -> None:
    intervals = [
        AgentInterval("a1", 1, "busy", NOW - timedelta(seconds=65)),
        AgentInterval("a2", 2, "break", NOW - timedelta(seconds=10), reason="missed"),
        AgentInterval("b1", 3, "break", NOW - timedelta(seconds=600), reason="lunch"),
    ]
    result = board(intervals=intervals)
    agents = {a["agent_id"]: a for a in result["agents"]}
    assert agents["a1"]["state"] == "on_contact"
    assert agents["a1"]["in_state_s"] == pytest.approx(65.0)
    assert agents["a2"]["state"] == "missed"
    assert agents["b1"]["state"] == "break"
    assert agents["b1"]["reason"] == "lunch"
    sales = queue(result, "sales")
    assert sales["agents"] == {
        "available": 0,
        "on_contact": 1,
        "after_call_work": 0,
        "break": 0,
        "missed": 1,
    }
    assert sales["agents_staffed"] == 1


def test_a_team_board_has_only_its_queues_agents_and_totals() -> None:
    start = NOW.replace(hour=9, minute=0, second=0)
    rows = [minute(start, "sales", 10, 9, 10, 100.0), minute(start, "support", 5, 0, 5, 500.0)]
    visits = [visit("c1", "sales", 10.0), visit("c2", "support", 10.0)]
    result = board(minutes=rows, visits=visits, team="blue")
    assert [q["queue_id"] for q in result["queues"]] == ["support"]
    assert [a["agent_id"] for a in result["agents"]] == ["b1"]
    assert [c["contact_id"] for c in result["contacts"]] == ["c2"]
    assert result["totals"]["offered"] == 5
    assert result["totals"]["service_level"] == pytest.approx(0.0)


def test_promises_forecast_and_required_staff() -> None:
    promises = [
        PromiseRow(
            "p1",
            kind="callback",
            queue_id="sales",
            due_at=NOW + timedelta(minutes=5),
            status="open",
        ),
        PromiseRow(
            "p2", kind="callback", queue_id="sales", due_at=NOW + timedelta(hours=3), status="open"
        ),
        PromiseRow(
            "p3",
            kind="resolution",
            queue_id="support",
            due_at=NOW - timedelta(hours=1),
            status="open",
        ),
    ]
    result = board(
        promises=promises, forecast={"sales": 120.5}, required={"sales": 4, "support": 2}
    )
    sales = queue(result, "sales")
    assert sales["callbacks_pending"] == 2
    assert sales["promises_due"] == 1
    assert sales["forecast_so_far"] == pytest.approx(120.5)
    assert sales["agents_required"] == 4
    assert queue(result, "support")["promises_due"] == 1
    assert result["totals"]["agents_required"] == 6


def test_an_agent_the_center_does_not_list_serves_the_queues_they_answered() -> None:
    rows = [
        {
            "agent": "SIP/1127",
            "queue": "support",
            "offered": 3,
            "handled": 3,
            "handle_total_s": 600.0,
        }
    ]
    intervals = [AgentInterval("SIP/1127", 1, "available", NOW - timedelta(seconds=5))]
    result = board(agent_rows=rows, intervals=intervals)
    agent = next(a for a in result["agents"] if a["agent_id"] == "SIP/1127")
    assert agent["queues"] == ["support"]
    assert agent["contacts_today"] == 3
    assert agent["aht_s"] == pytest.approx(200.0)
    assert queue(result, "support")["agents"]["available"] == 1
