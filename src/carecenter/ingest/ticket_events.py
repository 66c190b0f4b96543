"""``ticket-events``: a ticket system's event log (one row per activity: case, activity, time,
and optionally who, which queue, priority...), described by a mapping file.

Real helpdesk exports are often such logs. The mapping file (YAML) names the columns, says
which activity values mean what (:class:`~carecenter.domain.tickets.TicketActivity`) and how
times are written::

    source: helpdesk                    # ticket ids become helpdesk:<ticket_id>
    time_format: "%Y-%m-%d %H:%M:%S"    # iso (default), epoch or a strptime format
    time_zone: Europe/Rome              # zone of times without a UTC offset (default UTC)
    columns:                            # field: column
      ticket_id: CaseID
      activity: ActivityID
      occurred_at: CompleteTimestamp
      agent_id: Resource                # optional: agent_id, queue_id, priority, topic,
                                        # channel, customer_id, tier, made_sla
    activities:                         # kind: the activity values that mean it
      created: [1]
      assigned: [8]
      replied: [6]
      resolved: [3]
      closed: [9]
    defaults:                           # optional: a value for a field without a column
      queue_id: helpdesk
      channel: web_form

An activity value the mapping does not name is kept as ``other`` (counted in the summary's
notes): it changes no measure. The kinds are ``created``, ``assigned``, ``replied`` (an
agent's reply; the first is the first response), ``waiting`` (on the customer), ``resolved``,
``reopened``, ``closed`` and ``other``.

Each file's activities are added to those the warehouse holds of the same tickets, and each
ticket touched is folded again from all of them by the one ticket fold
(:func:`carecenter.domain.tickets.fold_ticket`) in time order: files may come in any order,
overlap or repeat, and a ticket's facts only move forward. A ticket is ``new``, ``updated``
(its fact row changed) or ``unchanged``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from carecenter.domain.enums import Channel
from carecenter.domain.tickets import TicketActivity, TicketEvent, TicketRules, fold_ticket
from carecenter.ingest.common import FactSink, TextFile
from carecenter.ingest.mapping_file import TIME_FORMATS, mapped_rows, read_document, time_parser
from carecenter.ingest.timezones import zone

FIELDS = (
    "ticket_id",
    "activity",
    "occurred_at",
    "agent_id",
    "queue_id",
    "priority",
    "topic",
    "channel",
    "customer_id",
    "tier",
    "made_sla",
)
NEEDED = ("ticket_id", "activity", "occurred_at")
SETTINGS = {"source", "time_format", "time_zone", "delimiter", "columns", "activities", "defaults"}
_CHANNELS = {c.value for c in Channel}
_TRUE, _FALSE = {"true", "yes", "y", "1", "t"}, {"false", "no", "n", "0", "f"}


@dataclass(frozen=True)
class TicketMapping:
    """A validated ticket-events mapping file."""

    source: str
    columns: dict[str, str]
    activities: dict[str, TicketActivity]
    """Source activity value -> what it means."""
    time_format: str = "iso"
    time_zone: tzinfo | None = None
    delimiter: str | None = None
    defaults: dict[str, str] = field(default_factory=dict)


def read_ticket_mapping(path: Path, time_zone: str | None = None) -> TicketMapping:
    """Read and check a ticket-events mapping file; ``--tz`` (``time_zone``) overrides its
    zone."""
    doc = read_document(path)
    data = doc.data
    doc.check_settings(SETTINGS)
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise doc.fail("a mapping of field: column is needed", "columns")
    defaults = {str(k): str(v) for k, v in (data.get("defaults") or {}).items()}
    for name in [*columns, *defaults]:
        if name not in FIELDS:
            raise doc.fail(f"unknown field {name!r}; fields are {', '.join(FIELDS)}", "columns")
    for needed in NEEDED:
        if needed not in columns:
            raise doc.fail(f"no column for {needed}", "columns")
    if defaults.get("channel", "email") not in _CHANNELS:
        raise doc.fail(f"channel: {defaults['channel']!r} is not a channel", "defaults")
    raw = data.get("activities")
    if not isinstance(raw, dict) or not raw:
        raise doc.fail("a mapping of kind: [activity values] is needed", "activities")
    activities: dict[str, TicketActivity] = {}
    kinds = ", ".join(k.value for k in TicketActivity)
    for kind, values in raw.items():
        try:
            meaning = TicketActivity(str(kind))
        except ValueError:
            raise doc.fail(f"unknown kind {kind!r}; kinds are {kinds}", "activities") from None
        for value in values if isinstance(values, list) else [values]:
            text = str(value).strip()
            if text in activities and activities[text] != meaning:
                raise doc.fail(
                    f"activity {text!r} means both {activities[text]} and {kind}", "activities"
                )
            activities[text] = meaning
    zone_name = time_zone or data.get("time_zone")
    return TicketMapping(
        source=str(data.get("source") or "tickets"),
        columns={str(k): str(v) for k, v in columns.items()},
        activities=activities,
        time_format=str(data.get("time_format") or "iso"),
        time_zone=zone(str(zone_name), field="time_zone") if zone_name else None,
        delimiter=data.get("delimiter"),
        defaults=defaults,
    )


class TicketEventLog:
    """Translator of a ticket event log described by a :class:`TicketMapping` into ticket
    activities, folded ticket by ticket at the end of each file."""

    def __init__(self, mapping: TicketMapping, rules: TicketRules | None = None) -> None:
        self.mapping = mapping
        self.source = mapping.source
        self.rules = rules or TicketRules(default_queue=mapping.source)
        self._parse_time: Callable[[str], datetime] = time_parser(
            mapping.time_format, mapping.time_zone
        )

    def read(self, file: TextFile, sink: FactSink) -> None:
        m = self.mapping
        events: dict[str, set[TicketEvent]] = defaultdict(set)
        for number, values, text in mapped_rows(file, m.columns, m.delimiter, sink):
            try:
                event = self._event(values, sink)
            except ValueError as exc:
                sink.quarantine(number, str(exc), text)
                continue
            events[event.ticket_id].add(event)
        fold_tickets(events, self.rules, sink)

    def finish(self, sink: FactSink) -> None:
        return None

    def _event(self, raw: dict[str, str], sink: FactSink) -> TicketEvent:
        values = dict(self.mapping.defaults)
        values.update({k: v for k, v in raw.items() if v != ""})
        ticket = values.get("ticket_id")
        if not ticket:
            raise ValueError("ticket_id: empty")
        label = values.get("activity", "")
        if not label:
            raise ValueError("activity: empty")
        meaning = self.mapping.activities.get(label)
        if meaning is None:
            sink.counts.notes[f"activity {label!r}: not in the mapping, kept as other"] += 1
            meaning = TicketActivity.OTHER
        text = values.get("occurred_at", "")
        if not text:
            raise ValueError("occurred_at: empty")
        try:
            at = self._parse_time(text)
        except (ValueError, OverflowError):
            raise ValueError(
                f"occurred_at: not a time in format {self.mapping.time_format}: {text!r} "
                f"(time formats: {TIME_FORMATS})"
            ) from None
        channel = values.get("channel")
        if channel is not None and channel not in _CHANNELS:
            raise ValueError(f"channel: {channel!r} is not one of {sorted(_CHANNELS)}")
        agent = values.get("agent_id")
        return TicketEvent(
            ticket_id=f"{self.source}:{ticket}",
            occurred_at=at.astimezone(UTC),
            activity=meaning,
            label=label,
            agent_id=agent or None,
            queue_id=values.get("queue_id"),
            priority=values.get("priority"),
            topic=values.get("topic"),
            channel=channel,
            customer_id=values.get("customer_id"),
            tier=values.get("tier"),
            made_sla=_flag(values.get("made_sla")),
        )


def fold_tickets(
    events: Mapping[str, set[TicketEvent]],
    rules: TicketRules,
    sink: FactSink,
    story: Callable[[set[TicketEvent]], Iterable[TicketEvent]] | None = None,
) -> None:
    """Fold every ticket of ``events`` (one file's activities by ticket id) again with what the
    warehouse holds of it, and hand the facts, spells and activities not yet stored to
    ``sink``. ``story`` (optional) turns a ticket's whole set of activities, stored and new,
    into the ones the fold reads (a format whose activities depend on each other); the
    activities stored are always those read."""
    if not events:
        return
    stored: dict[str, set[TicketEvent]] = defaultdict(set)
    for e in sink.ticket_history(sorted(events)):
        stored[e.ticket_id].add(e)
    told = story or (lambda whole: whole)
    folded = [fold_ticket(told(stored[t] | got), rules) for t, got in events.items()]
    fresh = [e for t, got in events.items() for e in got - stored[t]]
    sink.tickets(
        [fact for fact, _ in folded],
        [spell for _, spells in folded for spell in spells],
        sorted(fresh, key=lambda e: (e.ticket_id, *e.sort_key())),
    )


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"made_sla: not true or false: {text!r}")
