"""The TaskRouter importer on a hand-written event stream (2025-12-01, UTC).

WT1: offered to alice (rejected), then bob, who accepts after 15 s (2 offers), talks 180 s and
wraps up 30 s. WT2: a chat cancelled after 4 s (abandoned). WT3: alice answers after 20 s,
transfers after 120 s to billing, where carol answers after 30 s, talks 120 s, wraps up 10 s.
WT4: times out of support after 60 s and waits in overflow. Alice is available 09:55-10:10
and at lunch 10:10-10:40. One event is delivered twice; one is of an unknown type; two are bad.

The facts come from the one fold of the translated events. TaskRouter records no hold, so
``talk_s`` and ``hold_s`` are unknown (``None``, where they used to be pinned as the whole
conversation and 0): the conversation (answer to wrap-up, completion or transfer) is pinned as
``conversation_s``: WT1 180 s, WT3 120 s in support and 120 s in billing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from carecenter.adapters.files import open_text
from carecenter.domain.contact import Contact
from carecenter.domain.events import AgentStateChanged, ContactEvent, Event
from carecenter.ingest import twilio
from carecenter.ingest.common import MemorySink
from carecenter.ingest.folding import EventFolder
from carecenter.ingest.twilio import TwilioTaskRouter

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "import" / "twilio"


def utc(h: int, m: int, s: int = 0) -> datetime:
    return datetime(2025, 12, 1, h, m, s, tzinfo=UTC)


def run(*paths: Path) -> MemorySink:
    sink = MemorySink()
    importer = TwilioTaskRouter()
    for path in paths or (FIXTURE / "events.jsonl",):
        with open_text(path) as text:
            importer.read(text, sink)
    importer.finish(sink)
    return sink


# task, visit, queue, outcome, wait, conversation, talk, hold, acw, agent, offers, in, out
EXPECTED = [
    ("WT1", 1, "support", "answered", 15.0, 180.0, None, None, 30.0, "bob", 2, False, False),
    ("WT2", 1, "support", "abandoned", 4.0, None, None, None, 0.0, None, 0, False, False),
    ("WT3", 1, "support", "answered", 20.0, 120.0, None, None, 0.0, "alice", 1, False, True),
    ("WT3", 2, "billing", "answered", 30.0, 120.0, None, None, 10.0, "carol", 1, True, False),
    ("WT4", 1, "support", "flowed_out", 60.0, None, None, None, 0.0, None, 0, False, True),
    ("WT4", 2, "overflow", "open", None, None, None, None, 0.0, None, 0, True, False),
]


def table(sink: MemorySink) -> list[tuple[Any, ...]]:
    return [
        (
            v["contact_id"].removeprefix("twilio:"),
            v["visit"],
            v["queue_id"],
            v["outcome"],
            v["wait_s"],
            v["conversation_s"],
            v["talk_s"],
            v["hold_s"],
            v["acw_s"],
            v["agent_id"],
            v["offers"],
            v["transferred_in"],
            v["transferred_out"],
        )
        for v in sink.visit_dicts()
    ]


def test_tasks_become_visits() -> None:
    assert table(run()) == EXPECTED


def test_contacts_keep_channel_and_customer() -> None:
    contacts = {c["contact_id"]: c for c in run().contact_dicts()}
    assert contacts["twilio:WT2"]["channel"] == "chat"
    assert contacts["twilio:WT2"]["customer_id"] == "twilio:c-42"
    assert contacts["twilio:WT1"]["customer_id"] == "twilio:+15551001"
    assert contacts["twilio:WT3"]["visits"] == 2
    assert contacts["twilio:WT1"]["ended_at"] == utc(10, 3, 45)


def test_worker_activities_become_intervals() -> None:
    intervals = [
        (i["agent_id"], i["state"], i["reason"], i["start_at"], i["end_at"])
        for i in run().interval_dicts()
    ]
    assert intervals == [
        ("alice", "available", None, utc(9, 55), utc(10, 10)),
        ("alice", "break", "Lunch", utc(10, 10), utc(10, 40)),
    ]


def test_duplicates_unknowns_and_bad_records_are_counted() -> None:
    sink = run()
    assert sink.counts.unchanged == 1
    assert [(u[1], u[2]) for u in sink.unknowns] == [(29, "workflow.target-matched")]
    assert [q[2] for q in sink.quarantined] == [
        "event_type: missing",
        "not JSON: Expecting property name enclosed in double quotes",
    ]
    assert sink.counts.records == 32


class Recorder(EventFolder):
    """An EventFolder that also keeps every event it is handed."""

    events: ClassVar[list[Event]] = []

    def event(self, event: Event) -> None:
        Recorder.events.append(event)
        super().event(event)


def test_every_task_tells_a_legal_life_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each task's events, replayed through ``Contact.replay``, pass the TRANSITIONS table and
    end where the fold left the contact."""
    monkeypatch.setattr(Recorder, "events", [])
    monkeypatch.setattr(twilio, "EventFolder", Recorder)
    contacts = {c["contact_id"]: c for c in run().contact_dicts()}
    stories: dict[str, list[ContactEvent]] = {}
    for event in Recorder.events:
        if isinstance(event, ContactEvent):
            stories.setdefault(event.contact_id, []).append(event)
    assert sorted(stories) == sorted(contacts)
    states = {cid: Contact.replay(story).state.value for cid, story in stories.items()}
    assert states == {cid: c["state"] for cid, c in contacts.items()}
    assert states == {
        "twilio:WT1": "ended",
        "twilio:WT2": "abandoned",
        "twilio:WT3": "ended",
        "twilio:WT4": "queued",
    }
    agents = [e for e in Recorder.events if isinstance(e, AgentStateChanged)]
    assert [(e.state, e.previous) for e in agents] == [
        ("available", "logged_out"),
        ("break", "available"),
        ("logged_out", "break"),
    ]


def line(sid: str, kind: str, at: str, **data: Any) -> str:
    event = {"sid": sid, "event_type": kind, "event_date": f"2025-12-01T{at}Z", "event_data": data}
    return json.dumps(event) + "\n"


def test_a_transfer_leg_a_task_across_files_and_events_that_do_not_fit(tmp_path: Path) -> None:
    """A task whose ``transferMeta.originalTask`` names another arrives transferred in; a task
    met in two files is one story; events that do not fit a task's state are only noted."""
    leg = {"task_attributes": json.dumps({"transferMeta": {"originalTask": "WT1"}})}
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    first.write_text(
        line("E1", "task.created", "10:00:00", task_sid="WT5", task_channel_unique_name="chat")
        + line("E2", "task-queue.entered", "10:00:00", task_sid="WT5", task_queue_name="q")
        + line("E3", "task.wrapup", "10:00:05", task_sid="WT5")
        + line("E4", "task.created", "10:01:00", task_sid="WT6", **leg)
        + line("E5", "task-queue.entered", "10:01:00", task_sid="WT6", task_queue_name="q")
        + line("E6", "task.canceled", "10:01:09", task_sid="WT6")
        + line("E7", "reservation.canceled", "10:01:09", task_sid="WT6", worker_name="amy")
        + line("E8", "task.created", "10:02:00", task_sid="WT7", task_channel_unique_name="video")
        + line("E9", "task.created", "10:03:00", task_sid="WT8", task_channel_unique_name="default")
    )
    second.write_text(
        line("F1", "reservation.accepted", "10:00:20", task_sid="WT5", worker_name="amy")
        + line("F2", "task.completed", "10:02:20", task_sid="WT5")
        + line(
            "F3",
            "worker.activity.update",
            "10:00:00",
            worker_name="amy",
            worker_activity_name="Idle",
        )
        + line(
            "F4",
            "worker.activity.update",
            "10:01:00",
            worker_name="amy",
            worker_activity_name="Idle",
        )
        + line(
            "F5",
            "worker.activity.update",
            "09:59:00",
            worker_name="amy",
            worker_activity_name="Break",
        )
    )
    sink = run(first, second)
    visits = {v["contact_id"]: v for v in sink.visit_dicts()}
    five, six = visits["twilio:WT5"], visits["twilio:WT6"]
    assert (five["outcome"], five["wait_s"], five["conversation_s"], five["agent_id"]) == (
        "answered",
        20.0,
        120.0,
        "amy",
    )
    assert (five["offers"], five["acw_s"], five["talk_s"], five["channel"]) == (
        1,
        0.0,
        None,
        "chat",
    )
    assert (six["outcome"], six["transferred_in"], six["channel"]) == ("abandoned", True, "voice")
    contacts = {c["contact_id"]: c for c in sink.contact_dicts()}
    assert contacts["twilio:WT6"]["parent_contact_id"] == "twilio:WT1"
    assert contacts["twilio:WT6"]["transferred_in"] is True
    assert "twilio:WT7" not in contacts and "twilio:WT8" not in contacts
    assert [q[2] for q in sink.quarantined] == [
        "task_channel_unique_name: not a channel carecenter knows: 'video'",
        "task_channel_unique_name: not a channel carecenter knows: 'default'",
    ]
    assert sink.counts.notes["task.wrapup when the task was queued"] == 1
    assert sink.counts.notes["reservation.canceled when the task was abandoned"] == 1
    assert sink.counts.notes["worker.activity.update out of time order"] == 1
    assert [(i["state"], i["start_at"], i["end_at"]) for i in sink.interval_dicts()] == [
        ("available", utc(10, 0), None)
    ]


def test_a_default_channel_task_with_a_call_is_voice(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    call = {"task_attributes": json.dumps({"call_sid": "CA1", "from": "+1555"})}
    path.write_text(
        line(
            "E1",
            "task.created",
            "10:00:00",
            task_sid="WT9",
            task_channel_unique_name="default",
            **call,
        )
    )
    contacts = run(path).contact_dicts()
    assert [(c["contact_id"], c["channel"], c["customer_id"], c["visits"]) for c in contacts] == [
        ("twilio:WT9", "voice", "twilio:+1555", 0)
    ]
