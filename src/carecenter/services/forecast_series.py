"""Interval history to series: each queue's rows laid out on its open days x slots grid."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from carecenter.adapters.interval_csv import IntervalRow, SpecialDay
from carecenter.errors import InputError
from carecenter.wfm.forecast import DayMatrix, OpenWeek, SlotGrid
from carecenter.wfm.forecast.calendar import base_interval, second_of_day
from carecenter.wfm.forecast.series import FloatArray


@dataclass(frozen=True)
class QueueSeries:
    """The history of one queue on its grid of open days x slots."""

    queue: str
    days: list[date]
    week: OpenWeek
    grid: SlotGrid
    calls: DayMatrix
    aht_calls: DayMatrix | None
    """Calls whose handle time is known (the weights of the AHT profile)."""
    handle_s: FloatArray | None
    excluded: list[date]
    missing: list[date]
    partial_slots: int


def build_series(
    rows: Iterable[IntervalRow],
    interval_s: int | None,
    special_days: Sequence[SpecialDay] = (),
    *,
    source: str = "history",
    native_s: int | None = None,
) -> list[QueueSeries]:
    """Group rows by queue and lay each queue out on its open days x slots grid.

    ``native_s`` is the interval of the rows when known (else the gcd of their times of day).
    """
    cells: dict[str, dict[tuple[date, int], list[float]]] = defaultdict(dict)
    for row in rows:
        handle = row.calls * row.aht_s if row.aht_s is not None else math.nan
        cells[row.queue][(row.start.date(), second_of_day(row.start))] = [row.calls, handle]
    if not cells:
        raise InputError("the history holds no rows", file=source)
    excluded = {s.day for s in special_days}
    return [
        _queue_series(q, c, interval_s, excluded, source, native_s)
        for q, c in sorted(cells.items())
    ]


def _queue_series(
    queue: str,
    cells: dict[tuple[date, int], list[float]],
    interval_s: int | None,
    excluded: set[date],
    source: str,
    native_s: int | None = None,
) -> QueueSeries:
    seconds = sorted({s for _, s in cells})
    base = native_s or base_interval(seconds)
    step = _target_interval(base, interval_s, source)
    grid = SlotGrid.covering(seconds, step)
    present = {d for d, _ in cells}
    week = OpenWeek.from_dates(present)
    days = week.days_between(min(present), max(present))
    row_of = {d: i for i, d in enumerate(days)}
    calls = np.zeros((len(days), grid.count))
    handle = np.zeros_like(calls)
    known = np.zeros_like(calls)
    for (day, sec), (n, h) in cells.items():
        i, k = row_of[day], grid.index(sec)
        calls[i, k] += n
        if not math.isnan(h):
            handle[i, k] += h
            known[i, k] += n
    skip = [d for d in days if d not in present or d in excluded]
    for d in skip:
        calls[row_of[d]] = handle[row_of[d]] = known[row_of[d]] = math.nan
    has_aht = bool(np.nansum(known) > 0)
    first = week.position(days[0])
    return QueueSeries(
        queue=queue,
        days=days,
        week=week,
        grid=grid,
        calls=DayMatrix(calls, week.length, first),
        aht_calls=DayMatrix(known, week.length, first) if has_aht else None,
        handle_s=handle if has_aht else None,
        excluded=[d for d in skip if d in excluded],
        missing=[d for d in skip if d not in excluded],
        partial_slots=_partial_slots(seconds, grid, base),
    )


def _target_interval(base: int, interval_s: int | None, source: str) -> int:
    if interval_s is None:
        return base
    if interval_s % base:
        raise InputError(
            f"cannot aggregate {base // 60} min intervals to {interval_s / 60:g} min "
            "(use a multiple of the history's interval)",
            file=source,
            field="interval",
        )
    return interval_s


def _partial_slots(seconds: Sequence[int], grid: SlotGrid, base: int) -> int:
    per_slot = grid.interval_s // base
    seen: dict[int, int] = defaultdict(int)
    for sec in seconds:
        seen[grid.index(sec)] += 1
    return sum(1 for n in seen.values() if n < per_slot)


def series_notes(series: QueueSeries) -> list[str]:
    """Notes on what a queue history lacks: special days, missing days, partial slots."""
    notes = []
    q = series.queue
    if series.excluded:
        notes.append(f"queue {q}: {len(series.excluded)} special day(s) excluded from fitting")
    if series.missing:
        shown = ", ".join(str(d) for d in series.missing[:5])
        more = "" if len(series.missing) <= 5 else ", ..."
        notes.append(f"queue {q}: {len(series.missing)} open day(s) missing: {shown}{more}")
    if series.partial_slots:
        notes.append(
            f"queue {q}: {series.partial_slots} slot(s) of {series.grid.interval_s // 60} min "
            "are only partly covered by the history"
        )
    return notes
