"""``carecenter schedule``: shifts from a requirement file or the saved staffing plan, checked
against optima worked out by hand; bad input is one line naming file, line and field."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

SHIFTS = """\
contracts:
  full-time: {days_per_week: 5}
shifts:
  day:
    length: 8.5h
    starts: {from: "08:00", to: "09:00", every: 30m}
    cost_per_hour: 20
    contract: full-time
    breaks:
      - {name: meal, length: 30m, from: 3.5h, to: 4.5h}
  short:
    length: 4h
    starts: ["08:00", "12:00"]
    cost_per_hour: 25
"""


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def shifts(tmp_path: Path) -> Path:
    path = tmp_path / "shifts.yaml"
    path.write_text(SHIFTS)
    return path


def requirement(path: Path, days: int, need: dict[str, int]) -> Path:
    """``need``: HH:MM -> agents, the same each day from Monday 2026-12-14, in two queues."""
    lines = ["queue,interval_start,scheduled_agents,interval_s"]
    for day in range(days):
        for at, agents in need.items():
            lines.append(f"sales,2026-12-{14 + day}T{at},{agents - agents // 2},1800")
            lines.append(f"support,2026-12-{14 + day}T{at},{agents // 2},1800")
    path.write_text("\n".join(lines) + "\n")
    return path


def day_need(start: str, end: str, agents: int) -> dict[str, int]:
    out = {}
    h, m = map(int, start.split(":"))
    while f"{h:02d}:{m:02d}" != end:
        out[f"{h:02d}:{m:02d}"] = agents
        h, m = (h, 30) if m == 0 else (h + 1, 0)
    return out


def test_a_day_of_four_agents_from_eight_to_half_past_four(tmp_path: Path, shifts: Path) -> None:
    # 4 agents 08:00-16:30. A day shift (08:00-16:30, 8 paid hours at 20 = 160) has a meal
    # starting 11:30, 12:00 or 12:30, so 4 day shifts leave 4 agent-half-hours uncovered, at
    # least two of them in one slot. Each costs the default penalty, 5 x 25 x 0.5 h = 62.5;
    # a short shift (4 h at 25 = 100) starts at 08:00 or 12:00. By hand:
    #   4 day shifts alone:                       640 + 4 x 62.5 = 890
    #   + 1 short at 12:00 (meals 2 at 12:00, 2 at 12:30): 740 + 2 x 62.5 = 865
    #   + 2 shorts (08:00 or 12:00, the meals under them): 640 + 200 = 840   <- the optimum
    #   5 day shifts (only 3 meals fit):           800 + 2 x 62.5 = 925
    need = requirement(tmp_path / "need.csv", 1, day_need("08:00", "16:30", 4))
    cover = tmp_path / "cover.csv"
    code, out, err = cli(
        "schedule", "--requirement", str(need), "--shifts", str(shifts), "--from",
        "2026-12-14", "--days", "1", "--format", "json", "--coverage", str(cover), "--gap", "0",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert sum(r["cost"] for r in rows) == pytest.approx(840.0)
    assert sum(r["agents"] for r in rows if r["shift"] == "short") == 2
    assert sum(r["agents"] for r in rows if r["shift"] == "day") == 4
    covered = list(csv.DictReader(io.StringIO(cover.read_text())))
    assert len(covered) == 48
    working = [r for r in covered if r["required"] != "0"]
    assert all(int(r["scheduled"]) >= int(r["required"]) for r in working)
    assert all(r["under"] == "0" for r in covered)
    assert "cost 840.00" in err and "gap" in err


def test_the_week_links_the_days_by_the_contract(tmp_path: Path, shifts: Path) -> None:
    # 2 agents 08:00-16:30 every day of the week, full-timers work 5 days with 2 off in a
    # row: 14 agent-days need 3 agents (15 shifts); the 15th shift covers a meal gap
    need = requirement(tmp_path / "need.csv", 7, day_need("08:00", "16:30", 2))
    code, out, err = cli(
        "schedule", "--requirement", str(need), "--shifts", str(shifts), "--from",
        "2026-12-14", "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert sum(r["agents"] for r in rows if r["shift"] == "day") == 15
    assert "3 agents on contracts" in err
    assert {r["weekday"] for r in rows} == {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}


def test_the_saved_staffing_plan_is_the_default_requirement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "shifts.yaml").write_text(SHIFTS)
    volumes = tmp_path / "volumes.csv"
    volumes.write_text(
        "queue,interval_start,calls,aht_s\n"
        + "".join(
            f"billing,2026-07-06T{h:02d}:{m:02d},60,300\n" for h in range(8, 16) for m in (0, 30)
        )
    )
    assert cli("staff", "--volumes", str(volumes), "--save", "-w", str(ws))[0] == 0
    code, out, err = cli(
        "schedule", "-w", str(ws), "--from", "2026-07-06", "--days", "1", "-f", "json"
    )
    assert code == 0, err
    assert sum(r["agents"] for r in json.loads(out)) > 0
    code, _, err = cli("schedule", "-w", str(ws), "--from", "2026-08-03", "--days", "1")
    assert code != 0 and "no staffing plan saved for 2026-08-03" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("queue,interval_start,scheduled_agents\nq,2026-12-14T08:00,-1\n", ":2: scheduled_"),
        ("queue,interval_start,scheduled_agents\nq,tomorrow,1\n", "interval_start"),
        ("queue,interval_start,agents\nq,2026-12-14T08:00,1\n", "scheduled_agents"),
        ("queue,interval_start,scheduled_agents\nq,2026-12-14T08:10,1\n", "interval_start"),
    ],
)
def test_a_bad_requirement_is_one_line(tmp_path: Path, shifts: Path, text: str, where: str) -> None:
    need = tmp_path / "need.csv"
    need.write_text(text)
    code, _, err = cli(
        "schedule", "--requirement", str(need), "--shifts", str(shifts), "--from", "2026-12-14"
    )
    assert code == 2 and where in err and "need.csv" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (("length: 8.5h", "length: 8.4h"), "shifts.day.length", "whole number of 30-minute"),
        (("contract: full-time", "contract: nobody"), "shifts.day.contract", "no contract"),
        (("cost_per_hour: 20", "cost_per_hour: free"), "shifts.day.cost_per_hour", "number"),
        (("from: 3.5h, to: 4.5h", "from: 3.5h, to: 8.5h"), "shifts.day.breaks.0", "end within"),
        (("every: 30m", "every: 30m, often: yes"), "shifts.day.starts.often", "not a known"),
    ],
)
def test_a_bad_shifts_file_is_one_line(
    tmp_path: Path, change: tuple[str, str], where: str, message: str
) -> None:
    bad = tmp_path / "shifts.yaml"
    bad.write_text(SHIFTS.replace(*change))
    need = requirement(tmp_path / "need.csv", 1, day_need("08:00", "09:00", 1))
    code, _, err = cli(
        "schedule", "--requirement", str(need), "--shifts", str(bad), "--from", "2026-12-14"
    )
    assert code != 0 and where in err and message in err and "shifts.yaml" in err, err
    assert len(err.strip().splitlines()) == 1


def test_a_saved_schedule_is_shown_by_plan_show(tmp_path: Path, shifts: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0  # center time: Europe/London
    need = requirement(tmp_path / "need.csv", 2, day_need("08:00", "16:30", 2))
    code, out, err = cli(
        "schedule", "--requirement", str(need), "--shifts", str(shifts), "--from", "2026-12-14",
        "--days", "2", "-w", str(ws), "--save", "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    printed = json.loads(out)
    assert "saved schedule version 1:" in err and "2026-12-14 to 2026-12-15 (Europe/London)" in err
    code, out, err = cli(
        "plan", "show", "--kind", "schedule", "-w", str(ws), "--from", "2026-12-14", "--to",
        "2026-12-15", "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    shown = json.loads(out)
    assert [r.pop("version") for r in shown] == [1] * len(shown)
    key = ("day", "shift", "start", "end", "agents", "breaks")
    assert sorted(tuple(r[k] for k in key) for r in shown) == sorted(
        tuple(r[k] for k in key) for r in printed
    )
    # a second save of Tuesday only: Monday stays as it was
    code, _, err = cli(
        "schedule", "--requirement", str(need), "--shifts", str(shifts), "--from", "2026-12-15",
        "--days", "1", "-w", str(ws), "--save",
    )  # fmt: skip
    assert code == 0 and "saved schedule version 2" in err, err
    code, out, _ = cli(
        "plan", "show", "-k", "schedule", "-w", str(ws), "--from", "2026-12-14", "--to",
        "2026-12-15", "-f", "json",
    )  # fmt: skip
    assert {(r["day"], r["version"]) for r in json.loads(out)} == {
        ("2026-12-14", 1),
        ("2026-12-15", 2),
    }
    code, _, err = cli("plan", "show", "-k", "schedule", "-w", str(ws), "--from", "2027-01-04")
    assert code == 2 and "no schedule saved for 2027-01-04" in err
    code, _, err = cli(
        "schedule", "--requirement", str(need), "--shifts", str(shifts), "--from", "2026-12-14",
        "-w", str(ws), "--save", "--tz", "Europe/Paris",
    )  # fmt: skip
    assert code == 2 and "give --tz Europe/London" in err
