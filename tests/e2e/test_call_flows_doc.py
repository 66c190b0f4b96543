"""docs/how-to/call-flows.md runs as written: its files are valid, and every command prints
exactly what the page shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "call-flows.md"


def files() -> dict[str, str]:
    """The YAML files of the page: a block after a line naming it (`` `center.yaml`: ``)."""
    found = re.findall(r"^`([\w.-]+\.yaml)`:\n\n```yaml\n(.*?)```", DOC.read_text(), re.S | re.M)
    return dict(found)


def examples() -> list[tuple[list[str], str]]:
    """(arguments, output shown) of every ``$ carecenter`` line of the page's console blocks."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(), flags=re.S):
        command, *shown = block.splitlines()
        assert command.startswith("$ carecenter ")
        out.append((shlex.split(command.removeprefix("$ carecenter ")), "\n".join(shown)))
    return out


def test_the_page_has_its_files_and_examples() -> None:
    assert set(files()) == {"center.yaml", "broken.yaml"}
    assert len(examples()) == 7


@pytest.mark.parametrize(("args", "shown"), examples(), ids=[" ".join(a) for a, _ in examples()])
def test_each_example_prints_what_the_page_shows(
    args: list[str], shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, text in files().items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == (1 if "broken.yaml" in args else 0), result.stderr
    assert result.stdout.rstrip("\n") == shown


def test_the_mistake_shown_is_the_one_reported(tmp_path: Path) -> None:
    shown = re.search(r"e\.g\.\n?`(center\.yaml:\d+: .*?)`", DOC.read_text())
    assert shown is not None
    path = tmp_path / "center.yaml"
    path.write_text(files()["center.yaml"].replace("invalid: billing", "invalid: nowhere"))
    result = CliRunner().invoke(app, ["config", "check", str(path)])
    assert result.exit_code == 2 and result.stderr == f"error: {shown.group(1)}\n"
