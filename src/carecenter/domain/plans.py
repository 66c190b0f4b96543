"""Plans: the forecast and the required staff per queue and interval the center works to.

A plan is saved in versions (:class:`PlanVersion`): each save of a forecast or a staffing plan
is one version holding its rows (:class:`PlanRow`, one per queue and interval). A newer version
*replaces* the rows of earlier ones of the same kind, queue and overlapping interval; the rows
it replaced stay in the history, marked with the version that replaced them. The current plan
is every row no version replaced. :class:`PlanIndex` answers "what does the current plan say
for this queue at this moment" (the interval containing it), which the contact engine asks of
the planned agents.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise


class PlanKind(StrEnum):
    """What a plan holds: a forecast of contacts and handle time, or the staff they need."""

    FORECAST = "forecast"
    STAFF = "staff"


@dataclass(frozen=True)
class PlanRow:
    """One queue in one interval of a plan.

    * ``interval_start`` (timezone-aware) and ``interval_s``: the interval;
    * ``calls`` (with the prediction interval ``calls_lo``, ``calls_hi`` of a forecast),
      ``aht_s`` and ``patience_s``: the contacts expected and how long they take;
    * ``model``: the forecast model, or the queueing model of a staffing plan (``A``, ``B``,
      ``C``);
    * ``agents``: agents needed on contacts; ``scheduled_agents``: agents to schedule, with
      shrinkage; ``measures``: the queueing measures at ``agents`` (service level, ASA...).
    """

    queue_id: str
    interval_start: datetime
    interval_s: int
    calls: float | None = None
    calls_lo: float | None = None
    calls_hi: float | None = None
    aht_s: float | None = None
    patience_s: float | None = None
    model: str | None = None
    agents: int | None = None
    scheduled_agents: int | None = None
    measures: Mapping[str, float | None] = field(default_factory=dict)

    @property
    def interval_end(self) -> datetime:
        """The end of the interval (excluded)."""
        return self.interval_start + timedelta(seconds=self.interval_s)

    def covers(self, moment: datetime) -> bool:
        """Whether ``moment`` falls in this row's interval."""
        return self.interval_start <= moment < self.interval_end


@dataclass(frozen=True)
class PlanVersion:
    """One save of a plan: when, by which command, the period its rows span, how many rows it
    holds and how many rows of earlier versions it replaced."""

    version: int
    kind: PlanKind
    saved_at: datetime
    command: str
    period_start: datetime
    period_end: datetime
    rows: int
    replaced: int = 0


@dataclass(frozen=True)
class StoredPlanRow:
    """A row as stored: its version, and the version that replaced it (``None``: current)."""

    row: PlanRow
    version: int
    replaced_by: int | None = None


def period_of(rows: Sequence[PlanRow]) -> tuple[datetime, datetime]:
    """The first interval start and the last interval end of ``rows`` (not empty)."""
    return min(r.interval_start for r in rows), max(r.interval_end for r in rows)


def overlap(rows: Sequence[PlanRow]) -> tuple[PlanRow, PlanRow] | None:
    """Two rows of one queue whose intervals overlap (the first such pair), or ``None``."""
    ordered = sorted(rows, key=lambda r: (r.queue_id, r.interval_start))
    for before, after in pairwise(ordered):
        if before.queue_id == after.queue_id and after.interval_start < before.interval_end:
            return before, after
    return None


def replaced_rows(new: Sequence[PlanRow], old: Iterable[StoredPlanRow]) -> list[StoredPlanRow]:
    """The rows of ``old`` (current rows of earlier versions) that ``new`` (rows that do not
    overlap each other) replaces: same queue, overlapping interval."""
    index = PlanIndex(new)
    found = []
    for stored in old:
        row = stored.row
        # the last new row of the queue starting before the old row ends
        before = index.last_before(row.queue_id, row.interval_end)
        if before is not None and before.interval_end > row.interval_start:
            found.append(stored)
    return found


class PlanIndex:
    """The current plan of some queues over a span of time, looked up by moment."""

    def __init__(self, rows: Iterable[PlanRow]) -> None:
        by_queue: dict[str, list[PlanRow]] = defaultdict(list)
        for row in rows:
            by_queue[row.queue_id].append(row)
        self._rows = {q: sorted(rs, key=lambda r: r.interval_start) for q, rs in by_queue.items()}
        self._starts = {q: [r.interval_start for r in rs] for q, rs in self._rows.items()}

    def last_before(self, queue_id: str, moment: datetime) -> PlanRow | None:
        """The row of ``queue_id`` starting last before ``moment`` (excluded)."""
        starts = self._starts.get(queue_id)
        if not starts:
            return None
        i = bisect_left(starts, moment) - 1
        return None if i < 0 else self._rows[queue_id][i]

    def row_at(self, queue_id: str, moment: datetime) -> PlanRow | None:
        """The row of ``queue_id`` whose interval contains ``moment`` (``None``: no plan)."""
        row = self.last_before(queue_id, moment + _TICK)
        return row if row is not None and row.covers(moment) else None


_TICK = timedelta(microseconds=1)
