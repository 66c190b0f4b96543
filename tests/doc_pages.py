"""Helpers of the tests that run a docs page as written: its files and its console blocks."""

from __future__ import annotations

import re
import shlex
from pathlib import Path


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
