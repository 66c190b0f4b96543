"""``csv``: any CSV with one row per contact (or per visit), described by a mapping file.

The mapping file (YAML) names the CSV column of each field, how times are written and in which
zone, and optionally translates values and gives defaults::

    source: helpdesk                 # contact ids become helpdesk:<contact_id>
    time_format: "%d/%m/%Y %H:%M"    # strptime format, or iso (default) or epoch
    time_zone: Europe/Paris          # zone of times without a UTC offset (default UTC)
    delimiter: ";"                   # default: guessed from the header
    columns:                         # field: column
      contact_id: Ticket
      queue_id: Queue
      enqueued_at: Queued
      answered_at: Answered
      ended_at: Closed
    values:                          # optional: column value -> field value
      outcome: {ANS: answered, ABN: abandoned}
    defaults:                        # optional: a value for a field without a column
      channel: voice

Fields are the ``contact_facts`` columns (see :data:`FIELDS`). ``contact_id``, ``queue_id``
and ``enqueued_at`` are needed (``queue_id`` may come from ``defaults``; ``enqueued_at`` falls
back to ``arrived_at``). Durations are seconds or ``[H:]MM:SS``; flags are true/false, yes/no,
y/n or 1/0.

Each row is translated into domain events (:mod:`carecenter.ingest.csv_story` says which), and
the one fold (:mod:`carecenter.ingest.folding`) decides the facts: outcome, wait, talk, state.
``hold_s`` and ``acw_s`` are unknown (``None``) when the mapping names no column (nor default)
for them. With a ``visit`` field, rows are visits: a contact's visits are folded together in
visit order (numbered 1, 2... in that order), and a visit followed by another must end in a
transfer (an answered visit ``transferred_out``, or a flow-out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from itertools import pairwise
from pathlib import Path

from carecenter.domain.enums import Channel, Direction, VisitOutcome
from carecenter.domain.events import ContactEvent, ContactTransferred
from carecenter.ingest.common import FactSink, TextFile
from carecenter.ingest.csv_story import DURATIONS, TIMES, Visit, visit_of
from carecenter.ingest.folding import EventFolder
from carecenter.ingest.mapping_file import mapped_rows, read_document, time_parser
from carecenter.ingest.timezones import zone

FLAGS = ("transferred_in", "transferred_out", "callback_requested", "resolved")
TEXTS = ("contact_id", "queue_id", "channel", "direction", "customer_id", "tier", "topic")
FIELDS = (*TEXTS, "agent_id", "outcome", "visit", "offers", *TIMES, *DURATIONS, *FLAGS)
_CHOICES = {
    "outcome": {o.value for o in VisitOutcome},
    "channel": {c.value for c in Channel},
    "direction": {d.value for d in Direction},
}


@dataclass(frozen=True)
class CsvMapping:
    """A validated mapping file."""

    source: str
    columns: dict[str, str]
    time_format: str = "iso"
    time_zone: tzinfo | None = None
    delimiter: str | None = None
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)


def read_mapping(path: Path, time_zone: str | None = None) -> CsvMapping:
    """Read and check a mapping file; ``--tz`` (``time_zone``) overrides its zone."""
    doc = read_document(path)
    data, fail = doc.data, doc.fail
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise fail("a mapping of field: column is needed", "columns")
    for name in [*columns, *(data.get("defaults") or {}), *(data.get("values") or {})]:
        if name not in FIELDS:
            raise fail(f"unknown field {name!r}; fields are {', '.join(FIELDS)}", "columns")
    defaults = {str(k): str(v) for k, v in (data.get("defaults") or {}).items()}
    for needed in ("contact_id", "queue_id"):
        if needed not in columns and needed not in defaults:
            raise fail(f"no column for {needed}", "columns")
    if "enqueued_at" not in columns and "arrived_at" not in columns:
        raise fail("no column for enqueued_at (or arrived_at)", "columns")
    doc.check_settings(
        {"source", "time_format", "time_zone", "delimiter", "columns", "values", "defaults"}
    )
    zone_name = time_zone or data.get("time_zone")
    return CsvMapping(
        source=str(data.get("source") or "csv"),
        columns={str(k): str(v) for k, v in columns.items()},
        time_format=str(data.get("time_format") or "iso"),
        time_zone=zone(str(zone_name), field="time_zone") if zone_name else None,
        delimiter=data.get("delimiter"),
        values={
            str(k): {str(a): str(b) for a, b in v.items()}
            for k, v in (data.get("values") or {}).items()
        },
        defaults=defaults,
    )


class MappedCsv:
    """Translator of a per-contact CSV described by a :class:`CsvMapping` into domain events."""

    def __init__(self, mapping: CsvMapping) -> None:
        self.mapping = mapping
        self.source = mapping.source
        self._parse_time = time_parser(mapping.time_format, mapping.time_zone)
        named = {*mapping.columns, *mapping.defaults}
        self.unknown = tuple(n for n in ("hold_s", "acw_s") if n not in named)
        """Durations the mapping does not name: unknown (``None``) in the facts."""
        self.per_visit = "visit" in named
        self._visits: dict[str, dict[int, Visit]] = {}

    def read(self, file: TextFile, sink: FactSink) -> None:
        m = self.mapping
        out = EventFolder(sink, unknown=self.unknown)
        seen: set[tuple[str, int]] = set()
        for number, raw, text in mapped_rows(file, m.columns, m.delimiter, sink):
            try:
                visit = visit_of(self._values(raw), self.source, self._time)
                story = self._story(visit)
            except ValueError as exc:
                sink.quarantine(number, str(exc), text)
                continue
            key = (visit.arrival.contact_id, visit.number)
            if key in seen:
                sink.counts.unchanged += 1
            seen.add(key)
            out.contact(story)

    def finish(self, sink: FactSink) -> None:
        self._visits.clear()

    def _story(self, visit: Visit) -> list[ContactEvent]:
        """The contact's events: the row's visit, or with a ``visit`` field every visit of the
        contact read so far, in visit order."""
        if not self.per_visit:
            return [visit.arrival, *visit.events]
        cid = visit.arrival.contact_id
        visits = sorted({**self._visits.get(cid, {}), visit.number: visit}.items())
        for (number, earlier), (later, _) in pairwise(visits):
            if not isinstance(earlier.events[-1], ContactTransferred):
                raise ValueError(
                    f"visit: visit {number} of {cid} ends without a transfer, "
                    f"so there is no visit {later}"
                )
        self._visits.setdefault(cid, {})[visit.number] = visit
        story: list[ContactEvent] = [visits[0][1].arrival]
        for _, each in visits:
            story.extend(each.events)
        return story

    def _values(self, raw: Mapping[str, str]) -> dict[str, str]:
        values = dict(self.mapping.defaults)
        for name, text in raw.items():
            table = self.mapping.values.get(name)
            if table is not None and text in table:
                text = table[text]
            if text != "":
                values[name] = text
        for name, choices in _CHOICES.items():
            if name in values and values[name] not in choices:
                raise ValueError(f"{name}: {values[name]!r} is not one of {sorted(choices)}")
        if not values.get("contact_id"):
            raise ValueError("contact_id: empty")
        return values

    def _time(self, values: Mapping[str, str], name: str) -> datetime | None:
        text = values.get(name)
        if not text:
            return None
        try:
            return self._parse_time(text)
        except (ValueError, OverflowError):
            raise ValueError(
                f"{name}: not a time in format {self.mapping.time_format}: {text!r}"
            ) from None
