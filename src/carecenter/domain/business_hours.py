"""Business time: how much of a stretch of real time falls in a queue's opening hours.

Standard library only. Opening hours are wall-clock times in a time zone: a weekly pattern of
spans per weekday and dates closed all day. An instant counts as open when its local wall-clock
time falls in a span of its local weekday and its local date is not closed, exactly as
:meth:`carecenter.domain.center.OpeningHours.is_open` decides; business time is the measure of
the open instants between two instants.

The arithmetic keeps two clocks apart:

* :class:`WeekCalendar` counts open **wall-clock** microseconds from 0001-01-01 00:00 up to a
  wall-clock time (:meth:`WeekCalendar.open_until`) in constant time: whole weeks times the
  weekly total, the days of the last week, the part of the last day, minus the closed dates
  before it (a sorted list with prefix sums).
* Between two changes of the zone's UTC offset, wall-clock time is real time shifted by the
  offset, so the business time of a real stretch is the difference of ``open_until`` at its ends'
  wall-clock times. :func:`business_seconds` cuts the stretch at the offset changes
  (:func:`offset_changes`) and adds the pieces. A spring-forward hour's wall-clock times never
  occur and do not count; a fall-back hour's occur twice and count twice. So an 08:00-18:00 day is
  10 h on a DST day unless the change falls inside the span, and then it is the real elapsed time.

The offset changes are found by sampling the offset once a day and bisecting to the second where
it differs (they are cached per zone and year). This assumes a zone never changes its offset and
changes it back within one day, which holds for every zone in the tz database.
"""

from __future__ import annotations

from bisect import bisect_left
from calendar import isleap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate, pairwise
from zoneinfo import ZoneInfo

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SECOND_US = 1_000_000
DAY_US = 86_400 * SECOND_US
WEEK_US = 7 * DAY_US

_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
_POSIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_POSIX_EPOCH_US = (date(1970, 1, 1).toordinal() - 1) * DAY_US

DaySpans = tuple[tuple[int, int], ...]
"""Disjoint, sorted, non-adjacent (open, close) microseconds of a day, close up to ``DAY_US``."""


def _time_us(at: time) -> int:
    return ((at.hour * 60 + at.minute) * 60 + at.second) * SECOND_US + at.microsecond


def merge_spans(spans: Iterable[tuple[time, time]]) -> DaySpans:
    """One day's (open, close) times as merged microsecond spans; ``time(0)`` closes at 24:00.

    A span that closes before it opens is empty (it never passes ``is_open``'s test); overlapping
    and adjacent spans become one.
    """
    raw = sorted(
        (_time_us(start), DAY_US if end == time(0) else _time_us(end)) for start, end in spans
    )
    merged: list[tuple[int, int]] = []
    for start, end in raw:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _open_before(spans: DaySpans, tod: int) -> int:
    """Open microseconds of a day with ``spans`` before the time of day ``tod``."""
    total = 0
    for start, end in spans:
        if start >= tod:
            break
        total += min(end, tod) - start
    return total


@dataclass(frozen=True)
class WeekCalendar:
    """A weekly pattern of open wall-clock spans (Monday first) and dates closed all day."""

    days: tuple[DaySpans, ...]
    closed: tuple[int, ...] = ()
    """Closed dates as day numbers (``date.toordinal() - 1``), sorted, distinct."""
    week_us: int = field(init=False)
    """Open microseconds in a week without closed dates."""
    _before: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _closed_before: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("a week calendar needs the spans of 7 weekdays")
        totals = [sum(end - start for start, end in spans) for spans in self.days]
        object.__setattr__(self, "week_us", sum(totals))
        object.__setattr__(self, "_before", (0, *accumulate(totals[:-1])))
        closed_totals = (totals[day % 7] for day in self.closed)
        object.__setattr__(self, "_closed_before", (0, *accumulate(closed_totals)))

    @classmethod
    def build(
        cls, weekly: Mapping[str, Iterable[tuple[time, time]]], closed_on: Iterable[date] = ()
    ) -> WeekCalendar:
        """From ``{"mon": ((open, close), ...), ...}`` (a missing weekday is closed) and dates."""
        days = tuple(merge_spans(weekly.get(name, ())) for name in WEEKDAY_NAMES)
        return cls(days, tuple(sorted({d.toordinal() - 1 for d in closed_on})))

    @property
    def always_open(self) -> bool:
        """Whether every moment of every week is open and no date is closed."""
        return self.week_us == WEEK_US and not self.closed

    def open_until(self, wall_us: int) -> int:
        """Open microseconds from 0001-01-01 00:00 to the wall-clock time ``wall_us`` after it."""
        day, tod = divmod(wall_us, DAY_US)
        weeks, weekday = divmod(day, 7)
        partial = _open_before(self.days[weekday], tod)
        total = weeks * self.week_us + self._before[weekday] + partial
        k = bisect_left(self.closed, day)
        total -= self._closed_before[k]
        if k < len(self.closed) and self.closed[k] == day:
            total -= partial
        return total


def wall_us(at: datetime) -> int:
    """Microseconds from 0001-01-01 00:00 to the wall-clock time of ``at`` (its own fields)."""
    seconds = (at.toordinal() - 1) * 86_400 + (at.hour * 60 + at.minute) * 60 + at.second
    return seconds * SECOND_US + at.microsecond


def _offset_us(at: datetime) -> int:
    offset = at.utcoffset()
    return 0 if offset is None else offset // _MICROSECOND


def _offset_at(zone: ZoneInfo, posix_s: int) -> timedelta | None:
    return (_POSIX_EPOCH + timedelta(seconds=posix_s)).astimezone(zone).utcoffset()


@lru_cache(maxsize=4096)
def _year_changes(zone_name: str, year: int) -> tuple[int, ...]:
    """POSIX seconds ``t`` in the UTC year (Jan 1 excluded, next Jan 1 included) at which the
    zone's offset differs from the second before."""
    zone = ZoneInfo(zone_name)
    first = datetime(year, 1, 1, tzinfo=UTC)
    start = (first - _POSIX_EPOCH) // timedelta(seconds=1)
    days = 366 if isleap(year) else 365
    offsets = [(first + _DAY * i).astimezone(zone).utcoffset() for i in range(days)]
    offsets.append(_offset_at(zone, start + days * 86_400))
    changes: list[int] = []
    for i, (before, after) in enumerate(pairwise(offsets)):
        low, high = start + i * 86_400, start + (i + 1) * 86_400
        while before != after:  # the first second in (low, high] with an offset other than before
            lo, hi = low, high
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset_at(zone, mid) == before:
                    lo = mid
                else:
                    hi = mid
            changes.append(hi)
            low, before = hi, _offset_at(zone, hi)
    return tuple(changes)


def offset_changes(zone_name: str, start_us: int, end_us: int) -> list[int]:
    """UTC microseconds (from 0001-01-01) strictly between ``start_us`` and ``end_us`` at which
    the zone's UTC offset changes, in order."""
    first = datetime.min + timedelta(microseconds=start_us)
    last = datetime.min + timedelta(microseconds=end_us)
    found: list[int] = []
    for year in range(first.year, last.year + 1):
        for posix_s in _year_changes(zone_name, year):
            at = posix_s * SECOND_US + _POSIX_EPOCH_US
            if start_us < at < end_us:
                found.append(at)
    return found


def business_us(calendar: WeekCalendar, zone_name: str, start: datetime, end: datetime) -> int:
    """Open microseconds between the aware datetimes ``start`` and ``end`` (0 if end <= start)."""
    zone = ZoneInfo(zone_name)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    start_us = wall_us(local_start) - _offset_us(local_start)
    end_us = wall_us(local_end) - _offset_us(local_end)
    if end_us <= start_us:
        return 0
    if calendar.always_open:
        return end_us - start_us
    total, low, offset = 0, start_us, _offset_us(local_start)
    for change in [*offset_changes(zone_name, start_us, end_us), end_us]:
        total += calendar.open_until(change + offset) - calendar.open_until(low + offset)
        if change < end_us:
            posix_s = (change - _POSIX_EPOCH_US) // SECOND_US
            low, offset = change, (_offset_at(zone, posix_s) or timedelta()) // _MICROSECOND
    return total


def business_seconds(
    calendar: WeekCalendar, zone_name: str, start: datetime, end: datetime
) -> float:
    """Open seconds between the aware datetimes ``start`` and ``end`` (0 if end <= start)."""
    return business_us(calendar, zone_name, start, end) / SECOND_US


@dataclass(frozen=True)
class OpenHoursClock:
    """A queue's business time as one clock: ``at(b) - at(a)`` is the business time between
    the instants ``a <= b`` (POSIX seconds), as :func:`business_us` counts it, for instants
    between ``low`` and ``high``. A report writes the clock as arithmetic into its query
    (:mod:`carecenter.metrics.business_time`), so business time needs no table and no time
    zone support from the backend.

    The clock is :meth:`WeekCalendar.open_until` of the instant's wall-clock time, counted from
    ``origin`` (a Monday 00:00 wall-clock time before ``low``), plus a constant per stretch
    between two changes of the zone's UTC offset: at each change the wall-clock time jumps, and
    the constant cancels the open time the jump would add or take away, so the clock runs on
    without a jump and the difference over a stretch that spans a change is the sum of its
    pieces, as :func:`business_us` adds them. Closed dates before ``low`` are left out: they
    shift every reading by the same amount.
    """

    calendar: WeekCalendar
    origin: int
    """POSIX seconds of the Monday 00:00 the wall-clock readings are counted from (as if
    wall-clock time were UTC)."""
    first_offset: int
    """UTC offset (seconds) before the first change."""
    changes: tuple[tuple[int, int, float], ...]
    """(POSIX second of a change, the offset from then on, the clock's constant from then on,
    in seconds)."""
    closed: tuple[tuple[int, int], ...]
    """Closed dates from ``origin`` on: (wall-clock second of its 00:00 after ``origin``, its
    weekday)."""

    @classmethod
    def build(cls, calendar: WeekCalendar, zone_name: str, low: int, high: int) -> OpenHoursClock:
        """The clock of ``calendar`` in the zone for the instants ``low`` to ``high`` (POSIX
        seconds)."""
        zone = ZoneInfo(zone_name)
        first_offset = _offset_at(zone, low) or timedelta()
        first_s = first_offset // timedelta(seconds=1)
        wall_day = (low + first_s) // 86_400 - 1  # a day of margin for the offset
        monday = wall_day - (wall_day + 3) % 7  # POSIX day 0 was a Thursday
        origin_us = monday * DAY_US + _POSIX_EPOCH_US
        changes: list[tuple[int, int, float]] = []
        offset_us, constant_us = first_s * SECOND_US, 0
        low_us, high_us = low * SECOND_US + _POSIX_EPOCH_US, high * SECOND_US + _POSIX_EPOCH_US
        for change in offset_changes(zone_name, low_us, high_us):
            posix_s = (change - _POSIX_EPOCH_US) // SECOND_US
            new_us = (_offset_at(zone, posix_s) or timedelta()) // _MICROSECOND
            constant_us += calendar.open_until(change + offset_us) - calendar.open_until(
                change + new_us
            )
            offset_us = new_us
            changes.append((posix_s, new_us // SECOND_US, constant_us / SECOND_US))
        first_closed = origin_us // DAY_US
        closed = tuple(
            ((day - first_closed) * 86_400, day % 7)
            for day in calendar.closed
            if day >= first_closed
        )
        return cls(calendar, monday * 86_400, first_s, tuple(changes), closed)

    def offset(self, posix_s: float) -> tuple[int, float]:
        """The UTC offset and the clock's constant at the instant ``posix_s``."""
        offset, constant = self.first_offset, 0.0
        for at, new, value in self.changes:
            if posix_s >= at:
                offset, constant = new, value
        return offset, constant

    def at(self, posix_s: float) -> float:
        """The clock's reading (seconds) at the instant ``posix_s``: the query computes the
        same reading in arithmetic (:mod:`carecenter.metrics.business_time`)."""
        offset, constant = self.offset(posix_s)
        instant_us = (datetime.fromtimestamp(posix_s, UTC) - _POSIX_EPOCH) // _MICROSECOND
        wall_us = instant_us + offset * SECOND_US + _POSIX_EPOCH_US
        origin_us = self.origin * SECOND_US + _POSIX_EPOCH_US
        opened = self.calendar.open_until(wall_us) - self.calendar.open_until(origin_us)
        return opened / SECOND_US + constant
