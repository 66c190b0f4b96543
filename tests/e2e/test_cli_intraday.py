"""``carecenter intraday``: a workspace built through the command line (a forecast saved from a
history, the staffing plan saved from it, a saved schedule, the day's calls imported from an
Asterisk queue_log), re-forecast at 10:00 and 10:15 with numbers worked out by hand; the
how-to page's example is this workspace's output."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app
from carecenter.services.intraday import COLUMNS

DOC = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "plan-staffing.md"
MONDAY = "2026-12-14"  # London is on UTC in December
CENTER = """\
center: {name: Intraday test, timezone: Europe/London}
skills: {billing: {}}
queues:
  billing: {skills: {billing: 1}}
"""
SHAPE = {"09:00": 50, "09:30": 50, "10:00": 80, "10:30": 20}
"""Calls of each weekday of the history, at 160 s: the seasonal-naive forecast repeats them."""
SHIFTS = """\
shifts:
  morning: {length: 2h, starts: ["09:00"], cost_per_hour: 20}
"""


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def queue_log(path: Path) -> Path:
    """150 calls of 200 s from 09:00 to 09:59:36 (one every 24 s), then 30 of 400 s from
    10:00 to 10:14:30 (one every 30 s); each answered after 5 s."""
    nine = int(datetime(2026, 12, 14, 9, 0, tzinfo=UTC).timestamp())
    calls = [(nine + 24 * i, 200) for i in range(150)]
    calls += [(nine + 3600 + 30 * i, 400) for i in range(30)]
    lines = []
    for n, (t, talk) in enumerate(calls):
        agent = f"SIP/a{n % 5}"
        lines += [
            (t, f"{t}|c{n}|billing|NONE|ENTERQUEUE||555{n:04d}|1"),
            (t + 5, f"{t + 5}|c{n}|billing|{agent}|CONNECT|5|c{n}.1|1"),
            (t + 5 + talk, f"{t + 5 + talk}|c{n}|billing|{agent}|COMPLETECALLER|5|{talk}|1"),
        ]
    path.write_text("".join(f"{line}\n" for _, line in sorted(lines)))
    return path


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("intraday")
    ws = tmp / "today"
    assert cli("init", str(ws))[0] == 0
    (ws / "center.yaml").write_text(CENTER)
    assert cli("config", "apply", "-w", str(ws))[0] == 0
    history = tmp / "history.csv"
    history.write_text(
        "interval_start,queue,calls,aht_s\n"
        + "".join(
            f"2026-12-{day:02d}T{at},billing,{calls},160\n"
            for day in range(7, 12)
            for at, calls in SHAPE.items()
        )
    )
    code, _, err = cli(
        "forecast", "--history", str(history), "--model", "seasonal-naive", "--horizon", "1w",
        "--save", "-w", str(ws), "-o", str(tmp / "ignored.csv"),
    )  # fmt: skip
    assert code == 0, err
    code, text, err = cli("plan", "show", "-w", str(ws), "-k", "forecast", "--from", MONDAY,
                          "--to", MONDAY, "-f", "csv")  # fmt: skip
    assert code == 0, err
    (tmp / "forecast.csv").write_text(text)
    code, _, err = cli("staff", "--volumes", str(tmp / "forecast.csv"), "--shrinkage", "0.3",
                       "--save", "-w", str(ws), "-o", str(tmp / "staff.csv"))  # fmt: skip
    assert code == 0, err
    (tmp / "need.csv").write_text(
        "queue,interval_start,scheduled_agents,interval_s\n"
        + "".join(f"billing,{MONDAY}T{at},16,1800\n" for at in SHAPE)
    )
    (tmp / "shifts.yaml").write_text(SHIFTS)
    code, _, err = cli(
        "schedule", "--requirement", str(tmp / "need.csv"), "--shifts", str(tmp / "shifts.yaml"),
        "-w", str(ws), "--from", MONDAY, "--days", "1", "--save", "-o", str(tmp / "s.csv"),
    )  # fmt: skip
    assert code == 0, err
    code, _, err = cli("import", "asterisk-queue-log", str(queue_log(tmp / "queue_log")),
                       "-w", str(ws))  # fmt: skip
    assert code == 0, err
    return ws


def rows(out: str) -> list[tuple[object, ...]]:
    return [tuple(r[c] for c in COLUMNS) for r in json.loads(out)]


def test_at_ten_the_rest_of_the_day_is_a_quarter_up(ws: Path) -> None:
    # forecast so far F = 50 + 50 = 100 of the day's D = 200 (w = 0.5); 150 offered (r = 1.5):
    # the rest at 1 + 0.5 x 0.5 = 1.25; AHT 0.5 x 160 + 0.5 x 200 = 180. 100 calls of 180 s
    # in 30 minutes at 80 % in 20 s: 14 agents, 20 with 30 % shrinkage; 25 calls: 5, so 8.
    # The plan (80 and 20 calls of 160 s): 10 and 4 agents, 15 and 6 with shrinkage.
    code, out, err = cli("intraday", "-w", str(ws), "--at", f"{MONDAY}T10:00",
                         "--shrinkage", "0.3", "-f", "json")  # fmt: skip
    assert code == 0, err
    assert rows(out) == [
        ("2026-12-14T10:00:00+00:00", "billing", 80.0, 100.0, 180.0, 15, 20, 16.0, -4.0),
        ("2026-12-14T10:30:00+00:00", "billing", 20.0, 25.0, 180.0, 6, 8, 16.0, 8.0),
    ]
    assert err == (
        "billing: 150 offered by 10:00 against 100.0 forecast (ratio 1.500); 50.0% of the "
        "day's 200.0 due: ratio used 1.250; AHT so far 200.0 s\n"
    )


def test_at_a_quarter_past_the_interval_now_is_in_counts_half(ws: Path, tmp_path: Path) -> None:
    # F = 100 + 80 x 15/30 = 140 (w = 0.7), 180 offered: 1 + (180 - 140) / 200 = 1.2; AHT so
    # far (150 x 200 + 30 x 400) / 180 = 233.3, blended 0.3 x 160 + 0.7 x 233.3 = 211.3
    target = tmp_path / "rest.csv"
    code, out, err = cli("intraday", "-w", str(ws), "--at", f"{MONDAY}T10:15",
                         "--shrinkage", "0.3", "-f", "csv", "-o", str(target))  # fmt: skip
    assert code == 0 and out == "", err
    assert target.read_text().splitlines() == [
        ",".join(COLUMNS),
        "2026-12-14T10:00:00+00:00,billing,80.0,96.0,211.3,15,22,16.0,-6.0",
        "2026-12-14T10:30:00+00:00,billing,20.0,24.0,211.3,6,8,16.0,8.0",
    ]
    assert "billing: 180 offered by 10:15 against 140.0 forecast (ratio 1.286); 70.0%" in err


def test_other_targets_than_the_plans_are_warned_of(ws: Path) -> None:
    code, out, err = cli("intraday", "-w", str(ws), "--at", f"{MONDAY}T10:00", "-f", "json")
    assert code == 0, err
    assert [r[6] for r in rows(out)] == [14, 5]  # no shrinkage: the agents on contacts
    assert err.splitlines()[1] == (
        "warning: the staffing plan has 15 agents for queue billing at 10:00, these targets 10 "
        "for its 80 calls of 160 s: give the --target-sl, --threshold, --max-*, --patience and "
        "--shrinkage it was saved with (`carecenter plan versions` shows its command)"
    )


def test_a_day_without_a_forecast_is_one_line(ws: Path) -> None:
    code, out, err = cli("intraday", "-w", str(ws), "--at", "2026-12-19T10:00")
    assert code == 2 and out == ""
    assert err == (
        "error: no forecast for 2026-12-19 (Europe/London); save one with "
        "`carecenter forecast --save --workspace DIR`\n"
    )
    code, _, err = cli("intraday", "-w", str(ws), "--at", "10:00")
    assert code == 2 and err == "error: --at: not a date and time YYYY-MM-DDTHH:MM: '10:00'\n"
    code, _, err = cli("intraday", "-w", str(ws), "--at", f"{MONDAY}T10:00", "-q", "sales")
    assert code == 2 and err == "error: --queue: no forecast for queue sales on 2026-12-14\n"


def doc_section() -> str:
    text = DOC.read_text()
    return text[text.index("## Intraday: the rest of the day") :]


def test_the_how_to_page_shows_this_output(ws: Path) -> None:
    section = doc_section()
    command, *shown = re.findall(r"```text\n(.*?)```", section, flags=re.S)[0].splitlines()
    args = command.removeprefix("$ carecenter ").split()
    assert args[:3] == ["intraday", "--workspace", "today"]
    code, out, err = cli(*args[:2], str(ws), *args[3:])
    assert code == 0, err
    lines = [line.rstrip() for line in out.strip("\n").splitlines()]
    assert lines == [line.rstrip() for line in shown[: len(lines)]]
    assert shown[len(lines) :] == err.splitlines()
    for column in COLUMNS:
        assert f"`{column}`" in section
