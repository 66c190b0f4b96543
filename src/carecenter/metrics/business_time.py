"""Business time in a report's query: a queue's :class:`~carecenter.domain.business_hours.
OpenHoursClock` written as portable Ibis arithmetic.

The clock's reading at an instant ``t`` (UTC epoch seconds) is

* ``wall = t + offset(t) - origin``: wall-clock seconds since a Monday 00:00, with the zone's UTC
  offset as one ``CASE`` over its few changes in the report's range (as the reporting intervals
  write it, :mod:`carecenter.metrics.timebuckets`);
* plus the open seconds of the whole weeks before it (``floor(wall / week) * open per week``);
* plus, for each open span of the week, the part of it already passed in the current week
  (``least(greatest(week_seconds - span_start, 0), span_length)``): the spans of the days
  before are whole, those of the current day partial;
* less the open time of the closed dates already passed, the same way;
* plus the clock's constant since the last change of offset.

So the business time between two instants is the difference of two readings, on every backend,
with no calendar table and no time-zone function; tests check it against
:meth:`~carecenter.domain.center.OpeningHours.business_seconds` on DuckDB and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import ibis  # type: ignore[import-untyped]

from carecenter.domain.business_hours import SECOND_US, WEEK_S, OpenHoursClock
from carecenter.domain.center import OpeningHours

MARGIN = timedelta(days=400)
"""The clock is exact for instants from this long before a report's start to this long after
its end (an e-mail that arrived before the period, or is answered long after it): the offset
changes and closed dates of that range are written into the query."""


def _double(value: float) -> Any:
    return ibis.literal(float(value), "float64")


def _passed(seconds: Any, start: float, length: float) -> Any:
    """``least(greatest(seconds - start, 0), length)``: how much of a span is behind."""
    return ibis.least(ibis.greatest(seconds - _double(start), _double(0.0)), _double(length))


def _offset(clock: OpenHoursClock, t: Any) -> tuple[Any, Any]:
    """The zone's UTC offset and the clock's constant at ``t``, as ``CASE`` expressions."""
    offset: Any = _double(clock.first_offset)
    constant: Any = _double(0.0)
    if clock.changes:
        later = list(reversed(clock.changes))
        offset = ibis.cases(
            *[(t >= _double(at), _double(new)) for at, new, _ in later], else_=offset
        )
        constant = ibis.cases(
            *[(t >= _double(at), _double(value)) for at, _, value in later], else_=constant
        )
    return offset, constant


def _reading(clock: OpenHoursClock, wall: Any, in_week: Any, constant: Any) -> Any:
    """The reading from the wall-clock seconds since the origin, the seconds into their week
    and the constant (columns computed before, so the query names each once)."""
    weeks = (wall - in_week) / _double(WEEK_S)
    total = weeks * _double(clock.calendar.week_us / SECOND_US)
    for weekday, spans in enumerate(clock.calendar.days):
        for start, end in spans:
            begin = weekday * 86_400 + start / SECOND_US
            total = total + _passed(in_week, begin, (end - start) / SECOND_US)
    for day_start, weekday in clock.closed:
        for start, end in clock.calendar.days[weekday]:
            begin = day_start + start / SECOND_US
            total = total - _passed(wall, begin, (end - start) / SECOND_US)
    return total + constant


def with_business_seconds(
    table: Any,
    name: str,
    start: Any,
    end: Any,
    hours: Mapping[str, OpeningHours],
    period: tuple[datetime, datetime],
) -> Any:
    """``table`` (rows with a ``queue_id``) with the column ``name``: the business seconds
    between the UTC epoch seconds expressions ``start`` and ``end`` in the opening hours of the
    row's queue; 0 when ``end`` is not after ``start``, null when either is null. A queue open
    around the clock, or not in ``hours``, counts elapsed time. Exact for instants within
    :data:`MARGIN` of the report ``period``.

    The clock's parts are computed in steps (each a column of its own projection), so the
    query writes each expression once however many open spans a week has."""
    low = int((period[0] - MARGIN).timestamp())
    high = int((period[1] + MARGIN).timestamp())
    clocks = {
        queue: OpenHoursClock.build(h.calendar, h.timezone, low, high)
        for queue, h in sorted(hours.items())
        if not h.always_open
    }
    if not clocks:
        return table.mutate(**{name: end - start})
    t = table.mutate(_bt_a=start, _bt_b=end)
    temporary = ["_bt_a", "_bt_b"]
    parts: dict[str, Any] = {}
    for i, clock in enumerate(clocks.values()):
        for end_name in ("a", "b"):
            moment = t[f"_bt_{end_name}"]
            offset, constant = _offset(clock, moment)
            parts[f"_bt_w{end_name}{i}"] = moment + offset - _double(clock.origin)
            parts[f"_bt_k{end_name}{i}"] = constant
    t = t.mutate(**parts)
    temporary += list(parts)
    weeks = {}
    for i in range(len(clocks)):
        for end_name in ("a", "b"):
            wall = t[f"_bt_w{end_name}{i}"]
            whole = (wall / _double(WEEK_S)).floor().cast("float64") * _double(WEEK_S)
            weeks[f"_bt_i{end_name}{i}"] = wall - whole
    t = t.mutate(**weeks)
    temporary += list(weeks)
    branches = []
    for i, queue in enumerate(clocks):
        clock = clocks[queue]
        readings = [
            _reading(clock, t[f"_bt_w{e}{i}"], t[f"_bt_i{e}{i}"], t[f"_bt_k{e}{i}"])
            for e in ("a", "b")
        ]
        business = ibis.greatest(readings[1] - readings[0], _double(0.0))
        branches.append((t.queue_id == queue, business))
    elapsed = t._bt_b - t._bt_a
    return t.mutate(**{name: ibis.cases(*branches, else_=elapsed)}).drop(*temporary)
