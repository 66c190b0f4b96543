"""``twilio-taskrouter``: TaskRouter events (JSON lines or arrays) as the Events API returns
them (``event_type``, ``event_date``, ``event_data``) or as Event Streams delivers them
(CloudEvents: ``type`` ``com.twilio.taskrouter.*``, ``time``, ``data.payload``).

Each task is a contact ``twilio:<task_sid>``; each ``task-queue.entered`` starts a visit of
``task_queue_name`` (visit 2, 3... are transferred in):

=========================  ===============================================================
event                      effect
=========================  ===============================================================
task.created               the contact arrives (channel = task_channel_unique_name)
reservation.created        one more offer
reservation.accepted       answered by ``worker_name``; wait = time since entering the queue
task.wrapup                talk ends (after-call work starts)
task.completed             the visit ends (after-call work = time since wrap-up)
task.canceled / deleted    abandoned when not answered yet (else ended)
task-queue.timeout, task-queue.moved
                           flowed out (the workflow sent the task on)
task.transfer-initiated    the answered visit ends, transferred out
worker.activity.update     agent intervals: ``Offline`` logs out; ``Available``/``Idle``
                           (or an available activity) is available; ``Busy``/``Reserved``
                           is busy; any other activity is a break with its name as reason
=========================  ===============================================================

Events are deduplicated on their ``sid``. Other event types are kept as unknown.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from carecenter.domain.enums import AgentStatus, ContactState, VisitOutcome
from carecenter.ingest.common import (
    STATE_OF_OUTCOME,
    FactSink,
    Row,
    TextFile,
    V,
    contact_row,
    interval_row,
    parse_time,
    visit_row,
)
from carecenter.ingest.reading import read_json_records

_PREFIX = "com.twilio.taskrouter."


class _Task:
    __slots__ = ("arrived", "channel", "customer", "n", "visit", "wrapup")

    def __init__(self, arrived: datetime, channel: str, customer: str | None) -> None:
        self.arrived, self.channel, self.customer = arrived, channel, customer
        self.n = 0
        self.visit: Row | None = None
        self.wrapup: datetime | None = None


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
    """Importer of TaskRouter event records."""

    source = "twilio"

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._tasks: dict[str, _Task] = {}
        self._workers: dict[str, Row] = {}

    def read(self, file: TextFile, sink: FactSink) -> None:
        def handle(line: int, record: Any, raw: str) -> None:
            sid, kind, t, data = _normalise(record)
            if sid is not None and sid in self._seen:
                sink.counts.duplicates += 1
                return
            if sid is not None:
                self._seen.add(sid)
            self._event(sink, line, kind, t, data, raw)

        read_json_records(file, sink, handle)

    def finish(self, sink: FactSink) -> None:
        for sid, task in self._tasks.items():
            if task.visit is not None:
                self._emit(sink, sid, task)
        for row in self._workers.values():
            sink.interval(row)
        self._tasks.clear()
        self._workers.clear()
        self._seen.clear()

    def _event(
        self, sink: FactSink, line: int, kind: str, t: datetime, data: dict[str, Any], raw: str
    ) -> None:
        if kind == "worker.activity.update":
            self._worker(sink, t, data)
            return
        if not kind.startswith(("task", "reservation")):
            sink.unknown(line, kind, raw)
            return
        sid = data.get("task_sid")
        if not sid:
            raise ValueError(f"{kind}: task_sid missing")
        task = self._tasks.get(sid)
        if task is None:
            task = self._tasks[sid] = _Task(t, *_channel_customer(data))
        if kind == "task.created":
            task.arrived = t
            return
        if kind == "task-queue.entered":
            self._enter(sink, sid, task, t, data)
            return
        v = task.visit
        if v is None or v[V.ENDED_AT] is not None:
            sink.counts.notes[f"{kind} outside a queue visit"] += 1
            return
        handler = _HANDLERS.get(kind)
        if handler is None:
            sink.unknown(line, kind, raw)
            return
        if handler(task, v, t, data):
            self._emit(sink, sid, task)

    def _enter(
        self, sink: FactSink, sid: str, task: _Task, t: datetime, data: dict[str, Any]
    ) -> None:
        v = task.visit
        if v is not None and v[V.ENDED_AT] is None:
            _end(v, t, VisitOutcome.FLOWED_OUT.value)
            v[V.TRANSFERRED_OUT] = True
            self._emit(sink, sid, task)
        task.n += 1
        task.wrapup = None
        queue = data.get("task_queue_name") or data.get("task_queue_sid") or ""
        task.visit = visit_row(
            f"{self.source}:{sid}",
            task.n,
            str(queue),
            t,
            channel=task.channel,
            customer_id=task.customer and f"{self.source}:{task.customer}",
            arrived_at=task.arrived,
            transferred_in=task.n > 1,
        )

    def _emit(self, sink: FactSink, sid: str, task: _Task) -> None:
        v = task.visit
        assert v is not None
        sink.visit(list(v))
        sink.contact(
            contact_row(
                v[V.CONTACT_ID],
                channel=task.channel,
                customer_id=v[V.CUSTOMER_ID],
                arrived_at=task.arrived,
                ended_at=v[V.ENDED_AT],
                state=v[V.STATE],
                visits=task.n,
            )
        )

    def _worker(self, sink: FactSink, t: datetime, data: dict[str, Any]) -> None:
        name = str(data.get("worker_name") or data.get("worker_sid") or "")
        if not name:
            raise ValueError("worker.activity.update: worker_name missing")
        activity = str(data.get("worker_activity_name") or "")
        state, reason = _activity_state(activity, data.get("worker_activity_available"))
        current = self._workers.pop(name, None)
        if current is not None:
            if current[2] == state and current[4] == reason:
                self._workers[name] = current
                return
            end = t.timestamp()
            if end > current[3]:
                sink.interval(interval_row(name, current[2], current[3], current[4], end))
        if state is not None:
            self._workers[name] = interval_row(name, state, t.timestamp(), reason, None)


def _channel_customer(data: dict[str, Any]) -> tuple[str, str | None]:
    channel = str(data.get("task_channel_unique_name") or "voice")
    attributes = data.get("task_attributes")
    if isinstance(attributes, str):
        try:
            attributes = json.loads(attributes)
        except ValueError:
            attributes = {}
    customer = None
    if isinstance(attributes, dict):
        found = attributes.get("customer") or attributes.get("from") or attributes.get("caller")
        customer = str(found) if found else None
    return ("chat" if channel in ("chat", "sms") else channel), customer


def _activity_state(name: str, available: Any) -> tuple[str | None, str | None]:
    low = name.strip().lower()
    if low == "offline":
        return None, None
    if available is True or low in ("available", "idle", "ready"):
        return AgentStatus.AVAILABLE.value, None
    if low in ("busy", "reserved", "on a call", "on call"):
        return AgentStatus.BUSY.value, None
    return AgentStatus.BREAK.value, name or None


def _end(v: Row, t: datetime, outcome: str) -> None:
    v[V.ENDED_AT], v[V.OUTCOME], v[V.STATE] = t, outcome, STATE_OF_OUTCOME[outcome]
    if v[V.WAIT_S] is None:
        v[V.WAIT_S] = (t - v[V.ENQUEUED_AT]).total_seconds()


def _reserved(task: _Task, v: Row, t: datetime, data: dict[str, Any]) -> bool:
    v[V.OFFERS] += 1
    v[V.OFFERED_AT] = v[V.OFFERED_AT] or t
    return False


def _accepted(task: _Task, v: Row, t: datetime, data: dict[str, Any]) -> bool:
    v[V.ANSWERED_AT], v[V.AGENT_ID] = t, data.get("worker_name") or data.get("worker_sid")
    v[V.WAIT_S] = (t - v[V.ENQUEUED_AT]).total_seconds()
    v[V.OUTCOME], v[V.STATE] = VisitOutcome.ANSWERED.value, ContactState.ANSWERED.value
    return False


def _wrapup(task: _Task, v: Row, t: datetime, data: dict[str, Any]) -> bool:
    if v[V.ANSWERED_AT] is not None:
        task.wrapup = t
        v[V.TALK_S] = (t - v[V.ANSWERED_AT]).total_seconds()
    return False


def _completed(task: _Task, v: Row, t: datetime, data: dict[str, Any]) -> bool:
    if v[V.ANSWERED_AT] is None:
        _end(v, t, VisitOutcome.EXITED.value)
        return True
    if task.wrapup is None:
        v[V.TALK_S] = (t - v[V.ANSWERED_AT]).total_seconds()
    else:
        v[V.ACW_S] = (t - task.wrapup).total_seconds()
    _end(v, t, VisitOutcome.ANSWERED.value)
    return True


def _canceled(task: _Task, v: Row, t: datetime, data: dict[str, Any]) -> bool:
    if v[V.ANSWERED_AT] is not None:
        return _completed(task, v, t, data)
    v[V.ABANDONED_AT] = t
    _end(v, t, VisitOutcome.ABANDONED.value)
    return True


def _flowed(task: _Task, v: Row, t: datetime, data: dict[str, Any]) -> bool:
    if v[V.ANSWERED_AT] is not None:
        return False
    v[V.TRANSFERRED_OUT] = True
    _end(v, t, VisitOutcome.FLOWED_OUT.value)
    return True


def _transfer(task: _Task, v: Row, t: datetime, data: dict[str, Any]) -> bool:
    if v[V.ANSWERED_AT] is None:
        return _flowed(task, v, t, data)
    v[V.TALK_S] = (t - v[V.ANSWERED_AT]).total_seconds()
    v[V.TRANSFERRED_OUT] = True
    _end(v, t, VisitOutcome.ANSWERED.value)
    v[V.STATE] = ContactState.TRANSFERRED.value
    return True


def _offer_ended(task: _Task, v: Row, t: datetime, data: dict[str, Any]) -> bool:
    return False


_HANDLERS = {
    "reservation.created": _reserved,
    "reservation.accepted": _accepted,
    "reservation.rejected": _offer_ended,
    "reservation.timeout": _offer_ended,
    "reservation.canceled": _offer_ended,
    "reservation.rescinded": _offer_ended,
    "reservation.wrapup": _offer_ended,
    "reservation.completed": _offer_ended,
    "task.updated": _offer_ended,
    "task.wrapup": _wrapup,
    "task.completed": _completed,
    "task.canceled": _canceled,
    "task.deleted": _canceled,
    "task-queue.timeout": _flowed,
    "task-queue.moved": _flowed,
    "task.transfer-initiated": _transfer,
}
