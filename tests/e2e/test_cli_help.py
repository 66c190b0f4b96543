"""``--help`` of every command is wrapped by the terminal, not by the source's line breaks, and
shows every help text whole (issue 8: "Workspace directory ." lost its ``[default: ...]`` to
Rich markup; docstrings were broken mid-sentence where the source wraps)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app
from carecenter.interfaces.cli.help import escape_markup, unwrap

WIDTHS = (60, 120)
BOX = "│╭╮╰╯─"


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from commands(sub, (*path, name))


ALL = list(commands(typer.main.get_command(app)))


def render(path: tuple[str, ...], width: int) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


def description(text: str) -> list[str]:
    """The lines of the command's description: after the usage, before the first panel."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Usage:"))
    start = next(i for i in range(start, len(lines)) if not lines[i].strip())
    end = next((i for i, line in enumerate(lines) if line.lstrip().startswith("╭")), len(lines))
    return lines[start:end]


def hard_breaks(lines: list[str], width: int) -> list[str]:
    """Lines that end although the next line's first word would have fitted on them: a line
    break that came from the text, not from wrapping (Rich wraps greedily)."""
    found = []
    for line, following in pairwise(lines):
        if not line.strip() or not following.strip():
            continue
        word = following.split()[0]
        if len(line.rstrip()) + 1 + len(word) <= width - 1:
            found.append(f"{line.strip()!r} / {word!r}")
    return found


def stray_punctuation(text: str) -> list[str]:
    """Text such as ``directory .``: a space before a full stop or comma, as left behind by
    a vanished ``[...]`` or a help string assembled with a stray space."""
    found = []
    for line in text.splitlines():
        content = line.strip(BOX + " ")
        found += re.findall(r"\S+ [.,;](?=\s|$)", content)
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=lambda p: " ".join(p) or "carecenter")
def test_help_is_wrapped_by_the_terminal(path: tuple[str, ...], width: int) -> None:
    text = render(path, width)
    assert not stray_punctuation(text)
    assert not hard_breaks(description(text), width)
    assert "Traceback" not in text


def test_every_help_text_is_shown_as_written() -> None:
    """After the tidy-up, each paragraph of every help text is one line, and what Rich shows
    of it is the text itself (no bracket read as markup)."""
    from rich.text import Text

    for path, command in ALL:
        texts = [command.help or ""]
        texts += [getattr(p, "help", None) or "" for p in command.params]
        for text in texts:
            paragraphs = text.split("\n\n")
            assert all("\n" not in p for p in paragraphs if not p.startswith("\b")), (path, text)
            shown = Text.from_markup(text).plain
            assert shown == unwrap(shown), (path, text)
            assert escape_markup(shown) == text, (path, text)


def test_the_workspace_default_is_shown() -> None:
    text = " ".join(render(("info",), 120).split())
    assert "Workspace directory [default: $CARECENTER_WORKSPACE, else the current" in text


def test_version_option_prints_the_version() -> None:
    by_option = CliRunner().invoke(app, ["--version"])
    by_command = CliRunner().invoke(app, ["version"])
    assert by_option.exit_code == by_command.exit_code == 0
    assert by_option.stdout == by_command.stdout
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*\n", by_option.stdout)


def test_the_import_help_names_every_format() -> None:
    from carecenter.ingest import FORMATS
    from carecenter.interfaces.cli.importing import _FORMATS_HELP

    named = [f.strip() for f in _FORMATS_HELP.rstrip(".").replace(" or ", ", ").split(",")]
    assert named == list(FORMATS)
