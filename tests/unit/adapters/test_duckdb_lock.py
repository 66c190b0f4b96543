"""Reading DuckDB's lock-conflict message and the holder's command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carecenter.adapters.duckdb_lock import command_line, connect, lock_holder
from carecenter.errors import WorkspaceError

MESSAGE = (
    'IO Error: Could not set lock on file "/srv/bank/warehouse.duckdb": Conflicting lock is '
    "held in /usr/bin/python3.11 (PID 12345) by user care. See also "
    "https://duckdb.org/docs/current/connect/concurrency"
)


def fake_proc(tmp_path: Path, pid: int, *argv: str) -> Path:
    (tmp_path / str(pid)).mkdir()
    (tmp_path / str(pid) / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    return tmp_path


def test_the_holder_is_parsed_from_the_message() -> None:
    holder = lock_holder(MESSAGE)
    assert holder is not None and (holder.pid, holder.program) == (12345, "/usr/bin/python3.11")
    assert lock_holder('IO Error: Cannot open database "x" in read-only mode') is None


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (
            ["/opt/cc/.venv/bin/python3", "/opt/cc/.venv/bin/carecenter", "import", "csv", "a.csv"],
            "carecenter import csv a.csv",
        ),
        (["python3.11", "-m", "carecenter", "report", "-w", "bank"], "carecenter report -w bank"),
        (["/usr/local/bin/carecenter", "serve"], "carecenter serve"),
        (["duckdb", "/srv/bank/warehouse.duckdb"], "duckdb /srv/bank/warehouse.duckdb"),
    ],
)
def test_command_lines_are_short(tmp_path: Path, argv: list[str], shown: str) -> None:
    assert command_line(4242, fake_proc(tmp_path, 4242, *argv)) == shown


def test_long_unreadable_and_own_command_lines(tmp_path: Path) -> None:
    long = command_line(7, fake_proc(tmp_path, 7, "carecenter", "import", "csv", *["f.csv"] * 40))
    assert long is not None and len(long) == 80 and long.endswith("...")
    assert command_line(8, tmp_path) is None
    assert command_line(os.getpid()) == "this process"


def test_a_reader_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="run `carecenter upgrade`"):
        connect(tmp_path / "none.duckdb", read_only=True)
    assert not (tmp_path / "none.duckdb").exists()
