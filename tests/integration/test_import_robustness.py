"""``carecenter import`` on the wrong file: a wrong format, an empty file, a directory, and a
record without any time; and an import that runs out of its memory."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import query
from tests.helpers import run_import as run


def test_a_file_of_another_format_is_one_line(workspace: Path, tmp_path: Path) -> None:
    csv = tmp_path / "calls.csv"
    csv.write_text("call_id,queue,start\n" + "".join(f"{i},support,09:00\n" for i in range(50)))
    code, _, err = run(workspace, "amazon-connect-ctr", str(csv))
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: {csv} does not look like an amazon-connect-ctr file "
        "(first line: 'call_id,queue,start'); nothing was imported from it"
    ]
    assert query(workspace, "SELECT count(*) FROM import_quarantine") == [(0,)]


def test_an_empty_file_says_it_is_empty(workspace: Path, tmp_path: Path) -> None:
    empty = tmp_path / "ctr.jsonl"
    empty.write_text("")
    code, _, err = run(workspace, "amazon-connect-ctr", str(empty))
    assert code == 2
    assert err.strip() == f"error: {empty}: the file is empty; nothing to import"


def test_a_directory_is_a_directory(workspace: Path, tmp_path: Path) -> None:
    code, _, err = run(workspace, "amazon-connect-ctr", str(tmp_path))
    assert code == 2
    assert err.strip() == f"error: {tmp_path}: a directory, not a file"


def test_a_json_record_without_any_time_is_quarantined(workspace: Path, tmp_path: Path) -> None:
    bare = tmp_path / "ctr.jsonl"
    bare.write_text('{"ContactId": "abc"}\n')
    code, _, err = run(workspace, "amazon-connect-ctr", str(bare))
    assert code == 3
    assert "1 records quarantined" in err
    assert query(workspace, "SELECT count(*) FROM contacts") == [(0,)]
    assert query(workspace, "SELECT line, reason FROM import_quarantine") == [
        (1, "InitiationTimestamp: missing")
    ]


def _calls(path: Path, calls: int) -> None:
    t = 1_764_579_600
    with path.open("w") as out:
        for n in range(calls):
            at = t + n
            out.write(f"{at}|c{n}|support|NONE|ENTERQUEUE||555{n:06d}|1\n")
            out.write(f"{at + 5}|c{n}|support|Agent/{n % 40}|CONNECT|5|c{n}.1|2\n")
            out.write(f"{at + 65}|c{n}|support|Agent/{n % 40}|COMPLETECALLER|5|60|1\n")


def _import_under(
    memory: str, calls: int, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    """Import a queue_log of ``calls`` calls with ``CARECENTER_IMPORT_MEMORY=memory``."""
    log = tmp_path / "queue_log"
    if not log.exists():
        _calls(log, calls)
    monkeypatch.setenv("CARECENTER_IMPORT_MEMORY", memory)
    code, _, err = run(workspace, "asterisk-queue-log", str(log))
    return code, err.strip()


def test_an_import_out_of_its_memory_is_one_line_and_keeps_nothing(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, err = _import_under("4MB", 30_000, workspace, tmp_path, monkeypatch)
    assert (code, err) == (
        1,
        "error: the import needs more memory than its limit (4MB); the file being read was "
        "rolled back: set CARECENTER_IMPORT_MEMORY higher (e.g. 2GB) and import again",
    )
    assert query(workspace, "SELECT count(*) FROM contacts") == [(0,)]
    assert query(workspace, "SELECT count(*) FROM import_log") == [(0,)]
    code, err = _import_under("64MB", 30_000, workspace, tmp_path, monkeypatch)
    assert code == 0, err
    assert query(workspace, "SELECT count(*) FROM contacts") == [(30_000,)]


def test_a_memory_limit_that_is_not_a_size_is_refused(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _import_under("lots", 2, workspace, tmp_path, monkeypatch) == (
        2,
        "error: CARECENTER_IMPORT_MEMORY: Value error, 'lots' is not a memory size: a number "
        "and a unit, e.g. 512MB",
    )
