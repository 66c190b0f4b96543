"""Ticket times count the queue's business hours and targets of ``center.yaml``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

CENTER = """\
center: {name: Desk, timezone: Europe/Rome}
queues:
  support:
    channel: email
    hours: {mon-fri: "09:00-18:00", sat-sun: closed}
    holidays: [2026-04-06]
    targets:
      response_time_s: 14400
      resolution_time_s: 172800
      by_priority: {P1: {response_time_s: 3600}}
"""
MAPPING = """\
source: desk
time_format: iso
columns: {ticket_id: id, activity: what, occurred_at: at, queue_id: queue, priority: prio}
activities: {created: [new], replied: [reply], waiting: [pending], resolved: [done]}
"""
# Friday 17:00 Rome -> reply Tuesday 10:00 (Monday 6 April 2026 is Easter Monday, a holiday):
# 1 h on Friday + 1 h on Tuesday = 2 h of business time.
LOG = """\
id,what,at,queue,prio
t1,new,2026-04-03T17:00:00+02:00,support,P2
t1,reply,2026-04-07T10:00:00+02:00,support,P2
t1,done,2026-04-07T12:00:00+02:00,support,P2
t2,new,2026-04-07T09:00:00+02:00,support,P3
t2,reply,2026-04-07T15:00:00+02:00,support,P3
t2,pending,2026-04-07T16:00:00+02:00,support,P3
t2,reply,2026-04-09T16:00:00+02:00,support,P3
t2,done,2026-04-10T10:00:00+02:00,support,P3
"""


def test_business_hours_holidays_and_sla(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--workspace", str(ws)]).exit_code == 0
    (ws / "center.yaml").write_text(CENTER, encoding="utf-8")
    applied = runner.invoke(app, ["config", "apply", "-w", str(ws)])
    assert applied.exit_code == 0, applied.output
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "import",
            "ticket-events",
            str(tmp_path / "log.csv"),
            "--mapping",
            str(tmp_path / "m.yaml"),
            "-w",
            str(ws),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["report", "--tickets", "-w", str(ws), "--interval", "all", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    # t1: reply after 2 h of business time, resolved after 4 h; t2: reply after 6 h,
    # resolved after 9 + 9 + 1 = ... Tue 09-18 (9 h), Wed 9 h, Thu 9 h, Fri 1 h = 28 h
    assert row["first_response_total_s"] == (2 + 6) * 3600
    assert row["resolution_total_s"] == (4 + 28) * 3600
    # t1 met its SLA; t2's first reply took 6 h > 4 h
    assert (row["sla_measured"], row["sla_met"]) == (2, 1)
    assert row["first_response_p50_s"] == 4 * 3600
    # t1 raised to priority P1 later, whose first response is due within 1 h: missed
    (tmp_path / "p1.csv").write_text(
        "id,what,at,queue,prio\nt1,escalate,2026-04-07T13:00:00+02:00,support,P1\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "import",
            "ticket-events",
            str(tmp_path / "p1.csv"),
            "--mapping",
            str(tmp_path / "m.yaml"),
            "-w",
            str(ws),
            "-f",
            "json",
        ],
    )
    assert json.loads(result.stdout)[0]["updated"] == 1, result.output
    result = runner.invoke(
        app, ["report", "--tickets", "-w", str(ws), "--interval", "all", "-f", "json"]
    )
    (row,) = json.loads(result.stdout)
    assert (row["sla_measured"], row["sla_met"]) == (2, 0)


def test_a_contact_report_of_tickets_only_points_at_the_ticket_report(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--workspace", str(ws)]).exit_code == 0
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")
    args = ["import", "ticket-events", str(tmp_path / "log.csv"), "--mapping"]
    assert runner.invoke(app, [*args, str(tmp_path / "m.yaml"), "-w", str(ws)]).exit_code == 0
    result = runner.invoke(app, ["report", "-w", str(ws), "-f", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert "the warehouse holds 2 tickets: carecenter report --tickets" in result.stderr
    result = runner.invoke(app, ["report", "-w", str(ws), "--by", "priority"])
    assert result.exit_code == 2
    assert "priority is a dimension of tickets: use --tickets" in result.stderr
    result = runner.invoke(
        app, ["report", "--tickets", "-w", str(ws), "-i", "all", "--by", "priority", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    assert [(r["priority"], r["tickets_created"]) for r in json.loads(result.stdout)] == [
        ("P2", 1),
        ("P3", 1),
    ]
