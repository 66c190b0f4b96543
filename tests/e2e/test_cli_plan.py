"""``forecast --save``, ``staff --save`` and ``carecenter plan``: plans kept in the workspace,
replaced per queue and interval, with their history; bad input is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.integration.test_forecast_cli import SLOTS, write_history
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def rows(*args: str) -> list[dict[str, object]]:
    code, out, err = cli(*args, "--format", "json")
    assert code == 0, err
    found = json.loads(out)
    assert isinstance(found, list)
    return found


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new workspace (center time Europe/London); the current directory is none."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARECENTER_WORKSPACE", raising=False)
    assert cli("init", str(tmp_path / "ws"))[0] == 0
    return tmp_path / "ws"


def volumes(path: Path, *lines: str) -> Path:
    columns = "queue,interval_start,calls,aht_s" + (
        ",interval_s" if lines[0].count(",") == 4 else ""
    )
    path.write_text(columns + "\n" + "".join(f"{x}\n" for x in lines))
    return path


def test_a_saved_staffing_plan_is_shown_in_center_time(ws: Path, tmp_path: Path) -> None:
    summer = volumes(
        tmp_path / "july.csv",
        "billing,2026-07-06T09:00,100,300",
        "billing,2026-07-06T09:30,120,300",
        "cards,2026-07-06T09:00:00+00:00,40,240",  # with an offset: 10:00 in London
    )
    code, out, err = cli("staff", "--volumes", str(summer), "--save", "-w", str(ws), "-f", "json")
    assert code == 0, err
    assert [r["agents"] for r in json.loads(out)] == [21, 25, 8]  # the plan is printed too
    assert err.strip() == (
        "saved staff plan version 1: 3 rows, 2026-07-06 09:00 to 2026-07-06 10:30 (Europe/London)"
    )
    plan = rows("plan", "show", "-w", str(ws))
    assert [(r["queue"], r["interval_start"], r["agents"]) for r in plan] == [
        ("billing", "2026-07-06T09:00:00+01:00", 21),
        ("billing", "2026-07-06T09:30:00+01:00", 25),
        ("cards", "2026-07-06T10:00:00+01:00", 8),
    ]
    first = plan[0]
    assert (first["interval_s"], first["calls"], first["aht_s"], first["model"]) == (
        1800,
        100.0,
        300.0,
        "C",
    )
    assert first["scheduled_agents"] == 21 and first["version"] == 1
    assert 0.8 <= float(first["service_level"]) <= 1  # type: ignore[arg-type]
    assert "replaced_by" not in first
    assert [r["queue"] for r in rows("plan", "show", "-w", str(ws), "-q", "cards")] == ["cards"]
    code, out, _ = cli("plan", "show", "-w", str(ws), "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("queue,interval_start,interval_s,calls")
    code, out, _ = cli("plan", "show", "-w", str(ws))
    assert code == 0 and "2026-07-06 09:30" in out and "scheduled_agents" in out


def test_saving_again_replaces_the_same_intervals_and_keeps_the_history(
    ws: Path, tmp_path: Path
) -> None:
    first = volumes(
        tmp_path / "first.csv",
        "billing,2026-12-07T09:00,100,300",
        "billing,2026-12-07T09:30,120,300",
        "cards,2026-12-07T09:00,40,240",
    )
    second = volumes(tmp_path / "second.csv", "billing,2026-12-07T09:30,60,300")
    assert cli("staff", "--volumes", str(first), "--save", "-w", str(ws))[0] == 0
    code, _, err = cli(
        "staff", "--volumes", str(second), "--shrinkage", "0.3", "--save", "-w", str(ws)
    )
    assert code == 0
    assert err.strip().endswith("(Europe/London), replacing 1 row of earlier versions")
    current = rows("plan", "show", "-w", str(ws))
    assert [(r["queue"], r["agents"], r["scheduled_agents"], r["version"]) for r in current] == [
        ("billing", 21, 21, 1),
        ("billing", 14, 20, 2),  # ceil(14 / 0.7)
        ("cards", 8, 8, 1),
    ]
    history = rows("plan", "show", "-w", str(ws), "--history")
    assert [(r["agents"], r["version"], r["replaced_by"]) for r in history] == [
        (21, 1, None),
        (14, 2, None),
        (25, 1, 2),
        (8, 1, None),
    ]
    versions = rows("plan", "versions", "-w", str(ws))
    assert [(v["version"], v["kind"], v["rows"], v["replaced"]) for v in versions] == [
        (1, "staff", 3, 0),
        (2, "staff", 1, 1),
    ]
    assert versions[1]["command"] == (
        f"carecenter staff --volumes {second} --shrinkage 0.3 --save --workspace {ws}"
    )
    assert versions[1]["period_start"] == "2026-12-07T09:30:00+00:00"


def test_a_forecast_is_saved_and_feeds_a_staffing_plan(ws: Path, tmp_path: Path) -> None:
    history = write_history(tmp_path / "history.csv")
    code, _, err = cli("forecast", "--history", str(history), "--save", "-w", str(ws))
    assert code == 0, err
    assert f"saved forecast plan version 1: {2 * 5 * SLOTS} rows, 2024-02-12 08:00" in err
    plan = rows("plan", "show", "-w", str(ws), "--kind", "forecast", "--from", "2024-02-12")
    assert len(plan) == 2 * 5 * SLOTS
    row = plan[0]
    assert (row["queue"], row["interval_start"], row["interval_s"]) == (
        "billing",
        "2024-02-12T08:00:00+00:00",
        1800,
    )
    assert row["calls_lo"] <= row["calls"] <= row["calls_hi"]  # type: ignore[operator]
    assert row["model"] and "agents" not in row
    day = ("--from", "2024-02-13", "--to", "2024-02-13")
    one_day = rows("plan", "show", "-w", str(ws), "-k", "forecast", *day)
    assert len(one_day) == 2 * SLOTS
    code, text, _ = cli("plan", "show", "-w", str(ws), "-k", "forecast", "-f", "csv")
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(text)
    code, _, err = cli("staff", "--volumes", str(forecast), "--save", "-w", str(ws))
    assert code == 0, err
    assert len(rows("plan", "show", "-w", str(ws))) == 2 * 5 * SLOTS
    assert [v["kind"] for v in rows("plan", "versions", "-w", str(ws))] == ["forecast", "staff"]
    assert [v["kind"] for v in rows("plan", "versions", "-w", str(ws), "-k", "staff")] == ["staff"]


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err.strip()


def test_save_without_a_workspace_is_one_line(ws: Path, tmp_path: Path) -> None:
    plan = volumes(tmp_path / "v.csv", "billing,2026-12-07T09:00,100,300")
    message = one_line_error(*cli("staff", "--volumes", str(plan), "--save")[::2])
    assert message == (
        "error: .: not a carecenter workspace (no center.yaml); --save keeps the plan in a "
        "workspace: give --workspace DIR (or run `carecenter init` there)"
    )
    history = write_history(tmp_path / "history.csv")
    code, _, err = cli("forecast", "--history", str(history), "--save")
    assert "not a carecenter workspace" in one_line_error(code, err)
    assert cli("staff", "--volumes", str(plan))[0] == 0  # without --save none is needed


def test_a_period_with_no_plan_is_one_line(ws: Path, tmp_path: Path) -> None:
    code, _, err = cli("plan", "show", "-w", str(ws))
    assert one_line_error(code, err) == (
        "error: no staff plan saved in this workspace; "
        "save one with `carecenter staff --save --workspace DIR`"
    )
    plan = volumes(tmp_path / "v.csv", "billing,2026-12-07T09:00,100,300")
    assert cli("staff", "--volumes", str(plan), "--save", "-w", str(ws))[0] == 0
    code, _, err = cli("plan", "show", "-w", str(ws), "--from", "2026-12-08", "-q", "billing")
    assert one_line_error(code, err) == (
        "error: no staff plan saved from 2026-12-08 00:00 for queue billing; "
        "save one with `carecenter staff --save --workspace DIR`"
    )
    code, _, err = cli("plan", "show", "-w", str(ws), "--kind", "forecast")
    assert "carecenter forecast --save" in one_line_error(code, err)
    code, out, err = cli("plan", "versions", "-w", str(ws), "-k", "forecast", "-f", "json")
    assert code == 0 and json.loads(out) == [] and "no plan saved yet" in err


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["billing,9:00,100,300"],
            "v.csv:2: interval_start: not a date and time (YYYY-MM-DDTHH:MM[+offset]): '9:00'",
        ),
        (
            ["billing,2026-12-07T09:00,100,300", "billing,2026-12-07T09:00,90,300"],
            "v.csv: queue billing: the intervals starting 2026-12-07 09:00:00+00:00 and "
            "2026-12-07 09:00:00+00:00 overlap",
        ),
        (
            ["billing,2026-12-07T09:00,100,300,172800"],
            "v.csv:2: interval_s: a plan's intervals are whole seconds, a day at most: 172800",
        ),
    ],
)
def test_a_plan_that_cannot_be_saved_is_one_line(
    ws: Path, tmp_path: Path, lines: list[str], message: str
) -> None:
    plan = volumes(tmp_path / "v.csv", *lines)
    code, _, err = cli("staff", "--volumes", str(plan), "--save", "-w", str(ws))
    assert message in one_line_error(code, err)
    assert "no staff plan saved" in one_line_error(*cli("plan", "show", "-w", str(ws))[::2])


def test_bad_options_are_one_line(ws: Path) -> None:
    code, _, err = cli("plan", "show", "-w", str(ws), "--kind", "rota")
    assert one_line_error(code, err) == (
        "error: --kind: unknown plan 'rota'; choose one of forecast, staff, schedule, roster"
    )
    code, _, err = cli("plan", "show", "-w", str(ws), "--from", "2026-12-08", "--to", "2026-12-07")
    assert one_line_error(code, err) == "error: --to: must be after --from"


def test_a_queue_the_center_does_not_know_is_saved_with_a_warning(ws: Path, tmp_path: Path) -> None:
    plan = volumes(tmp_path / "v.csv", "nowhere,2026-12-07T09:00,10,300")
    code, _, err = cli("staff", "--volumes", str(plan), "--save", "-w", str(ws))
    assert code == 0
    assert err.splitlines()[0] == "warning: queue nowhere is not in the center's configuration"
