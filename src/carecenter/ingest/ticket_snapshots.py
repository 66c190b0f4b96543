"""``servicenow-incidents``: the snapshot layout of ticket systems, as in the public ServiceNow
incident event log ("Incident management process enriched event log", UCI repository).

Such a log has one row per *update* of an incident: the whole record as it stood after the
update (``number``, ``incident_state``, ``reopen_count``, ``sys_mod_count``, ``opened_at``,
``sys_updated_at``, ``assignment_group``, ``assigned_to``, ``resolved_at``, ``closed_at``...;
36 columns, ``?`` for empty). Times are written ``29/2/2016 01:16`` (day/month/year, no zone:
read in ``--tz``, else the workspace's time zone, else UTC). Each row becomes ticket
activities (:class:`~carecenter.domain.tickets.TicketEvent`, ticket id
``servicenow:<number>``):

* ``opened_at`` -> ``created`` (every row repeats it: one activity);
* the row's ``incident_state`` at its ``sys_updated_at``: ``New`` or ``Active`` ->
  ``assigned`` when ``assigned_to`` is set, else ``other``; ``Awaiting User Info``,
  ``Awaiting Problem``, ``Awaiting Vendor``, ``Awaiting Evidence`` -> ``waiting`` (every
  ``Awaiting`` state is on hold, not only the one waiting on the caller); ``Resolved`` ->
  ``resolved`` at ``resolved_at``; ``Closed`` -> ``closed`` at ``closed_at``; ``-100``
  (unknown) and any other value -> ``other`` (an unknown value is counted in the notes).
  The log is *enriched*: a row may carry the incident's final ``resolved_at`` or
  ``closed_at``, later than the update itself, so a resolution or closing is at that time only
  when it is not later than the row's ``sys_updated_at``, else at ``sys_updated_at`` (a row
  cannot show what had not yet happened); without the column's value, at ``sys_updated_at``;
* a row whose ``reopen_count`` is higher than the previous row's of that incident ->
  ``reopened`` at its ``sys_updated_at``.

The row's state activity carries the row's attributes: queue ``assignment_group`` (an
incident that never names one is in queue ``servicenow``), agent ``assigned_to``, priority
as written (``3 - Moderate``), topic ``category``, customer ``caller_id``, the source's SLA
verdict ``made_sla`` (``true``/``false``), and the channel from ``contact_type``: ``Phone``
and ``IVR`` -> ``voice``, ``Email`` -> ``email``, ``Self service`` (the portal's form) ->
``web_form``; ``Direct opening`` (opened by the service desk itself) names no channel, so
the ticket has the fold's default. The ``created`` and ``reopened`` activities carry no
attributes: a row's own state activity is the one telling what the row says, and an activity
built from several rows must be the same whichever file brings it.

**First response.** The log has no replies: no comment, e-mail or call to the caller is an
update of its own. The closest it has is an incident *taken in hand*: the first row in state
``Active`` with an ``assigned_to`` is read as ``replied`` (the first response), later ones as
``assigned``. This is pick-up time, not time to a first answer to the caller; it is what
ServiceNow's own response SLAs commonly stop on (the incident leaves ``New`` with someone on
it), and without it a response target set for these queues could never be met. An incident
that never is ``Active`` with an assignee has no first response.

**Files in any order.** Whether a row is the first ``Active`` one with an assignee, or the
first with a higher ``reopen_count``, depends on the incident's other rows, which may come in
another file, earlier or later. So each row stores only what it says alone (its state
activity, labelled ``update <sys_mod_count>: <state>``; the ``created`` activity; a
``reopened`` candidate at its ``sys_updated_at`` labelled ``reopen <reopen_count>``, the
earliest of the file for each count), and the ticket is folded from the whole stored set read
again (:func:`story`): the earliest candidate of each reopen count is the reopening, the
others are dropped, and the earliest ``Active`` activity with an assignee is the first
response. Files split anywhere, in any order, or read twice give the same facts (see
:func:`carecenter.ingest.ticket_events.fold_tickets`).

A row without ``number``, or with a time that is not one (or no ``sys_updated_at``), is
quarantined; reading goes on.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo

from carecenter.domain.enums import Channel
from carecenter.domain.tickets import TicketActivity, TicketEvent, TicketRules
from carecenter.errors import InputError
from carecenter.ingest.common import FactSink, TextFile, csv_rows
from carecenter.ingest.ticket_events import fold_tickets
from carecenter.ingest.timezones import zone

SOURCE = "servicenow"
NEEDED = ("number", "incident_state", "sys_updated_at")
"""Columns a file must have; any other column missing is read as ``?``."""
TIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")
WAITING_STATES = frozenset(
    {"Awaiting User Info", "Awaiting Problem", "Awaiting Vendor", "Awaiting Evidence"}
)
CHANNELS: dict[str, str | None] = {
    "Phone": Channel.VOICE.value,
    "IVR": Channel.VOICE.value,
    "Email": Channel.EMAIL.value,
    "Self service": Channel.WEB_FORM.value,
    "Direct opening": None,
}
_FLAGS = {"true": True, "false": False}
_CREATED = "opened"
_REOPEN = "reopen "


class ServiceNowIncidents:
    """Translator of the ServiceNow incident event log (one row per update of an incident)
    into ticket activities, folded incident by incident at the end of each file."""

    source = SOURCE

    def __init__(
        self,
        rules: TicketRules | None = None,
        time_zone: str | None = None,
        center_time_zone: str | None = None,
    ) -> None:
        self.rules = dataclasses.replace(rules or TicketRules(), default_queue=SOURCE)
        """The center's rules; an incident without an assignment group is in ``servicenow``."""
        self.zone: tzinfo = zone(time_zone or center_time_zone or "UTC")
        """Zone of the log's times: ``--tz``, else the workspace's, else UTC."""

    def read(self, file: TextFile, sink: FactSink) -> None:
        header, sep, rows = csv_rows(file)
        names = {h: i for i, h in enumerate(header)}
        missing = [c for c in NEEDED if c not in names]
        if missing and header:
            raise InputError(
                f"no column {missing[0]!r}: not a ServiceNow incident log "
                f"(the header has {', '.join(header[:8])}{'...' if len(header) > 8 else ''})",
                file=str(file.path),
                line=1,
            )
        events: dict[str, set[TicketEvent]] = defaultdict(set)
        reopens: dict[tuple[str, str], TicketEvent] = {}
        for number, row in rows:
            sink.counts.records += 1
            if len(row) < len(header):
                sink.quarantine(number, "fewer columns than the header", sep.join(row))
                continue
            values = {h: _value(row[i]) for h, i in names.items()}
            try:
                made = self._row(values, sink)
            except ValueError as exc:
                sink.quarantine(number, str(exc), sep.join(row))
                continue
            for event in made:
                if event.activity == TicketActivity.REOPENED:
                    key = (event.ticket_id, event.label)
                    if key not in reopens or event.occurred_at < reopens[key].occurred_at:
                        reopens[key] = event
                else:
                    events[event.ticket_id].add(event)
        for event in reopens.values():
            events[event.ticket_id].add(event)
        fold_tickets(events, self.rules, sink, story)

    def finish(self, sink: FactSink) -> None:
        return None

    def _time(self, values: dict[str, str | None], name: str) -> datetime | None:
        text = values.get(name)
        if text is None:
            return None
        for fmt in TIME_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
            except ValueError:
                continue
            return moment.replace(tzinfo=self.zone).astimezone(UTC)
        raise ValueError(f"{name}: not a time like 29/2/2016 01:16: {text!r}")

    def _row(self, values: dict[str, str | None], sink: FactSink) -> list[TicketEvent]:
        """The activities one row says alone (see the module docstring)."""
        number = values.get("number")
        if number is None:
            raise ValueError("number: empty")
        ticket = f"{SOURCE}:{number}"
        updated = self._time(values, "sys_updated_at")
        if updated is None:
            raise ValueError("sys_updated_at: empty")
        opened = self._time(values, "opened_at")
        state = values.get("incident_state") or "?"
        agent = values.get("assigned_to")
        at = updated
        if state in ("New", "Active"):
            kind = TicketActivity.ASSIGNED if agent else TicketActivity.OTHER
        elif state in WAITING_STATES:
            kind = TicketActivity.WAITING
        elif state in ("Resolved", "Closed"):
            kind = TicketActivity.RESOLVED if state == "Resolved" else TicketActivity.CLOSED
            ended = self._time(values, "resolved_at" if state == "Resolved" else "closed_at")
            at = updated if ended is None else min(ended, updated)
        else:
            kind = TicketActivity.OTHER
            if state != "-100":
                sink.counts.notes[f"incident_state {state!r}: not known, kept as other"] += 1
        contact = values.get("contact_type")
        if contact is not None and contact not in CHANNELS:
            sink.counts.notes[f"contact_type {contact!r}: not known, no channel"] += 1
        reopen_count = _count(values, "reopen_count")
        update = _count(values, "sys_mod_count")
        label = state if update is None else f"update {update:04d}: {state}"
        made: list[TicketEvent] = []
        if opened is not None:
            made.append(TicketEvent(ticket, opened, TicketActivity.CREATED, _CREATED))
        made.append(
            TicketEvent(
                ticket_id=ticket,
                occurred_at=at,
                activity=kind,
                label=label,
                agent_id=agent,
                queue_id=values.get("assignment_group"),
                priority=values.get("priority"),
                topic=values.get("category"),
                channel=CHANNELS.get(contact) if contact else None,
                customer_id=values.get("caller_id"),
                made_sla=_flag(values.get("made_sla")),
            )
        )
        if reopen_count:
            label = f"{_REOPEN}{reopen_count}"
            made.append(TicketEvent(ticket, updated, TicketActivity.REOPENED, label))
        return made


def story(events: Iterable[TicketEvent]) -> list[TicketEvent]:
    """The activities the fold reads of an incident, from all those stored of it: of the
    ``reopened`` candidates, the earliest of each reopen count; the earliest ``Active`` row
    with an assignee as ``replied`` (the first response)."""
    ordered = sorted(events, key=TicketEvent.sort_key)
    seen: set[str] = set()
    kept: list[TicketEvent] = []
    responded = False
    for e in ordered:
        if e.activity == TicketActivity.REOPENED and e.label.startswith(_REOPEN):
            if e.label in seen:
                continue
            seen.add(e.label)
        elif not responded and e.activity == TicketActivity.ASSIGNED and _state(e) == "Active":
            responded = True
            e = dataclasses.replace(e, activity=TicketActivity.REPLIED)
        kept.append(e)
    return kept


def _state(event: TicketEvent) -> str:
    """The ``incident_state`` of a state activity's label."""
    return event.label.split(": ", 1)[-1]


def _value(text: str) -> str | None:
    """A cell: ``None`` for ``?`` or nothing."""
    text = text.strip()
    return None if text in ("", "?") else text


def _count(values: dict[str, str | None], name: str) -> int | None:
    text = values.get(name)
    if text is None:
        return None
    try:
        count = int(text)
    except ValueError:
        raise ValueError(f"{name}: not a whole number: {text!r}") from None
    if count < 0:
        raise ValueError(f"{name}: negative: {text!r}")
    return count


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    flag = _FLAGS.get(text.lower())
    if flag is None:
        raise ValueError(f"made_sla: not true or false: {text!r}")
    return flag
