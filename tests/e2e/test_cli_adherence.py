"""``carecenter adherence``: the agents' states, imported from an Asterisk queue_log with
pauses, against the saved roster; hand-computed answers for four agents on one day."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.e2e.test_cli_roster import AGENTS, cli, workspace

MONDAY = "2026-12-14"


def at(hhmm: str) -> int:
    """Epoch seconds of ``hhmm`` on Monday (London is on UTC in December)."""
    hour, minute = map(int, hhmm.split(":"))
    return int(datetime(2026, 12, 14, hour, minute, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A workspace with a saved roster and Monday's agent states: the first of Monday's four
    rostered agents works the plan exactly, the second logs in 20 minutes late, the third
    comes back from the meal 10 minutes late and the fourth never logs in. Every shift is
    08:30-17:00 with a meal at 12:30-13:00."""
    tmp = tmp_path_factory.mktemp("adherence")
    ws = workspace(tmp, AGENTS, least=32)
    assert cli("roster", "-w", str(ws), "--from", MONDAY, "--save")[0] == 0
    code, out, err = cli(
        "plan", "show", "-w", str(ws), "--kind", "roster", "--from", MONDAY, "-f", "json"
    )
    assert code == 0, err
    monday = sorted(r["agent_id"] for r in json.loads(out))
    assert len(monday) == 4
    exact, late, long_meal, _absent = monday  # by id; the fourth never logs in
    events = [
        (at("08:30"), exact, "ADDMEMBER", ""),
        (at("08:50"), late, "ADDMEMBER", ""),
        (at("08:30"), long_meal, "ADDMEMBER", ""),
        (at("12:30"), exact, "PAUSE", "meal"),
        (at("12:30"), long_meal, "PAUSE", "meal"),
        (at("13:00"), exact, "UNPAUSE", ""),
        (at("13:00"), late, "PAUSE", "meal"),
        (at("13:10"), long_meal, "UNPAUSE", ""),
        (at("13:30"), late, "UNPAUSE", ""),
        (at("17:00"), exact, "REMOVEMEMBER", ""),
        (at("17:00"), late, "REMOVEMEMBER", ""),
        (at("17:00"), long_meal, "REMOVEMEMBER", ""),
    ]
    log = tmp / "queue_log"
    log.write_text(
        "".join(
            f"{t}|NONE|billing|SIP/{agent}|{event}|{data}\n"
            for t, agent, event, data in sorted(events)
        )
    )
    code, _, err = cli("import", "asterisk-queue-log", str(log), "-w", str(ws))
    assert code == 0, err
    return ws, monday


def test_each_agents_adherence_is_the_hand_computed_one(
    measured: tuple[Path, list[str]],
) -> None:
    ws, (exact, late, long_meal, absent) = measured
    code, out, err = cli("adherence", "-w", str(ws), "--from", MONDAY, "-f", "json")
    assert code == 0, err
    rows = {r["agent_id"]: r for r in json.loads(out)}
    assert set(rows) == {exact, late, long_meal, absent}
    scheduled = 8.5 * 3600
    assert rows[exact]["scheduled_s"] == scheduled and rows[exact]["scheduled_work_s"] == 8 * 3600
    assert (rows[exact]["adherence"], rows[exact]["conformance"], rows[exact]["events"]) == (
        1.0,
        1.0,
        0,
    )
    # 20 minutes late in the morning; meal taken 13:00-13:30 instead of 12:30-13:00: an hour
    # more out (working in the planned meal, then away in planned work); 460 minutes worked
    assert rows[late]["out_of_adherence_s"] == 80 * 60
    assert rows[late]["adherence"] == round(1 - 80 / 510, 4)
    assert rows[late]["conformance"] == round(460 / 480, 4)
    assert rows[late]["events"] == 2  # 08:30-08:50 and 12:30-13:30 (adjacent pieces merge)
    assert rows[long_meal]["adherence"] == round(1 - 10 / 510, 4)
    assert rows[long_meal]["conformance"] == round(470 / 480, 4) and rows[long_meal]["events"] == 1
    # away all day: in adherence only during the planned meal
    assert rows[absent]["adherence"] == round(30 / 510, 4) and rows[absent]["conformance"] == 0
    assert rows[absent]["worked_s"] == 0
    kept = (510 + 430 + 500 + 30) / (4 * 510)
    conf = (480 + 460 + 470) / (4 * 480)
    assert f"4 agents: adherence {kept:.1%}, conformance {conf:.1%}; 5 out-of-adherence " in err


def test_the_events_name_the_plan_and_the_state(measured: tuple[Path, list[str]]) -> None:
    ws, (_, late, _, absent) = measured
    code, out, err = cli(
        "adherence",
        "-w",
        str(ws),
        "--from",
        MONDAY,
        "--by",
        "event",
        "-f",
        "json",
        "--tolerance",
        "10m",
    )
    assert code == 0, err
    events = [
        (e["agent_id"], e["start_at"][11:16], e["duration_s"], e["activity"], e["state"])
        for e in json.loads(out)
    ]
    # 10 minutes back late from the meal is not longer than a 10-minute tolerance
    assert sorted(events) == sorted(
        [
            (late, "08:30", 1200.0, "work", "logged_out"),
            (late, "12:30", 3600.0, "meal", "available"),
            (absent, "08:30", 4 * 3600.0, "work", "logged_out"),
            (absent, "13:00", 4 * 3600.0, "work", "logged_out"),
        ]
    )


def test_by_interval_adds_up_to_the_agents_rows(measured: tuple[Path, list[str]]) -> None:
    ws, monday = measured
    by_agent = json.loads(cli("adherence", "-w", str(ws), "--from", MONDAY, "-f", "json")[1])
    code, out, err = cli(
        "adherence",
        "-w",
        str(ws),
        "--from",
        MONDAY,
        "--by",
        "interval",
        "--interval",
        "1h",
        "-f",
        "json",
    )
    assert code == 0, err
    rows = json.loads(out)
    for agent in by_agent:
        mine = [r for r in rows if r["agent_id"] == agent["agent_id"]]
        assert sum(r["scheduled_s"] for r in mine) == agent["scheduled_s"]
        assert sum(r["in_adherence_s"] for r in mine) == agent["in_adherence_s"]
    nine = next(
        r for r in rows if r["agent_id"] == monday[1] and r["interval_start"][11:16] == "08:00"
    )
    assert (nine["scheduled_s"], nine["in_adherence_s"], nine["adherence"]) == (
        1800.0,
        600.0,
        0.3333,
    )


def test_days_without_a_saved_roster_are_one_line(measured: tuple[Path, list[str]]) -> None:
    ws, _ = measured
    code, out, err = cli("adherence", "-w", str(ws), "--from", "2027-01-04")
    assert code == 2 and out == "" and "no roster saved for 2027-01-04 to 2027-01-04" in err
    code, _, err = cli("adherence", "-w", str(ws), "--from", MONDAY, "--by", "team")
    assert code == 2 and "unknown view 'team'; choose one of agent, interval, event" in err
