"""The bookkeeping tables of imports, beside the facts (written by
:class:`~carecenter.adapters.import_sink.WarehouseSink` inside each file's transaction):

* ``import_quarantine`` (source, file, line, reason, raw): malformed records;
* ``import_unknown`` (source, file, line, kind, raw): records of kinds the importer does not know;
* ``import_log``: one row per imported file and run, with its counts;
* ``contact_versions`` and the other :data:`~carecenter.ingest.common.EXTRA_TABLES`: rows an
  importer keeps besides the facts, replaced by key.

Both record tables are cleared for a (source, file) when that file is imported again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from carecenter.adapters.warehouse_schema import ARROW_TYPES
from carecenter.ingest.common import EXTRA_TABLES, FileCounts

RECORD_TABLES = ("import_quarantine", "import_unknown")
_LOG_COLUMNS = [
    "source",
    "file",
    "started_at",
    "finished_at",
    "records",
    "contacts_new",
    "contacts_updated",
    "unchanged",
    "visits",
    "intervals",
    "quarantined",
    "unknown",
    "ignored",
]
DDL = [
    "CREATE TABLE IF NOT EXISTS import_quarantine (source VARCHAR, file VARCHAR, line BIGINT, "
    "reason VARCHAR, raw VARCHAR, imported_at TIMESTAMPTZ)",
    "CREATE TABLE IF NOT EXISTS import_unknown (source VARCHAR, file VARCHAR, line BIGINT, "
    "kind VARCHAR, raw VARCHAR, imported_at TIMESTAMPTZ)",
    "CREATE TABLE IF NOT EXISTS import_log (source VARCHAR, file VARCHAR, "
    "started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, records BIGINT, contacts_new BIGINT, "
    "contacts_updated BIGINT, unchanged BIGINT, visits BIGINT, intervals BIGINT, "
    "quarantined BIGINT, unknown BIGINT, ignored BIGINT)",
    "CREATE TABLE IF NOT EXISTS contact_versions (contact_id VARCHAR, updated_us BIGINT)",
]


def create(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the bookkeeping tables that are missing (and rename ``import_log.duplicates``,
    written by an earlier version, to ``unchanged``)."""
    for statement in DDL:
        conn.execute(statement)
    log_columns = {
        r[0] for r in conn.execute("SELECT name FROM pragma_table_info('import_log')").fetchall()
    }
    if "duplicates" in log_columns:
        conn.execute("ALTER TABLE import_log RENAME COLUMN duplicates TO unchanged")


def clear_file(conn: duckdb.DuckDBPyConnection, source: str, file: str) -> None:
    """Forget the quarantined and unknown records of an earlier import of ``file``."""
    for table in RECORD_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE source = ? AND file = ?", [source, file])


def append(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    counts: FileCounts,
    imported_at: datetime,
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """Add (line, reason or kind, raw text) rows of ``counts``' file to a record table."""
    if not rows:
        return
    lines, texts, raws = zip(*rows, strict=True)
    n = len(rows)
    batch = pa.table(
        {
            "source": pa.array([counts.source] * n, pa.string()),
            "file": pa.array([counts.file] * n, pa.string()),
            "line": pa.array(lines, pa.int64()),
            "text": pa.array(texts, pa.string()),
            "raw": pa.array(raws, pa.string()),
            "imported_at": pa.array([imported_at] * n, ARROW_TYPES[datetime]),
        }
    )
    conn.register("_import_records", batch)
    try:
        conn.execute(f"INSERT INTO {table} SELECT * FROM _import_records")
    finally:
        conn.unregister("_import_records")


def write_extra(conn: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    """Rows of one of the :data:`~carecenter.ingest.common.EXTRA_TABLES`, replacing those with
    the same key (the table is created when first written)."""
    if not rows:
        return
    cols, keys = EXTRA_TABLES[table]
    conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(f'{n} {t}' for n, t in cols)})")
    types = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64()}
    schema = pa.schema([(n, types[t]) for n, t in cols])
    conn.register("_import_extra", pa.Table.from_pylist(rows, schema=schema))
    try:
        match = " AND ".join(f"t.{k} = b.{k}" for k in keys)
        conn.execute(
            f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM _import_extra b WHERE {match})"
        )
        conn.execute(f"INSERT INTO {table} SELECT * FROM _import_extra")
    finally:
        conn.unregister("_import_extra")


def log_file(conn: duckdb.DuckDBPyConnection, c: FileCounts, started: datetime) -> None:
    """The ``import_log`` row of one file's import."""
    values = [
        c.source,
        c.file,
        started,
        datetime.now(UTC),
        c.records,
        c.contacts_new,
        c.contacts_updated,
        c.unchanged,
        c.visits,
        c.intervals,
        c.quarantined,
        c.unknown,
        c.ignored,
    ]
    marks = ", ".join("?" * len(values))
    conn.execute(f"INSERT INTO import_log ({', '.join(_LOG_COLUMNS)}) VALUES ({marks})", values)
