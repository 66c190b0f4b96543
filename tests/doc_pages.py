"""Helpers of the tests that run a docs page as written: its files and its console blocks."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app


def page_files(doc: Path, kinds: str = "csv") -> dict[str, str]:
    """The files of the page: a block after a line naming it (`` `volumes.csv`: ``), of the
    extensions ``kinds`` (``csv|yaml``)."""
    pattern = rf"^`([\w.-]+\.(?:{kinds}))`:\n\n```\w+\n(.*?)```"
    return dict(re.findall(pattern, doc.read_text(), re.S | re.M))


def console_examples(doc: Path) -> list[tuple[list[str], list[str]]]:
    """(arguments, lines shown) of every console block of the page, in order."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", doc.read_text(), flags=re.S):
        command, *shown = block.splitlines()
        assert command.startswith("$ carecenter ")
        out.append((shlex.split(command.removeprefix("$ carecenter ")), shown))
    return out


def run_page(
    doc: Path, files: dict[str, str], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[list[str], list[str], str]]:
    """Write the page's ``files`` in ``workdir``, make it the current directory (with no
    workspace from the environment) and run each console block's command in turn: (arguments,
    lines shown, output), each command having succeeded."""
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("CARECENTER_WORKSPACE", raising=False)
    for name, text in files.items():
        (workdir / name).write_text(text)
    for args, shown in console_examples(doc):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        yield args, shown, result.output
