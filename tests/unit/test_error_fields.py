"""Errors name neutral fields (``by``, ``interval``); only the command line knows flags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.app import app, command_flags, report
from carecenter.interfaces.cli.options import flag_for

SRC = Path(__file__).resolve().parents[2] / "src" / "carecenter"
INTERFACES = SRC / "interfaces"


def test_no_error_names_a_flag() -> None:
    flagged = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"""field(: str)? ?= ?["']--""", line)
    ]
    assert flagged == []


def test_bad_parameter_only_in_the_interfaces() -> None:
    outside = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if INTERFACES not in path.parents and "BadParameter" in path.read_text(encoding="utf-8")
    ]
    assert outside == []


def test_fields_print_as_the_flags_of_the_program(capsys: pytest.CaptureFixture[str]) -> None:
    flags = command_flags(typer.main.get_command(app))
    assert {"--by", "--interval", "--from", "--to", "--tz", "--target-sl"} <= flags
    assert [flag_for(f, flags) for f in ("by", "start", "time_zone", "target_sl")] == [
        "--by",
        "--from",
        "--tz",
        "--target-sl",
    ]
    assert flag_for("aht_s", flags) == "aht_s"  # a CSV column, not an option
    report(InputError("unknown dimension 'planet'", field="by"), flags)
    report(InputError("not a number: 'x'", file="v.csv", line=3, field="calls"), flags)
    assert capsys.readouterr().err.splitlines() == [
        "error: --by: unknown dimension 'planet'",
        "error: v.csv:3: calls: not a number: 'x'",
    ]
