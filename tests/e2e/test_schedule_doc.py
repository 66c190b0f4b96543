"""docs/how-to/schedule.md runs as written: its files, its commands in order, and the
schedule it shows (the same cost; the solver's time left out)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.doc_pages import console_examples, page_files, run_page

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
    for args, shown, output in run_page(DOC, files(), tmp_path, monkeypatch):
        got = untimed(output.splitlines())
        if args[0] == "schedule":  # another schedule of the same cost would do as well
            assert got[-1] == untimed(shown)[-1]
            assert got[0] == shown[0] and len(got) == len(untimed(shown))
        else:
            assert got == untimed(shown)
