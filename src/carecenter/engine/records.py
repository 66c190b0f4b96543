"""What the contact engine holds in memory: contacts, agents and queues at run time.

Times are engine seconds (floats from the engine's epoch). These records are the engine's
state; :mod:`carecenter.engine.state` changes them only by folding events, so the state can be
rebuilt from the event log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from carecenter.domain.center import Agent, Queue
from carecenter.domain.enums import AgentStatus, Channel, ContactState
from carecenter.domain.routing_policy import QueueRouting
from carecenter.routing.strategies import AgentStanding, AgentStrategy


@dataclass(slots=True, eq=False)
class ContactRec:
    """A contact the engine knows about."""

    contact_id: str
    channel: Channel
    capacity_channel: Channel
    arrived: float
    seq: int
    """Arrival order: breaks ties between equal scores (first come, first served)."""
    customer_id: str | None = None
    tier: str = "standard"
    topic: str | None = None
    parent_contact_id: str | None = None
    promise_id: str | None = None
    account_value: float | None = None
    state: ContactState = ContactState.ARRIVED
    queue: QueueRuntime | None = None
    priority: float = 0.0
    enqueued: float = 0.0
    place: float = 0.0
    key: float = 0.0
    level: int = 0
    """How many of the queue's wait thresholds the contact has passed in this visit."""
    step: int = 0
    """The relaxation step of the queue's skill requirement it is at."""
    version: int = 0
    """Bumped whenever the contact stops or starts waiting: stale heap entries are skipped."""
    offered_to: list[str] = field(default_factory=list)
    offer_no: int = 0
    offered_at: float = 0.0
    declined: set[str] = field(default_factory=set)
    preferred: str | None = None
    """The agent who has the contact to themselves until ``preferred_until``."""
    preferred_until: float = 0.0
    agent_id: str | None = None
    """The agent who answered it."""
    answered: float | None = None
    wrap: bool = False
    ewt_told: float | None = None
    announcements: dict[str, int] = field(default_factory=dict)
    """Hold-treatment kind -> how many were given in this visit."""
    callback_offered: bool = False
    path: list[str] = field(default_factory=list)
    """The entry-flow nodes the contact passed."""
    visits: int = 0
    warm_from: str | None = None
    """An agent who keeps the contact (warm transfer) until the next agent answers it."""
    target_agent: str | None = None
    """The only agent this visit may be offered to (a transfer to an agent)."""

    @property
    def waiting(self) -> bool:
        """Whether the contact waits in a queue and is offered to nobody."""
        return self.state is ContactState.QUEUED


@dataclass(slots=True, eq=False)
class Membership:
    """One queue of an agent: its priority, the wait threshold from which the agent may take
    the queue's contacts (its level), and the agent's proficiency summed over the queue's
    required skills."""

    queue: QueueRuntime
    priority: int
    level: int
    proficiency: int
    compact_at: int = 64
    """Pool size above which stale entries are dropped."""


@dataclass(slots=True, eq=False)
class AgentRec:
    """An agent the engine routes to."""

    agent: Agent
    standing: AgentStanding
    state: AgentStatus = AgentStatus.LOGGED_OUT
    reason: str | None = None
    since: float = 0.0
    load: dict[Channel, int] = field(default_factory=dict)
    """Capacity channel -> contacts held or ringing."""
    ringing: set[str] = field(default_factory=set)
    talking: set[str] = field(default_factory=set)
    wrapping: set[str] = field(default_factory=set)
    memberships: list[Membership] = field(default_factory=list)
    version: int = 0
    busy: list[tuple[float, float]] = field(default_factory=list)
    """(start, end) of contact handling in the last hour, for ``least_occupied``."""
    tracks_busy: bool = False
    """Whether a queue of the agent ranks by time on contacts (keep :attr:`busy`)."""
    busy_since: float | None = None
    away: AgentStatus | None = None
    """The state the agent asked to go to once free (break or logged out): no new offers."""
    away_reason: str | None = None
    channels: tuple[Channel, ...] = ()
    """The capacity channels of the agent's queues."""
    by_channel: dict[Channel, list[Membership]] = field(default_factory=dict)
    """The agent's queues by the capacity channel they use."""
    levels: dict[str, int] = field(default_factory=dict)
    """Queue id -> the level from which the agent may take the queue's contacts."""
    agent_id: str = field(init=False)
    """The agent's id (read from :attr:`agent` once: the engine reads it at every step)."""
    capacity: dict[Channel, int] = field(init=False)
    """The agent's capacity per channel."""
    call_blocks_chat: bool = field(init=False)

    def __post_init__(self) -> None:
        self.agent_id = self.agent.agent_id
        self.capacity = dict(self.agent.capacity)
        self.call_blocks_chat = self.agent.call_blocks_chat

    def free_for(self, channel: Channel) -> bool:
        """Whether the agent may be offered one more contact of ``channel`` now."""
        if self.state is not AgentStatus.AVAILABLE and self.state is not AgentStatus.BUSY:
            return False
        if self.away is not None:
            return False
        if self.load.get(channel, 0) >= self.capacity.get(channel, 0):
            return False
        return not (
            channel is Channel.CHAT and self.call_blocks_chat and self.load.get(Channel.VOICE, 0)
        )


@dataclass(slots=True, eq=False)
class QueueRuntime:
    """A queue at run time: its waiting contacts, its free agents and its statistics."""

    queue: Queue
    strategy: AgentStrategy
    capacity_channel: Channel
    thresholds: list[float]
    """Wait thresholds in seconds, ``thresholds[0] == 0``: a contact at level ``k`` has waited
    ``thresholds[k]``; an agent at level ``k`` takes contacts from level ``k`` on."""
    steps: list[int]
    """Level -> the relaxation step reached at that level."""
    waiting: list[list[tuple[float, int, int, ContactRec]]] = field(default_factory=list)
    """Per level, a heap of (key, seq, version, contact) of contacts at that level or beyond."""
    pools: list[list[tuple[tuple[float, ...], int, AgentRec]]] = field(default_factory=list)
    """Per level, a heap of (strategy key, version, agent) of agents free for the queue."""
    line: list[tuple[float, int]] = field(default_factory=list)
    """(key, seq) of every waiting contact, sorted: positions in line."""
    members: list[AgentRec] = field(default_factory=list)
    signed_in: int = 0
    """Members signed in (any state but logged out)."""
    staffed: int = 0
    """Members signed in and not on a break."""
    mean_handle_s: float = 300.0
    waited_s: float = 0.0
    abandons: int = 0
    last_wait_s: float | None = None
    offers: int = 0
    """Offers made by this queue: the round-robin sequence."""
    last_offer: dict[str, int] = field(default_factory=dict)
    """Agent id -> sequence number of the last offer of this queue made to the agent."""
    # read from ``queue`` once, as the engine reads them for every contact:
    queue_id: str = field(init=False)
    routing: QueueRouting = field(init=False)
    aging_rate: float = field(init=False)
    always_open: bool = field(init=False)
    """Open every hour of every day (no opening hours to check)."""

    def __post_init__(self) -> None:
        self.queue_id = self.queue.queue_id
        self.routing = self.queue.routing
        self.aging_rate = self.routing.aging_rate
        self.always_open = self.queue.hours.always_open


@dataclass(frozen=True)
class PastContact:
    """One of a customer's last contacts, for the screen pop."""

    contact_id: str
    queue_id: str | None
    ended_at: datetime
    outcome: str
    resolved: bool | None


@dataclass(frozen=True)
class ScreenPop:
    """What the agent sees with an offer: who, what about, what they were told and promised,
    and how their last contacts went (seed 002: help from the get-go)."""

    contact_id: str
    queue_id: str
    channel: str
    customer_id: str | None
    tier: str
    account_value: float | None
    top_account: bool
    """Among the center's 20 most valuable accounts."""
    topic: str | None
    flow_path: tuple[str, ...]
    expected_wait_told_s: float | None
    open_promises: tuple[tuple[str, str, datetime], ...]
    """(promise id, kind, due at) of the customer's open promises."""
    last_contacts: tuple[PastContact, ...]
    relaxation_step: int


@dataclass(frozen=True)
class Offer:
    """A contact ringing at an agent, until ``expires_at``."""

    contact_id: str
    agent_id: str
    queue_id: str
    expires_at: datetime
    screen_pop: ScreenPop
