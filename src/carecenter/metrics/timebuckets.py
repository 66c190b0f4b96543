"""Reporting intervals in the center's local time, as portable Ibis arithmetic.

A timestamp becomes *local epoch seconds*: UTC epoch seconds plus the time zone's UTC offset at
that instant. The offset is a piecewise constant function of time; between the report's start
and end it changes only at the zone's daylight-saving transitions, so it is written as one
``CASE`` over those few instants and runs unchanged on DuckDB, PostgreSQL and Spark. An
interval is ``floor((local - origin) / step) * step + origin``; weeks start on Monday.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from carecenter.domain.durations import WEEK_S, divides_day, parse_duration
from carecenter.errors import InputError

if TYPE_CHECKING:
    import ibis  # type: ignore[import-untyped]

ALL = "all"
"""The interval name for the whole period as one interval."""
REPORT_INTERVALS = "a divisor of a day (e.g. 15m, 30m, 1h), 1d, 1w or all"
"""The intervals a report supports, as the error message names them."""

_US = 1_000_000
"""Microseconds in a second."""
_MONDAY_ORIGIN = -3 * 86400
"""1970-01-01 was a Thursday: local epoch -3 days is a Monday at midnight."""


def step_seconds(interval: str) -> int | None:
    """Seconds in the reporting ``interval`` (``None`` for ``all``): any duration
    (:func:`~carecenter.domain.durations.parse_duration`) that divides a day, or a day, or a
    week; anything else is an input error on the field ``interval``."""
    if interval.strip().lower() == ALL:
        return None
    seconds = parse_duration(interval, field="interval")
    if seconds.is_integer() and (divides_day(int(seconds)) or seconds == WEEK_S):
        return int(seconds)
    raise InputError(
        f"a report cannot use intervals of {interval.strip()!r}: use {REPORT_INTERVALS}",
        field="interval",
    )


def _offset_s(zone: ZoneInfo, at: datetime) -> int:
    off = at.astimezone(zone).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[int, int]]:
    """(UTC epoch second, new offset in seconds) for each change of offset in [start, end]."""
    out: list[tuple[int, int]] = []
    day = timedelta(days=1)
    t, current = start, _offset_s(zone, start)
    while t < end:
        nxt = min(t + day, end)
        if _offset_s(zone, nxt) != current:
            lo, hi = int(t.timestamp()), int(nxt.timestamp())
            while hi - lo > 1:  # bisect to the second the offset changes
                mid = (lo + hi) // 2
                if _offset_s(zone, datetime.fromtimestamp(mid, UTC)) == current:
                    lo = mid
                else:
                    hi = mid
            current = _offset_s(zone, datetime.fromtimestamp(hi, UTC))
            out.append((hi, current))
        t = nxt
    return out


@dataclass(frozen=True)
class Buckets:
    """How timestamps fall into reporting intervals for one report."""

    step: int | None
    timezone: str
    start: datetime
    """First instant the report covers (UTC)."""
    end: datetime
    """First instant after the report (UTC)."""
    base_offset: int
    changes: Sequence[tuple[int, int]]
    backend: str = ""
    """Ibis backend name (``duckdb``, ``postgres``): picks the fastest epoch expression."""

    @classmethod
    def build(
        cls, interval: str, timezone: str, start: datetime, end: datetime, backend: str = ""
    ) -> Buckets:
        """Buckets for ``interval`` in ``timezone`` from ``start`` to ``end`` (aware)."""
        zone = ZoneInfo(timezone)
        lo, hi = start - timedelta(days=1), end + timedelta(days=1)
        return cls(
            step_seconds(interval),
            timezone,
            start.astimezone(UTC),
            end.astimezone(UTC),
            _offset_s(zone, lo),
            tuple(transitions(zone, lo, hi)),
            backend,
        )

    @property
    def origin(self) -> int:
        """Local epoch second the intervals are aligned to (a Monday for weeks)."""
        return _MONDAY_ORIGIN if self.step == WEEK_S else 0

    def local(self, epoch: ibis.Expr, unit: int = 1) -> ibis.Expr:
        """Local epoch time of the UTC epoch expression ``epoch``, both in seconds / ``unit``
        (``unit`` 1: seconds; ``_US``: microseconds)."""
        import ibis

        if not self.changes:
            return epoch + self.base_offset * unit if self.base_offset else epoch
        branches = [(epoch >= at * unit, offset * unit) for at, offset in reversed(self.changes)]
        return epoch + ibis.cases(*branches, else_=self.base_offset * unit)

    def epoch(self, ts: ibis.Expr) -> ibis.Expr:
        """UTC epoch seconds of the timestamp expression ``ts`` on this report's backend."""
        return epoch_s(ts, self.backend)

    def first_local(self) -> int:
        """Local epoch second of the report's start."""
        return int(self.start.timestamp()) + _offset_s(ZoneInfo(self.timezone), self.start)

    def bucket(self, local: ibis.Expr) -> ibis.Expr:
        """Start (local epoch seconds) of the interval holding the local time ``local``."""
        import ibis

        if self.step is None:
            return ibis.literal(self.first_local(), "int64")
        return ((local - self.origin) // self.step) * self.step + self.origin

    def interval_of(self, ts: ibis.Expr) -> ibis.Expr:
        """Start (local epoch seconds) of the interval holding the timestamp expression ``ts``.

        On DuckDB in integer microseconds (``epoch_us``), which a backend reads from a
        ``TIMESTAMPTZ`` faster than fractional seconds; the same arithmetic as
        :meth:`bucket` of :meth:`local` of :meth:`epoch` elsewhere.
        """
        if self.backend != "duckdb" or self.step is None:
            return self.bucket(self.local(self.epoch(ts)))
        us = self.local(_builtin("epoch_us", "int64")(ts), _US)
        step, origin = self.step, self.origin
        return ((us - origin * _US) / (step * _US)).floor().cast("int64") * step + origin

    def label(self, bucket: int) -> datetime:
        """The aware local datetime at which the interval starting at ``bucket`` begins."""
        naive = datetime.fromtimestamp(bucket, UTC).replace(tzinfo=None)
        return naive.replace(tzinfo=ZoneInfo(self.timezone))


@cache
def _builtin(name: str, returns: str) -> Any:
    """The backend's own SQL function ``name(TIMESTAMPTZ)`` returning ``returns`` (``float64``
    or ``int64``), as an Ibis builtin function, made on first use so that this module does
    not import Ibis: DuckDB's ``epoch`` (seconds with microseconds, no time-zone cast) and
    ``epoch_us`` (integer microseconds), Spark's ``unix_micros``."""
    import ibis
    import ibis.expr.datatypes as dt  # type: ignore[import-untyped]

    def function(ts: Any) -> Any:
        """``name(ts)``."""

    function.__name__ = function.__qualname__ = name
    function.__annotations__ = {
        "ts": dt.Timestamp(timezone="UTC"),
        "return": dt.dtype(returns),
    }
    return ibis.udf.scalar.builtin(name=name)(function)


def epoch_s(ts: ibis.Expr, backend: str = "") -> ibis.Expr:
    """UTC epoch seconds (float, microseconds kept) of a timestamp expression.

    On DuckDB ``epoch`` reads the ``TIMESTAMPTZ`` directly (Ibis's portable form casts to a
    local ``TIMESTAMP`` first, which costs more than the rest of a report); on Spark
    ``unix_micros`` (Ibis's portable form there, ``unix_timestamp``, drops the fraction of a
    second); elsewhere the portable ``EXTRACT(epoch ...)``.
    """
    if backend == "duckdb":
        return _builtin("epoch", "float64")(ts)
    if backend == "pyspark":
        return _builtin("unix_micros", "int64")(ts).cast("float64") / _US
    return ts.epoch_seconds().cast("float64")
