"""``carecenter import`` on the wrong file: a wrong format, an empty file, a directory, and a
record without any time."""

from __future__ import annotations

from pathlib import Path

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
