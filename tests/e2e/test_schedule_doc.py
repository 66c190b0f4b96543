"""docs/how-to/schedule.md runs as written: its files, its commands in order, and the
schedule it shows (the same cost; the solver's time left out)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.doc_pages import console_examples, page_files
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "schedule.md"


def files() -> dict[str, str]:
    return page_files(DOC, "csv|yaml")


def examples() -> list[tuple[list[str], list[str]]]:
    return console_examples(DOC)


def untimed(lines: list[str]) -> list[str]:
    return [re.sub(r"; [\d.]+ s$", "", line.rstrip()) for line in lines if line.strip()]


def test_the_page_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(files()) == {"volumes.csv", "shifts.yaml"}
    assert len(examples()) == 2
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARECENTER_WORKSPACE", raising=False)
    for name, text in files().items():
        (tmp_path / name).write_text(text)
    for args, shown in examples():
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        got = untimed(result.output.splitlines())
        if args[0] == "schedule":  # another schedule of the same cost would do as well
            assert got[-1] == untimed(shown)[-1]
            assert got[0] == shown[0] and len(got) == len(untimed(shown))
        else:
            assert got == untimed(shown)
