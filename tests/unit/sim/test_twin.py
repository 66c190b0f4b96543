"""The twin drives the real engine: seeded runs repeat exactly, arrivals follow their rates,
customers give up after their patience, and every event goes to the sink."""

from __future__ import annotations

from collections import Counter
from types import MappingProxyType as Frozen

import pytest

from carecenter.domain.center import Agent, Center, Queue, Tier
from carecenter.domain.enums import Channel
from carecenter.domain.events import ContactAbandoned, ContactAnswered, ContactArrived, Event
from carecenter.sim.scenario import Arrivals, Behaviour, Distribution, Scenario, Shape
from carecenter.sim.twin import replication_start, run_replication


def center(agents: int) -> Center:
    return Center(
        name="twin",
        queues=Frozen({"q": Queue("q", "q", Channel.VOICE)}),
        agents=Frozen({f"a{i}": Agent(f"a{i}", f"a{i}") for i in range(agents)}),
        tiers=Frozen({"standard": Tier("standard"), "vip": Tier("vip", priority=100)}),
    )


def scenario(
    agents: int = 5,
    per_hour: float = 60.0,
    patience: Distribution | None = None,
    arrivals: Arrivals | None = None,
    seed: int = 1,
) -> Scenario:
    return Scenario(
        center(agents),
        Frozen({"q": arrivals or Arrivals.constant("q", per_hour, {"standard": 0.9, "vip": 0.1})}),
        Frozen({"q": Behaviour(Distribution(Shape.EXPONENTIAL, 240.0), patience=patience)}),
        horizon_s=4 * 3600,
        replications=2,
        seed=seed,
    )


def events_of(s: Scenario, index: int = 0) -> list[Event]:
    out: list[Event] = []
    run_replication(s, index, out.extend)
    return out


def test_the_same_seed_gives_the_same_events_and_pinned_counts() -> None:
    first, again = events_of(scenario()), events_of(scenario())
    assert first == again
    kinds = Counter(e.name for e in first)
    assert kinds["contact.arrived"] == 243
    assert kinds["contact.answered"] == 243
    assert len(first) == 1954


def test_another_seed_or_replication_gives_other_customers() -> None:
    base = events_of(scenario())
    assert events_of(scenario(seed=2)) != base
    assert events_of(scenario(), 1) != base


def test_replications_are_whole_weeks_apart() -> None:
    s = scenario()
    assert (replication_start(s, 3) - replication_start(s, 0)).days == 21


def test_arrivals_follow_the_rate() -> None:
    # 4 hours at 600 an hour: 2,400 expected, sd 49
    arrived = sum(isinstance(e, ContactArrived) for e in events_of(scenario(40, 600.0)))
    assert 2400 - 4 * 49 < arrived < 2400 + 4 * 49


def test_no_one_arrives_in_an_interval_whose_rate_is_zero() -> None:
    rates = tuple((0.0,) * 2 + (600.0,) + (0.0,) * 21 for _ in range(7))  # 02:00-03:00 only
    times = [
        e.occurred_at
        for e in events_of(scenario(40, arrivals=Arrivals("q", rates, 3600)))
        if isinstance(e, ContactArrived)
    ]
    assert times
    assert all(t.hour == 2 for t in times)


def test_customers_give_up_after_their_patience_when_no_one_answers() -> None:
    events = events_of(scenario(0, 60.0, patience=Distribution(Shape.FIXED, 90.0)))
    arrived = [e for e in events if isinstance(e, ContactArrived)]
    gone = [e for e in events if isinstance(e, ContactAbandoned)]
    assert arrived
    assert len(gone) == len(arrived)
    assert not any(isinstance(e, ContactAnswered) for e in events)
    waits = [
        (b.occurred_at - a.occurred_at).total_seconds() for a, b in zip(arrived, gone, strict=True)
    ]
    assert waits == pytest.approx([90.0] * len(arrived))


def test_vip_callers_come_in_their_share() -> None:
    tiers = Counter(e.tier for e in events_of(scenario(40, 600.0)) if isinstance(e, ContactArrived))
    assert tiers["vip"] / sum(tiers.values()) == pytest.approx(0.1, abs=0.025)


def test_agents_work_their_shifts_and_take_their_breaks() -> None:
    from carecenter.domain.events import AgentStateChanged
    from carecenter.sim.scenario import Shift

    early = Shift(0.0, 2 * 3600.0, breaks=((3600.0, 900.0),))
    late = Shift(2 * 3600.0, 4 * 3600.0)
    base = scenario(4, 60.0)
    s = Scenario(
        base.center,
        base.arrivals,
        base.behaviour,
        horizon_s=4 * 3600,
        replications=2,
        shifts=Frozen({"a0": early, "a1": early, "a2": late, "a3": late}),
    )
    events = events_of(s)
    start = replication_start(s, 0)
    answered = [
        (e.agent_id, (e.occurred_at - start).total_seconds())
        for e in events
        if isinstance(e, ContactAnswered)
    ]
    assert answered
    for agent_id, at in answered:
        if agent_id in ("a0", "a1"):
            assert at < 2 * 3600  # nothing new is offered once the shift is over
            assert not 3600 <= at < 3600 + 900  # nor during the break
        else:
            assert at >= 2 * 3600
    states = [
        (e.agent_id, e.state.value, (e.occurred_at - start).total_seconds())
        for e in events
        if isinstance(e, AgentStateChanged) and e.state.value in ("break", "logged_out")
    ]
    breaks = [at for agent_id, state, at in states if agent_id == "a0" and state == "break"]
    assert breaks and 3600 <= breaks[0] < 3600 + 900
    outs = [at for agent_id, state, at in states if agent_id == "a0" and state == "logged_out"]
    assert outs and outs[0] >= 2 * 3600


def test_callers_of_an_entry_flow_are_routed_by_it() -> None:
    from carecenter.adapters.center_yaml import parse_center, template
    from carecenter.domain.events import ContactFlowStep, ContactQueued
    from carecenter.sim.callers import CallerBehaviour

    center = parse_center(template())
    s = Scenario(
        center,
        Frozen({"main_line": Arrivals.constant("main_line", 60.0)}),
        Frozen(
            {
                "cards": Behaviour(Distribution(Shape.EXPONENTIAL, 180.0)),
                "billing": Behaviour(Distribution(Shape.EXPONENTIAL, 240.0)),
            }
        ),
        horizon_s=3 * 3600,
        replications=2,
        callers=Frozen({"main_line": CallerBehaviour(Frozen({"menu": Frozen({"1": 1.0})}))}),
    )
    events = events_of(s)
    queued = {e.queue_id for e in events if isinstance(e, ContactQueued)}
    assert queued == {"cards"}
    steps = [e.node_id for e in events if isinstance(e, ContactFlowStep)]
    assert steps[:4] == ["welcome", "identify", "menu", "cards"]


def test_arrivals_at_an_unknown_queue_or_flow_are_refused() -> None:
    from carecenter.errors import DomainError

    base = scenario()
    with pytest.raises(DomainError, match="no such queue or entry flow"):
        Scenario(base.center, Frozen({"x": Arrivals.constant("x", 1.0)}), base.behaviour)
