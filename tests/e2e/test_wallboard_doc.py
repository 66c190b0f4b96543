"""docs/how-to/wallboard.md runs as written: the set-up commands, then ``carecenter monitor``
as a real process, signed in to as the doc says."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.server import free_port, sign_in
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "wallboard.md"
pytestmark = pytest.mark.slow


def commands(section: str) -> list[str]:
    part = DOC.read_text().split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", part, flags=re.S)
    return [line[2:] for block in blocks for line in block.splitlines() if line.startswith("$ ")]


def test_the_how_to_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for line in commands("Set it up"):
        password = None
        if line.startswith("echo "):
            echoed, line = line.split(" | ", 1)
            password = shlex.split(echoed)[1]
        args = shlex.split(line)
        assert args[0] == "carecenter"
        result = runner.invoke(app, args[1:], input=f"{password}\n" if password else None)
        assert result.exit_code == 0, (line, result.output)
    [monitor, table] = commands("Run it")
    log = tmp_path / "queue_log"
    now = int(time.time())
    log.write_text(f"{now}|c1|billing|NONE|ENTERQUEUE||5551001|1\n")
    port = free_port()
    args = shlex.split(monitor.replace("/var/log/asterisk/queue_log", str(log)))
    args = [a if a != "8000" else str(port) for a in args]
    with (tmp_path / "monitor.log").open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "carecenter", *args[1:]], stdout=out, stderr=out
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "monitor.log").read_text()
            time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=10) as client:
            assert sign_in(client, "sue", "a long secret").status_code == 303
            assert client.get("/wallboard").status_code == 200
    finally:
        process.terminate()
        process.wait(30)
    # the table variant parses and fails in one line when the database is not there
    refused = runner.invoke(
        app,
        [*shlex.split(table.replace("db.example", "127.0.0.1:1"))[1:], "-w", "mycenter"],
    )
    assert refused.exit_code == 69, refused.output
    assert "Traceback" not in refused.output
