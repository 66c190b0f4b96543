"""The contact engine built from a workspace reads its callback capacity from the saved
staffing plan: a booking the plan cannot meet is refused, one it can is accepted.

Worked by hand. The template center's ``billing`` queue (Europe/London, open 08:00-18:00 on
weekdays) books callbacks in 30-minute slots of 300 s each, at most a quarter of a slot's
planned capacity: a slot holds floor(agents x 1800 / 300 x 0.25) = floor(1.5 x agents)
callbacks. The plan (Erlang C, 80% within 20 s) needs 2 agents for 2 calls of 300 s in a
half hour and 3 agents for 6 calls: 3 callbacks at 09:00, 4 at 09:30 (London summer time,
UTC+1). No agent is signed in, so a slot without a plan holds none.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.adapters.memory import FakeClock
from carecenter.adapters.settings import Settings
from carecenter.adapters.store.plan_repo import SqlPlanStore
from carecenter.commitments.ledger import CallbackRefused
from carecenter.interfaces.cli.app import app
from carecenter.services.bootstrap import bootstrap
from carecenter.services.routing import open_engine

NINE = datetime(2026, 7, 6, 8, 0, tzinfo=UTC)  # Monday 09:00 in London
HALF_HOUR = timedelta(minutes=30)


def save_plan(ws: Path, tmp_path: Path) -> None:
    volumes = tmp_path / "volumes.csv"
    volumes.write_text(
        "queue,interval_start,calls,aht_s\n"
        "billing,2026-07-06T09:00,2,300\n"
        "billing,2026-07-06T09:30,6,300\n"
    )
    result = CliRunner().invoke(app, ["staff", "--volumes", str(volumes), "--save", "-w", str(ws)])
    assert result.exit_code == 0, result.stderr


def test_callbacks_are_booked_within_the_saved_plan(workspace: Path, tmp_path: Path) -> None:
    save_plan(workspace, tmp_path)
    clock = FakeClock(NINE - timedelta(hours=2))
    with bootstrap(Settings(workspace=workspace), clock=clock) as ws:
        assert isinstance(ws.plans, SqlPlanStore)  # the workspace's own store
        engine = open_engine(ws)
        assert engine.planned_agents is not None
        assert engine.planned_agents("billing", NINE) == 2.0
        assert engine.planned_agents("billing", NINE + HALF_HOUR) == 3.0
        assert engine.planned_agents("billing", NINE + 2 * HALF_HOUR) is None
        for minute in (0, 10, 29):  # the 09:00 slot holds three
            assert engine.book_callback("billing", NINE + timedelta(minutes=minute))
        with pytest.raises(CallbackRefused) as refused:
            engine.book_callback("billing", NINE + timedelta(minutes=15))
        assert "the slot's 3 callback(s) are taken" in str(refused.value)
        assert refused.value.earliest == NINE + HALF_HOUR
        for _ in range(4):  # the 09:30 slot holds four
            assert engine.book_callback("billing", NINE + HALF_HOUR)
        with pytest.raises(CallbackRefused) as refused:
            engine.book_callback("billing", NINE + HALF_HOUR)
        assert "the slot's 4 callback(s) are taken" in str(refused.value)
        assert refused.value.earliest is None  # no plan later on, nobody signed in


def test_without_a_plan_the_same_booking_is_refused(workspace: Path) -> None:
    with bootstrap(Settings(workspace=workspace), clock=FakeClock(NINE - HALF_HOUR)) as ws:
        engine = open_engine(ws)
        with pytest.raises(CallbackRefused) as refused:
            engine.book_callback("billing", NINE)
    assert "the slot's 0 callback(s) are taken" in str(refused.value)
