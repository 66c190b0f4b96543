"""``carecenter roster``: the center's agents on the saved schedule's shifts, every hard rule
kept (checked here again from the printed roster), and an impossible roster explained in one
line."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

SHIFTS = """\
contracts:
  full-time: {days_per_week: 5, hours_per_week: {min: %(least)s, max: 40}}
roster: {min_rest: 11h, max_consecutive_days: 5}
under_penalty: 1000
shifts:
  day:
    length: 8.5h
    starts: ["08:30"]
    cost_per_hour: 20
    contract: full-time
    breaks:
      - {name: meal, length: 30m, from: 4h, to: 4h}
"""

CENTER = """\
center: {name: Roster test, timezone: Europe/London}
skills: {billing: {}}
queues:
  billing: {skills: {billing: 1}}
agents:
%s
"""


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def workspace(tmp_path: Path, agents: list[str], least: int) -> Path:
    """A workspace whose saved schedule has 4 day shifts (08:30-17:00, 8 paid hours) on each
    day of the week from Monday 2026-12-14, and the center's ``agents``."""
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "center.yaml").write_text(CENTER % "\n".join(agents))
    assert cli("config", "apply", "-w", str(ws))[0] == 0
    (ws / "shifts.yaml").write_text(SHIFTS % {"least": least})
    need = tmp_path / "need.csv"
    need.write_text(
        "queue,interval_start,scheduled_agents,interval_s\n"
        + "".join(
            f"billing,2026-12-{14 + d}T{h:02d}:{m:02d},4,1800\n"
            for d in range(7)
            for h in range(9, 16)
            for m in (0, 30)
        )
    )
    code, _, err = cli(
        "schedule", "--requirement", str(need), "-w", str(ws), "--from", "2026-12-14", "--save"
    )
    assert code == 0, err
    return ws


AGENTS = [
    "  a1: {name: Ann, skills: {billing: 3}, contract: full-time, prefers: {days_off: [sun]}}",
    "  a2: {name: Bob, skills: {billing: 3}, contract: full-time,"
    " availability: {mon-fri: '07:00-20:00'}}",
    "  a3: {name: Cat, skills: {billing: 3}, contract: full-time, leave: [2026-12-16]}",
    "  a4: {name: Dan, skills: {billing: 3}, contract: full-time}",
    "  a5: {name: Eve, skills: {billing: 3}, contract: full-time}",
    "  a6: {name: Fay, skills: {billing: 3}, contract: full-time}",
]


def test_every_place_is_filled_and_every_rule_kept(tmp_path: Path) -> None:
    # the schedule has 30 places (6 agents' days-off patterns of 5 days); 6 agents of 32 to
    # 40 paid hours (4 or 5 days), Bob on weekdays only, Cat on leave on Wednesday: the proven
    # optimum leaves one place open
    ws = workspace(tmp_path, AGENTS, least=32)
    code, out, err = cli("roster", "-w", str(ws), "--from", "2026-12-14", "-f", "json")
    assert code == 0, err
    assert "29 of 30 shifts rostered to 6 of 6 agents; 1 left open (8 paid hours)" in err
    assert "optimal in" in err
    assert "every hard rule re-checked: 0 broken" in err
    rows = json.loads(out)
    days: dict[str, list[date]] = defaultdict(list)
    for row in rows:
        if row["agent_id"] == "":
            assert row["agent"] == "(open)"
            continue
        assert row["start"][11:] == "08:30" and row["end"][11:] == "17:00"
        assert row["breaks"] == "12:30-13:00" and row["paid_hours"] == 8.0
        days[row["agent_id"]].append(date.fromisoformat(row["day"]))
    for agent, worked in days.items():
        assert len(worked) == len(set(worked)), agent  # one shift a day
        assert 3 <= len(worked) <= 5, agent
        off = sorted({date(2026, 12, 14 + d) for d in range(7)} - set(worked))
        # days off in one block, counted round the week
        assert (
            sum(
                1
                for d in off
                if date.fromordinal(d.toordinal() - 1) in worked
                or (d.day == 14 and date(2026, 12, 20) in worked)
            )
            == 1
        ), (agent, off)
    assert all(d.weekday() < 5 for d in days["a2"])  # Bob works Monday to Friday only
    assert date(2026, 12, 16) not in days["a3"]  # Cat's leave
    assert len(days["a3"]) >= 3 and all(len(days[a]) >= 4 for a in ("a1", "a2", "a4", "a5"))


def test_the_agents_file_gives_each_agents_hours(tmp_path: Path) -> None:
    ws = workspace(tmp_path, AGENTS, least=32)
    out = tmp_path / "agents.csv"
    code, _, err = cli("roster", "-w", str(ws), "--from", "2026-12-14", "--agents", str(out))
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert lines[0] == "agent_id,agent,contract,days,paid_hours,min_hours,max_hours,days_off_missed"
    cat = next(line for line in lines if line.startswith("a3,"))
    assert cat.split(",")[5] == "25.6"  # 32 less a day's share of them (32 / 5) for her leave


def test_contract_hours_that_cannot_be_met_are_explained(tmp_path: Path) -> None:
    # 40 hours each: 7 agents x 5 days = 35 shifts, the schedule has 30
    agents = [*AGENTS, "  a7: {name: Gus, skills: {billing: 3}, contract: full-time}"]
    ws = workspace(tmp_path, agents, least=40)
    code, out, err = cli("roster", "-w", str(ws), "--from", "2026-12-14")
    assert code == 2 and out == ""
    assert "no roster keeps every rule" in err and "contract hours" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_unknown_contract_is_named(tmp_path: Path) -> None:
    agents = [*AGENTS[:5], "  a6: {name: Fay, skills: {billing: 3}, contract: part-time}"]
    ws = workspace(tmp_path, agents, least=32)
    code, _, err = cli("roster", "-w", str(ws), "--from", "2026-12-14")
    assert code == 2 and "agent a6: no contract 'part-time' in shifts.yaml" in err


def test_no_saved_schedule_is_one_line(tmp_path: Path) -> None:
    ws = workspace(tmp_path, AGENTS, least=32)
    code, _, err = cli("roster", "-w", str(ws), "--from", "2027-01-04")
    assert code == 2 and "no schedule saved for 2027-01-04" in err and "Traceback" not in err


def test_a_saved_roster_is_shown_as_it_was_printed(tmp_path: Path) -> None:
    ws = workspace(tmp_path, AGENTS, least=32)
    code, out, err = cli("roster", "-w", str(ws), "--from", "2026-12-14", "-f", "json", "--save")
    assert code == 0, err
    assert (
        "saved roster version 1: 29 shifts, 2026-12-14 to 2026-12-20 (Europe/London), "
        "1 places open" in err
    )
    printed = [r for r in json.loads(out) if r["agent_id"]]
    code, out, err = cli(
        "plan",
        "show",
        "-w",
        str(ws),
        "--kind",
        "roster",
        "--from",
        "2026-12-14",
        "--to",
        "2026-12-20",
        "-f",
        "json",
    )
    assert code == 0, err
    shown = json.loads(out)
    assert [(r["day"], r["agent_id"]) for r in shown] == [
        (r["day"], r["agent_id"]) for r in printed
    ]
    first = shown[0]
    assert (first["start"], first["end"], first["breaks"]) == ("08:30", "17:00", "meal 12:30")
    assert first["cost"] == 160.0 and first["version"] == 1  # the shift's 20 an hour, 8 paid
    code, _, err = cli("plan", "show", "-w", str(ws), "--kind", "roster", "--from", "2026-12-21")
    assert code == 2 and "no roster saved for 2026-12-21 to 2026-12-21" in err


def test_the_next_roster_starts_from_the_saved_one(tmp_path: Path) -> None:
    # the week before was saved by hand: Ann worked Wednesday to Sunday (5 days, the most in
    # a row), Bob's Sunday shift ended at 23:00 (11 hours' rest: not before 10:00 Monday)
    from carecenter.adapters.settings import Settings
    from carecenter.domain.rosters import RosteredShift, RosterVersion
    from carecenter.services.bootstrap import bootstrap

    ws = workspace(tmp_path, AGENTS, least=24)
    london = ZoneInfo("Europe/London")

    def worked(agent: str, day: int, start: int, end: int) -> RosteredShift:
        on = date(2026, 12, day)
        begin = datetime.combine(on, time(start), london)
        return RosteredShift(
            on, agent, "day", begin, datetime.combine(on, time(end), london), 8.0, 160.0
        )

    before = [worked("a1", d, 9, 17) for d in range(9, 14)] + [worked("a2", 13, 15, 23)]
    draft = RosterVersion(
        0,
        datetime(2026, 12, 7, tzinfo=UTC),
        "test",
        date(2026, 12, 7),
        7,
        "Europe/London",
        1,
        "OPTIMAL",
        0,
        0,
    )
    with bootstrap(Settings(workspace=ws)) as opened:
        opened.schedules.save_roster(draft, before)
    code, out, err = cli("roster", "-w", str(ws), "--from", "2026-12-14", "-f", "json")
    assert code == 0, err
    assert "rest and days in a row before 2026-12-14 from the saved roster: 2 agents" in err
    monday = {r["agent_id"] for r in json.loads(out) if r["day"] == "2026-12-14"}
    assert "a1" not in monday and "a2" not in monday
    assert len(monday - {""}) == 4  # the other four fill Monday's four places
