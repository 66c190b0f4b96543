"""``carecenter import`` of each JSON and CSV format into a workspace: facts, counts, exit codes."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from tests.helpers import query
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def run(workspace: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(app, ["import", *args, "--workspace", str(workspace), "-f", "json"])
    rows = json.loads(result.stdout) if result.stdout.strip() else []
    return result.exit_code, rows, result.stderr


@pytest.mark.parametrize(
    ("fmt", "path", "extra", "contacts", "visits", "quarantined", "repeats"),
    [
        ("amazon-connect-ctr", "amazon_connect/ctr.jsonl", [], 6, 5, 2, 2),
        ("twilio-taskrouter", "twilio/events.jsonl", [], 4, 6, 2, 1),
        ("zendesk-tickets", "zendesk/tickets.json", [], 4, 4, 2, 1),
        ("csv", "csv/calls.csv", ["--mapping", str(FIXTURES / "csv/mapping.yaml")], 4, 4, 2, 1),
        ("anonymous-bank", "anonymous_bank/sample.tsv", [], 9, 8, 4, 0),
    ],
)
def test_each_format_imports_and_reimports_nothing_new(
    workspace: Path,
    fmt: str,
    path: str,
    extra: list[str],
    contacts: int,
    visits: int,
    quarantined: int,
    repeats: int,
) -> None:
    """``repeats``: records the file itself delivers more than once."""
    code, rows, err = run(workspace, fmt, str(FIXTURES / path), *extra)
    assert code == 3, err
    assert (rows[0]["contacts"], rows[0]["quarantined"]) == (contacts, quarantined)
    assert query(workspace, "SELECT count(*) FROM contact_facts") == [(visits,)]
    assert query(workspace, "SELECT count(*) FROM import_quarantine") == [(quarantined,)]
    code, rows, _ = run(workspace, fmt, str(FIXTURES / path), *extra)
    assert code == 3
    assert (rows[0]["new"], rows[0]["updated"]) == (0, 0)
    assert rows[0]["unchanged"] == contacts + repeats
    assert query(workspace, "SELECT count(*) FROM contact_facts") == [(visits,)]


def test_twilio_intervals_and_zendesk_metrics_reach_the_warehouse(workspace: Path) -> None:
    run(workspace, "twilio-taskrouter", str(FIXTURES / "twilio/events.jsonl"))
    assert query(
        workspace, "SELECT agent_id, state, reason, duration_s FROM agent_state_intervals"
    ) == [("alice", "available", None, 900.0), ("alice", "break", "Lunch", 1800.0)]
    run(workspace, "zendesk-tickets", str(FIXTURES / "zendesk/tickets.json"))
    assert query(
        workspace,
        "SELECT contact_id, reopens, satisfaction_score FROM zendesk_ticket_metrics "
        "ORDER BY contact_id",
    ) == [
        ("zendesk:1", 1, 5),
        ("zendesk:2", 0, 1),
        ("zendesk:3", None, None),
        ("zendesk:5", 0, None),
    ]
    answers = "SELECT survey_id, question, score, scale_max, contact_id FROM survey_answers"
    expected = [("zendesk:1", "csat", 5, 5, "zendesk:1"), ("zendesk:2", "csat", 1, 5, "zendesk:2")]
    assert query(workspace, answers + " ORDER BY survey_id") == expected
    run(workspace, "zendesk-tickets", str(FIXTURES / "zendesk/tickets.json"))  # re-import
    assert query(workspace, answers + " ORDER BY survey_id") == expected


def test_a_clean_file_exits_0_and_gz_is_read(workspace: Path, tmp_path: Path) -> None:
    lines = (FIXTURES / "asterisk/queue_log").read_text().splitlines(keepends=True)
    clean = [ln for ln in lines if ln.count("|") >= 4 and ln[0].isdigit() and "soon" not in ln]
    packed = tmp_path / "queue_log.gz"
    with gzip.open(packed, "wt") as handle:
        handle.write("".join(clean[:20]) + "\n" + "".join(clean[20:]))  # and a blank line
    code, rows, _ = run(workspace, "asterisk-queue-log", str(packed))
    assert code == 0
    assert (rows[0]["records"], rows[0]["contacts"], rows[0]["quarantined"]) == (41, 10, 0)


def test_the_csv_format_needs_its_mapping(workspace: Path, tmp_path: Path) -> None:
    code, _, err = run(workspace, "csv", str(FIXTURES / "csv/calls.csv"))
    assert code == 2
    assert "needs a mapping file (--mapping FILE)" in err
    bad = tmp_path / "calls.csv"
    shutil.copy(FIXTURES / "csv/calls.csv", bad)
    code, _, err = run(
        workspace, "asterisk-queue-log", str(bad), "--mapping", str(FIXTURES / "csv/mapping.yaml")
    )
    assert code == 2
    assert "--mapping is for the csv, ticket-events, survey and complaints formats" in err
