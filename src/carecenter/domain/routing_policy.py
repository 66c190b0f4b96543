"""How a queue routes its contacts: the configuration the contact engine works to.

Plain frozen values, built from ``center.yaml`` (``queues.<id>.routing``) by the configuration
adapter. The engine (:mod:`carecenter.engine`) and the routing policies
(:mod:`carecenter.routing`) read them; the simulator runs the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from carecenter.errors import DomainError


class Strategy(StrEnum):
    """Who gets a contact among the agents free to take it (names as in Asterisk app_queue and
    FreeSWITCH mod_callcenter)."""

    LONGEST_IDLE = "longest_idle"
    """The agent free the longest (since the end of their last contact or their log-in)."""
    BEST_SKILLED = "best_skilled"
    """The highest proficiency summed over the queue's required skills, then longest idle."""
    LEAST_OCCUPIED = "least_occupied"
    """The least busy time in the hour before the agent became free (fairness), then longest
    idle."""
    ROUND_ROBIN = "round_robin"
    """Each agent in turn: the one offered a contact of this queue longest ago (Asterisk's
    ``rrmemory``)."""
    FEWEST_CONTACTS = "fewest_contacts"
    """The fewest contacts taken today (the center's day), then longest idle."""
    RING_ALL = "ring_all"
    """Every free agent who can take it at once; the first to accept takes it."""
    RANDOM = "random"
    """A free agent picked at random (seeded)."""


class Predictor(StrEnum):
    """How the engine estimates a waiting contact's remaining wait (Ibrahim and Whitt 2009)."""

    QUEUE_LENGTH = "queue_length"
    """From the position in line and the staffed service capacity (with abandonment)."""
    LAST_TO_ENTER_SERVICE = "last_to_enter_service"
    """The wait of the last contact of the queue to be answered."""
    HEAD_OF_LINE = "head_of_line"
    """From the wait so far of the contact at the head of the line and the line's length."""


class ClosedActionKind(StrEnum):
    """What a closed queue does with a contact."""

    MESSAGE = "message"
    """Play a message (or send an auto-reply) and end the contact."""
    VOICEMAIL = "voicemail"
    """Take a message; the contact ends with reason ``voicemail``."""
    CALLBACK = "callback"
    """Book a callback at the first time the queue is open and has capacity."""
    QUEUE = "queue"
    """Send the contact to another queue."""
    WAIT = "wait"
    """Let the contact wait for the queue to open (e-mail)."""


@dataclass(frozen=True)
class RelaxationStep:
    """From ``after_s`` of waiting on, the queue requires only ``skills`` (skill -> minimum
    proficiency); the steps of a queue relax one after the other (Genesys bullseye rings)."""

    after_s: float
    skills: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Overflow:
    """Send a waiting contact to ``to_queue`` after ``after_s`` of waiting (``None``: never on
    time), or at once when no agent who could ever take it is signed in (``when_no_agents``)."""

    to_queue: str
    after_s: float | None = None
    when_no_agents: bool = False


@dataclass(frozen=True)
class ClosedAction:
    """What happens to a contact that reaches the queue while it is closed."""

    kind: ClosedActionKind = ClosedActionKind.MESSAGE
    to_queue: str | None = None
    message: str = ""


@dataclass(frozen=True)
class HoldTreatment:
    """What a waiting customer gets.

    ``music`` and ``messages`` play while waiting; ``offers`` are sales messages and are
    refused on support queues (``QueueRouting.sales``). Position and expected-wait
    announcements repeat every ``announce_position_every_s`` / ``announce_wait_every_s``
    (``None``: never; the first at entry). The callback offer comes when the expected wait
    passes ``callback_offer_after_s``.
    """

    music: str = ""
    """The music on hold to play (a name the phone system knows); empty: none configured."""
    messages: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    message_every_s: float = 60.0
    announce_position_every_s: float | None = None
    announce_wait_every_s: float | None = None
    callback_offer_after_s: float | None = None


@dataclass(frozen=True)
class CallbackPolicy:
    """Callbacks of a queue.

    ``window_s``: the promised window (a callback is promised within the expected wait plus
    this). ``slot_s``: bookable slots of this length; at most ``share`` of the planned
    capacity of a slot (planned agents x ``slot_s`` / ``handle_s``) is booked as callbacks.
    ``retries`` attempts more after no answer, ``retry_after_s`` apart.
    """

    enabled: bool = True
    window_s: float = 900.0
    slot_s: float = 1800.0
    handle_s: float = 300.0
    share: float = 0.25
    retries: int = 2
    retry_after_s: float = 600.0
    priority: int = 0
    """Added to the score of a callback contact."""


@dataclass(frozen=True)
class QueueRouting:
    """The routing rules of one queue."""

    strategy: Strategy = Strategy.LONGEST_IDLE
    aging_rate: float = 1.0
    """Score points a contact gains per second of waiting (its tier's priority is its start)."""
    offer_timeout_s: float = 20.0
    missed_pause_s: float = 30.0
    """An agent who lets an offer ring out is paused this long (``break``, reason ``missed``)."""
    relaxation: tuple[RelaxationStep, ...] = ()
    overflow: Overflow | None = None
    closed: ClosedAction = ClosedAction()
    preferred_agent_s: float = 0.0
    """How long the preferred agent (the last who helped this customer, or the account
    owner) has the contact to themselves."""
    predictor: Predictor = Predictor.QUEUE_LENGTH
    hold: HoldTreatment = HoldTreatment()
    callback: CallbackPolicy = CallbackPolicy()
    sales: bool = False
    """A sales queue may play offers while customers wait; a support queue may not."""
    seed: int = 0
    """Seed of the ``random`` strategy."""

    def __post_init__(self) -> None:
        if self.aging_rate < 0 or self.offer_timeout_s <= 0 or self.missed_pause_s < 0:
            raise DomainError("aging_rate and missed_pause_s must be >= 0, offer_timeout_s > 0")
        afters = [step.after_s for step in self.relaxation]
        if any(a <= 0 for a in afters) or afters != sorted(set(afters)):
            raise DomainError("relaxation steps need increasing after_s > 0")
        if self.hold.offers and not self.sales:
            raise DomainError("only a sales queue may play offers to waiting customers")


@dataclass(frozen=True)
class AgentQueue:
    """One queue of an agent's routing profile (Amazon Connect): a free agent takes contacts
    of their highest ``priority`` queue first (0 is highest); ``delay_s``: only contacts that
    waited at least this long."""

    priority: int = 0
    delay_s: float = 0.0
