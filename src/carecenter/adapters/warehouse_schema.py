"""The warehouse tables: their columns (from the row classes of
:mod:`carecenter.domain.projection`), keys, DDL and Arrow batches. Shared by the warehouse
(:mod:`.warehouse`) and the import sink (:mod:`.import_sink`)."""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

import pyarrow as pa

from carecenter.domain.projection import (
    AgentInterval,
    ContactRow,
    SurveyAnswerRow,
    VisitFact,
    row_values,
)
from carecenter.domain.promise_facts import PromiseRow
from carecenter.domain.tickets import TicketEvent, TicketFact, TicketSpell

SQL_TYPES = {
    str: "VARCHAR",
    int: "BIGINT",
    float: "DOUBLE",
    bool: "BOOLEAN",
    datetime: "TIMESTAMPTZ",
}
ARROW_TYPES = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    datetime: pa.timestamp("us", tz="UTC"),
}

TABLES: dict[str, type[Any]] = {
    "contacts": ContactRow,
    "contact_facts": VisitFact,
    "agent_state_intervals": AgentInterval,
    "survey_answers": SurveyAnswerRow,
    "promises": PromiseRow,
    "ticket_activities": TicketEvent,
    "ticket_facts": TicketFact,
    "ticket_spells": TicketSpell,
}
KEYS = {
    "contacts": ("contact_id",),
    "contact_facts": ("contact_id", "visit"),
    "agent_state_intervals": ("agent_id", "start_seq"),
    "survey_answers": ("survey_id", "question"),
    "promises": ("promise_id",),
    "ticket_activities": ("ticket_id", "occurred_at", "activity", "label", "agent_id"),
    "ticket_facts": ("ticket_id",),
    "ticket_spells": ("ticket_id", "spell"),
}
OPTIONAL = ("promises", "ticket_activities", "ticket_facts", "ticket_spells")
"""Tables a warehouse written before them may lack: a reader sees no promises or tickets there
(a writer creates them)."""


def _base_type(hint: Any) -> type[Any]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if isinstance(hint, type) and issubclass(hint, str):
        return str  # a string enum is stored as its value
    return typing.cast(type[Any], hint)


_COLUMNS: dict[type[Any], tuple[tuple[str, type[Any]], ...]] = {}


def columns(row_type: type[Any]) -> list[tuple[str, type[Any]]]:
    """(column name, python type) of a row class, in field order (worked out once a class:
    reading type hints is slow)."""
    found = _COLUMNS.get(row_type)
    if found is None:
        hints = typing.get_type_hints(row_type)
        found = tuple((f.name, _base_type(hints[f.name])) for f in fields(row_type))
        _COLUMNS[row_type] = found
    return list(found)


def ddl(table: str) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for one warehouse table."""
    cols = ", ".join(f"{n} {SQL_TYPES[tp]}" for n, tp in columns(TABLES[table]))
    return f"CREATE TABLE IF NOT EXISTS {table} ({cols})"


def arrow_table(row_type: type[Any], rows: Sequence[Any]) -> pa.Table:
    """Rows of a row class as an Arrow table with the warehouse column types."""
    return arrow_columns(row_type, [row_values(r) for r in rows])


def arrow_columns(row_type: type[Any], rows: Sequence[Sequence[Any]]) -> pa.Table:
    """Rows of a row class given as their values in column order (times as datetimes or
    epoch seconds) as an Arrow table with the warehouse column types."""
    cols = columns(row_type)
    values = list(zip(*rows, strict=True)) if rows else [()] * len(cols)
    arrays = [
        _time_array(v) if tp is datetime else pa.array(v, type=ARROW_TYPES[tp])
        for (_, tp), v in zip(cols, values, strict=True)
    ]
    return pa.Table.from_arrays(arrays, names=[n for n, _ in cols])


def _time_array(values: Sequence[Any]) -> pa.Array:
    """Datetimes (aware or UTC) or epoch seconds as the warehouse's UTC timestamps."""
    import pyarrow.compute as pc

    utc = ARROW_TYPES[datetime]
    sample = next((v for v in values if v is not None), None)
    if sample is None or isinstance(sample, datetime):
        # Converting to a zoned type calls utcoffset() on every value (several times slower);
        # aware datetimes convert to UTC either way.
        return pa.array(values, type=pa.timestamp("us")).cast(utc)
    micros = pc.round(pc.multiply(pa.array(values, type=pa.float64()), 1e6))
    return pc.cast(micros, pa.int64()).cast(utc)
