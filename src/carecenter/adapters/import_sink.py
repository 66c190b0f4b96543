"""The warehouse side of an import: large Arrow batches into DuckDB, merged by key.

Contacts and their visits are staged in temporary tables and merged once per file (and at an
explicit :meth:`WarehouseSink.flush`), contact by contact, in set-based SQL:

* **Facts only move forward** (:mod:`~carecenter.adapters.import_merge`). A contact the
  warehouse already holds further along than the incoming copy is left as it is, with its
  visits; it counts as ``unchanged`` and the file's notes say how many older copies were
  ignored.
* **Exact counts.** A contact is ``new`` when the warehouse did not hold it, ``updated`` when
  its contact row or any of its visit rows changed, ``unchanged`` otherwise.

Agent intervals and survey answers are replaced by key: a row already there unchanged is
skipped, one with other values replaces the stored row.

The bookkeeping tables (quarantine, unknown records, the import log, source versions) are
:mod:`~carecenter.adapters.import_records`.

**A file is one transaction.** Everything a file writes (its facts, records, versions and its
``import_log`` row) is written in one DuckDB transaction, begun at the file's first write and
committed by :meth:`WarehouseSink.end_file`: a process killed at any moment leaves either
nothing of the file or all of it. Importers stage their records in temporary tables before
that (outside the transaction, so a failed attempt to read a file one way can be retried
another way); nothing in the transaction commits implicitly (no ``CHECKPOINT``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from carecenter.adapters import import_records, ticket_store
from carecenter.adapters.import_merge import BEHIND
from carecenter.adapters.warehouse_schema import (
    KEYS,
    TABLES,
    arrow_columns,
)
from carecenter.domain.tickets import TicketEvent, TicketFact, TicketSpell
from carecenter.errors import CareCenterError, StoreError
from carecenter.ingest.common import EXTRA_TABLES, FileCounts, Row

INTERVAL_BATCH_ROWS = 50_000
"""Agent intervals are written in batches of at most so many rows (rows held as Python lists
take far more memory than the same rows in DuckDB)."""
_MERGED = ("contacts", "contact_facts")
_MERGE_TEMPS = (
    "_pending_contacts",
    "_pending_contact_facts",
    "_import_touched",
    "_import_behind",
    "_import_new",
)
"""Tables staged and merged contact by contact (the others are replaced by key at once)."""


class WarehouseSink:
    """:class:`~carecenter.ingest.common.FactSink` writing to a DuckDB warehouse."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        source: str,
        batch_rows: int = 250_000,
        memory: str | None = None,
    ) -> None:
        self._conn = connection
        self.memory = memory
        """The memory limit the import runs under (named when it runs out)."""
        self.source = source
        self.batch_rows = batch_rows
        self.counts = FileCounts(source, "")
        self._visits: dict[tuple[str, int], Row] = {}
        self._contacts: dict[str, Row] = {}
        self._intervals: dict[tuple[str, int], Row] = {}
        self._answers: dict[tuple[str, str], Row] = {}
        self._records: dict[str, list[tuple[Any, ...]]] = {
            t: [] for t in import_records.RECORD_TABLES
        }
        self._extra: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
        self._started = datetime.now(UTC)
        self._staged = dict.fromkeys(_MERGED, False)
        self._in_file = False
        """Between :meth:`start_file` and :meth:`end_file`: writes wait for the file's commit."""
        self._in_transaction = False
        self._clear_file: str | None = None
        """The file whose records of an earlier import are deleted at its first write."""
        import_records.create(self._conn)

    # -- the FactSink protocol ------------------------------------------------------------
    def visit(self, row: Row) -> None:
        self._visits[(row[0], row[1])] = row
        if len(self._visits) >= self.batch_rows:
            self._stage_buffers()

    def contact(self, row: Row) -> None:
        self._contacts[row[0]] = row
        if len(self._contacts) >= self.batch_rows:
            self._stage_buffers()

    def interval(self, row: Row) -> None:
        self._intervals[(row[0], row[1])] = row
        if len(self._intervals) >= min(self.batch_rows, INTERVAL_BATCH_ROWS):
            self.flush()

    def answer(self, row: Row) -> None:
        self._answers[(row[0], row[1])] = row
        if len(self._answers) >= self.batch_rows:
            self.flush()

    def staging(self) -> duckdb.DuckDBPyConnection:
        return self._conn

    def table(self, table: str, data: pa.Table | str) -> None:
        if table not in _MERGED:
            raise ValueError(f"{table}: not a table importers hand over whole")
        if isinstance(data, str):
            self._stage(table, data)
        else:
            self._conn.register("_import_batch", data)
            try:
                self._stage(table, "_import_batch")
            finally:
                self._conn.unregister("_import_batch")

    def record(self, table: str, row: dict[str, Any]) -> None:
        keys = EXTRA_TABLES[table][1]
        rows = self._extra.setdefault(table, {})
        rows[tuple(row[k] for k in keys)] = row
        if len(rows) >= self.batch_rows:
            self.flush()

    def ticket_history(self, ticket_ids: Sequence[str]) -> list[TicketEvent]:
        return ticket_store.history(self._conn, ticket_ids)

    def tickets(
        self,
        facts: Sequence[TicketFact],
        spells: Sequence[TicketSpell],
        added: Sequence[TicketEvent],
    ) -> None:
        self._begin()
        try:
            new, updated, unchanged = ticket_store.write(self._conn, facts, spells, added)
        except BaseException:
            self.abort_file()
            raise
        self.counts.contacts_new += new
        self.counts.contacts_updated += updated
        self.counts.unchanged += unchanged
        if not self._in_file:
            self._commit()

    def quarantine(self, line: int, reason: str, raw: str) -> None:
        self.counts.quarantined += 1
        self.counts.notes[f"quarantined: {reason.split(':')[0]}"] += 1
        self._records["import_quarantine"].append((line, reason, raw[:2000]))

    def unknown(self, line: int, kind: str, raw: str) -> None:
        self.counts.unknown += 1
        self.counts.notes[f"unknown: {kind}"] += 1
        self._records["import_unknown"].append((line, kind, raw[:2000]))

    def flush(self) -> None:
        """Write what is buffered: merge the staged contacts and visits, write the rest."""
        self._stage_buffers()
        answers, self._answers = self._answers, {}
        intervals, self._intervals = self._intervals, {}
        records, self._records = self._records, {t: [] for t in import_records.RECORD_TABLES}
        extra, self._extra = self._extra, {}
        versions = extra.pop("contact_versions", {})
        self._begin()
        try:
            self._merge(list(versions.values()))
            self.counts.intervals += sum(
                self._write("agent_state_intervals", list(intervals.values()))
            )
            self._write("survey_answers", list(answers.values()))
            for table, rows in records.items():
                import_records.append(self._conn, table, self.counts, self._started, rows)
            for table, keyed in extra.items():
                import_records.write_extra(self._conn, table, list(keyed.values()))
        except BaseException:
            self.abort_file()
            raise
        if not self._in_file:
            self._commit()

    # -- the transaction of a file --------------------------------------------------------
    def _begin(self) -> None:
        """Begin the file's transaction (once) and clear the file's earlier records in it."""
        if self._in_transaction:
            return
        self._conn.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        if self._clear_file is not None:
            file, self._clear_file = self._clear_file, None
            import_records.clear_file(self._conn, self.source, file)

    def _commit(self) -> None:
        if self._in_transaction:
            self._in_transaction = False
            self._conn.execute("COMMIT")

    def explain(self, error: BaseException) -> CareCenterError | None:
        """The one-line error to show for ``error`` an import raised, when it is one a user can
        act on: DuckDB ran out of the import's memory."""
        if isinstance(error, duckdb.OutOfMemoryException):
            limit = f" ({self.memory})" if self.memory else ""
            return StoreError(
                f"the import needs more memory than its limit{limit}; the file being read was "
                "rolled back: set CARECENTER_IMPORT_MEMORY higher (e.g. 2GB) and import again"
            )
        return None

    def abort_file(self) -> None:
        """Forget what the file being imported wrote (roll its transaction back)."""
        self._in_file = False
        self._clear_file = None
        if self._in_transaction:
            self._in_transaction = False
            with contextlib.suppress(duckdb.Error):  # a closed connection rolled back already
                self._conn.execute("ROLLBACK")

    def _stage_buffers(self) -> None:
        """Move the buffered contact and visit rows to the staging tables."""
        contacts, self._contacts = self._contacts, {}
        visits, self._visits = self._visits, {}
        for table, rows in (("contacts", contacts), ("contact_facts", visits)):
            if rows:
                self._conn.register(
                    "_import_batch", arrow_columns(TABLES[table], list(rows.values()))
                )
                try:
                    self._stage(table, "_import_batch")
                finally:
                    self._conn.unregister("_import_batch")

    def _stage(self, table: str, source: str) -> None:
        """Add the rows of ``source`` to the staging table of ``table``; a later row with the
        same key replaces an earlier one."""
        conn, pending = self._conn, f"_pending_{table}"
        if not self._staged[table]:
            conn.execute(f"CREATE OR REPLACE TEMP TABLE {pending} AS SELECT * FROM {table} LIMIT 0")
            self._staged[table] = True
        else:
            match = " AND ".join(f"p.{k} = s.{k}" for k in KEYS[table])
            conn.execute(
                f"DELETE FROM {pending} p WHERE EXISTS (SELECT 1 FROM {source} s WHERE {match})"
            )
        conn.execute(f"INSERT INTO {pending} SELECT * FROM {source}")

    # -- files ----------------------------------------------------------------------------
    def start_file(self, file: str) -> FileCounts:
        """Begin a file: fresh counts, and forget its quarantine of an earlier import."""
        self.flush()
        self.counts = FileCounts(self.source, file)
        self._started = datetime.now(UTC)
        self._in_file = True
        self._clear_file = file
        return self.counts

    def end_file(self, *, log: bool = True) -> FileCounts:
        """Write what is buffered and (``log``) the file's counts in ``import_log``; commit
        the file's transaction."""
        self.flush()
        try:
            self._begin()
            if log:
                import_records.log_file(self._conn, self.counts, self._started)
            self._in_file = False
            self._commit()
        except BaseException:
            self.abort_file()
            raise
        return self.counts

    # -- writing --------------------------------------------------------------------------
    def _merge(self, versions: list[dict[str, Any]]) -> None:
        """Merge the staged contacts and visits (see the module docstring) and count them."""
        if not any(self._staged.values()):
            return
        conn = self._conn
        for table in _MERGED:
            if not self._staged[table]:
                self._stage(table, f"(SELECT * FROM {table} LIMIT 0)")
        self._staged = dict.fromkeys(_MERGED, False)
        schema = pa.schema([("contact_id", pa.string()), ("updated_us", pa.int64())])
        conn.register("_pending_versions", pa.Table.from_pylist(versions, schema=schema))
        try:
            incoming = _scalar(conn, "SELECT count(*) FROM _pending_contacts")
            known = _scalar(
                conn, "SELECT count(*) FROM contacts SEMI JOIN _pending_contacts USING (contact_id)"
            )
            behind = 0
            if known:
                conn.execute(BEHIND)
                behind = _scalar(conn, "SELECT count(*) FROM _import_behind")
                if behind:
                    for pending in ("_pending_contacts", "_pending_contact_facts"):
                        conn.execute(
                            f"DELETE FROM {pending} WHERE contact_id IN "
                            "(SELECT contact_id FROM _import_behind)"
                        )
                    kept = self._behind()
                    versions = [v for v in versions if v["contact_id"] not in kept]
                    self.counts.notes["older copies ignored (the warehouse holds later facts)"] += (
                        behind
                    )
            conn.execute("CREATE OR REPLACE TEMP TABLE _import_touched (contact_id VARCHAR)")
            if known:
                conn.execute(
                    "CREATE OR REPLACE TEMP TABLE _import_new AS SELECT contact_id "
                    "FROM _pending_contacts ANTI JOIN contacts USING (contact_id)"
                )
            new_visits, updated_visits = self._write_source(
                "contact_facts", "_pending_contact_facts", known > 0
            )
            self.counts.visits += new_visits + updated_visits
            new, _ = self._write_source("contacts", "_pending_contacts", known > 0)
            updated = 0
            if known:
                updated = _scalar(
                    conn,
                    "SELECT count(DISTINCT contact_id) FROM _import_touched "
                    "SEMI JOIN _pending_contacts USING (contact_id) "
                    "WHERE contact_id NOT IN (SELECT contact_id FROM _import_new)",
                )
            self.counts.contacts_new += new
            self.counts.contacts_updated += updated
            self.counts.unchanged += incoming - new - updated
            import_records.write_extra(conn, "contact_versions", versions)
        finally:
            with contextlib.suppress(duckdb.Error):  # an aborted transaction refuses it
                conn.unregister("_pending_versions")
        for table in _MERGE_TEMPS:
            conn.execute(f"DROP TABLE IF EXISTS {table}")

    def _behind(self) -> set[str]:
        return {
            r[0] for r in self._conn.execute("SELECT contact_id FROM _import_behind").fetchall()
        }

    def _write(self, table: str, rows: list[Row]) -> tuple[int, int]:
        """Write rows replacing by key; (new, updated). Unchanged rows are skipped."""
        if not rows:
            return 0, 0
        return self._write_arrow(table, arrow_columns(TABLES[table], rows))

    def _write_arrow(self, table: str, batch: pa.Table) -> tuple[int, int]:
        self._conn.register("_import_batch", batch)
        try:
            return self._write_source(table, "_import_batch")
        finally:
            self._conn.unregister("_import_batch")

    def _write_source(self, table: str, source: str, touched: bool = False) -> tuple[int, int]:
        """Rows of ``source`` (a table or view of the connection) into ``table``, replacing by
        key: (new, updated); rows already there unchanged are skipped. With ``touched``, the
        contact ids of the rows changed go to ``_import_touched``."""
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
            if touched:
                conn.execute("INSERT INTO _import_touched SELECT contact_id FROM _import_changed")
        conn.execute("DROP TABLE _import_changed")
        return changed - updated, updated


def _scalar(conn: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = next(iter(conn.execute(sql).fetchall()), None)
    return int(row[0]) if row else 0
