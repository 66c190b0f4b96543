"""The schedule store on SQLite and PostgreSQL, and its in-memory fake: a save is a version of
whole days; each day's current schedule is the latest version covering it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.conftest import store_on

from carecenter.adapters.memory_schedules import InMemoryScheduleStore
from carecenter.adapters.store.schedule_repo import SqlScheduleStore
from carecenter.domain.rosters import RosteredShift, RosterVersion
from carecenter.domain.schedules import ScheduledBreak, ScheduledShift, ScheduleVersion
from carecenter.services.ports import ScheduleStore

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 12, 14)
DRAFT = ScheduleVersion(
    version=0,
    saved_at=datetime(2026, 12, 7, 12, 0, tzinfo=UTC),
    command="carecenter schedule --save",
    first_day=MONDAY,
    days=7,
    interval_s=900,
    timezone="Europe/Paris",
    objective=1000.0,
    lp_bound=990.0,
    bound=995.0,
    shifts=0,
)


def shift(day: int, hour: int, agents: int, name: str = "day") -> ScheduledShift:
    start = datetime.combine(MONDAY + timedelta(days=day), datetime.min.time(), PARIS).replace(
        hour=hour
    )
    meal = start + timedelta(hours=4)
    return ScheduledShift(
        day=MONDAY + timedelta(days=day),
        shift=name,
        start_at=start,
        end_at=start + timedelta(hours=8.5),
        agents=agents,
        paid_hours=8.0,
        cost=agents * 160.0,
        breaks=(ScheduledBreak("meal", meal, meal + timedelta(minutes=30)),),
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ScheduleStore]:
    yield from store_on(request.param, tmp_path, SqlScheduleStore, InMemoryScheduleStore)


def test_a_saved_week_comes_back_as_saved(store: ScheduleStore) -> None:
    week = [shift(d, 8, 3 + d) for d in range(7)] + [shift(0, 22, 1, "night")]
    saved = store.save(DRAFT, week)
    assert (saved.version, saved.shifts, saved.last_day) == (1, 8, date(2026, 12, 20))
    found = store.current(MONDAY, MONDAY + timedelta(days=6))
    assert [v for v, _ in found] == [1] * 8
    assert [s for _, s in found] == sorted(week, key=lambda s: (s.day, s.start_at))
    night = found[1][1]
    assert night.shift == "night" and night.end_at.astimezone(PARIS).hour == 6  # next morning
    assert night.breaks[0].start_at == datetime(2026, 12, 15, 2, 0, tzinfo=PARIS)
    assert store.versions() == [saved]


def test_a_later_save_replaces_only_its_days(store: ScheduleStore) -> None:
    store.save(DRAFT, [shift(d, 8, 2) for d in range(7)])
    wednesday = replace(DRAFT, first_day=MONDAY + timedelta(days=2), days=2, command="again")
    store.save(wednesday, [shift(2, 9, 5)])  # Thursday saved with no shift: nobody works
    found = store.current(MONDAY, MONDAY + timedelta(days=6))
    by_day = {(s.day - MONDAY).days: (v, s.agents) for v, s in found}
    assert by_day == {0: (1, 2), 1: (1, 2), 2: (2, 5), 4: (1, 2), 5: (1, 2), 6: (1, 2)}
    assert store.current(MONDAY + timedelta(days=7), MONDAY + timedelta(days=9)) == []
    assert [v.command for v in store.versions()] == ["carecenter schedule --save", "again"]


ROSTER = RosterVersion(
    version=0,
    saved_at=datetime(2026, 12, 7, 13, 0, tzinfo=UTC),
    command="carecenter roster --save",
    first_day=MONDAY,
    days=7,
    timezone="Europe/Paris",
    schedule_version=1,
    status="OPTIMAL",
    open_places=2,
    shifts=0,
)


def rostered(day: int, agent: str, hour: int = 8) -> RosteredShift:
    s = shift(day, hour, 1)
    return RosteredShift(s.day, agent, s.shift, s.start_at, s.end_at, s.paid_hours, 170.0, s.breaks)


def test_a_saved_roster_comes_back_and_a_later_one_replaces_its_days(
    store: ScheduleStore,
) -> None:
    week = [rostered(d, a) for d in range(7) for a in ("b2", "a1")]
    saved = store.save_roster(ROSTER, week)
    assert (saved.version, saved.shifts, saved.open_places) == (1, 14, 2)
    assert store.roster_versions() == [saved]
    found = store.current_roster(MONDAY, MONDAY + timedelta(days=6))
    assert [s for _, s in found] == week  # by day, then start, then as saved
    assert found[0][1].breaks[0].start_at == datetime(2026, 12, 14, 12, 0, tzinfo=PARIS)
    friday = replace(ROSTER, first_day=MONDAY + timedelta(days=4), days=1, open_places=0)
    store.save_roster(friday, [rostered(4, "c3", 10)])
    by_day = {}
    for version, s in store.current_roster(MONDAY, MONDAY + timedelta(days=13)):
        by_day.setdefault((s.day - MONDAY).days, []).append((version, s.agent_id))
    assert by_day[4] == [(2, "c3")] and by_day[3] == [(1, "b2"), (1, "a1")]
    assert sorted(by_day) == [0, 1, 2, 3, 4, 5, 6]
    assert store.current(MONDAY, MONDAY) == []  # rosters are not schedules
