"""Interval-count CSV files: read a volume history, read special days, write a forecast.

History layouts (detected from the header, names case-insensitive):

- ``interval_start,calls[,queue][,aht_s]``: ``interval_start`` is an ISO date-time (its
  wall-clock time is used; a UTC offset is ignored), ``calls`` a non-negative count,
  ``aht_s`` the average handle time in seconds (may be empty).
- ``weekday_index,interval_start,calls`` (the layout of the US bank 5-minute series, also
  ``day_index``): ``weekday_index`` numbers consecutive business days (Monday-Friday) from
  ``day_origin``, ``interval_start`` is a time of day ``HH:MM``.

Rows are streamed with the :mod:`csv` module (fields up to 16 MiB). The first bad row, bytes
that are not UTF-8 and text that is not CSV raise :class:`~carecenter.errors.InputError` naming
the file, line and field.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TextIO

from carecenter.errors import InputError
from carecenter.ingest.reading import allow_large_csv_fields
from carecenter.wfm.forecast.calendar import BUSINESS_WEEK

DEFAULT_DAY_ORIGIN = date(2003, 3, 3)
"""Day 0 of day-index files: 3 March 2003, the first day of the US bank series (fpp2 ``calls``)."""

FORECAST_COLUMNS = (
    "queue",
    "interval_start",
    "calls",
    "calls_lo",
    "calls_hi",
    "aht_s",
    "interval_s",
)
DEFAULT_QUEUE = "all"
_DAY_INDEX_COLUMNS = ("weekday_index", "day_index")


@dataclass(frozen=True)
class IntervalRow:
    """One history row: the volume of a queue in the interval starting at ``start``."""

    queue: str
    start: datetime
    calls: float
    aht_s: float | None
    line: int


@dataclass(frozen=True)
class HistoryLayout:
    """What the header of a history file holds."""

    has_queue: bool
    has_aht: bool
    day_index: str | None


@dataclass(frozen=True)
class SpecialDay:
    """A holiday or other special day; ``factor`` scales its forecast when it lies ahead."""

    day: date
    name: str = ""
    factor: float | None = None


@dataclass(frozen=True)
class _Where:
    """A line of a file, to say where an error is."""

    path: Path
    line: int

    def error(self, field: str, message: str) -> InputError:
        return InputError(message, file=str(self.path), line=self.line, field=field)


def iter_interval_rows(
    path: Path, *, day_origin: date = DEFAULT_DAY_ORIGIN
) -> Iterator[IntervalRow]:
    """Stream the rows of a history file, validated; duplicates raise InputError."""
    seen: set[tuple[str, datetime]] = set()
    with _open(path) as handle, _csv_errors(path, reader := csv.reader(handle)):
        header = _normalise(next(reader, []))
        layout = _layout(path, header)
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            where = _Where(path, reader.line_num)
            row = _row(where, _record(where, header, cells), layout, day_origin)
            key = (row.queue, row.start)
            if key in seen:
                message = f"duplicate interval {row.start.isoformat()} for queue {row.queue!r}"
                raise where.error("interval_start", message)
            seen.add(key)
            yield row


def read_special_days(path: Path) -> list[SpecialDay]:
    """Read ``date[,name[,factor]]`` lines (header optional, ``#`` starts a comment)."""
    days: list[SpecialDay] = []
    with _open(path) as handle, _csv_errors(path, reader := csv.reader(handle)):
        for cells in reader:
            if not cells or not cells[0].strip() or cells[0].lstrip().startswith("#"):
                continue
            if not days and cells[0].strip().lower() == "date":
                continue
            days.append(_special_day(_Where(path, reader.line_num), cells))
    return days


def write_forecast_csv(path: Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write forecast rows in the format ``carecenter staff`` reads; returns the row count."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FORECAST_COLUMNS)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in FORECAST_COLUMNS])
            count += 1
    return count


def _open(path: Path) -> TextIO:
    allow_large_csv_fields()
    try:
        return path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=str(path)) from exc


@contextmanager
def _csv_errors(path: Path, reader: Any) -> Iterator[None]:
    """Bytes that are not UTF-8 and text that is not CSV as one :class:`InputError` naming the
    file and line (``reader``: the ``csv.reader`` whose ``line_num`` says where)."""
    try:
        yield
    except UnicodeDecodeError:
        line = _first_undecodable_line(path)
        raise InputError("not UTF-8 text", file=str(path), line=line) from None
    except csv.Error as exc:
        raise InputError(
            f"not a valid CSV file: {exc}", file=str(path), line=reader.line_num
        ) from None


def _first_undecodable_line(path: Path) -> int | None:
    """The number of the first line of ``path`` that is not UTF-8 (text is decoded by the
    block, so the decoder's error does not say which line)."""
    with path.open("rb") as raw:
        for number, line in enumerate(raw, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _normalise(header: list[str]) -> list[str]:
    return [h.strip().lower() for h in header]


def _layout(path: Path, header: list[str]) -> HistoryLayout:
    for column in ("interval_start", "calls"):
        if column not in header:
            found = ", ".join(header) if header else "no header"
            message = f"missing column {column!r} (found: {found})"
            raise _Where(path, 1).error(column, message)
    day_index = next((c for c in _DAY_INDEX_COLUMNS if c in header), None)
    return HistoryLayout("queue" in header, "aht_s" in header, day_index)


def _record(where: _Where, header: list[str], cells: list[str]) -> dict[str, str]:
    if len(cells) != len(header):
        raise where.error("", f"expected {len(header)} fields, found {len(cells)}")
    return {name: value.strip() for name, value in zip(header, cells, strict=True)}


def _row(
    where: _Where, record: dict[str, str], layout: HistoryLayout, day_origin: date
) -> IntervalRow:
    if layout.day_index is not None:
        start = _day_index_start(where, record, layout.day_index, day_origin)
    else:
        start = _iso_start(where, record["interval_start"])
    queue = record["queue"] if layout.has_queue else DEFAULT_QUEUE
    if not queue:
        raise where.error("queue", "empty queue name")
    calls = _number(where, "calls", record["calls"])
    aht = record.get("aht_s", "")
    return IntervalRow(
        queue, start, calls, _number(where, "aht_s", aht) if aht else None, where.line
    )


def _iso_start(where: _Where, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise where.error("interval_start", f"not an ISO date-time: {text!r}") from None
    return moment.replace(tzinfo=None)


def _day_index_start(where: _Where, record: dict[str, str], column: str, origin: date) -> datetime:
    text = record[column]
    if not text.isdigit():
        raise where.error(column, f"not a day number (0, 1, 2, ...): {text!r}")
    clock_text = record["interval_start"]
    try:
        clock = time.fromisoformat(clock_text)
    except ValueError:
        raise where.error("interval_start", f"not a time of day HH:MM: {clock_text!r}") from None
    return datetime.combine(BUSINESS_WEEK.nth_open_day(origin, int(text)), clock)


def _number(where: _Where, field: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise where.error(field, f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise where.error(field, f"must be a finite number >= 0, got {text!r}")
    return value


def _special_day(where: _Where, cells: list[str]) -> SpecialDay:
    text = cells[0].strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise where.error("date", f"not a date YYYY-MM-DD: {text!r}") from None
    name = cells[1].strip() if len(cells) > 1 else ""
    factor = cells[2].strip() if len(cells) > 2 else ""
    return SpecialDay(day, name, _number(where, "factor", factor) if factor else None)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if math.isfinite(value) else ""
    return str(value)
