"""Open-day calendars, slot grids, durations and the AHT profile."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carecenter.wfm.forecast import BUSINESS_WEEK, DayMatrix, OpenWeek, SlotGrid, aht_profile
from carecenter.wfm.forecast.calendar import base_interval, second_of_day

FRIDAY = date(2003, 8, 15)


def test_open_week_from_dates_and_positions() -> None:
    week = OpenWeek.from_dates([date(2024, 1, 1), date(2024, 1, 3), date(2024, 1, 6)])
    assert week.weekdays == (0, 2, 5)
    assert week.length == 3
    assert week.position(date(2024, 1, 6)) == 2
    assert not week.is_open(date(2024, 1, 2))
    with pytest.raises(ValueError, match="subset"):
        OpenWeek(())
    with pytest.raises(ValueError, match="sorted"):
        OpenWeek((3, 1))


def test_business_days_skip_weekends() -> None:
    days = BUSINESS_WEEK.days_between(FRIDAY, FRIDAY + timedelta(4))
    assert days == [FRIDAY, date(2003, 8, 18), date(2003, 8, 19)]


def test_horizon_starts_at_the_next_open_day() -> None:
    assert BUSINESS_WEEK.days_after(FRIDAY, 1) == [date(2003, 8, 18)]
    week = BUSINESS_WEEK.days_after(FRIDAY, 7)
    assert week[0] == date(2003, 8, 18)
    assert week[-1] == date(2003, 8, 22)
    assert len(week) == 5
    assert len(BUSINESS_WEEK.days_after(FRIDAY, 14)) == 10
    assert BUSINESS_WEEK.days_after(FRIDAY, 0) == []


def test_nth_open_day_counts_business_days() -> None:
    origin = date(2003, 3, 3)
    assert BUSINESS_WEEK.nth_open_day(origin, 0) == origin
    assert BUSINESS_WEEK.nth_open_day(origin, 5) == date(2003, 3, 10)
    assert BUSINESS_WEEK.nth_open_day(origin, 119) == FRIDAY
    assert BUSINESS_WEEK.nth_open_day(date(2003, 3, 1), 0) == origin
    with pytest.raises(ValueError, match=">= 0"):
        BUSINESS_WEEK.nth_open_day(origin, -1)


@given(
    weekdays=st.sets(st.integers(0, 6), min_size=1),
    index=st.integers(0, 400),
    offset=st.integers(0, 6),
)
def test_nth_open_day_is_the_index_th_day_of_days_between(
    weekdays: set[int], index: int, offset: int
) -> None:
    week = OpenWeek(tuple(sorted(weekdays)))
    origin = date(2024, 1, 1) + timedelta(offset)
    day = week.nth_open_day(origin, index)
    assert week.is_open(day)
    assert len(week.days_between(origin, day)) == index + 1


def test_slot_grid_covers_the_times_aligned_to_midnight() -> None:
    grid = SlotGrid.covering([7 * 3600, 21 * 3600], 1800)
    assert (grid.first_s, grid.count) == (7 * 3600, 29)
    assert grid.index(7 * 3600 + 25 * 60) == 0
    assert grid.index(21 * 3600) == 28
    assert grid.start(FRIDAY, 1) == datetime(2003, 8, 15, 7, 30)
    assert len(grid.starts(FRIDAY)) == 29
    with pytest.raises(ValueError, match="outside"):
        grid.index(6 * 3600)
    with pytest.raises(ValueError, match="divide"):
        SlotGrid.covering([0], 7 * 60)
    with pytest.raises(ValueError, match="within one day"):
        SlotGrid(0, 3600, 25)


def test_base_interval_and_second_of_day() -> None:
    assert base_interval([7 * 3600, 7 * 3600 + 300, 8 * 3600]) == 300
    assert base_interval([0]) == 86_400
    assert second_of_day(datetime(2024, 1, 1, 10, 30, 15)) == 37_815


def test_aht_profile_is_volume_weighted() -> None:
    # two weeks of one open day per week; slot 1 has no calls on the most recent day
    calls = DayMatrix(np.array([[10.0, 5.0], [30.0, 0.0]]), week_length=1)
    handle = np.array([[10 * 100.0, 5 * 300.0], [30 * 200.0, 0.0]])
    aht = aht_profile(calls, handle, 2, weeks=2)
    assert aht[0, 0] == pytest.approx((1000 + 6000) / 40)
    assert aht[0, 1] == pytest.approx(300.0)
    np.testing.assert_allclose(aht[1], aht[0])


def test_aht_profile_falls_back_and_stays_unknown_without_handle_times() -> None:
    calls = DayMatrix(np.array([[10.0, 0.0], [10.0, 0.0]]), week_length=2)
    handle = np.array([[1000.0, 0.0], [np.nan, 0.0]])
    aht = aht_profile(calls, handle, 2)
    # day 2 is at position 0 (has own AHT); slot 1 never had calls: overall mean
    assert aht[0].tolist() == [100.0, 100.0]
    assert aht[1].tolist() == [100.0, 100.0]
    unknown = aht_profile(calls, np.full((2, 2), np.nan), 1)
    assert np.isnan(unknown).all()
