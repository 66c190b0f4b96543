"""Contact volumes per queue and interval, read from a CSV file (or held in memory).

The CSV has a header and the columns ``queue,interval_start,calls,aht_s`` plus the optional
``interval_s`` (default 1800), ``patience_s`` (empty: unknown) and ``calls_lo``/``calls_hi``
(the prediction interval of a forecast). This is also the layout ``carecenter forecast
--output`` writes; its ``aht_s`` is empty when the history had no handle times, and then a
default AHT must be given. A bad row stops the read with an
:class:`~carecenter.errors.InputError` naming the file, the line and the field.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from carecenter.errors import InputError

REQUIRED_COLUMNS = ("queue", "interval_start", "calls", "aht_s")
DEFAULT_INTERVAL_S = 1800.0


@dataclass(frozen=True)
class VolumeRow:
    """Offered contacts of one queue in one interval."""

    queue: str
    interval_start: str
    calls: float
    aht_s: float
    interval_s: float = DEFAULT_INTERVAL_S
    patience_s: float | None = None
    line: int | None = None
    """Line of the source file, when read from one."""
    calls_lo: float | None = None
    """Lower end of the forecast's prediction interval, when known."""
    calls_hi: float | None = None
    """Upper end of the forecast's prediction interval, when known."""


class InMemoryVolumes:
    """Volumes held in memory (tests, other adapters, the Python API)."""

    def __init__(self, rows: Sequence[VolumeRow]) -> None:
        self._rows = list(rows)

    def rows(self) -> list[VolumeRow]:
        """All rows, in order."""
        return list(self._rows)


class CsvVolumes:
    """Volumes read from a CSV file on each call of :meth:`rows`; ``default_aht_s`` fills an
    empty ``aht_s`` (without it an empty ``aht_s`` is an error)."""

    def __init__(self, path: Path, default_aht_s: float | None = None) -> None:
        self.path = path
        self.default_aht_s = default_aht_s

    def rows(self) -> list[VolumeRow]:
        """All rows of the file, in order; ``InputError`` on the first bad one."""
        with csv_rows(self.path) as reader:
            return _read(reader, str(self.path), self.default_aht_s)


@contextmanager
def csv_rows(path: Path) -> Iterator[csv.DictReader[str]]:
    """The rows of the CSV file ``path`` (UTF-8, with or without a byte-order mark); an
    :class:`InputError` naming the file when it cannot be read or is not CSV."""
    name = str(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield csv.DictReader(handle)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name) from exc
    except UnicodeDecodeError as exc:
        raise InputError("not a UTF-8 text file", file=name) from exc
    except csv.Error as exc:
        raise InputError(f"not a valid CSV file: {exc}", file=name) from exc


def _read(reader: csv.DictReader[str], name: str, default_aht_s: float | None) -> list[VolumeRow]:
    columns = [c.strip() for c in reader.fieldnames or []]
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            raise InputError(f"missing column {column!r}", file=name, line=1, field=column)
    rows = []
    for record in reader:
        fields = {(k or "").strip(): (v or "").strip() for k, v in record.items() if k}
        rows.append(_row(fields, name, reader.line_num, default_aht_s))
    if not rows:
        raise InputError("no data rows", file=name, line=1)
    return rows


def _row(fields: dict[str, str], name: str, line: int, default_aht_s: float | None) -> VolumeRow:
    for field in ("queue", "interval_start"):
        if not fields.get(field):
            raise InputError("is empty", file=name, line=line, field=field)
    calls = _required(fields, "calls", name, line, positive=False)
    aht = _number(fields, "aht_s", name, line, positive=True)
    if aht is None:
        if default_aht_s is None:
            message = "is empty (give --aht SECONDS for intervals without a handle time)"
            raise InputError(message, file=name, line=line, field="aht_s")
        aht = default_aht_s
    interval = _number(fields, "interval_s", name, line, positive=True)
    return VolumeRow(
        queue=fields["queue"],
        interval_start=fields["interval_start"],
        calls=calls,
        aht_s=aht,
        interval_s=DEFAULT_INTERVAL_S if interval is None else interval,
        patience_s=_number(fields, "patience_s", name, line, positive=False),
        line=line,
        calls_lo=_number(fields, "calls_lo", name, line, positive=False),
        calls_hi=_number(fields, "calls_hi", name, line, positive=False),
    )


def _required(fields: dict[str, str], field: str, name: str, line: int, *, positive: bool) -> float:
    value = _number(fields, field, name, line, positive=positive)
    if value is None:
        raise InputError("is empty", file=name, line=line, field=field)
    return value


def _number(
    fields: dict[str, str], field: str, name: str, line: int, *, positive: bool
) -> float | None:
    """The number in ``field``, ``None`` when empty; only ``patience_s`` may be ``inf``."""
    text = fields.get(field, "")
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"not a number: {text!r}", file=name, line=line, field=field) from None
    finite_or_patience = math.isfinite(value) or (field == "patience_s" and value == math.inf)
    if not finite_or_patience or value < 0 or (positive and value == 0):
        rule = "a positive number" if positive else "a number >= 0"
        raise InputError(f"must be {rule}, got {text!r}", file=name, line=line, field=field)
    return value
