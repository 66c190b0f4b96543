"""A saved schedule: the shifts of each day, with their breaks, as ``carecenter schedule
--save`` keeps them in the workspace.

Each save is a version covering whole days (``first_day`` and the ``days`` after it, in the
center's time zone); the current schedule of a day is that of the latest version covering it,
so saving a new week replaces only that week.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class ScheduledBreak:
    """A break of a shift: ``name`` from ``start_at`` to ``end_at``; unpaid unless ``paid``."""

    name: str
    start_at: datetime
    end_at: datetime
    paid: bool = False


@dataclass(frozen=True)
class ScheduledShift:
    """``agents`` agents working ``shift`` (a template of ``shifts.yaml``) on ``day`` from
    ``start_at`` to ``end_at``, each taking ``breaks``; ``paid_hours`` each, ``cost`` in all."""

    day: date
    shift: str
    start_at: datetime
    end_at: datetime
    agents: int
    paid_hours: float
    cost: float
    breaks: tuple[ScheduledBreak, ...] = ()


class DaysCovered:
    """A save of whole days: ``first_day`` and the ``days`` after it."""

    first_day: date
    days: int

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class ScheduleVersion(DaysCovered):
    """One save: when, by which command, the days it covers and how good it was."""

    version: int
    saved_at: datetime
    command: str
    first_day: date
    days: int
    interval_s: int
    timezone: str
    objective: float
    lp_bound: float
    bound: float
    shifts: int
    """Rows saved (shift, start and break placement)."""


class Covering(Protocol):
    """A saved version of whole days: a schedule's or a roster's."""

    @property
    def version(self) -> int: ...

    def covers(self, day: date) -> bool: ...


def latest_per_day(
    versions: Sequence[Covering], first_day: date, last_day: date
) -> dict[date, int]:
    """Day -> the latest version covering it, for the days from ``first_day`` to ``last_day``."""
    out: dict[date, int] = {}
    day = first_day
    while day <= last_day:
        covering = [v.version for v in versions if v.covers(day)]
        if covering:
            out[day] = max(covering)
        day += timedelta(days=1)
    return out
