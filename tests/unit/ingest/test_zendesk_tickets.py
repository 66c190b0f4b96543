"""The Zendesk importer on a hand-written incremental export (2025-12-01, UTC).

Ticket 1: first reply after 30 min, solved at 11:00, reopened once, rated good (a later page
repeats an older state of it). Ticket 2: open on the first page, solved at 12:00 with a
45-minute first reply on the second, rated bad. Ticket 3: a new chat. Ticket 4: deleted.
Ticket 5: a voice ticket closed at 10:30 without a reply. A ticket without id; a broken line.

The facts come from the one fold of each ticket's events, which defines three pins differently
from the former hand-built rows: ticket 5, closed without a reply, left its queue unanswered
after 30 minutes, so its wait is 1800 s (it was None) and it has no agent (no one was offered
or answered it; it was its assignee, 101) and no visit disposition (``resolved`` belongs to an
answered visit; the contact row still says resolved); ticket 3, still open, is not known to
be resolved or not yet (``None``, it was False).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from carecenter.adapters.files import open_text
from carecenter.domain.contact import Contact
from carecenter.domain.events import ContactEvent, Event, SurveyAnswered
from carecenter.ingest import zendesk
from carecenter.ingest.common import MemorySink
from carecenter.ingest.folding import EventFolder
from carecenter.ingest.zendesk import TicketStory, ZendeskTickets

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "import" / "zendesk"


def utc(h: int, m: int = 0) -> datetime:
    return datetime(2025, 12, 1, h, m, tzinfo=UTC)


def run(path: Path = FIXTURE / "tickets.json") -> MemorySink:
    sink = MemorySink()
    importer = ZendeskTickets()
    with open_text(path) as text:
        importer.read(text, sink)
    importer.finish(sink)
    return sink


# ticket, queue, channel, outcome, wait, agent, answered, ended, resolved
EXPECTED = [
    ("1", "7", "email", "answered", 1800.0, "101", utc(9, 30), utc(11, 0), True),
    ("2", "7", "email", "answered", 2700.0, "102", utc(9, 50), utc(12, 0), True),
    ("3", "unassigned", "chat", "open", None, None, None, None, None),
    ("5", "8", "voice", "exited", 1800.0, None, None, utc(10, 30), None),
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
    assert sink.counts.unchanged == 1
    assert sink.counts.notes["tickets replaced by a later update"] == 1
    assert sink.counts.ignored == 1
    assert [q[2] for q in sink.quarantined] == [
        "id: missing",
        "not JSON: Expecting property name enclosed in double quotes",
    ]


class Recorder(EventFolder):
    """An EventFolder that also keeps every story it is handed."""

    stories: ClassVar[list[list[Event]]] = []

    def contact(self, events: Sequence[Event]) -> None:
        Recorder.stories.append(list(events))
        super().contact(events)


def test_every_ticket_tells_a_legal_life_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ticket's contact events, replayed through ``Contact.replay``, pass the TRANSITIONS
    table and end where the fold left the contact; a rating follows them."""
    monkeypatch.setattr(Recorder, "stories", [])
    monkeypatch.setattr(zendesk, "EventFolder", Recorder)
    contacts = {c["contact_id"]: c for c in run().contact_dicts()}
    states = {}
    for story in Recorder.stories:
        steps = [e for e in story if isinstance(e, ContactEvent)]
        assert story[: len(steps)] == steps
        contact = Contact.replay(steps)
        states[contact.contact_id] = contact.state.value
    assert states == {cid: c["state"] for cid, c in contacts.items()}
    assert states == {
        "zendesk:1": "ended",
        "zendesk:2": "ended",
        "zendesk:3": "queued",
        "zendesk:5": "ended",
    }
    assert [c["resolved"] for c in contacts.values()] == [True, True, None, True]


def test_a_ticket_has_no_handling_time_and_is_offered_when_assigned(tmp_path: Path) -> None:
    """Zendesk records no handling time: conversation, talk, hold and after-call work are None.
    The offer is at ``initially_assigned_at`` when that is before the first reply; a solved
    ticket without ``solved_at`` ends at its ``updated_at``."""
    ticket = {
        "id": 7,
        "created_at": "2025-12-01T09:00:00Z",
        "updated_at": "2025-12-01T13:00:00Z",
        "status": "closed",
        "assignee_id": 104,
        "metric_set": {
            "initially_assigned_at": "2025-12-01T09:10:00Z",
            "reply_time_in_minutes": {"calendar": 20},
        },
    }
    pending = {"id": 8, "created_at": "2025-12-01T09:00:00Z", "status": "pending"}
    pending["metric_set"] = {"reply_time_in_minutes": {"calendar": 5}}
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps({"tickets": [ticket, pending]}))
    visits = {v["contact_id"]: v for v in run(path).visit_dicts()}
    seven, eight = visits["zendesk:7"], visits["zendesk:8"]
    durations = ("conversation_s", "talk_s", "hold_s", "acw_s")
    assert [seven[d] for d in durations] == [None] * 4
    assert (seven["offered_at"], seven["answered_at"], seven["ended_at"]) == (
        utc(9, 10),
        utc(9, 20),
        utc(13),
    )
    assert (seven["offers"], seven["agent_id"], seven["wait_s"]) == (1, "104", 1200.0)
    assert (eight["outcome"], eight["state"], eight["offers"], eight["wait_s"]) == (
        "answered",
        "answered",
        0,
        300.0,
    )
    assert [eight[d] for d in durations] == [None] * 4


def test_a_ticket_story_can_be_told_on_its_own() -> None:
    ticket = {"id": 9, "created_at": "2025-12-01T09:00:00Z", "status": "solved"}
    ticket["satisfaction_rating"] = {"score": "good", "updated_at": "2025-12-01T10:00:00Z"}
    story = TicketStory("zendesk", "9", ticket, {"solved_at": "2025-12-01T09:30:00Z"}).events()
    assert [e.name for e in story] == [
        "contact.arrived",
        "contact.queued",
        "contact.ended",
        "survey.answered",
    ]
    assert [e.occurred_at for e in story] == [utc(9), utc(9), utc(9, 30), utc(10)]
    assert isinstance(story[-1], SurveyAnswered) and story[-1].comment is None


def test_the_rating_comment_is_the_answer_comment() -> None:
    ticket = {"id": 9, "created_at": "2025-12-01T09:00:00Z", "status": "open"}
    ticket["satisfaction_rating"] = {"score": "bad", "comment": " Nobody answered. "}
    (*_, answer) = TicketStory("zendesk", "9", ticket, {}).events()
    assert isinstance(answer, SurveyAnswered)
    assert (answer.score, answer.comment) == (1, "Nobody answered.")
