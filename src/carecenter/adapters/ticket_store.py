"""Tickets in the DuckDB warehouse: the activities held of some tickets, and writing tickets
folded again (``ticket_activities``, ``ticket_facts``, ``ticket_spells``).

Used by the import sink inside a file's transaction (:mod:`.import_sink`): activities only
accumulate (one row per ticket, time, kind and label); a ticket's fact row and spells are
replaced as a whole when its fact row changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

import duckdb
import pyarrow as pa

from carecenter.adapters.warehouse_schema import arrow_table
from carecenter.domain.projection import row_values
from carecenter.domain.tickets import (
    TicketActivity,
    TicketEvent,
    TicketFact,
    TicketSpell,
)

_EVENT_FIELDS = tuple(f.name for f in fields(TicketEvent))
_FACT_FIELDS = tuple(f.name for f in fields(TicketFact))


def _with_ids(conn: duckdb.DuckDBPyConnection, ticket_ids: Sequence[str]) -> None:
    conn.register("_ticket_ids", pa.table({"ticket_id": pa.array(ticket_ids, pa.string())}))


def history(conn: duckdb.DuckDBPyConnection, ticket_ids: Sequence[str]) -> list[TicketEvent]:
    """The stored activities of ``ticket_ids``."""
    _with_ids(conn, ticket_ids)
    try:
        rows = conn.execute(
            f"SELECT {', '.join(f'a.{n}' for n in _EVENT_FIELDS)} FROM ticket_activities a "
            "JOIN _ticket_ids USING (ticket_id)"
        ).fetchall()
    finally:
        conn.unregister("_ticket_ids")
    out = []
    for row in rows:
        values = dict(zip(_EVENT_FIELDS, row, strict=True))
        values["activity"] = TicketActivity(values["activity"])
        out.append(TicketEvent(**values))
    return out


def _stored_facts(
    conn: duckdb.DuckDBPyConnection, ticket_ids: Sequence[str]
) -> dict[str, tuple[object, ...]]:
    _with_ids(conn, ticket_ids)
    try:
        rows = conn.execute(
            f"SELECT {', '.join(f'f.{n}' for n in _FACT_FIELDS)} FROM ticket_facts f "
            "JOIN _ticket_ids USING (ticket_id)"
        ).fetchall()
    finally:
        conn.unregister("_ticket_ids")
    return {str(r[0]): tuple(r) for r in rows}


def write(
    conn: duckdb.DuckDBPyConnection,
    facts: Sequence[TicketFact],
    spells: Sequence[TicketSpell],
    added: Sequence[TicketEvent],
) -> tuple[int, int, int]:
    """Write tickets folded again; (new, updated, unchanged) tickets."""
    if added:
        conn.register("_ticket_added", arrow_table(TicketEvent, added))
        try:
            # an activity is new unless one with every value the same is stored (two agents'
            # replies in the same second are two activities, as the fold sees them)
            match = " AND ".join(f"a.{k} IS NOT DISTINCT FROM b.{k}" for k in _EVENT_FIELDS)
            conn.execute(
                "INSERT INTO ticket_activities SELECT * FROM _ticket_added b WHERE NOT EXISTS "
                f"(SELECT 1 FROM ticket_activities a WHERE {match})"
            )
        finally:
            conn.unregister("_ticket_added")
    stored = _stored_facts(conn, [f.ticket_id for f in facts])
    changed = [f for f in facts if stored.get(f.ticket_id) != row_values(f)]
    new = sum(f.ticket_id not in stored for f in changed)
    if changed:
        ids = [f.ticket_id for f in changed]
        _with_ids(conn, ids)
        try:
            for table in ("ticket_facts", "ticket_spells"):
                conn.execute(
                    f"DELETE FROM {table} WHERE ticket_id IN (SELECT ticket_id FROM _ticket_ids)"
                )
        finally:
            conn.unregister("_ticket_ids")
        keep = set(ids)
        for table, rows in (
            ("ticket_facts", changed),
            ("ticket_spells", [s for s in spells if s.ticket_id in keep]),
        ):
            if rows:
                kind = TicketFact if table == "ticket_facts" else TicketSpell
                conn.register("_ticket_rows", arrow_table(kind, rows))
                try:
                    conn.execute(f"INSERT INTO {table} SELECT * FROM _ticket_rows")
                finally:
                    conn.unregister("_ticket_rows")
    return new, len(changed) - new, len(facts) - len(changed)
