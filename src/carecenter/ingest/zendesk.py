"""``zendesk-tickets``: the incremental ticket export (``/api/v2/incremental/tickets`` with
``include=metric_sets``): pages ``{"tickets": [...], "metric_sets": [...]}``, one after
another or one per line; plain ticket objects (with an optional ``metric_set``) also do.
Translated into domain events.

Each ticket is a contact ``zendesk:<id>`` whose whole story is folded by the one fold
(:mod:`carecenter.ingest.folding`) once the last file is read, since the export repeats a
ticket each time it changes: the latest ``updated_at`` is kept, the other copies are counted
as unchanged. Deleted tickets are ignored.

================================  ============================================================
ticket                            events
================================  ============================================================
``created_at``                    ``contact.arrived``: channel from ``via.channel`` (email,
                                  web, api and others are e-mail; chat and messaging are chat;
                                  voice is voice); customer ``zendesk:<requester_id>``; topic
                                  the ticket ``type``; then ``contact.queued`` in
                                  ``group_id`` (``unassigned`` without one)
first agent reply                 at ``created_at`` + ``reply_time_in_minutes.calendar``:
                                  ``contact.offered`` to ``assignee_id`` (at
                                  ``initially_assigned_at`` when that is earlier; no offer
                                  without an assignee) and ``contact.answered``; the wait is
                                  the e-mail response turnaround
status solved or closed           ``contact.ended`` (resolved) at ``solved_at`` (else the
                                  ticket's ``updated_at``): answered, or ``exited`` without a
                                  reply; any other status: still open (answered or waiting)
``satisfaction_rating`` good/bad  ``survey.answered``: survey ``zendesk:<id>``, question
                                  ``csat``, score 5 or 1 on ``scale_max`` 5, about the
                                  ticket's contact, at the rating's ``updated_at`` (else its
                                  ``created_at``, else the ticket's ``updated_at``); the
                                  rating's ``comment`` is the answer's comment
================================  ============================================================

Zendesk records no handling time: ``conversation_s``, ``talk_s``, ``hold_s`` and ``acw_s`` of
a ticket are ``None``. Reopens, replies, first and full resolution times (calendar and
business) and the satisfaction rating (``good`` = 5, ``bad`` = 1 on the 1-5 scale;
``offered`` and ``unoffered`` have no score) go to the ``zendesk_ticket_metrics`` table.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from carecenter.domain.enums import Channel
from carecenter.domain.events import (
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactOffered,
    ContactQueued,
    Event,
    SurveyAnswered,
)
from carecenter.domain.surveys import CSAT_QUESTION
from carecenter.ingest.common import FactSink, TextFile, json_records, parse_time
from carecenter.ingest.folding import EventFolder

CHANNELS = {"voice": Channel.VOICE, "chat": Channel.CHAT}
CHAT_LIKE = ("chat", "native_messaging", "messaging", "whatsapp", "facebook", "twitter", "sms")
SCORES = {"good": 5, "bad": 1}
UNKNOWN = ("conversation_s", "talk_s", "hold_s", "acw_s")
"""``contact_facts`` columns a ticket does not record."""


def _minutes(metrics: dict[str, Any], name: str, kind: str = "calendar") -> float | None:
    value = metrics.get(name)
    if isinstance(value, dict):
        value = value.get(kind)
    return float(value) * 60 if isinstance(value, int | float) else None


def _rated_at(rating: dict[str, Any]) -> datetime | None:
    try:
        return parse_time(rating.get("updated_at") or rating.get("created_at"), "rated_at")
    except ValueError:
        return None  # a malformed rating time: the ticket's time will do


class ZendeskTickets:
    """Translator of the Zendesk incremental ticket export into domain events."""

    source = "zendesk"

    def __init__(self) -> None:
        self._tickets: dict[str, tuple[float, TicketStory]] = {}
        self._metrics: dict[str, dict[str, Any]] = {}

    def read(self, file: TextFile, sink: FactSink) -> None:
        for line, record, raw in json_records(file):
            if isinstance(record, ValueError):
                sink.counts.records += 1
                sink.quarantine(line, str(record), raw)
                continue
            page = isinstance(record, dict) and isinstance(record.get("tickets"), list)
            for metrics in record.get("metric_sets") or [] if page else []:
                if isinstance(metrics, dict) and metrics.get("ticket_id") is not None:
                    self._metrics[str(metrics["ticket_id"])] = metrics
            for ticket in record["tickets"] if page else [record]:
                sink.counts.records += 1
                try:
                    self._ticket(sink, ticket)
                except ValueError as exc:
                    sink.quarantine(line, str(exc), raw if not page else str(ticket)[:2000])

    def _ticket(self, sink: FactSink, ticket: Any) -> None:
        if not isinstance(ticket, dict) or ticket.get("id") is None:
            raise ValueError("id: missing")
        key = str(ticket["id"])
        if ticket.get("status") == "deleted":
            sink.counts.ignored += 1
            sink.counts.notes["ignored: deleted tickets"] += 1
            self._tickets.pop(key, None)
            return
        created = parse_time(ticket.get("created_at"), "created_at")
        if created is None:
            raise ValueError("created_at: missing")
        updated = parse_time(ticket.get("updated_at"), "updated_at") or created
        if isinstance(ticket.get("metric_set"), dict):
            self._metrics[key] = ticket["metric_set"]
        seen = self._tickets.get(key)
        if seen is not None and seen[0] >= updated.timestamp():
            sink.counts.unchanged += 1
            return
        story = TicketStory(self.source, key, ticket, self._metrics.get(key, {}))
        story.events()  # a malformed ticket is quarantined now, with its line
        if seen is not None:
            sink.counts.notes["tickets replaced by a later update"] += 1
        self._tickets[key] = (updated.timestamp(), story)

    def finish(self, sink: FactSink) -> None:
        out = EventFolder(sink, unknown=UNKNOWN)
        for _, story in self._tickets.values():
            out.contact(story.events())
            sink.record("zendesk_ticket_metrics", story.metrics_row())
        self._tickets.clear()
        self._metrics.clear()


class TicketStory:
    """The events one ticket tells (see the module's table), and its ticket metrics."""

    def __init__(
        self, source: str, key: str, ticket: dict[str, Any], metrics: dict[str, Any]
    ) -> None:
        self.source, self.ticket, self.metrics = source, ticket, metrics
        self.cid = f"{source}:{key}"
        self.status = str(ticket.get("status") or "new")
        self.first_reply = _minutes(metrics, "reply_time_in_minutes")

    def events(self) -> list[Event]:
        """The ticket's events, in order (its rating last)."""
        t, m, cid = self.ticket, self.metrics, self.cid
        created = parse_time(t.get("created_at"), "created_at")
        if created is None:
            raise ValueError("created_at: missing")
        updated = parse_time(t.get("updated_at"), "updated_at") or created
        via = t.get("via") or {}
        raw_channel = str(via.get("channel") or "email") if isinstance(via, dict) else "email"
        channel = CHANNELS.get(raw_channel, Channel.CHAT if raw_channel in CHAT_LIKE else None)
        requester, group = t.get("requester_id"), t.get("group_id")
        customer = f"{self.source}:{requester}" if requester is not None else None
        queue = str(group) if group is not None else "unassigned"
        story: list[Event] = [
            ContactArrived(
                occurred_at=created,
                contact_id=cid,
                channel=channel or Channel.EMAIL,
                customer_id=customer,
                topic=t.get("type"),
            ),
            ContactQueued(occurred_at=created, contact_id=cid, queue_id=queue),
        ]
        last = created
        if self.first_reply is not None:
            last = max(created, created + timedelta(seconds=self.first_reply))
            story += self._answer(queue, created, last)
        if self.status in ("solved", "closed"):
            solved = parse_time(m.get("solved_at"), "solved_at") or updated
            story.append(
                ContactEnded(
                    occurred_at=max(solved, last), contact_id=cid, ended_by="agent", resolved=True
                )
            )
        rating = t.get("satisfaction_rating")
        score = SCORES.get(str(rating.get("score"))) if isinstance(rating, dict) else None
        if isinstance(rating, dict) and score is not None:
            story.append(
                SurveyAnswered(
                    occurred_at=_rated_at(rating) or updated,
                    survey_id=cid,
                    question=CSAT_QUESTION,
                    score=score,
                    scale_max=5,
                    contact_id=cid,
                    customer_id=customer,
                    comment=str(rating.get("comment") or "").strip() or None,
                )
            )
        return story

    def _answer(self, queue: str, created: datetime, answered: datetime) -> list[Event]:
        assignee = self.ticket.get("assignee_id")
        agent = str(assignee) if assignee is not None else ""
        out: list[Event] = []
        if assignee is not None:
            assigned = parse_time(self.metrics.get("initially_assigned_at"), "assigned_at")
            offered = answered if assigned is None else min(max(assigned, created), answered)
            out.append(
                ContactOffered(
                    occurred_at=offered, contact_id=self.cid, queue_id=queue, agent_id=agent
                )
            )
        out.append(
            ContactAnswered(
                occurred_at=answered, contact_id=self.cid, queue_id=queue, agent_id=agent
            )
        )
        return out

    def metrics_row(self) -> dict[str, Any]:
        """The ticket's row of ``zendesk_ticket_metrics``."""
        m = self.metrics
        rating = self.ticket.get("satisfaction_rating")
        score = rating.get("score") if isinstance(rating, dict) else None
        return {
            "contact_id": self.cid,
            "status": self.status,
            "reopens": m.get("reopens"),
            "replies": m.get("replies"),
            "first_reply_s": self.first_reply,
            "first_reply_business_s": _minutes(m, "reply_time_in_minutes", "business"),
            "first_resolution_s": _minutes(m, "first_resolution_time_in_minutes"),
            "full_resolution_s": _minutes(m, "full_resolution_time_in_minutes"),
            "full_resolution_business_s": _minutes(
                m, "full_resolution_time_in_minutes", "business"
            ),
            "satisfaction": score,
            "satisfaction_score": SCORES.get(str(score)),
        }
