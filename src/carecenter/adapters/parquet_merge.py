"""An import's facts merged into an export directory (``carecenter import ... --to-parquet``,
:mod:`carecenter.services.parquet_import`): the SQL on the scratch warehouse that carries the
directory's rows for the import's days over, exports those days, and appends the quarantined
records to the directory's CSV file."""

from __future__ import annotations

import contextlib
import csv
from datetime import UTC, date
from pathlib import Path

import duckdb

from carecenter.adapters.parquet_export import (
    DAY_OF,
    PART,
    DayExport,
    day_sql,
    export_facts,
    sql_text,
)
from carecenter.adapters.warehouse_schema import KEYS, TABLES, columns

QUARANTINE_COLUMNS = ("source", "file", "line", "reason", "raw", "imported_at")
"""The columns of the quarantine file: the ``import_quarantine`` table's (``imported_at``:
when the import ran)."""


def _span(conn: duckdb.DuckDBPyConnection, zone: str) -> tuple[date, date] | None:
    """The first and last center day of the scratch tables' rows (``None``: no rows)."""
    days = [
        conn.execute(
            f"SELECT min({day_sql(t, zone)}), max({day_sql(t, zone)}) FROM {t}"
        ).fetchall()[0]
        for t in DAY_OF
    ]
    firsts = [d[0] for d in days if d[0] is not None]
    lasts = [d[1] for d in days if d[1] is not None]
    return (min(firsts), max(lasts)) if firsts else None


def export_import(conn: duckdb.DuckDBPyConnection, directory: Path, zone: str) -> list[DayExport]:
    """Add the rows ``directory`` holds for the import's days to the scratch tables, then
    export those days; nothing when the import has no rows."""
    span = _span(conn, zone)
    if span is None:
        return []
    first, last = span
    for table in DAY_OF:
        _carry_over(conn, table, _day_files(directory, table, first, last))
    return export_facts(conn, directory, zone=zone, first=first, last=last)


def _day_files(directory: Path, table: str, first: date, last: date) -> list[Path]:
    """The exported files of ``table`` for the center days ``first..last``."""
    found = []
    for path in sorted((directory / table).glob(f"day=*/{PART}")):
        with contextlib.suppress(ValueError):  # a folder that is no day of an export
            if first <= date.fromisoformat(path.parent.name.removeprefix("day=")) <= last:
                found.append(path)
    return found


def _carry_over(conn: duckdb.DuckDBPyConnection, table: str, files: list[Path]) -> None:
    """Insert the rows of ``files`` whose key is not in the scratch ``table``."""
    if not files:
        return
    names = ", ".join(n for n, _ in columns(TABLES[table]))
    listed = ", ".join(sql_text(str(f)) for f in files)
    keys = ", ".join(KEYS[table])
    conn.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM read_parquet([{listed}]) "
        f"ANTI JOIN {table} USING ({keys})"
    )


def append_quarantine(conn: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Append the scratch warehouse's quarantined records to the CSV file ``path`` (with a
    header when it is new); how many."""
    rows = conn.execute(
        f"SELECT {', '.join(QUARANTINE_COLUMNS)} FROM import_quarantine ORDER BY file, line"
    ).fetchall()
    if not rows:
        return 0
    new = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(QUARANTINE_COLUMNS)
        for *values, imported_at in rows:
            writer.writerow([*values, imported_at.astimezone(UTC).isoformat()])
    return len(rows)


__all__ = ["QUARANTINE_COLUMNS", "append_quarantine", "export_import"]
