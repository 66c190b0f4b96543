"""The events one row of a mapped CSV tells (see :mod:`carecenter.ingest.csv_mapped`).

A row is one queue visit of a contact. Its fields (already translated by the mapping) say
which way the visit went, and this module says it as domain events, from ``contact.queued``
on; the one fold turns them into the visit's facts:

=====================  ========================================================================
the visit              events after ``contact.queued`` at ``enqueued_at`` (else ``arrived_at``)
=====================  ========================================================================
answered               ``offers`` offers (default 1; all but the last not taken) at
                       ``offered_at`` (else the answer), ``contact.answered`` by ``agent_id``
                       at ``answered_at`` (else ``enqueued_at`` + ``wait_s``). The
                       conversation ends ``talk_s`` + ``hold_s`` after the answer (not after
                       ``ended_at``), else ``acw_s`` before ``ended_at``; with no talk nor
                       end it goes on. Hold is the end of the conversation; then
                       ``contact.transferred`` when ``transferred_out``, else
                       ``contact.ended`` at ``ended_at`` (else ``acw_s`` later), with
                       ``contact.wrap_up_started`` first when that is later
abandoned              ``contact.abandoned``
flowed_out             ``contact.transferred`` (from waiting)
callback               ``contact.callback_requested``
exited                 ``contact.ended`` by the system
open                   only the offers, if any: still waiting
=====================  ========================================================================

A visit that is not answered leaves the queue at ``abandoned_at``, else ``ended_at``, else
``enqueued_at`` + ``wait_s``. Without an ``outcome`` the times decide: answered with an answer
time; else, with an abandon or end time, a callback when ``callback_requested``, a flow-out
when ``transferred_out``, abandoned otherwise; open with neither. A duration fills in a time
the row lacks; when both are given, the times win (the wait is the answer less the queue time).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from carecenter.domain.durations import parse_duration
from carecenter.domain.enums import Channel, Direction, VisitOutcome
from carecenter.domain.events import (
    CallbackRequested,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactEvent,
    ContactHeld,
    ContactOffered,
    ContactOfferRejected,
    ContactQueued,
    ContactResumed,
    ContactTransferred,
    ContactWrapUpStarted,
)
from carecenter.errors import InputError

TIMES = ("arrived_at", "enqueued_at", "offered_at", "answered_at", "abandoned_at", "ended_at")
DURATIONS = ("wait_s", "talk_s", "hold_s", "acw_s")
_TRUE, _FALSE = {"true", "yes", "y", "1", "t"}, {"false", "no", "n", "0", "f", ""}
_ANSWERED, _OPEN = VisitOutcome.ANSWERED.value, VisitOutcome.OPEN.value

Timer = Callable[[Mapping[str, str], str], datetime | None]
"""Reads the time field ``name`` of a row (``None`` when empty); raises ``ValueError``."""


@dataclass(frozen=True)
class Visit:
    """One row: the contact's arrival and the events of its visit (from ``contact.queued``)."""

    number: int
    arrival: ContactArrived
    events: list[ContactEvent]


def visit_of(values: Mapping[str, str], source: str, time: Timer) -> Visit:
    """The visit a row's ``values`` (field -> text) describe; ``ValueError`` when malformed."""
    t = {n: time(values, n) for n in TIMES}
    d = {n: _duration(values, n) for n in DURATIONS}
    enqueued = t["enqueued_at"] or t["arrived_at"]
    if enqueued is None:
        raise ValueError("enqueued_at: empty")
    cid = f"{source}:{values['contact_id']}"
    customer = values.get("customer_id")
    arrival = ContactArrived(
        occurred_at=t["arrived_at"] or enqueued,
        contact_id=cid,
        channel=Channel(values.get("channel", Channel.VOICE.value)),
        direction=Direction(values.get("direction", Direction.INBOUND.value)),
        customer_id=customer and f"{source}:{customer}",
        tier=values.get("tier", "standard"),
        topic=values.get("topic"),
        transferred_in=_flag(values, "transferred_in"),
    )
    story = _Story(cid, values, t, d, enqueued)
    return Visit(_number(values, "visit", 1), arrival, story.events())


class _Story:
    """The events of one visit from a row's fields (see the module's table)."""

    def __init__(
        self,
        cid: str,
        values: Mapping[str, str],
        t: Mapping[str, datetime | None],
        d: Mapping[str, float | None],
        enqueued: datetime,
    ) -> None:
        self.cid, self.values, self.t, self.d, self.enqueued = cid, values, t, d, enqueued
        self.queue = values.get("queue_id") or ""
        self.agent = values.get("agent_id") or ""

    def events(self) -> list[ContactEvent]:
        t, d, cid, queue = self.t, self.d, self.cid, self.queue
        queued = ContactQueued(occurred_at=self.enqueued, contact_id=cid, queue_id=queue)
        kind = self.values.get("outcome") or self._kind()
        wait = d["wait_s"]
        waited = None if wait is None else self.enqueued + timedelta(seconds=wait)
        offered = t["offered_at"]
        if kind == _ANSWERED:
            answered = t["answered_at"] or waited or offered
            if answered is None:
                raise ValueError("answered_at: empty (an answer needs answered_at or wait_s)")
            offers = self._offers(_number(self.values, "offers", 1), offered or answered, True)
            return [queued, *offers, *self._conversation(answered)]
        offers_n = _number(self.values, "offers", 1 if offered else 0)
        if kind == _OPEN:
            return [queued, *self._offers(offers_n, offered or self.enqueued, True)]
        left = t["abandoned_at"] or t["ended_at"] or waited
        if left is None:
            raise ValueError(f"ended_at: empty ({kind} needs an end, abandon or wait time)")
        pending = kind in (VisitOutcome.ABANDONED.value, VisitOutcome.FLOWED_OUT.value)
        story = [queued, *self._offers(offers_n, offered or left, pending)]
        if kind == VisitOutcome.ABANDONED.value:
            story.append(ContactAbandoned(occurred_at=left, contact_id=cid, queue_id=queue))
        elif kind == VisitOutcome.FLOWED_OUT.value:
            story.append(ContactTransferred(occurred_at=left, contact_id=cid, from_queue_id=queue))
        elif kind == VisitOutcome.CALLBACK.value:
            promise = f"{cid}:callback"
            story.append(
                CallbackRequested(
                    occurred_at=left,
                    contact_id=cid,
                    queue_id=queue,
                    promise_id=promise,
                    due_at=left,
                )
            )
        else:
            story.append(self._end(left, "system"))
        return story

    def _kind(self) -> str:
        """Which way the visit went, when the row has no outcome."""
        t, values = self.t, self.values
        if t["answered_at"] is not None:
            return _ANSWERED
        if t["abandoned_at"] is None and t["ended_at"] is None:
            return _OPEN
        if _flag(values, "callback_requested"):
            return VisitOutcome.CALLBACK.value
        if _flag(values, "transferred_out"):
            return VisitOutcome.FLOWED_OUT.value
        return VisitOutcome.ABANDONED.value

    def _offers(self, offers: int, at: datetime, last_pending: bool) -> list[ContactEvent]:
        """``offers`` offers at ``at``, not taken; the last one left pending when asked."""
        cid, queue, agent = self.cid, self.queue, self.agent
        out: list[ContactEvent] = []
        for n in range(offers):
            out.append(
                ContactOffered(occurred_at=at, contact_id=cid, queue_id=queue, agent_id=agent)
            )
            if n < offers - 1 or not last_pending:
                out.append(
                    ContactOfferRejected(
                        occurred_at=at, contact_id=cid, queue_id=queue, agent_id=agent
                    )
                )
        return out

    def _conversation(self, answered: datetime) -> list[ContactEvent]:
        d, cid, agent, ended = self.d, self.cid, self.agent, self.t["ended_at"]
        story: list[ContactEvent] = [
            ContactAnswered(
                occurred_at=answered, contact_id=cid, queue_id=self.queue, agent_id=agent
            )
        ]
        hold, acw, talk = d["hold_s"] or 0.0, d["acw_s"] or 0.0, d["talk_s"]
        if talk is not None:
            over = answered + timedelta(seconds=talk + hold)
            over = over if ended is None else min(over, ended)
        elif ended is not None:
            over = ended - timedelta(seconds=acw)
        else:
            return story  # still in conversation
        over = max(over, answered)
        if hold:
            held = max(answered, over - timedelta(seconds=hold))
            story.append(ContactHeld(occurred_at=held, contact_id=cid, agent_id=agent))
            story.append(ContactResumed(occurred_at=over, contact_id=cid, agent_id=agent))
        if _flag(self.values, "transferred_out"):
            story.append(
                ContactTransferred(
                    occurred_at=over, contact_id=cid, from_queue_id=self.queue, agent_id=agent
                )
            )
            return story
        end = max(over, ended or over + timedelta(seconds=acw))
        if end > over:
            story.append(ContactWrapUpStarted(occurred_at=over, contact_id=cid, agent_id=agent))
        story.append(self._end(end, "agent"))
        return story

    def _end(self, at: datetime, by: str) -> ContactEnded:
        resolved = _flag(self.values, "resolved") if "resolved" in self.values else None
        return ContactEnded(occurred_at=at, contact_id=self.cid, ended_by=by, resolved=resolved)


def _duration(values: Mapping[str, str], name: str) -> float | None:
    """A duration cell: ``[H:]MM:SS``, or what :func:`parse_duration` reads (``95``, ``1.5m``)."""
    text = values.get(name)
    if not text:
        return None
    if ":" not in text:
        try:
            return parse_duration(text, field=name, allow_zero=True)
        except InputError:
            raise ValueError(f"{name}: not a duration or [H:]MM:SS: {text!r}") from None
    try:
        seconds = 0.0
        for part in text.split(":"):
            seconds = seconds * 60 + float(part)
    except ValueError:
        raise ValueError(f"{name}: not a duration or [H:]MM:SS: {text!r}") from None
    return seconds


def _flag(values: Mapping[str, str], name: str) -> bool:
    text = values.get(name, "").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name}: not true or false: {values[name]!r}")


def _number(values: Mapping[str, str], name: str, default: int) -> int:
    text = values.get(name)
    if not text:
        return default
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"{name}: not a whole number: {text!r}") from None
    if number < 0:
        raise ValueError(f"{name}: negative: {text!r}")
    return number
