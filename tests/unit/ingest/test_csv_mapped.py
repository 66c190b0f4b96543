"""The csv importer: a hand-written call list and its mapping file (Paris time, UTC+1)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from carecenter.adapters.files import open_text
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
    assert (sink.counts.records, sink.counts.duplicates) == (7, 1)
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
