"""docs/how-to/plan-staffing.md runs as written: its commands, in order, print what the page
shows, and its Python example (the engine reading the saved plan) runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.doc_pages import console_examples, page_files, run_page

DOC = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "plan-staffing.md"


def files() -> dict[str, str]:
    return page_files(DOC)


def examples() -> list[tuple[list[str], str]]:
    """(arguments, output shown) of every console block, in order."""
    return [(args, "\n".join(shown)) for args, shown in console_examples(DOC)]


def plain(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def test_the_page_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(files()) == {"volumes.csv", "later.csv"}
    assert len(examples()) == 5
    for args, shown, output in run_page(DOC, files(), tmp_path, monkeypatch):
        assert plain(output) == plain("\n".join(shown)), args
    [python] = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    exec(compile(python, str(DOC), "exec"), {})
