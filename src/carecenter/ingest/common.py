"""What every importer shares: the fact sink, the counts and a streaming reader.

Translators say what happened as domain events; :mod:`carecenter.ingest.folding` folds them
into the warehouse rows of :mod:`carecenter.domain.projection` (``contacts``,
``contact_facts``, ``agent_state_intervals``, ``survey_answers``) and hands those to a
:class:`FactSink`, as plain lists in the warehouse column order (timestamps as aware
``datetime`` values; the Asterisk SQL fold hands whole tables).

A malformed record never stops an import: the importer hands it to
:meth:`FactSink.quarantine` with its line and the reason, and goes on.
"""

from __future__ import annotations

import typing
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Protocol

from carecenter.domain.projection import AgentInterval, ContactRow, SurveyAnswerRow, VisitFact
from carecenter.domain.tickets import TicketEvent, TicketFact, TicketSpell
from carecenter.ingest.reading import (
    Progress,
    TextFile,
    csv_rows,
    json_records,
    parse_time,
)

Row = list[Any]


def from_epoch(seconds: float) -> datetime:
    """The UTC datetime of epoch seconds."""
    return datetime.fromtimestamp(seconds, UTC)


@dataclass
class FileCounts:
    """What one import of one file did."""

    source: str
    file: str
    records: int = 0
    """Records read (lines of a line format, objects of a JSON format)."""
    contacts_new: int = 0
    contacts_updated: int = 0
    unchanged: int = 0
    """Contacts the warehouse already held as they are (or further along: see the notes),
    plus records the source delivered more than once."""
    visits: int = 0
    """Visit rows written (new or changed)."""
    intervals: int = 0
    quarantined: int = 0
    unknown: int = 0
    """Records of a kind the importer does not know (kept in ``import_unknown``)."""
    ignored: int = 0
    """Well-formed records that carry no fact (e.g. phantom calls); see ``notes``."""
    undecoded: int = 0
    """Bytes that were not in the file's encoding (read in the fallback encoding, or
    replaced); a warning says so."""
    warnings: list[str] = field(default_factory=list)
    """Lines to show the user (e.g. bytes that were not in the file's encoding)."""
    notes: Counter[str] = field(default_factory=Counter)
    """Counts by detail: unknown event names, reasons for ignoring, quarantine reasons."""

    @property
    def contacts(self) -> int:
        """Contacts imported: new or changed."""
        return self.contacts_new + self.contacts_updated


EXTRA_TABLES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    "zendesk_ticket_metrics": (
        (
            ("contact_id", "VARCHAR"),
            ("status", "VARCHAR"),
            ("reopens", "BIGINT"),
            ("replies", "BIGINT"),
            ("first_reply_s", "DOUBLE"),
            ("first_reply_business_s", "DOUBLE"),
            ("first_resolution_s", "DOUBLE"),
            ("full_resolution_s", "DOUBLE"),
            ("full_resolution_business_s", "DOUBLE"),
            ("satisfaction", "VARCHAR"),
            ("satisfaction_score", "BIGINT"),
        ),
        ("contact_id",),
    ),
    "contact_versions": (
        (("contact_id", "VARCHAR"), ("updated_us", "BIGINT")),
        ("contact_id",),
    ),
    "complaints": (
        (
            ("complaint_id", "VARCHAR"),
            ("received_at", "VARCHAR"),
            ("product", "VARCHAR"),
            ("issue", "VARCHAR"),
            ("text", "VARCHAR"),
            ("customer_id", "VARCHAR"),
            ("contact_id", "VARCHAR"),
            ("queue_id", "VARCHAR"),
            ("channel", "VARCHAR"),
            ("source", "VARCHAR"),
            ("status", "VARCHAR"),
            ("reason", "VARCHAR"),
        ),
        ("complaint_id",),
    ),
}
"""Tables an importer writes besides the facts: name -> ((column, SQL type)...), key columns.
They are created in the warehouse when first written. ``contact_versions`` holds the source's
version of a contact's record (epoch microseconds, e.g. a Connect CTR's ``LastUpdateTimestamp``):
the warehouse keeps the facts of the latest version (see :mod:`carecenter.adapters.import_sink`).
``complaints`` holds the complaints of the ``complaints`` format, kept or set aside with the
reason (:mod:`carecenter.domain.complaints`); ``received_at`` is ISO 8601 text in UTC."""


class FactSink(Protocol):
    """Where importers put rows; batches them and writes them replacing rows with the same key."""

    counts: FileCounts

    def visit(self, row: Row) -> None:
        """A visit row (``contact_facts``); a later row with the same key replaces it."""
        ...

    def contact(self, row: Row) -> None:
        """A contact row (``contacts``)."""
        ...

    def interval(self, row: Row) -> None:
        """An agent-state interval row (``agent_state_intervals``)."""
        ...

    def answer(self, row: Row) -> None:
        """A survey answer row (``survey_answers``); a later row with the same key replaces it."""
        ...

    def table(self, table: str, data: Any) -> None:
        """Many rows of a warehouse ``table`` at once, in its column order: an Arrow table, or
        the name of a table (or view) of the :meth:`staging` connection."""
        ...

    def staging(self) -> Any:
        """A DuckDB connection where an importer may stage and fold records in temporary
        tables (the warehouse's own, so folded rows are written without leaving DuckDB)."""
        ...

    def record(self, table: str, row: dict[str, Any]) -> None:
        """A row of one of the :data:`EXTRA_TABLES`; a later row with the same key replaces it."""
        ...

    def quarantine(self, line: int, reason: str, raw: str) -> None:
        """A malformed record of the current file: never written as facts."""
        ...

    def ticket_history(self, ticket_ids: Sequence[str]) -> list[TicketEvent]:
        """The activities of these tickets that the warehouse already holds."""
        ...

    def tickets(
        self,
        facts: Sequence[TicketFact],
        spells: Sequence[TicketSpell],
        added: Sequence[TicketEvent],
    ) -> None:
        """Tickets folded again: their fact rows and open spells replace those stored, and
        ``added`` activities join the stored ones; counts each ticket new, updated or
        unchanged."""
        ...

    def unknown(self, line: int, kind: str, raw: str) -> None:
        """A well-formed record of a kind the importer does not know."""
        ...

    def flush(self) -> None:
        """Write what is buffered."""
        ...


class MemorySink:
    """:class:`FactSink` in memory (for tests and library users): rows keyed as in the warehouse."""

    def __init__(self) -> None:
        self.counts = FileCounts("", "")
        self.visits: dict[tuple[str, int], Row] = {}
        self.contacts: dict[str, Row] = {}
        self.intervals: dict[tuple[str, int], Row] = {}
        self.answers: dict[tuple[str, str], Row] = {}
        self.quarantined: list[tuple[str, int, str, str]] = []
        self.unknowns: list[tuple[str, int, str, str]] = []
        self.records: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
        self.ticket_activities: dict[str, set[TicketEvent]] = {}
        self.ticket_facts: dict[str, TicketFact] = {}
        self.ticket_spells: dict[str, list[TicketSpell]] = {}
        self._staging: Any = None

    def ticket_history(self, ticket_ids: Sequence[str]) -> list[TicketEvent]:
        return [e for t in ticket_ids for e in self.ticket_activities.get(t, ())]

    def tickets(
        self,
        facts: Sequence[TicketFact],
        spells: Sequence[TicketSpell],
        added: Sequence[TicketEvent],
    ) -> None:
        for e in added:
            self.ticket_activities.setdefault(e.ticket_id, set()).add(e)
        by_ticket: dict[str, list[TicketSpell]] = {}
        for spell in spells:
            by_ticket.setdefault(spell.ticket_id, []).append(spell)
        for fact in facts:
            old = self.ticket_facts.get(fact.ticket_id)
            if old == fact:
                self.counts.unchanged += 1
                continue
            self.counts.contacts_new += old is None
            self.counts.contacts_updated += old is not None
            self.ticket_facts[fact.ticket_id] = fact
            self.ticket_spells[fact.ticket_id] = by_ticket.get(fact.ticket_id, [])

    def record(self, table: str, row: dict[str, Any]) -> None:
        keys = EXTRA_TABLES[table][1]
        self.records.setdefault(table, {})[tuple(row[k] for k in keys)] = dict(row)

    def visit(self, row: Row) -> None:
        self.visits[(row[0], row[1])] = list(row)

    def contact(self, row: Row) -> None:
        self.contacts[row[0]] = list(row)

    def interval(self, row: Row) -> None:
        self.intervals[(row[0], row[1])] = list(row)

    def answer(self, row: Row) -> None:
        self.answers[(row[0], row[1])] = list(row)

    def staging(self) -> Any:
        if self._staging is None:
            import duckdb

            self._staging = duckdb.connect(":memory:")
            self._staging.execute("SET TimeZone = 'UTC'")
        return self._staging

    def table(self, table: str, data: Any) -> None:
        add = {"contacts": self.contact, "contact_facts": self.visit}[table]
        if isinstance(data, str):
            data = self.staging().sql(f"SELECT * FROM {data}").to_arrow_table()
        columns = data.column_names
        for values in data.to_pylist():
            add([values[c] for c in columns])

    def quarantine(self, line: int, reason: str, raw: str) -> None:
        self.counts.quarantined += 1
        self.counts.notes[f"quarantined: {reason.split(':')[0]}"] += 1
        self.quarantined.append((self.counts.file, line, reason, raw))

    def unknown(self, line: int, kind: str, raw: str) -> None:
        self.counts.unknown += 1
        self.counts.notes[f"unknown: {kind}"] += 1
        self.unknowns.append((self.counts.file, line, kind, raw))

    def flush(self) -> None:
        return None

    def visit_dicts(self) -> list[dict[str, Any]]:
        """Visit rows as dicts with datetimes, in key order."""
        return [_as_dict(VisitFact, self.visits[k]) for k in sorted(self.visits)]

    def contact_dicts(self) -> list[dict[str, Any]]:
        """Contact rows as dicts with datetimes, in key order."""
        return [_as_dict(ContactRow, self.contacts[k]) for k in sorted(self.contacts)]

    def interval_dicts(self) -> list[dict[str, Any]]:
        """Interval rows as dicts with datetimes, in key order."""
        return [_as_dict(AgentInterval, self.intervals[k]) for k in sorted(self.intervals)]

    def answer_dicts(self) -> list[dict[str, Any]]:
        """Survey answer rows as dicts with datetimes, in key order."""
        return [_as_dict(SurveyAnswerRow, self.answers[k]) for k in sorted(self.answers)]


def _as_dict(row_type: type[Any], row: Sequence[Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(row_type)
    out: dict[str, Any] = {}
    for f, value in zip(fields(row_type), row, strict=True):
        is_time = "datetime" in str(hints[f.name])
        if is_time and isinstance(value, int | float) and not isinstance(value, bool):
            value = from_epoch(value)
        out[f.name] = value
    return out


class Importer(Protocol):
    """One input format. An importer keeps state across the files of one run (a call that
    spans two rotated log files is joined) and writes what is still open in :meth:`finish`."""

    source: str
    """The namespace of the contact ids it writes (``<source>:<id>``)."""

    def read(self, file: TextFile, sink: FactSink) -> None:
        """Read one file, putting rows into ``sink``; malformed records go to quarantine."""
        ...

    def finish(self, sink: FactSink) -> None:
        """The last file was read: put the rows still open into ``sink``."""
        ...


def read_json_records(
    file: TextFile, sink: FactSink, handle: Callable[[int, Any, str], None]
) -> None:
    """Count each JSON record of ``file`` and pass it to ``handle(line, record, raw)``; a
    record that is not JSON, or that ``handle`` rejects with ``ValueError``, is quarantined."""
    for line, record, raw in json_records(file):
        sink.counts.records += 1
        try:
            if isinstance(record, ValueError):
                raise record
            handle(line, record, raw)
        except ValueError as exc:
            sink.quarantine(line, str(exc), raw)


__all__ = [
    "EXTRA_TABLES",
    "FactSink",
    "FileCounts",
    "Importer",
    "MemorySink",
    "Progress",
    "Row",
    "TextFile",
    "csv_rows",
    "json_records",
    "parse_time",
    "read_json_records",
]
