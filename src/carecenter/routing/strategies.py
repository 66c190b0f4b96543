"""Who gets a contact: the agent-selection strategies, small classes behind one Protocol.

The engine keeps the agents free to take a queue's contacts in a heap ordered by a strategy's
:meth:`AgentStrategy.key`; the smallest key gets the next offer. A key depends only on what an
agent's :class:`AgentStanding` says at the moment the agent became free, so the heap stays
valid while the agent waits and every choice costs O(log n) in the number of agents.
``ring_all`` rings every free agent at once; the heap order only sets the order of the
offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from carecenter.domain.routing_policy import Strategy

Key = tuple[float, ...]


@dataclass(slots=True)
class AgentStanding:
    """What a strategy may rank a free agent on (all times in engine seconds)."""

    index: int
    """The agent's place in ``center.yaml``: the last tie-break."""
    idle_since: float = 0.0
    """When the agent last became free: signed in, or ended a contact."""
    busy_last_hour: float = 0.0
    """Seconds spent on contacts in the hour before ``idle_since``."""
    contacts_today: int = 0
    day: int = 0
    """The center's day (ordinal) ``contacts_today`` counts in."""
    epoch: int = 0
    """How many times the agent became free: drives the seeded random draw."""


class AgentStrategy(Protocol):
    """A rule for ranking the free agents of a queue (smaller key first)."""

    name: ClassVar[Strategy]
    rings_all: ClassVar[bool]
    day_bound: ClassVar[bool]
    """Whether keys depend on the day (they are ranked again when the day changes)."""
    uses_offers: ClassVar[bool]
    """Whether keys depend on the queue's last offer to the agent (round robin)."""
    uses_busy: ClassVar[bool]
    """Whether keys depend on the agent's time on contacts in the last hour (least occupied);
    the engine only keeps that time for agents of such queues."""

    def key(self, agent: AgentStanding, proficiency: int, last_offer: int, today: int) -> Key:
        """The agent's rank for a queue: ``proficiency`` is the agent's proficiency summed over
        the queue's required skills, ``last_offer`` the sequence number of the queue's last
        offer to the agent (-1: never), ``today`` the center's day. Ties are impossible (the
        agent's index ends every key)."""
        ...


class LongestIdle:
    """The agent free the longest."""

    name: ClassVar[Strategy] = Strategy.LONGEST_IDLE
    rings_all: ClassVar[bool] = False
    day_bound: ClassVar[bool] = False
    uses_offers: ClassVar[bool] = False
    uses_busy: ClassVar[bool] = False

    def key(self, agent: AgentStanding, proficiency: int, last_offer: int, today: int) -> Key:
        return (agent.idle_since, agent.index)


class BestSkilled:
    """The highest summed proficiency on the queue's skills, then the longest idle."""

    name: ClassVar[Strategy] = Strategy.BEST_SKILLED
    rings_all: ClassVar[bool] = False
    day_bound: ClassVar[bool] = False
    uses_offers: ClassVar[bool] = False
    uses_busy: ClassVar[bool] = False

    def key(self, agent: AgentStanding, proficiency: int, last_offer: int, today: int) -> Key:
        return (-proficiency, agent.idle_since, agent.index)


class LeastOccupied:
    """The least time on contacts in the hour before becoming free, then the longest idle."""

    name: ClassVar[Strategy] = Strategy.LEAST_OCCUPIED
    rings_all: ClassVar[bool] = False
    day_bound: ClassVar[bool] = False
    uses_offers: ClassVar[bool] = False
    uses_busy: ClassVar[bool] = True

    def key(self, agent: AgentStanding, proficiency: int, last_offer: int, today: int) -> Key:
        return (agent.busy_last_hour, agent.idle_since, agent.index)


class RoundRobin:
    """Each agent in turn: the one offered a contact of this queue longest ago, first in
    ``center.yaml`` order among those never offered one."""

    name: ClassVar[Strategy] = Strategy.ROUND_ROBIN
    rings_all: ClassVar[bool] = False
    day_bound: ClassVar[bool] = False
    uses_offers: ClassVar[bool] = True
    uses_busy: ClassVar[bool] = False

    def key(self, agent: AgentStanding, proficiency: int, last_offer: int, today: int) -> Key:
        return (float(last_offer), agent.index)


class FewestContacts:
    """The fewest contacts taken today, then the longest idle."""

    name: ClassVar[Strategy] = Strategy.FEWEST_CONTACTS
    rings_all: ClassVar[bool] = False
    day_bound: ClassVar[bool] = True
    uses_offers: ClassVar[bool] = False
    uses_busy: ClassVar[bool] = False

    def key(self, agent: AgentStanding, proficiency: int, last_offer: int, today: int) -> Key:
        taken = agent.contacts_today if agent.day == today else 0
        return (float(taken), agent.idle_since, agent.index)


class RingAll:
    """Every free agent at once (ranked longest idle first for the order of the offers)."""

    name: ClassVar[Strategy] = Strategy.RING_ALL
    rings_all: ClassVar[bool] = True
    day_bound: ClassVar[bool] = False
    uses_offers: ClassVar[bool] = False
    uses_busy: ClassVar[bool] = False

    def key(self, agent: AgentStanding, proficiency: int, last_offer: int, today: int) -> Key:
        return (agent.idle_since, agent.index)


_MASK = (1 << 64) - 1


def mix(*values: int) -> int:
    """A 64-bit hash of integers (splitmix64 steps): the same inputs, the same draw."""
    x = 0x9E3779B97F4A7C15
    for v in values:
        x = (x ^ (v & _MASK)) * 0xBF58476D1CE4E5B9 & _MASK
        x = (x ^ (x >> 31)) * 0x94D049BB133111EB & _MASK
        x ^= x >> 29
    return x


class RandomAgent:
    """A free agent picked at random: each time an agent becomes free they draw a number from
    the queue's seed, their index and how often they became free; the lowest draw wins. The
    draw is reproducible, so a replayed engine makes the same choices."""

    name: ClassVar[Strategy] = Strategy.RANDOM
    rings_all: ClassVar[bool] = False
    day_bound: ClassVar[bool] = False
    uses_offers: ClassVar[bool] = False
    uses_busy: ClassVar[bool] = False

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def key(self, agent: AgentStanding, proficiency: int, last_offer: int, today: int) -> Key:
        return (float(mix(self.seed, agent.index, agent.epoch)), agent.index)


def strategy_for(name: Strategy, seed: int = 0) -> AgentStrategy:
    """The strategy object configured as ``name``."""
    if name is Strategy.RANDOM:
        return RandomAgent(seed)
    return _BY_NAME[name]()


_BY_NAME: dict[Strategy, type[AgentStrategy]] = {
    s.name: s
    for s in (LongestIdle, BestSkilled, LeastOccupied, RoundRobin, FewestContacts, RingAll)
}
