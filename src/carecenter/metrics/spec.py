"""What a report asks for and what it returns, without Ibis: the report specification, the
report, and turning the rows a backend returns (Arrow) into report rows.

Kept apart from :mod:`~carecenter.metrics.engine` so that a report whose compiled SQL is
cached (:mod:`~carecenter.metrics.compiled`) never imports Ibis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from carecenter.errors import InputError
from carecenter.metrics.timebuckets import Buckets, step_seconds

AGENT_DIMS = ("agent", "team", "site")
DIMENSIONS = ("queue", "channel", "tier", "topic", "agent", "team", "site", "priority")
TICKET_ONLY_DIMS = ("priority",)
"""Dimensions only tickets have (``report --tickets``)."""
"""Names accepted by ``--by``."""

HEADLINE = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "service_level",
    "asa_s",
    "abandon_rate",
    "aht_s",
    "occupancy",
)
"""The metrics a manager reads first; the report's first metric columns."""


@dataclass(frozen=True)
class ReportSpec:
    """What to report: interval, grouping and period (aware datetimes; ``None``: all data)."""

    interval: str = "1d"
    by: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    """Exclusive."""
    fcr: bool = True
    """Compute first-contact resolution (a window over every fact: the costliest metric)."""
    percentiles: bool = True
    """Compute the percentile metrics (a sort of each interval's visits: costly on millions)."""
    groups: Mapping[str, Sequence[str]] | None = field(default=None, compare=False)
    """Agent groups (name -> agent ids): report agent metrics per group (``by`` must be ())."""

    def __post_init__(self) -> None:
        step_seconds(self.interval)
        for d in self.by:
            if d not in DIMENSIONS:
                raise InputError(
                    f"unknown dimension {d!r}; choose from {', '.join(DIMENSIONS)}", field="by"
                )
        if len(set(self.by)) != len(self.by):
            raise InputError("a dimension is named twice", field="by")
        if self.start and self.end and self.start >= self.end:
            raise InputError("the period is empty: it must start before it ends", field="start")

    @property
    def keys(self) -> list[str]:
        """The grouping columns of the report rows (``group`` with agent groups)."""
        return list(self.by) if self.groups is None else ["group"]


@dataclass(frozen=True)
class Report:
    """One report: ``interval_start`` (local, aware), the dimensions, every metric.

    Held by column (``values``: one list per column of ``columns``), as the backend returns
    it; :attr:`rows` gives the same as one dict per row.
    """

    columns: list[str]
    values: list[list[Any]]
    buckets: Buckets | None
    shares: frozenset[str] = frozenset()
    """The metric columns that are shares (fractions), as the catalog says."""

    @cached_property
    def rows(self) -> list[dict[str, Any]]:
        """One dict per row: column -> value."""
        return [dict(zip(self.columns, row, strict=True)) for row in zip(*self.values, strict=True)]

    def column(self, key: str) -> list[Any]:
        """The values of the column ``key``."""
        return self.values[self.columns.index(key)]


@dataclass(frozen=True)
class Contents:
    """What a report needs to know about the warehouse before it is built."""

    span: tuple[datetime, datetime] | None
    """First and last timestamps of the facts, agent intervals, survey answers and promises
    (``None``: no data, or not asked for)."""
    answers: bool | None
    """Whether ``survey_answers`` has rows (``None``: a warehouse older than that table)."""
    outbound: bool = True
    """Whether any visit is outbound (when not known: ``True``); without any, the report does
    not test each visit's direction."""
    promises: bool | None = None
    """Whether ``promises`` has rows (``None``: a warehouse older than that table)."""


def period_of(
    spec: ReportSpec, span: tuple[datetime, datetime], timezone: str
) -> tuple[datetime, datetime]:
    """The report's period: ``spec``'s start and end, or where it leaves them open, from
    midnight (in ``timezone``) of the day of the first timestamp of the data ``span`` to just
    after its last (so that ``--interval all`` is labelled with the day the period starts)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    first = span[0].astimezone(zone)
    midnight = datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)
    return spec.start or midnight, spec.end or span[1] + timedelta(microseconds=1)


def read_contents(row: Any) -> Contents:
    """:class:`Contents` from the one-row Arrow table of the contents probe (columns
    ``*_lo``/``*_hi`` timestamps, ``a_n`` the count of survey answers and ``p_n`` of promises
    when those tables exist)."""
    counts = ("a_n", "f_out", "p_n")
    found = [_instant(row.column(k)) for k in row.column_names if k not in counts]
    times = [t for t in found if t is not None]
    span = (min(times), max(times)) if times else None
    answers = bool(row.column("a_n")[0].as_py()) if "a_n" in row.column_names else None
    outbound = bool(row.column("f_out")[0].as_py()) if "f_out" in row.column_names else True
    promises = bool(row.column("p_n")[0].as_py()) if "p_n" in row.column_names else None
    return Contents(span, answers, outbound, promises)


def _instant(column: Any) -> datetime | None:
    """The first value of an Arrow timestamp column as an aware UTC datetime, read from its
    integer (pyarrow's own conversion of zoned timestamps imports pandas)."""
    value = column.cast("int64")[0].as_py()
    if value is None:
        return None
    per_second = {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}[column.type.unit]
    seconds, fraction = divmod(value, per_second)
    micros = fraction * 1_000_000 // per_second
    return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=micros)


def report_from_arrow(
    result: Any, spec: ReportSpec, buckets: Buckets, shares: frozenset[str]
) -> Report:
    """The report of the Arrow table ``result`` (``interval`` in local epoch seconds, the keys,
    the metrics): intervals as aware local datetimes, empty dimension values as ``None``."""
    data = result.to_pydict()
    labels = {b: buckets.label(b) for b in set(data["interval"])}
    columns = ["interval_start", *(k for k in result.column_names if k != "interval")]
    values: list[list[Any]] = [[labels[b] for b in data.pop("interval")]]
    keys = set(spec.keys)
    for key, column in data.items():
        values.append([None if v == "" else v for v in column] if key in keys else column)
    return Report(columns, values, buckets, shares & frozenset(columns))
