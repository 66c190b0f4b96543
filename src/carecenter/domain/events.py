"""Domain events: what happened in the center, in the past tense.

Every state change of a contact, an agent or a promise returns one of these. They are frozen,
carry an aware ``occurred_at`` timestamp, and have a stable ``name`` that the event log stores;
renaming a class never changes its ``name``. Each class docstring is the event's reference
entry (``docs/reference/events.md`` is generated from them).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from datetime import UTC, datetime
from typing import Any, ClassVar

from carecenter.domain.enums import AgentStatus, Channel, Direction, PromiseKind
from carecenter.errors import DomainError

EVENT_TYPES: dict[str, type[Event]] = {}
"""Every event class by its stable ``name``."""


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every event. ``occurred_at`` must be timezone-aware."""

    name: ClassVar[str] = ""
    abstract: ClassVar[bool] = True
    occurred_at: datetime

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        if not cls.name or cls.name == Event.name:
            raise TypeError(f"{cls.__name__} needs a stable `name`")
        if cls.name in EVENT_TYPES:
            raise TypeError(f"event name {cls.name!r} is used twice")
        EVENT_TYPES[cls.name] = cls

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is not UTC:
            _check_aware(self.name, self.occurred_at)

    def as_dict(self) -> dict[str, Any]:
        """The event's fields (not its name) as a shallow dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, kw_only=True)
class ContactEvent(Event):
    """Base of events about one contact."""

    abstract: ClassVar[bool] = True
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class ContactArrived(ContactEvent):
    """A contact reached the center (a call rang in, a chat or e-mail arrived, a callback is due).

    ``customer_id`` and ``tier`` say who it is; ``topic`` what it is about (used for repeat
    contacts and first-contact resolution); ``parent_contact_id`` links a callback or a follow-up
    to the contact it came from. ``transferred_in``: the contact is the next leg of a transfer of
    ``parent_contact_id`` (systems such as Amazon Connect and Twilio give each leg its own id;
    carecenter's own transfers keep the contact), so its first queue visit is transferred in.
    """

    name: ClassVar[str] = "contact.arrived"
    channel: Channel
    direction: Direction = Direction.INBOUND
    customer_id: str | None = None
    tier: str = "standard"
    topic: str | None = None
    parent_contact_id: str | None = None
    transferred_in: bool = False
    promise_id: str | None = None
    """The promise this contact keeps (a callback the center promised)."""


@dataclass(frozen=True, kw_only=True)
class ContactQueued(ContactEvent):
    """The contact entered a queue and waits for an agent. Each one starts a queue visit."""

    name: ClassVar[str] = "contact.queued"
    queue_id: str
    priority: int = 0
    place_since: datetime | None = None
    """The contact keeps the place in line it has held since then (a virtual-hold callback
    keeps its caller's place); ``None``: its place starts now."""


@dataclass(frozen=True, kw_only=True)
class ContactOffered(ContactEvent):
    """The contact was offered to (rang at) an agent who has not accepted it yet."""

    name: ClassVar[str] = "contact.offered"
    queue_id: str
    agent_id: str
    ring_all: bool = False
    """Rung at several agents at once (the ``ring_all`` strategy): the first to accept takes
    it and the other offers are withdrawn (``contact.offer_withdrawn``)."""


@dataclass(frozen=True, kw_only=True)
class ContactOfferRejected(ContactEvent):
    """The agent did not take the offered contact (``reason``: ``no_answer`` or ``declined``).

    The contact goes back to waiting in the same queue visit.
    """

    name: ClassVar[str] = "contact.offer_rejected"
    queue_id: str
    agent_id: str
    reason: str = "no_answer"


@dataclass(frozen=True, kw_only=True)
class ContactAnswered(ContactEvent):
    """An agent answered the contact; its wait ends and talk time starts."""

    name: ClassVar[str] = "contact.answered"
    queue_id: str
    agent_id: str


@dataclass(frozen=True, kw_only=True)
class ContactHeld(ContactEvent):
    """The agent put the customer on hold."""

    name: ClassVar[str] = "contact.held"
    agent_id: str


@dataclass(frozen=True, kw_only=True)
class ContactResumed(ContactEvent):
    """The agent took the customer off hold."""

    name: ClassVar[str] = "contact.resumed"
    agent_id: str


@dataclass(frozen=True, kw_only=True)
class ContactTransferred(ContactEvent):
    """The contact left its queue visit for another queue or destination.

    From a conversation it is an agent transfer (``agent_id`` set); from waiting it is a
    flow-out (overflow) with no agent. ``to_queue_id`` is ``None`` for a transfer out of the
    center. A transfer to a queue is followed by ``contact.queued`` for the new visit.
    """

    name: ClassVar[str] = "contact.transferred"
    from_queue_id: str
    to_queue_id: str | None = None
    agent_id: str | None = None
    kind: str = "blind"
    to_agent_id: str | None = None
    """A transfer to a named agent (the next visit is offered to that agent only)."""
    reason: str | None = None
    """Why (an escalation's reason, an overflow rule: ``overflow_wait``, ``no_agents``,
    ``closed``)."""


@dataclass(frozen=True, kw_only=True)
class ContactWrapUpStarted(ContactEvent):
    """The conversation ended and the agent started after-call work on the contact."""

    name: ClassVar[str] = "contact.wrap_up_started"
    agent_id: str


@dataclass(frozen=True, kw_only=True)
class ContactEnded(ContactEvent):
    """The contact is over.

    ``ended_by`` is ``customer``, ``agent`` or ``system``; ``reason`` explains a system end
    (``timeout``, ``queue_empty``, ``exit_key``, ``self_service``; for an outbound call that
    did not connect while it rang: ``busy``, ``no_answer``, ``cancel``, ``failed``...);
    ``resolved`` is the agent's disposition when known.
    """

    name: ClassVar[str] = "contact.ended"
    ended_by: str = "customer"
    reason: str | None = None
    resolved: bool | None = None
    disposition: str | None = None
    """The agent's wrap-up code (``complaint``, ``sales``, a code of the center's own); a
    ``complaint`` contact is a complaint for ``carecenter voc themes``."""
    note: str | None = None
    """The agent's wrap-up note (for a complaint: what the customer complained about)."""


@dataclass(frozen=True, kw_only=True)
class ContactAbandoned(ContactEvent):
    """The customer gave up while waiting in a queue (hung up, closed the chat)."""

    name: ClassVar[str] = "contact.abandoned"
    queue_id: str


@dataclass(frozen=True, kw_only=True)
class ContactIdentified(ContactEvent):
    """The entry flow identified the customer (e.g. from an account number).

    Later queue visits of the contact carry this ``customer_id`` and ``tier``; the contact's
    state does not change.
    """

    name: ClassVar[str] = "contact.identified"
    customer_id: str
    tier: str = "standard"
    account_value: float | None = None


@dataclass(frozen=True, kw_only=True)
class ContactFlowStep(ContactEvent):
    """The contact passed a node of its entry flow (IVR).

    ``kind`` is the node's kind (``menu``, ``identify``, ``self_service``, ``announcement``,
    ``route``...), ``choice`` what the caller chose at a menu. The contact's state does not
    change.
    """

    name: ClassVar[str] = "contact.flow_step"
    flow_id: str
    node_id: str
    kind: str
    choice: str | None = None


@dataclass(frozen=True, kw_only=True)
class ContactSkillsRelaxed(ContactEvent):
    """The waiting contact's skill requirement relaxed to ``step`` (1 = the first relaxation)
    after waiting the queue's threshold for that step; more agents may now take it."""

    name: ClassVar[str] = "contact.skills_relaxed"
    queue_id: str
    step: int


@dataclass(frozen=True, kw_only=True)
class ContactWaitEstimated(ContactEvent):
    """The engine estimated how long the waiting contact will still wait (``estimate_s``),
    with the queue's ``predictor``, at ``position`` in line (1 = next).

    The first estimate of a queue visit is the one told on entry; the report compares it
    with the real wait (``ewt_mae_s``, ``ewt_within_30s``, ``ewt_not_exceeded``).
    """

    name: ClassVar[str] = "contact.wait_estimated"
    queue_id: str
    estimate_s: float
    predictor: str
    position: int
    announced: bool = False
    """Whether the estimate was played to the customer (an expected-wait announcement)."""


@dataclass(frozen=True, kw_only=True)
class ContactHoldTreatment(ContactEvent):
    """What the waiting customer was given: ``kind`` is ``music``, ``message`` (an
    information message), ``offer`` (a sales offer), ``position`` (a position announcement,
    ``value`` = the position), ``expected_wait`` (``value`` = seconds) or ``callback_offer``
    (``value`` = the expected wait that triggered it)."""

    name: ClassVar[str] = "contact.hold_treatment"
    queue_id: str
    kind: str
    text: str = ""
    value: float | None = None


@dataclass(frozen=True, kw_only=True)
class ContactOfferWithdrawn(ContactEvent):
    """An offer still ringing at ``agent_id`` was withdrawn (``reason``:
    ``answered_elsewhere`` when another agent rung at once took it, ``abandoned``, ``moved``).

    Only the offer ends; the contact's state does not change.
    """

    name: ClassVar[str] = "contact.offer_withdrawn"
    queue_id: str
    agent_id: str
    reason: str = "answered_elsewhere"


@dataclass(frozen=True, kw_only=True)
class CallbackRequested(ContactEvent):
    """Instead of waiting, the customer asked to be called back; a promise is made.

    The callback itself arrives later as a new contact with ``parent_contact_id`` set.
    """

    name: ClassVar[str] = "contact.callback_requested"
    queue_id: str
    promise_id: str
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class AgentStateChanged(Event):
    """An agent moved from ``previous`` to ``state`` (``reason`` for a break: lunch...)."""

    name: ClassVar[str] = "agent.state_changed"
    agent_id: str
    state: AgentStatus
    previous: AgentStatus
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class AgentAwayRequested(Event):
    """An agent holding contacts asked to go to ``state`` (``break`` with its ``reason``, or
    ``logged_out``) once free: no new contact is offered to them, and the engine moves them
    when their last one is over ("not ready after this call"). ``state`` ``None``: the
    request was withdrawn (the break was called off)."""

    name: ClassVar[str] = "agent.away_requested"
    agent_id: str
    state: AgentStatus | None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class PromiseMade(Event):
    """The center promised ``customer_id`` something (``kind``) by ``due_at``."""

    name: ClassVar[str] = "promise.made"
    promise_id: str
    customer_id: str | None
    contact_id: str | None
    kind: PromiseKind
    due_at: datetime
    description: str = ""
    queue_id: str | None = None
    """The queue the promise was made for (a callback's queue)."""
    agent_id: str | None = None
    """The agent who made it (a follow-up), or ``None`` when the engine did."""
    window_start: datetime | None = None
    """The start of the promised window (a callback "between 14:30 and 15:00")."""


@dataclass(frozen=True, kw_only=True)
class PromiseKept(Event):
    """The promise was fulfilled on or before it was due."""

    name: ClassVar[str] = "promise.kept"
    promise_id: str
    agent_id: str | None = None
    """Who kept it (the agent who started the callback or did the follow-up), when known."""
    contact_id: str | None = None
    """The contact that kept it (the callback), when there is one."""


@dataclass(frozen=True, kw_only=True)
class PromiseBroken(Event):
    """The promise was not kept: fulfilled late (``reason`` ``late``) or not by its due time
    (``overdue``)."""

    name: ClassVar[str] = "promise.broken"
    promise_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class PromiseCancelled(Event):
    """The promise was withdrawn (e.g. the customer no longer needs it)."""

    name: ClassVar[str] = "promise.cancelled"
    promise_id: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class SurveyAnswered(Event):
    """A customer answered a survey question about a contact with ``score`` on 1..``scale_max``."""

    name: ClassVar[str] = "survey.answered"
    survey_id: str
    question: str
    score: int
    scale_max: int = 5
    contact_id: str | None = None
    customer_id: str | None = None
    comment: str | None = None
    """The customer's free text given with the answer (a dissatisfied answer's comment is a
    complaint for ``carecenter voc themes``)."""


@dataclass(frozen=True)
class StoredEvent:
    """An event as the log holds it: its sequence number, id and when it was recorded."""

    seq: int
    event_id: str
    recorded_at: datetime
    event: Event


_store = object.__setattr__


def _check_aware(name: str, at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise DomainError(f"{name}: occurred_at must be timezone-aware")


def _quick_init(cls: type[Event]) -> None:
    """Give the event class an ``__init__`` that sets its fields in one step.

    The dataclass-made ``__init__`` of a frozen class sets each field through
    ``object.__setattr__``, which is most of the cost of an event; the engine makes several for
    each routing decision. This one takes the same keyword arguments with the same defaults,
    checks ``occurred_at`` as ``__post_init__`` does and stores them at once; the instance is
    the same frozen dataclass (its ``__eq__``, ``__hash__``, ``__repr__`` and
    ``FrozenInstanceError`` are unchanged).
    """
    params, items = [], []
    defaults: dict[str, Any] = {}
    for f in fields(cls):
        if f.default_factory is not MISSING or not f.init:  # pragma: no cover - none today
            return
        if f.default is MISSING:
            params.append(f.name)
        else:
            defaults[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
        items.append(f"{f.name!r}: {f.name}")
    # Event.__post_init__ inline (the usual UTC time costs one comparison); another, called
    post_init = (
        "    if occurred_at.tzinfo is not UTC:\n        _check_aware(self.name, occurred_at)\n"
        if cls.__post_init__ is Event.__post_init__
        else "    self.__post_init__()\n"
    )
    source = (
        f"def __init__(self, *, {', '.join(params)}):\n"
        f"{post_init}"
        f"    _store(self, '__dict__', {{{', '.join(items)}}})\n"
    )
    namespace: dict[str, Any] = dict(defaults)
    # the code dataclasses writes, with one store; in this module's globals, as theirs is
    exec(source, globals(), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    cls.__init__ = init  # type: ignore[method-assign]


for _cls in EVENT_TYPES.values():
    _quick_init(_cls)


def subject_of(event: Event) -> tuple[str | None, str | None]:
    """The (contact id, agent id) an event is about, for indexing the event log."""
    contact = getattr(event, "contact_id", None)
    agent = getattr(event, "agent_id", None)
    return contact, agent
