"""The Amazon Connect importer on hand-written CTRs (2025-12-01, UTC).

c-1 answered by alice after 18 s (120 s talk, 15 s hold, 30 s after-call work), delivered four
times (an update, a duplicate and a stale copy); c-2 abandoned after 7 s; c-3 answered by bob
after 20 s, then transferred to c-4 at 09:05:00 (160 s after the answer: talk is the
conversation less hold, so 160 s, though Connect's AgentInteractionDuration says 150), answered
by carol in Billing after 40 s; c-5 sent on
unanswered after 20 s; c-6 never queued; a broken line and a record without ContactId.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from carecenter.adapters.files import open_text
from carecenter.ingest.amazon_connect import AmazonConnectCtr
from carecenter.ingest.common import MemorySink

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "import" / "amazon_connect"


def utc(h: int, m: int, s: int) -> datetime:
    return datetime(2025, 12, 1, h, m, s, tzinfo=UTC)


def run() -> MemorySink:
    sink = MemorySink()
    importer = AmazonConnectCtr()
    with open_text(FIXTURE / "ctr.jsonl") as text:
        importer.read(text, sink)
    importer.finish(sink)
    return sink


# contact, queue, outcome, wait, talk, hold, acw, agent, offers, in, out, ended
EXPECTED = [
    ("c-1", "Support", "answered", 18.0, 120.0, 15.0, 30.0, "alice", 1, False, False, utc(9, 3, 3)),
    ("c-2", "Support", "abandoned", 7.0, 0.0, 0.0, 0.0, None, 0, False, False, utc(9, 1, 7)),
    ("c-3", "Support", "answered", 20.0, 160.0, 0.0, 0.0, "bob", 2, False, True, utc(9, 5, 0)),
    ("c-4", "Billing", "answered", 40.0, 60.0, 0.0, 0.0, "carol", 1, True, False, utc(9, 6, 40)),
    ("c-5", "Support", "flowed_out", 20.0, 0.0, 0.0, 0.0, None, 0, False, True, utc(9, 10, 20)),
]


def table(sink: MemorySink) -> list[tuple[Any, ...]]:
    return [
        (
            v["contact_id"].removeprefix("amazon-connect:"),
            v["queue_id"],
            v["outcome"],
            v["wait_s"],
            v["talk_s"],
            v["hold_s"],
            v["acw_s"],
            v["agent_id"],
            v["offers"],
            v["transferred_in"],
            v["transferred_out"],
            v["ended_at"],
        )
        for v in sink.visit_dicts()
    ]


def test_ctrs_become_visits() -> None:
    assert table(run()) == EXPECTED


def test_transfers_link_contacts_and_self_service_has_no_visit() -> None:
    contacts = {c["contact_id"]: c for c in run().contact_dicts()}
    assert len(contacts) == 6
    assert contacts["amazon-connect:c-4"]["parent_contact_id"] == "amazon-connect:c-3"
    assert contacts["amazon-connect:c-3"]["state"] == "transferred"
    assert contacts["amazon-connect:c-6"]["visits"] == 0
    assert contacts["amazon-connect:c-1"]["customer_id"] == "amazon-connect:+15550001"


def test_at_least_once_delivery_keeps_the_latest_update() -> None:
    sink = run()
    assert sink.counts.unchanged == 2  # the exact copy and the stale copy
    assert sink.counts.notes["CTRs replaced by a later update"] == 1
    assert sink.counts.records == 11


def test_broken_records_are_quarantined() -> None:
    sink = run()
    assert [(q[1], q[2]) for q in sink.quarantined] == [
        (8, "not JSON: Expecting property name enclosed in double quotes"),
        (9, "ContactId: missing"),
    ]
