"""The intraday re-forecast (:mod:`carecenter.services.intraday`) on hand-computed numbers, on
the in-memory fakes: the damped ratio, the blended AHT, and the agents of ``carecenter
staff``'s code for the re-forecast volume (checked against a published Erlang C example)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.metrics.builders import visit

from carecenter.adapters.memory import (
    FakeClock,
    InMemoryCenterRepository,
    InMemoryEventLog,
    InMemoryPlanStore,
    InMemoryWarehouse,
)
from carecenter.adapters.memory_schedules import InMemoryScheduleStore
from carecenter.adapters.settings import Settings
from carecenter.domain.center import Center, Queue
from carecenter.domain.enums import Channel
from carecenter.domain.plans import PlanKind, PlanRow
from carecenter.domain.schedules import ScheduledBreak, ScheduledShift, ScheduleVersion
from carecenter.errors import InputError
from carecenter.services.bootstrap import Workspace
from carecenter.services.intraday import SoFar, parse_moment, reforecast_day, summary
from carecenter.services.staffing import make_target, staff_interval

MONDAY = date(2026, 12, 14)  # London is on UTC in December
TEN = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)
SHAPE = {"09:00": 50.0, "09:30": 50.0, "10:00": 80.0, "10:30": 20.0}
"""The forecast of one queue: 200 calls, 100 of them due by 10:00."""


def at(hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2026, 12, 14, hour, minute, tzinfo=UTC)


def test_the_ratio_is_damped_by_the_share_of_the_day_due() -> None:
    # 150 offered against 100 forecast so far, of a day of 200: w = 0.5, r = 1.5
    day = SoFar("billing", forecast=100.0, offered=150.0, day_forecast=200.0, aht_s=200.0)
    assert (day.due, day.ratio, day.ratio_used) == (0.5, 1.5, 1.25)
    assert day.aht_used(160.0) == 180.0  # 0.5 x 160 + 0.5 x 200
    early = SoFar("billing", forecast=20.0, offered=30.0, day_forecast=200.0)
    assert early.ratio == 1.5 and early.ratio_used == pytest.approx(1.05)  # 1 + 0.1 x 0.5
    assert early.aht_used(160.0) == 160.0  # nothing handled yet: the plan's
    late = SoFar("billing", forecast=200.0, offered=150.0, day_forecast=200.0, aht_s=100.0)
    assert late.ratio_used == 0.75 and late.aht_used(160.0) == 100.0  # all due: taken as is
    nothing_due = SoFar("billing", forecast=0.0, offered=7.0, day_forecast=200.0)
    assert nothing_due.ratio is None and nothing_due.ratio_used == 1.0
    assert SoFar("q", forecast=0.0, offered=0.0, day_forecast=0.0).due == 0.0


@given(
    st.floats(0, 1e5), st.floats(0, 1), st.floats(1e-3, 1e5), st.floats(0, 1e5), st.floats(1, 1e4)
)
def test_the_ratio_used_adds_the_surplus_as_a_share_of_the_day(
    offered: float, part: float, day: float, aht: float, plan_aht: float
) -> None:
    forecast = part * day
    so_far = SoFar("q", forecast=forecast, offered=offered, day_forecast=day, aht_s=aht)
    if forecast > 0:
        surplus = 1 + (offered - forecast) / day
        assert so_far.ratio_used == pytest.approx(surplus, rel=1e-9, abs=1e-9)
        assert so_far.ratio is not None
        if forecast > 1e-6:  # the definition, where A / F does not overflow
            damped = 1 + so_far.due * (so_far.ratio - 1)
            assert so_far.ratio_used == pytest.approx(damped, rel=1e-6, abs=1e-9)
    else:
        assert so_far.ratio_used == 1.0
    blended = so_far.aht_used(plan_aht)
    assert min(aht, plan_aht) - 1e-6 <= blended <= max(aht, plan_aht) + 1e-6


def test_a_moment_without_an_offset_is_center_time() -> None:
    summer = parse_moment("2026-07-06T10:00", "Europe/London")
    assert summer.astimezone(UTC) == datetime(2026, 7, 6, 9, 0, tzinfo=UTC)
    assert parse_moment("2026-07-06T10:00+00:00", "Europe/London").hour == 10
    for bad in ("2026-07-06", "soon", ""):
        with pytest.raises(InputError, match="not a date and time YYYY-MM-DDTHH:MM"):
            parse_moment(bad, "UTC")


def center(*queues: str) -> Center:
    return Center(
        name="Test",
        timezone="Europe/London",
        queues={q: Queue(q, q.title(), Channel.VOICE) for q in queues},
    )


def workspace(tmp_path: Path, *queues: str) -> Workspace:
    repo = InMemoryCenterRepository()
    repo.save(center(*queues))
    return Workspace(
        Settings(workspace=tmp_path),
        events=InMemoryEventLog(),
        center=repo,
        clock=FakeClock(TEN),
        warehouse=InMemoryWarehouse(),
        plans=InMemoryPlanStore(),
        schedules=InMemoryScheduleStore(),
    )


def save_forecast(ws: Workspace, queue: str, scale: float = 1.0, aht: float = 160.0) -> None:
    rows = [PlanRow(queue, at(t), 1800, calls=c * scale, aht_s=aht) for t, c in SHAPE.items()]
    ws.plans.save(PlanKind.FORECAST, rows, saved_at=TEN, command="test forecast")


def calls(
    ws: Workspace, queue: str, count: int, first: datetime, every_s: float, talk: float
) -> None:
    """``count`` answered calls of ``talk`` seconds (no after-call work) from ``first``."""
    assert isinstance(ws.warehouse, InMemoryWarehouse)
    for i in range(count):
        fact = visit(
            f"{queue}-{first:%H%M}-{i}",
            queue=queue,
            enqueued=first + timedelta(seconds=every_s * i),
            wait=5.0,
            talk=talk,
            acw=0.0,
        )
        ws.warehouse.contact_facts[(fact.contact_id, 1)] = fact


def save_schedule(ws: Workspace, agents: int, breaks: tuple[ScheduledBreak, ...] = ()) -> None:
    shift = ScheduledShift(
        MONDAY, "morning", at("09:00"), at("11:00"), agents, 2.0, 40.0 * agents, breaks
    )
    draft = ScheduleVersion(0, TEN, "test", MONDAY, 1, 1800, "Europe/London", 0, 0, 0, 0)
    ws.schedules.save(draft, [shift])


TARGET = make_target()  # 80 % answered within 20 s


def test_the_rest_of_the_day_is_re_forecast_and_staffed_as_carecenter_staff_does(
    tmp_path: Path,
) -> None:
    ws = workspace(tmp_path, "billing")
    save_forecast(ws, "billing")
    calls(ws, "billing", 150, at("09:00"), 24.0, talk=200.0)  # 150 by 10:00, AHT 200 s
    calls(ws, "billing", 40, at("10:00"), 30.0, talk=900.0)  # after now: not so far
    save_schedule(ws, 16)
    result = reforecast_day(ws, TARGET, shrinkage=0.3)  # now: the clock's 10:00
    [so_far] = result.so_far
    assert (so_far.forecast, so_far.offered, so_far.day_forecast, so_far.aht_s) == (
        100.0,
        150.0,
        200.0,
        200.0,
    )
    rows = [
        (r["interval_start"].strftime("%H:%M"), r["forecast_calls"], r["reforecast_calls"])
        for r in result.rows
    ]
    assert rows == [("10:00", 80.0, 100.0), ("10:30", 20.0, 25.0)]  # x 1.25
    assert [r["aht_s"] for r in result.rows] == [180.0, 180.0]
    # Call Centre Helper's worked Erlang C example ("Erlang C Formula - Made Simple With an
    # Easy Worked Example"): 100 calls in 30 minutes of 180 s, 80 % in 20 s -> 14 agents
    # (service level 88.8 %), 20 to schedule with 30 % shrinkage
    ten, half_past = result.rows
    assert ten["reforecast_required"] == 20
    for row in result.rows:
        expected = staff_interval(
            calls=row["reforecast_calls"],
            interval_s=1800,
            aht_s=row["aht_s"],
            target=TARGET,
            shrinkage=0.3,
        )
        assert row["reforecast_required"] == expected["scheduled_agents"]
    assert (ten["scheduled"], ten["gap"]) == (16.0, -4.0)
    assert (half_past["reforecast_required"], half_past["gap"]) == (8, 8.0)
    assert ten["required"] is None  # no staffing plan saved
    assert summary(result)[0] == (
        "billing: 150 offered by 10:00 against 100.0 forecast (ratio 1.500); 50.0% of the "
        "day's 200.0 due: ratio used 1.250; AHT so far 200.0 s"
    )
    assert any("no staffing plan for the rest of 2026-12-14" in n for n in result.notes)


def test_mid_interval_the_interval_now_is_in_counts_in_part(tmp_path: Path) -> None:
    ws = workspace(tmp_path, "billing")
    save_forecast(ws, "billing")
    calls(ws, "billing", 150, at("09:00"), 24.0, talk=200.0)
    calls(ws, "billing", 30, at("10:00"), 30.0, talk=400.0)  # 10:00 to 10:14:30
    result = reforecast_day(ws, TARGET, at="2026-12-14T10:15:40")  # to the minute: 10:15
    [so_far] = result.so_far
    # F = 50 + 50 + 80 x 15/30 = 140, w = 0.7, A = 180: r' = 1 + (180 - 140) / 200 = 1.2
    assert (so_far.forecast, so_far.offered, so_far.due) == (140.0, 180.0, 0.7)
    assert so_far.ratio_used == pytest.approx(1.2)
    assert so_far.aht_s == pytest.approx((150 * 200 + 30 * 400) / 180)
    assert [r["reforecast_calls"] for r in result.rows] == [96.0, 24.0]
    assert result.rows[0]["aht_s"] == round(0.3 * 160 + 0.7 * so_far.aht_s, 1)  # 211.3
    assert result.now.strftime("%H:%M") == "10:15"


def test_the_plans_model_and_agents_are_the_saved_staffing_plans(tmp_path: Path) -> None:
    ws = workspace(tmp_path, "billing")
    save_forecast(ws, "billing")
    calls(ws, "billing", 150, at("09:00"), 24.0, talk=200.0)

    def planned(start: str, calls: float, agents: int | None = None) -> PlanRow:
        need = staff_interval(
            calls=calls, interval_s=1800, aht_s=160.0, target=TARGET, patience_s=60.0,
            shrinkage=0.3,
        )  # fmt: skip
        scheduled = need["scheduled_agents"] if agents is None else agents
        return PlanRow("billing", at(start), 1800, calls=calls, aht_s=160.0, patience_s=60.0,
                       agents=need["agents"], scheduled_agents=scheduled)  # fmt: skip

    saved = [planned("10:00", 80.0), planned("10:30", 20.0)]
    ws.plans.save(PlanKind.STAFF, saved, saved_at=TEN, command="staff --patience")
    result = reforecast_day(ws, TARGET, shrinkage=0.3)
    assert [r["required"] for r in result.rows] == [s.scheduled_agents for s in saved]
    erlang_a = staff_interval(
        calls=100.0, interval_s=1800, aht_s=180.0, target=TARGET, patience_s=60.0, shrinkage=0.3
    )
    erlang_c = staff_interval(
        calls=100.0, interval_s=1800, aht_s=180.0, target=TARGET, shrinkage=0.3
    )
    assert erlang_a["model"] == "A" and erlang_a["scheduled_agents"] < erlang_c["scheduled_agents"]
    assert result.rows[0]["reforecast_required"] == erlang_a["scheduled_agents"]
    assert not [n for n in result.notes if n.startswith("warning:")]  # like with like
    # a plan saved with other targets: its agents are not these targets' for its volume
    ws.plans.save(PlanKind.STAFF, [planned("10:00", 80.0, 10)], saved_at=TEN, command="other")
    result = reforecast_day(ws, TARGET, shrinkage=0.3)
    assert [r["required"] for r in result.rows] == [10, saved[1].scheduled_agents]
    [warning] = [n for n in result.notes if n.startswith("warning:")]
    assert warning.startswith(
        f"warning: the staffing plan has 10 agents for queue billing at 10:00, these targets "
        f"{saved[0].scheduled_agents} for its 80 calls of 160 s: give the --target-sl"
    )


def test_several_queues_share_the_schedule_on_center_rows(tmp_path: Path) -> None:
    ws = workspace(tmp_path, "billing", "cards")
    save_forecast(ws, "billing")
    save_forecast(ws, "cards", scale=0.5, aht=240.0)
    calls(ws, "billing", 100, at("09:00"), 36.0, talk=160.0)  # on forecast: r = 1
    calls(ws, "cards", 25, at("09:00"), 144.0, talk=240.0)  # half of its 50: r = 0.5
    meal = ScheduledBreak("meal", at("10:00"), at("10:15"))
    save_schedule(ws, 16, (meal,))  # all 16 away for half of 10:00-10:30
    result = reforecast_day(ws, TARGET)
    table = [(r["queue"], r["reforecast_calls"], r["scheduled"], r["gap"]) for r in result.rows]
    need = {r["queue"]: r["reforecast_required"] for r in result.rows[:3]}
    assert table[:3] == [
        ("billing", 80.0, None, None),
        ("cards", 30.0, None, None),  # 40 x (1 + 0.5 x (0.5 - 1))
        ("(center)", 110.0, 8.0, 8.0 - need["(center)"]),
    ]
    assert need["(center)"] == need["billing"] + need["cards"]
    assert result.rows[2]["aht_s"] == round((80 * 160 + 30 * 240) / 110, 1)
    assert [r["queue"] for r in result.rows[3:]] == ["billing", "cards", "(center)"]
    assert result.rows[5]["scheduled"] == 16.0
    assert any("serve all 2 queues" in n for n in result.notes)
    only_cards = reforecast_day(ws, TARGET, queues=["cards"])
    assert [r["queue"] for r in only_cards.rows] == ["cards", "(center)"] * 2
    assert only_cards.rows[1] == result.rows[2]  # the center's row counts every queue
    assert [s.queue for s in only_cards.so_far] == ["cards"]


def test_a_day_without_a_forecast_names_the_command_that_saves_one(tmp_path: Path) -> None:
    ws = workspace(tmp_path, "billing")
    with pytest.raises(InputError) as raised:
        reforecast_day(ws, TARGET)
    assert str(raised.value) == (
        "no forecast for 2026-12-14 (Europe/London); save one with "
        "`carecenter forecast --save --workspace DIR`"
    )
    save_forecast(ws, "billing")
    with pytest.raises(InputError, match="no forecast for queue sales on 2026-12-14"):
        reforecast_day(ws, TARGET, queues=["sales"])
    with pytest.raises(InputError, match="shrinkage"):
        reforecast_day(ws, TARGET, shrinkage=1.0)
