"""CSAT and NPS on hand-built survey answers, with the expected values worked out by hand."""

from __future__ import annotations

from datetime import timedelta

import ibis
import pytest
from tests.helpers import T0
from tests.unit.metrics.builders import answer, at, dims, one, report, state, visit, warehouse

from carecenter.metrics.engine import ReportSpec, run

DAY = 86400.0
# c1 waited in billing, then was transferred to cards (its last visit, agent a2); c2 billing (a1)
VISITS = [
    visit("c1", queue="billing", agent="a1", transferred_out=True),
    visit("c1", queue="cards", agent="a2", number=2, enqueued=at(300), tier="vip"),
    visit("c2", queue="billing", agent="a1", channel="chat"),
]
# csat 5, 4, 3, 1, 4 -> 3 satisfied of 5 = 0.6; nps 10, 9, 8, 6, 0 -> (2 - 2) / 5 = 0
ANSWERS = [
    answer("s1", 5, contact="c1", answered=at(600)),
    answer("s2", 4, contact="c1", answered=at(700)),
    answer("s3", 3, contact="c2", answered=at(800)),
    answer("s4", 1, contact="c2", answered=at(900)),
    answer("s5", 4, answered=at(1000)),  # about no contact
    answer("s1", 10, question="nps", contact="c1", answered=at(600)),
    answer("s2", 9, question="nps", contact="c2", answered=at(700)),
    answer("s3", 8, question="nps", contact="c2", answered=at(800)),
    answer("s4", 6, question="nps", contact="c2", answered=at(900)),
    answer("s5", 0, question="nps", contact="gone", answered=at(1000)),  # contact has no visit
]
# counted by no metric: CSAT on a 1-10 scale, another question, NPS on a 1-5 scale
OTHER = [
    answer("x1", 9, scale=10, answered=at(100)),
    answer("x2", 5, question="effort", scale=5, answered=at(100)),
    answer("x3", 5, question="nps", scale=5, answered=at(100)),
]


def test_csat_and_nps_worked_by_hand() -> None:
    row = report(VISITS, answers=[*ANSWERS, *OTHER], interval="all").rows[0]
    assert (row["csat_answers"], row["csat_satisfied"], row["csat"]) == (5, 3, pytest.approx(0.6))
    assert (row["nps_answers"], row["nps_promoters"], row["nps_detractors"]) == (5, 2, 2)
    assert row["nps"] == pytest.approx(0.0)


def test_nps_is_a_share_from_minus_one_to_one() -> None:
    promoters = [answer(f"p{n}", 10, question="nps") for n in range(3)]
    answers = [*promoters, answer("d", 2, question="nps"), answer("pass", 7, question="nps")]
    row = report(VISITS, answers=answers, interval="all").rows[0]
    assert row["nps"] == pytest.approx((3 - 1) / 5)
    detractors = [answer(f"d{n}", n, question="nps") for n in range(7)]
    assert report(VISITS, answers=detractors, interval="all").rows[0]["nps"] == -1.0


def test_no_answers_means_empty_ratios_and_zero_counts() -> None:
    row = report(VISITS, interval="all").rows[0]
    assert (row["csat_answers"], row["nps_answers"], row["csat"], row["nps"]) == (0, 0, None, None)


def test_answers_count_in_the_interval_they_were_given() -> None:
    later = [
        answer("s6", 1, contact="c2", answered=at(DAY + 60)),
        answer("s7", 2, contact="c2", answered=at(3 * DAY)),  # after the period
    ]
    result = report(
        VISITS, answers=[*ANSWERS, *later], interval="1d", start=T0, end=T0 + timedelta(days=2)
    )
    first, second = result.rows
    assert (first["csat_answers"], first["csat"]) == (5, pytest.approx(0.6))
    assert (second["csat_answers"], second["csat"], second["offered"]) == (1, 0.0, 0)
    assert second["interval_start"] == T0.replace(hour=0) + timedelta(days=1)


def test_by_queue_an_answer_belongs_to_its_contacts_last_visit() -> None:
    result = report(VISITS, answers=ANSWERS, interval="all", by=("queue",))
    cards, billing = one(result, queue="cards"), one(result, queue="billing")
    assert (cards["csat_answers"], cards["csat"], cards["nps_answers"], cards["nps"]) == (
        2,
        1.0,
        1,
        1.0,
    )  # c1: csat 5 and 4, nps 10 -- none in billing, where c1 first waited
    assert (billing["csat_answers"], billing["csat"]) == (2, 0.0)  # c2: 3 and 1
    assert (billing["nps_answers"], billing["nps"]) == (3, pytest.approx((1 - 1) / 3))
    blank = one(result, queue=None)  # no contact, or a contact without a visit
    assert (blank["csat_answers"], blank["nps_answers"], blank["nps"]) == (1, 1, -1.0)


def test_by_agent_team_tier_and_channel() -> None:
    agents = {"a1": ("red", "Leeds", 20.0), "a2": ("blue", "Leeds", 20.0)}
    by_team = report(VISITS, answers=ANSWERS, agents=agents, interval="all", by=("team",))
    assert one(by_team, team="blue")["csat"] == 1.0  # a2 had c1 last
    assert one(by_team, team="red")["csat"] == 0.0
    by_agent = report(VISITS, answers=ANSWERS, interval="all", by=("agent",))
    assert one(by_agent, agent="a2")["csat_answers"] == 2
    by_tier = report(VISITS, answers=ANSWERS, interval="all", by=("tier", "channel"))
    assert one(by_tier, tier="vip", channel="voice")["csat_answers"] == 2
    assert one(by_tier, tier="standard", channel="chat")["nps_answers"] == 3


def test_agent_groups_leave_survey_metrics_empty() -> None:
    spec = ReportSpec("all", groups={"g": ["a1"]})
    busy = [state("a1", "busy", T0, at(600))]
    row = report(VISITS, busy, answers=ANSWERS, **spec.__dict__).rows[0]
    assert row["logged_in_total_s"] == 600.0
    assert (row["csat"], row["csat_answers"]) == (None, None)


def test_a_warehouse_older_than_survey_answers_still_reports() -> None:
    wh = warehouse(VISITS)
    try:
        wh.connection.execute("DROP TABLE survey_answers")
        row = run(ibis.duckdb.from_connection(wh.connection), ReportSpec("all"), dims()).rows[0]
    finally:
        wh.close()
    assert (row["answered"], row["csat_answers"], row["csat"]) == (3, None, None)
