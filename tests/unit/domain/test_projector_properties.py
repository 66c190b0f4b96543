"""The projector on generated event streams: deterministic, idempotent, incremental."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies import event_streams

from carecenter.adapters.memory import InMemoryEventLog, InMemoryWarehouse
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.events import Event
from carecenter.domain.projection import row_values
from carecenter.services.projector import project


def snapshot(wh: InMemoryWarehouse) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "contacts": [row_values(wh.contacts[k]) for k in sorted(wh.contacts)],
        "contact_facts": [row_values(wh.contact_facts[k]) for k in sorted(wh.contact_facts)],
        "agent_state_intervals": [
            row_values(wh.agent_state_intervals[k]) for k in sorted(wh.agent_state_intervals)
        ],
        "survey_answers": [row_values(wh.survey_answers[k]) for k in sorted(wh.survey_answers)],
        "promises": [row_values(wh.promises[k]) for k in sorted(wh.promises)],
    }


def project_all(events: list[Event], batch_size: int = 5000) -> InMemoryWarehouse:
    log, wh = InMemoryEventLog(), InMemoryWarehouse()
    log.append(events)
    project(log, wh, batch_size=batch_size)
    return wh


@settings(max_examples=150, deadline=None)
@given(event_streams(), st.integers(1, 20), st.lists(st.integers(1, 15), max_size=8))
def test_same_facts_however_the_stream_is_cut(
    events: list[Event], batch_size: int, cuts: list[int]
) -> None:
    whole = project_all(events)
    assert snapshot(project_all(events, batch_size)) == snapshot(whole)
    # append in chunks and project after each: the same facts again
    log, wh = InMemoryEventLog(), InMemoryWarehouse()
    start = 0
    for cut in [*cuts, len(events)]:
        log.append(events[start : start + cut])
        start += cut
        project(log, wh, batch_size=batch_size)
    log.append(events[start:])
    project(log, wh)
    assert snapshot(wh) == snapshot(whole)
    # idempotent: a second run reads nothing and changes nothing
    before = snapshot(wh)
    assert project(log, wh).events == 0
    assert snapshot(wh) == before and wh.checkpoint() == len(events)


@settings(max_examples=150, deadline=None)
@given(event_streams())
def test_fact_invariants(events: list[Event]) -> None:
    wh = project_all(events)
    visits_per_contact: dict[str, int] = {}
    for (cid, n), fact in wh.contact_facts.items():
        visits_per_contact[cid] = max(visits_per_contact.get(cid, 0), n)
        assert fact.wait_s is None or fact.wait_s >= 0
        assert fact.talk_s >= 0 and fact.hold_s >= 0 and fact.acw_s >= 0
        assert (fact.outcome == "open") == (
            fact.ended_at is None and fact.answered_at is None
        ) or fact.outcome == "answered"
        if fact.ended_at is not None and fact.answered_at is not None:
            spent = (fact.ended_at - fact.answered_at).total_seconds()
            assert abs(fact.talk_s + fact.hold_s + fact.acw_s - spent) < 1e-6
    for cid, row in wh.contacts.items():
        assert row.visits == visits_per_contact.get(cid, 0)
    for iv in wh.agent_state_intervals.values():
        assert iv.duration_s is None or iv.duration_s >= 0
    for p in wh.promises.values():
        assert p.made_at is not None and p.due_at is not None and p.made_at <= p.due_at
        assert (p.status == "open") == (p.closed_at is None)


@settings(max_examples=40, deadline=None)
@given(event_streams(max_steps=40), st.integers(1, 10))
def test_duckdb_warehouse_matches_the_in_memory_one(events: list[Event], batch: int) -> None:
    memory = project_all(events)
    log = InMemoryEventLog()
    log.append(events)
    duck = DuckDbWarehouse(":memory:")
    try:
        project(log, duck, batch_size=batch)
        assert project(log, duck).events == 0
        for table, rows in snapshot(memory).items():
            assert duck.rows(table) == rows, table
        counts = duck.counts()
        assert (counts.contacts, counts.contact_facts, counts.checkpoint, counts.promises) == (
            len(memory.contacts),
            len(memory.contact_facts),
            len(events),
            len(memory.promises),
        )
    finally:
        duck.close()
