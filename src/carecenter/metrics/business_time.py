"""Business time in a report's query: a queue's :class:`~carecenter.domain.business_hours.
OpenHoursClock` written as portable Ibis arithmetic.

The clock's reading at an instant ``t`` (UTC epoch seconds) is

* ``wall = t + offset(t) - origin``: wall-clock seconds since a Monday 00:00. The zone's UTC
  offset (and the clock's constant) is read from a small table of the stretches between the
  zone's offset changes in the report's range, written into the query and joined to each visit
  by its queue and time;
* plus the open seconds of the whole weeks before it (``floor(wall / week) * open per week``);
* plus, for each open span of the week, the part of it already passed in the current week
  (``least(greatest(week_seconds - span_start, 0), span_length)``): the spans of the days
  before are whole, those of the current day partial;
* less the open time of the closed dates already passed, the same way;
* plus the clock's constant since the last change of offset.

So the business time between two instants is the difference of two readings, on every backend,
with no time-zone function; tests check it against
:meth:`~carecenter.domain.center.OpeningHours.business_seconds` on DuckDB and PostgreSQL.

A backend inlines the steps of a query into one expression per output column, so an
expression the spans read is computed again for each span: the offset is a joined column
rather than a ``CASE`` for that reason (a 2-million-visit report with 170,000 e-mails in queues
with hours takes about 0.2 s more, ``bench/bench_report.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import ibis  # type: ignore[import-untyped]

from carecenter.domain.business_hours import SECOND_US, OpenHoursClock
from carecenter.domain.center import OpeningHours
from carecenter.domain.durations import WEEK_S
from carecenter.metrics.dims import queue_table

MARGIN = timedelta(days=400)
"""The clock is exact for instants from this long before a report's start to this long after
its end (an e-mail that arrived before the period, or is answered long after it): the offset
changes and closed dates of that range are written into the query."""


def _double(value: float) -> Any:
    return ibis.literal(float(value), "float64")


def _passed(seconds: Any, start: float, length: float) -> Any:
    """``least(greatest(seconds - start, 0), length)``: how much of a span is behind."""
    return ibis.least(ibis.greatest(seconds - _double(start), _double(0.0)), _double(length))


def _segments(clocks: list[tuple[list[str], OpenHoursClock]]) -> Any:
    """The stretches between offset changes of each queue's clock, as a small table written
    into the query: queue, from, to (UTC epoch seconds; the first from and the last to open),
    the UTC offset less the clock's origin, and the clock's constant. Joined to each visit,
    they give the offset as a column, so the clock's arithmetic reads a column where it would
    otherwise repeat a ``CASE`` (a backend inlines the steps of a query into one
    expression)."""
    rows = []
    for queues, clock in clocks:
        bounds = [-1e18, *(float(at) for at, _, _ in clock.changes), 1e18]
        values = [(clock.first_offset, 0.0), *((new, k) for _, new, k in clock.changes)]
        for queue in queues:
            for (low, high), (offset, constant) in zip(pairwise(bounds), values, strict=True):
                stretch = {"_bt_from": low, "_bt_to": high, "_bt_k": constant}
                rows.append((queue, {**stretch, "_bt_wall": float(offset - clock.origin)}))
    return queue_table("_bt_q", rows)


def _reading(clock: OpenHoursClock, wall: Any, in_week: Any, constant: Any) -> Any:
    """The clock's reading from the wall-clock seconds since its origin, the seconds into their
    week and the clock's constant, as :meth:`OpenHoursClock.at` computes it."""
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
    where: Any,
) -> Any:
    """``table`` (rows with a ``queue_id``) with the column ``name``: the business seconds
    between the UTC epoch seconds expressions ``start`` and ``end`` in the opening hours of the
    row's queue, on the rows where ``where`` holds (null on the others); 0 when ``end`` is not
    after ``start``, null when either is null. A queue open around the clock, or not in
    ``hours``, counts elapsed time. Exact for instants within :data:`MARGIN` of the report
    ``period``.

    Queues with the same hours share one clock. The clock's parts are columns computed in
    steps, so the query text names each expression once; a backend may still inline them, so
    the parts are kept cheap (``where`` is tested once, in the last step)."""
    low = int((period[0] - MARGIN).timestamp())
    high = int((period[1] + MARGIN).timestamp())
    shared: list[tuple[OpeningHours, list[str]]] = []
    for queue, queue_hours in sorted(hours.items()):
        if queue_hours.always_open:
            continue
        same = next((queues for h, queues in shared if h == queue_hours), None)
        if same is None:
            shared.append((queue_hours, [queue]))
        else:
            same.append(queue)
    clocks = [
        (queues, OpenHoursClock.build(h.calendar, h.timezone, low, high)) for h, queues in shared
    ]
    if not clocks:
        return table.mutate(**{name: ibis.ifelse(where, end - start, None)})
    t = table.mutate(_bt_a=start, _bt_b=end, _bt_keep=where)
    temporary = ["_bt_a", "_bt_b", "_bt_keep"]
    segments = _segments(clocks)
    for e in ("a", "b"):
        seg = segments.rename(f"{{name}}{e}")
        moment = t[f"_bt_{e}"]
        t = t.left_join(
            seg,
            [
                t.queue_id == seg[f"_bt_q{e}"],
                seg[f"_bt_from{e}"] <= moment,
                moment < seg[f"_bt_to{e}"],
            ],
        )
        t = t.mutate(**{f"_bt_w{e}": t[f"_bt_{e}"] + t[f"_bt_wall{e}"]})
        t = t.drop(f"_bt_q{e}", f"_bt_from{e}", f"_bt_to{e}", f"_bt_wall{e}")
        temporary += [f"_bt_w{e}", f"_bt_k{e}"]
    weeks = {}
    for e in ("a", "b"):
        wall = t[f"_bt_w{e}"]
        weeks[f"_bt_i{e}"] = wall - (wall / _double(WEEK_S)).floor().cast("float64") * _double(
            WEEK_S
        )
    t = t.mutate(**weeks)
    temporary += list(weeks)
    branches = []
    for queues, clock in clocks:
        readings = [
            _reading(clock, t[f"_bt_w{e}"], t[f"_bt_i{e}"], t[f"_bt_k{e}"]) for e in ("a", "b")
        ]
        business = ibis.greatest(readings[1] - readings[0], _double(0.0))
        branches.append((t.queue_id.isin(queues), business))
    value = ibis.cases(*branches, else_=t._bt_b - t._bt_a)
    return t.mutate(**{name: ibis.ifelse(t._bt_keep, value, None)}).drop(*temporary)
