"""Help texts as the terminal should wrap them.

Typer's Rich help keeps the single line breaks of a docstring's later paragraphs (so a
docstring wrapped at 100 columns in the source is broken mid-sentence on the screen) and reads
``[...]`` in any help text as Rich markup (so ``[default: the current directory]`` vanished,
leaving "Workspace directory ."). :func:`tidy_help` rewrites every command's and parameter's
help once, when the command tree is built: paragraphs joined into one line each (a paragraph
starting with ``\\b`` is kept as written, as Click does) and brackets escaped for Rich.
"""

from __future__ import annotations

import re
from typing import Any

_RICH_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?\])")
"""What Rich would read as a markup tag (``rich.markup.escape``'s pattern)."""


def unwrap(text: str) -> str:
    """``text`` with each paragraph (separated by a blank line) on one line."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(
        p if p.lstrip().startswith("\b") else " ".join(p.split()) for p in paragraphs
    )


def escape_markup(text: str) -> str:
    """``text`` shown as written by Rich: brackets that look like markup are escaped."""
    text = _RICH_TAG.sub(lambda m: f"{m[1]}{m[1]}\\{m[2]}", text)
    return text + "\\" if text.endswith("\\") and not text.endswith("\\\\") else text


def tidy_help(command: Any, *, rich: bool) -> None:
    """Tidy the help of the Click ``command``, its parameters and every command under it
    (``rich``: the help is rendered by Rich, so brackets are escaped)."""
    if isinstance(command.help, str):
        command.help = _tidy(command.help, rich)
    for param in command.params:
        help_text = getattr(param, "help", None)
        if isinstance(help_text, str):
            param.help = _tidy(help_text, rich)
    for sub in getattr(command, "commands", {}).values():
        tidy_help(sub, rich=rich)


def _tidy(text: str, rich: bool) -> str:
    text = unwrap(text)
    return escape_markup(text) if rich else text
