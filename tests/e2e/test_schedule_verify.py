"""``carecenter schedule --verify-with-simulation``: a schedule made from a requirement that is
too small is checked by the digital twin, which adds agents where the queue misses its target,
until it meets it; a budget stops it; the twin's agents work the scheduled places."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.adapters.settings import Settings
from carecenter.domain.plans import PlanKind, PlanRow
from carecenter.interfaces.cli.app import app
from carecenter.services.bootstrap import bootstrap

CENTER = """\
center: {name: Verify test, timezone: Europe/London}
skills: {billing: {}, cards: {}}
queues:
  billing: {skills: {billing: 1}, service_level: {threshold_s: 20, target: 0.8}}
  cards: {skills: {cards: 1}, service_level: {threshold_s: 20, target: 0.8}}
agents:
  a1: {name: Ann, skills: {billing: 3}}
  a2: {name: Bob, skills: {billing: 3, cards: 3}}
"""
SHIFTS = """\
shifts:
  hour: {length: 1h, starts: {from: "09:00", to: "11:00", every: 30m}, cost_per_hour: 20}
"""


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 14, hour, minute, tzinfo=UTC)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Monday 09:00-12:00: 60 billing calls of 2 minutes each half hour (4 erlangs: Erlang C
    wants 7 agents for 80 % in 20 s) and 6 cards calls (0.4 erlangs); the requirement asks
    for 3 agents only."""
    root = tmp_path_factory.mktemp("verify")
    ws = root / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "center.yaml").write_text(CENTER)
    assert cli("config", "apply", "-w", str(ws))[0] == 0
    (ws / "shifts.yaml").write_text(SHIFTS)
    starts = [at(9, 0), at(9, 30), at(10, 0), at(10, 30), at(11, 0), at(11, 30)]
    forecast = [PlanRow("billing", s, 1800, calls=60.0, aht_s=120.0) for s in starts] + [
        PlanRow("cards", s, 1800, calls=6.0, aht_s=120.0) for s in starts
    ]
    with bootstrap(Settings(workspace=ws)) as opened:
        opened.plans.save(PlanKind.FORECAST, forecast, saved_at=at(8), command="test")
    (root / "need.csv").write_text(
        "interval_start,scheduled_agents,interval_s\n"
        + "".join(f"{s.isoformat()},3,1800\n" for s in starts)
    )
    return ws


def run(ws: Path, *extra: str) -> tuple[int, str, str]:
    return cli(
        "schedule",
        "-w",
        str(ws),
        "--requirement",
        str(ws.parent / "need.csv"),
        "--from",
        "2026-12-14",
        "--days",
        "1",
        "-f",
        "csv",
        "--verify-with-simulation",
        "--replications",
        "3",
        *extra,
    )


def agents_at(out: str) -> dict[str, int]:
    """Agents working at each half hour, from the printed shifts (1 hour each)."""
    working: dict[str, int] = {}
    for row in csv.DictReader(io.StringIO(out)):
        hour, minute = map(int, row["start"].split(":"))
        for half in (0, 1):
            key = f"{hour + (minute + 30 * half) // 60:02d}:{(minute + 30 * half) % 60:02d}"
            working[key] = working.get(key, 0) + int(row["agents"])
    return working


def test_agents_are_added_until_the_twin_meets_the_target(ws: Path, tmp_path: Path) -> None:
    checked = tmp_path / "verification.csv"
    code, out, err = run(ws, "--max-rounds", "10", "--verification", str(checked))
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("simulation ")]
    assert lines[0].startswith("simulation 1: staff cost 180.00; ")  # 3 agents x 3 hours
    first_missed = int(lines[0].split("; ")[1].split(" of ")[0])
    assert first_missed >= 5  # billing misses with 3 agents in every half hour
    assert lines[-1].split("; ")[1].startswith("0 of ")
    assert "every queue meets its target in the twin" in err
    final = agents_at(out)
    assert all(final[t] >= 6 for t in ("09:30", "10:00", "10:30", "11:00"))  # about Erlang C's
    rows = list(csv.DictReader(io.StringIO(checked.read_text())))
    assert {r["queue"] for r in rows} == {"billing", "cards"}
    assert all(r["miss"] == "False" for r in rows)
    assert all(float(r["service_level"]) >= 0.8 for r in rows if float(r["offered"]) >= 1)


def test_a_budget_keeps_the_last_schedule_within_it(ws: Path) -> None:
    code, out, err = run(ws, "--budget", "400", "--max-rounds", "10")
    assert code == 0, err
    assert "the next schedule would cost more than --budget" in err
    kept = sum(agents_at(out).values()) * 10  # 20 an hour: 10 an agent and half hour
    assert 180 < kept <= 400  # more than the first schedule's, within the budget
    assert f"cost {kept:.2f} (staff {kept:.2f})" in err


def test_the_twin_needs_a_forecast(ws: Path) -> None:
    code, _, err = cli(
        "schedule",
        "-w",
        str(ws),
        "--requirement",
        str(ws.parent / "need.csv"),
        "--from",
        "2026-12-21",
        "--days",
        "1",
        "--verify-with-simulation",
    )
    assert code == 2 and "no forecast saved for 2026-12-21 to 2026-12-21" in err
    code, _, err = cli(
        "schedule",
        "-w",
        str(ws),
        "--requirement",
        str(ws.parent / "need.csv"),
        "--from",
        "2026-12-14",
        "--days",
        "8",
        "--verify-with-simulation",
    )
    assert code == 2 and "checks at most 7 days, not 8" in err


def test_the_twins_agents_work_the_scheduled_places() -> None:
    from carecenter.adapters.center_yaml import parse_center
    from carecenter.domain.schedules import ScheduledBreak, ScheduledShift
    from carecenter.services.schedule_check import Twin, scenario_of

    center = parse_center(CENTER)
    monday = date(2026, 12, 14)
    shift = ScheduledShift(
        monday,
        "hour",
        at(9),
        at(10),
        3,
        1.0,
        60.0,
        (ScheduledBreak("rest", at(9, 30), at(9, 45), True),),
    )
    forecast = [PlanRow("billing", at(9), 1800, calls=60.0, aht_s=120.0, patience_s=90.0)]
    scenario = scenario_of(Twin(center, forecast, 2, 1), [shift], monday, 1)
    simulated = sorted(a for a in scenario.center.agents if a.startswith("sim-"))
    assert simulated == ["sim-1214-0000", "sim-1214-0001", "sim-1214-0002"]
    # the center's agents in turn (by id): Ann, Bob, Ann again
    skills = [dict(scenario.center.agents[a].skills) for a in simulated]
    assert skills == [{"billing": 3}, {"billing": 3, "cards": 3}, {"billing": 3}]
    assert scenario.replay.rosters["sim-1214-0001"] == ((32400.0, 36000.0),)
    assert scenario.replay.away["sim-1214-0001"] == ((34200.0, 35100.0),)
    assert scenario.replay.rosters["a1"] == ()  # the real agents do not work in the twin
    rates = scenario.arrivals["billing"].per_hour[0]  # Monday
    assert rates[18] == 120.0 and sum(rates) == 120.0  # 60 calls in the half hour at 09:00
    behaviour = scenario.behaviour["billing"]
    assert (behaviour.handle.mean_s, behaviour.patience.mean_s) == (120.0, 90.0)
