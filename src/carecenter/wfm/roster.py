"""Rostering's problem and answer: named agents with their contracts, availability and
preferences (:class:`RosterAgent`), the shifts of a schedule to fill (:class:`ShiftSlot`),
the rules every roster must keep (:class:`RosterRules`), and the roster (:class:`Roster`).
The model that assigns agents to shifts is :mod:`carecenter.wfm.roster_model`; the check that
re-reads a roster against every rule, independently of the model, is :func:`violations`.

Time is counted in minutes from midnight of the first day (wall clock, the center's time
zone); day ``d`` is minutes ``1440 d`` to ``1440 (d + 1)``, and a shift belongs to the day it
starts on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

DAY_MIN = 1440


@dataclass(frozen=True)
class RosterRules:
    """The rules of every agent's week."""

    min_rest_min: int = 11 * 60
    """Least time between the end of one shift and the start of the next."""
    max_consecutive_days: int = 6
    """Most days worked in a row (the days worked just before the roster count)."""
    unfilled_penalty: float = 100.0
    """Cost of one paid hour of the schedule left without an agent."""
    coverage_penalty: float = 10.0
    """Cost of one agent missing from a queue for one interval (below the queue's own
    requirement, counting every rostered agent who can serve it)."""
    preference_penalty: float = 1.0
    """Cost of a day worked that the agent would rather have off, or of a start outside the
    agent's preferred starts."""


@dataclass(frozen=True)
class RosterAgent:
    """An agent to roster: who they are, what they may work and what they would like."""

    agent_id: str
    queues: frozenset[str] = frozenset()
    """The queues the agent can serve."""
    contract: str | None = None
    """The contract of the shifts the agent works (``None``: any shift)."""
    min_paid_min: int = 0
    """Least paid minutes over the roster's days (the contract's hours)."""
    max_paid_min: int | None = None
    """Most paid minutes over the roster's days (``None``: no limit)."""
    max_days: int | None = None
    """Most days worked (``None``: as the rules allow)."""
    consecutive_days_off: bool = False
    """The days off of each week (seven days from the first day, and so on) are one block,
    counted round the week (off on its last and first day is one block)."""
    available: tuple[tuple[int, int], ...] | None = None
    """When the agent can work: (start, end) minutes, sorted and not overlapping; a shift must
    lie inside one of them (``None``: any time)."""
    prefers_off: frozenset[int] = frozenset()
    """Days (0: the first day) the agent would rather not work."""
    prefers_start: tuple[int, int] | None = None
    """Minutes of the day (from, to, both included) the agent would rather start in."""
    worked_before: int = 0
    """Days worked in a row just before the first day."""
    last_end: int | None = None
    """When the agent's last shift before the roster ended (minutes, negative)."""

    def can_work(self, slot: ShiftSlot) -> bool:
        """Whether the slot's contract and times are the agent's (not the week's rules)."""
        if self.contract is not None and slot.contract not in (None, self.contract):
            return False
        if self.available is None:
            return True
        return any(lo <= slot.start and slot.end <= hi for lo, hi in self.available)


@dataclass(frozen=True)
class ShiftSlot:
    """``count`` agents wanted on ``template`` from ``start`` to ``end`` (minutes); each of
    the ``count`` places has its own breaks: ``breaks[k]`` is the (start, end) minutes of the
    place's breaks (``working`` tells the roster which minutes are on contacts)."""

    key: int
    day: int
    template: str
    start: int
    end: int
    paid_min: int
    contract: str | None = None
    breaks: tuple[tuple[tuple[int, int], ...], ...] = ()

    @property
    def count(self) -> int:
        return len(self.breaks)


@dataclass(frozen=True)
class RosterProblem:
    """The agents, the shifts to fill, the rules, and what each queue needs: ``requirement``
    maps a queue to its agents needed per interval of ``interval_min`` minutes, from minute
    0 (empty: no coverage rule)."""

    agents: tuple[RosterAgent, ...]
    slots: tuple[ShiftSlot, ...]
    days: int
    rules: RosterRules = RosterRules()
    interval_min: int = 15
    requirement: dict[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    """``agent_id`` works place ``place`` of slot ``slot`` (its breaks)."""

    agent_id: str
    slot: int
    place: int


@dataclass(frozen=True)
class Infeasible:
    """Why no roster keeps every rule: the rule, the agents and the days concerned."""

    rule: str
    agents: tuple[str, ...]
    days: tuple[int, ...]
    message: str


@dataclass(frozen=True)
class Roster:
    """The answer: who works which place, what stayed open and how good it is."""

    assignments: list[Assignment]
    status: str
    seconds: float
    objective: float = 0.0
    bound: float = 0.0
    unfilled: dict[int, int] = field(default_factory=dict)
    """Slot key -> places left without an agent."""
    infeasible: list[Infeasible] = field(default_factory=list)


def paid_minutes(problem: RosterProblem, roster: Roster) -> dict[str, int]:
    """Agent -> paid minutes in the roster (every agent of the problem)."""
    slots = {s.key: s for s in problem.slots}
    out = {a.agent_id: 0 for a in problem.agents}
    for a in roster.assignments:
        out[a.agent_id] += slots[a.slot].paid_min
    return out


def coverage(problem: RosterProblem, roster: Roster) -> dict[str, list[int]]:
    """Queue -> rostered agents on contacts (on shift, not on a break, able to serve the
    queue) per interval; counted from the assignments alone."""
    slots = {s.key: s for s in problem.slots}
    agents = {a.agent_id: a for a in problem.agents}
    step = problem.interval_min
    n = problem.days * DAY_MIN // step
    out = {q: [0] * n for q in problem.requirement}
    for a in roster.assignments:
        slot = slots[a.slot]
        for q in agents[a.agent_id].queues & out.keys():
            row = out[q]
            for s, e in working_minutes(slot, a.place):
                for i in range(max(-(-s // step), 0), min(e // step, n)):
                    row[i] += 1
    return out


def working_minutes(slot: ShiftSlot, place: int) -> list[tuple[int, int]]:
    """The minutes of the place on contacts: the shift less its breaks."""
    out, at = [], slot.start
    for s, e in sorted(slot.breaks[place]):
        if s > at:
            out.append((at, s))
        at = max(at, e)
    if at < slot.end:
        out.append((at, slot.end))
    return out


def violations(problem: RosterProblem, roster: Roster) -> list[str]:
    """Every hard rule the roster breaks, one line each; empty when it keeps them all.

    Written apart from the model, from the rules' plain statements, so that a test (and the
    benchmark) can check the model's answers."""
    slots = {s.key: s for s in problem.slots}
    agents = {a.agent_id: a for a in problem.agents}
    out: list[str] = []
    taken: dict[tuple[int, int], list[str]] = defaultdict(list)
    worked: dict[str, list[ShiftSlot]] = defaultdict(list)
    for a in roster.assignments:
        if a.agent_id not in agents:
            out.append(f"{a.agent_id}: not an agent of the problem")
            continue
        if a.slot not in slots or not 0 <= a.place < slots[a.slot].count:
            out.append(f"{a.agent_id}: no place {a.place} in slot {a.slot}")
            continue
        taken[a.slot, a.place].append(a.agent_id)
        worked[a.agent_id].append(slots[a.slot])
    out += [
        f"slot {k} place {p}: taken by {', '.join(who)}"
        for (k, p), who in taken.items()
        if len(who) > 1
    ]
    for agent in problem.agents:
        shifts = sorted(worked[agent.agent_id], key=lambda s: s.start)
        out += _agent_violations(problem, agent, shifts)
    return out


def _agent_violations(
    problem: RosterProblem, agent: RosterAgent, shifts: Sequence[ShiftSlot]
) -> list[str]:
    rules, who = problem.rules, agent.agent_id
    out = []
    days = [s.day for s in shifts]
    for day in sorted(set(days)):
        if days.count(day) > 1:
            out.append(f"{who}: {days.count(day)} shifts on day {day}")
    for s in shifts:
        if agent.contract is not None and s.contract not in (None, agent.contract):
            out.append(f"{who}: day {s.day} shift {s.template} is for contract {s.contract}")
        if agent.available is not None and not any(
            lo <= s.start and s.end <= hi for lo, hi in agent.available
        ):
            out.append(f"{who}: day {s.day} shift {s.template} outside their availability")
    previous_end = agent.last_end
    for s in shifts:
        if previous_end is not None and s.start - previous_end < rules.min_rest_min:
            out.append(f"{who}: {s.start - previous_end} min of rest before day {s.day}")
        previous_end = s.end
    run, best = agent.worked_before, 0  # a run before the roster is not the roster's
    for day in range(problem.days):
        run = run + 1 if day in days else 0
        best = max(best, run)
    if best > rules.max_consecutive_days:
        out.append(f"{who}: {best} days in a row (at most {rules.max_consecutive_days})")
    paid = sum(s.paid_min for s in shifts)
    if paid < agent.min_paid_min:
        out.append(f"{who}: {paid} paid minutes, fewer than {agent.min_paid_min}")
    if agent.max_paid_min is not None and paid > agent.max_paid_min:
        out.append(f"{who}: {paid} paid minutes, more than {agent.max_paid_min}")
    if agent.max_days is not None and len(set(days)) > agent.max_days:
        out.append(f"{who}: {len(set(days))} days worked, more than {agent.max_days}")
    if agent.consecutive_days_off:
        out += _days_off_violations(problem, agent, set(days))
    return out


def _days_off_violations(problem: RosterProblem, agent: RosterAgent, days: set[int]) -> list[str]:
    """Each whole week of the roster (seven days from the first day, and so on): its days off
    are one block, counted round the week."""
    out = []
    for first in range(0, problem.days - 6, 7):
        week = [(first + i) in days for i in range(7)]
        blocks = sum(1 for i in range(7) if not week[i] and week[i - 1])
        if blocks > 1:
            out.append(f"{agent.agent_id}: days off not together in the week of day {first}")
    return out
