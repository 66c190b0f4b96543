"""``twilio-taskrouter``: TaskRouter events (JSON lines or arrays) as the Events API returns
them (``event_type``, ``event_date``, ``event_data``) or as Event Streams delivers them
(CloudEvents: ``type`` ``com.twilio.taskrouter.*``, ``time``, ``data.payload``), translated
into domain events.

Each task is a contact ``twilio:<task_sid>``; its events are folded by the one fold
(:mod:`carecenter.ingest.folding`) as a stream, so a task may span files. The translator keeps
each task as a :class:`~carecenter.domain.contact.Contact` and tells only what its life cycle
allows: an event that does not fit the task's state (a wrap-up of a task nobody answered, a
reservation ending after the task was cancelled) is counted in the notes and tells nothing.

=========================  ===============================================================
event                      domain events
=========================  ===============================================================
task.created               ``contact.arrived`` (also at a task's first event when its
                           creation was not seen); channel from
                           ``task_channel_unique_name``; customer = the task attribute
                           ``customer``, ``from`` or ``caller``; a task whose attribute
                           ``transferMeta.originalTask`` names another task is the next leg
                           of that one's transfer (``parent_contact_id``, transferred in)
task-queue.entered         ``contact.queued`` in ``task_queue_name`` (a new visit); from a
                           visit still in progress, ``contact.transferred`` first
reservation.created        ``contact.offered`` to ``worker_name``
reservation.rejected       ``contact.offer_rejected`` (declined); ``.timeout``,
                           ``.canceled``, ``.rescinded``: the same with reason no_answer
reservation.accepted       ``contact.answered`` by ``worker_name`` (offered first when the
                           reservation's creation was not seen)
task.wrapup                ``contact.wrap_up_started``: the conversation ends
task.completed             ``contact.ended``; a wrap-up until then is after-call work
task.canceled / deleted    ``contact.abandoned`` while waiting, else ``contact.ended``
task-queue.timeout, .moved ``contact.transferred`` out of a visit still waiting (flow-out)
task.transfer-initiated    ``contact.transferred`` (by the answering agent; a flow-out when
                           not answered)
worker.activity.update     ``agent.state_changed``: ``Offline`` logs out; ``Available``,
                           ``Idle``, ``Ready`` (or an available activity) is available;
                           ``Busy``, ``Reserved`` is busy; any other activity is a break
                           with its name as reason. The same activity again changes nothing.
=========================  ===============================================================

TaskRouter does not record hold: the conversation (answer to wrap-up, completion or transfer)
is known, its split into talk and hold is not, so ``talk_s`` and ``hold_s`` are ``None``.
``task.updated``, ``reservation.wrapup`` and ``reservation.completed`` tell nothing new.

Events are deduplicated on their ``sid``. Other event types are kept as unknown. A channel
other than voice, chat, sms and email is quarantined, except a task of the ``default`` channel
whose attributes carry a ``call_sid`` (a voice call).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from carecenter.domain.contact import Contact
from carecenter.domain.enums import AgentStatus, Channel, ContactState, Direction
from carecenter.domain.events import (
    AgentStateChanged,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactOffered,
    ContactQueued,
    ContactTransferred,
    ContactWrapUpStarted,
)
from carecenter.ingest.common import FactSink, TextFile, parse_time, read_json_records
from carecenter.ingest.folding import EventFolder

_PREFIX = "com.twilio.taskrouter."
S = ContactState
CHANNELS = {
    "voice": Channel.VOICE,
    "chat": Channel.CHAT,
    "sms": Channel.CHAT,
    "email": Channel.EMAIL,
}
UNKNOWN = ("talk_s", "hold_s")
"""``contact_facts`` columns TaskRouter does not record."""
IN_CONVERSATION = (S.ANSWERED, S.ON_HOLD)
IN_VISIT = (S.QUEUED, S.OFFERED, *IN_CONVERSATION)


def _normalise(record: Any) -> tuple[str | None, str, datetime, dict[str, Any]]:
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    if "event_type" in record:
        kind = str(record["event_type"])
        data = record.get("event_data") or record.get("payload") or {}
        when = record.get("event_date") or record.get("timestamp") or data.get("timestamp")
        sid = record.get("sid") or data.get("sid")
    elif isinstance(record.get("type"), str) and isinstance(record.get("data"), dict):
        kind = record["type"].removeprefix(_PREFIX)
        data = record["data"].get("payload") or record["data"]
        when = record.get("time") or data.get("timestamp")
        sid = record.get("id") or data.get("eventsid")
    else:
        raise ValueError("event_type: missing")
    moment = parse_time(when, "event_date")
    if moment is None:
        raise ValueError("event_date: missing")
    if not isinstance(data, dict):
        raise ValueError("event_data: not an object")
    return (str(sid) if sid else None), kind, moment, data


class TwilioTaskRouter:
    """Translator of TaskRouter event records into domain events."""

    source = "twilio"

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._tasks: dict[str, Contact] = {}
        self._workers: dict[str, tuple[AgentStatus, str | None, datetime]] = {}
        self._out: EventFolder | None = None

    def read(self, file: TextFile, sink: FactSink) -> None:
        out = self._folder(sink)

        def handle(line: int, record: Any, raw: str) -> None:
            sid, kind, t, data = _normalise(record)
            if sid is not None and sid in self._seen:
                sink.counts.unchanged += 1
                return
            if sid is not None:
                self._seen.add(sid)
            self._event(out, line, kind, t, data, raw)

        read_json_records(file, sink, handle)

    def finish(self, sink: FactSink) -> None:
        self._folder(sink).finish()
        self._tasks.clear()
        self._workers.clear()
        self._seen.clear()
        self._out = None

    def _folder(self, sink: FactSink) -> EventFolder:
        if self._out is None:
            self._out = EventFolder(sink, unknown=UNKNOWN)
        self._out.sink = sink  # one stream over every file of the run
        return self._out

    def _event(
        self, out: EventFolder, line: int, kind: str, t: datetime, data: dict[str, Any], raw: str
    ) -> None:
        if kind == "worker.activity.update":
            self._worker(out, t, data)
            return
        told = _TASK_EVENTS.get(kind)
        if told is None and kind != "task.created":
            out.sink.unknown(line, kind, raw)
            return
        sid = data.get("task_sid")
        if not sid:
            raise ValueError(f"{kind}: task_sid missing")
        contact = self._tasks.get(str(sid))
        if contact is None:
            contact = self._tasks[str(sid)] = Contact.from_arrival(self._arrival(sid, t, data))
            out.event(contact.history[0])
        elif told is None:
            out.counts.notes["task.created after the task's first event"] += 1
        if told is None:
            return
        before = len(contact.history)
        if not told(contact, t, data):
            out.counts.notes[f"{kind} when the task was {contact.state.value}"] += 1
        for event in contact.history[before:]:
            out.event(event)

    def _arrival(self, sid: str, t: datetime, data: dict[str, Any]) -> ContactArrived:
        attributes = _attributes(data)
        found = attributes.get("customer") or attributes.get("from") or attributes.get("caller")
        meta = attributes.get("transferMeta")
        original = meta.get("originalTask") if isinstance(meta, dict) else None
        outbound = str(attributes.get("direction") or "").lower() == "outbound"
        return ContactArrived(
            occurred_at=t,
            contact_id=f"{self.source}:{sid}",
            channel=_channel(data, attributes),
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            customer_id=f"{self.source}:{found}" if found else None,
            parent_contact_id=f"{self.source}:{original}" if original else None,
            transferred_in=bool(original),
        )

    def _worker(self, out: EventFolder, t: datetime, data: dict[str, Any]) -> None:
        name = str(data.get("worker_name") or data.get("worker_sid") or "")
        if not name:
            raise ValueError("worker.activity.update: worker_name missing")
        activity = str(data.get("worker_activity_name") or "")
        state, reason = _activity_state(activity, data.get("worker_activity_available"))
        previous = self._workers.get(name)
        if previous is None and state is AgentStatus.LOGGED_OUT:
            return
        if previous is not None:
            if (state, reason) == previous[:2]:
                return
            if t < previous[2]:
                out.counts.notes["worker.activity.update out of time order"] += 1
                return
        was = previous[0] if previous is not None else AgentStatus.LOGGED_OUT
        out.event(
            AgentStateChanged(
                occurred_at=t, agent_id=name, state=state, previous=was, reason=reason
            )
        )
        self._workers[name] = (state, reason, t)


def _attributes(data: dict[str, Any]) -> dict[str, Any]:
    attributes = data.get("task_attributes")
    if isinstance(attributes, str):
        try:
            attributes = json.loads(attributes)
        except ValueError:
            attributes = {}
    return attributes if isinstance(attributes, dict) else {}


def _channel(data: dict[str, Any], attributes: dict[str, Any]) -> Channel:
    name = str(data.get("task_channel_unique_name") or "voice")
    channel = CHANNELS.get(name.lower())
    if channel is None and name == "default" and attributes.get("call_sid"):
        channel = Channel.VOICE
    if channel is None:
        raise ValueError(f"task_channel_unique_name: not a channel carecenter knows: {name!r}")
    return channel


def _activity_state(name: str, available: Any) -> tuple[AgentStatus, str | None]:
    low = name.strip().lower()
    if low == "offline":
        return AgentStatus.LOGGED_OUT, None
    if available is True or low in ("available", "idle", "ready"):
        return AgentStatus.AVAILABLE, None
    if low in ("busy", "reserved", "on a call", "on call"):
        return AgentStatus.BUSY, None
    return AgentStatus.BREAK, name or None


def _worker_of(data: dict[str, Any]) -> str:
    return str(data.get("worker_name") or data.get("worker_sid") or "")


def _entered(c: Contact, t: datetime, data: dict[str, Any]) -> bool:
    queue = str(data.get("task_queue_name") or data.get("task_queue_sid") or "")
    if c.state in IN_VISIT:
        c.transfer(t, to_queue_id=queue)
    if not c.can(ContactQueued):
        return False
    c.queue(queue, t)
    return True


def _reserved(c: Contact, t: datetime, data: dict[str, Any]) -> bool:
    if not c.can(ContactOffered):
        return False
    c.offer(_worker_of(data), t)
    return True


def _accepted(c: Contact, t: datetime, data: dict[str, Any]) -> bool:
    worker = _worker_of(data)
    if c.can(ContactOffered):
        c.offer(worker, t)
    if not c.can(ContactAnswered):
        return False
    c.answer(worker, t)
    return True


def _offer_ended(reason: str) -> Callable[[Contact, datetime, dict[str, Any]], bool]:
    def told(c: Contact, t: datetime, data: dict[str, Any]) -> bool:
        worker = _worker_of(data)
        if c.state is not S.OFFERED or (worker and worker != c.agent_id):
            return False  # not the pending offer
        c.reject_offer(t, reason=reason)
        return True

    return told


def _wrapup(c: Contact, t: datetime, data: dict[str, Any]) -> bool:
    if not c.can(ContactWrapUpStarted):
        return False
    c.wrap_up(t)
    return True


def _completed(c: Contact, t: datetime, data: dict[str, Any]) -> bool:
    if c.state is S.OFFERED:
        c.reject_offer(t)  # the pending reservation ends with the task
    if not c.can(ContactEnded):
        return False
    by_agent = c.state in (*IN_CONVERSATION, S.AFTER_CALL_WORK)
    c.end(t, ended_by="agent" if by_agent else "system")
    return True


def _canceled(c: Contact, t: datetime, data: dict[str, Any]) -> bool:
    if not c.can(ContactAbandoned):
        return _completed(c, t, data)
    c.abandon(t)
    return True


def _flowed(c: Contact, t: datetime, data: dict[str, Any]) -> bool:
    if c.state not in (S.QUEUED, S.OFFERED):
        return False
    c.transfer(t, to_queue_id=None)
    return True


def _transfer(c: Contact, t: datetime, data: dict[str, Any]) -> bool:
    if not c.can(ContactTransferred):
        return False
    c.transfer(t, to_queue_id=None)
    return True


def _nothing(c: Contact, t: datetime, data: dict[str, Any]) -> bool:
    return True


_TASK_EVENTS: dict[str, Callable[[Contact, datetime, dict[str, Any]], bool]] = {
    "task-queue.entered": _entered,
    "reservation.created": _reserved,
    "reservation.accepted": _accepted,
    "reservation.rejected": _offer_ended("declined"),
    "reservation.timeout": _offer_ended("no_answer"),
    "reservation.canceled": _offer_ended("no_answer"),
    "reservation.rescinded": _offer_ended("no_answer"),
    "reservation.wrapup": _nothing,
    "reservation.completed": _nothing,
    "task.updated": _nothing,
    "task.wrapup": _wrapup,
    "task.completed": _completed,
    "task.canceled": _canceled,
    "task.deleted": _canceled,
    "task-queue.timeout": _flowed,
    "task-queue.moved": _flowed,
    "task.transfer-initiated": _transfer,
}
"""TaskRouter event type -> how it changes the task (False: it does not fit its state)."""
