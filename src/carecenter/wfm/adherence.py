"""Schedule adherence and conformance of agents, as workforce-management tools define them
(NICE IEX, Verint, Calabrio). Pure standard library.

Definitions:

* Working states are ``available``, ``busy`` and ``after_call_work``; away states are
  ``break`` and ``logged_out``, and any time no :class:`Actual` covers is logged out.
* An agent is *in adherence* when, during a planned working activity, it is in a working
  state, or, during a planned break, it is away (on break or logged out). Time outside every
  :class:`Planned` activity of the agent is not scheduled and does not count in adherence.
* ``adherence`` = time in adherence / scheduled time (work and breaks), a fraction from 0 to
  1; ``None`` when nothing was scheduled.
* ``conformance`` = time worked (in a working state at any time of the day, scheduled or not)
  / scheduled working time, a fraction that may exceed 1; ``None`` when no working time was
  scheduled.
* An *out-of-adherence event* is a maximal stretch of scheduled time during which the agent
  is continuously out of adherence (adjacent pieces merge, even across a change of planned
  activity or of actual state), kept only when strictly longer than the tolerance. It names
  the planned activity and the actual state at its start.

Only the window ``[start_at, end_at)`` counts: everything is clipped to it, so an event is
cut at the window's edges. Overlapping intervals of one agent (two planned activities, or two
actual intervals) are a data error, and so is an interval that ends before it starts; one
that ends when it starts is ignored.

Each agent's timeline is cut at every bound (planned, actual, reporting interval) and each
elementary segment is classified once: O(n log n) in the agent's intervals, plus the
reporting intervals they span. Durations add up as exact timedeltas.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from carecenter.errors import DomainError

WORKING_STATES = frozenset({"available", "busy", "after_call_work"})
AWAY_STATES = frozenset({"break", "logged_out"})
LOGGED_OUT = "logged_out"
_ZERO = timedelta(0)


@dataclass(frozen=True)
class Planned:
    """One scheduled activity of one agent: working on contacts, or a break."""

    agent_id: str
    start_at: datetime
    end_at: datetime
    activity: str
    """``"work"``, or the break's name (``"meal"``, ``"rest"``)."""
    working: bool
    """True: the agent should be taking contacts; False: a break."""


@dataclass(frozen=True)
class Actual:
    """One interval in which an agent was in one state; time no Actual covers is logged out."""

    agent_id: str
    start_at: datetime
    end_at: datetime
    state: str
    """One of :data:`WORKING_STATES` or :data:`AWAY_STATES`."""
    reason: str | None = None


@dataclass(frozen=True)
class IntervalAdherence:
    """One agent in one reporting interval (``interval_s`` long, aligned on the window)."""

    agent_id: str
    interval_start: datetime
    scheduled_s: float
    scheduled_work_s: float
    in_adherence_s: float
    worked_s: float
    adherence: float | None
    conformance: float | None


@dataclass(frozen=True)
class AgentAdherence:
    """One agent over the whole window; ``events``: how many events exceed the tolerance."""

    agent_id: str
    scheduled_s: float
    scheduled_work_s: float
    in_adherence_s: float
    worked_s: float
    out_of_adherence_s: float
    adherence: float | None
    conformance: float | None
    events: int


@dataclass(frozen=True)
class AdherenceEvent:
    """A stretch of scheduled time out of adherence, longer than the tolerance."""

    agent_id: str
    start_at: datetime
    end_at: datetime
    duration_s: float
    activity: str
    """The planned activity at the event's start."""
    state: str
    """The actual state at the event's start (``"logged_out"`` when no Actual covered it)."""


@dataclass(frozen=True)
class AdherenceReport:
    """Rows per agent and interval, per agent, and the events; sorted by agent, then time."""

    intervals: list[IntervalAdherence]
    agents: list[AgentAdherence]
    events: list[AdherenceEvent]


@dataclass
class _Tally:
    scheduled: timedelta = _ZERO
    scheduled_work: timedelta = _ZERO
    in_adherence: timedelta = _ZERO
    worked: timedelta = _ZERO

    def add(self, other: _Tally) -> None:
        self.scheduled += other.scheduled
        self.scheduled_work += other.scheduled_work
        self.in_adherence += other.in_adherence
        self.worked += other.worked

    def seconds(self) -> tuple[float, float, float, float]:
        return (
            self.scheduled.total_seconds(),
            self.scheduled_work.total_seconds(),
            self.in_adherence.total_seconds(),
            self.worked.total_seconds(),
        )

    def ratios(self) -> tuple[float | None, float | None]:
        return _ratio(self.in_adherence, self.scheduled), _ratio(self.worked, self.scheduled_work)


_Span = TypeVar("_Span", Planned, Actual)


def _ratio(part: timedelta, whole: timedelta) -> float | None:
    return None if whole == _ZERO else part / whole


def _aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DomainError(f"{what}: {moment.isoformat()} has no time zone")


def _by_agent(
    items: Sequence[_Span], kind: str, start_at: datetime, end_at: datetime
) -> dict[str, list[tuple[datetime, datetime, _Span]]]:
    """Checks the intervals and groups them by agent, sorted and clipped to the window."""
    groups: dict[str, list[_Span]] = {}
    for item in items:
        what = f"{kind} interval of agent {item.agent_id}"
        _aware(item.start_at, what)
        _aware(item.end_at, what)
        if item.end_at < item.start_at:
            raise DomainError(
                f"{what} ends at {item.end_at.isoformat()}"
                f" before it starts at {item.start_at.isoformat()}"
            )
        if isinstance(item, Actual) and item.state not in WORKING_STATES | AWAY_STATES:
            raise DomainError(
                f"{what} at {item.start_at.isoformat()}: unknown state {item.state!r}"
            )
        if item.end_at > item.start_at:
            groups.setdefault(item.agent_id, []).append(item)
    clipped: dict[str, list[tuple[datetime, datetime, _Span]]] = {}
    for agent_id, group in groups.items():
        group.sort(key=lambda s: s.start_at)
        for before, after in itertools.pairwise(group):
            if after.start_at < before.end_at:
                raise DomainError(
                    f"{kind} intervals of agent {agent_id} overlap:"
                    f" {before.start_at.isoformat()} to {before.end_at.isoformat()}"
                    f" and {after.start_at.isoformat()} to {after.end_at.isoformat()}"
                )
        spans = [
            (max(s.start_at, start_at), min(s.end_at, end_at), s)
            for s in group
            if s.start_at < end_at and s.end_at > start_at
        ]
        if spans:
            clipped[agent_id] = spans
    return clipped


def _agent(
    agent_id: str,
    plans: list[tuple[datetime, datetime, Planned]],
    acts: list[tuple[datetime, datetime, Actual]],
    start_at: datetime,
    step: timedelta,
    tolerance_s: float,
) -> tuple[dict[int, _Tally], list[AdherenceEvent]]:
    """Tallies per reporting interval (by index from the window's start) and the events."""
    bounds = [moment for a, b, _ in itertools.chain(plans, acts) for moment in (a, b)]
    first, last = min(bounds), max(bounds)
    points = set(bounds)
    k = (first - start_at) // step + 1
    while start_at + k * step < last:
        points.add(start_at + k * step)
        k += 1
    tallies: dict[int, _Tally] = {}
    stretches: list[tuple[datetime, datetime, str, str]] = []  # out of adherence, merged
    i = j = 0
    for a, b in itertools.pairwise(sorted(points)):
        while i < len(plans) and plans[i][1] <= a:
            i += 1
        plan = plans[i][2] if i < len(plans) and plans[i][0] <= a else None
        while j < len(acts) and acts[j][1] <= a:
            j += 1
        act = acts[j][2] if j < len(acts) and acts[j][0] <= a else None
        state = LOGGED_OUT if act is None else act.state
        working = state in WORKING_STATES
        if plan is not None and plan.working != working:
            if stretches and stretches[-1][1] == a:
                stretches[-1] = (stretches[-1][0], b, *stretches[-1][2:])
            else:
                stretches.append((a, b, plan.activity, state))
        if plan is None and act is None:
            continue
        tally = tallies.setdefault((a - start_at) // step, _Tally())
        if working:
            tally.worked += b - a
        if plan is not None:
            tally.scheduled += b - a
            if plan.working:
                tally.scheduled_work += b - a
            if plan.working == working:
                tally.in_adherence += b - a
    events = [
        AdherenceEvent(agent_id, a, b, (b - a).total_seconds(), activity, state)
        for a, b, activity, state in stretches
        if (b - a).total_seconds() > tolerance_s
    ]
    return tallies, events


def adherence(
    planned: Sequence[Planned],
    actual: Sequence[Actual],
    *,
    start_at: datetime,
    end_at: datetime,
    interval_s: int = 1800,
    tolerance_s: float = 300.0,
) -> AdherenceReport:
    """Adherence, conformance and out-of-adherence events of every agent with planned or
    actual time in the window ``[start_at, end_at)``, per agent and per reporting interval of
    ``interval_s`` seconds aligned on ``start_at`` (see the module's docstring)."""
    _aware(start_at, "adherence window")
    _aware(end_at, "adherence window")
    if end_at <= start_at:
        raise DomainError(
            f"adherence window ends at {end_at.isoformat()}, not after {start_at.isoformat()}"
        )
    if interval_s <= 0:
        raise DomainError(f"adherence interval must be positive, not {interval_s} s")
    if tolerance_s < 0:
        raise DomainError(f"adherence tolerance must not be negative, not {tolerance_s} s")
    plans = _by_agent(planned, "planned", start_at, end_at)
    acts = _by_agent(actual, "actual", start_at, end_at)
    step = timedelta(seconds=interval_s)
    rows: list[IntervalAdherence] = []
    agents: list[AgentAdherence] = []
    events: list[AdherenceEvent] = []
    for agent_id in sorted(plans.keys() | acts.keys()):
        tallies, agent_events = _agent(
            agent_id, plans.get(agent_id, []), acts.get(agent_id, []), start_at, step, tolerance_s
        )
        total = _Tally()
        for k, t in sorted(tallies.items()):
            rows.append(IntervalAdherence(agent_id, start_at + k * step, *t.seconds(), *t.ratios()))
            total.add(t)
        out_s = (total.scheduled - total.in_adherence).total_seconds()
        agents.append(
            AgentAdherence(agent_id, *total.seconds(), out_s, *total.ratios(), len(agent_events))
        )
        events.extend(agent_events)
    return AdherenceReport(rows, agents, events)
