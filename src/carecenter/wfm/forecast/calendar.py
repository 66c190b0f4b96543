"""Calendars of open days and intraday slot grids for interval forecasting.

A contact center forecast lives on a grid: the rows are the *open days* (the weekdays the center
works, e.g. Monday to Friday), the columns are the *slots* of a day (e.g. 07:00, 07:30, ...).
A "week" is the number of open weekdays, so "the same interval last week" is ``week_length``
open days back: 5 business days for a center closed at weekends, 7 days for a 24x7 center.
Pure standard library: dates and seconds in, dates and indices out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAY_S = 86_400


@dataclass(frozen=True)
class OpenWeek:
    """The weekdays a center is open (``date.weekday()`` numbers, Monday = 0)."""

    weekdays: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.weekdays or any(not 0 <= d <= 6 for d in self.weekdays):
            raise ValueError(f"open weekdays must be a non-empty subset of 0..6: {self.weekdays}")
        if tuple(sorted(set(self.weekdays))) != self.weekdays:
            raise ValueError("open weekdays must be sorted and unique")

    @classmethod
    def from_dates(cls, days: Iterable[date]) -> OpenWeek:
        """The open weekdays are the weekdays that occur in ``days``."""
        return cls(tuple(sorted({d.weekday() for d in days})))

    @property
    def length(self) -> int:
        """Open days per week: the seasonal lag, in days, of "same interval last week"."""
        return len(self.weekdays)

    def is_open(self, day: date) -> bool:
        return day.weekday() in self.weekdays

    def position(self, day: date) -> int:
        """Position of an open ``day`` in the week (0 = first open weekday)."""
        return self.weekdays.index(day.weekday())

    def days_between(self, first: date, last: date) -> list[date]:
        """All open days from ``first`` to ``last`` inclusive."""
        n = (last - first).days + 1
        return [d for d in (first + timedelta(i) for i in range(n)) if self.is_open(d)]

    def next_open_day(self, after: date) -> date:
        """The first open day after ``after``."""
        day = after + timedelta(1)
        while not self.is_open(day):
            day += timedelta(1)
        return day

    def days_after(self, last: date, calendar_days: int) -> list[date]:
        """Open days of the ``calendar_days`` days that start at the first open day after ``last``.

        From a Friday, ``7`` gives Monday to Friday of the next week for a business-day center.
        """
        if calendar_days < 1:
            return []
        first = self.next_open_day(last)
        return self.days_between(first, first + timedelta(calendar_days - 1))

    def nth_open_day(self, origin: date, index: int) -> date:
        """The ``index``-th open day from ``origin`` (0 = the first open day on or after it)."""
        if index < 0:
            raise ValueError("index must be >= 0")
        day = origin
        while not self.is_open(day):
            day += timedelta(1)
        weeks, rest = divmod(index, self.length)
        day += timedelta(7 * weeks)
        for _ in range(rest):
            day += timedelta(1)
            while not self.is_open(day):
                day += timedelta(1)
        return day


BUSINESS_WEEK = OpenWeek((0, 1, 2, 3, 4))


@dataclass(frozen=True)
class SlotGrid:
    """Intraday slots: ``count`` slots of ``interval_s`` seconds from ``first_s`` after midnight."""

    first_s: int
    interval_s: int
    count: int

    def __post_init__(self) -> None:
        if self.interval_s <= 0 or DAY_S % self.interval_s:
            raise ValueError(f"interval of {self.interval_s} s does not divide a day")
        if (
            self.count < 1
            or self.first_s < 0
            or self.first_s + self.count * self.interval_s > DAY_S
        ):
            raise ValueError("slot grid must lie within one day")

    @classmethod
    def covering(cls, seconds_of_day: Iterable[int], interval_s: int) -> SlotGrid:
        """The smallest grid of ``interval_s`` slots (aligned to midnight) covering the times."""
        if interval_s <= 0 or DAY_S % interval_s:
            raise ValueError(f"interval of {interval_s} s does not divide a day")
        secs = list(seconds_of_day)
        if not secs:
            raise ValueError("no times of day")
        lo = min(secs) // interval_s
        hi = max(secs) // interval_s
        return cls(lo * interval_s, interval_s, hi - lo + 1)

    def index(self, second_of_day: int) -> int:
        """Slot holding ``second_of_day``; raises ValueError when outside the grid."""
        k = (second_of_day - self.first_s) // self.interval_s
        if not 0 <= k < self.count or second_of_day < self.first_s:
            raise ValueError(f"time {second_of_day} s is outside the slot grid")
        return k

    def start(self, day: date, slot: int) -> datetime:
        """Start of ``slot`` on ``day`` as a naive local datetime."""
        return datetime.combine(day, time()) + timedelta(
            seconds=self.first_s + slot * self.interval_s
        )

    def starts(self, day: date) -> list[datetime]:
        return [self.start(day, k) for k in range(self.count)]


def second_of_day(moment: datetime | time) -> int:
    """Seconds after midnight of a wall-clock time."""
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def base_interval(seconds_of_day: Sequence[int]) -> int:
    """The native interval of a history: gcd of the distinct times of day and the day length.

    Rows at 07:00, 07:05, 07:10 give 300 s; a history with a single time of day gives one day.
    """
    step = DAY_S
    for s in set(seconds_of_day):
        step = math.gcd(step, s)
    return step
