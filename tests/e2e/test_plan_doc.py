"""docs/how-to/plan-staffing.md runs as written: its commands, in order, print what the page
shows, and its Python example (the engine reading the saved plan) runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "plan-staffing.md"


def files() -> dict[str, str]:
    """The CSV files of the page: a block after a line naming it (`` `volumes.csv`: ``)."""
    return dict(re.findall(r"^`([\w.-]+\.csv)`:\n\n```csv\n(.*?)```", DOC.read_text(), re.S | re.M))


def examples() -> list[tuple[list[str], str]]:
    """(arguments, output shown) of every console block, in order."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(), flags=re.S):
        command, *shown = block.splitlines()
        assert command.startswith("$ carecenter ")
        out.append((shlex.split(command.removeprefix("$ carecenter ")), "\n".join(shown)))
    return out


def plain(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def test_the_page_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(files()) == {"volumes.csv", "later.csv"}
    assert len(examples()) == 5
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARECENTER_WORKSPACE", raising=False)
    for name, text in files().items():
        (tmp_path / name).write_text(text)
    for args, shown in examples():
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert plain(result.output) == plain(shown), args
    [python] = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    exec(compile(python, str(DOC), "exec"), {})
