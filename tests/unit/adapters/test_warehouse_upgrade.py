"""A warehouse written before ``conversation_s`` and ``contacts.transferred_in`` existed: a
reader is told to upgrade; a writer adds the columns and fills them from what the rows say."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from carecenter.adapters.warehouse import TABLES, DuckDbWarehouse, columns, ddl
from carecenter.errors import WorkspaceError


def old_warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        for table in TABLES:
            cols = columns(TABLES[table])
            if table == "contact_facts":
                cols = [c for c in cols if c[0] != "conversation_s"]
            if table == "contacts":
                cols = [c for c in cols if c[0] != "transferred_in"]
            sql = ddl(table)
            keep = ", ".join(n for n, _ in cols)
            con.execute(sql)
            con.execute(f"CREATE TABLE _t AS SELECT {keep} FROM {table}")
            con.execute(f"DROP TABLE {table}")
            con.execute(f"ALTER TABLE _t RENAME TO {table}")
        con.execute("CREATE TABLE projector_checkpoint (seq BIGINT)")
        con.execute(
            "INSERT INTO contact_facts (contact_id, visit, queue_id, channel, direction, tier, "
            "enqueued_at, answered_at, ended_at, outcome, talk_s, hold_s, acw_s) VALUES "
            "('a', 1, 'q', 'voice', 'inbound', 'standard', TIMESTAMPTZ '2026-01-05 09:00:00+00', "
            "TIMESTAMPTZ '2026-01-05 09:00:10+00', TIMESTAMPTZ '2026-01-05 09:03:00+00', "
            "'answered', 150, 20, 10), "
            "('b', 1, 'q', 'voice', 'inbound', 'standard', TIMESTAMPTZ '2026-01-05 09:01:00+00', "
            "NULL, TIMESTAMPTZ '2026-01-05 09:01:30+00', 'abandoned', 0, 0, 0)"
        )
        con.execute("INSERT INTO contacts (contact_id) VALUES ('a'), ('b')")


def test_a_reader_is_told_to_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    old_warehouse(path)
    with pytest.raises(WorkspaceError, match=r"earlier version .*run `carecenter upgrade`"):
        DuckDbWarehouse(path, read_only=True)


def test_a_writer_adds_and_fills_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    old_warehouse(path)
    DuckDbWarehouse(path).close()
    reader = DuckDbWarehouse(path, read_only=True)
    try:
        rows = reader.connection.execute(
            "SELECT contact_id, conversation_s FROM contact_facts ORDER BY contact_id"
        ).fetchall()
        flags = reader.connection.execute("SELECT DISTINCT transferred_in FROM contacts").fetchall()
        described = [r[0] for r in reader.connection.execute("DESCRIBE contact_facts").fetchall()]
    finally:
        reader.close()
    assert rows == [("a", 170.0), ("b", None)]
    assert flags == [(False,)]
    assert described == [n for n, _ in columns(TABLES["contact_facts"])]
