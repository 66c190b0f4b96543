"""The metrics of the contact engine's facts, worked out by hand: the accuracy of the expected
wait told on entry, escalations, and promises made, kept and broken."""

from __future__ import annotations

import ibis
import pytest
from tests.unit.metrics.builders import (
    MemoryCache,
    at,
    dims,
    one,
    promise,
    report,
    visit,
    warehouse,
)

from carecenter.metrics import compiled
from carecenter.metrics.engine import ReportSpec, run

MIN = 60.0
# (wait, told):   v1 40 vs 30: error 10, close, exceeded   v2 20 vs 60: error 40, not close, kept
#                 v3 100 vs 100: error 0, close, kept       v6 30 vs 0: error 30 (close: <= 30),
#                 exceeded.   v4 abandoned and v5 told nothing: not judged.
# -> ewt_answered 4, error 80, mae 20, within 30 s 3/4, not exceeded 2/4
# answered: v1 v2 v3 v5 v6 = 5; transferred v1 (escalation) and v2 (blind): escalated 1 -> 0.2
VISITS = [
    visit("v1", wait=40, ewt=30, transferred_out=True, transfer_kind="escalation"),
    visit("v2", wait=20, ewt=60, transferred_out=True, transfer_kind="blind"),
    visit("v3", wait=100, ewt=100),
    visit("v4", outcome="abandoned", wait=200, ewt=50),
    visit("v5", wait=15),
    visit("v6", queue="r", wait=30, ewt=0.0),
]


def test_expected_wait_accuracy_and_escalations() -> None:
    row = report(VISITS, interval="all").rows[0]
    assert (row["ewt_answered"], row["ewt_error_total_s"]) == (4, 80.0)
    assert row["ewt_mae_s"] == pytest.approx(20.0)
    assert (row["ewt_within_30s_answered"], row["ewt_within_30s"]) == (3, 0.75)
    assert (row["ewt_not_exceeded_answered"], row["ewt_not_exceeded"]) == (2, 0.5)
    assert (row["answered"], row["transferred"], row["escalated"]) == (5, 2, 1)
    assert row["escalation_rate"] == pytest.approx(0.2)


def test_expected_wait_accuracy_per_queue() -> None:
    result = report(VISITS, interval="all", by=("queue",))
    q, r = one(result, queue="q"), one(result, queue="r")
    assert (q["ewt_answered"], q["ewt_mae_s"], q["ewt_within_30s"]) == (
        3,
        pytest.approx(50 / 3),
        2 / 3,
    )
    assert (r["ewt_answered"], r["ewt_mae_s"], r["ewt_not_exceeded"]) == (1, 30.0, 0.0)


def test_no_estimate_told_leaves_the_accuracy_empty() -> None:
    row = report([visit("v5")], interval="all").rows[0]
    assert (row["ewt_answered"], row["ewt_mae_s"], row["ewt_within_30s"]) == (0, None, None)


# The day (T0 is 09:00), intervals of an hour; a promise counts as made when made and as kept
# or broken at the earlier of its due and closing times:
#   p1 a1 q made 09:10 due 10:30 kept 10:05         made 09h, kept 10h
#   p2 -- q made 09:20 due 09:50 broken 10:15       made 09h, broken 09h (fell due 09:50)
#   p3 a1 q made 09:30 due 11:00 broken 11:20 late  made 09h, broken 11h
#   p4 a2 r made 09:40 due 10:40 cancelled 10:00    made 09h (neither kept nor broken)
#   p5 a2 r made 10:10 due 12:00 still open         made 10h
#   p6 a1 q made 10:20 due 10:45 kept 10:40         made 10h, kept 10h
PROMISES = [
    promise(
        "p1", made=at(10 * MIN), due=at(90 * MIN), status="kept", closed=at(65 * MIN), agent="a1"
    ),
    promise("p2", made=at(20 * MIN), due=at(50 * MIN), status="broken", closed=at(75 * MIN)),
    promise(
        "p3",
        made=at(30 * MIN),
        due=at(120 * MIN),
        status="broken",
        closed=at(140 * MIN),
        agent="a1",
        reason="late",
    ),
    promise(
        "p4",
        made=at(40 * MIN),
        due=at(100 * MIN),
        status="cancelled",
        closed=at(60 * MIN),
        queue="r",
        agent="a2",
    ),
    promise("p5", made=at(70 * MIN), due=at(180 * MIN), queue="r", agent="a2"),
    promise(
        "p6", made=at(80 * MIN), due=at(105 * MIN), status="kept", closed=at(100 * MIN), agent="a1"
    ),
]
KEYS = ("promises_made", "promises_kept", "promises_broken", "promise_kept_rate")


def counts(row: dict[str, object]) -> tuple[object, ...]:
    return tuple(row[k] for k in KEYS)


def test_promises_per_hour() -> None:
    result = report([visit("v1")], promises=PROMISES, interval="1h")
    by_hour = {r["interval_start"].hour: counts(r) for r in result.rows}
    assert by_hour == {9: (4, 0, 1, 0.0), 10: (2, 2, 0, 1.0), 11: (0, 0, 1, 0.0)}
    # the visits' metrics are 0 in the hours only promises fill
    assert [r["offered"] for r in result.rows] == [1, 0, 0]


def test_promises_per_agent_and_queue() -> None:
    by_agent = report([visit("v1")], promises=PROMISES, interval="all", by=("agent",))
    assert counts(one(by_agent, agent="a1")) == (3, 2, 1, 2 / 3)
    assert counts(one(by_agent, agent="a2")) == (2, 0, 0, None)
    assert counts(one(by_agent, agent=None)) == (1, 0, 1, 0.0)  # the engine's callback
    by_queue = report([visit("v1")], promises=PROMISES, interval="all", by=("queue",))
    assert counts(one(by_queue, queue="q")) == (4, 2, 2, 0.5)
    assert counts(one(by_queue, queue="r")) == (2, 0, 0, None)
    teams = report(
        [visit("v1")],
        promises=PROMISES,
        interval="all",
        by=("team",),
        agents={"a1": ("red", "Leeds", 20.0), "a2": ("blue", "Leeds", 20.0)},
    )
    assert counts(one(teams, team="red")) == (3, 2, 1, 2 / 3)


def test_promises_have_no_channel_tier_or_topic() -> None:
    result = report([visit("v1")], promises=PROMISES, interval="all", by=("channel",))
    row = one(result, channel="voice")
    assert counts(row) == (None, None, None, None) and row["answered"] == 1


def test_no_promises_table_leaves_them_empty_an_empty_one_counts_none() -> None:
    empty = report([visit("v1")], interval="all").rows[0]
    assert counts(empty) == (0, 0, 0, None)
    wh = warehouse([visit("v1")])
    try:
        wh.connection.execute("DROP TABLE promises")
        con = ibis.duckdb.from_connection(wh.connection)
        row = run(con, ReportSpec("all"), dims()).rows[0]
    finally:
        wh.close()
    assert counts(row) == (None, None, None, None) and row["answered"] == 1


def test_the_compiled_report_counts_promises_alike() -> None:
    wh = warehouse([visit("v1")], promises=PROMISES)
    try:
        spec = ReportSpec("1h", ("queue",))
        cache = MemoryCache()
        first = compiled.run(wh, spec, dims(), "UTC", cache)
        again = compiled.run(wh, spec, dims(), "UTC", cache)
        direct = run(ibis.duckdb.from_connection(wh.connection), spec, dims())
    finally:
        wh.close()
    assert first.rows == again.rows == direct.rows
    assert sum(r["promises_made"] for r in first.rows) == 6
