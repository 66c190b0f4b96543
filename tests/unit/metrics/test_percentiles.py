"""Percentile metrics: exact quantiles (linear interpolation, Hyndman and Fan's type 7, which
is Excel's ``PERCENTILE.INC`` and numpy's default) of the visits that count, per interval and
group.

Reference values: for the waits 1, 2, ..., 10 s, ``PERCENTILE.INC`` gives 5.5 (median), 9.1
(90th) and 9.55 (95th).
"""

from __future__ import annotations

import random
import statistics
from datetime import timedelta

import pytest
from tests.unit.metrics.builders import T0, at, one, report, visit


def test_wait_percentiles_match_the_published_definition() -> None:
    answered = [visit(f"c{i}", wait=float(i)) for i in range(1, 11)]
    abandoned = [visit(f"x{i}", outcome="abandoned", wait=500.0) for i in range(3)]
    row = report(answered + abandoned, interval="all").rows[0]
    assert row["wait_p50_s"] == pytest.approx(5.5)
    assert row["wait_p90_s"] == pytest.approx(9.1)
    assert row["wait_p95_s"] == pytest.approx(9.55)


def test_handle_percentiles_are_of_conversation_plus_acw_of_handled_contacts() -> None:
    visits = [visit(f"c{i}", talk=100.0 * i, hold=10.0, acw=20.0) for i in range(1, 6)]
    visits.append(visit("gone", outcome="abandoned"))
    row = report(visits, interval="all").rows[0]
    handles = [100.0 * i + 30.0 for i in range(1, 6)]
    assert row["handle_p50_s"] == pytest.approx(statistics.median(handles))
    assert row["handle_p90_s"] == pytest.approx(490.0)  # 430 + 0.6 * (530 - 430)


def test_email_response_percentiles_are_of_first_replies_only() -> None:
    emails = [
        visit(f"e{i}", channel="email", wait=3600.0 * i, arrived=T0, enqueued=T0)
        for i in range(1, 4)
    ]
    moved = visit("t", channel="email", wait=99_999.0, transferred_in=True)
    call = visit("v", wait=5.0)
    row = report([*emails, moved, call], interval="all").rows[0]
    assert row["email_replied"] == 3
    assert row["email_response_p50_s"] == pytest.approx(7200.0)
    assert row["email_response_p95_s"] == pytest.approx(3600.0 * (2 + 0.9))


def test_percentiles_per_interval_and_queue_equal_an_independent_computation() -> None:
    rng = random.Random(11)
    visits = []
    for i in range(400):
        queue = rng.choice(["sales", "support"])
        enqueued = at(rng.uniform(0, 4 * 3600))
        outcome = "answered" if rng.random() < 0.85 else "abandoned"
        visits.append(
            visit(
                f"c{i}",
                queue=queue,
                outcome=outcome,
                enqueued=enqueued,
                wait=rng.expovariate(1 / 30),
            )
        )
    result = report(visits, interval="1h", by=("queue",), fcr=False)
    checked = 0
    for row in result.rows:
        start = row["interval_start"]
        waits = sorted(
            v.wait_s
            for v in visits
            if v.outcome == "answered"
            and v.queue_id == row["queue"]
            and start <= v.enqueued_at < start + timedelta(hours=1)
        )
        if len(waits) < 2:
            continue
        cuts = statistics.quantiles(waits, n=100, method="inclusive")
        assert row["wait_p50_s"] == pytest.approx(statistics.median(waits))
        assert row["wait_p90_s"] == pytest.approx(cuts[89])
        assert row["wait_p95_s"] == pytest.approx(cuts[94])
        checked += 1
    assert checked == 8


def test_no_answered_contact_has_no_percentile_and_they_can_be_left_out() -> None:
    gone = [visit("x", outcome="abandoned", wait=40.0)]
    row = report(gone, interval="all").rows[0]
    assert (row["wait_p50_s"], row["handle_p95_s"], row["email_response_p90_s"]) == (
        None,
        None,
        None,
    )
    row = one(report([visit("c", wait=3.0)], interval="all", percentiles=False))
    assert row["wait_p50_s"] is None and row["answered"] == 1
