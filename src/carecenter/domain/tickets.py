"""Tickets: a case in a ticket system (e-mail, web form, letter) told as timed activities, and
the one fold that turns a ticket's activities into its fact row and its open spells.

A ticket system logs *activities*: created, assigned, an agent's reply, waiting on the
customer, resolved, reopened, closed, and others a manager does not measure. The fold reads a
ticket's activities **in time order, whatever order they arrived in** (two at the same instant
in the order of :data:`ORDER`), so a later import that brings more of a ticket's activities
only moves its facts forward, and an older copy changes nothing.

Rules (each documented measure is business time of the ticket's queue, see
:meth:`TicketRules.business_seconds`):

* The ticket is **created** at its first ``created`` activity, else at its first activity.
* The **first response** is the first ``replied`` at or after creation.
* An **open spell** runs from creation (or a reopening) to the next ``resolved`` or
  ``closed``. A resolved ticket is reopened by ``reopened``, or implicitly by work on it
  (``assigned``, ``replied``, ``waiting``); a closed ticket only by ``reopened``. ``reopens``
  counts the spells after the first.
* The ticket is **resolved** at the end of its last spell, when that spell has ended.
* **Waiting on the customer** runs from ``waiting`` to the next activity that is neither
  ``waiting`` nor ``other`` (or the spell's end); its business time is ``on_hold_s``.
* **SLA**: with targets for the ticket's queue and priority (:class:`TicketTargets`), a resolved
  ticket met its SLA when its first response came within the response target and its
  resolution, less the time on hold, within the resolution target (a target not set is not
  checked). Without targets, the source's own verdict (``made_sla``) when it gives one; else
  unknown. An unresolved ticket's SLA is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from carecenter.domain.center import Center
from carecenter.domain.durations import elapsed_s


class TicketActivity(StrEnum):
    """What an activity of a ticket means (a mapping file says which source values mean what)."""

    CREATED = "created"
    ASSIGNED = "assigned"
    REPLIED = "replied"
    """An agent's reply to the customer; the first is the first response."""
    WAITING = "waiting"
    """Waiting on the customer (pending)."""
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"
    OTHER = "other"
    """Anything else: kept and counted, it changes no measure."""


ORDER = {a: i for i, a in enumerate(TicketActivity)}
_WORK = (TicketActivity.ASSIGNED, TicketActivity.REPLIED, TicketActivity.WAITING)
"""Activities at the same instant are read in this order (created first, closed last)."""


class TicketState(StrEnum):
    """Where a ticket stands after its last activity."""

    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


@dataclass(frozen=True)
class TicketEvent:
    """One activity of a ticket. Attributes a source gives with an activity (queue, agent,
    priority...) are ``None`` when it does not; the ticket keeps the latest given."""

    ticket_id: str
    occurred_at: datetime
    activity: TicketActivity
    label: str = ""
    """The source's own name of the activity (e.g. ``6`` or ``Resolve ticket``)."""
    agent_id: str | None = None
    queue_id: str | None = None
    priority: str | None = None
    topic: str | None = None
    channel: str | None = None
    customer_id: str | None = None
    tier: str | None = None
    made_sla: bool | None = None
    """The source's own verdict on the ticket's SLA, when it records one."""

    def sort_key(self) -> tuple[datetime, int, str]:
        """Time, then :data:`ORDER`, then label: the order the fold reads activities in."""
        return (self.occurred_at, ORDER[self.activity], self.label)


@dataclass(frozen=True)
class TicketTargets:
    """A queue's ticket targets (business seconds); ``None``: not checked."""

    response_s: float | None = None
    resolution_s: float | None = None


BusinessClock = Callable[[str, datetime, datetime], float]
"""(queue id, start, end) -> business seconds between the two in that queue's hours."""


def wall_clock(queue_id: str, start: datetime, end: datetime) -> float:
    """A :data:`BusinessClock` open all the time (elapsed seconds)."""
    return max(0.0, elapsed_s(start, end))


@dataclass(frozen=True)
class TicketRules:
    """What the fold needs of the center: the queues' business hours and ticket targets."""

    clock: BusinessClock = wall_clock
    targets: Mapping[tuple[str, str | None], TicketTargets] = field(default_factory=dict)
    """(queue id, priority) -> targets; (queue id, ``None``) for every priority of the queue."""
    default_queue: str = "tickets"
    """The queue of a ticket whose activities name none."""

    @classmethod
    def of_center(cls, center: Center, default_queue: str = "tickets") -> TicketRules:
        """The business hours (each queue's ``hours``; a queue the center does not name is
        open all the time) and targets (``response_time_s``, ``resolution_time_s``, and per
        priority ``by_priority``) of ``center``'s queues."""
        queues = center.queues

        def clock(queue_id: str, start: datetime, end: datetime) -> float:
            queue = queues.get(queue_id)
            if queue is None:
                return wall_clock(queue_id, start, end)
            return queue.hours.business_seconds(start, end)

        targets: dict[tuple[str, str | None], TicketTargets] = {}
        for q in queues.values():
            t = q.targets
            if t.response_time_s is not None or t.resolution_time_s is not None:
                targets[(q.queue_id, None)] = TicketTargets(t.response_time_s, t.resolution_time_s)
            for priority, (response, resolution) in t.by_priority.items():
                targets[(q.queue_id, priority)] = TicketTargets(response, resolution)
        return cls(clock, targets, default_queue)

    def business_seconds(self, queue_id: str, start: datetime, end: datetime) -> float:
        """Business seconds of ``queue_id`` from ``start`` to ``end`` (0 when ``end`` is
        earlier)."""
        return 0.0 if end <= start else self.clock(queue_id, start, end)

    def targets_for(self, queue_id: str, priority: str | None) -> TicketTargets | None:
        """The targets of a queue for a priority, else for every priority, else ``None``."""
        return self.targets.get((queue_id, priority)) or self.targets.get((queue_id, None))


@dataclass
class TicketFact:
    """Warehouse table ``ticket_facts``: one row per ticket. Durations in seconds; ``*_s``
    are business time of the queue, ``*_wall_s`` elapsed time."""

    ticket_id: str
    queue_id: str
    channel: str
    tier: str
    priority: str | None
    topic: str | None
    customer_id: str | None
    agent_id: str | None
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    last_activity_at: datetime
    state: str
    activities: int
    reopens: int
    first_response_s: float | None
    first_response_wall_s: float | None
    resolution_s: float | None
    resolution_wall_s: float | None
    on_hold_s: float
    response_target_s: float | None
    resolution_target_s: float | None
    sla_met: bool | None


@dataclass
class TicketSpell:
    """Warehouse table ``ticket_spells``: a time a ticket was open (created or reopened, not
    yet resolved); ``closed_at`` is ``None`` while it is open. Backlog counts these."""

    ticket_id: str
    spell: int
    queue_id: str
    channel: str
    tier: str
    topic: str | None
    agent_id: str | None
    opened_at: datetime
    closed_at: datetime | None
    priority: str | None = None


@dataclass
class _Walk:
    """The running state of the fold."""

    created_at: datetime
    first_response_at: datetime | None = None
    spells: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    hold_from: datetime | None = None
    holds: list[tuple[datetime, datetime]] = field(default_factory=list)
    closed_at: datetime | None = None
    is_closed: bool = False

    @property
    def open(self) -> bool:
        return bool(self.spells) and self.spells[-1][1] is None

    def _works_on_resolved(self, kind: TicketActivity) -> bool:
        """Work on a resolved (not closed) ticket reopens it."""
        return kind in _WORK and not self.is_closed

    def end_hold(self, at: datetime) -> None:
        if self.hold_from is not None:
            self.holds.append((self.hold_from, at))
            self.hold_from = None

    def step(self, e: TicketEvent) -> None:
        kind = e.activity
        if not self.open and (kind == TicketActivity.REOPENED or self._works_on_resolved(kind)):
            self.spells.append((e.occurred_at, None))
            self.is_closed = False
        if kind == TicketActivity.CLOSED:
            self.closed_at = e.occurred_at
            self.is_closed = True
        if not self.open:
            return
        if kind in (TicketActivity.RESOLVED, TicketActivity.CLOSED):
            self.end_hold(e.occurred_at)
            self.spells[-1] = (self.spells[-1][0], e.occurred_at)
        elif kind == TicketActivity.WAITING:
            if self.hold_from is None:
                self.hold_from = e.occurred_at
        elif kind != TicketActivity.OTHER:
            self.end_hold(e.occurred_at)
        if kind == TicketActivity.REPLIED and self.first_response_at is None:
            self.first_response_at = e.occurred_at


def _latest(events: Iterable[TicketEvent], name: str) -> str | None:
    value = None
    for e in events:
        value = getattr(e, name) or value
    return value


def fold_ticket(
    events: Iterable[TicketEvent], rules: TicketRules | None = None
) -> tuple[TicketFact, list[TicketSpell]]:
    """The fact row and open spells of one ticket from its activities (any order; at least
    one)."""
    rules = rules or TicketRules()
    # a repeated activity is one; ties in time, kind and label in a fixed order
    story = sorted(set(events), key=lambda e: (*e.sort_key(), repr(e)))
    if not story:
        raise ValueError("a ticket needs at least one activity")
    ticket_id = story[0].ticket_id
    created = next(
        (e.occurred_at for e in story if e.activity == TicketActivity.CREATED), story[0].occurred_at
    )
    walk = _Walk(created, spells=[(created, None)])
    for e in story:
        if e.occurred_at >= created:
            walk.step(e)
    queue = _latest(story, "queue_id") or rules.default_queue
    priority = _latest(story, "priority")

    def business(start: datetime, end: datetime | None) -> float | None:
        return None if end is None else rules.business_seconds(queue, start, end)

    def wall(start: datetime, end: datetime | None) -> float | None:
        return None if end is None else wall_clock(queue, start, end)

    resolved_at = walk.spells[-1][1]
    if resolved_at is None and walk.hold_from is not None:
        on_hold_until: datetime | None = story[-1].occurred_at
    else:
        on_hold_until = None
    holds = [*walk.holds, *([(walk.hold_from, on_hold_until)] if on_hold_until else [])]
    on_hold = sum(rules.business_seconds(queue, a, b) for a, b in holds if a is not None)
    response_s = business(created, walk.first_response_at)
    resolution_s = business(created, resolved_at)
    targets = rules.targets_for(queue, priority)
    fact = TicketFact(
        ticket_id=ticket_id,
        queue_id=queue,
        channel=_latest(story, "channel") or "email",
        tier=_latest(story, "tier") or "standard",
        priority=priority,
        topic=_latest(story, "topic"),
        customer_id=_latest(story, "customer_id"),
        agent_id=_latest(story, "agent_id"),
        created_at=created,
        first_response_at=walk.first_response_at,
        resolved_at=resolved_at,
        closed_at=walk.closed_at,
        last_activity_at=story[-1].occurred_at,
        state=_state(walk).value,
        activities=len(story),
        reopens=len(walk.spells) - 1,
        first_response_s=response_s,
        first_response_wall_s=wall(created, walk.first_response_at),
        resolution_s=resolution_s,
        resolution_wall_s=wall(created, resolved_at),
        on_hold_s=on_hold,
        response_target_s=targets.response_s if targets else None,
        resolution_target_s=targets.resolution_s if targets else None,
        sla_met=_sla(targets, response_s, resolution_s, on_hold, story),
    )
    spells = [
        TicketSpell(
            ticket_id,
            i,
            queue,
            fact.channel,
            fact.tier,
            fact.topic,
            fact.agent_id,
            opened,
            closed,
            priority,
        )
        for i, (opened, closed) in enumerate(walk.spells, start=1)
    ]
    return fact, spells


def _state(walk: _Walk) -> TicketState:
    if walk.open:
        return TicketState.WAITING if walk.hold_from is not None else TicketState.OPEN
    return TicketState.CLOSED if walk.is_closed else TicketState.RESOLVED


def _sla(
    targets: TicketTargets | None,
    response_s: float | None,
    resolution_s: float | None,
    on_hold_s: float,
    story: list[TicketEvent],
) -> bool | None:
    if resolution_s is None:
        return None
    if targets is None or (targets.response_s is None and targets.resolution_s is None):
        verdicts = [e.made_sla for e in story if e.made_sla is not None]
        return verdicts[-1] if verdicts else None
    met = True
    if targets.response_s is not None:
        met = response_s is not None and response_s <= targets.response_s
    if targets.resolution_s is not None:
        met = met and resolution_s - on_hold_s <= targets.resolution_s
    return met
