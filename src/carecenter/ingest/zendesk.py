"""``zendesk-tickets``: the incremental ticket export (``/api/v2/incremental/tickets`` with
``include=metric_sets``): pages ``{"tickets": [...], "metric_sets": [...]}``, one after
another or one per line; plain ticket objects (with an optional ``metric_set``) also do.

Each ticket is a contact ``zendesk:<id>`` with one visit:

* queue = ``group_id`` (``unassigned`` without one); channel from ``via.channel`` (email,
  web, api and others are e-mail; chat and messaging are chat; voice is voice); agent =
  ``assignee_id``; customer = ``zendesk:<requester_id>``; topic = the ticket ``type``;
* entered the queue at ``created_at``; answered at the first agent reply: ``created_at`` +
  ``reply_time_in_minutes.calendar`` (wait = that reply time: the e-mail response turnaround);
* ended at ``solved_at`` and resolved when the status is solved or closed; a ticket solved
  without a reply is ``exited``, one with neither is ``open``.

Reopens, replies, first and full resolution times (calendar and business) and the
satisfaction rating (``good`` = 5, ``bad`` = 1 on the 1-5 scale; ``offered`` and ``unoffered``
have no score) go to the ``zendesk_ticket_metrics`` table. A scored rating is also a survey
answer (``survey_answers``): survey ``zendesk:<id>``, question ``csat``, score 5 or 1 on
``scale_max`` 5, about the ticket's contact ``zendesk:<id>``, answered at the rating's
``updated_at`` (else its ``created_at``, else the ticket's ``updated_at``). The export repeats
a ticket each time it changes: the latest ``updated_at`` is kept. Deleted tickets are ignored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from carecenter.domain.enums import Channel, ContactState, VisitOutcome
from carecenter.ingest.common import (
    FactSink,
    TextFile,
    answer_row,
    contact_row,
    json_records,
    parse_time,
    visit_row,
)

CHANNELS = {"voice": Channel.VOICE.value, "chat": Channel.CHAT.value}
CHAT_LIKE = ("chat", "native_messaging", "messaging", "whatsapp", "facebook", "twitter", "sms")
SCORES = {"good": 5, "bad": 1}


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
    """Importer of the Zendesk incremental ticket export."""

    source = "zendesk"

    def __init__(self) -> None:
        self._tickets: dict[str, tuple[float, dict[str, Any]]] = {}
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
        if seen is not None:
            if seen[0] >= updated.timestamp():
                sink.counts.duplicates += 1
                return
            sink.counts.notes["tickets replaced by a later update"] += 1
        self._tickets[key] = (updated.timestamp(), ticket)

    def finish(self, sink: FactSink) -> None:
        for key, (_, ticket) in self._tickets.items():
            self._write(sink, key, ticket, self._metrics.get(key, {}))
        self._tickets.clear()
        self._metrics.clear()

    def _write(
        self, sink: FactSink, key: str, ticket: dict[str, Any], metrics: dict[str, Any]
    ) -> None:
        cid = f"{self.source}:{key}"
        created = parse_time(ticket.get("created_at"), "created_at")
        assert created is not None
        via = ticket.get("via") or {}
        raw_channel = str(via.get("channel") or "email") if isinstance(via, dict) else "email"
        channel = CHANNELS.get(raw_channel, "chat" if raw_channel in CHAT_LIKE else "email")
        status = str(ticket.get("status") or "new")
        resolved = status in ("solved", "closed")
        first_reply = _minutes(metrics, "reply_time_in_minutes")
        answered = created + timedelta(seconds=first_reply) if first_reply is not None else None
        solved = parse_time(metrics.get("solved_at"), "solved_at") if resolved else None
        if answered is not None:
            outcome = VisitOutcome.ANSWERED.value
            state = ContactState.ENDED if resolved else ContactState.ANSWERED
        elif resolved:
            outcome, state = VisitOutcome.EXITED.value, ContactState.ENDED
        else:
            outcome, state = VisitOutcome.OPEN.value, ContactState.QUEUED
        requester = ticket.get("requester_id")
        common: dict[str, Any] = {
            "channel": channel,
            "customer_id": f"{self.source}:{requester}" if requester is not None else None,
            "topic": ticket.get("type"),
            "arrived_at": created,
        }
        assignee = ticket.get("assignee_id")
        group = ticket.get("group_id")
        sink.visit(
            visit_row(
                cid,
                1,
                str(group) if group is not None else "unassigned",
                created,
                **common,
                agent_id=str(assignee) if assignee is not None else None,
                offered_at=parse_time(metrics.get("initially_assigned_at"), "assigned_at"),
                answered_at=answered,
                ended_at=solved,
                wait_s=first_reply,
                offers=1 if assignee is not None else 0,
                outcome=outcome,
                resolved=resolved,
                state=state.value,
            )
        )
        sink.contact(
            contact_row(
                cid, **common, ended_at=solved, state=state.value, visits=1, resolved=resolved
            )
        )
        rating = ticket.get("satisfaction_rating")
        score = rating.get("score") if isinstance(rating, dict) else None
        if isinstance(rating, dict) and str(score) in SCORES:
            when = _rated_at(rating) or parse_time(ticket.get("updated_at"), "") or created
            sink.answer(
                answer_row(cid, "csat", SCORES[str(score)], 5, when, cid, common["customer_id"])
            )
        sink.record(
            "zendesk_ticket_metrics",
            {
                "contact_id": cid,
                "status": status,
                "reopens": metrics.get("reopens"),
                "replies": metrics.get("replies"),
                "first_reply_s": first_reply,
                "first_reply_business_s": _minutes(metrics, "reply_time_in_minutes", "business"),
                "first_resolution_s": _minutes(metrics, "first_resolution_time_in_minutes"),
                "full_resolution_s": _minutes(metrics, "full_resolution_time_in_minutes"),
                "full_resolution_business_s": _minutes(
                    metrics, "full_resolution_time_in_minutes", "business"
                ),
                "satisfaction": score,
                "satisfaction_score": SCORES.get(str(score)),
            },
        )
