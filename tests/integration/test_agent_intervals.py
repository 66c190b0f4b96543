"""``Warehouse.agent_intervals``: the agent-state intervals overlapping a window (what
``carecenter adherence`` reads), on DuckDB and in the in-memory fake, with the same answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from carecenter.adapters.memory import InMemoryWarehouse
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.enums import AgentStatus
from carecenter.domain.projection import AgentInterval, ProjectionState
from carecenter.services.ports import Warehouse
from carecenter.wfm.adherence import AWAY_STATES, WORKING_STATES


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 14, hour, minute, tzinfo=UTC)


ROWS = [
    AgentInterval("ann", 1, "available", at(7), end_at=at(9), duration_s=7200.0),  # into it
    AgentInterval("ann", 2, "break", at(9), "meal", at(9, 30), 1800.0),  # inside
    AgentInterval("ann", 3, "busy", at(9, 30)),  # still open
    AgentInterval("bob", 4, "available", at(6), end_at=at(8), duration_s=7200.0),  # ends at it
    AgentInterval("bob", 5, "busy", at(10), end_at=at(11), duration_s=3600.0),  # starts at end
    AgentInterval("cat", 6, "after_call_work", at(7), end_at=at(12), duration_s=18000.0),
]


@pytest.fixture(params=["duckdb", "memory"])
def warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    wh: Warehouse = (
        DuckDbWarehouse(":memory:") if request.param == "duckdb" else InMemoryWarehouse()
    )
    state = ProjectionState()
    state.touched_intervals.update({(r.agent_id, r.start_seq): r for r in ROWS})
    wh.save_state(state, 6)
    yield wh
    close = getattr(wh, "close", None)
    if close is not None:
        close()


def test_the_intervals_overlapping_the_window(warehouse: Warehouse) -> None:
    found = warehouse.agent_intervals(at(8), at(10))
    assert [(r.agent_id, r.start_seq, r.end_at) for r in found] == [
        ("ann", 1, at(9)),
        ("ann", 2, at(9, 30)),
        ("ann", 3, None),
        ("cat", 6, at(12)),
    ]
    assert found[1].reason == "meal" and found[0].start_at == at(7)


def test_the_adherence_states_are_the_agent_states() -> None:
    # one definition: the pure adherence model's states are the domain's agent states
    assert {s.value for s in AgentStatus} == WORKING_STATES | AWAY_STATES
    assert not WORKING_STATES & AWAY_STATES
