"""``carecenter plan compare``: required, scheduled and actual agents and the cost per contact,
on a morning worked out by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.adapters.settings import Settings
from carecenter.domain.enums import AgentStatus
from carecenter.domain.events import AgentStateChanged
from carecenter.domain.plans import PlanKind, PlanRow
from carecenter.domain.schedules import ScheduledBreak, ScheduledShift, ScheduleVersion
from carecenter.interfaces.cli.app import app
from carecenter.services.bootstrap import bootstrap
from carecenter.services.projector import project
from carecenter.services.workspace import init_workspace

DAY = date(2026, 12, 14)  # Europe/London: UTC in December


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 14, hour, minute, tzinfo=UTC)


def state(agent: str, when: datetime, now: AgentStatus, was: AgentStatus) -> AgentStateChanged:
    return AgentStateChanged(occurred_at=when, agent_id=agent, state=now, previous=was)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    settings = Settings(workspace=tmp_path / "ws")
    init_workspace(settings)
    a, b, out = AgentStatus.AVAILABLE, AgentStatus.BREAK, AgentStatus.LOGGED_OUT
    with bootstrap(settings) as ws:
        ws.plans.save(
            PlanKind.STAFF,
            [
                PlanRow("billing", at(8), 1800, scheduled_agents=2),
                PlanRow("cards", at(8), 1800, scheduled_agents=1),
                PlanRow("billing", at(8, 30), 1800, scheduled_agents=2),
            ],
            saved_at=at(7),
            command="test",
        )
        meal = ScheduledBreak("meal", at(8, 30), at(9), paid=False)
        ws.schedules.save(
            ScheduleVersion(0, at(7), "test", DAY, 1, 1800, "Europe/London", 0, 0, 0, 0),
            # 2 agents 08:00-09:30, meal 08:30-09:00 unpaid: 1 paid hour each at 20
            [ScheduledShift(DAY, "short", at(8), at(9, 30), 2, 1.0, 40.0, (meal,))],
        )
        # a001 (24/h) 08:00-09:30 with a break 08:15-08:45; a002 (22.5/h) 08:00-08:30
        ws.events.append(
            [
                state("a001", at(8), a, out),
                state("a002", at(8), a, out),
                state("a001", at(8, 15), b, a),
                state("a002", at(8, 30), out, a),
                state("a001", at(8, 45), a, b),
                state("a001", at(9, 30), out, a),
            ]
        )
        project(ws.events, ws.warehouse)
    return settings.workspace


def test_a_morning_by_hand(workspace: Path) -> None:
    result = CliRunner().invoke(
        app, ["plan", "compare", "-w", str(workspace), "--from", "2026-12-14", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = {r["interval_start"][11:16]: r for r in json.loads(result.stdout)}
    assert list(rows) == ["08:00", "08:30", "09:00"]
    first, second, third = rows["08:00"], rows["08:30"], rows["09:00"]
    # 08:00: 3 required (billing 2 + cards 1), 2 scheduled; there and not on a break: a001
    # 15 min and a002 30 min, 1.5 agents on average over the half hour
    assert (first["required"], first["scheduled"], first["actual"]) == (3.0, 2.0, 1.5)
    assert first["scheduled_minus_required"] == -1.0 and first["actual_minus_scheduled"] == -0.5
    # the schedule pays 2 agents half an hour at 20; logged in: a001 (breaks count) 30 min at
    # 24 and a002 30 min at 22.5
    assert first["scheduled_cost"] == 20.0
    assert first["actual_cost"] == pytest.approx(12.0 + 11.25)
    assert first["handled"] == 0 and first["cost_per_contact"] is None
    # 08:30: both on their (unpaid) meal; a001 back at 08:45
    assert (second["required"], second["scheduled"], second["actual"]) == (2.0, 0.0, 0.5)
    assert second["scheduled_cost"] == 0.0
    # 09:00: nothing required; both scheduled; a001 there
    assert (third["required"], third["scheduled"], third["actual"]) == (None, 2.0, 1.0)


def test_nothing_to_compare_is_one_line(workspace: Path) -> None:
    result = CliRunner().invoke(
        app, ["plan", "compare", "-w", str(workspace), "--from", "2027-01-04"]
    )
    assert result.exit_code == 2 and "nothing to compare for 2027-01-04" in result.stderr


def test_the_html_report_draws_them(workspace: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        ["report", "-w", str(workspace), "--format", "html", "--output", str(page),
         "--interval", "30m"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "Required, scheduled and actual staff" in html
    assert "required (staffing plan)" in html and "actual (logged in, not on a break)" in html


def test_no_staffing_section_without_a_plan(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "plain")
    init_workspace(settings)
    with bootstrap(settings) as ws:
        ws.events.append([state("a001", at(8), AgentStatus.AVAILABLE, AgentStatus.LOGGED_OUT)])
        project(ws.events, ws.warehouse)
    page = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["report", "-w", str(settings.workspace), "-f", "html", "--output", str(page)]
    )
    assert result.exit_code == 0, result.output
    assert "Required, scheduled and actual staff" not in page.read_text()
