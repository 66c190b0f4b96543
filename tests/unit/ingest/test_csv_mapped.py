"""The csv importer: a hand-written call list and its mapping file (Paris time, UTC+1).

Each row is translated into domain events and folded by the one fold, which decides the
outcome, wait, talk and state.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from carecenter.adapters.files import open_text
from carecenter.domain.contact import Contact
from carecenter.domain.events import ContactEvent
from carecenter.errors import InputError
from carecenter.ingest.common import MemorySink
from carecenter.ingest.csv_mapped import MappedCsv, read_mapping

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import" / "csv"


def utc(h: int, m: int, s: int) -> datetime:
    return datetime(2025, 12, 1, h, m, s, tzinfo=UTC)


def run() -> MemorySink:
    sink = MemorySink()
    importer = MappedCsv(read_mapping(FIXTURES / "mapping.yaml"))
    with open_text(FIXTURES / "calls.csv") as text:
        importer.read(text, sink)
    return sink


def test_rows_become_visits_with_derived_fields() -> None:
    visits = {v["contact_id"]: v for v in run().visit_dicts()}
    assert sorted(visits) == ["pbx:A1", "pbx:A2", "pbx:A3", "pbx:A4"]
    a1, a2, a3, a4 = (visits[f"pbx:A{i}"] for i in range(1, 5))
    assert (a1["outcome"], a1["wait_s"], a1["talk_s"]) == ("answered", 15.0, 300.0)
    assert (a1["enqueued_at"], a1["ended_at"]) == (utc(9, 0, 0), utc(9, 5, 15))
    assert (a1["agent_id"], a1["customer_id"], a1["offers"]) == ("Ann", "pbx:0611", 1)
    assert (a2["outcome"], a2["wait_s"], a2["abandoned_at"]) == ("abandoned", 40.0, utc(9, 1, 40))
    assert (a3["wait_s"], a3["talk_s"], a3["ended_at"]) == (30.0, 120.0, utc(9, 4, 30))
    assert a3["transferred_out"] is True
    assert (a4["outcome"], a4["wait_s"], a4["ended_at"]) == ("open", None, None)


def test_bad_rows_are_quarantined_and_repeated_rows_counted() -> None:
    sink = run()
    assert [(q[1], q[2]) for q in sink.quarantined] == [
        (6, "enqueued_at: not a time in format %d/%m/%Y %H:%M:%S: '31/12/2025 99:00:00'"),
        (
            7,
            "outcome: 'XXX' is not one of ['abandoned', 'answered', 'callback', 'exited', "
            "'flowed_out', 'open']",
        ),
    ]
    assert (sink.counts.records, sink.counts.unchanged) == (7, 1)
    contacts = {c["contact_id"]: c for c in sink.contact_dicts()}
    assert contacts["pbx:A2"]["state"] == "abandoned"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns: {contact_id: a}\n", r"mapping.yaml:1: columns: no column for queue_id"),
        ("columns: {contact_id: a, queue_id: b, colour: c}\n", "unknown field 'colour'"),
        ("source: x\ncolumns: [a\n", "not YAML"),
        ("columns: {contact_id: a, queue_id: b, enqueued_at: c}\nspeed: 3\n", "speed: unknown"),
    ],
)
def test_mapping_mistakes_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_mapping(path)


def test_a_column_missing_from_the_file_is_named(tmp_path: Path) -> None:
    data = tmp_path / "calls.csv"
    data.write_text("Call;Queue\nA1;x\n")
    importer = MappedCsv(read_mapping(FIXTURES / "mapping.yaml"))
    with pytest.raises(InputError, match="no column 'Agent'"), open_text(data) as text:
        importer.read(text, MemorySink())


def test_the_fold_decides_states_and_unmapped_durations_are_unknown() -> None:
    """The mapping names no hold or after-call work column: ``None``; talk is the fold's."""
    sink = run()
    visits = {v["contact_id"]: v for v in sink.visit_dicts()}
    assert {(v["hold_s"], v["acw_s"]) for v in visits.values()} == {(None, None)}
    assert visits["pbx:A1"]["conversation_s"] == 300.0
    states = {c["contact_id"]: c["state"] for c in sink.contact_dicts()}
    assert states == {
        "pbx:A1": "ended",
        "pbx:A2": "abandoned",
        "pbx:A3": "transferred",
        "pbx:A4": "queued",
    }


def test_every_row_is_a_legal_contact_story(stories: list[list[ContactEvent]]) -> None:
    """Each translated contact's events replay through Contact.replay (the TRANSITIONS table)."""
    states = {c["contact_id"]: c["state"] for c in run().contact_dicts()}
    assert len(stories) == 5  # A1 twice
    for story in stories:
        contact = Contact.replay(story)
        assert contact.state.value == states[contact.contact_id]


MAPPING = """\
source: crm
columns:
  contact_id: id
  visit: leg
  queue_id: queue
  agent_id: agent
  enqueued_at: queued
  answered_at: answered
  ended_at: ended
  hold_s: hold
  acw_s: acw
  outcome: result
  transferred_out: moved
"""


def run_rows(tmp_path: Path, rows: str) -> MemorySink:
    (tmp_path / "mapping.yaml").write_text(MAPPING)
    (tmp_path / "rows.csv").write_text(
        "id,leg,queue,agent,queued,answered,ended,hold,acw,result,moved\n" + rows
    )
    sink = MemorySink()
    importer = MappedCsv(read_mapping(tmp_path / "mapping.yaml"))
    with open_text(tmp_path / "rows.csv") as text:
        importer.read(text, sink)
    importer.finish(sink)
    return sink


def test_mapped_hold_and_after_call_work_reach_the_facts(tmp_path: Path) -> None:
    """Answered 10:00:20, ended 10:06:00 with 60 s hold and 40 s ACW: the conversation is
    5 min (to 10:05:20), talk 4 min; a blank hold or ACW in a mapped column is 0."""
    sink = run_rows(
        tmp_path,
        "x1,,sales,Ann,2025-12-01T10:00:00Z,2025-12-01T10:00:20Z,2025-12-01T10:06:00Z,60,40,,\n"
        "x2,,sales,Ann,2025-12-01T11:00:00Z,2025-12-01T11:00:05Z,2025-12-01T11:01:05Z,,,,\n",
    )
    x1, x2 = sink.visit_dicts()
    assert (x1["wait_s"], x1["conversation_s"], x1["talk_s"]) == (20.0, 300.0, 240.0)
    assert (x1["hold_s"], x1["acw_s"], x1["ended_at"]) == (60.0, 40.0, utc(10, 6, 0))
    assert (x2["talk_s"], x2["hold_s"], x2["acw_s"]) == (60.0, 0.0, 0.0)


def test_visits_of_one_contact_are_folded_together(tmp_path: Path) -> None:
    """Leg 2 (answered in billing) comes before leg 1 (answered in sales, transferred out):
    the contact has two visits, the second transferred in; x4's first leg was abandoned, so
    its second leg is quarantined."""
    sink = run_rows(
        tmp_path,
        "x3,2,billing,Bob,2025-12-01T10:03:00Z,2025-12-01T10:03:30Z,2025-12-01T10:08:00Z,,,,\n"
        "x3,1,sales,Ann,2025-12-01T10:00:00Z,2025-12-01T10:00:10Z,2025-12-01T10:02:50Z,,,,yes\n"
        "x4,1,sales,,2025-12-01T10:00:00Z,,2025-12-01T10:00:30Z,,,abandoned,\n"
        "x4,2,billing,,2025-12-01T10:01:00Z,,,,,,\n",
    )
    names = ("contact_id", "visit", "queue_id", "outcome", "wait_s", "agent_id")
    names += ("transferred_in", "transferred_out")
    legs = [tuple(v[n] for n in names) for v in sink.visit_dicts()]
    assert legs == [
        ("crm:x3", 1, "sales", "answered", 10.0, "Ann", False, True),
        ("crm:x3", 2, "billing", "answered", 30.0, "Bob", True, False),
        ("crm:x4", 1, "sales", "abandoned", 30.0, None, False, False),
    ]
    contacts = {c["contact_id"]: c for c in sink.contact_dicts()}
    assert (contacts["crm:x3"]["visits"], contacts["crm:x3"]["state"]) == (2, "ended")
    assert [(q[1], q[2]) for q in sink.quarantined] == [
        (5, "visit: visit 1 of crm:x4 ends without a transfer, so there is no visit 2")
    ]


@pytest.mark.parametrize(
    ("result", "outcome", "state"),
    [
        ("callback", "callback", "callback_requested"),
        ("exited", "exited", "ended"),
        ("flowed_out", "flowed_out", "transferred"),
        ("abandoned", "abandoned", "abandoned"),
    ],
)
def test_an_unanswered_outcome_is_the_event_that_ends_the_wait(
    tmp_path: Path, result: str, outcome: str, state: str
) -> None:
    sink = run_rows(
        tmp_path, f"x5,,sales,,2025-12-01T10:00:00Z,,2025-12-01T10:00:45Z,,,{result},\n"
    )
    [visit] = sink.visit_dicts()
    assert (visit["outcome"], visit["state"], visit["wait_s"]) == (outcome, state, 45.0)
    assert visit["ended_at"] == utc(10, 0, 45)


def test_an_answer_or_an_end_without_a_time_is_quarantined(tmp_path: Path) -> None:
    sink = run_rows(
        tmp_path,
        "x6,,sales,Ann,2025-12-01T10:00:00Z,,,,,answered,\n"
        "x7,,sales,,2025-12-01T10:00:00Z,,,,,abandoned,\n",
    )
    assert [(q[1], q[2]) for q in sink.quarantined] == [
        (2, "answered_at: empty (an answer needs answered_at or wait_s)"),
        (3, "ended_at: empty (abandoned needs an end, abandon or wait time)"),
    ]
    assert not sink.visits


def test_durations_are_read_like_every_duration_of_the_program(tmp_path: Path) -> None:
    """``1m`` and ``0:40`` are the same 60/40 s as ``60`` and ``40``; a word is quarantined."""
    sink = run_rows(
        tmp_path,
        "x1,,sales,Ann,2025-12-01T10:00:00Z,2025-12-01T10:00:20Z,2025-12-01T10:06:00Z,1m,0:40,,\n"
        "x2,,sales,Ann,2025-12-01T11:00:00Z,2025-12-01T11:00:05Z,2025-12-01T11:01:05Z,soon,,,\n",
    )
    (x1,) = sink.visit_dicts()
    assert (x1["hold_s"], x1["acw_s"], x1["talk_s"]) == (60.0, 40.0, 240.0)
    assert [(line, reason) for _, line, reason, _ in sink.quarantined] == [
        (3, "hold_s: not a duration or [H:]MM:SS: 'soon'")
    ]


@pytest.mark.parametrize("channel", ["web_form", "letter", "referral"])
def test_written_channels_beyond_email_are_accepted(tmp_path: Path, channel: str) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "source: complaints\ncolumns:\n  contact_id: id\n  queue_id: queue\n"
        "  channel: channel\n  topic: topic\n  enqueued_at: received\n",
        encoding="utf-8",
    )
    data = tmp_path / "complaints.csv"
    data.write_text(
        f"id,queue,channel,topic,received\nK1,complaints,{channel},fees,2025-12-01T09:00:00Z\n",
        encoding="utf-8",
    )
    sink = MemorySink()
    with open_text(data) as text:
        MappedCsv(read_mapping(mapping)).read(text, sink)
    assert sink.quarantined == []
    (visit,) = sink.visit_dicts()
    assert (visit["channel"], visit["topic"]) == (channel, "fees")
