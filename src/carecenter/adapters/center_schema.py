"""The schema of ``center.yaml`` (pydantic), and its conversion to the domain model."""

from __future__ import annotations

from itertools import pairwise
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from carecenter.adapters.alert_schema import AlertsSection
from carecenter.adapters.flow_schema import FlowSection, flow_problems
from carecenter.adapters.routing_schema import (
    CustomerSection,
    Profile,
    RoutingSection,
    TextKey,
    customer_problems,
)
from carecenter.adapters.schema_values import (
    Capacity,
    Fraction,
    Holiday,
    Proficiency,
    Seconds,
    Spans,
    Strict,
    TimeZoneName,
    parse_days,
    parse_hours,
    parse_span,
)
from carecenter.domain.center import (
    Agent,
    AgentWork,
    Center,
    OpeningHours,
    Queue,
    QueueTargets,
    ServiceLevelPolicy,
    Site,
    Skill,
    Tier,
)
from carecenter.domain.enums import Channel, ServiceLevelFormula


class CenterSection(Strict):
    name: str
    timezone: TimeZoneName = "UTC"
    holidays: list[Holiday] = Field(default_factory=list)
    """Local dates on which every queue is closed all day."""


class SkillSection(Strict):
    name: str = ""


class TierSection(Strict):
    name: str = ""
    priority: int = 0


class ServiceLevelSection(Strict):
    threshold_s: Seconds = 20.0
    target: Fraction = 0.8
    formula: ServiceLevelFormula = ServiceLevelFormula.ANSWERED_WITHIN_OVER_OFFERED
    short_abandon_s: Seconds = 5.0
    exclude_short_abandons: bool = True
    include_flow_outs: bool = False


class PriorityTargetsSection(Strict):
    response_time_s: Seconds | None = None
    resolution_time_s: Seconds | None = None


class TargetsSection(Strict):
    asa_s: Seconds | None = None
    abandon_rate: Fraction | None = None
    occupancy: Fraction | None = None
    response_time_s: Seconds | None = None
    resolution_time_s: Seconds | None = None
    by_priority: dict[str, PriorityTargetsSection] = Field(default_factory=dict)

    def domain(self) -> QueueTargets:
        """The targets as the domain holds them."""
        values = self.model_dump(exclude={"by_priority"})
        by_priority = {
            str(k): (v.response_time_s, v.resolution_time_s) for k, v in self.by_priority.items()
        }
        return QueueTargets(**values, by_priority=MappingProxyType(by_priority))


class QueueSection(Strict):
    name: str = ""
    channel: Channel = Channel.VOICE
    priority: int = 0
    skills: dict[str, Proficiency] = Field(default_factory=dict)
    service_level: ServiceLevelSection = ServiceLevelSection()
    targets: TargetsSection = TargetsSection()
    hours: dict[str, Spans] = Field(default_factory=lambda: parse_hours({"mon-sun": "00:00-24:00"}))
    timezone: TimeZoneName | None = None
    holidays: list[Holiday] = Field(default_factory=list)
    """Local dates on which the queue is closed all day, besides the center's."""
    routing: RoutingSection = RoutingSection()

    @field_validator("hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise ValueError("must be a mapping of weekdays to 'HH:MM-HH:MM'")
        return parse_hours(value)


class HoursSection(Strict):
    min: Seconds = 0.0
    """Least paid hours a week."""
    max: Seconds | None = None
    """Most paid hours a week (none: no limit)."""


class PrefersSection(Strict):
    days_off: list[str] = Field(default_factory=list)
    """Weekdays the agent would rather not work (``sat``, ``sun``)."""
    start: str | None = None
    """When the agent would rather start, ``"07:00-09:00"``."""

    @field_validator("days_off")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        return [d for key in value for d in parse_days(key)]

    @field_validator("start")
    @classmethod
    def _start(cls, value: str | None) -> str | None:
        if value is not None:
            parse_span(value, "a preferred start")
        return value


class SiteSection(Strict):
    name: str = ""
    outsourcer: bool = False
    cost_per_hour: Annotated[float, Field(ge=0)] | None = None
    cost_per_contact: Annotated[float, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _costs(self) -> SiteSection:
        if self.cost_per_contact is not None and not self.outsourcer:
            raise ValueError("only an outsourcer is paid per contact (set outsourcer: true)")
        if self.cost_per_contact is not None and self.cost_per_hour is not None:
            raise ValueError("give cost_per_hour or cost_per_contact, not both")
        return self

    def domain(self, site_id: str) -> Site:
        return Site(
            site_id,
            self.name or site_id,
            self.outsourcer,
            self.cost_per_hour,
            self.cost_per_contact,
        )


class AgentSection(Strict):
    name: str
    team: str = ""
    site: str = ""
    skills: dict[str, Proficiency] = Field(default_factory=dict)
    capacity: dict[Channel, Capacity] = Field(default_factory=lambda: {Channel.VOICE: 1})
    hourly_cost: Seconds = 0.0
    queues: Profile = Field(default_factory=dict)
    """Routing profile: queue id -> {priority, delay_s}, or a list of queue ids."""
    call_blocks_chat: bool = False
    contract: str | None = None
    """The contract of ``shifts.yaml`` the agent works to (rostering)."""
    hours_per_week: HoursSection | None = None
    """Paid hours a week, ``{min, max}`` (default: the contract's)."""
    availability: dict[str, Spans] | None = None
    """When the agent can work, like opening hours (default: any time)."""
    leave: list[Holiday] = Field(default_factory=list)
    """Dates the agent is away."""
    prefers: PrefersSection = PrefersSection()
    """Days off and starts the agent would rather have (honoured where possible)."""

    @field_validator("availability", mode="before")
    @classmethod
    def _availability(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ValueError("must be a mapping of weekdays to 'HH:MM-HH:MM'")
        return parse_hours(value)


def _agent_name(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"must be an agent name or id, got {value!r}")
    text = str(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


AgentName = Annotated[str, BeforeValidator(_agent_name)]


class CenterFile(Strict):
    """The whole file."""

    center: CenterSection
    skills: dict[str, SkillSection] = Field(default_factory=dict)
    tiers: dict[str, TierSection] = Field(
        default_factory=lambda: {"standard": TierSection(name="Standard")}
    )
    queues: dict[str, QueueSection] = Field(default_factory=dict)
    sites: dict[TextKey, SiteSection] = Field(default_factory=dict)
    """Sites, own or outsourced, with their costs."""
    agents: dict[str, AgentSection] = Field(default_factory=dict)
    agent_aliases: dict[AgentName, AgentName] = Field(default_factory=dict)
    """Name a phone system logs for an agent -> the agent's id in reports."""
    customers: dict[TextKey, CustomerSection] = Field(default_factory=dict)
    flows: dict[str, FlowSection] = Field(default_factory=dict)
    alerts: AlertsSection = Field(default_factory=AlertsSection)
    """Service-level alerts: rules, webhooks and mail channels."""

    def reference_problems(self) -> list[tuple[str, str]]:
        """(path, message) for every skill, queue, tier, agent or node named that does not
        exist, and every rule across sections that is broken."""
        problems = self.unknown_skills()
        if self.sites:
            known_sites = ", ".join(sorted(self.sites))
            problems += [
                (f"agents.{aid}.site", f"unknown site {a.site!r} (defined: {known_sites})")
                for aid, a in self.agents.items()
                if a.site and a.site not in self.sites
            ]
        queues = set(self.queues)
        known_queues = ", ".join(sorted(queues)) or "none"
        for qid, q in self.queues.items():
            base = f"queues.{qid}.routing"
            problems += [(f"{base}.{p}", m) for p, m in q.routing.problems()]
            problems += self._relaxation_problems(qid, q)
            for path, target in q.routing.targets():
                if target not in queues:
                    problems.append(
                        (f"{base}.{path}", f"unknown queue {target!r} (defined: {known_queues})")
                    )
                elif target == qid:
                    problems.append((f"{base}.{path}", "a queue cannot send contacts to itself"))
                elif self.queues[target].channel is not q.channel:
                    problems.append(
                        (
                            f"{base}.{path}",
                            f"queue {target!r} takes {self.queues[target].channel} contacts, "
                            f"not {q.channel} ones",
                        )
                    )
        for aid, a in self.agents.items():
            for target in a.queues:
                if target not in queues:
                    problems.append(
                        (
                            f"agents.{aid}.queues.{target}",
                            f"unknown queue {target!r} (defined: {known_queues})",
                        )
                    )
        problems += customer_problems(self.customers, set(self.tiers), set(self.agents))
        problems += flow_problems(self.flows, queues)
        problems += self.alerts.problems(queues)
        return problems

    def _relaxation_problems(self, qid: str, q: QueueSection) -> list[tuple[str, str]]:
        """Each relaxation step may only lower or drop the requirement of the step before."""
        steps = [q.skills, *(step.skills for step in q.routing.relaxation)]
        if any(skill not in self.skills for skills in steps for skill in skills):
            return []  # its unknown skills are reported; the steps cannot be compared
        problems = []
        for i, (before, after) in enumerate(pairwise(steps)):
            for skill, level in after.items():
                if before.get(skill, 0) < level:
                    problems.append(
                        (
                            f"queues.{qid}.routing.relaxation.{i}.skills.{skill}",
                            f"a relaxation step may only lower or drop requirements; "
                            f"{skill} {level} asks more than the step before "
                            f"({before.get(skill, 'not required')})",
                        )
                    )
        return problems

    def unknown_skills(self) -> list[tuple[str, str]]:
        """(path, message) for every skill a queue or agent names that is not defined."""
        known = ", ".join(sorted(self.skills)) or "none"
        problems = []
        for section, entries in (("queues", self.queues), ("agents", self.agents)):
            for key, entry in entries.items():
                for skill in entry.skills:
                    if skill not in self.skills:
                        problems.append(
                            (
                                f"{section}.{key}.skills.{skill}",
                                f"unknown skill {skill!r} (defined: {known})",
                            )
                        )
        for qid, q in self.queues.items():
            for i, step in enumerate(q.routing.relaxation):
                problems += [
                    (
                        f"queues.{qid}.routing.relaxation.{i}.skills.{skill}",
                        f"unknown skill {skill!r} (defined: {known})",
                    )
                    for skill in step.skills
                    if skill not in self.skills
                ]
        return problems

    def to_domain(self) -> Center:
        """The validated file as a :class:`~carecenter.domain.center.Center`."""
        tz = self.center.timezone
        queues = {
            qid: Queue(
                queue_id=qid,
                name=q.name or qid,
                channel=q.channel,
                priority=q.priority,
                service_level=ServiceLevelPolicy(**q.service_level.model_dump()),
                hours=OpeningHours(
                    timezone=q.timezone or tz,
                    weekly=MappingProxyType(q.hours),
                    closed_on=frozenset(self.center.holidays) | frozenset(q.holidays),
                ),
                required_skills=MappingProxyType(dict(q.skills)),
                targets=q.targets.domain(),
                routing=q.routing.domain(),
            )
            for qid, q in self.queues.items()
        }
        agents = {
            aid: Agent(
                agent_id=aid,
                name=a.name,
                team=a.team,
                site=a.site,
                skills=MappingProxyType(dict(a.skills)),
                capacity=MappingProxyType(dict(a.capacity)),
                hourly_cost=a.hourly_cost,
                queues=MappingProxyType({k: v.domain() for k, v in a.queues.items()}),
                call_blocks_chat=a.call_blocks_chat,
                work=AgentWork(
                    contract=a.contract,
                    min_hours=a.hours_per_week.min if a.hours_per_week else None,
                    max_hours=a.hours_per_week.max if a.hours_per_week else None,
                    availability=None
                    if a.availability is None
                    else MappingProxyType(dict(a.availability)),
                    leave=frozenset(a.leave),
                    prefers_off=frozenset(a.prefers.days_off),
                    prefers_start=None
                    if a.prefers.start is None
                    else parse_span(a.prefers.start, "a preferred start"),
                ),
            )
            for aid, a in self.agents.items()
        }
        return Center(
            name=self.center.name,
            timezone=tz,
            skills=MappingProxyType({k: Skill(k, s.name or k) for k, s in self.skills.items()}),
            tiers=MappingProxyType(
                {k: Tier(k, t.name or k, t.priority) for k, t in self.tiers.items()}
            ),
            queues=MappingProxyType(queues),
            agents=MappingProxyType(agents),
            agent_aliases=MappingProxyType(dict(self.agent_aliases)),
            customers=MappingProxyType({k: c.domain(k) for k, c in self.customers.items()}),
            flows=MappingProxyType({k: f.domain(k) for k, f in self.flows.items()}),
            alerts=self.alerts.domain(),
            sites=MappingProxyType({k: v.domain(k) for k, v in self.sites.items()}),
        )
