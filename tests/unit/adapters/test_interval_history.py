"""The warehouse interval history: local-time intervals, AHT of answered visits, zero filling."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from types import MappingProxyType
from typing import Any

import ibis  # type: ignore[import-untyped]
import pytest
from tests.unit.metrics import builders
from tests.unit.metrics.builders import at, dims, report, visit

from carecenter.adapters.interval_csv import IntervalRow
from carecenter.adapters.interval_history import read_interval_history
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.center import OpeningHours, ServiceLevelPolicy
from carecenter.errors import InputError

LONDON = "Europe/London"
NINE_TO_TEN = ((time(9), time(10)),)
HOURS = {
    "q": OpeningHours(LONDON, MappingProxyType(dict.fromkeys(("mon", "tue", "wed"), NINE_TO_TEN))),
}


@pytest.fixture
def warehouse() -> Iterator[DuckDbWarehouse]:
    wh = DuckDbWarehouse(":memory:")
    yield wh
    wh.close()


def add(wh: DuckDbWarehouse, queue: str, at: datetime, outcome: str, handle: float = 0) -> None:
    n = wh.connection.execute("SELECT count(*) FROM contact_facts").fetchone()
    wh.connection.execute(
        "INSERT INTO contact_facts (contact_id, visit, queue_id, channel, direction, tier, "
        "enqueued_at, outcome, talk_s, hold_s, acw_s, conversation_s) VALUES (?, 1, ?, 'voice', "
        "'inbound', 'standard', ?, ?, ?, 0, 10, ?)",
        [f"c{n[0] if n else 0}", queue, at, outcome, max(handle - 10, 0), max(handle - 10, 0)],
    )


def history(wh: DuckDbWarehouse, **kwargs: Any) -> list[IntervalRow]:
    return read_interval_history(ibis.duckdb.from_connection(wh.connection), **kwargs)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_local_intervals_across_daylight_saving(warehouse: DuckDbWarehouse) -> None:
    add(warehouse, "q", utc(2026, 10, 23, 8, 10), "answered", 100)  # Fri 09:10 BST
    add(warehouse, "q", utc(2026, 10, 26, 9, 10), "answered", 200)  # Mon 09:10 GMT
    add(warehouse, "q", utc(2026, 10, 26, 9, 59), "abandoned")
    rows = history(warehouse, timezone=LONDON, interval_s=3600)
    assert rows == [
        IntervalRow("q", datetime(2026, 10, 23, 9), 1.0, 100.0, 0),
        IntervalRow("q", datetime(2026, 10, 26, 9), 2.0, 200.0, 0),
    ]


def test_zero_rows_inside_opening_hours_of_days_with_data(warehouse: DuckDbWarehouse) -> None:
    add(warehouse, "q", utc(2026, 11, 2, 9, 10), "answered", 300)  # Monday (GMT)
    add(warehouse, "r", utc(2026, 11, 3, 14, 0), "abandoned")  # Tuesday: only queue r
    add(warehouse, "q", utc(2026, 11, 5, 9, 40), "callback")  # Thursday: q closed, but a visit
    rows = history(warehouse, timezone=LONDON, interval_s=1800, hours=HOURS)
    got = [(r.queue, r.start, r.calls, r.aht_s) for r in rows]
    assert got == [
        ("q", datetime(2026, 11, 2, 9), 1.0, 300.0),
        ("q", datetime(2026, 11, 2, 9, 30), 0.0, None),
        ("q", datetime(2026, 11, 3, 9), 0.0, None),  # the center worked: q had no calls
        ("q", datetime(2026, 11, 3, 9, 30), 0.0, None),
        # Wednesday: nobody recorded anything, a day without data, not zeros
        ("q", datetime(2026, 11, 5, 9, 30), 0.0, None),  # closed day: a callback, not offered
        # r has no hours: its times of day, from its first day on
        ("r", datetime(2026, 11, 3, 14), 1.0, None),
        ("r", datetime(2026, 11, 5, 14), 0.0, None),
    ]


def test_empty_warehouse_and_bad_interval(warehouse: DuckDbWarehouse) -> None:
    assert history(warehouse) == []
    with pytest.raises(InputError, match="does not divide a day") as info:
        history(warehouse, interval_s=7 * 60)
    assert info.value.field == "interval"


def test_calls_and_aht_are_the_catalogs_offered_and_aht() -> None:
    policies = {
        "q": ServiceLevelPolicy(),  # short abandons excluded, flow-outs not offered
        "r": ServiceLevelPolicy(exclude_short_abandons=False, include_flow_outs=True),
    }
    visits = [
        visit("q1", queue="q", talk=100, acw=10),
        visit("q2", queue="q", outcome="abandoned", wait=2),
        visit("q3", queue="q", outcome="abandoned", wait=60, enqueued=at(600)),
        visit("q4", queue="q", outcome="flowed_out", wait=30),
        visit("q5", queue="q", outcome="callback", wait=30, enqueued=at(2400)),
        visit("r1", queue="r", talk=200, hold=20, acw=30),
        visit("r2", queue="r", outcome="abandoned", wait=2),
        visit("r3", queue="r", outcome="flowed_out", wait=30),
        visit("r4", queue="r", outcome="open", wait=None),
    ]
    wh = builders.warehouse(visits)
    try:
        con = ibis.duckdb.from_connection(wh.connection)
        rows = read_interval_history(con, interval_s=1800, dims=dims(policies))
    finally:
        wh.close()
    nine, half_past = datetime(2026, 11, 23, 9), datetime(2026, 11, 23, 9, 30)
    assert [(r.queue, r.start, r.calls, r.aht_s) for r in rows] == [
        ("q", nine, 2.0, 110.0),  # 4 visits: the short abandon and the flow-out not offered
        ("q", half_past, 0.0, None),  # a callback: a visit, not offered
        ("r", nine, 3.0, 250.0),  # 4 visits: the open one not offered
    ]
    by_queue = report(visits, policies=policies, interval="30m", by=("queue",), fcr=False)
    offered = {
        (r["queue"], r["interval_start"].replace(tzinfo=None)): (r["offered"], r["aht_s"])
        for r in by_queue.rows
    }
    assert {(r.queue, r.start): (r.calls, r.aht_s) for r in rows} == offered
