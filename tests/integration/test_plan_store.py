"""The plan store on SQLite and PostgreSQL, and its in-memory fake: a save replaces the current
rows of the same queues and overlapping intervals and keeps them in the history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.conftest import store_on

from carecenter.adapters.memory import InMemoryPlanStore
from carecenter.adapters.store.plan_repo import SqlPlanStore
from carecenter.domain.plans import PlanKind, PlanRow
from carecenter.services.ports import PlanStore

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
SAVED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)


def staff(queue: str, k: int, agents: int, *, interval_s: int = 1800) -> PlanRow:
    return PlanRow(
        queue_id=queue,
        interval_start=MONDAY + k * HALF_HOUR,
        interval_s=interval_s,
        calls=10.0 * agents,
        aht_s=300.0,
        patience_s=float("inf"),
        model="C",
        agents=agents,
        scheduled_agents=agents + 1,
        measures={"service_level": 0.81, "asa_s": 12.5, "p_abandon": float("nan")},
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PlanStore]:
    """The store on each backend, and the fake."""
    yield from store_on(request.param, tmp_path, SqlPlanStore, InMemoryPlanStore)


def current(store: PlanStore, **kwargs: object) -> list[tuple[str, datetime, int | None, int]]:
    return [
        (s.row.queue_id, s.row.interval_start, s.row.agents, s.version)
        for s in store.rows(PlanKind.STAFF, **kwargs)  # type: ignore[arg-type]
    ]


def test_a_saved_plan_round_trips(store: PlanStore) -> None:
    rows = [staff("billing", 0, 5), staff("billing", 1, 7), staff("cards", 0, 2)]
    version = store.save(PlanKind.STAFF, rows, saved_at=SAVED, command="carecenter staff")
    assert (version.version, version.rows, version.replaced) == (1, 3, 0)
    assert (version.period_start, version.period_end) == (MONDAY, MONDAY + 2 * HALF_HOUR)
    stored = store.rows(PlanKind.STAFF)
    assert [s.row.queue_id for s in stored] == ["billing", "billing", "cards"]
    first = stored[0].row
    assert first.interval_start == MONDAY and first.interval_start.tzinfo is not None
    assert (first.interval_s, first.calls, first.aht_s, first.model) == (1800, 50.0, 300.0, "C")
    assert (first.agents, first.scheduled_agents) == (5, 6)
    if isinstance(store, SqlPlanStore):  # not finite: stored as unknown
        assert first.patience_s is None
        assert dict(first.measures) == {"service_level": 0.81, "asa_s": 12.5, "p_abandon": None}
    assert all(s.version == 1 and s.replaced_by is None for s in stored)
    assert store.rows(PlanKind.FORECAST) == []
    [listed] = store.versions()
    assert listed.saved_at == SAVED and listed.command == "carecenter staff"
    assert listed.kind is PlanKind.STAFF and listed.rows == 3


def test_a_new_save_replaces_the_same_queues_and_intervals_and_keeps_the_history(
    store: PlanStore,
) -> None:
    store.save(
        PlanKind.STAFF,
        [staff("billing", 0, 5), staff("billing", 1, 7), staff("cards", 0, 2)],
        saved_at=SAVED,
        command="first",
    )
    second = store.save(
        PlanKind.STAFF, [staff("billing", 1, 9)], saved_at=SAVED + HALF_HOUR, command="second"
    )
    assert (second.version, second.replaced) == (2, 1)
    assert current(store) == [
        ("billing", MONDAY, 5, 1),
        ("billing", MONDAY + HALF_HOUR, 9, 2),
        ("cards", MONDAY, 2, 1),
    ]
    history = store.rows(PlanKind.STAFF, history=True)
    assert [(s.row.agents, s.version, s.replaced_by) for s in history] == [
        (5, 1, None),
        (9, 2, None),
        (7, 1, 2),
        (2, 1, None),
    ]
    assert [v.command for v in store.versions(PlanKind.STAFF)] == ["first", "second"]


def test_an_hour_replaces_the_half_hours_it_overlaps(store: PlanStore) -> None:
    store.save(
        PlanKind.STAFF,
        [staff("billing", k, 4 + k) for k in range(4)],
        saved_at=SAVED,
        command="halves",
    )
    hourly = staff("billing", 1, 20, interval_s=3600)  # 09:30-10:30 over 09:30 and 10:00
    assert store.save(PlanKind.STAFF, [hourly], saved_at=SAVED, command="hour").replaced == 2
    assert current(store) == [
        ("billing", MONDAY, 4, 1),
        ("billing", MONDAY + HALF_HOUR, 20, 2),
        ("billing", MONDAY + 3 * HALF_HOUR, 7, 1),
    ]


def test_kinds_are_separate_plans(store: PlanStore) -> None:
    store.save(PlanKind.STAFF, [staff("billing", 0, 5)], saved_at=SAVED, command="staff")
    forecast = PlanRow("billing", MONDAY, 1800, calls=40.0, calls_lo=30.0, calls_hi=50.0)
    saved = store.save(PlanKind.FORECAST, [forecast], saved_at=SAVED, command="forecast")
    assert saved.replaced == 0
    assert current(store) == [("billing", MONDAY, 5, 1)]
    [row] = store.rows(PlanKind.FORECAST)
    assert (row.row.calls, row.row.calls_lo, row.row.calls_hi, row.row.agents) == (
        40.0,
        30.0,
        50.0,
        None,
    )


def test_rows_are_chosen_by_period_and_queue(store: PlanStore) -> None:
    store.save(
        PlanKind.STAFF,
        [staff("billing", k, k + 1) for k in range(4)] + [staff("cards", 0, 9)],
        saved_at=SAVED,
        command="plan",
    )
    inside = current(
        store, start=MONDAY + HALF_HOUR + timedelta(minutes=10), end=MONDAY + 3 * HALF_HOUR
    )
    assert [agents for _, _, agents, _ in inside] == [2, 3]  # the interval reaching in counts
    assert [q for q, *_ in current(store, queues={"cards"})] == ["cards"]
    assert current(store, start=MONDAY + timedelta(days=1)) == []
