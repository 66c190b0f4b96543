"""``carecenter plan compare --by queue``: required, rostered and present agents per queue, and
the cost per contact of each queue, with the time and cost of an agent who serves two queues
split by their handling time (hand-computed answers).

Monday 2026-12-14, London (UTC in December), hourly rows:

- Ann serves billing and sales (30 an hour), Bob billing only (20 an hour); both rostered
  09:00-11:00 and logged in from 09:00, Ann until 11:00, Bob until 10:30;
- 09:00-10:00: Ann talks 10 minutes on a billing call and 30 on a sales call, Bob 20 on a
  billing call; 10:00-11:00 nobody handles anything, so each agent's shares are those of the
  day: Ann 1/4 billing, 3/4 sales; Bob all billing;
- the staffing plan asks for 2 billing agents 09:00-09:30 and 1 from 09:30 to 11:00, and 1
  sales agent 09:00-11:00.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from typer.testing import CliRunner

from carecenter.adapters.settings import Settings
from carecenter.domain.plans import PlanKind, PlanRow
from carecenter.domain.rosters import RosteredShift, RosterVersion
from carecenter.interfaces.cli.app import app
from carecenter.services.bootstrap import bootstrap

CENTER = """\
center: {name: Two queues, timezone: Europe/London}
skills: {billing: {}, sales: {}}
queues:
  billing: {skills: {billing: 1}}
  sales: {skills: {sales: 1}}
agents:
  ann: {name: Ann, skills: {billing: 3, sales: 3}, hourly_cost: 30}
  bob: {name: Bob, skills: {billing: 3}, hourly_cost: 20}
"""


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, 14, hour, minute, second, tzinfo=UTC)


def epoch(hour: int, minute: int = 0, second: int = 0) -> int:
    return int(at(hour, minute, second).timestamp())


def call(cid: str, queue: str, agent: str, start: tuple[int, int], talk_min: int) -> list[str]:
    t = epoch(*start)
    return [
        f"{t}|{cid}|{queue}|NONE|ENTERQUEUE||555{cid}|1",
        f"{t}|{cid}|{queue}|SIP/{agent}|CONNECT|0|{cid}-b|1",
        f"{t + talk_min * 60}|{cid}|{queue}|SIP/{agent}|COMPLETECALLER|0|{talk_min * 60}|1",
    ]


def make_workspace(tmp_path: Path, *, roster: bool = True, roster_day: int = 14) -> Path:
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "center.yaml").write_text(CENTER)
    assert cli("config", "apply", "-w", str(ws))[0] == 0
    lines = [
        f"{epoch(9)}|NONE|billing|SIP/ann|ADDMEMBER|",
        f"{epoch(9)}|NONE|sales|SIP/ann|ADDMEMBER|",
        f"{epoch(9)}|NONE|billing|SIP/bob|ADDMEMBER|",
        *call("1", "billing", "ann", (9, 0), 10),
        *call("2", "sales", "ann", (9, 15), 30),
        *call("3", "billing", "bob", (9, 5), 20),
        f"{epoch(10, 30)}|NONE|billing|SIP/bob|REMOVEMEMBER|",
        f"{epoch(11)}|NONE|billing|SIP/ann|REMOVEMEMBER|",
        f"{epoch(11)}|NONE|sales|SIP/ann|REMOVEMEMBER|",
    ]
    log = tmp_path / "queue_log"
    log.write_text("\n".join(sorted(lines, key=lambda x: int(x.split("|")[0]))) + "\n")
    code, _, err = cli("import", "asterisk-queue-log", str(log), "-w", str(ws))
    assert code == 0, err
    monday = date(2026, 12, roster_day)
    plan = [
        PlanRow("billing", at(9), 1800, scheduled_agents=2),
        PlanRow("billing", at(9, 30), 1800, scheduled_agents=1),
        PlanRow("billing", at(10), 3600, scheduled_agents=1),
        PlanRow("sales", at(9), 7200, scheduled_agents=1),
    ]
    with bootstrap(Settings(workspace=ws)) as opened:
        opened.plans.save(PlanKind.STAFF, plan, saved_at=at(8), command="test")
        if roster:
            draft = RosterVersion(0, at(8), "test", monday, 1, "Europe/London", 1, "OPTIMAL", 0, 0)
            opened.schedules.save_roster(
                draft,
                [
                    RosteredShift(monday, "ann", "early", at(9), at(11), 2.0, 60.0),
                    RosteredShift(monday, "bob", "early", at(9), at(11), 2.0, 40.0),
                ],
            )
    return ws


def test_each_queue_gets_its_share_of_each_agent(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    code, out, err = cli(
        "plan",
        "compare",
        "-w",
        str(ws),
        "--from",
        "2026-12-14",
        "--by",
        "queue",
        "--interval",
        "1h",
        "-f",
        "json",
    )
    assert code == 0, err
    rows = {(r["interval_start"][11:16], r["queue"]): r for r in json.loads(out)}
    assert sorted(rows) == [
        ("09:00", "billing"),
        ("09:00", "sales"),
        ("10:00", "billing"),
        ("10:00", "sales"),
    ]
    nine_b, nine_s = rows["09:00", "billing"], rows["09:00", "sales"]
    # Ann 10 of her 40 handling minutes on billing: a quarter of her; Bob all of his
    assert nine_b["required"] == 1.5  # 2 for half the hour, 1 for the other half
    assert (nine_b["scheduled"], nine_b["actual"]) == (1.25, 1.25)
    assert (nine_b["scheduled_cost"], nine_b["actual_cost"]) == (27.5, 27.5)  # 7.5 + 20
    assert nine_b["handled"] == 2 and nine_b["cost_per_contact"] == 13.75
    assert (nine_s["required"], nine_s["scheduled"], nine_s["scheduled_cost"]) == (1.0, 0.75, 22.5)
    assert nine_s["handled"] == 1 and nine_s["scheduled_cost_per_contact"] == 22.5
    ten_b, ten_s = rows["10:00", "billing"], rows["10:00", "sales"]
    # nothing handled: the day's shares; Bob left at 10:30
    assert (ten_b["scheduled"], ten_b["actual"], ten_b["actual_minus_scheduled"]) == (
        1.25,
        0.75,
        -0.5,
    )
    assert (ten_b["actual_cost"], ten_b["cost_per_contact"]) == (17.5, None)  # 7.5 + 10
    assert (ten_s["actual"], ten_s["actual_cost"], ten_s["scheduled_minus_required"]) == (
        0.75,
        22.5,
        -0.25,
    )
    # the queues add up to the agents: the all-queues comparison's actual cost
    code, out, err = cli(
        "plan", "compare", "-w", str(ws), "--from", "2026-12-14", "--interval", "1h", "-f", "json"
    )
    assert code == 0, err
    whole = {r["interval_start"][11:16]: r for r in json.loads(out)}
    for hour in ("09:00", "10:00"):
        assert (
            whole[hour]["actual_cost"]
            == rows[hour, "billing"]["actual_cost"] + rows[hour, "sales"]["actual_cost"]
        )


def test_a_day_row_and_no_roster(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, roster=False)
    code, out, err = cli(
        "plan",
        "compare",
        "-w",
        str(ws),
        "--from",
        "2026-12-14",
        "--by",
        "queue",
        "--interval",
        "1d",
        "-f",
        "json",
    )
    assert code == 0, err
    rows = {r["queue"]: r for r in json.loads(out)}
    billing = rows["billing"]
    # the day's average: (2 x 0.5 h + 1 x 1.5 h) / 24 h; no roster saved: nothing scheduled
    assert billing["required"] == round(2.5 / 24, 3) and billing["scheduled"] is None
    assert billing["handled"] == 2 and billing["actual_cost"] == 45.0  # 27.5 + 17.5
    assert billing["cost_per_contact"] == 22.5
    code, _, err = cli("plan", "compare", "-w", str(ws), "--from", "2026-12-14", "--by", "team")
    assert code == 2 and "unknown grouping 'team'; the only one is queue" in err


def test_the_html_report_shows_each_queue(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    target = tmp_path / "report.html"
    code, _, err = cli(
        "report", "-w", str(ws), "--format", "html", "--output", str(target), "--interval", "1h"
    )
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    section = text.split("<h2>Staff and cost per contact by queue</h2>")[1].split("<h2>")[0]
    assert section.count('class="plotly-graph-div"') == 1
    assert "scheduled (saved roster)" in section
    # the day's table: billing's rostered cost 27.5 + 27.5 over its 2 contacts
    cells = [c.split(">")[-1] for c in section.split("</td>")]
    billing = cells.index("billing")
    assert cells[billing - 1 : billing + 9] == [
        "2026-12-14",
        "billing",
        "0.1",
        "0.1",
        "0.1",
        "2",
        "55.0",
        "45.0",
        "27.5",
        "22.5",
    ]


def test_a_day_no_roster_covers_is_not_known(tmp_path: Path) -> None:
    # the roster saved covers Tuesday only: Monday's rostered agents are not known, not 0
    ws = make_workspace(tmp_path, roster_day=15)
    code, out, err = cli(
        "plan",
        "compare",
        "-w",
        str(ws),
        "--from",
        "2026-12-14",
        "--by",
        "queue",
        "--interval",
        "1h",
        "-f",
        "json",
    )
    assert code == 0, err
    nine = next(r for r in json.loads(out) if r["queue"] == "billing")
    assert nine["scheduled"] is None and nine["scheduled_cost"] is None
    assert nine["actual"] == 1.25
