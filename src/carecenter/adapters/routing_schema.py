"""The routing sections of ``center.yaml`` (pydantic): a queue's ``routing``, an agent's
``queues`` (routing profile) and the top-level ``customers``; their conversion to the domain
values of :mod:`carecenter.domain.routing_policy` and :mod:`carecenter.domain.center`."""

from __future__ import annotations

from types import MappingProxyType
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from carecenter.domain.center import Customer
from carecenter.domain.routing_policy import (
    AgentQueue,
    CallbackPolicy,
    ClosedAction,
    ClosedActionKind,
    HoldTreatment,
    Overflow,
    Predictor,
    QueueRouting,
    RelaxationStep,
    Strategy,
)


def _at_least(low: float) -> AfterValidator:
    def check(value: float) -> float:
        if value < low:
            raise ValueError(f"must be at least {low:g}, got {value:g}")
        return value

    return AfterValidator(check)


def _more_than(low: float) -> AfterValidator:
    def check(value: float) -> float:
        if value <= low:
            raise ValueError(f"must be more than {low:g}, got {value:g}")
        return value

    return AfterValidator(check)


def _fraction(value: float) -> float:
    if not 0 <= value <= 1:
        raise ValueError(f"must be between 0 and 1, got {value:g}")
    return value


def _proficiency(value: int) -> int:
    if not 1 <= value <= 5:
        raise ValueError(f"must be between 1 and 5, got {value:g}")
    return value


Seconds = Annotated[float, _at_least(0)]
Positive = Annotated[float, _more_than(0)]
Count = Annotated[int, _at_least(0)]
Share = Annotated[float, AfterValidator(_fraction)]
Level = Annotated[int, AfterValidator(_proficiency)]


def _text_key(value: Any) -> str:
    """A key or id written as text or a number (``1:`` in a menu, ``12345`` as an account)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"must be text or a number, got {value!r}")
    text = str(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


TextKey = Annotated[str, BeforeValidator(_text_key)]


class Strict(BaseModel):
    """A section: unknown fields are mistakes; a field's docstring is its meaning in the
    configuration reference."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class RelaxationSection(Strict):
    after_s: Positive
    """Seconds of waiting from which this step applies (increasing from step to step)."""
    skills: dict[str, Level] = Field(default_factory=dict)
    """The skills required from then on: skill id -> minimum proficiency (1-5)."""


class OverflowSection(Strict):
    to_queue: str
    """The queue the contact moves to."""
    after_s: Positive | None = None
    """Move a contact that waited this long (none: never on time)."""
    when_no_agents: bool = False
    """Move a contact at once when no agent who could ever take it is signed in."""


class ClosedSection(Strict):
    action: ClosedActionKind
    """What happens to a contact that arrives while the queue is closed."""
    to_queue: str | None = None
    """The queue a closed queue sends contacts to (action `queue` only)."""
    message: str = ""
    """The message played or sent (required for action `message`)."""

    @model_validator(mode="after")
    def _complete(self) -> Self:
        needs_queue = self.action is ClosedActionKind.QUEUE
        if needs_queue and not self.to_queue:
            raise ValueError("action queue needs to_queue")
        if not needs_queue and self.to_queue:
            raise ValueError(f"to_queue is only for action queue, not {self.action.value}")
        if self.action is ClosedActionKind.MESSAGE and not self.message.strip():
            raise ValueError("action message needs the message")
        return self

    def domain(self) -> ClosedAction:
        """The closed action as the domain holds it."""
        return ClosedAction(kind=self.action, to_queue=self.to_queue, message=self.message)


class HoldSection(Strict):
    music: str = "default"
    """The music on hold."""
    messages: list[str] = Field(default_factory=list)
    """Information messages played in turn while waiting."""
    offers: list[str] = Field(default_factory=list)
    """Sales messages played while waiting (sales queues only)."""
    message_every_s: Positive = 60.0
    """Seconds between two messages."""
    announce_position_every_s: Positive | None = None
    """Announce the position in line at entry and then this often (none: never)."""
    announce_wait_every_s: Positive | None = None
    """Announce the expected wait at entry and then this often (none: never)."""
    callback_offer_after_s: Seconds | None = None
    """Offer a callback when the expected wait passes this (none: never)."""

    def domain(self) -> HoldTreatment:
        """The hold treatment as the domain holds it."""
        values = self.model_dump()
        values["messages"], values["offers"] = tuple(self.messages), tuple(self.offers)
        return HoldTreatment(**values)


class CallbackSection(Strict):
    enabled: bool = True
    """Whether the queue offers callbacks (a queue of calls only: a callback is a call, so a
    chat or e-mail queue offers none whatever this says)."""
    window_s: Seconds = 900.0
    """A callback is promised within the expected wait plus this."""
    slot_s: Positive = 1800.0
    """Length of the bookable callback slots."""
    handle_s: Positive = 300.0
    """Handle time assumed per callback when a slot's capacity is computed."""
    share: Share = 0.25
    """At most this share (0-1) of a slot's planned capacity is booked as callbacks."""
    retries: Count = 2
    """Attempts more after a callback is not answered."""
    retry_after_s: Seconds = 600.0
    """Seconds between attempts."""
    priority: int = 0
    """Added to the score of a callback contact."""


class RoutingSection(Strict):
    strategy: Strategy = Strategy.LONGEST_IDLE
    """Who gets a contact among the free agents who can take it."""
    aging_rate: Seconds = 1.0
    """Score points a waiting contact gains per second (its tier's priority is its start), so
    nobody starves."""
    offer_timeout_s: Positive = 20.0
    """How long an offer rings before it goes back."""
    missed_pause_s: Seconds = 30.0
    """How long an agent who let an offer ring out is paused."""
    relaxation: list[RelaxationSection] = Field(default_factory=list)
    """Steps that relax the required skills after waiting thresholds (see
    `queues.<id>.routing.relaxation[]`)."""
    overflow: OverflowSection | None = None
    """Send waiting contacts to another queue (see `queues.<id>.routing.overflow`)."""
    closed: ClosedSection | None = None
    """What a closed queue does with a contact; a queue with opening hours should have one
    (`carecenter flow check`)."""
    preferred_agent_s: Seconds = 0.0
    """How long the preferred agent (the last who helped the customer, or the account owner) has
    the contact to themselves."""
    predictor: Predictor = Predictor.QUEUE_LENGTH
    """How the expected wait is estimated."""
    hold: HoldSection = HoldSection()
    """What waiting customers get (see `queues.<id>.routing.hold`)."""
    callback: CallbackSection = CallbackSection()
    """Callbacks and their promises (see `queues.<id>.routing.callback`)."""
    sales: bool = False
    """A sales queue may play offers while customers wait; a support queue may not."""
    seed: int = 0
    """Seed of the `random` strategy."""

    def problems(self) -> list[tuple[str, str]]:
        """(path below the section, message) for rules across fields."""
        found = []
        afters = [step.after_s for step in self.relaxation]
        for i in range(1, len(afters)):
            if afters[i] <= afters[i - 1]:
                found.append(
                    (
                        f"relaxation.{i}.after_s",
                        f"must be after the step before ({afters[i - 1]:g} s), got {afters[i]:g}",
                    )
                )
        if self.hold.offers and not self.sales:
            found.append(("hold.offers", "only a sales queue (sales: true) may play offers"))
        return found

    def domain(self) -> QueueRouting:
        """The routing rules as the domain holds them."""
        return QueueRouting(
            strategy=self.strategy,
            aging_rate=self.aging_rate,
            offer_timeout_s=self.offer_timeout_s,
            missed_pause_s=self.missed_pause_s,
            relaxation=tuple(
                RelaxationStep(s.after_s, MappingProxyType(dict(s.skills))) for s in self.relaxation
            ),
            overflow=Overflow(**self.overflow.model_dump()) if self.overflow else None,
            closed=self.closed.domain() if self.closed else ClosedAction(),
            preferred_agent_s=self.preferred_agent_s,
            predictor=self.predictor,
            hold=self.hold.domain(),
            callback=CallbackPolicy(**self.callback.model_dump()),
            sales=self.sales,
            seed=self.seed,
        )

    def targets(self) -> list[tuple[str, str]]:
        """(path below the section, queue id) of every queue this routing sends contacts to."""
        found = []
        if self.overflow is not None:
            found.append(("overflow.to_queue", self.overflow.to_queue))
        if self.closed is not None and self.closed.to_queue:
            found.append(("closed.to_queue", self.closed.to_queue))
        return found


class AgentQueueSection(Strict):
    priority: Count = 0
    """The agent takes contacts of their lowest-numbered priority queue first (0 is highest)."""
    delay_s: Seconds = 0.0
    """The agent takes only contacts of this queue that waited at least this long."""

    def domain(self) -> AgentQueue:
        """This queue of the profile as the domain holds it."""
        return AgentQueue(priority=self.priority, delay_s=self.delay_s)


def _profile(value: Any) -> Any:
    """A plain list of queue ids means each at priority 0 with no delay; an empty entry
    (``billing:``) too."""
    if isinstance(value, list):
        return {q: {} for q in value}
    if isinstance(value, dict):
        return {k: {} if v is None else v for k, v in value.items()}
    raise ValueError(
        f"must be a list of queue ids or a mapping of queue id to priority and delay_s, "
        f"got {value!r}"
    )


Profile = Annotated[dict[str, AgentQueueSection], BeforeValidator(_profile)]


class CustomerSection(Strict):
    tier: str = "standard"
    """The customer's tier (an id under `tiers`)."""
    account_value: Seconds = 0.0
    """What the customer's accounts are worth (shown to the agent)."""
    owner: str | None = None
    """The account owner: an agent id; they get the first offer for `preferred_agent_s`."""
    account_number: TextKey | None = None
    """What the customer keys in to be identified by an `identify` node (unique; quote it to keep
    leading zeros)."""
    survey_opt_out: bool = False
    """The customer asked not to be surveyed: `carecenter voc sample` leaves them out."""

    def domain(self, customer_id: str) -> Customer:
        """The customer as the domain holds them."""
        return Customer(
            customer_id=customer_id,
            tier_id=self.tier,
            account_value=self.account_value,
            owner_agent_id=self.owner,
            account_number=self.account_number,
            survey_opt_out=self.survey_opt_out,
        )


def customer_problems(
    customers: dict[str, CustomerSection], tiers: set[str], agents: set[str]
) -> list[tuple[str, str]]:
    """(path, message) for every unknown tier or owner and every account number used twice."""
    found = []
    holders: dict[str, str] = {}
    for cid, c in customers.items():
        if c.tier not in tiers:
            known = ", ".join(sorted(tiers)) or "none"
            found.append((f"customers.{cid}.tier", f"unknown tier {c.tier!r} (defined: {known})"))
        if c.owner is not None and c.owner not in agents:
            found.append((f"customers.{cid}.owner", f"unknown agent {c.owner!r}"))
        if c.account_number is not None:
            if c.account_number in holders:
                found.append(
                    (
                        f"customers.{cid}.account_number",
                        f"account number {c.account_number!r} is also "
                        f"customer {holders[c.account_number]}'s",
                    )
                )
            else:
                holders[c.account_number] = cid
    return found
