"""Small centers and a readable trace of engine events, for the engine's tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from carecenter.adapters.memory import FakeClock
from carecenter.domain.center import Agent, Center, Customer, Queue, Skill, Tier
from carecenter.domain.enums import Channel
from carecenter.domain.events import Event
from carecenter.domain.routing_policy import AgentQueue, QueueRouting
from carecenter.engine.engine import ContactEngine

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
"""A Monday, 09:00 UTC."""


def frozen(d: Mapping[Any, Any] | None = None) -> MappingProxyType[Any, Any]:
    return MappingProxyType(dict(d or {}))


def queue(
    queue_id: str,
    channel: Channel = Channel.VOICE,
    *,
    skills: Mapping[str, int] | None = None,
    **routing: Any,
) -> Queue:
    return Queue(
        queue_id,
        queue_id,
        channel,
        required_skills=frozen(skills),
        routing=QueueRouting(**routing),
    )


def agent(
    agent_id: str,
    skills: Mapping[str, int] | None = None,
    *,
    capacity: Mapping[Channel, int] | None = None,
    queues: Mapping[str, AgentQueue] | None = None,
    call_blocks_chat: bool = False,
) -> Agent:
    return Agent(
        agent_id,
        agent_id,
        skills=frozen(skills),
        capacity=frozen(capacity or {Channel.VOICE: 1}),
        queues=frozen(queues),
        call_blocks_chat=call_blocks_chat,
    )


def center(
    queues: Iterable[Queue],
    agents: Iterable[Agent],
    *,
    skills: Iterable[str] = ("billing", "spanish", "cards"),
    customers: Iterable[Customer] = (),
) -> Center:
    return Center(
        name="test",
        skills=frozen({s: Skill(s) for s in skills}),
        tiers=frozen({"standard": Tier("standard"), "vip": Tier("vip", priority=100)}),
        queues=frozen({q.queue_id: q for q in queues}),
        agents=frozen({a.agent_id: a for a in agents}),
        customers=frozen({c.customer_id: c for c in customers}),
    )


class Run:
    """An engine on a fake clock, and every event it emitted, as readable lines."""

    def __init__(self, c: Center, **kwargs: Any) -> None:
        self.clock = FakeClock(T0)
        self.engine = ContactEngine(c, self.clock, **kwargs)
        self.events: list[Event] = []

    def at(self, seconds: float) -> Run:
        """Move the clock to ``seconds`` after T0 and run the timers due by then."""
        self.clock.set(T0.replace() + _delta(seconds))
        self.events += self.engine.advance()
        return self

    def do(self, command: str, *args: Any, **kwargs: Any) -> list[Event]:
        out: list[Event] = getattr(self.engine, command)(*args, **kwargs)
        self.events += out
        return out

    def lines(self, names: Iterable[str] | None = None) -> list[str]:
        return trace(self.events, names)


def _delta(seconds: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=seconds)


_SHOWN = (
    "contact_id",
    "agent_id",
    "queue_id",
    "to_queue_id",
    "state",
    "reason",
    "step",
    "estimate_s",
    "position",
    "kind",
    "promise_id",
    "value",
    "priority",
)


def trace(events: Iterable[Event], names: Iterable[str] | None = None) -> list[str]:
    """``"<seconds> <event name> <the fields that tell it apart>"`` for each event."""
    wanted = set(names) if names is not None else None
    out = []
    for e in events:
        if wanted is not None and e.name not in wanted:
            continue
        data = e.as_dict()
        parts = [f"{(e.occurred_at - T0).total_seconds():g}", e.name]
        for key in _SHOWN:
            value = data.get(key)
            if value is None or value == "" or (key == "priority" and value == 0):
                continue
            parts.append(f"{key}={getattr(value, 'value', value)}")
        out.append(" ".join(parts))
    return out
