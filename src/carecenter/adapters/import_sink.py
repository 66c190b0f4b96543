"""The warehouse side of an import: large Arrow batches into DuckDB, replacing rows by key.

Re-importing a file adds nothing: a batch row whose key is already in the table with the same
values is a duplicate and is skipped; one with different values replaces the stored row.

Three bookkeeping tables live next to the facts:

* ``import_quarantine`` (source, file, line, reason, raw): malformed records;
* ``import_unknown`` (source, file, line, kind, raw): records of kinds the importer does not know;
* ``import_log``: one row per imported file and run, with its counts.

Both record tables are cleared for a (source, file) when that file is imported again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from carecenter.adapters.warehouse_schema import KEYS, TABLES, columns
from carecenter.ingest.common import EXTRA_TABLES, FileCounts, Row

_TS = pa.timestamp("us", tz="UTC")
_NAIVE_TS = pa.timestamp("us")
_ARROW = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}

_RECORD_TABLES = {
    "import_quarantine": ["source", "file", "line", "reason", "raw"],
    "import_unknown": ["source", "file", "line", "kind", "raw"],
}
_LOG_COLUMNS = [
    "source",
    "file",
    "started_at",
    "finished_at",
    "records",
    "contacts_new",
    "contacts_updated",
    "duplicates",
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
    "contacts_updated BIGINT, duplicates BIGINT, visits BIGINT, intervals BIGINT, "
    "quarantined BIGINT, unknown BIGINT, ignored BIGINT)",
]


def _time_array(values: Sequence[Any]) -> pa.Array:
    sample = next((v for v in values if v is not None), None)
    if sample is None or isinstance(sample, datetime):
        # Converting to a zoned type calls utcoffset() on every value (several times slower);
        # aware datetimes convert to UTC either way.
        return pa.array(values, type=_NAIVE_TS).cast(_TS)
    micros = pc.round(pc.multiply(pa.array(values, type=pa.float64()), 1e6))
    return pc.cast(micros, pa.int64()).cast(_TS)


def arrow_batch(table: str, rows: Sequence[Row]) -> pa.Table:
    """Rows (lists in column order) of a warehouse table as an Arrow table."""
    cols = columns(TABLES[table])
    values: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [()] * len(cols)
    arrays = [
        _time_array(v) if tp is datetime else pa.array(v, type=_ARROW[tp])
        for (_, tp), v in zip(cols, values, strict=True)
    ]
    return pa.Table.from_arrays(arrays, names=[n for n, _ in cols])


class WarehouseSink:
    """:class:`~carecenter.ingest.common.FactSink` writing to a DuckDB warehouse."""

    def __init__(
        self, connection: duckdb.DuckDBPyConnection, source: str, batch_rows: int = 250_000
    ) -> None:
        self._conn = connection
        self.source = source
        self.batch_rows = batch_rows
        self.counts = FileCounts(source, "")
        self._visits: dict[tuple[str, int], Row] = {}
        self._contacts: dict[str, Row] = {}
        self._intervals: dict[tuple[str, int], Row] = {}
        self._answers: dict[tuple[str, str], Row] = {}
        self._records: dict[str, list[tuple[Any, ...]]] = {t: [] for t in _RECORD_TABLES}
        self._extra: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
        self._started = datetime.now(UTC)
        for statement in DDL:
            self._conn.execute(statement)

    # -- the FactSink protocol ------------------------------------------------------------
    def visit(self, row: Row) -> None:
        self._visits[(row[0], row[1])] = row
        if len(self._visits) >= self.batch_rows:
            self.flush()

    def contact(self, row: Row) -> None:
        self._contacts[row[0]] = row
        if len(self._contacts) >= self.batch_rows:
            self.flush()

    def interval(self, row: Row) -> None:
        self._intervals[(row[0], row[1])] = row
        if len(self._intervals) >= self.batch_rows:
            self.flush()

    def answer(self, row: Row) -> None:
        self._answers[(row[0], row[1])] = row
        if len(self._answers) >= self.batch_rows:
            self.flush()

    def staging(self) -> duckdb.DuckDBPyConnection:
        return self._conn

    def table(self, table: str, data: pa.Table | str) -> None:
        self.flush()
        self._conn.execute("BEGIN TRANSACTION")
        try:
            if isinstance(data, str):
                new, updated = self._write_source(table, data)
                rows = _scalar(self._conn, f"SELECT count(*) FROM {data}")
            else:
                new, updated = self._write_arrow(table, data)
                rows = data.num_rows
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        if table == "contacts":
            self.counts.contacts_new += new
            self.counts.contacts_updated += updated
            self.counts.duplicates += rows - new - updated
        elif table == "contact_facts":
            self.counts.visits += new + updated

    def record(self, table: str, row: dict[str, Any]) -> None:
        keys = EXTRA_TABLES[table][1]
        rows = self._extra.setdefault(table, {})
        rows[tuple(row[k] for k in keys)] = row
        if len(rows) >= self.batch_rows:
            self.flush()

    def quarantine(self, line: int, reason: str, raw: str) -> None:
        self.counts.quarantined += 1
        self.counts.notes[f"quarantined: {reason.split(':')[0]}"] += 1
        self._records["import_quarantine"].append((line, reason, raw[:2000]))

    def unknown(self, line: int, kind: str, raw: str) -> None:
        self.counts.unknown += 1
        self.counts.notes[f"unknown: {kind}"] += 1
        self._records["import_unknown"].append((line, kind, raw[:2000]))

    def flush(self) -> None:
        contacts, visits, intervals = self._contacts, self._visits, self._intervals
        self._contacts, self._visits, self._intervals = {}, {}, {}
        answers, self._answers = self._answers, {}
        records, self._records = self._records, {t: [] for t in _RECORD_TABLES}
        extra, self._extra = self._extra, {}
        self._conn.execute("BEGIN TRANSACTION")
        try:
            new, updated = self._write("contacts", list(contacts.values()))
            self.counts.contacts_new += new
            self.counts.contacts_updated += updated
            self.counts.duplicates += len(contacts) - new - updated
            self.counts.visits += sum(self._write("contact_facts", list(visits.values())))
            self.counts.intervals += sum(
                self._write("agent_state_intervals", list(intervals.values()))
            )
            self._write("survey_answers", list(answers.values()))
            for table, rows in records.items():
                self._append_records(table, rows)
            for table, keyed in extra.items():
                self._write_extra(table, list(keyed.values()))
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    # -- files ----------------------------------------------------------------------------
    def start_file(self, file: str) -> FileCounts:
        """Begin a file: fresh counts, and forget its quarantine of an earlier import."""
        self.flush()
        self.counts = FileCounts(self.source, file)
        self._started = datetime.now(UTC)
        for table in _RECORD_TABLES:
            self._conn.execute(
                f"DELETE FROM {table} WHERE source = ? AND file = ?", [self.source, file]
            )
        return self.counts

    def end_file(self) -> FileCounts:
        """Write what is buffered and log the file's counts in ``import_log``."""
        self.flush()
        c = self.counts
        values = [
            c.source,
            c.file,
            self._started,
            datetime.now(UTC),
            c.records,
            c.contacts_new,
            c.contacts_updated,
            c.duplicates,
            c.visits,
            c.intervals,
            c.quarantined,
            c.unknown,
            c.ignored,
        ]
        marks = ", ".join("?" * len(values))
        self._conn.execute(
            f"INSERT INTO import_log ({', '.join(_LOG_COLUMNS)}) VALUES ({marks})", values
        )
        return c

    # -- writing --------------------------------------------------------------------------
    def _write(self, table: str, rows: list[Row]) -> tuple[int, int]:
        """Write rows replacing by key; (new, updated). Unchanged rows are skipped."""
        if not rows:
            return 0, 0
        return self._write_arrow(table, arrow_batch(table, rows))

    def _write_arrow(self, table: str, batch: pa.Table) -> tuple[int, int]:
        self._conn.register("_import_batch", batch)
        try:
            return self._write_source(table, "_import_batch")
        finally:
            self._conn.unregister("_import_batch")

    def _write_source(self, table: str, source: str) -> tuple[int, int]:
        """Rows of ``source`` (a table or view of the connection) into ``table``, replacing by
        key: (new, updated); rows already there unchanged are skipped."""
        conn = self._conn
        keys = ", ".join(KEYS[table])
        if not _scalar(conn, f"SELECT count(*) FROM {table} t SEMI JOIN {source} USING ({keys})"):
            conn.execute(f"INSERT INTO {table} SELECT * FROM {source}")  # every row is new
            return _scalar(conn, f"SELECT count(*) FROM {source}"), 0
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _import_changed AS "
            f"SELECT * FROM {source} EXCEPT "
            f"SELECT t.* FROM {table} t SEMI JOIN {source} USING ({keys})"
        )
        match = " AND ".join(f"t.{k} = c.{k}" for k in KEYS[table])
        changed = _scalar(conn, "SELECT count(*) FROM _import_changed")
        updated = _scalar(
            conn, f"SELECT count(*) FROM _import_changed c SEMI JOIN {table} t USING ({keys})"
        )
        if updated:
            conn.execute(
                f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM _import_changed c "
                f"WHERE {match})"
            )
        if changed:
            conn.execute(f"INSERT INTO {table} SELECT * FROM _import_changed")
        conn.execute("DROP TABLE _import_changed")
        return changed - updated, updated

    def _write_extra(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        cols, keys = EXTRA_TABLES[table]
        self._conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(f'{n} {t}' for n, t in cols)})"
        )
        types = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64()}
        schema = pa.schema([(n, types[t]) for n, t in cols])
        self._conn.register("_import_extra", pa.Table.from_pylist(rows, schema=schema))
        try:
            match = " AND ".join(f"t.{k} = b.{k}" for k in keys)
            self._conn.execute(
                f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM _import_extra b WHERE {match})"
            )
            self._conn.execute(f"INSERT INTO {table} SELECT * FROM _import_extra")
        finally:
            self._conn.unregister("_import_extra")

    def _append_records(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        lines, texts, raws = zip(*rows, strict=True)
        n = len(rows)
        batch = pa.table(
            {
                "source": pa.array([self.source] * n, pa.string()),
                "file": pa.array([self.counts.file] * n, pa.string()),
                "line": pa.array(lines, pa.int64()),
                "text": pa.array(texts, pa.string()),
                "raw": pa.array(raws, pa.string()),
                "imported_at": pa.array([self._started] * n, _TS),
            }
        )
        self._conn.register("_import_records", batch)
        try:
            self._conn.execute(f"INSERT INTO {table} SELECT * FROM _import_records")
        finally:
            self._conn.unregister("_import_records")


def _scalar(conn: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = next(iter(conn.execute(sql).fetchall()), None)
    return int(row[0]) if row else 0
