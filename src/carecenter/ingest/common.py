"""What every importer shares: row templates, the fact sink, the counts and a streaming reader.

Importers turn records of another system into warehouse rows (see
:mod:`carecenter.domain.projection`): visits (``contact_facts``), contacts (``contacts``) and
agent-state intervals (``agent_state_intervals``), and survey answers (``survey_answers``). For
speed the rows travel as plain lists in the warehouse column order; timestamps in them are either
aware ``datetime`` values or epoch seconds (``float``), and the writer turns both into
``TIMESTAMPTZ``.

A malformed record never stops an import: the importer hands it to
:meth:`FactSink.quarantine` with its line and the reason, and goes on.
"""

from __future__ import annotations

import typing
from collections import Counter
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Protocol

from carecenter.domain.enums import ContactState, VisitOutcome
from carecenter.domain.projection import AgentInterval, ContactRow, SurveyAnswerRow, VisitFact
from carecenter.ingest.reading import (
    Progress,
    TextFile,
    csv_rows,
    json_records,
    parse_time,
    seconds_between,
)

Row = list[Any]


def _names(row_type: type[Any]) -> list[str]:
    return [f.name for f in fields(row_type)]


def _template(row_type: type[Any]) -> Row:
    out: Row = []
    for f in fields(row_type):
        if f.default is not MISSING:
            out.append(f.default)
        elif f.default_factory is not MISSING:
            out.append(f.default_factory())
        else:
            out.append(None)
    return out


VISIT_COLUMNS = _names(VisitFact)
CONTACT_COLUMNS = _names(ContactRow)
INTERVAL_COLUMNS = _names(AgentInterval)
VISIT_TEMPLATE = _template(VisitFact)
CONTACT_TEMPLATE = _template(ContactRow)


class V:
    """Index of each ``contact_facts`` column in a visit row."""

    CONTACT_ID = VISIT_COLUMNS.index("contact_id")
    VISIT = VISIT_COLUMNS.index("visit")
    QUEUE_ID = VISIT_COLUMNS.index("queue_id")
    CHANNEL = VISIT_COLUMNS.index("channel")
    DIRECTION = VISIT_COLUMNS.index("direction")
    CUSTOMER_ID = VISIT_COLUMNS.index("customer_id")
    TIER = VISIT_COLUMNS.index("tier")
    TOPIC = VISIT_COLUMNS.index("topic")
    ARRIVED_AT = VISIT_COLUMNS.index("arrived_at")
    ENQUEUED_AT = VISIT_COLUMNS.index("enqueued_at")
    AGENT_ID = VISIT_COLUMNS.index("agent_id")
    OFFERED_AT = VISIT_COLUMNS.index("offered_at")
    ANSWERED_AT = VISIT_COLUMNS.index("answered_at")
    ABANDONED_AT = VISIT_COLUMNS.index("abandoned_at")
    ENDED_AT = VISIT_COLUMNS.index("ended_at")
    WAIT_S = VISIT_COLUMNS.index("wait_s")
    TALK_S = VISIT_COLUMNS.index("talk_s")
    HOLD_S = VISIT_COLUMNS.index("hold_s")
    ACW_S = VISIT_COLUMNS.index("acw_s")
    OFFERS = VISIT_COLUMNS.index("offers")
    OUTCOME = VISIT_COLUMNS.index("outcome")
    TRANSFERRED_IN = VISIT_COLUMNS.index("transferred_in")
    TRANSFERRED_OUT = VISIT_COLUMNS.index("transferred_out")
    CALLBACK_REQUESTED = VISIT_COLUMNS.index("callback_requested")
    RESOLVED = VISIT_COLUMNS.index("resolved")
    STATE = VISIT_COLUMNS.index("state")


class C:
    """Index of each ``contacts`` column in a contact row."""

    CONTACT_ID = CONTACT_COLUMNS.index("contact_id")
    CHANNEL = CONTACT_COLUMNS.index("channel")
    DIRECTION = CONTACT_COLUMNS.index("direction")
    CUSTOMER_ID = CONTACT_COLUMNS.index("customer_id")
    TIER = CONTACT_COLUMNS.index("tier")
    TOPIC = CONTACT_COLUMNS.index("topic")
    PARENT_CONTACT_ID = CONTACT_COLUMNS.index("parent_contact_id")
    ARRIVED_AT = CONTACT_COLUMNS.index("arrived_at")
    ENDED_AT = CONTACT_COLUMNS.index("ended_at")
    STATE = CONTACT_COLUMNS.index("state")
    VISITS = CONTACT_COLUMNS.index("visits")
    RESOLVED = CONTACT_COLUMNS.index("resolved")


STATE_OF_OUTCOME = {
    VisitOutcome.OPEN.value: ContactState.QUEUED.value,
    VisitOutcome.ANSWERED.value: ContactState.ENDED.value,
    VisitOutcome.ABANDONED.value: ContactState.ABANDONED.value,
    VisitOutcome.CALLBACK.value: ContactState.CALLBACK_REQUESTED.value,
    VisitOutcome.FLOWED_OUT.value: ContactState.TRANSFERRED.value,
    VisitOutcome.EXITED.value: ContactState.ENDED.value,
}
"""The state a visit (and its contact) is left in when the visit ends with an outcome."""


def visit_row(contact_id: str, visit: int, queue_id: str, enqueued_at: Any, **values: Any) -> Row:
    """A new visit row; ``values`` are other ``contact_facts`` columns by name."""
    row = VISIT_TEMPLATE.copy()
    row[V.CONTACT_ID], row[V.VISIT], row[V.QUEUE_ID] = contact_id, visit, queue_id
    row[V.ENQUEUED_AT] = enqueued_at
    for name, value in values.items():
        row[VISIT_COLUMNS.index(name)] = value
    return row


def contact_row(contact_id: str, **values: Any) -> Row:
    """A new contact row; ``values`` are other ``contacts`` columns by name."""
    row = CONTACT_TEMPLATE.copy()
    row[C.CONTACT_ID] = contact_id
    for name, value in values.items():
        row[CONTACT_COLUMNS.index(name)] = value
    return row


def interval_row(
    agent_id: str, state: str, start_at: float, reason: str | None, end_at: float | None
) -> Row:
    """An agent-state interval row; times are epoch seconds. The key ``start_seq`` of an
    imported interval is its start in epoch microseconds, so a re-import replaces it."""
    duration = None if end_at is None else end_at - start_at
    return [agent_id, round(start_at * 1e6), state, start_at, reason, end_at, duration]


def answer_row(
    survey_id: str,
    question: str,
    score: int,
    scale_max: int,
    answered_at: Any,
    contact_id: str | None = None,
    customer_id: str | None = None,
) -> Row:
    """A ``survey_answers`` row (keyed by survey id and question; ``last_seq`` 0: imported)."""
    return [survey_id, question, score, scale_max, answered_at, contact_id, customer_id, 0]


def epoch(value: datetime) -> float:
    """Epoch seconds of an aware datetime."""
    return value.timestamp()


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
    duplicates: int = 0
    """Contacts skipped because the warehouse already held them unchanged, plus records
    the source delivered more than once."""
    visits: int = 0
    """Visit rows written (new or changed)."""
    intervals: int = 0
    quarantined: int = 0
    unknown: int = 0
    """Records of a kind the importer does not know (kept in ``import_unknown``)."""
    ignored: int = 0
    """Well-formed records that carry no fact (e.g. phantom calls); see ``notes``."""
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
}
"""Tables an importer writes besides the facts: name -> ((column, SQL type)...), key columns.
They are created in the warehouse when first written."""


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
        self._staging: Any = None

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


__all__ = [
    "EXTRA_TABLES",
    "C",
    "FactSink",
    "FileCounts",
    "Importer",
    "MemorySink",
    "Progress",
    "Row",
    "TextFile",
    "V",
    "answer_row",
    "contact_row",
    "csv_rows",
    "interval_row",
    "json_records",
    "parse_time",
    "seconds_between",
    "visit_row",
]
