"""The live loop's in-memory open rows agree with the warehouse's, however the stream is cut."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.helpers import T0
from tests.strategies import event_streams

from carecenter.adapters.memory import InMemoryEventLog, InMemoryWarehouse
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.events import Event, PromiseMade
from carecenter.domain.projection import row_values
from carecenter.services.live_rows import advance, seed
from carecenter.services.ports import Warehouse
from carecenter.services.projector import project

SINCE = T0 - timedelta(days=1)


def warehouse_rows(
    wh: Warehouse, since: datetime, unknown: frozenset[str] = frozenset()
) -> list[list[tuple[Any, ...]]]:
    visits, intervals = wh.open_rows(since)
    return table(visits, intervals, wh.promise_rows(status="open"), unknown)


def live_rows(
    rows: Any, since: datetime, unknown: frozenset[str] = frozenset()
) -> list[list[tuple[Any, ...]]]:
    return table(*rows.rows(since), unknown)


def table(
    visits: list[Any], intervals: list[Any], promises: list[Any], unknown: frozenset[str]
) -> list[list[tuple[Any, ...]]]:
    """The rows as tuples; the queue of a promise made without one about a contact in
    ``unknown`` (ended before the seed: the live rows cannot know its queue) left out."""
    promises = [replace(p, queue_id=None) if p.promise_id in unknown else p for p in promises]
    return [[row_values(r) for r in rows] for rows in (visits, intervals, promises)]


def unknowable(events: list[Event], ended: set[str]) -> frozenset[str]:
    """The promises made without a queue about a contact in ``ended``."""
    return frozenset(
        e.promise_id
        for e in events
        if isinstance(e, PromiseMade) and e.queue_id is None and e.contact_id in ended
    )


@settings(max_examples=150, deadline=None)
@given(event_streams(), st.data())
def test_the_live_rows_are_the_warehouses_open_rows(events: list[Event], data: Any) -> None:
    log, wh = InMemoryEventLog(), InMemoryWarehouse()
    seeded_at = data.draw(st.integers(0, len(events)), label="seeded after")
    log.append(events[:seeded_at])
    project(log, wh)
    rows = seed(wh, SINCE)
    ended = {cid for cid, row in wh.contacts.items() if row.ended_at is not None}
    start = seeded_at
    while start < len(events):  # events come in bursts; the rows move after each
        size = data.draw(st.integers(1, 12), label="burst")
        log.append(events[start : start + size])
        start += size
        advance(rows, log)
    project(log, wh)
    assert rows.checkpoint == wh.checkpoint()
    since = data.draw(st.sampled_from([SINCE, T0, T0 + timedelta(minutes=30)]), label="since")
    unknown = unknowable(events[seeded_at:], ended)
    assert live_rows(rows, since, unknown) == warehouse_rows(wh, since, unknown)


@settings(max_examples=25, deadline=None)
@given(event_streams(), st.data())
def test_seeded_from_duckdb_too(events: list[Event], data: Any) -> None:
    log = InMemoryEventLog()
    log.append(events)
    seeded_at = data.draw(st.integers(0, len(events)), label="seeded after")
    duck = DuckDbWarehouse(":memory:")
    try:
        partial = InMemoryEventLog()
        partial.append(events[:seeded_at])
        project(partial, duck)
        rows = seed(duck, SINCE)
        ended = {row[0] for row in duck.rows("contacts") if row[8] is not None}
        advance(rows, log)
        project(log, duck)
        unknown = unknowable(events[seeded_at:], ended)
        assert live_rows(rows, SINCE, unknown) == warehouse_rows(duck, SINCE, unknown)
    finally:
        duck.close()


def test_rows_that_can_no_longer_change_are_forgotten() -> None:
    from carecenter.domain.contact import Contact
    from carecenter.domain.enums import Channel
    from carecenter.domain.events import ContactAbandoned, ContactQueued

    _, arrived = Contact.arrive("c1", Channel.VOICE, T0)
    log, wh = InMemoryEventLog(), InMemoryWarehouse()
    rows = seed(wh, SINCE)
    log.append([arrived, ContactQueued(occurred_at=T0, contact_id="c1", queue_id="q")])
    advance(rows, log)
    assert [v.contact_id for v in rows.rows(SINCE)[0]] == ["c1"]
    gone = ContactAbandoned(occurred_at=T0 + timedelta(seconds=9), contact_id="c1", queue_id="q")
    log.append([gone])
    assert advance(rows, log) == 1
    assert rows.rows(SINCE)[0] == [] and rows.state.contacts == {} and rows.state.visits == {}
    assert advance(rows, log) == 0
