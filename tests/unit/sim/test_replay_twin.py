"""A replay plays a recorded history back through the twin: arrivals at their recorded moments
in their recorded tiers, answered customers talking as long as they did, agents at work in
their recorded stretches and away in their recorded spells, at the same local times in every
replication, across a change of daylight-saving time too."""

from __future__ import annotations

import math
from datetime import date, datetime, time
from types import MappingProxyType as Frozen
from zoneinfo import ZoneInfo

import pytest

from carecenter.domain.center import Agent, Center, Queue, Tier
from carecenter.domain.enums import AgentStatus, Channel
from carecenter.domain.events import (
    AgentStateChanged,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    Event,
)
from carecenter.errors import DomainError
from carecenter.sim.scenario import (
    Arrivals,
    Behaviour,
    Distribution,
    Replay,
    Scenario,
    Shape,
)
from carecenter.sim.twin import replication_start, run_replication

ZONE = "Europe/London"


def center() -> Center:
    return Center(
        name="replay",
        timezone=ZONE,
        queues=Frozen({"q": Queue("q", "q", Channel.VOICE)}),
        agents=Frozen({"a0": Agent("a0", "a0")}),
        tiers=Frozen({"standard": Tier("standard"), "vip": Tier("vip", priority=100)}),
    )


HOUR = 3600.0
REPLAY = Replay(
    Frozen({"q": ((10 * HOUR, "vip", 100.0), (10 * HOUR + 100, "standard", math.nan))}),
    Frozen({"a0": ((9 * HOUR, 12 * HOUR),)}),
    Frozen({"a0": ((10 * HOUR + 100, 10 * HOUR + 160),)}),
)


def scenario(start: date = date(2026, 3, 23), replications: int = 2) -> Scenario:
    return Scenario(
        center(),
        Frozen({}),
        Frozen({"q": Behaviour(Distribution(Shape.FIXED, 30.0))}),
        start=start,
        horizon_s=24 * HOUR,
        replications=replications,
        replay=REPLAY,
    )


def local(s: Scenario, index: int, event: Event) -> float:
    """Seconds of local time after the replication's local midnight."""
    midnight = replication_start(s, index).replace(tzinfo=None)
    at = event.occurred_at.astimezone(ZoneInfo(ZONE)).replace(tzinfo=None)
    return (at - midnight).total_seconds()


@pytest.mark.parametrize("index", [0, 1])
def test_a_replay_plays_the_history_back_at_the_same_local_times(index: int) -> None:
    s = scenario()  # replication 1 falls after the clocks go forward (29 March 2026)
    events: list[Event] = []
    run_replication(s, index, events.extend)
    arrived = [e for e in events if isinstance(e, ContactArrived)]
    assert [(local(s, index, e), e.tier) for e in arrived] == [
        (10 * HOUR, "vip"),
        (10 * HOUR + 100, "standard"),
    ]
    first, second = (e.contact_id for e in arrived)
    answered = {e.contact_id: local(s, index, e) for e in events if isinstance(e, ContactAnswered)}
    ended = {e.contact_id: local(s, index, e) for e in events if isinstance(e, ContactEnded)}
    # the first talks for its recorded 100 s; the second waits out the agent's 60 s away
    # spell, which starts as the first call ends, and talks for a drawn 30 s
    assert answered == {first: 10 * HOUR, second: 10 * HOUR + 160}
    assert ended == {first: 10 * HOUR + 100, second: 10 * HOUR + 190}
    states = [(local(s, index, e), e.state) for e in events if isinstance(e, AgentStateChanged)]
    assert states[0] == (9 * HOUR, AgentStatus.AVAILABLE)
    assert (10 * HOUR + 100, AgentStatus.BREAK) in states
    assert (10 * HOUR + 160, AgentStatus.AVAILABLE) in states
    assert states[-1] == (12 * HOUR, AgentStatus.LOGGED_OUT)


def test_replications_fall_on_other_dates_in_the_same_local_hours() -> None:
    s = scenario(replications=3)
    zone = ZoneInfo(ZONE)
    for index in range(3):
        events: list[Event] = []
        run_replication(s, index, events.extend)
        arrived = next(e for e in events if isinstance(e, ContactArrived))
        day = replication_start(s, index).date()
        assert arrived.occurred_at.astimezone(zone) == datetime.combine(day, time(10), zone)


def test_drawn_arrivals_cross_a_change_of_daylight_saving_time() -> None:
    s = Scenario(
        center(),
        Frozen({"q": Arrivals.constant("q", 60.0)}),
        Frozen({"q": Behaviour(Distribution(Shape.FIXED, 30.0))}),
        start=date(2026, 3, 28),  # Saturday; the clocks go forward at 01:00 UTC on Sunday
        horizon_s=48 * HOUR,
        replications=1,
    )
    events: list[Event] = []
    run_replication(s, 0, events.extend)
    times = [e.occurred_at for e in events]
    assert times == sorted(times)
    arrived = sum(isinstance(e, ContactArrived) for e in events)
    assert 47 * 60 * 0.9 < arrived < 47 * 60 * 1.1  # the Sunday has 23 hours


def test_a_replay_must_name_known_queues_agents_and_tiers_in_time_order() -> None:
    with pytest.raises(DomainError, match="time order"):
        Replay(Frozen({"q": ((5.0, "vip", math.nan), (4.0, "vip", math.nan))}))
    with pytest.raises(DomainError, match="in order"):
        Replay(rosters=Frozen({"a0": ((10.0, 20.0), (15.0, 30.0))}))
    bad = [
        Replay(Frozen({"nope": ((1.0, "vip", math.nan),)})),
        Replay(Frozen({"q": ((1.0, "gold", math.nan),)})),
        Replay(rosters=Frozen({"zed": ((1.0, 2.0),)})),
    ]
    for replay in bad:
        with pytest.raises(DomainError):
            Scenario(
                center(),
                Frozen({}),
                Frozen({"q": Behaviour(Distribution(Shape.FIXED, 30.0))}),
                replay=replay,
            )
    with pytest.raises(DomainError, match="volume"):
        scenario().with_changes(volume=1.2)
