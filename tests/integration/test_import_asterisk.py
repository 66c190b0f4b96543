"""``carecenter import asterisk-queue-log`` end to end: warehouse rows, quarantine, re-import."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import query
from tests.helpers import run_import as run
from typer.testing import CliRunner

from carecenter.adapters.settings import Settings
from carecenter.interfaces.cli.app import app
from carecenter.services.workspace import init_workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "asterisk"


def test_import_writes_facts_and_quarantines_bad_lines(workspace: Path) -> None:
    code, out, err = run(workspace, "asterisk-queue-log", str(FIXTURES / "queue_log"), "-f", "json")
    assert code == 3
    [summary] = json.loads(out)
    assert summary == {
        "file": "queue_log",
        "records": 44,
        "contacts": 10,
        "new": 10,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 3,
        "unknown": 1,
        "ignored": 1,
        "intervals": 16,
    }
    assert "3 records quarantined" in err
    assert "note: unknown: FANCYEVENT: 1" in err
    assert query(workspace, "SELECT count(*) FROM contact_facts") == [(12,)]
    assert query(workspace, "SELECT count(*) FROM agent_state_intervals") == [(16,)]
    rows = query(workspace, "SELECT file, line, reason FROM import_quarantine ORDER BY line")
    assert [(Path(str(f)).name, n, r) for f, n, r in rows] == [
        ("queue_log", 36, "fewer than 5 fields"),
        ("queue_log", 37, "time: not a number: 'abc'"),
        ("queue_log", 40, "CONNECT holdtime: not a number: 'soon'"),
    ]
    assert query(workspace, "SELECT kind FROM import_unknown") == [("FANCYEVENT",)]
    assert query(
        workspace,
        "SELECT count(*), avg(wait_s), avg(conversation_s) FROM contact_facts "
        "WHERE outcome = 'answered'",
    ) == [(5, 19.6, 80.0)]
    assert query(
        workspace,
        "SELECT epoch(enqueued_at), epoch(answered_at) FROM contact_facts "
        "WHERE contact_id = 'asterisk:c1'",
    ) == [(1764579610.0, 1764579622.0)]


def test_reimport_adds_nothing(workspace: Path) -> None:
    log = str(FIXTURES / "queue_log")
    run(workspace, "asterisk-queue-log", log)
    before = query(
        workspace,
        "SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM contact_facts), "
        "(SELECT count(*) FROM agent_state_intervals), (SELECT count(*) FROM import_quarantine)",
    )
    code, out, _ = run(workspace, "asterisk-queue-log", log, "-f", "json")
    assert code == 3
    [summary] = json.loads(out)
    assert (summary["new"], summary["updated"], summary["unchanged"]) == (0, 0, 10)
    after = query(
        workspace,
        "SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM contact_facts), "
        "(SELECT count(*) FROM agent_state_intervals), (SELECT count(*) FROM import_quarantine)",
    )
    assert after == before
    assert query(workspace, "SELECT count(*), sum(contacts_new) FROM import_log") == [(2, 10)]


def test_a_corrected_file_updates_rows_and_exits_0(workspace: Path, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    text = (FIXTURES / "queue_log").read_text()
    log.write_text(text)
    run(workspace, "asterisk-queue-log", str(log))
    clean = [ln for ln in text.splitlines() if ln.count("|") >= 4 and not ln.startswith("abc")]
    clean = [ln.replace("|CONNECT|soon|", "|CONNECT|5|") for ln in clean]
    clean = [
        ln.replace("|c3|sales|NONE|ABANDON|1|1|4", "|c3|sales|NONE|ABANDON|1|1|3") for ln in clean
    ]
    log.write_text("\n".join(clean) + "\n")
    code, out, _ = run(workspace, "asterisk-queue-log", str(log), "-f", "json")
    assert code == 0
    [summary] = json.loads(out)
    assert summary["quarantined"] == 0
    assert summary["updated"] == 1  # c3: its contact row is the same, its visit changed
    assert summary["new"] == 1  # c11 is there now (its CONNECT met without ENTERQUEUE)
    assert query(workspace, "SELECT count(*) FROM import_quarantine") == [(0,)]
    assert query(
        workspace, "SELECT wait_s FROM contact_facts WHERE contact_id = 'asterisk:c3'"
    ) == [(3.0,)]


def test_pipe_and_table_exports_give_the_same_warehouse(workspace: Path, tmp_path: Path) -> None:
    run(workspace, "asterisk-queue-log", str(FIXTURES / "queue_log"))
    pipe = query(workspace, "SELECT * FROM contact_facts ORDER BY contact_id, visit")
    other = tmp_path / "other"
    init_workspace(Settings(workspace=other))
    code, _, _ = run(
        other, "asterisk-queue-log", str(FIXTURES / "queue_log_table.csv"), "--tz", "Europe/Paris"
    )
    assert code == 3
    assert query(other, "SELECT * FROM contact_facts ORDER BY contact_id, visit") == pipe


def test_usage_errors_are_one_line(workspace: Path, tmp_path: Path) -> None:
    code, _, err = run(workspace, "nonsense", str(FIXTURES / "queue_log"))
    assert code == 2
    assert err.strip().splitlines() == [
        "error: unknown format 'nonsense'; formats are asterisk-queue-log, amazon-connect-ctr, "
        "twilio-taskrouter, zendesk-tickets, anonymous-bank, csv, ticket-events, "
        "servicenow-incidents, survey, complaints"
    ]
    code, _, err = run(workspace, "asterisk-queue-log", str(tmp_path / "missing"))
    assert code == 2
    assert err.strip() == f"error: {tmp_path / 'missing'}: no such file"
    code, _, err = run(
        workspace, "asterisk-queue-log", str(FIXTURES / "queue_log"), "--tz", "Mars/Base"
    )
    assert code == 2
    assert err.strip() == "error: --tz: unknown time zone 'Mars/Base'"


def test_progress_bar_goes_to_stderr(workspace: Path) -> None:
    code, out, _ = run(
        workspace, "asterisk-queue-log", str(FIXTURES / "queue_log"), "--progress", "-f", "json"
    )
    assert code == 3
    assert json.loads(out)[0]["contacts"] == 10


def test_a_call_in_progress_at_the_end_of_a_file_is_handled_once_a_later_import_ends_it(
    workspace: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "queue_log.1", tmp_path / "queue_log"
    first.write_text(
        "1764579610|p1|support|NONE|ENTERQUEUE||5551001|1\n"
        "1764579622|p1|support|Alice|CONNECT|12|p1-b|2\n"
        "1764579630|p2|support|NONE|ENTERQUEUE||5551002|1\n"
        "1764579640|p2|support|Bob|CONNECT|10|p2-b|2\n"
        "1764579740|p2|support|Bob|COMPLETECALLER|10|100|1\n"
    )
    second.write_text("1764579922|p1|support|Alice|COMPLETEAGENT|12|300|1\n")

    def report() -> dict[str, object]:
        result = CliRunner().invoke(
            app, ["report", "-w", str(workspace), "--interval", "all", "-f", "json"]
        )
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.stdout)[0])

    assert run(workspace, "asterisk-queue-log", str(first))[0] == 0
    assert query(
        workspace, "SELECT ended_at IS NULL, conversation_s FROM contact_facts ORDER BY 1 DESC"
    ) == [(True, None), (False, 100.0)]
    row = report()
    assert (row["answered"], row["handled"], row["aht_s"]) == (2, 1, 100.0)
    assert run(workspace, "asterisk-queue-log", str(second))[0] == 0
    row = report()
    assert (row["answered"], row["handled"], row["aht_s"]) == (2, 2, 200.0)
