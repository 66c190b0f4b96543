"""The TaskRouter importer on a hand-written event stream (2025-12-01, UTC).

WT1: offered to alice (rejected), then bob, who accepts after 15 s (2 offers), talks 180 s and
wraps up 30 s. WT2: a chat cancelled after 4 s (abandoned). WT3: alice answers after 20 s,
transfers after 120 s to billing, where carol answers after 30 s, talks 120 s, wraps up 10 s.
WT4: times out of support after 60 s and waits in overflow. Alice is available 09:55-10:10
and at lunch 10:10-10:40. One event is delivered twice; one is of an unknown type; two are bad.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from carecenter.adapters.files import open_text
from carecenter.ingest.common import MemorySink
from carecenter.ingest.twilio import TwilioTaskRouter

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "import" / "twilio"


def utc(h: int, m: int, s: int = 0) -> datetime:
    return datetime(2025, 12, 1, h, m, s, tzinfo=UTC)


def run() -> MemorySink:
    sink = MemorySink()
    importer = TwilioTaskRouter()
    with open_text(FIXTURE / "events.jsonl") as text:
        importer.read(text, sink)
    importer.finish(sink)
    return sink


# task, visit, queue, outcome, wait, talk, acw, agent, offers, in, out
EXPECTED = [
    ("WT1", 1, "support", "answered", 15.0, 180.0, 30.0, "bob", 2, False, False),
    ("WT2", 1, "support", "abandoned", 4.0, 0.0, 0.0, None, 0, False, False),
    ("WT3", 1, "support", "answered", 20.0, 120.0, 0.0, "alice", 1, False, True),
    ("WT3", 2, "billing", "answered", 30.0, 120.0, 10.0, "carol", 1, True, False),
    ("WT4", 1, "support", "flowed_out", 60.0, 0.0, 0.0, None, 0, False, True),
    ("WT4", 2, "overflow", "open", None, 0.0, 0.0, None, 0, True, False),
]


def table(sink: MemorySink) -> list[tuple[Any, ...]]:
    return [
        (
            v["contact_id"].removeprefix("twilio:"),
            v["visit"],
            v["queue_id"],
            v["outcome"],
            v["wait_s"],
            v["talk_s"],
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
    assert sink.counts.duplicates == 1
    assert [(u[1], u[2]) for u in sink.unknowns] == [(29, "workflow.target-matched")]
    assert [q[2] for q in sink.quarantined] == [
        "event_type: missing",
        "not JSON: Expecting property name enclosed in double quotes",
    ]
    assert sink.counts.records == 32
