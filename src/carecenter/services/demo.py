"""The demo: a workspace for the example center with history and live days, and a report.

It tells the story of a center moving to carecenter: the past ``history_days`` weekdays come
from the old phone system as an Asterisk ``queue_log`` (generated from scripted days, then
imported), the next ``days`` weekdays run through the contact engine, simulated by the digital
twin (:func:`carecenter.sim.demo_day.demo_scenario`), their events recorded in the event log
and projected into the warehouse. Then the HTML report is written. Everything is seeded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from carecenter.adapters.files import write_queue_log
from carecenter.adapters.settings import Settings
from carecenter.domain.center import Center
from carecenter.domain.events import Event
from carecenter.services.bootstrap import Workspace, bootstrap
from carecenter.services.importing import import_files
from carecenter.services.projector import project
from carecenter.services.reporting import HtmlReport, Period, html_report
from carecenter.services.simulation import EVENT_BATCH
from carecenter.services.workspace import init_workspace, workspace_info
from carecenter.sim.demo_day import demo_scenario, scripted_day
from carecenter.sim.twin import run_replication

DEMO_START = date(2026, 11, 16)  # a Monday: the first live day
QUEUE_LOG = "pbx-queue_log"
REPORT = "report.html"


def weekdays(start: date, count: int, *, backwards: bool = False) -> list[date]:
    """``count`` weekdays from ``start`` (inclusive) forwards, or before it backwards."""
    days: list[date] = []
    step = timedelta(days=-1 if backwards else 1)
    day = start + step if backwards else start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += step
    return sorted(days)


def _events(
    center: Center, days: list[date], seed: int, prefix: str, calls_per_hour: float
) -> list[Event]:
    rng = random.Random(seed)
    return [
        e
        for day in days
        for e in scripted_day(center, day, rng, calls_per_hour=calls_per_hour, prefix=prefix)
    ]


def _live_days(ws: Workspace, center: Center, days: int, seed: int, calls_per_hour: float) -> None:
    """The live weekdays: the demo center simulated through the contact engine (the digital
    twin), every event appended to the workspace's event log."""
    scenario = demo_scenario(center, DEMO_START, days, calls_per_hour=calls_per_hour, seed=seed)
    pending: list[Event] = []

    def append(events: list[Event]) -> None:
        pending.extend(events)
        if len(pending) >= EVENT_BATCH:
            ws.events.append(pending)
            pending.clear()

    run_replication(scenario, 0, append)
    if pending:
        ws.events.append(pending)


@dataclass(frozen=True)
class DemoResult:
    """The demo workspace's summary, and the HTML report to write (``None``: it is there)."""

    info: dict[str, Any]
    report_path: Path
    report: HtmlReport | None
    next_week: date
    """The Monday of the week the demo planned (forecast, staffing plan, schedule)."""


DEMO_SUPERVISOR = ("supervisor", "carecenter-demo")
"""The demo workspace's supervisor user and password (a demo's: change it before real use)."""


def _demo_supervisor(settings: Settings) -> None:
    """The demo supervisor, added once, to sign in to ``carecenter serve`` on the demo."""
    from carecenter.services.users import add_user, get_user

    name, password = DEMO_SUPERVISOR
    if get_user(settings, name) is None:
        add_user(settings, name, "supervisor", password, actor="demo")


DEMO_SHIFTS = """\
# The demo center's shifts (carecenter schedule; docs/how-to/schedule.md).
contracts:
  full-time: {days_per_week: 5}
shifts:
  day:
    length: 8.5h
    starts: {from: "08:00", to: "09:30", every: 30m}
    cost_per_hour: 20
    contract: full-time
    breaks:
      - {name: rest, length: 30m, paid: true, from: 1.5h, to: 3h}
      - {name: meal, length: 30m, from: 3.5h, to: 5h}
  part-time:
    length: 4h
    starts: {from: "08:00", to: "14:00", every: 30m}
    cost_per_hour: 22
"""
COMMAND = "carecenter demo"


def next_week(days: int) -> date:
    """The Monday after the ``days`` live weekdays: the week the demo plans."""
    last = weekdays(DEMO_START, days)[-1]
    return last + timedelta(days=7 - last.weekday())


def _plan_week(settings: Settings, monday: date) -> None:
    """The plans of the week of ``monday`` (Monday to Friday), as a planner would make them
    the week before: the forecast from the warehouse (of the days before), the staffing plan
    from it (80 % in 20 s, 30 % shrinkage), the schedule from that and the roster of the
    center's agents on it, all saved in the workspace."""
    from carecenter.adapters.volumes_csv import InMemoryVolumes, VolumeRow
    from carecenter.services.forecasting import (
        ForecastOptions,
        forecast_from_warehouse,
        save_forecast,
    )
    from carecenter.services.rostering import make_roster, save_roster
    from carecenter.services.scheduling import make_schedule, requirement_from_plan, save_schedule
    from carecenter.services.staffing import make_target, save_staff_plan

    forecast = forecast_from_warehouse(settings, ForecastOptions(interval_s=1800, horizon_days=9))
    save_forecast(settings, forecast, command=COMMAND)
    volumes = InMemoryVolumes(
        [
            VolumeRow(
                queue=str(r["queue"]),
                interval_start=r["interval_start"].isoformat(),
                calls=float(r["calls"]),
                aht_s=float(r["aht_s"] or 300.0),
                interval_s=float(r["interval_s"]),
                calls_lo=r["calls_lo"],
                calls_hi=r["calls_hi"],
            )
            for r in forecast.rows()
        ]
    )
    save_staff_plan(settings, volumes, make_target(), shrinkage=0.3, command=COMMAND)
    shifts = settings.workspace / "shifts.yaml"
    if not shifts.exists():
        shifts.write_text(DEMO_SHIFTS, encoding="utf-8")
    needed = requirement_from_plan(settings, monday, 5)
    save_schedule(settings, make_schedule(needed, shifts, time_limit_s=30.0), COMMAND)
    roster = make_roster(settings, monday, 5, shifts, time_limit_s=30.0)
    save_roster(settings, roster, COMMAND)


def _scheduled(settings: Settings, monday: date) -> str | None:
    """What the saved schedule and roster of the demo's next week hold, in a few words."""
    friday = monday + timedelta(days=4)
    with bootstrap(settings, read_only=True) as ws:
        found = ws.schedules.current(monday, friday)
        rostered = ws.schedules.current_roster(monday, friday)
    if not found:
        return None
    shifts = sum(s.agents for _, s in found)
    cost = sum(s.cost for _, s in found)
    agents = len({s.agent_id for _, s in rostered})
    return (
        f"{monday} to {friday}: {shifts} shifts, cost {cost:,.2f}; {len(rostered)} rostered "
        f"to {agents} agents"
    )


def run_demo(
    settings: Settings,
    *,
    days: int = 5,
    history_days: int = 10,
    seed: int = 7,
    calls_per_hour: float = 12.0,
) -> DemoResult:
    """Build the demo workspace (once: a workspace that has data keeps it) and summarise it."""
    center = init_workspace(settings).center
    log_path = settings.workspace / QUEUE_LOG
    report_path = settings.workspace / REPORT
    with bootstrap(settings) as ws:
        fresh = ws.events.count() == 0 and ws.warehouse.counts().contact_facts == 0
    if fresh and history_days:
        history = weekdays(DEMO_START, history_days, backwards=True)
        write_queue_log(_events(center, history, seed + 1, "pbx-", calls_per_hour), log_path)
        import_files(settings, "asterisk-queue-log", [log_path])
        _plan_week(settings, DEMO_START)  # the live week, planned from the history before it
    with bootstrap(settings) as ws:
        if fresh:
            _live_days(ws, center, days, seed, calls_per_hour)
        project(ws.events, ws.warehouse)
    monday = next_week(days)
    if fresh:
        _plan_week(settings, monday)
    _demo_supervisor(settings)
    info = workspace_info(settings)
    info["queue_log"] = str(log_path) if log_path.exists() else None
    info["schedule"] = _scheduled(settings, monday)
    info["report"] = str(report_path)
    page = None
    if fresh or not report_path.exists():
        page = html_report(settings, period=Period(), interval="1d", by=("queue",))
    return DemoResult(info, report_path, page, monday)
