"""Re-imports: exact new / updated / unchanged counts, and facts that only move forward (an
older, shorter copy of a log or an older version of a record never undoes a later event)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import COMPLETED_CALLS, connect_ctr, query
from typer.testing import CliRunner

from carecenter.adapters.settings import Settings
from carecenter.interfaces.cli.app import app
from carecenter.services.workspace import init_workspace

T0 = 1764579600  # 2025-12-01 09:00:00 UTC, the time of COMPLETED_CALLS


def run(workspace: Path, fmt: str, path: Path) -> tuple[int, dict[str, object], str]:
    args = ["import", fmt, str(path), "-f", "json", "--workspace", str(workspace)]
    result = CliRunner().invoke(app, args)
    [summary] = json.loads(result.stdout)
    return result.exit_code, summary, result.stderr


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def counts(summary: dict[str, object]) -> tuple[object, ...]:
    return summary["new"], summary["updated"], summary["unchanged"]


def test_a_record_whose_visit_changed_is_updated(workspace: Path, tmp_path: Path) -> None:
    log = write(tmp_path / "queue_log", COMPLETED_CALLS)
    assert counts(run(workspace, "asterisk-queue-log", log)[1]) == (2, 0, 0)
    assert counts(run(workspace, "asterisk-queue-log", log)[1]) == (0, 0, 2)
    # c2 waited 9 s, not 10: only its visit row changes
    write(log, [*COMPLETED_CALLS[:4], f"{T0 + 70}|c2|support|NONE|ABANDON|1|1|9"])
    code, summary, _ = run(workspace, "asterisk-queue-log", log)
    assert code == 0
    assert counts(summary) == (0, 1, 1)
    assert query(
        workspace, "SELECT wait_s FROM contact_facts WHERE contact_id = 'asterisk:c2'"
    ) == [(9.0,)]


def test_an_older_shorter_log_does_not_undo_a_completed_call(
    workspace: Path, tmp_path: Path
) -> None:
    run(workspace, "asterisk-queue-log", write(tmp_path / "queue_log", COMPLETED_CALLS))
    before = query(workspace, "SELECT * FROM contact_facts ORDER BY contact_id")
    contacts = query(workspace, "SELECT * FROM contacts ORDER BY contact_id")
    shorter = COMPLETED_CALLS[:2] + COMPLETED_CALLS[3:]  # c1 still talking
    older = write(tmp_path / "queue_log.old", shorter)
    code, summary, err = run(workspace, "asterisk-queue-log", older)
    assert code == 0
    assert counts(summary) == (0, 0, 2)
    assert "older copies ignored" in err
    assert query(workspace, "SELECT * FROM contact_facts ORDER BY contact_id") == before
    assert query(workspace, "SELECT * FROM contacts ORDER BY contact_id") == contacts
    assert query(
        workspace,
        "SELECT state, conversation_s FROM contact_facts WHERE contact_id = 'asterisk:c1'",
    ) == [("ended", 309.0)]
    # the longer log again moves c1 forward from a shorter copy
    query_reset = tmp_path / "ws2"
    init_workspace(Settings(workspace=query_reset))
    run(query_reset, "asterisk-queue-log", older)
    whole = write(tmp_path / "q", COMPLETED_CALLS)
    code, summary, _ = run(query_reset, "asterisk-queue-log", whole)
    assert counts(summary) == (0, 1, 1)


def test_an_older_ctr_version_in_a_later_run_does_not_replace_a_newer_one(
    workspace: Path, tmp_path: Path
) -> None:
    newer = write(tmp_path / "newer.jsonl", [connect_ctr("2025-12-01T09:30:00Z", 900)])
    older = write(tmp_path / "older.jsonl", [connect_ctr("2025-12-01T09:20:00Z", 847)])
    latest = write(tmp_path / "latest.jsonl", [connect_ctr("2025-12-01T09:40:00Z", 950)])
    assert counts(run(workspace, "amazon-connect-ctr", newer)[1]) == (1, 0, 0)
    code, summary, _ = run(workspace, "amazon-connect-ctr", older)
    assert (code, counts(summary)) == (0, (0, 0, 1))
    ended = "SELECT ended_at FROM contact_facts WHERE contact_id = 'amazon-connect:abc'"
    assert [str(r[0].time()) for r in query(workspace, ended)] == ["09:15:00"]  # type: ignore[union-attr]
    assert counts(run(workspace, "amazon-connect-ctr", latest)[1]) == (0, 1, 0)
    assert [str(r[0].time()) for r in query(workspace, ended)] == ["09:15:50"]  # type: ignore[union-attr]
