"""The CSV export of a queue_log table (``asterisk-queue-log`` on a file with a header): its
columns found by name, the time column chosen, and times parsed.

Besides the classic layout (a database table with ``time, callid, queuename, agent, event,
data1..data5`` or one ``data`` column joined by ``|``), a PBXware export is recognised by its
header: the agent in ``type``, hold and talk seconds in ``htime``/``ttime``, the caller in
``param1``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, tzinfo

from carecenter.errors import InputError
from carecenter.ingest.common import TextFile

FIELDS = ("time", "callid", "queue", "agent", "event", "data1", "data2", "data3", "data4", "data5")
SYNONYMS: dict[str, tuple[str, ...]] = {
    "time": (
        "time",
        "time_id",
        "timestamp",
        "datetime",
        "date_time",
        "epoch",
        "event_time",
        "eventtime",
        "created",
    ),
    "callid": ("callid", "call_id", "uniqueid", "unique_id", "linkedid"),
    "queue": ("queuename", "queue_name", "queue"),
    "agent": ("agent", "membername", "member_name", "member", "agent_name", "interface"),
    "event": ("event", "verb", "event_type", "action"),
    **{
        f"data{i}": (f"data{i}", f"data_{i}", f"param{i}", f"param_{i}", f"arg{i}", f"info{i}")
        for i in range(1, 6)
    },
    "data": ("data",),
}
"""Recognised column names for each field (first match wins; of the time columns, the first
holding epoch seconds)."""
PBXWARE_HEADER = frozenset(("date_time", "type", "param1", "htime", "ttime"))
"""Columns that make a header a PBXware export."""
PBXWARE_COLUMNS = {"agent": "type", "data4": "htime", "data5": "ttime"}
"""Where a PBXware export keeps what the classic layout keeps elsewhere (htime and ttime are
staged as data4 and data5, then put in their classic places by event:
:data:`~carecenter.ingest.queue_log_staging.PBXWARE_CHUNK`)."""


def column_key(name: str) -> str:
    """A header name as the names it is matched against: trimmed, unquoted, lower case,
    ``_`` for spaces and dashes."""
    return name.strip().strip('"').lower().replace(" ", "_").replace("-", "_")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def time_column(names: list[str], row: list[str], times: list[int]) -> tuple[int, bool]:
    """Of the time columns ``times``, the first holding epoch seconds in ``row`` (the first
    record), else the first; and whether it holds epoch seconds."""
    epoch = next((i for i in times if i < len(row) and _is_number(row[i])), None)
    return (times[0], False) if epoch is None else (epoch, True)


def find_columns(
    file: TextFile, names: list[str], mapping: Mapping[str, str], pbxware: bool = False
) -> tuple[list[int], int | None, list[int]]:
    """Column index of each of FIELDS (a data field without a column reads blank), of the
    joined data column, and of the time columns to choose from (the first record decides);
    ``mapping``: FIELD -> column (``--map``)."""
    found = {column_key(n): i for i, n in enumerate(names)}
    chosen: dict[str, int] = {}
    mapping = {**PBXWARE_COLUMNS, **mapping} if pbxware else mapping
    times = [found[s] for s in SYNONYMS["time"] if s in found]
    for name, synonyms in SYNONYMS.items():
        if name in mapping:
            column = column_key(mapping[name])
            if column not in found:
                raise InputError(
                    f"--map {name}={mapping[name]}: no such column; the header has "
                    f"{', '.join(names)}",
                    file=str(file.path),
                    line=1,
                )
            chosen[name] = found[column]
            continue
        hit = next((found[s] for s in synonyms if s in found), None)
        if hit is not None:
            chosen[name] = hit
    missing = [f for f in FIELDS[:5] if f not in chosen]
    if missing:
        raise InputError(
            f"no column for {', '.join(missing)} (the header has {', '.join(names)}); "
            "name it with --map FIELD=COLUMN",
            file=str(file.path),
            line=1,
        )
    blank = len(names)  # each row gets one blank column at its end
    has_numbered = any(f"data{i}" in chosen for i in range(1, 6))
    split_data = chosen.get("data") if not has_numbered else None
    if "time" in mapping or not times:
        times = [chosen["time"]]
    if split_data is not None:
        return [chosen[f] for f in FIELDS[:5]], split_data, times
    return [chosen.get(f, blank) for f in FIELDS], None, times


def time_parser(zone_: tzinfo) -> Callable[[str], tuple[float | None, str | None]]:
    """Epoch seconds (or the reason not) of a time field: epoch seconds, or an ISO date-time
    read in ``zone_`` when it has no UTC offset."""
    cache: dict[str, tuple[float | None, str | None]] = {}

    def parse(text: str) -> tuple[float | None, str | None]:
        hit = cache.get(text)
        if hit is not None:
            return hit
        try:
            value: tuple[float | None, str | None] = (float(text), None)
        except ValueError:
            try:
                moment = datetime.fromisoformat(text.strip())
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=zone_)
                value = (moment.timestamp(), None)
            except ValueError:
                value = (None, f"time: not a time: {text!r}")
        if len(cache) > 4096:
            cache.clear()
        cache[text] = value
        return value

    return parse


def csv_reader(
    texts: Iterator[str], delimiter: str, file: TextFile, where: list[int]
) -> Iterator[list[str]]:
    """The rows of ``texts``; text that is not CSV is an InputError at line ``where[0]``."""
    try:
        yield from csv.reader(texts, delimiter=delimiter)
    except csv.Error as exc:
        message = f"not a valid CSV file: {exc}"
        raise InputError(message, file=str(file.path), line=where[0]) from None
