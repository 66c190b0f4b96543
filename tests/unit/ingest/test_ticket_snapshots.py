"""The ServiceNow incident log importer on a hand-written sample (March 2016, times in UTC).

INC0000045: phone, picked up at 09:30, resolved 11:00, closed 6/3. INC0000047: e-mail, on
hold (Awaiting User Info) 09:00-11:00, resolved 12:00, the source says its SLA was missed.
INC0000052: self service, resolved 3/3 (its row carries the final ``resolved_at`` of 4/3
16:00, later than the row itself), reopened 4/3 09:00, resolved again 4/3 16:00.
INC0000060: IVR, no assignment group, still awaiting the vendor since 10:00 (last row
13:00). INC0000071: direct opening, assigned while New, a ``-100`` row, a row with a bad
time, resolved 16:30 without ``resolved_at``. A row without number.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.adapters.files import open_text
from carecenter.adapters.settings import Settings
from carecenter.domain.tickets import TicketFact, TicketSpell
from carecenter.errors import InputError
from carecenter.ingest import FORMATS, ImportOptions, make_importer
from carecenter.ingest.common import FileCounts, MemorySink
from carecenter.ingest.ticket_snapshots import ServiceNowIncidents
from carecenter.interfaces.cli.app import app
from carecenter.services.workspace import init_workspace

SAMPLE = (
    Path(__file__).resolve().parents[2] / "fixtures" / "import" / "servicenow" / "incidents.csv"
)


def at(day: int, h: int, m: int = 0) -> datetime:
    return datetime(2016, 3, day, h, m, tzinfo=UTC)


def read(importer: ServiceNowIncidents, sink: MemorySink, *paths: Path) -> MemorySink:
    for path in paths:
        sink.counts = FileCounts("servicenow", str(path))
        with open_text(path) as text:
            importer.read(text, sink)
    importer.finish(sink)
    return sink


def run(*paths: Path, time_zone: str | None = None) -> MemorySink:
    return read(ServiceNowIncidents(time_zone=time_zone), MemorySink(), *(paths or (SAMPLE,)))


def fact(sink: MemorySink, number: str) -> TicketFact:
    return sink.ticket_facts[f"servicenow:{number}"]


def spans(sink: MemorySink, number: str) -> list[tuple[datetime, datetime | None]]:
    return [(s.opened_at, s.closed_at) for s in sink.ticket_spells[f"servicenow:{number}"]]


def test_each_incident_s_times_and_counts() -> None:
    sink = run()
    # number: created, first response, resolved, closed, state, reopens, on hold, sla, activities
    expected = {
        "INC0000045": (at(1, 9), at(1, 9, 30), at(1, 11), at(6, 12), "closed", 0, 0.0, True, 6),
        "INC0000047": (at(2, 8), at(2, 8, 20), at(2, 12), at(7, 12), "closed", 0, 7200.0, False, 8),
        "INC0000052": (at(3, 10), at(3, 10, 45), at(4, 16), at(9, 17), "closed", 1, 0.0, True, 9),
        "INC0000060": (at(5, 7, 30), at(5, 9), None, None, "waiting", 0, 10800.0, None, 6),
        "INC0000071": (at(8, 14), at(8, 15), at(8, 16, 30), None, "resolved", 0, 0.0, None, 5),
    }
    got = {
        number.removeprefix("servicenow:"): (
            f.created_at,
            f.first_response_at,
            f.resolved_at,
            f.closed_at,
            f.state,
            f.reopens,
            f.on_hold_s,
            f.sla_met,
            f.activities,
        )
        for number, f in sink.ticket_facts.items()
    }
    assert got == expected
    assert (sink.counts.records, sink.counts.quarantined) == (30, 2)
    assert (sink.counts.contacts_new, sink.counts.contacts_updated) == (5, 0)
    reasons = sorted(reason for _, _, reason, _ in sink.quarantined)
    assert reasons == [
        "number: empty",
        "sys_updated_at: not a time like 29/2/2016 01:16: '8/3/2016 25:61'",
    ]


def test_durations_are_from_creation() -> None:
    sink = run()
    f = fact(sink, "INC0000052")
    assert (f.first_response_s, f.resolution_s, f.resolution_wall_s) == (2700.0, 108000.0, 108000.0)
    f = fact(sink, "INC0000047")
    assert (f.first_response_s, f.resolution_s) == (1200.0, 14400.0)
    f = fact(sink, "INC0000060")
    assert (f.first_response_s, f.resolution_s) == (5400.0, None)


def test_a_reopen_opens_a_second_spell_and_a_resolution_is_never_after_its_row() -> None:
    sink = run()
    assert spans(sink, "INC0000052") == [(at(3, 10), at(3, 14)), (at(4, 9), at(4, 16))]
    assert spans(sink, "INC0000045") == [(at(1, 9), at(1, 11))]
    assert spans(sink, "INC0000060") == [(at(5, 7, 30), None)]


def test_attributes_queue_channel_and_priority() -> None:
    sink = run()
    rows = {
        n: (f.queue_id, f.channel, f.priority, f.topic, f.customer_id, f.agent_id)
        for n, f in ((n, fact(sink, n)) for n in ("INC0000045", "INC0000052", "INC0000060"))
    }
    assert rows == {
        "INC0000045": (
            "Group 70",
            "voice",
            "3 - Moderate",
            "Category 55",
            "Caller 2403",
            "Resolver 31",
        ),
        "INC0000052": (
            "Group 56",
            "web_form",
            "2 - High",
            "Category 20",
            "Caller 3765",
            "Resolver 12",
        ),
        "INC0000060": (
            "servicenow",
            "voice",
            "4 - Low",
            "Category 42",
            "Caller 4416",
            "Resolver 7",
        ),
    }
    assert fact(sink, "INC0000047").channel == "email"
    assert fact(sink, "INC0000071").channel == "email"  # direct opening: the fold's default
    assert {s.queue_id for s in sink.ticket_spells["servicenow:INC0000060"]} == {"servicenow"}


def test_only_the_first_active_row_with_an_assignee_is_the_first_response() -> None:
    sink = run()
    kinds = sorted(
        (e.occurred_at, e.activity.value, e.label)
        for e in sink.ticket_activities["servicenow:INC0000052"]
    )
    # stored as read: the first response is made when folding
    assert [k for _, k, _ in kinds].count("replied") == 0
    assert (at(4, 9), "reopened", "reopen 1") in kinds
    assert (at(4, 11), "reopened", "reopen 1") not in kinds  # the file's earliest only


def test_times_are_read_in_the_zone_given() -> None:
    sink = run(time_zone="Europe/Rome")  # UTC+1 in early March
    f = fact(sink, "INC0000045")
    assert (f.created_at, f.resolved_at) == (at(1, 8), at(1, 10))
    assert f.first_response_s == 1800.0


def test_reading_the_file_again_changes_nothing() -> None:
    importer = ServiceNowIncidents()
    sink = read(importer, MemorySink(), SAMPLE)
    facts, activities = (
        dict(sink.ticket_facts),
        {k: set(v) for k, v in sink.ticket_activities.items()},
    )
    read(importer, sink, SAMPLE)
    assert (sink.counts.contacts_new, sink.counts.contacts_updated, sink.counts.unchanged) == (
        0,
        0,
        5,
    )
    assert sink.ticket_facts == facts
    assert sink.ticket_activities == activities


def split(tmp_path: Path, at_row: int) -> tuple[Path, Path]:
    header, *rows = SAMPLE.read_text().splitlines(keepends=True)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(header + "".join(rows[:at_row]))
    second.write_text(header + "".join(rows[at_row:]))
    return first, second


@pytest.mark.parametrize("at_row", [10, 16, 17])
def test_the_rows_split_in_two_files_read_in_reverse_give_the_same_facts(
    tmp_path: Path, at_row: int
) -> None:
    """16 splits INC0000052 between its reopening row and the next one of the same count."""
    whole = run()
    first, second = split(tmp_path, at_row)
    parts = run(second, first)
    assert parts.ticket_facts == whole.ticket_facts
    spells: dict[str, list[TicketSpell]] = parts.ticket_spells
    assert spells == whole.ticket_spells


def test_a_file_without_the_log_s_columns_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("case,activity,time\n1,open,2016-03-01 09:00\n")
    with pytest.raises(InputError, match="no column 'number'"):
        run(other)


def test_the_format_is_registered() -> None:
    assert "servicenow-incidents" in FORMATS
    importer = make_importer(
        "servicenow-incidents", ImportOptions(time_zone=None, center_time_zone="Europe/Rome")
    )
    assert isinstance(importer, ServiceNowIncidents)
    assert importer.rules.default_queue == "servicenow"
    assert str(importer.zone) == "Europe/Rome"


def test_the_warehouse_keeps_the_same_facts_whatever_the_files(tmp_path: Path) -> None:
    """Through the DuckDB sink: a second import is all unchanged; split files in reverse
    give the facts of the whole file."""

    def imported(root: Path, *paths: Path) -> list[dict[str, object]]:
        args = ["import", "servicenow-incidents", *map(str, paths), "-w", str(root), "-f", "json"]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 3, result.stderr  # 3: quarantined rows
        rows: list[dict[str, object]] = json.loads(result.stdout)
        return rows

    def facts(root: Path) -> list[tuple[object, ...]]:
        import duckdb

        with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as conn:
            return conn.execute("SELECT * FROM ticket_facts ORDER BY ticket_id").fetchall()

    one, two = tmp_path / "one", tmp_path / "two"
    for root in (one, two):
        init_workspace(Settings(workspace=root))
    imported(one, SAMPLE)
    again = imported(one, SAMPLE)[0]
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 5)
    first, second = split(tmp_path, 16)
    imported(two, second, first)
    assert facts(two) == facts(one)
    assert len(facts(one)) == 5
