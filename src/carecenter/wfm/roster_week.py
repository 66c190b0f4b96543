"""Rostering's first step: which days each agent works (:class:`DaysModel`), and the rules
of an agent's week that both steps state (:func:`week_rules`), over the shift slots an agent
may work at all (:func:`candidates`). The second step and the whole method are
:mod:`carecenter.wfm.roster_model`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from carecenter.wfm.roster import RosterAgent, RosterProblem, ShiftSlot

SCALE = 100
"""Objective and coverage coefficients are in hundredths (CP-SAT works in integers)."""


def candidates(problem: RosterProblem, agent: RosterAgent) -> list[ShiftSlot]:
    """The slots the agent may work at all: their contract and availability, enough rest
    after their last shift, and no more paid time than their most."""
    out = []
    for slot in problem.slots:
        if not agent.can_work(slot):
            continue
        if agent.max_paid_min is not None and slot.paid_min > agent.max_paid_min:
            continue
        if agent.last_end is not None and slot.start - agent.last_end < problem.rules.min_rest_min:
            continue
        out.append(slot)
    return out


def week_rules(m: Any, problem: RosterProblem, agent: RosterAgent, works: list[Any]) -> None:
    """Days in a row, days worked and the days-off block, on the agent's days."""
    rules, days = problem.rules, problem.days
    k = rules.max_consecutive_days
    before = min(agent.worked_before, k)
    for end in range(days):
        first = end - k
        window = works[max(first, 0) : end + 1]
        carried = min(before, max(-first, 0))
        if len(window) + carried > k:
            m.add(sum(window) <= k - carried)
    if agent.max_days is not None and agent.max_days < days:
        m.add(sum(works) <= agent.max_days)
    if agent.consecutive_days_off:
        for first in range(0, days - 6, 7):
            week = works[first : first + 7]
            starts = [m.new_bool_var("") for _ in range(7)]
            for i in range(7):
                m.add(starts[i] >= week[i - 1] - week[i])
            m.add(sum(starts) <= 1)


class DaysModel:
    """The first step: which days each agent works, from the week's rules and what each day
    has room for (each contract's places, and all places together), each working day
    within reach of the agent's hours and rest."""

    def __init__(self, problem: RosterProblem, agents: Sequence[RosterAgent]):
        from ortools.sat.python import cp_model

        self.m = m = cp_model.CpModel()
        self.works: dict[str, list[Any]] = {}
        self.hours_ok: dict[str, Any] = {}
        rules = problem.rules
        places: dict[tuple[str | None, int], int] = defaultdict(int)
        for slot in problem.slots:
            places[slot.contract, slot.day] += slot.count
        by_contract: dict[tuple[str | None, int], list[Any]] = defaultdict(list)
        objective: list[Any] = []
        for agent in agents:
            per_day: dict[int, list[ShiftSlot]] = defaultdict(list)
            for slot in candidates(problem, agent):
                per_day[slot.day].append(slot)
            works = [
                m.new_bool_var(f"w_{agent.agent_id}_{d}") if per_day[d] else m.new_constant(0)
                for d in range(problem.days)
            ]
            self.works[agent.agent_id] = works
            for d in range(problem.days):
                by_contract[agent.contract, d].append(works[d])
                if d in agent.prefers_off and per_day[d]:
                    objective.append(round(rules.preference_penalty * SCALE) * works[d])
                if d + 1 < problem.days and per_day[d] and per_day[d + 1]:
                    ends = min(s.end for s in per_day[d])
                    if max(s.start for s in per_day[d + 1]) - ends < rules.min_rest_min:
                        m.add(works[d] + works[d + 1] <= 1)
            week_rules(m, problem, agent, works)
            most = sum(max((s.paid_min for s in per_day[d]), default=0) * works[d] for d in per_day)
            least = sum(
                min((s.paid_min for s in per_day[d]), default=0) * works[d] for d in per_day
            )
            if agent.max_paid_min is not None:
                m.add(least <= agent.max_paid_min)
            if agent.min_paid_min > 0:
                ok = m.new_bool_var(f"hours_{agent.agent_id}")
                self.hours_ok[agent.agent_id] = ok
                m.add(most >= agent.min_paid_min).only_enforce_if(ok)
            typical = max((s.paid_min for d in per_day for s in per_day[d]), default=0)
            objective += [-round(rules.unfilled_penalty * typical / 60 * SCALE) * w for w in works]
        contracts = {c for c, _ in places} | {c for c, _ in by_contract}
        for d in range(problem.days):
            total = sum(places[c, d] for c in contracts)
            m.add(sum(w for c in contracts for w in by_contract[c, d]) <= total)
            for c in contracts - {None}:
                m.add(sum(by_contract[c, d]) <= places[c, d] + places[None, d])
        m.minimize(sum(objective))
