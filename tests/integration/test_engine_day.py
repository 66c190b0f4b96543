"""A small day routed by the real contact engine, projected, and read by ``carecenter report``
against counts worked out by hand.

Monday 23 November 2026, 09:00 UTC (London is on UTC in November). One voice queue, service
level 20 s, two agents (Ana, Ben), longest idle first, VIPs 100 points ahead, and the queue-length
predictor (two agents, 300 s a contact until the first one ends: 150 s per place in line).

=========  ========================================================================
09:00:00   Ana and Ben sign in; c1 arrives: offered to Ana (told 0 s), answered at :05
09:00:10   c2 arrives: offered to Ben (told 0 s), answered at :12 (waited 2 s)
09:01:00   c3 arrives: both busy, first in line, told 150 s
09:01:30   c4 (VIP) arrives: ahead of c3 (score 100 + 0 > 30), first, told 150 s
09:02:00   c5 arrives: third in line, told 450 s; hangs up at 09:02:30 (waited 30 s)
09:03:12   Ben wraps c2 up; ends it at 09:03:42: c4 (VIP, 232 > 162) is offered to Ben,
           answered at 09:03:45 (waited 135 s)
09:04:05   Ana ends c1: c3 is offered to her, answered at 09:04:07 (waited 187 s)
09:05:00   Ana promises c3's customer an answer by 10:00, and gives it at 09:30: kept
=========  ========================================================================
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from carecenter.adapters.center_yaml import parse_center
from carecenter.adapters.memory import FakeClock
from carecenter.adapters.settings import Settings
from carecenter.domain.enums import Channel, PromiseKind
from carecenter.domain.events import Event
from carecenter.engine import ContactEngine
from carecenter.interfaces.cli.app import app
from carecenter.services.bootstrap import bootstrap

CENTER = """\
center: {name: Engine day, timezone: Europe/London}
tiers:
  standard: {priority: 0}
  vip: {priority: 100}
queues:
  support:
    channel: voice
    service_level: {threshold_s: 20, target: 0.8}
    routing: {strategy: longest_idle, aging_rate: 1, predictor: queue_length}
agents:
  ana: {name: Ana}
  ben: {name: Ben}
customers:
  k3: {tier: standard}
"""
NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def the_day() -> list[Event]:
    clock = FakeClock(NINE)
    engine = ContactEngine(parse_center(CENTER), clock)
    events: list[Event] = []

    def at(hhmmss: str) -> None:
        h, m, s = (int(x) for x in hhmmss.split(":"))
        clock.set(NINE.replace(hour=h, minute=m, second=s))

    v = Channel.VOICE
    events += engine.sign_in("ana") + engine.sign_in("ben")
    events += engine.arrive("c1", v, "support")
    at("09:00:05")
    events += engine.accept("c1", "ana")
    at("09:00:10")
    events += engine.arrive("c2", v, "support")
    at("09:00:12")
    events += engine.accept("c2", "ben")
    at("09:01:00")
    events += engine.arrive("c3", v, "support", customer_id="k3")
    at("09:01:30")
    events += engine.arrive("c4", v, "support", tier="vip")
    at("09:02:00")
    events += engine.arrive("c5", v, "support")
    at("09:02:30")
    events += engine.abandon("c5")
    at("09:03:12")
    events += engine.wrap_up("c2")
    at("09:03:42")
    events += engine.end("c2", resolved=True)
    at("09:03:45")
    events += engine.accept("c4", "ben")
    at("09:04:05")
    events += engine.end("c1", resolved=True)
    at("09:04:07")
    events += engine.accept("c3", "ana")
    at("09:05:00")
    due = NINE + timedelta(hours=1)
    events += engine.make_promise(
        PromiseKind.REPLY, due, contact_id="c3", agent_id="ana", promise_id="answer"
    )
    at("09:07:00")
    events += engine.end("c4", resolved=True)
    at("09:08:00")
    events += engine.end("c3", resolved=False)
    at("09:30:00")
    events += engine.fulfil_promise("answer", agent_id="ana")
    return events


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("engine-day")
    cli("init", str(root))
    (root / "center.yaml").write_text(CENTER)
    cli("config", "apply", "--workspace", str(root))
    events = the_day()
    with bootstrap(Settings(workspace=root)) as ws:
        ws.events.append(events)
    assert f"projected {len(events)} events" in cli("project", "--workspace", str(root))
    return root


def report(workspace: Path, *args: str) -> list[dict[str, Any]]:
    rows = json.loads(cli("report", "--workspace", str(workspace), "--format", "json", *args))
    assert isinstance(rows, list)
    return rows


def test_the_engine_tells_what_the_timeline_says() -> None:
    offers = [
        (e.contact_id, e.agent_id, e.occurred_at.strftime("%H:%M:%S"))  # type: ignore[attr-defined]
        for e in the_day()
        if e.name == "contact.offered"
    ]
    assert offers == [
        ("c1", "ana", "09:00:00"),
        ("c2", "ben", "09:00:10"),
        ("c4", "ben", "09:03:42"),
        ("c3", "ana", "09:04:05"),
    ]
    told = {
        e.contact_id: e.estimate_s  # type: ignore[attr-defined]
        for e in the_day()
        if e.name == "contact.wait_estimated"
    }
    assert told == {"c1": 0.0, "c2": 0.0, "c3": 150.0, "c4": 150.0, "c5": 450.0}


def test_the_report_counts_the_day_as_worked_out_by_hand(workspace: Path) -> None:
    (day,) = report(workspace)
    # answered c1 (5 s), c2 (2 s), c4 (135 s), c3 (187 s); c5 abandoned after 30 s
    assert (day["offered"], day["answered"], day["abandoned"]) == (5, 4, 1)
    assert day["service_level"] == pytest.approx(2 / 5)
    assert day["asa_s"] == pytest.approx((5 + 2 + 135 + 187) / 4)
    assert day["abandon_rate"] == pytest.approx(1 / 5)
    # told on entry vs waited: c1 0/5, c2 0/2, c4 150/135, c3 150/187
    assert day["ewt_mae_s"] == pytest.approx((5 + 2 + 15 + 37) / 4)
    assert day["ewt_within_30s"] == pytest.approx(3 / 4)
    assert day["ewt_not_exceeded"] == pytest.approx(1 / 4)
    assert (day["promises_made"], day["promises_kept"], day["promises_broken"]) == (1, 1, 0)
    assert day["promise_kept_rate"] == 1.0


def test_by_tier_the_vip_waited_less(workspace: Path) -> None:
    rows = {r["tier"]: r for r in report(workspace, "--by", "tier")}
    assert rows["vip"]["asa_s"] == 135.0
    assert rows["standard"]["asa_s"] == pytest.approx((5 + 2 + 187) / 3)
