"""The engine's planned agents from the workspace's current staffing plan, on the fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from carecenter.adapters.memory import (
    FakeClock,
    InMemoryCenterRepository,
    InMemoryEventLog,
    InMemoryPlanStore,
    InMemoryWarehouse,
)
from carecenter.adapters.settings import Settings
from carecenter.domain.center import Center
from carecenter.domain.plans import PlanKind, PlanRow
from carecenter.errors import WorkspaceError
from carecenter.services.bootstrap import Workspace
from carecenter.services.routing import open_engine, planned_agents

SUNDAY_NIGHT = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # the plan is read a week at a time


def workspace(tmp_path: Path, center: Center | None = None) -> Workspace:
    repo = InMemoryCenterRepository()
    if center is not None:
        repo.save(center)
    return Workspace(
        Settings(workspace=tmp_path),
        events=InMemoryEventLog(),
        center=repo,
        clock=FakeClock(SUNDAY_NIGHT),
        warehouse=InMemoryWarehouse(),
        plans=InMemoryPlanStore(),
    )


def save(ws: Workspace, *rows: tuple[str, datetime, int, int]) -> None:
    plan = [PlanRow(q, start, length, agents=agents) for q, start, length, agents in rows]
    ws.plans.save(PlanKind.STAFF, plan, saved_at=SUNDAY_NIGHT, command="test")


def test_the_interval_containing_the_time_answers(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    one_am = SUNDAY_NIGHT + timedelta(hours=1)
    save(ws, ("billing", SUNDAY_NIGHT, 3600, 4), ("billing", one_am, 1800, 6))
    ws.plans.save(  # a forecast is no staffing plan
        PlanKind.FORECAST,
        [PlanRow("cards", SUNDAY_NIGHT, 1800, calls=10.0)],
        saved_at=SUNDAY_NIGHT,
        command="forecast",
    )
    planned = planned_agents(ws)
    assert planned("billing", SUNDAY_NIGHT) == 4.0
    assert planned("billing", SUNDAY_NIGHT + timedelta(minutes=45)) == 4.0  # the next week
    assert planned("billing", SUNDAY_NIGHT + timedelta(hours=1)) == 6.0
    assert planned("billing", SUNDAY_NIGHT + timedelta(minutes=89)) == 6.0
    assert planned("billing", SUNDAY_NIGHT + timedelta(minutes=90)) is None
    assert planned("billing", SUNDAY_NIGHT - timedelta(seconds=1)) is None
    assert planned("cards", SUNDAY_NIGHT) is None
    with pytest.raises(ValueError, match="timezone-aware"):
        planned("billing", SUNDAY_NIGHT.replace(tzinfo=None))


def test_a_new_plan_is_read_after_reload(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    save(ws, ("billing", SUNDAY_NIGHT, 1800, 4))
    planned = planned_agents(ws)
    assert planned("billing", SUNDAY_NIGHT) == 4.0
    save(ws, ("billing", SUNDAY_NIGHT, 1800, 7))
    assert planned("billing", SUNDAY_NIGHT) == 4.0  # what was read is kept
    planned.reload()
    assert planned("billing", SUNDAY_NIGHT) == 7.0


def test_the_engine_needs_the_center_applied(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="run `carecenter config apply`"):
        open_engine(workspace(tmp_path))
    engine = open_engine(workspace(tmp_path, Center(name="Empty")))
    assert engine.center.name == "Empty" and engine.now_dt == SUNDAY_NIGHT
