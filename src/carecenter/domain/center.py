"""The configuration of a center: skills, queues, agents, tiers and customers.

These are plain frozen values. They are built from ``center.yaml`` by the configuration adapter
and stored in the operational store; the routing policies, the simulator and the metric catalog
read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from types import MappingProxyType
from zoneinfo import ZoneInfo

from carecenter.domain.alerts import AlertSettings
from carecenter.domain.business_hours import WEEKDAY_NAMES, WeekCalendar, business_seconds
from carecenter.domain.enums import Channel, ServiceLevelFormula
from carecenter.domain.flows import Flow
from carecenter.domain.routing_policy import AgentQueue, QueueRouting
from carecenter.errors import DomainError

WEEKDAYS = WEEKDAY_NAMES


@dataclass(frozen=True)
class Skill:
    """Something an agent can do, e.g. ``billing`` or ``spanish``."""

    skill_id: str
    name: str = ""


@dataclass(frozen=True)
class ServiceLevelPolicy:
    """How a queue counts its service level.

    ``threshold_s`` is the answer-time limit, ``target`` the share to reach (0-1),
    ``short_abandon_s`` the wait below which an abandon is a short abandon.
    """

    threshold_s: float = 20.0
    target: float = 0.8
    formula: ServiceLevelFormula = ServiceLevelFormula.ANSWERED_WITHIN_OVER_OFFERED
    short_abandon_s: float = 5.0
    exclude_short_abandons: bool = True
    include_flow_outs: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.target <= 1.0:
            raise DomainError(f"service-level target must be between 0 and 1, got {self.target}")
        if self.threshold_s < 0 or self.short_abandon_s < 0:
            raise DomainError("service-level threshold and short-abandon limit must be >= 0")


@dataclass(frozen=True)
class OpeningHours:
    """Weekly opening hours in a time zone: weekday -> list of (open, close) times.

    A weekday that is missing is closed. ``close`` may be ``time(0, 0)`` meaning midnight.
    ``closed_on`` holds local dates (holidays) on which the queue is closed all day.
    """

    timezone: str = "UTC"
    weekly: Mapping[str, tuple[tuple[time, time], ...]] = field(
        default_factory=lambda: MappingProxyType({d: ((time(0), time(0)),) for d in WEEKDAYS})
    )
    closed_on: frozenset[date] = frozenset()

    @cached_property
    def calendar(self) -> WeekCalendar:
        """The weekly pattern and closed dates as a :class:`WeekCalendar`."""
        return WeekCalendar.build(self.weekly, self.closed_on)

    @property
    def always_open(self) -> bool:
        """Whether every weekday is open 00:00-24:00 and no date is closed."""
        return self.calendar.always_open

    def is_open(self, at: datetime) -> bool:
        """Whether the queue is open at the aware datetime ``at``."""
        if at.tzinfo is None:
            raise DomainError("opening hours need an aware datetime")
        local = at.astimezone(ZoneInfo(self.timezone))
        if local.date() in self.closed_on:
            return False
        now = local.time()
        for start, end in self.weekly.get(WEEKDAYS[local.weekday()], ()):
            if start <= now and (end == time(0) or now < end):
                return True
        return False

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds between the aware datetimes ``start`` and ``end`` during which the queue is
        open (0 when ``end`` is not after ``start``); see :mod:`carecenter.domain.business_hours`.

        Spans are local wall-clock times: an 08:00-18:00 day is 10 h on a daylight-saving day
        unless the change falls inside the span, and then it is the real elapsed time.
        """
        if start.tzinfo is None or end.tzinfo is None:
            raise DomainError("business time needs aware datetimes")
        return business_seconds(self.calendar, self.timezone, start, end)


@dataclass(frozen=True)
class QueueTargets:
    """Targets a manager sets for a queue besides the service level."""

    asa_s: float | None = None
    abandon_rate: float | None = None
    occupancy: float | None = None
    response_time_s: float | None = None
    """E-mail/chat/tickets: first reply within this many business seconds."""
    resolution_time_s: float | None = None
    """Tickets: resolved within this many business seconds (less time waiting on the
    customer)."""
    by_priority: Mapping[str, tuple[float | None, float | None]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Tickets: priority (as the source writes it) -> (response, resolution) targets in
    business seconds, instead of the queue's for tickets of that priority."""


@dataclass(frozen=True)
class Queue:
    """A queue contacts wait in for an agent with the required skills."""

    queue_id: str
    name: str
    channel: Channel
    service_level: ServiceLevelPolicy = ServiceLevelPolicy()
    hours: OpeningHours = OpeningHours()
    priority: int = 0
    required_skills: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """skill id -> minimum proficiency (1-5)."""
    targets: QueueTargets = QueueTargets()
    routing: QueueRouting = field(default_factory=QueueRouting)

    @property
    def offers_callbacks(self) -> bool:
        """Whether a caller can leave the line for a callback: the queue's policy allows it
        and the queue takes calls. A callback is a call and takes an agent's voice capacity,
        which a chat or e-mail queue does not dispatch by, so those queues offer none."""
        return self.routing.callback.enabled and self.channel in (Channel.VOICE, Channel.CALLBACK)

    def skills_at(self, step: int) -> Mapping[str, int]:
        """The skills required after ``step`` relaxations (0: ``required_skills``)."""
        if step <= 0 or not self.routing.relaxation:
            return self.required_skills
        return self.routing.relaxation[min(step, len(self.routing.relaxation)) - 1].skills


@dataclass(frozen=True)
class AgentWork:
    """What rostering needs of an agent: their contract, hours, when they can work and what
    they would like (``center.yaml``'s ``contract``, ``hours_per_week``, ``availability``,
    ``leave`` and ``prefers``)."""

    contract: str | None = None
    min_hours: float | None = None
    """Least paid hours a week (``None``: the contract's)."""
    max_hours: float | None = None
    """Most paid hours a week (``None``: the contract's)."""
    availability: Mapping[str, tuple[tuple[time, time], ...]] | None = None
    """Weekday -> spans the agent can work (``None``: any time; a weekday missing: none)."""
    leave: frozenset[date] = frozenset()
    prefers_off: frozenset[str] = frozenset()
    """Weekdays (``mon``...) the agent would rather not work."""
    prefers_start: tuple[time, time] | None = None


@dataclass(frozen=True)
class Agent:
    """A person who handles contacts."""

    agent_id: str
    name: str
    team: str = ""
    site: str = ""
    skills: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """skill id -> proficiency, 1 (learning) to 5 (expert)."""
    capacity: Mapping[Channel, int] = field(
        default_factory=lambda: MappingProxyType({Channel.VOICE: 1})
    )
    """How many contacts of each channel the agent may handle at once (e.g. 1 call or 3 chats)."""
    hourly_cost: float = 0.0
    queues: Mapping[str, AgentQueue] = field(default_factory=lambda: MappingProxyType({}))
    """The agent's routing profile: queue id -> priority and delay. Empty: every queue whose
    skills the agent has, at priority 0 and no delay."""
    call_blocks_chat: bool = False
    """While on a call the agent is offered no new chat."""
    work: AgentWork = AgentWork()
    """Contract, hours, availability and preferences, for rostering."""

    def __post_init__(self) -> None:
        for skill, level in self.skills.items():
            if not 1 <= level <= 5:
                raise DomainError(f"agent {self.agent_id}: proficiency of {skill} must be 1-5")
        for channel, n in self.capacity.items():
            if n < 0:
                raise DomainError(f"agent {self.agent_id}: capacity for {channel} must be >= 0")

    def proficiency(self, skill_id: str) -> int:
        """The agent's proficiency in ``skill_id``; 0 when the agent lacks the skill."""
        return self.skills.get(skill_id, 0)

    def can_serve(self, queue: Queue) -> bool:
        """Whether the agent has every skill the queue requires at the required level."""
        return self.capacity.get(queue.channel, 0) > 0 and all(
            self.proficiency(s) >= level for s, level in queue.required_skills.items()
        )

    def serves(self, queue: Queue) -> bool:
        """Whether the agent works ``queue``: it is in their routing profile (or they have
        none) and they :meth:`can_serve` it."""
        return (not self.queues or queue.queue_id in self.queues) and self.can_serve(queue)


@dataclass(frozen=True)
class Site:
    """Where agents work: one of the center's own sites, or an ``outsourcer`` (a partner
    company) paid per hour of its agents' logged-in time (``cost_per_hour``) or per contact
    they handle (``cost_per_contact``). A site's ``cost_per_hour`` is the hourly cost of its
    agents who have none of their own."""

    site_id: str
    name: str = ""
    outsourcer: bool = False
    cost_per_hour: float | None = None
    cost_per_contact: float | None = None

    def __post_init__(self) -> None:
        for name in ("cost_per_hour", "cost_per_contact"):
            value = getattr(self, name)
            if value is not None and not value >= 0:
                raise DomainError(f"site {self.site_id}: {name} must be 0 or more")
        if self.cost_per_contact is not None and not self.outsourcer:
            raise DomainError(
                f"site {self.site_id}: only an outsourcer is paid per contact "
                "(set outsourcer: true)"
            )
        if self.cost_per_contact is not None and self.cost_per_hour is not None:
            raise DomainError(
                f"site {self.site_id}: give cost_per_hour or cost_per_contact, not both"
            )


@dataclass(frozen=True)
class Tier:
    """A customer tier (e.g. standard, vip); ``priority`` raises the tier's place in queues."""

    tier_id: str
    name: str = ""
    priority: int = 0


@dataclass(frozen=True)
class Customer:
    """A customer, the tier they belong to and what their accounts are worth."""

    customer_id: str
    tier_id: str = "standard"
    account_value: float = 0.0
    owner_agent_id: str | None = None
    """The account owner: the agent who gets the first offer of this customer's contacts."""
    account_number: str | None = None
    """What the customer keys in to be identified by the entry flow."""
    survey_opt_out: bool = False
    """The customer asked not to be surveyed: ``carecenter voc sample`` leaves them out."""


@dataclass(frozen=True)
class Center:
    """A whole center's configuration, with referential integrity checked."""

    name: str
    timezone: str = "UTC"
    skills: Mapping[str, Skill] = field(default_factory=lambda: MappingProxyType({}))
    queues: Mapping[str, Queue] = field(default_factory=lambda: MappingProxyType({}))
    agents: Mapping[str, Agent] = field(default_factory=lambda: MappingProxyType({}))
    tiers: Mapping[str, Tier] = field(default_factory=lambda: MappingProxyType({}))
    agent_aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Name a phone system logs for an agent -> the agent's id (see
    :mod:`carecenter.ingest.agent_ids`)."""
    customers: Mapping[str, Customer] = field(default_factory=lambda: MappingProxyType({}))
    flows: Mapping[str, Flow] = field(default_factory=lambda: MappingProxyType({}))
    """Entry flows (IVR) by id; see :mod:`carecenter.domain.flows`."""
    alerts: AlertSettings = field(default_factory=AlertSettings)
    """Service-level alert rules and where they are told; see :mod:`carecenter.domain.alerts`."""
    sites: Mapping[str, Site] = field(default_factory=lambda: MappingProxyType({}))
    """The sites agents work at, own or outsourced; empty: sites are only agents' labels."""

    def __post_init__(self) -> None:
        for queue in self.queues.values():
            self._check_queue(queue)
        for flow in self.flows.values():
            for route in flow.routes():
                if route.queue not in self.queues:
                    raise DomainError(
                        f"flow {flow.flow_id}: node {route.node_id} routes to unknown queue "
                        f"{route.queue}"
                    )
        for agent in self.agents.values():
            for skill in agent.skills:
                if skill not in self.skills:
                    raise DomainError(f"agent {agent.agent_id} has unknown skill {skill}")
            for queue_id in agent.queues:
                if queue_id not in self.queues:
                    raise DomainError(f"agent {agent.agent_id} serves unknown queue {queue_id}")
            if self.sites and agent.site and agent.site not in self.sites:
                raise DomainError(f"agent {agent.agent_id} works at unknown site {agent.site}")

    def _check_queue(self, queue: Queue) -> None:
        steps = [queue.required_skills, *(s.skills for s in queue.routing.relaxation)]
        for before, skills in zip([None, *steps[:-1]], steps, strict=True):
            for skill, level in skills.items():
                if skill not in self.skills:
                    raise DomainError(f"queue {queue.queue_id} requires unknown skill {skill}")
                if before is not None and before.get(skill, 0) < level:
                    raise DomainError(
                        f"queue {queue.queue_id}: a relaxation step may only lower or drop "
                        f"requirements, not ask {skill} {level}"
                    )
        routing = queue.routing
        for target in (
            routing.overflow.to_queue if routing.overflow else None,
            routing.closed.to_queue,
        ):
            if target is None:
                continue
            other = self.queues.get(target)
            if other is None:
                raise DomainError(
                    f"queue {queue.queue_id} sends contacts to unknown queue {target}"
                )
            if other.channel is not queue.channel:
                raise DomainError(
                    f"queue {queue.queue_id} ({queue.channel}) sends contacts to queue "
                    f"{target} of another channel ({other.channel})"
                )

    def agents_for(self, queue_id: str) -> list[Agent]:
        """The agents able to serve ``queue_id``, in id order."""
        queue = self.queues[queue_id]
        return [a for _, a in sorted(self.agents.items()) if a.can_serve(queue)]

    def hourly_cost_of(self, agent: Agent) -> float:
        """What an hour of ``agent``'s logged-in time costs: their own ``hourly_cost``, else
        their site's ``cost_per_hour``, else 0."""
        if agent.hourly_cost:
            return agent.hourly_cost
        site = self.sites.get(agent.site)
        return site.cost_per_hour or 0.0 if site is not None else 0.0

    def contact_fee_of(self, agent: Agent) -> float:
        """What each contact ``agent`` handles costs on top of their time: their outsourcer's
        ``cost_per_contact``, else 0."""
        site = self.sites.get(agent.site)
        return site.cost_per_contact or 0.0 if site is not None else 0.0
