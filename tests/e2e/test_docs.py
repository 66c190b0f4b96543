"""Docs that run: the tutorial's commands, and the generated reference pages are current."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app
from carecenter.services.reference_docs import PAGES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def tutorial_commands() -> list[list[str]]:
    text = (DOCS / "tutorial.md").read_text()
    blocks = re.findall(r"```console\n(.*?)```", text, flags=re.S)
    return [
        shlex.split(line[len("$ carecenter ") :])
        for block in blocks
        for line in block.splitlines()
        if line.startswith("$ carecenter ")
    ]


def test_tutorial_commands_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARECENTER_WORKSPACE", raising=False)
    commands = tutorial_commands()
    assert len(commands) >= 6
    runner = CliRunner()
    for args in commands:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
    assert (tmp_path / "bank" / "warehouse.duckdb").exists()


@pytest.mark.parametrize("page", sorted(PAGES))
def test_reference_pages_are_generated_from_the_code(page: str) -> None:
    committed = (DOCS / "reference" / page).read_text()
    assert committed == PAGES[page](), f"docs/reference/{page} is stale: run `make docs`"
