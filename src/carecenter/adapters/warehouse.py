"""The warehouse: fact tables in a DuckDB file, written by the projector, read by metrics.

Tables (columns follow the row classes in :mod:`carecenter.domain.projection`):

* ``contacts`` - one row per contact;
* ``contact_facts`` - one row per queue visit of a contact;
* ``agent_state_intervals`` - one row per stretch of time an agent spent in one state;
* ``survey_answers`` - one row per answered survey question (keyed by survey and question);
* ``promises`` - one row per promise made to a customer;
* ``projector_checkpoint`` - the sequence number of the last event projected.

Timestamps are ``TIMESTAMPTZ`` and the session time zone is UTC. The tables carry no key
constraints (a columnar store): the projector keeps rows unique by replacing the ones it touches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from carecenter.adapters.duckdb_lock import connect
from carecenter.adapters.settings import IMPORT_MEMORY_LIMIT
from carecenter.adapters.warehouse_schema import (
    KEYS,
    OPTIONAL,
    SQL_TYPES,
    TABLES,
    arrow_table,
    columns,
    ddl,
)
from carecenter.domain.complaints import Complaint
from carecenter.domain.projection import (
    AgentInterval,
    ContactRow,
    ProjectionState,
    SurveyAnswerRow,
    VisitFact,
    WarehouseCounts,
)
from carecenter.domain.promise_facts import PromiseRow
from carecenter.errors import StoreError, WorkspaceError

ADDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "contacts": (("transferred_in", "false"), ("disposition", "NULL"), ("note", "NULL")),
    "survey_answers": (("comment", "NULL"),),
    "contact_facts": (
        (
            "conversation_s",
            "CASE WHEN answered_at IS NOT NULL AND coalesce(talk_ended_at, ended_at) IS NOT NULL "
            "THEN coalesce(talk_s, 0) + coalesce(hold_s, 0) END",
        ),
        ("relaxation_step", "NULL"),
        ("ewt_s", "NULL"),
        ("ewt_predictor", "NULL"),
        ("transfer_kind", "NULL"),
        ("transfer_reason", "NULL"),
    ),
}
"""Columns added to a table after its first release: table -> ((column, value of the rows
written before it)). A writer adds them to the file (:func:`upgrade_tables`); a reader of a
file written before them sees them through a view (:func:`present_added_columns`)."""


_LAST_QUEUES = (
    "SELECT contact_id, arg_max(queue_id, visit) AS queue_id FROM contact_facts GROUP BY contact_id"
)
"""Each contact's queue of its last visit."""


def _present_columns(conn: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = conn.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
        "AND database_name = current_database() AND schema_name = 'main'",
        [table],
    ).fetchall()
    return {r[0] for r in rows}


def _missing(conn: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, str]]:
    """(column, SQL type, value for the rows before it) of the added columns ``table`` lacks."""
    present = _present_columns(conn, table)
    types = dict(columns(TABLES[table]))
    return [
        (column, SQL_TYPES[types[column]], value)
        for column, value in ADDED_COLUMNS[table]
        if column not in present
    ]


def upgrade_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """Add the :data:`ADDED_COLUMNS` a warehouse written by an earlier version lacks (at the end
    of the table, where the row class has them) and fill them from the columns it has."""
    for table in ADDED_COLUMNS:
        for column, sql_type, value in _missing(conn, table):
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")
            if value != "NULL":
                conn.execute(f"UPDATE {table} SET {column} = {value}")


def _one(conn: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...] | None:
    """The first row of ``sql``, with the result read to its end: DuckDB 2 refuses other work
    on a connection whose last result was not (``fetchone`` leaves it open)."""
    return next(iter(conn.execute(sql).fetchall()), None)


def present_added_columns(conn: duckdb.DuckDBPyConnection) -> None:
    """On a read-only connection to a file written before some :data:`ADDED_COLUMNS`: a
    temporary view for each such table, named like it, with the columns it lacks given the
    values of the rows written before them (a reader cannot add them to the file)."""
    database = _one(conn, "SELECT current_database()")
    for table in ADDED_COLUMNS:
        missing = _missing(conn, table)
        if not missing or database is None:
            continue
        added = ", ".join(f"CAST({value} AS {tp}) AS {c}" for c, tp, value in missing)
        source = f'"{database[0]}".main.{table}'
        conn.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT *, {added} FROM {source}")


def touched_rows(state: ProjectionState) -> dict[str, list[Any]]:
    """The rows a fold touched, per warehouse table, in key order."""
    return {
        "contacts": [state.contacts[c] for c in sorted(state.touched_contacts)],
        "contact_facts": [state.touched_visits[k] for k in sorted(state.touched_visits)],
        "agent_state_intervals": [
            state.touched_intervals[k] for k in sorted(state.touched_intervals)
        ],
        "survey_answers": [state.survey_answers[k] for k in sorted(state.survey_answers)],
        "promises": [state.promises[k] for k in sorted(state.touched_promises)],
    }


def fact_tables(state: ProjectionState) -> dict[str, pa.Table]:
    """The rows a fold touched as Arrow tables per warehouse table (what
    :meth:`DuckDbWarehouse.append` adds); tables with no rows are left out."""
    return {t: arrow_table(TABLES[t], rows) for t, rows in touched_rows(state).items() if rows}


class DuckDbWarehouse:
    """:class:`~carecenter.services.ports.Warehouse` in a DuckDB file (or ``:memory:``).

    A writer (the default) creates missing tables; ``read_only=True`` opens the file beside
    other readers and checks the tables are there. While another process holds a conflicting
    lock, opening waits up to ``lock_timeout_s`` seconds (see :mod:`.duckdb_lock`).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        lock_timeout_s: float = 0.0,
        import_memory: str = IMPORT_MEMORY_LIMIT,
        threads: int | None = None,
    ) -> None:
        self._path = str(path)
        self.import_memory = import_memory
        """DuckDB's memory limit while it imports (``CARECENTER_IMPORT_MEMORY``)."""
        self.read_only = read_only and self._path != ":memory:"
        self._conn = connect(self._path, read_only=self.read_only, timeout_s=lock_timeout_s)
        try:
            self._conn.execute("SET TimeZone='UTC'")
            if threads is not None:
                self._conn.execute(f"SET threads = {int(threads)}")
            if self.read_only:
                self._check_tables()
            else:
                for table in TABLES:
                    self._conn.execute(ddl(table))
                self._conn.execute("CREATE TABLE IF NOT EXISTS projector_checkpoint (seq BIGINT)")
                upgrade_tables(self._conn)
        except BaseException:
            self._conn.close()
            raise

    def _check_tables(self) -> None:
        have = {
            r[0] for r in self._conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        missing = [
            t for t in (*TABLES, "projector_checkpoint") if t not in have and t not in OPTIONAL
        ]
        if missing:
            raise WorkspaceError(
                f"{self._path}: the warehouse has no table {missing[0]}; run `carecenter upgrade`"
            )
        present_added_columns(self._conn)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The open DuckDB connection (for adapters and tests; services use :meth:`backend`
        and :meth:`import_sink`)."""
        return self._conn

    def backend(self) -> Any:
        """An Ibis backend on this warehouse's connection, for the metric catalog."""
        import ibis  # type: ignore[import-untyped]

        return ibis.duckdb.from_connection(self._conn)

    def backend_name(self) -> str:
        """The name of the Ibis backend :meth:`backend` gives."""
        return "duckdb"

    def arrow(self, sql: str) -> pa.Table:
        """Run the query ``sql`` (compiled from the metric catalog) and return its rows."""
        return self._conn.sql(sql).to_arrow_table()

    def import_sink(self, source: str) -> Any:
        """The :class:`~carecenter.adapters.import_sink.WarehouseSink` of importer ``source``
        on this warehouse (a writer)."""
        from carecenter.adapters.import_sink import WarehouseSink

        if self.read_only:
            raise StoreError(f"{self._path}: opened read-only; an import needs a writer")
        self._conn.execute("SET memory_limit = ?", [self.import_memory])
        return WarehouseSink(self._conn, source, memory=self.import_memory)

    def close(self) -> None:
        """Close the file."""
        self._conn.close()

    def checkpoint(self) -> int:
        row = _one(self._conn, "SELECT max(seq) FROM projector_checkpoint")
        return int(row[0]) if row and row[0] is not None else 0

    def _fetch(self, row_type: type[Any], sql: str, params: list[Any]) -> list[Any]:
        names = [n for n, _ in columns(row_type)]
        cursor = self._conn.execute(sql.format(cols=", ".join(names)), params)
        return [row_type(**dict(zip(names, r, strict=True))) for r in cursor.fetchall()]

    def load_state(
        self,
        contact_ids: Iterable[str],
        agent_ids: Iterable[str],
        promise_ids: Iterable[str] = (),
    ) -> ProjectionState:
        state = ProjectionState()
        cids, aids = sorted(set(contact_ids)), sorted(set(agent_ids))
        if pids := sorted(set(promise_ids)):
            for promise in self._fetch(
                PromiseRow,
                "SELECT {cols} FROM promises WHERE promise_id IN (SELECT unnest(?))",
                [pids],
            ):
                state.promises[promise.promise_id] = promise
        if cids:
            for row in self._fetch(
                ContactRow,
                "SELECT {cols} FROM contacts WHERE contact_id IN (SELECT unnest(?))",
                [cids],
            ):
                state.contacts[row.contact_id] = row
            for visit in self._fetch(
                VisitFact,
                "SELECT {cols} FROM contact_facts "
                "WHERE contact_id IN (SELECT unnest(?)) "
                "QUALIFY visit = max(visit) OVER (PARTITION BY contact_id)",
                [cids],
            ):
                state.visits[visit.contact_id] = visit
        if aids:
            for iv in self._fetch(
                AgentInterval,
                "SELECT {cols} FROM agent_state_intervals "
                "WHERE end_at IS NULL AND agent_id IN (SELECT unnest(?))",
                [aids],
            ):
                state.open_intervals[iv.agent_id] = iv
        return state

    def open_rows(self, since: datetime) -> tuple[list[VisitFact], list[AgentInterval]]:
        """What is going on now: the queue visits not ended that entered their queue at or
        after ``since`` (waiting, offered, in conversation or wrap-up) and the agent-state
        intervals still open that began at or after it."""
        return self._visits_and_intervals(
            "ended_at IS NULL AND enqueued_at >= ?", "end_at IS NULL AND start_at >= ?", [since]
        )

    def open_contact_ids(self, since: datetime) -> list[str]:
        rows = self._conn.execute(
            "SELECT contact_id FROM contacts WHERE ended_at IS NULL AND arrived_at >= ? "
            "ORDER BY contact_id",
            [since],
        ).fetchall()
        return [row[0] for row in rows]

    def rows_between(
        self, start: datetime, end: datetime
    ) -> tuple[list[VisitFact], list[AgentInterval]]:
        """The queue visits that entered their queue in [``start``, ``end``) and the agent
        intervals that began then (for replaying the alert rules over the past)."""
        return self._visits_and_intervals(
            "enqueued_at >= ? AND enqueued_at < ?", "start_at >= ? AND start_at < ?", [start, end]
        )

    def agent_intervals(self, start: datetime, end: datetime) -> list[AgentInterval]:
        return self._fetch(
            AgentInterval,
            "SELECT {cols} FROM agent_state_intervals "
            "WHERE start_at < ? AND (end_at IS NULL OR end_at > ?) ORDER BY agent_id, start_at",
            [end, start],
        )

    def customer_visits(self, start: datetime, end: datetime) -> list[VisitFact]:
        return self._fetch(
            VisitFact,
            "SELECT {cols} FROM contact_facts WHERE customer_id IS NOT NULL "
            "AND enqueued_at >= ? AND enqueued_at < ? ORDER BY enqueued_at, contact_id, visit",
            [start, end],
        )

    def customer_answers(self, before: datetime) -> list[SurveyAnswerRow]:
        names = [n for n, _ in columns(SurveyAnswerRow)]
        cols = ", ".join(
            "coalesce(a.customer_id, c.customer_id)" if n == "customer_id" else f"a.{n}"
            for n in names
        )
        rows = self._conn.execute(
            f"SELECT {cols} FROM survey_answers a LEFT JOIN contacts c "
            "ON c.contact_id = a.contact_id WHERE a.answered_at < ? "
            "AND coalesce(a.customer_id, c.customer_id) IS NOT NULL "
            "ORDER BY a.answered_at, a.survey_id, a.question",
            [before],
        ).fetchall()
        return [SurveyAnswerRow(**dict(zip(names, r, strict=True))) for r in rows]

    def disposed_contacts(
        self, dispositions: Sequence[str], start: datetime | None, end: datetime | None
    ) -> list[tuple[ContactRow, str | None]]:
        names = [n for n, _ in columns(ContactRow)]
        rows = self._conn.execute(
            f"SELECT {', '.join(f'c.{n}' for n in names)}, v.queue_id FROM contacts c "
            f"LEFT JOIN ({_LAST_QUEUES}) v ON v.contact_id = c.contact_id "
            "WHERE lower(trim(c.disposition)) IN (SELECT unnest(?)) "
            "AND (? IS NULL OR c.ended_at >= ?) AND (? IS NULL OR c.ended_at < ?) "
            "ORDER BY c.ended_at, c.contact_id",
            [list(dispositions), start, start, end, end],
        ).fetchall()
        return [(ContactRow(**dict(zip(names, r[:-1], strict=True))), r[-1]) for r in rows]

    def commented_answers(
        self, start: datetime | None, end: datetime | None
    ) -> list[tuple[SurveyAnswerRow, str | None]]:
        names = [n for n, _ in columns(SurveyAnswerRow)]
        rows = self._conn.execute(
            f"SELECT {', '.join(f'a.{n}' for n in names)}, v.queue_id FROM survey_answers a "
            f"LEFT JOIN ({_LAST_QUEUES}) v ON v.contact_id = a.contact_id "
            "WHERE trim(a.comment) <> '' "
            "AND (? IS NULL OR a.answered_at >= ?) AND (? IS NULL OR a.answered_at < ?) "
            "ORDER BY a.answered_at, a.survey_id, a.question",
            [start, start, end, end],
        ).fetchall()
        return [(SurveyAnswerRow(**dict(zip(names, r[:-1], strict=True))), r[-1]) for r in rows]

    def _visits_and_intervals(
        self, visits: str, intervals: str, params: list[Any]
    ) -> tuple[list[VisitFact], list[AgentInterval]]:
        return (
            self._fetch(
                VisitFact,
                f"SELECT {{cols}} FROM contact_facts WHERE {visits} "
                "ORDER BY enqueued_at, contact_id",
                params,
            ),
            self._fetch(
                AgentInterval,
                f"SELECT {{cols}} FROM agent_state_intervals WHERE {intervals} "
                "ORDER BY agent_id, start_at",
                params,
            ),
        )

    def save_state(self, state: ProjectionState, checkpoint: int) -> None:
        batches = touched_rows(state)
        self._conn.execute("BEGIN TRANSACTION")
        try:
            for table, rows in batches.items():
                self._replace(table, rows)
            self._conn.execute("DELETE FROM projector_checkpoint")
            self._conn.execute("INSERT INTO projector_checkpoint VALUES (?)", [checkpoint])
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def append(self, tables: dict[str, pa.Table]) -> None:
        """Add rows new to the warehouse (a simulation's: its contact ids are its own), as
        :func:`fact_tables` gives them, in one transaction."""
        self._conn.execute("BEGIN TRANSACTION")
        try:
            for table, batch in tables.items():
                self._conn.register("_batch", batch)
                try:
                    self._conn.execute(f"INSERT INTO {table} SELECT * FROM _batch")
                finally:
                    self._conn.unregister("_batch")
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def _replace(self, table: str, rows: Sequence[Any]) -> None:
        if not rows:
            return
        batch = arrow_table(TABLES[table], rows)
        self._conn.register("_batch", batch)
        try:
            keys = KEYS[table]
            match = " AND ".join(f"t.{k} = b.{k}" for k in keys)
            self._conn.execute(
                f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM _batch b WHERE {match})"
            )
            self._conn.execute(f"INSERT INTO {table} SELECT * FROM _batch")
        finally:
            self._conn.unregister("_batch")

    def counts(self) -> WarehouseCounts:
        have = {
            r[0] for r in self._conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }

        def n(table: str) -> int:
            if table not in have:  # a warehouse older than the table
                return 0
            row = _one(self._conn, f"SELECT count(*) FROM {table}")
            return int(row[0]) if row else 0

        return WarehouseCounts(
            n("contacts"),
            n("contact_facts"),
            n("agent_state_intervals"),
            self.checkpoint(),
            n("ticket_facts"),
            n("promises"),
        )

    def promise_rows(
        self,
        *,
        status: str | None = None,
        due_from: datetime | None = None,
        due_before: datetime | None = None,
    ) -> list[PromiseRow]:
        have = _one(
            self._conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'promises'"
        )
        if not have or not have[0]:  # a warehouse written before promises
            return []
        where = ["(? IS NULL OR status = ?)", "(? IS NULL OR due_at >= ?)"]
        where.append("(? IS NULL OR due_at < ?)")
        sql = "SELECT {cols} FROM promises WHERE " + " AND ".join(where)
        params = [status, status, due_from, due_from, due_before, due_before]
        return self._fetch(PromiseRow, sql + " ORDER BY due_at NULLS LAST, promise_id", params)

    def complaints(
        self, start: datetime | None = None, end: datetime | None = None, *, kept: bool = True
    ) -> list[Complaint]:
        """The complaints received in [``start``, ``end``) (open ends: no bound), in order of
        time received and id; ``kept``: only those the filter kept. None before the first
        ``complaints`` import."""
        have = _one(
            self._conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'complaints'"
        )
        if not have or not have[0]:
            return []
        names = [f.name for f in fields(Complaint)]
        rows = self._conn.execute(
            f"SELECT {', '.join(names)} FROM (SELECT * REPLACE "
            "(CAST(received_at AS TIMESTAMPTZ) AS received_at) FROM complaints) "
            "WHERE (? IS NULL OR received_at >= ?) AND (? IS NULL OR received_at < ?) "
            "AND (NOT ? OR status = 'kept') ORDER BY received_at, complaint_id",
            [start, start, end, end, kept],
        ).fetchall()
        return [Complaint(**dict(zip(names, r, strict=True))) for r in rows]

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """Every row of ``table`` in key order (for tests and exports)."""
        order = ", ".join(KEYS[table])
        return self._conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()


__all__ = [
    "ADDED_COLUMNS",
    "KEYS",
    "TABLES",
    "DuckDbWarehouse",
    "arrow_table",
    "columns",
    "ddl",
    "upgrade_tables",
]
