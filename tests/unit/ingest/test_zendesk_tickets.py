"""The Zendesk importer on a hand-written incremental export (2025-12-01, UTC).

Ticket 1: first reply after 30 min, solved at 11:00, reopened once, rated good (a later page
repeats an older state of it). Ticket 2: open on the first page, solved at 12:00 with a
45-minute first reply on the second, rated bad. Ticket 3: a new chat. Ticket 4: deleted.
Ticket 5: a voice ticket closed at 10:30 without a reply. A ticket without id; a broken line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from carecenter.adapters.files import open_text
from carecenter.ingest.common import MemorySink
from carecenter.ingest.zendesk import ZendeskTickets

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "import" / "zendesk"


def utc(h: int, m: int) -> datetime:
    return datetime(2025, 12, 1, h, m, tzinfo=UTC)


def run() -> MemorySink:
    sink = MemorySink()
    importer = ZendeskTickets()
    with open_text(FIXTURE / "tickets.json") as text:
        importer.read(text, sink)
    importer.finish(sink)
    return sink


# ticket, queue, channel, outcome, wait, agent, answered, ended, resolved
EXPECTED = [
    ("1", "7", "email", "answered", 1800.0, "101", utc(9, 30), utc(11, 0), True),
    ("2", "7", "email", "answered", 2700.0, "102", utc(9, 50), utc(12, 0), True),
    ("3", "unassigned", "chat", "open", None, None, None, None, False),
    ("5", "8", "voice", "exited", None, "101", None, utc(10, 30), True),
]


def table(sink: MemorySink) -> list[tuple[Any, ...]]:
    return [
        (
            v["contact_id"].removeprefix("zendesk:"),
            v["queue_id"],
            v["channel"],
            v["outcome"],
            v["wait_s"],
            v["agent_id"],
            v["answered_at"],
            v["ended_at"],
            v["resolved"],
        )
        for v in sink.visit_dicts()
    ]


def test_tickets_become_visits_with_first_reply_as_wait() -> None:
    assert table(run()) == EXPECTED


def test_ticket_metrics_and_satisfaction() -> None:
    metrics = run().records["zendesk_ticket_metrics"]
    one, two = metrics[("zendesk:1",)], metrics[("zendesk:2",)]
    assert (one["reopens"], one["replies"], one["full_resolution_s"]) == (1, 3, 7200.0)
    assert (one["full_resolution_business_s"], one["first_resolution_s"]) == (5400.0, 6000.0)
    assert (one["satisfaction"], one["satisfaction_score"]) == ("good", 5)
    assert (two["satisfaction"], two["satisfaction_score"], two["status"]) == ("bad", 1, "solved")
    assert metrics[("zendesk:3",)]["satisfaction_score"] is None


def test_scored_satisfaction_becomes_survey_answers() -> None:
    names = ("survey_id", "question", "score", "scale_max", "answered_at")
    names += ("contact_id", "customer_id", "last_seq")
    assert [tuple(a[n] for n in names) for a in run().answer_dicts()] == [
        ("zendesk:1", "csat", 5, 5, utc(11, 0), "zendesk:1", "zendesk:900", 0),
        ("zendesk:2", "csat", 1, 5, utc(12, 0), "zendesk:2", "zendesk:901", 0),
    ]  # ticket 2 was "unoffered" on the first page, rated "bad" on the second; 3 and 5 unrated


def test_repeats_deleted_and_bad_records() -> None:
    sink = run()
    assert sink.counts.records == 9
    assert sink.counts.duplicates == 1
    assert sink.counts.notes["tickets replaced by a later update"] == 1
    assert sink.counts.ignored == 1
    assert [q[2] for q in sink.quarantined] == [
        "id: missing",
        "not JSON: Expecting property name enclosed in double quotes",
    ]
