"""A saved roster: which agent works which shift of the saved schedule, as ``carecenter roster
--save`` keeps it in the workspace.

Like a schedule, each save is a version covering whole days (``first_day`` and the ``days``
after it, in the center's time zone); the current roster of a day is that of the latest version
covering it. The places the roster left open are not rows: ``open_places`` counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from carecenter.domain.schedules import DaysCovered, ScheduledBreak


@dataclass(frozen=True)
class RosteredShift:
    """Agent ``agent_id`` works ``shift`` on ``day`` from ``start_at`` to ``end_at``, taking
    ``breaks``; ``paid_hours`` paid, costing ``cost`` (the agent's hourly cost, else the
    shift's)."""

    day: date
    agent_id: str
    shift: str
    start_at: datetime
    end_at: datetime
    paid_hours: float
    cost: float
    breaks: tuple[ScheduledBreak, ...] = ()


@dataclass(frozen=True)
class RosterVersion(DaysCovered):
    """One save: when, by which command, the days it covers, the schedule version it
    rosters, how the solver ended and how many places it left open."""

    version: int
    saved_at: datetime
    command: str
    first_day: date
    days: int
    timezone: str
    schedule_version: int
    status: str
    open_places: int
    shifts: int
    """Rows saved (one per agent and shift)."""
