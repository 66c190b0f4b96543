"""Interval history from the warehouse: offered contacts and AHT per queue and interval.

The forecast's history when no CSV is given: the metric catalog's report by queue
(:func:`carecenter.metrics.engine.run`), so the forecast's input is what ``carecenter report
--by queue`` prints for the same queue and interval:

- calls = the catalog's ``offered``: answered + abandoned (short abandons unless the queue's
  policy excludes them) + flow-outs when the policy includes them, by ``enqueued_at`` in the
  center's local time (intervals aligned to local midnight);
- AHT = the catalog's ``aht_s``: (conversation + after-call work) / handled (``None`` when
  nothing was handled).

A missing row means no calls: on every *opening day* of a queue the intervals inside its
opening hours that saw no visit are filled with zero. The opening days of a queue are the days
from its first visit to the last day of the history on which the center recorded any visit and
the queue's opening hours are open; a day on which the whole center recorded nothing is taken as
a day without data (closed, or not loaded), not a day without calls.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.adapters.interval_csv import IntervalRow
from carecenter.domain.center import OpeningHours
from carecenter.domain.durations import DAY_S, divides_day
from carecenter.errors import InputError
from carecenter.metrics.dims import Dimensions
from carecenter.metrics.engine import ReportSpec, run

DEFAULT_INTERVAL_S = 1800
_PROBE_S = 300
"""An interval is inside opening hours when the queue is open at one of its 5-minute marks."""
VISITS = ("answered", "abandoned", "short_abandoned", "flowed_out", "callbacks", "exited")
"""Counts of the report by which an interval of a queue saw a visit (offered or not)."""


@dataclass(frozen=True)
class _Cell:
    calls: float
    aht_s: float | None


def read_interval_history(
    con: Any,
    *,
    timezone: str = "UTC",
    interval_s: int = DEFAULT_INTERVAL_S,
    hours: Mapping[str, OpeningHours] | None = None,
    dims: Dimensions | None = None,
) -> list[IntervalRow]:
    """Offered contacts and AHT per queue and interval of the warehouse behind the Ibis
    backend ``con``, zero-filled inside opening hours (``hours``: queue id -> opening hours;
    a queue without hours is filled over the times of day it ever had a visit). ``dims``
    holds the queues' service-level policies, which say what counts as offered.

    Rows come sorted by queue and interval start (naive local datetimes); ``line`` is 0.
    """
    if not divides_day(interval_s):
        raise InputError(
            f"an interval of {interval_s} s does not divide a day (use e.g. 15m, 30m, 1h)",
            field="interval",
        )
    cells = _query(con, timezone, interval_s, dims or Dimensions({}, {}))
    return _fill(cells, timezone, interval_s, hours or {})


def _query(
    con: Any, timezone: str, interval_s: int, dims: Dimensions
) -> dict[tuple[str, datetime], _Cell]:
    """The catalog's offered and AHT of every queue and interval that saw a visit."""
    spec = ReportSpec(interval=f"{interval_s}s", by=("queue",), fcr=False)
    report = run(con, spec, dims, timezone)
    return {
        (str(r["queue"]), r["interval_start"].replace(tzinfo=None)): _Cell(
            float(r["offered"]), r["aht_s"]
        )
        for r in report.rows
        if r["queue"] is not None and any(r[k] for k in VISITS)
    }


def _fill(
    cells: dict[tuple[str, datetime], _Cell],
    timezone: str,
    interval_s: int,
    hours: Mapping[str, OpeningHours],
) -> list[IntervalRow]:
    if not cells:
        return []
    by_queue: dict[str, dict[datetime, _Cell]] = defaultdict(dict)
    for (queue, start), cell in cells.items():
        by_queue[queue][start] = cell
    center_days = sorted({start.date() for _, start in cells})
    zone = ZoneInfo(timezone)
    rows: list[IntervalRow] = []
    for queue, seen in sorted(by_queue.items()):
        first = min(seen).date()
        days = [d for d in center_days if d >= first]
        open_slots = _open_slots(hours.get(queue), days, zone, interval_s, seen)
        starts = sorted(set(seen) | open_slots)
        rows.extend(_row(queue, s, seen.get(s)) for s in starts)
    return rows


def _open_slots(
    hours: OpeningHours | None,
    days: list[date],
    zone: ZoneInfo,
    interval_s: int,
    seen: Mapping[datetime, _Cell],
) -> set[datetime]:
    """Interval starts inside opening hours on ``days`` (or, without hours, at the times of
    day the queue ever had a visit, on every one of ``days``)."""
    if hours is None:
        times = {s.time() for s in seen}
        return {datetime.combine(d, t) for d in days for t in times}
    same_zone = hours.timezone == zone.key
    by_weekday: dict[int, list[timedelta]] = {}
    slots: set[datetime] = set()
    for day in days:
        midnight = datetime.combine(day, time(0))
        if same_zone and day.weekday() in by_weekday:
            offsets = by_weekday[day.weekday()]
        else:
            offsets = _open_offsets(hours, midnight, zone, interval_s)
            if same_zone:  # the hours are wall-clock times of the center: one answer a weekday
                by_weekday[day.weekday()] = offsets
        slots.update(midnight + offset for offset in offsets)
    return slots


def _open_offsets(
    hours: OpeningHours, midnight: datetime, zone: ZoneInfo, interval_s: int
) -> list[timedelta]:
    """Offsets from local midnight of the intervals in which the queue opens at some point."""
    probe = min(interval_s, _PROBE_S)
    offsets = []
    for k in range(DAY_S // interval_s):
        start = midnight + timedelta(seconds=k * interval_s)
        marks = (start + timedelta(seconds=m) for m in range(0, interval_s, probe))
        if any(hours.is_open(mark.replace(tzinfo=zone)) for mark in marks):
            offsets.append(start - midnight)
    return offsets


def _row(queue: str, start: datetime, cell: _Cell | None) -> IntervalRow:
    if cell is None:
        return IntervalRow(queue, start, 0.0, None, 0)
    return IntervalRow(queue, start, cell.calls, cell.aht_s, 0)
