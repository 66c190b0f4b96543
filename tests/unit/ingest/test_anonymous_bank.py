"""The Anonymous Bank importer on a hand-written file in the same format (March 1999, UTC+2).

Rows: 100 answered at once; 101 abandoned after 5 s; 102 answered after 34 s; 103 answered at
once with no server name; 104 hung up in the VRU; 105 a phantom; 200 queued before midnight
and answered after it; 201 entered the queue at exactly midnight; 202 abandoned after 120 s;
203-206 malformed (outcome, clock, priority, missing fields); 207 answered with no service.

Each line is translated into the events of one contact and folded by the one fold. A call
answered by ``NO_SERVER`` (103, 207) is answered by an agent the file does not name: its
``contact.answered`` carries the agent id ``""``, which the fold writes as unknown (``None``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from carecenter.adapters.files import open_text
from carecenter.domain.contact import Contact
from carecenter.domain.events import ContactEvent
from carecenter.ingest.anonymous_bank import AnonymousBank
from carecenter.ingest.common import MemorySink

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "import" / "anonymous_bank"


def utc(day: int, h: int, m: int, s: int) -> datetime:
    return datetime(1999, 3, day, h, m, s, tzinfo=UTC)


# call, queue, tier, outcome, wait, talk, agent, enqueued (UTC), answered-or-abandoned (UTC)
EXPECTED = [
    ("100", "PS", "unidentified", "answered", 0, 166, "RUTH", utc(1, 5, 2, 55), utc(1, 5, 2, 55)),
    ("101", "PS", "priority", "abandoned", 5, 0, None, utc(1, 6, 9, 22), utc(1, 6, 9, 27)),
    ("102", "NW", "regular", "answered", 34, 104, "NAOMI", utc(1, 6, 19, 47), utc(1, 6, 20, 21)),
    ("103", "PS", "unidentified", "answered", 0, 5, None, utc(1, 6, 31, 54), utc(1, 6, 31, 54)),
    ("200", "NE", "priority", "answered", 30, 180, "RUTH", utc(1, 21, 59, 46), utc(1, 22, 0, 16)),
    ("201", "PS", "unidentified", "answered", 27, 67, "NAOMI", utc(1, 22, 0, 0), utc(1, 22, 0, 27)),
    ("202", "TT", "unidentified", "abandoned", 120, 0, None, utc(2, 8, 0, 2), utc(2, 8, 2, 2)),
    ("207", "PE", "priority", "answered", 20, 0, None, utc(2, 9, 0, 6), utc(2, 9, 0, 26)),
]


def run() -> MemorySink:
    sink = MemorySink()
    importer = AnonymousBank()
    with open_text(FIXTURE / "sample.tsv") as text:
        importer.read(text, sink)
    importer.finish(sink)
    return sink


def table(sink: MemorySink) -> list[tuple[Any, ...]]:
    out = []
    for v in sink.visit_dicts():
        left = v["answered_at"] or v["abandoned_at"]
        call = v["contact_id"].rsplit("-", 1)[1]
        out.append(
            (
                call,
                v["queue_id"],
                v["tier"],
                v["outcome"],
                v["wait_s"],
                v["talk_s"],
                v["agent_id"],
                v["enqueued_at"],
                left,
            )
        )
    return sorted(out)


def test_calls_become_visits_as_documented() -> None:
    assert table(run()) == EXPECTED


def test_vru_hang_ups_are_contacts_without_a_visit_and_phantoms_are_ignored() -> None:
    sink = run()
    contacts = {c["contact_id"]: c for c in sink.contact_dicts()}
    assert len(contacts) == 9
    vru = contacts["anonymous-bank:990301-AB0101-104"]
    assert (vru["visits"], vru["state"], vru["ended_at"]) == (0, "ended", utc(1, 7, 15, 5))
    assert not any(c.endswith("-105") for c in contacts)
    assert sink.counts.ignored == 1
    assert contacts["anonymous-bank:990301-AB0101-101"]["customer_id"] == "anonymous-bank:11111111"
    assert contacts["anonymous-bank:990301-AB0101-100"]["customer_id"] is None


def test_malformed_rows_are_quarantined_with_line_and_reason() -> None:
    sink = run()
    assert [(q[1], q[2]) for q in sink.quarantined] == [
        (11, "outcome: not AGENT, HANG or PHANTOM: 'LOST'"),
        (12, "time: not H:MM:SS: '25:05:00'"),
        (13, "priority: not 0, 1 or 2: '7'"),
        (14, "missing fields"),
    ]
    assert sink.counts.records == 14


def test_benchmarks_by_hand() -> None:
    visits = run().visit_dicts()
    answered = [v for v in visits if v["outcome"] == "answered"]
    abandoned = [v for v in visits if v["outcome"] == "abandoned"]
    assert (len(answered) + len(abandoned), len(answered), len(abandoned)) == (8, 6, 2)
    assert sum(v["wait_s"] for v in answered) / 6 == pytest.approx(18.5)
    assert sum(v["talk_s"] for v in answered) / 6 == pytest.approx(87.0)
    assert all(v["ended_at"] == v["answered_at"] + _s(v["talk_s"]) for v in answered)


def test_what_the_file_does_not_record_is_unknown() -> None:
    """No hold and no after-call work in the file: ``None``; the conversation is the service."""
    visits = run().visit_dicts()
    assert {(v["hold_s"], v["acw_s"]) for v in visits} == {(None, None)}
    for v in visits:
        expected = v["talk_s"] if v["outcome"] == "answered" else None
        assert v["conversation_s"] == expected


def test_states_come_from_the_fold() -> None:
    sink = run()
    states = {c["contact_id"].rsplit("-", 1)[1]: c["state"] for c in sink.contact_dicts()}
    assert states == {
        "100": "ended",
        "101": "abandoned",
        "102": "ended",
        "103": "ended",
        "104": "ended",
        "200": "ended",
        "201": "ended",
        "202": "abandoned",
        "207": "ended",
    }
    assert {(v["state"], v["outcome"]) for v in sink.visit_dicts()} == {
        ("ended", "answered"),
        ("abandoned", "abandoned"),
    }
    assert sink.counts.notes["hung up in the VRU (no visit)"] == 1
    assert sink.counts.notes["ignored: PHANTOM (virtual call)"] == 1


def test_every_story_follows_the_contact_life_cycle(stories: list[list[ContactEvent]]) -> None:
    """Each translated contact's events replay through Contact.replay (the TRANSITIONS table)."""
    states = {c["contact_id"]: c["state"] for c in run().contact_dicts()}
    assert len(stories) == len(states) == 9
    for story in stories:
        contact = Contact.replay(story)
        assert contact.state.value == states[contact.contact_id]


def _s(seconds: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=seconds)
