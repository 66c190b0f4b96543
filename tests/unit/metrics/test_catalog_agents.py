"""Agent-time metrics, agent dimensions, first-contact resolution, long calls and time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.helpers import T0
from tests.unit.metrics.builders import at, one, report, state, visit

from carecenter.metrics.frames import AGENT_LOOKUP_MAX

AGENTS = {"a1": ("red", "Leeds", 36.0), "a2": ("blue", "Cardiff", 18.0)}


def _hh(row: dict[str, object]) -> str:
    start = row["interval_start"]
    assert isinstance(start, datetime)
    return start.strftime("%H:%M")


def test_occupancy_splits_states_at_interval_boundaries() -> None:
    # 09:50-10:10 busy, 10:10-10:40 available, 10:40-10:50 after-call work
    intervals = [
        state("a1", "busy", at(50 * 60), at(70 * 60)),
        state("a1", "available", at(70 * 60), at(100 * 60)),
        state("a1", "after_call_work", at(100 * 60), at(110 * 60)),
    ]
    result = report([], intervals, agents=AGENTS, interval="1h")
    nine, ten = result.rows
    assert (_hh(nine), nine["busy_total_s"], nine["logged_in_total_s"]) == ("09:00", 600, 600)
    assert nine["occupancy"] == pytest.approx(1.0)
    assert (ten["busy_total_s"], ten["available_total_s"], ten["acw_state_total_s"]) == (
        600,
        1800,
        600,
    )
    assert ten["occupancy"] == pytest.approx((600 + 600) / 3000)
    assert nine["staff_cost"] == pytest.approx(600 / 3600 * 36.0)
    assert ten["staffed_hours"] == pytest.approx(3000 / 3600)


def test_interval_spanning_several_buckets_and_breaks() -> None:
    intervals = [
        state("a1", "available", at(-15 * 60), at(75 * 60)),  # 08:45-10:15
        state("a1", "break", at(75 * 60), at(90 * 60)),
        state("a1", "busy", at(90 * 60), at(120 * 60)),
    ]
    result = report([], intervals, agents=AGENTS, interval="30m")
    avail = [(_hh(r), r["available_total_s"]) for r in result.rows]
    assert avail == [
        ("08:30", 900),
        ("09:00", 1800),
        ("09:30", 1800),
        ("10:00", 900),
        ("10:30", 0),
    ]
    last = result.rows[-1]
    assert (last["break_total_s"], last["busy_total_s"]) == (0, 1800)
    ten = result.rows[3]
    assert ten["break_total_s"] == 900
    assert ten["utilization"] == pytest.approx(0.0)
    whole = report([], intervals, agents=AGENTS, interval="all").rows[0]
    assert whole["logged_in_total_s"] == pytest.approx(135 * 60)
    assert whole["utilization"] == pytest.approx(30 / 135)
    assert whole["occupancy"] == pytest.approx(30 / 120)


def test_open_interval_counts_until_the_end_of_the_period() -> None:
    intervals = [state("a1", "available", at(0), None)]
    result = report([], intervals, agents=AGENTS, interval="1h", start=T0, end=at(2 * 3600))
    assert [r["available_total_s"] for r in result.rows] == [3600, 3600]


def test_period_clips_agent_time() -> None:
    intervals = [state("a1", "busy", at(-1800), at(1800))]
    row = report([], intervals, agents=AGENTS, interval="all", start=T0, end=at(3600)).rows[0]
    assert row["busy_total_s"] == pytest.approx(1800)


def test_by_agent_team_and_site_with_cost_per_contact() -> None:
    visits = [
        visit("c1", agent="a1", talk=300.0, acw=60.0),
        visit("c2", agent="a1", talk=200.0, acw=40.0),
        visit("c3", agent="a2", talk=100.0, acw=20.0),
        visit("c4", outcome="abandoned", wait=40.0),
    ]
    intervals = [
        state("a1", "busy", at(0), at(1800)),
        state("a1", "available", at(1800), at(3600)),
        state("a2", "busy", at(0), at(3600)),
    ]
    by_agent = report(visits, intervals, agents=AGENTS, interval="all", by=("agent",))
    a1 = one(by_agent, agent="a1")
    assert (a1["handled"], a1["aht_s"]) == (2, pytest.approx(300.0))
    assert a1["occupancy"] == pytest.approx(0.5)
    assert a1["cost_per_contact"] == pytest.approx(36.0 / 2)
    assert one(by_agent, agent=None)["abandoned"] == 1  # unanswered visits have no agent
    by_site = report(visits, intervals, agents=AGENTS, interval="all", by=("site",))
    assert one(by_site, site="Cardiff")["cost_per_contact"] == pytest.approx(18.0)
    by_team = report(visits, intervals, agents=AGENTS, interval="all", by=("team",))
    assert one(by_team, team="red")["staff_cost"] == pytest.approx(36.0)


def test_a_large_center_joins_its_agents_with_the_same_results() -> None:
    """Past AGENT_LOOKUP_MAX agents their team, site and cost are joined, not looked up."""
    visits = [visit("c1", agent="a1", talk=300.0), visit("c2", agent="a2", talk=100.0)]
    intervals = [state("a1", "busy", at(0), at(1800)), state("a2", "busy", at(0), at(3600))]
    crowd = {f"z{n:03d}": ("green", "Derby", 10.0) for n in range(AGENT_LOOKUP_MAX)}
    for by in [("team",), ("site",), ("agent", "team")]:
        small = report(visits, intervals, agents=AGENTS, interval="all", by=by)
        large = report(visits, intervals, agents=AGENTS | crowd, interval="all", by=by)
        assert large.rows == small.rows


def test_agent_metrics_are_empty_by_queue() -> None:
    intervals = [state("a1", "busy", at(0), at(600))]
    row = report([visit("c")], intervals, interval="all", by=("queue",)).rows[0]
    assert row["occupancy"] is None
    assert row["busy_total_s"] is None


def test_by_queue_agent_metrics_are_those_of_the_queue_agents() -> None:
    # a1 serves sales only, a2 serves sales and support: a2's time counts in both queues
    intervals = [
        state("a1", "busy", at(0), at(600)),
        state("a1", "available", at(600), at(1800)),
        state("a2", "busy", at(0), at(1200)),
        state("a2", "available", at(1200), at(1800)),
    ]
    visits = [visit("c", queue="sales"), visit("d", queue="support")]
    serving = {"sales": ("a1", "a2"), "support": ("a2",)}
    result = report(
        visits, intervals, agents=AGENTS, queue_agents=serving, interval="all", by=("queue",)
    )
    sales, support = one(result, queue="sales"), one(result, queue="support")
    assert sales["occupancy"] == pytest.approx((600 + 1200) / 3600)
    assert support["occupancy"] == pytest.approx(1200 / 1800)
    assert (sales["staffed_hours"], support["staffed_hours"]) == (1.0, 0.5)
    # a shared agent's cost is split by handling time (plan compare --by queue), not here
    assert support["staff_cost"] is None and support["cost_per_contact"] is None
    by_group = report(visits, intervals, agents=AGENTS, interval="all", groups=serving)
    assert one(by_group, group="support")["occupancy"] == support["occupancy"]


def test_long_calls_against_peers_on_the_same_queue() -> None:
    # handle times 100..1000 on queue q: 90th percentile (interpolated) is 910
    visits = [
        visit(f"c{n}", agent="a1" if n < 9 else "a2", talk=100.0 * n - 10.0, acw=10.0)
        for n in range(1, 11)
    ]
    by_agent = report(visits, interval="all", by=("agent",))
    assert one(by_agent, agent="a2")["long_calls"] == 1  # 1000 s > 910 s; 900 s is not
    assert one(by_agent, agent="a2")["long_call_rate"] == pytest.approx(1 / 2)
    assert one(by_agent, agent="a1")["long_calls"] == 0
    assert report(visits, interval="all").rows[0]["long_calls"] is None


def test_first_contact_resolution() -> None:
    day = 86400.0
    visits = [
        visit("A", customer="c1", topic="billing", enqueued=at(0)),  # repeat 3 days later
        visit("B", customer="c1", topic="billing", enqueued=at(3 * day)),
        visit("C", customer="c2", topic="billing", enqueued=at(0)),  # next one after 8 days
        visit("D", customer="c2", topic="billing", enqueued=at(8 * day)),
        visit("E", customer="c3", topic="cards", enqueued=at(0)),  # other topic: no repeat
        visit("F", customer="c3", topic="loans", enqueued=at(2 * day), outcome="abandoned"),
        visit("G", customer="c4", topic="cards", enqueued=at(0), transferred_out=True),
        visit(
            "G",
            customer="c4",
            topic="cards",
            enqueued=at(60),
            arrived=at(0),
            number=2,
        ),  # the transferred contact's second visit resolves it
        visit("H", customer=None, topic="cards", enqueued=at(0)),  # unknown customer
        visit("I", customer="c5", topic="cards", enqueued=at(0)),  # repeat exactly 7 days
        visit("J", customer="c5", topic="cards", enqueued=at(7 * day), outcome="abandoned"),
    ]
    row = report(visits, interval="all").rows[0]
    # eligible: A B C D E G(visit 2) I -> 7; repeated: A, I -> resolved 5
    assert (row["fcr_eligible"], row["fcr_resolved"]) == (7, 5)
    assert row["fcr"] == pytest.approx(5 / 7)
    first_day = report(visits, interval="1d", start=T0, end=at(day)).rows[0]
    assert (first_day["fcr_eligible"], first_day["fcr_resolved"]) == (5, 3)  # repeats seen
    assert report(visits, interval="all", fcr=False).rows[0]["fcr"] is None


def test_days_and_weeks_follow_the_center_time_zone() -> None:
    # 2026-11-23 04:30 UTC is 23:30 on Sunday 22 November in New York
    visits = [
        visit("a", enqueued=datetime(2026, 11, 23, 4, 30, tzinfo=UTC)),
        visit("b", enqueued=datetime(2026, 11, 23, 5, 30, tzinfo=UTC)),
    ]
    days = report(visits, interval="1d", timezone="America/New_York")
    labels = [r["interval_start"].isoformat() for r in days.rows]
    assert labels == ["2026-11-22T00:00:00-05:00", "2026-11-23T00:00:00-05:00"]
    weeks = report(visits, interval="1w", timezone="America/New_York")
    assert [r["interval_start"].date().isoformat() for r in weeks.rows] == [
        "2026-11-16",
        "2026-11-23",
    ]  # weeks start on Monday, local time


def test_clock_change_day_has_23_hours_in_one_bucket() -> None:
    # Europe/London moves to BST at 01:00 UTC on 2026-03-29
    base = datetime(2026, 3, 29, tzinfo=UTC)
    visits = [
        visit("a", enqueued=base + timedelta(minutes=30)),  # 00:30 GMT
        visit("b", enqueued=base + timedelta(hours=22, minutes=30)),  # 23:30 BST
        visit("c", enqueued=base + timedelta(hours=23, minutes=30)),  # 00:30 BST next day
    ]
    days = report(visits, interval="1d", timezone="Europe/London")
    assert [(r["interval_start"].day, r["offered"]) for r in days.rows] == [(29, 2), (30, 1)]
    hours = report(visits, interval="1h", timezone="Europe/London")
    assert [r["interval_start"].strftime("%d %H:%M %z") for r in hours.rows] == [
        "29 00:00 +0000",
        "29 23:00 +0100",
        "30 00:00 +0100",
    ]


def test_agent_groups_count_an_agent_in_each_of_its_groups() -> None:
    intervals = [
        state("a1", "busy", at(0), at(600)),
        state("a1", "available", at(600), at(1200)),
        state("a2", "busy", at(0), at(1200)),
    ]
    groups = {"billing": ["a1", "a2"], "cards": ["a1"]}
    result = report([], intervals, agents=AGENTS, interval="all", groups=groups)
    assert one(result, group="billing")["occupancy"] == pytest.approx(1800 / 2400)
    assert one(result, group="cards")["occupancy"] == pytest.approx(0.5)
