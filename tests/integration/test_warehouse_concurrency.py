"""Several processes on one workspace (docs/explanation/concurrency.md), with real processes.

A child process holds the warehouse file (for writing, or read-only beside others) while
``carecenter`` commands run in other processes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

import carecenter
from carecenter.interfaces.cli.app import app

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read")
print("holding", flush=True)
time.sleep(float(sys.argv[3]))
con.close()
print("released", time.time(), flush=True)
"""
QUEUE_LOG = Path(__file__).parents[1] / "fixtures" / "import" / "asterisk" / "queue_log"
SRC = str(Path(carecenter.__file__).resolve().parents[1])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("concurrency") / "ws"
    for args in (
        ["init", str(root)],
        ["import", "asterisk-queue-log", str(QUEUE_LOG), "-w", str(root)],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code in (0, 3), result.stderr  # 3: the fixture has bad records
    return root


@contextmanager
def holding(path: Path, mode: str, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """A child process that opens ``path`` (``write`` or ``read``) and keeps it ``seconds``."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), mode, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "holding"
        yield child
    finally:
        child.kill()
        child.communicate()


def carecenter_cli(*args: str, timeout_s: float) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]),
        "CARECENTER_LOCK_TIMEOUT": str(timeout_s),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "carecenter", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str, float]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err, time.time()


def test_a_report_waits_for_a_writer_that_finishes(workspace: Path) -> None:
    warehouse = workspace / "warehouse.duckdb"
    with holding(warehouse, "write", 4) as writer:
        report = carecenter_cli("report", "-w", str(workspace), "-f", "csv", timeout_s=60)
        code, out, err, done_at = finish(report)
        assert writer.stdout is not None
        released_at = float(writer.stdout.readline().split()[1])
    assert code == 0, err
    assert out.startswith("interval_start,") and len(out.splitlines()) > 1
    assert done_at > released_at


def test_a_command_that_cannot_get_the_warehouse_names_the_holder(workspace: Path) -> None:
    warehouse = workspace / "warehouse.duckdb"
    with holding(warehouse, "write", 120) as writer:
        started = time.monotonic()
        code, out, err, _ = finish(carecenter_cli("info", "-w", str(workspace), timeout_s=0.5))
        waited = time.monotonic() - started
        report_code, _, report_err, _ = finish(
            carecenter_cli("report", "-w", str(workspace), timeout_s=0.2)
        )
    assert code == 75 and out == "" and waited >= 0.5
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.fullmatch(
        rf"error: {re.escape(str(warehouse))} is in use by process {writer.pid} "
        r"\(python[\d.]* -c import sys, time, duckdb con = .*\); tried for 0\.5 s\n",
        err,
    ), err
    assert report_code == 75 and f"process {writer.pid} " in report_err
    assert report_err.rstrip().endswith("tried for 0.2 s")


def test_readers_share_the_warehouse_and_a_writer_waits_for_them(workspace: Path) -> None:
    warehouse = workspace / "warehouse.duckdb"
    with holding(warehouse, "read", 120) as reader:
        report = carecenter_cli("report", "-w", str(workspace), "-f", "json", timeout_s=0.5)
        info = carecenter_cli("info", "-w", str(workspace), "-f", "json", timeout_s=0.5)
        results = [finish(p) for p in (report, info)]
        code, _, err, _ = finish(carecenter_cli("project", "-w", str(workspace), timeout_s=0.5))
    for rc, out, err_text, _ in results:
        assert rc == 0, err_text
        assert out.strip()
    assert code == 75 and f"in use by process {reader.pid} " in err


def test_commands_that_need_no_facts_do_not_open_the_warehouse(workspace: Path) -> None:
    with holding(workspace / "warehouse.duckdb", "write", 120):
        code, out, err, _ = finish(
            carecenter_cli("config", "apply", "-w", str(workspace), timeout_s=0.1)
        )
    assert code == 0, err
    assert out.startswith("applied ")
