"""The csv example of docs/how-to/import.md runs as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from carecenter.adapters.settings import Settings
from carecenter.interfaces.cli.app import app
from carecenter.services.workspace import init_workspace

DOC = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "import.md"


def block(section: str, language: str) -> str:
    part = DOC.read_text().split(f"## {section}\n", 1)[1]
    found = re.search(rf"```{language}\n(.*?)```", part, flags=re.S)
    assert found is not None
    return found.group(1)


def test_the_csv_example_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "calls.csv").write_text(block("csv", "csv"))
    (tmp_path / "mapping.yaml").write_text(block("csv", "yaml"))
    init_workspace(Settings(workspace=tmp_path / "ws"))
    [command] = [
        line for line in block("csv", "console").splitlines() if line.startswith("$ carecenter ")
    ]
    args = shlex.split(command.removeprefix("$ carecenter "))
    result = CliRunner().invoke(app, [*args, "--workspace", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.stderr
    with duckdb.connect(str(tmp_path / "ws" / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "SELECT contact_id, outcome, wait_s, talk_s FROM contact_facts ORDER BY contact_id"
        ).fetchall()
    assert rows == [("pbx:A1", "answered", 15.0, 300.0), ("pbx:A2", "abandoned", 40.0, 0.0)]
