"""The examples of docs/reference/erlang.md run and print what the page shows.

* ```` ```python ```` blocks run in order in one namespace; the ```` ```text ```` block right
  after one is its expected standard output.
* ```` ```csv file=NAME ```` blocks are written to ``NAME`` in the working directory.
* ```` ```console ```` blocks hold ``$ carecenter erlang ...`` / ``$ carecenter staff ...`` lines,
  each followed by its expected output; they run through Typer with the two entry points
  mounted as the main program mounts them.

Numbers are compared to a relative 1e-9 (the last digits of a float may differ between
platforms); everything else must match exactly.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from carecenter.interfaces.cli.erlang import app, staff_plan

DOC = Path(__file__).resolve().parents[3] / "docs" / "reference" / "erlang.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.M | re.S)
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class Block:
    info: str
    body: str


def blocks() -> list[Block]:
    return [Block(m.group(1).strip(), m.group(2)) for m in FENCE.finditer(DOC.read_text("utf-8"))]


def same_text(got: str, want: str) -> bool:
    """Equal up to trailing blanks, with numbers equal to a relative 1e-9."""
    got_lines = [line.rstrip() for line in got.strip("\n").splitlines()]
    want_lines = [line.rstrip() for line in want.strip("\n").splitlines()]
    if len(got_lines) != len(want_lines):
        return False
    return all(_same_line(g, w) for g, w in zip(got_lines, want_lines, strict=True))


def _same_line(got: str, want: str) -> bool:
    if NUMBER.sub("#", got) != NUMBER.sub("#", want):
        return False
    pairs = zip(NUMBER.findall(got), NUMBER.findall(want), strict=True)
    return all(math.isclose(float(g), float(w), rel_tol=1e-9, abs_tol=1e-12) for g, w in pairs)


def _root() -> typer.Typer:
    root = typer.Typer()
    root.add_typer(app, name="erlang")
    root.command("staff")(staff_plan)
    return root


def _console(body: str) -> list[tuple[list[str], str]]:
    """``(args, expected output)`` for each ``$ carecenter ...`` line of a console block."""
    runs: list[tuple[list[str], list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ carecenter "):
            runs.append((shlex.split(line[len("$ carecenter ") :]), []))
        else:
            runs[-1][1].append(line)
    return [(args, "\n".join(out)) for args, out in runs]


def test_page_has_examples() -> None:
    kinds = [b.info.split()[0] for b in blocks() if b.info]
    assert kinds.count("python") >= 3
    assert kinds.count("console") >= 3


def test_number_comparison() -> None:
    assert same_text("P 0.2387000000001 x", "P 0.2387 x")
    assert not same_text("P 0.2388 x", "P 0.2387 x")
    assert not same_text("P 0.2387 y", "P 0.2387 x")


def test_examples_print_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "erlang_docs"}
    runner = CliRunner()
    items = blocks()
    for i, block in enumerate(items):
        kind, _, rest = block.info.partition(" ")
        if kind == "python":
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block.body, f"{DOC.name}[{i}]", "exec"), namespace)
            following = items[i + 1] if i + 1 < len(items) else Block("", "")
            want = following.body if following.info == "text" else ""
            assert same_text(out.getvalue(), want), (block.body, out.getvalue())
        elif kind == "csv" and rest.startswith("file="):
            (tmp_path / rest[len("file=") :]).write_text(block.body, encoding="utf-8")
        elif kind == "console":
            for args, want in _console(block.body):
                result = runner.invoke(_root(), args)
                assert result.exit_code == 0, (args, result.output)
                assert same_text(result.stdout, want), (args, result.stdout)
