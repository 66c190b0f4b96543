"""``carecenter erlang {b,c,a,staff}`` and ``carecenter staff`` end to end through Typer."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from carecenter.domain.durations import parse_duration
from carecenter.errors import InputError
from carecenter.interfaces.cli.erlang import app, staff_plan

KEYS = {"agents", "traffic_erlangs", "p_wait", "service_level", "asa_s", "mean_wait_s"}
KEYS |= {"p_abandon", "occupancy", "service_level_answered", "queue_length"}


def _root() -> typer.Typer:
    """The two entry points mounted as the main program mounts them."""
    root = typer.Typer()
    root.add_typer(app, name="erlang")
    root.command("staff")(staff_plan)
    return root


def _run(*args: str) -> Result:
    return CliRunner().invoke(_root(), list(args))


def _json(*args: str) -> list[dict[str, Any]]:
    result = _run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def test_erlang_c_json() -> None:
    [row] = _json(
        "erlang", "c", "--calls", "360", "--interval", "30m", "--aht", "240",
        "--agents", "55", "--threshold", "15",
    )  # fmt: skip
    assert set(row) == KEYS
    assert row["agents"] == 55
    assert row["traffic_erlangs"] == 48.0
    assert round(row["p_wait"], 4) == 0.2387
    assert round(row["asa_s"], 2) == 8.18
    assert round(row["service_level"], 4) == 0.8459
    assert round(row["occupancy"], 3) == 0.873


def test_erlang_a_json() -> None:
    [row] = _json(
        "erlang", "a", "--calls", "200", "--interval", "1h", "--aht", "180",
        "--agents", "14", "--patience", "300", "--threshold", "20",
    )  # fmt: skip
    assert round(row["p_wait"], 5) == 0.14526
    assert round(row["p_abandon"], 6) == 0.013984


def test_erlang_b_table() -> None:
    result = _run(
        "erlang", "b", "--calls", "10", "--interval", "3600", "--aht", "3600", "--agents", "18"
    )
    assert result.exit_code == 0
    assert "Erlang B" in result.stdout
    assert "p_abandon" in result.stdout


def test_erlang_a_needs_patience() -> None:
    result = _run("erlang", "a", "--calls", "10", "--aht", "180", "--agents", "3")
    assert result.exit_code == 2
    assert "--patience" in result.output


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("15m", 900.0),
        ("30m", 1800.0),
        ("1h", 3600.0),
        ("1800", 1800.0),
        ("90s", 90.0),
        ("1.5h", 5400.0),
        ("45m", 2700.0),
        ("30s", 30.0),
    ],
)
def test_interval_forms(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds
    [row] = _json(
        "erlang", "c", "--calls", "100", "--interval", text, "--aht", "90", "--agents", "20"
    )
    assert row["traffic_erlangs"] == pytest.approx(100 * 90 / seconds)


@pytest.mark.parametrize("text", ["", "30x", "-5m", "0", "m"])
def test_bad_interval_is_an_input_error(text: str) -> None:
    result = _run(
        "erlang", "c", "--calls", "100", "--interval", text, "--aht", "90", "--agents", "2"
    )
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "interval"
    assert result.exception.exit_code == 2


def test_bad_number_is_an_input_error() -> None:
    result = _run("erlang", "c", "--calls", "-100", "--aht", "90", "--agents", "2")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "calls"


def test_erlang_staff_erlang_c() -> None:
    [row] = _json(
        "erlang", "staff", "--calls", "360", "--interval", "30m", "--aht", "240",
        "--target-sl", "0.8", "--threshold", "20",
    )  # fmt: skip
    assert set(row) == KEYS | {"scheduled_agents"}
    assert row["agents"] == 54
    assert row["scheduled_agents"] == 54
    assert row["service_level"] >= 0.8


def test_erlang_staff_erlang_a_with_every_target() -> None:
    [row] = _json(
        "erlang", "staff", "--calls", "360", "--interval", "30m", "--aht", "240",
        "--target-sl", "0.8", "--threshold", "20", "--max-abandon", "0.02",
        "--max-occupancy", "0.85", "--max-asa", "10", "--patience", "120", "--shrinkage", "0.3",
    )  # fmt: skip
    assert row["p_abandon"] <= 0.02
    assert row["occupancy"] <= 0.85
    assert row["asa_s"] <= 10
    assert row["service_level"] >= 0.8
    assert row["scheduled_agents"] == -(-row["agents"] * 10 // 7)


def test_erlang_staff_bad_target() -> None:
    result = _run("erlang", "staff", "--calls", "36", "--aht", "240", "--target-sl", "1.5")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "target_sl"


VOLUMES = """queue,interval_start,calls,aht_s,interval_s,patience_s
billing,2026-11-23T09:00,360,240,1800,
billing,2026-11-23T09:30,400,240,1800,
cards,2026-11-23T09:00,90,300,900,120
"""


@pytest.fixture
def volumes(tmp_path: Path) -> Path:
    path = tmp_path / "volumes.csv"
    path.write_text(VOLUMES, encoding="utf-8")
    return path


def test_staff_plan_json(volumes: Path) -> None:
    rows = _json("staff", "--volumes", str(volumes), "--shrinkage", "0.3")
    assert [(r["queue"], r["model"]) for r in rows] == [
        ("billing", "C"),
        ("billing", "C"),
        ("cards", "A"),
    ]
    assert rows[0]["agents"] == 54
    assert rows[0]["scheduled_agents"] == 78
    assert all(r["service_level"] >= 0.8 for r in rows)


def test_staff_plan_default_patience_switches_to_erlang_a(volumes: Path) -> None:
    rows = _json("staff", "--volumes", str(volumes), "--patience", "60")
    assert [r["model"] for r in rows] == ["A", "A", "A"]


def test_staff_plan_csv_to_a_file(volumes: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    result = _run("staff", "--volumes", str(volumes), "--format", "csv", "--output", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    records = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(records) == 3
    assert records[0]["queue"] == "billing"
    assert records[0]["agents"] == "54"


def test_staff_plan_table(volumes: Path) -> None:
    result = _run("staff", "--volumes", str(volumes))
    assert result.exit_code == 0
    assert "Staffing plan" in result.stdout
    assert "cards" in result.stdout


def test_staff_plan_bad_row_names_file_line_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(VOLUMES + "cards,2026-11-23T09:15,lots,300,900,\n", encoding="utf-8")
    result = _run("staff", "--volumes", str(path))
    error = result.exception
    assert isinstance(error, InputError)
    assert (error.file, error.line, error.field) == (str(path), 5, "calls")
    assert str(error) == f"{path}:5: calls: not a number: 'lots'"
    assert "\n" not in str(error)


def test_staff_plan_missing_file(tmp_path: Path) -> None:
    result = _run("staff", "--volumes", str(tmp_path / "none.csv"))
    assert isinstance(result.exception, InputError)
    assert result.exception.file == str(tmp_path / "none.csv")


@pytest.mark.parametrize("command", ["staff", "erlang staff"])
def test_no_target_at_all_is_refused(command: str, tmp_path: Path) -> None:
    # issue 8: `--target-sl 0` (no service-level target) and no other target
    volumes = tmp_path / "volumes.csv"
    volumes.write_text(VOLUMES)
    given = ["--volumes", str(volumes)] if command == "staff" else ["--calls", "36", "--aht", "240"]
    result = _run(*command.split(), *given, "--target-sl", "0")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "target_sl"
    assert "nothing to staff for" in str(result.exception)
    # with another target, 0 means "no service-level target"
    rows = _json(*command.split(), *given, "--target-sl", "0", "--max-asa", "30")
    assert rows and all(row["asa_s"] <= 30 for row in rows)
