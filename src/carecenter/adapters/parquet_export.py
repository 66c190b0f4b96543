"""Facts as Parquet: the warehouse's ``contact_facts``, ``agent_state_intervals``,
``survey_answers`` and ``promises`` written to a directory, one file per table and day,
Hive-style::

    DIR/_carecenter_export.json
    DIR/contact_facts/day=2026-12-14/part-0.parquet
    DIR/agent_state_intervals/day=2026-12-14/part-0.parquet
    DIR/survey_answers/day=2026-12-14/part-0.parquet
    DIR/promises/day=2026-12-14/part-0.parquet

A row's day is the center's calendar day (its time zone) of the row's time: ``enqueued_at``
(a visit entering its queue) for ``contact_facts``, ``start_at`` for ``agent_state_intervals``,
``answered_at`` for ``survey_answers`` and ``made_at`` for ``promises`` (``closed_at`` for a
promise whose ``promise.made`` the log lacks: the catalog counts it kept or broken then); a row
without that time (such a promise still open, or cancelled unclosed) counts in no metric and
is not exported. Schema 1
held the first two tables only; an export of schema 1 is upgraded in place by the next export
(its days are kept, the other two tables are added, the manifest is rewritten as schema 2).
The files hold the table's columns in the row class's field order (:data:`SCHEMA_VERSION`;
``day`` is only in the path) sorted by the table's key, times as UTC timestamps (microseconds).

The export is incremental and idempotent. The manifest ``_carecenter_export.json`` keeps the
schema version, the time zone, each table's columns and types and, per table and day, the row
count and a fingerprint (the sum, in DuckDB, of a hash of every row's values). A day of the
period whose fingerprint and count are unchanged, and whose file is there, is not rewritten; a
day of the period that has no rows any more is removed; days outside the period are left as
they are. Each file is written beside its place then renamed (atomic per file); the manifest
is renamed into place last, so an interrupted export is finished by the next one.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb

from carecenter.adapters.warehouse_schema import KEYS, SQL_TYPES, TABLES, columns
from carecenter.errors import InputError

SCHEMA_VERSION = 2
"""The version of the exported layout and columns; raised whenever either changes."""
UPGRADES = (1,)
"""Older versions the next export brings up to :data:`SCHEMA_VERSION` (schema 1 lacked
``survey_answers`` and ``promises``; its tables are unchanged)."""
MANIFEST = "_carecenter_export.json"
PART = "part-0.parquet"
DAY_OF = {
    "contact_facts": "enqueued_at",
    "agent_state_intervals": "start_at",
    "survey_answers": "answered_at",
    "promises": "coalesce(made_at, closed_at)",
}
"""Exported table -> the time (a column, or for promises the time it was made, else closed)
whose center day is the row's partition."""


@dataclass(frozen=True)
class DayExport:
    """What one export did to one table's day: ``written``, ``unchanged`` or ``removed``;
    ``rows`` is the day's row count in the export now (0 once removed)."""

    table: str
    day: date
    rows: int
    action: str


def schema_columns(table: str) -> list[dict[str, str]]:
    """The exported columns of ``table``: name and DuckDB type, in file order."""
    return [{"name": n, "type": SQL_TYPES[tp]} for n, tp in columns(TABLES[table])]


def sql_text(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def day_sql(table: str, zone: str) -> str:
    """SQL: the center day (in ``zone``) of a row of ``table`` (see :data:`DAY_OF`)."""
    return f"CAST(timezone({sql_text(zone)}, {DAY_OF[table]}) AS DATE)"


def _utc(moment: datetime) -> str:
    return f"TIMESTAMPTZ {sql_text(moment.astimezone(UTC).isoformat())}"


def days_filter(table: str, zone: str, first: date | None, last: date | None) -> str:
    """SQL true for a row of ``table`` whose center day is in ``first..last``: the day test
    itself, and a UTC range one day wider each side (time zones are within 14 hours of UTC)
    that lets DuckDB skip row groups."""
    col = DAY_OF[table]
    day = day_sql(table, zone)
    parts = [f"{col} IS NOT NULL"]  # a row without its time has no day: not exported
    if first is not None:
        lo = datetime.combine(first - timedelta(days=1), time(), UTC)
        parts += [f"{col} >= {_utc(lo)}", f"{day} >= DATE {sql_text(first.isoformat())}"]
    if last is not None:
        hi = datetime.combine(last + timedelta(days=2), time(), UTC)
        parts += [f"{col} < {_utc(hi)}", f"{day} <= DATE {sql_text(last.isoformat())}"]
    return " AND ".join(parts)


def fingerprints(
    conn: duckdb.DuckDBPyConnection, table: str, zone: str, first: date | None, last: date | None
) -> dict[str, dict[str, Any]]:
    """Per center day of ``table`` in ``first..last`` (``None``: open): its row count and a
    fingerprint of its rows' values (order-independent)."""
    names = ", ".join(n for n, _ in columns(TABLES[table]))
    sql = (
        f"SELECT {day_sql(table, zone)} AS day, count(*), "
        f"CAST(sum(hash({names})) AS VARCHAR) FROM {table} "
        f"WHERE {days_filter(table, zone, first, last)} GROUP BY day ORDER BY day"
    )
    return {
        d.isoformat(): {"rows": int(n), "fingerprint": fp}
        for d, n, fp in conn.execute(sql).fetchall()
    }


def held_tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """The exported tables the warehouse ``conn`` has (one older than ``promises`` lacks it:
    nothing of it to export)."""
    sql = "SELECT table_name FROM information_schema.tables"
    held = {r[0] for r in conn.execute(sql).fetchall()}
    return [t for t in DAY_OF if t in held]


def plan_days(
    now: dict[str, dict[str, Any]],
    stored: dict[str, dict[str, Any]],
    first: date | None,
    last: date | None,
) -> list[tuple[str, str]]:
    """What to do with each day, in order, given the days' row counts and fingerprints
    ``now`` (of the period ``first..last``) and those the export holds (``stored``):
    ``removed`` for a stored day of the period with no rows now, ``unchanged`` for a day whose
    count and fingerprint are the stored ones, ``written`` for the others."""
    gone = {
        d
        for d in stored
        if d not in now
        and (first is None or d >= first.isoformat())
        and (last is None or d <= last.isoformat())
    }
    return [
        (d, "removed" if d in gone else "unchanged" if stored.get(d) == now[d] else "written")
        for d in sorted({*now, *gone})
    ]


def _write_day(
    conn: duckdb.DuckDBPyConnection, table: str, zone: str, day: date, target: Path
) -> None:
    names = ", ".join(n for n, _ in columns(TABLES[table]))
    order = ", ".join(KEYS[table])
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name("." + target.name + ".tmp")
    conn.execute(
        f"COPY (SELECT {names} FROM {table} WHERE {days_filter(table, zone, day, day)} "
        f"ORDER BY {order}) TO {sql_text(str(temp))} (FORMAT parquet, COMPRESSION zstd)"
    )
    os.replace(temp, target)


def _remove_day(target: Path) -> None:
    target.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # something else is in it: left as it is
        target.parent.rmdir()


def _refuse(directory: Path, why: str) -> InputError:
    return InputError(f"{directory}: {why}; export to a new directory", field="to")


def read_manifest(directory: Path, zone: str) -> dict[str, Any]:
    """The manifest of an export directory (a fresh one when there is none); an
    :class:`InputError` when the directory holds another schema version, another time zone's
    days or tables no manifest describes (no silent mixing)."""
    path = directory / MANIFEST
    fresh: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "timezone": zone,
        "tables": {
            t: {"partition": f"day of {col} ({zone})", "columns": schema_columns(t), "days": {}}
            for t, col in DAY_OF.items()
        },
    }
    if not path.exists():
        present = [t for t in DAY_OF if (directory / t).exists()]
        if present:
            raise _refuse(directory, f"holds {present[0]}/ but no {MANIFEST}")
        return fresh
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        version = found["schema"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _refuse(directory, f"{MANIFEST} is unreadable ({exc})") from None
    if version != SCHEMA_VERSION and version not in UPGRADES:
        raise _refuse(
            directory, f"written with export schema {version}; this version writes {SCHEMA_VERSION}"
        )
    if found.get("timezone") != zone:
        raise _refuse(
            directory, f"its days are in time zone {found.get('timezone')}; the center's is {zone}"
        )
    for table, entry in fresh["tables"].items():
        old = found.get("tables", {}).get(table, {})
        if old.get("columns", entry["columns"]) != entry["columns"]:
            raise _refuse(directory, f"{table} has other columns than schema {SCHEMA_VERSION}'s")
        entry["days"] = dict(old.get("days", {}))
    return fresh


def _stored_version(directory: Path) -> Any:
    """The schema version of the manifest in ``directory`` (``None``: no manifest); only
    called once :func:`read_manifest` has read it."""
    path = directory / MANIFEST
    return json.loads(path.read_text(encoding="utf-8"))["schema"] if path.exists() else None


def _write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    path = directory / MANIFEST
    temp = directory / (MANIFEST + ".tmp")
    temp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temp, path)


def export_facts(
    conn: duckdb.DuckDBPyConnection,
    directory: Path,
    *,
    zone: str,
    first: date | None = None,
    last: date | None = None,
) -> list[DayExport]:
    """Export the center days ``first..last`` (``None``: open) of the fact tables to
    ``directory`` (see the module); what was done to each table's day, by table then day."""
    manifest = read_manifest(directory, zone)
    directory.mkdir(parents=True, exist_ok=True)
    done: list[DayExport] = []
    changed = _stored_version(directory) not in (None, SCHEMA_VERSION)  # an upgrade
    for table in held_tables(conn):
        days: dict[str, Any] = manifest["tables"][table]["days"]
        now = fingerprints(conn, table, zone, first, last)
        for day, action in plan_days(now, days, first, last):
            target = directory / table / f"day={day}" / PART
            when = date.fromisoformat(day)
            if action == "removed":
                _remove_day(target)
                del days[day]
                done.append(DayExport(table, when, 0, action))
                changed = True
                continue
            if action == "unchanged" and not target.exists():
                action = "written"
            if action == "written":
                _write_day(conn, table, zone, when, target)
                days[day] = now[day]
                changed = True
            done.append(DayExport(table, when, now[day]["rows"], action))
    if changed or not (directory / MANIFEST).exists():
        _write_manifest(directory, manifest)
    return done


__all__ = [
    "DAY_OF",
    "MANIFEST",
    "SCHEMA_VERSION",
    "DayExport",
    "day_sql",
    "days_filter",
    "export_facts",
    "fingerprints",
    "held_tables",
    "plan_days",
    "read_manifest",
    "schema_columns",
    "sql_text",
]
