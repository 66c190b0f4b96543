"""Shift scheduling's problem and answer: shift templates with their breaks, contracts with
their days-off patterns, the requirement (:class:`Problem`), and the shifts chosen
(:class:`Schedule`), whose coverage :func:`coverage_of` counts from the shifts alone. The
model that chooses them is :mod:`carecenter.wfm.scheduling`. Pure numpy.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class BreakRule:
    """A break of a shift: ``length`` intervals starting between ``earliest`` and ``latest``
    intervals after the shift starts (both included); unpaid unless ``paid``."""

    name: str
    length: int
    earliest: int
    latest: int
    paid: bool = False


@dataclass(frozen=True)
class ShiftTemplate:
    """A kind of shift: ``length`` intervals (breaks included) starting at one of ``starts``
    (interval of the day, 0 = midnight), its breaks, its cost per paid hour and how many of
    it a day may have (``max_per_day`` ``None``: no limit). ``contract``: the contract whose
    agents work it (``None``: any agent, no days-off rule)."""

    name: str
    length: int
    starts: tuple[int, ...]
    cost_per_hour: float
    breaks: tuple[BreakRule, ...] = ()
    min_per_day: int = 0
    max_per_day: int | None = None
    contract: str | None = None

    def paid_intervals(self) -> int:
        """Intervals paid: the length less the unpaid breaks."""
        return self.length - sum(b.length for b in self.breaks if not b.paid)


@dataclass(frozen=True)
class Contract:
    """Agents who work ``days_per_week`` days of 7 (their days off consecutive when
    ``consecutive_days_off``)."""

    name: str
    days_per_week: int
    consecutive_days_off: bool = True

    def patterns(self) -> list[tuple[int, ...]]:
        """The weeks an agent of the contract may work: 1 = works that day (Monday first),
        starting on any day of the week."""
        off = 7 - self.days_per_week
        if self.consecutive_days_off:
            weeks = {
                tuple(0 if (d - first) % 7 < off else 1 for d in range(7)) for first in range(7)
            }
        else:
            weeks = {
                tuple(0 if d in days else 1 for d in range(7))
                for days in itertools.combinations(range(7), off)
            }
        return sorted(weeks, reverse=True)


@dataclass(frozen=True)
class Problem:
    """A requirement (agents per interval, ``days`` x ``per_day``) and how it may be met."""

    requirement: NDArray[np.int64]
    interval_s: int
    templates: tuple[ShiftTemplate, ...]
    contracts: tuple[Contract, ...] = ()
    under_penalty: float = 1000.0
    """Cost of one agent missing for one interval."""
    over_penalty: float = 0.0
    """Cost of one agent too many for one interval (besides their pay)."""
    first_weekday: int = 0
    """The weekday of day 0 (0 = Monday), for the days-off patterns."""


@dataclass(frozen=True)
class ShiftCount:
    """``agents`` agents on ``template`` starting at interval ``start`` of ``day``, with how
    many take each break at each offset: ``breaks[k]`` maps an offset (intervals after the
    start) to agents."""

    day: int
    template: str
    start: int
    length: int
    agents: int
    breaks: tuple[dict[int, int], ...]
    cost: float


@dataclass(frozen=True)
class Schedule:
    """The answer: the shifts, the coverage per interval and how good the answer is."""

    shifts: list[ShiftCount]
    coverage: NDArray[np.int64]
    under: NDArray[np.int64]
    over: NDArray[np.int64]
    objective: float
    lp_bound: float
    """The LP relaxation's optimum: no schedule costs less."""
    bound: float
    """The best lower bound proven (the LP bound, or better from the solver's search)."""
    gap: float
    """(objective - bound) / objective: the answer is at most this much above the optimum."""
    lp_gap: float
    """(objective - LP bound) / objective."""
    seconds: float
    status: str
    patterns: dict[str, dict[tuple[int, ...], int]] = field(default_factory=dict)
    """Contract -> days-off pattern -> agents."""
    variables: int = 0

    @property
    def staff_cost(self) -> float:
        """What the shifts cost (the objective less the penalties)."""
        return sum(s.cost for s in self.shifts)


def coverage_of(shifts: Sequence[ShiftCount], problem: Problem) -> NDArray[np.int64]:
    """Agents working (on shift and not on a break) in each interval, days x per_day: counted
    from the shifts alone, independently of the model."""
    days, per_day = problem.requirement.shape
    horizon = days * per_day
    cover = np.zeros(horizon + max((s.length for s in shifts), default=0) + per_day, np.int64)
    for shift in shifts:
        first = shift.day * per_day + shift.start
        cover[first : first + shift.length] += shift.agents
        template = next(t for t in problem.templates if t.name == shift.template)
        for rule, offsets in zip(template.breaks, shift.breaks, strict=True):
            for offset, agents in offsets.items():
                cover[first + offset : first + offset + rule.length] -= agents
    return cover[:horizon].reshape(days, per_day)
