"""Business time per queue: hand-computed cases, a brute-force reference, additivity, speed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carecenter.domain.business_hours import _year_changes, merge_spans
from carecenter.domain.center import WEEKDAYS, OpeningHours
from carecenter.errors import DomainError

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600.0
Spans = tuple[tuple[time, time], ...]
Case = tuple[OpeningHours, datetime, datetime]


def hours(
    weekly: Mapping[str, Spans], tz: str = "Europe/Berlin", closed_on: frozenset[date] = frozenset()
) -> OpeningHours:
    return OpeningHours(timezone=tz, weekly=MappingProxyType(dict(weekly)), closed_on=closed_on)


def span(text: str) -> tuple[time, time]:
    start, end = text.split("-")
    return time.fromisoformat(start), time(0) if end == "24:00" else time.fromisoformat(end)


OFFICE = hours({d: (span("08:00-18:00"),) for d in WEEKDAYS[:5]})
ALL_DAY = (span("00:00-24:00"),)


def at(
    y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0, fold: int = 0
) -> datetime:
    """A wall-clock time in Berlin."""
    return datetime(y, mo, d, h, mi, s, us, tzinfo=BERLIN, fold=fold)


def test_a_weekend_between_friday_evening_and_monday_morning_is_not_counted() -> None:
    assert OFFICE.business_seconds(at(2026, 3, 6, 17), at(2026, 3, 9, 9)) == 2 * HOUR
    assert OFFICE.business_seconds(at(2026, 3, 7, 10), at(2026, 3, 8, 20)) == 0.0
    assert OFFICE.business_seconds(at(2026, 3, 9, 7), at(2026, 3, 9, 7, 30)) == 0.0
    assert OFFICE.business_seconds(at(2026, 3, 9, 9), at(2026, 3, 9, 9, 0, 1)) == 1.0


def test_end_not_after_start_is_zero_and_naive_datetimes_are_refused() -> None:
    assert OFFICE.business_seconds(at(2026, 3, 9, 12), at(2026, 3, 9, 10)) == 0.0
    assert OFFICE.business_seconds(at(2026, 3, 9, 12), at(2026, 3, 9, 12)) == 0.0
    with pytest.raises(DomainError):
        OFFICE.business_seconds(datetime(2026, 3, 9, 9), at(2026, 3, 9, 10))
    with pytest.raises(DomainError):
        OFFICE.business_seconds(at(2026, 3, 9, 9), datetime(2026, 3, 9, 10))


def test_a_holiday_is_closed_all_day() -> None:
    xmas = hours(OFFICE.weekly, closed_on=frozenset({date(2026, 12, 25)}))
    # Thursday 24 Dec 12:00 to Monday 28 Dec 10:00: 6 h on Thursday, Friday closed, 2 h Monday.
    assert xmas.business_seconds(at(2026, 12, 24, 12), at(2026, 12, 28, 10)) == 8 * HOUR
    assert OFFICE.business_seconds(at(2026, 12, 24, 12), at(2026, 12, 28, 10)) == 18 * HOUR
    assert not xmas.is_open(at(2026, 12, 25, 12)) and OFFICE.is_open(at(2026, 12, 25, 12))
    assert xmas.is_open(at(2026, 12, 24, 12))


def test_a_holiday_is_a_local_date() -> None:
    new_year = frozenset({date(2026, 1, 1)})
    sydney = hours(dict.fromkeys(WEEKDAYS, ALL_DAY), "Australia/Sydney", new_year)
    # 1 Jan in Sydney (UTC+11) is 31 Dec 13:00 UTC to 1 Jan 13:00 UTC.
    start, end = datetime(2025, 12, 31, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    assert sydney.business_seconds(start, end) == 24 * HOUR
    assert not sydney.is_open(datetime(2025, 12, 31, 13, tzinfo=UTC))
    assert sydney.is_open(datetime(2025, 12, 31, 12, 59, 59, tzinfo=UTC))


def test_a_span_closing_at_midnight_runs_on_into_the_next_day() -> None:
    late = hours({"fri": (span("20:00-24:00"),), "sat": (span("00:00-02:00"),)})
    assert late.business_seconds(at(2026, 3, 6, 21), at(2026, 3, 7, 1)) == 4 * HOUR
    assert late.business_seconds(at(2026, 3, 6, 12), at(2026, 3, 8, 12)) == 6 * HOUR
    assert late.is_open(at(2026, 3, 6, 23, 59, 59)) and late.is_open(at(2026, 3, 7, 0))
    assert not late.is_open(at(2026, 3, 7, 2))


def test_overlapping_and_adjacent_spans_count_once() -> None:
    tangle = hours({"mon": (span("10:00-14:00"), span("08:00-12:00"), span("14:00-15:00"))})
    assert tangle.business_seconds(at(2026, 3, 9), at(2026, 3, 10)) == 7 * HOUR
    assert merge_spans(tangle.weekly["mon"]) == ((8 * 3600 * 10**6, 15 * 3600 * 10**6),)
    assert merge_spans((span("18:00-08:00"),)) == ()  # closes before it opens: never open


@pytest.mark.parametrize(
    ("day", "weekly", "expected_h"),
    [
        # Sunday 29 March 2026: 02:00 becomes 03:00; Sunday 25 October: 03:00 becomes 02:00.
        (date(2026, 3, 29), {"sun": ALL_DAY}, 23),
        (date(2026, 10, 25), {"sun": ALL_DAY}, 25),
        (date(2026, 3, 29), {"sun": (span("08:00-18:00"),)}, 10),
        (date(2026, 10, 25), {"sun": (span("08:00-18:00"),)}, 10),
        (date(2026, 3, 29), {"sun": (span("01:00-04:00"),)}, 2),
        (date(2026, 10, 25), {"sun": (span("01:00-04:00"),)}, 4),
        (date(2026, 3, 22), {"sun": ALL_DAY}, 24),
    ],
)
def test_daylight_saving_days_in_berlin(
    day: date, weekly: dict[str, Spans], expected_h: int
) -> None:
    start = datetime.combine(day - timedelta(days=2), time(12), BERLIN)
    end = datetime.combine(day + timedelta(days=2), time(12), BERLIN)
    assert hours(weekly).business_seconds(start, end) == expected_h * HOUR


def test_always_open_hours_give_the_elapsed_time_across_daylight_saving() -> None:
    always = OpeningHours("Europe/Berlin")
    assert always.always_open
    midnight = at(2026, 3, 29)
    assert always.business_seconds(midnight, midnight + timedelta(days=1)) == 23 * HOUR
    assert always.business_seconds(at(2026, 10, 25), at(2026, 10, 26)) == 25 * HOUR
    # Same tzinfo on both ends: 01:30 summer time to the second 02:30 (winter time) is 2 h,
    # though the wall clocks are one hour apart.
    first, second = at(2026, 10, 25, 1, 30), at(2026, 10, 25, 2, 30, fold=1)
    assert always.business_seconds(first, second) == 2 * HOUR
    assert hours(dict.fromkeys(WEEKDAYS[:6], ALL_DAY)).business_seconds(first, second) == 0.0


def test_always_open() -> None:
    assert OpeningHours().always_open
    halves = (span("00:00-12:00"), span("12:00-24:00"))
    assert hours(dict.fromkeys(WEEKDAYS, halves)).always_open
    assert not hours(dict.fromkeys(WEEKDAYS[:6], ALL_DAY)).always_open
    assert not hours(
        dict.fromkeys(WEEKDAYS, ALL_DAY), closed_on=frozenset({date(2026, 1, 1)})
    ).always_open
    assert not OFFICE.always_open


def test_a_zone_other_than_utc() -> None:
    new_york = hours({d: (span("09:00-17:00"),) for d in WEEKDAYS[:5]}, "America/New_York")
    # Monday 5 January 2026, 13:00-23:00 UTC is 08:00-18:00 in New York (UTC-5).
    start, end = datetime(2026, 1, 5, 13, tzinfo=UTC), datetime(2026, 1, 5, 23, tzinfo=UTC)
    assert new_york.business_seconds(start, end) == 8 * HOUR
    assert OFFICE.business_seconds(start, end) == 4 * HOUR  # Berlin: 14:00-00:00, 14-18 open
    kolkata = hours({d: (span("09:30-18:00"),) for d in WEEKDAYS}, "Asia/Kolkata")
    # 04:00-12:30 UTC is 09:30-18:00 in Kolkata (UTC+5:30).
    assert kolkata.business_seconds(start - timedelta(hours=9), start - timedelta(minutes=30)) == (
        8.5 * HOUR
    )


def test_microseconds_count() -> None:
    start = at(2026, 3, 9, 17, 59, 59, 250_000)
    assert OFFICE.business_seconds(start, at(2026, 3, 9, 19)) == 0.75


def test_three_years_are_counted_right() -> None:
    xmas = frozenset(date(y, 12, d) for y in (2024, 2025, 2026) for d in (25, 26))
    office = hours(OFFICE.weekly, closed_on=xmas)
    start, end = datetime(2024, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    _year_changes.cache_clear()
    total = office.business_seconds(start, end)
    # 262 + 261 + 261 weekdays; the holidays on weekdays: 2024 Wed+Thu, 2025 Thu+Fri, 2026 Fri.
    assert total == (784 - 5) * 10 * HOUR
    assert office.business_seconds(start, end) == total  # from the cache: the same


# --- the brute-force reference -------------------------------------------------------------

# Each zone with the UTC instants at which its offset changes in 2026 (UTC: any day).
TRANSITIONS = {
    "Europe/Berlin": [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)],
    "America/New_York": [datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC)],
    # half-hour changes
    "Australia/Lord_Howe": [
        datetime(2026, 4, 4, 15, tzinfo=UTC),
        datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
    ],
    # changes at local midnight
    "America/Santiago": [datetime(2026, 4, 5, 3, tzinfo=UTC), datetime(2026, 9, 6, 4, tzinfo=UTC)],
    "UTC": [datetime(2026, 12, 24, tzinfo=UTC)],
}


def minute_time(m: int) -> time:
    return time(m // 60, m % 60)


@st.composite
def weekly_spans(draw: st.DrawFn) -> dict[str, Spans]:
    weekly: dict[str, Spans] = {}
    for day in WEEKDAYS:
        n = draw(st.integers(0, 3))
        spans = []
        for _ in range(n):
            # often around the small hours, where the offsets change
            start = draw(st.integers(0, 24 * 60 - 1) | st.sampled_from([0, 60, 90, 120, 150]))
            end = draw(st.integers(start + 1, 24 * 60) | st.just(24 * 60))
            spans.append((minute_time(start), time(0) if end == 24 * 60 else minute_time(end)))
        if n or draw(st.booleans()):
            weekly[day] = tuple(spans)
    return weekly


@st.composite
def random_hours(draw: st.DrawFn, zone: str | None = None) -> OpeningHours:
    """Random minute-aligned weekly spans; maybe a holiday near one of the zone's changes."""
    zone = zone or draw(st.sampled_from(sorted(TRANSITIONS)))
    near = st.builds(
        lambda t, days: t.date() + timedelta(days=days),
        st.sampled_from(TRANSITIONS[zone]),
        st.integers(-1, 1),
    )
    return hours(draw(weekly_spans()), zone, draw(st.frozensets(near, max_size=2)))


@st.composite
def hours_and_short_range(draw: st.DrawFn) -> Case:
    """Hours in a zone and a range of up to two days that often spans an offset change."""
    zone = draw(st.sampled_from(sorted(TRANSITIONS)))
    anchor = draw(st.sampled_from(TRANSITIONS[zone]))
    start = anchor + timedelta(minutes=draw(st.integers(-36 * 60, 12 * 60)))
    end = start + timedelta(minutes=draw(st.integers(0, 2 * 1440)))
    return draw(random_hours(zone)), start, end


def brute_force(opening: OpeningHours, start: datetime, end: datetime) -> float:
    """Minute by minute: exact when every span, offset change and input is minute-aligned."""
    total, t, step = 0.0, start, timedelta(minutes=1)
    while t < end:
        total += 60.0 if opening.is_open(t) else 0.0
        t += step
    return total


@settings(max_examples=200, deadline=None)
@given(hours_and_short_range())
def test_agrees_with_a_minute_by_minute_count(
    case: tuple[OpeningHours, datetime, datetime],
) -> None:
    opening, start, end = case
    assert opening.business_seconds(start, end) == brute_force(opening, start, end)


@settings(max_examples=200, deadline=None)
@given(
    random_hours(),
    st.lists(st.integers(0, 3 * 365 * 86_400), min_size=3, max_size=3).map(sorted),
)
def test_is_additive(opening: OpeningHours, points: list[int]) -> None:
    base = datetime(2025, 6, 1, tzinfo=UTC)
    a, b, c = (base + timedelta(seconds=s) for s in points)
    whole = opening.business_seconds(a, c)
    assert whole == opening.business_seconds(a, b) + opening.business_seconds(b, c)
    assert 0.0 <= whole <= (c - a).total_seconds()
    assert opening.business_seconds(c, a) == 0.0


@settings(max_examples=50, deadline=None)
@given(random_hours(), st.integers(0, 10**6 - 1), st.integers(1, 400 * 86_400 * 10**6))
def test_is_additive_to_the_microsecond(opening: OpeningHours, shift: int, length: int) -> None:
    a = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(microseconds=shift)
    b, c = a + timedelta(microseconds=length // 3), a + timedelta(microseconds=length)
    split = opening.business_seconds(a, b) + opening.business_seconds(b, c)
    assert opening.business_seconds(a, c) == pytest.approx(split, abs=1e-6)
