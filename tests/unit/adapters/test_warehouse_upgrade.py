"""Warehouses written by earlier versions keep working.

Two earlier schemas, written here with their own DDL: the first release (before
``contact_facts.conversation_s`` and ``contacts.transferred_in``) and the one before the contact
engine (no ``promises`` table; no ``relaxation_step``, ``ewt_s``, ``ewt_predictor``,
``transfer_kind``, ``transfer_reason`` in ``contact_facts``). A reader sees the added columns
(filled as a writer would fill them) and no promises, without changing the file; a writer adds
the columns and the table.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
from tests.helpers import T0
from tests.unit.metrics.builders import MemoryCache, dims

from carecenter.adapters.memory import InMemoryEventLog
from carecenter.adapters.warehouse import TABLES, DuckDbWarehouse, columns
from carecenter.domain.enums import PromiseKind
from carecenter.domain.events import PromiseKept, PromiseMade
from carecenter.metrics import compiled
from carecenter.metrics.engine import ReportSpec
from carecenter.services.projector import project

BEFORE_ENGINE_DDL = [
    "CREATE TABLE contacts (contact_id VARCHAR, channel VARCHAR, direction VARCHAR, "
    "customer_id VARCHAR, tier VARCHAR, topic VARCHAR, parent_contact_id VARCHAR, "
    "arrived_at TIMESTAMPTZ, ended_at TIMESTAMPTZ, state VARCHAR, visits BIGINT, "
    "resolved BOOLEAN, last_seq BIGINT, transferred_in BOOLEAN)",
    "CREATE TABLE contact_facts (contact_id VARCHAR, visit BIGINT, queue_id VARCHAR, "
    "channel VARCHAR, direction VARCHAR, customer_id VARCHAR, tier VARCHAR, topic VARCHAR, "
    "arrived_at TIMESTAMPTZ, enqueued_at TIMESTAMPTZ, agent_id VARCHAR, offered_at TIMESTAMPTZ, "
    "answered_at TIMESTAMPTZ, abandoned_at TIMESTAMPTZ, ended_at TIMESTAMPTZ, wait_s DOUBLE, "
    "talk_s DOUBLE, hold_s DOUBLE, acw_s DOUBLE, offers BIGINT, outcome VARCHAR, "
    "transferred_in BOOLEAN, transferred_out BOOLEAN, callback_requested BOOLEAN, "
    "resolved BOOLEAN, state VARCHAR, hold_started_at TIMESTAMPTZ, talk_ended_at TIMESTAMPTZ, "
    "last_seq BIGINT, conversation_s DOUBLE)",
    "CREATE TABLE agent_state_intervals (agent_id VARCHAR, start_seq BIGINT, state VARCHAR, "
    "start_at TIMESTAMPTZ, reason VARCHAR, end_at TIMESTAMPTZ, duration_s DOUBLE)",
    "CREATE TABLE survey_answers (survey_id VARCHAR, question VARCHAR, score BIGINT, "
    "scale_max BIGINT, answered_at TIMESTAMPTZ, contact_id VARCHAR, customer_id VARCHAR, "
    "last_seq BIGINT)",
    "CREATE TABLE projector_checkpoint (seq BIGINT)",
]
"""The warehouse as written before the contact engine (no tickets either: a workspace that
never imported any)."""

ROWS = [
    "INSERT INTO contact_facts (contact_id, visit, queue_id, channel, direction, tier, "
    "enqueued_at, answered_at, ended_at, outcome, talk_s, hold_s, acw_s, transferred_out) VALUES "
    "('a', 1, 'q', 'voice', 'inbound', 'standard', TIMESTAMPTZ '2026-01-05 09:00:00+00', "
    "TIMESTAMPTZ '2026-01-05 09:00:10+00', TIMESTAMPTZ '2026-01-05 09:03:00+00', "
    "'answered', 150, 20, 10, true), "
    "('b', 1, 'q', 'voice', 'inbound', 'standard', TIMESTAMPTZ '2026-01-05 09:01:00+00', "
    "NULL, TIMESTAMPTZ '2026-01-05 09:01:30+00', 'abandoned', 0, 0, 0, false)",
    "INSERT INTO contacts (contact_id) VALUES ('a'), ('b')",
]


def before_engine(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        for sql in BEFORE_ENGINE_DDL:
            con.execute(sql)
        for sql in ROWS:
            con.execute(sql)
        con.execute("UPDATE contact_facts SET conversation_s = 170 WHERE contact_id = 'a'")


def first_release(path: Path) -> None:
    """Before ``conversation_s`` and ``contacts.transferred_in``."""
    with duckdb.connect(str(path)) as con:
        for sql in BEFORE_ENGINE_DDL:
            con.execute(
                sql.replace(", conversation_s DOUBLE", "").replace(", transferred_in BOOLEAN)", ")")
            )
        for sql in ROWS:
            con.execute(sql)


def file_columns(path: Path, table: str) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def test_a_reader_sees_the_added_columns_and_the_file_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    first_release(path)
    before = file_columns(path, "contact_facts")
    reader = DuckDbWarehouse(path, read_only=True)
    try:
        rows = reader.connection.execute(
            "SELECT contact_id, conversation_s, ewt_s, relaxation_step, transfer_kind "
            "FROM contact_facts ORDER BY contact_id"
        ).fetchall()
        flags = reader.connection.execute("SELECT DISTINCT transferred_in FROM contacts").fetchall()
        described = [r[0] for r in reader.connection.execute("DESCRIBE contact_facts").fetchall()]
        assert reader.counts().contact_facts == 2 and reader.counts().promises == 0
        assert reader.promise_rows() == []
    finally:
        reader.close()
    assert rows == [("a", 170.0, None, None, None), ("b", None, None, None, None)]
    assert flags == [(False,)]
    assert described == [n for n, _ in columns(TABLES["contact_facts"])]
    assert file_columns(path, "contact_facts") == before


def test_a_writer_adds_and_fills_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    first_release(path)
    DuckDbWarehouse(path).close()
    assert file_columns(path, "contact_facts") == [n for n, _ in columns(TABLES["contact_facts"])]
    reader = DuckDbWarehouse(path, read_only=True)
    try:
        rows = reader.connection.execute(
            "SELECT contact_id, conversation_s FROM contact_facts ORDER BY contact_id"
        ).fetchall()
        flags = reader.connection.execute("SELECT DISTINCT transferred_in FROM contacts").fetchall()
    finally:
        reader.close()
    assert rows == [("a", 170.0), ("b", None)]
    assert flags == [(False,)]


def promise_events() -> list[PromiseMade | PromiseKept]:
    return [
        PromiseMade(
            occurred_at=T0,
            promise_id="p1",
            customer_id="k1",
            contact_id="a",
            kind=PromiseKind.CALLBACK,
            due_at=T0 + timedelta(hours=1),
            queue_id="q",
        ),
        PromiseKept(occurred_at=T0 + timedelta(minutes=20), promise_id="p1", agent_id="a1"),
    ]


def test_a_warehouse_from_before_the_engine_reads_then_takes_promises(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    before_engine(path)
    reader = DuckDbWarehouse(path, read_only=True)
    try:
        assert reader.promise_rows() == [] and reader.counts().promises == 0
        kinds = reader.connection.execute(
            "SELECT contact_id, conversation_s, transfer_kind FROM contact_facts ORDER BY 1"
        ).fetchall()
        (day,) = compiled.run(reader, ReportSpec("all"), dims(), "UTC", MemoryCache()).rows
    finally:
        reader.close()
    assert kinds == [("a", 170.0, None), ("b", None, None)]
    # the report reads the old file: no estimates, no escalations, no promises table
    assert (day["answered"], day["transferred"], day["escalated"], day["ewt_answered"]) == (
        1,
        1,
        0,
        0,
    )
    assert (day["ewt_mae_s"], day["promises_made"], day["promise_kept_rate"]) == (None, None, None)
    writer = DuckDbWarehouse(path)
    try:
        log = InMemoryEventLog()
        log.append(promise_events())
        assert project(log, writer, batch_size=1).events == 2
        (row,) = writer.promise_rows()
        assert (row.promise_id, row.status, row.kept_by_agent_id) == ("p1", "kept", "a1")
        assert writer.counts().promises == 1
        assert writer.rows("contact_facts")[0][-5:] == (None, None, None, None, None)
    finally:
        writer.close()
    assert file_columns(path, "contact_facts") == [n for n, _ in columns(TABLES["contact_facts"])]
    assert file_columns(path, "promises") == [n for n, _ in columns(TABLES["promises"])]


def test_wrap_up_codes_notes_and_comments_are_added_and_the_rows_kept(tmp_path: Path) -> None:
    """A warehouse from before ``contacts.disposition``, ``contacts.note`` and
    ``survey_answers.comment``: a reader sees them empty (file unchanged), a writer adds them
    at the end of the tables and keeps every row."""
    path = tmp_path / "warehouse.duckdb"
    before_engine(path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "INSERT INTO survey_answers VALUES "
            "('s1', 'csat', 2, 5, TIMESTAMPTZ '2026-01-05 10:00:00+00', 'a', NULL, 7)"
        )
    old = {t: file_columns(path, t) for t in ("contacts", "survey_answers")}
    assert "disposition" not in old["contacts"] and "comment" not in old["survey_answers"]
    reader = DuckDbWarehouse(path, read_only=True)
    try:
        seen = reader.connection.execute(
            "SELECT contact_id, disposition, note FROM contacts ORDER BY 1"
        ).fetchall()
        comments = reader.connection.execute("SELECT comment FROM survey_answers").fetchall()
        assert reader.disposed_contacts(("complaint",), None, None) == []
        assert reader.commented_answers(None, None) == []
    finally:
        reader.close()
    assert seen == [("a", None, None), ("b", None, None)] and comments == [(None,)]
    assert {t: file_columns(path, t) for t in old} == old
    DuckDbWarehouse(path).close()
    assert file_columns(path, "contacts") == [*old["contacts"], "disposition", "note"]
    assert file_columns(path, "survey_answers") == [*old["survey_answers"], "comment"]
    writer = DuckDbWarehouse(path)
    try:
        assert writer.rows("contacts") == [("a", *[None] * 15), ("b", *[None] * 15)]
        (answer,) = writer.rows("survey_answers")
        assert answer[:4] + answer[5:] == ("s1", "csat", 2, 5, "a", None, 7, None)
    finally:
        writer.close()
