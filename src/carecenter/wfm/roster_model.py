"""Rostering: which named agent works which shift of a schedule, as a constraint program
solved with OR-Tools' CP-SAT.

One yes/no variable per agent and shift slot the agent may work (contract and availability
are applied before the model, so they hold by construction). The hard rules:

* at most one shift a day (a shift belongs to the day it starts on);
* at least ``min_rest_min`` between the end of a shift and the start of the agent's next one
  (the last shift before the roster counts);
* at most ``max_consecutive_days`` days in a row (the days just before the roster count);
* the agent's paid minutes between ``min_paid_min`` and ``max_paid_min``, and at most
  ``max_days`` days;
* the days off of each week in one block, for contracts that say so;
* no slot given more agents than it has places.

What is left open is paid for in the objective, in this order of weight: places of the
schedule left without an agent (``unfilled_penalty`` per paid hour), each queue's coverage
below its own requirement (``coverage_penalty`` per agent-interval, counting every rostered
agent who can serve the queue, with the slot's breaks spread over its places), and the
agents' preferences (``preference_penalty`` per day worked that an agent wanted off or start
outside their preferred starts).

The only rule that can make a roster impossible is the contract's least hours (every other
rule is kept by working less). :func:`explain` then says whose hours cannot be met, alone or
together, and on which days they could work.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from carecenter.errors import InputError
from carecenter.wfm.roster import (
    DAY_MIN,
    Assignment,
    Infeasible,
    Roster,
    RosterAgent,
    RosterProblem,
    ShiftSlot,
    working_minutes,
)
from carecenter.wfm.roster_week import SCALE, DaysModel, candidates, week_rules

__all__ = ["candidates", "explain", "solve"]

DAYS_GAP = 0.002
"""The first step (days) stops within this much of its bound: its objective only guides."""
UNIT = SCALE * SCALE
"""The objective's integer units per unit of cost."""
HOURS_PENALTY = 10**15
"""While the contract's hours are not fixed as a rule (the second step, and the search for
why a roster is impossible), an agent short of them costs this much."""


def _validate(problem: RosterProblem) -> None:
    ids = [a.agent_id for a in problem.agents]
    if len(set(ids)) != len(ids):
        raise InputError("an agent is listed twice", field="agents")
    keys = [s.key for s in problem.slots]
    if len(set(keys)) != len(keys):
        raise InputError("a shift slot key is used twice", field="slots")
    for slot in problem.slots:
        if not 0 <= slot.day < problem.days or slot.end <= slot.start:
            raise InputError(f"shift slot {slot.key}: outside the roster's days", field="slots")
    if problem.rules.min_rest_min < 0 or problem.rules.max_consecutive_days < 1:
        raise InputError("the roster rules need rest >= 0 and consecutive days >= 1", field="rules")


class _Model:
    """The CP-SAT model of a problem, for a subset of its agents."""

    def __init__(
        self,
        problem: RosterProblem,
        agents: Sequence[RosterAgent],
        *,
        full: bool,
        days_of: dict[str, set[int]] | None = None,
    ):
        from ortools.sat.python import cp_model

        self.problem = problem
        self.m = cp_model.CpModel()
        self.x: dict[tuple[str, int], Any] = {}
        self.works: dict[str, list[Any]] = {}
        self.hours_ok: dict[str, Any] = {}
        m, rules = self.m, problem.rules
        by_slot: dict[int, list[Any]] = defaultdict(list)
        self.by_group: dict[tuple[frozenset[str], int], list[Any]] = defaultdict(list)
        objective: list[Any] = []
        for agent in agents:
            day_vars: dict[int, list[tuple[ShiftSlot, Any]]] = defaultdict(list)
            fixed = None if days_of is None else days_of.get(agent.agent_id, set())
            for slot in candidates(problem, agent):
                if fixed is not None and slot.day not in fixed:
                    continue
                var = m.new_bool_var(f"x_{agent.agent_id}_{slot.key}")
                self.x[agent.agent_id, slot.key] = var
                day_vars[slot.day].append((slot, var))
                by_slot[slot.key].append(var)
                self.by_group[agent.queues, slot.key].append(var)
                start_day = slot.start - slot.day * DAY_MIN
                lo_hi = agent.prefers_start
                if lo_hi is not None and not lo_hi[0] <= start_day <= lo_hi[1]:
                    objective.append(round(rules.preference_penalty * UNIT) * var)
            works = [m.new_bool_var(f"w_{agent.agent_id}_{d}") for d in range(problem.days)]
            self.works[agent.agent_id] = works
            for d in range(problem.days):
                m.add(sum(v for _, v in day_vars[d]) == works[d])
                if d in agent.prefers_off:
                    objective.append(round(rules.preference_penalty * UNIT) * works[d])
            self._rest(agent, day_vars, works)
            week_rules(m, problem, agent, works)
            paid = sum(s.paid_min * v for d in day_vars for s, v in day_vars[d])
            if agent.max_paid_min is not None:
                m.add(paid <= agent.max_paid_min)
            if agent.min_paid_min > 0:
                ok = m.new_bool_var(f"hours_{agent.agent_id}")
                self.hours_ok[agent.agent_id] = ok
                m.add(paid >= agent.min_paid_min).only_enforce_if(ok)
                objective.append(HOURS_PENALTY * (1 - ok))
        for slot in problem.slots:
            filled = sum(by_slot[slot.key])
            m.add(filled <= slot.count)
            weight = round(rules.unfilled_penalty * slot.paid_min / 60 * UNIT)
            objective.append(weight * (slot.count - filled))
        if full:
            objective += self._coverage()
        m.minimize(sum(objective))

    def _rest(self, agent: RosterAgent, day_vars: Any, works: list[Any]) -> None:
        """Rest between the shifts of two days: stated only where some pair of the agent's
        candidate shifts would break it."""
        rest = self.problem.rules.min_rest_min
        for d in range(self.problem.days):
            if not day_vars[d]:
                continue
            latest_end = max(s.end for s, _ in day_vars[d])
            end = sum(s.end * v for s, v in day_vars[d])
            for d2 in range(d + 1, self.problem.days):
                if not day_vars[d2]:
                    continue
                if min(s.start for s, _ in day_vars[d2]) - latest_end >= rest:
                    break
                start = sum(s.start * v for s, v in day_vars[d2])
                self.m.add(start - end >= rest).only_enforce_if([works[d], works[d2]])

    def _coverage(self) -> list[Any]:
        """Each queue's agents on contacts per interval, at least its requirement (soft)."""
        problem, step = self.problem, self.problem.interval_min
        working: dict[int, dict[int, int]] = {}
        for slot in problem.slots:
            share: dict[int, int] = defaultdict(int)
            for place in range(slot.count):
                for s, e in working_minutes(slot, place):
                    for i in range(-(-s // step), e // step):
                        share[i] += 1
            working[slot.key] = {
                i: round(SCALE * n / slot.count) for i, n in share.items() if n > 0
            }
        terms: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for (group, key), xs in self.by_group.items():
            if not group & problem.requirement.keys():
                continue
            count = self.m.new_int_var(0, len(xs), "")
            self.m.add(count == sum(xs))
            for i, coeff in working[key].items():
                for q in group & problem.requirement.keys():
                    terms[q, i].append(coeff * count)
        penalty = round(self.problem.rules.coverage_penalty * SCALE)  # short: in 1/SCALE agents
        out = []
        for q, need in problem.requirement.items():
            for i, agents in enumerate(need):
                if agents <= 0:
                    continue
                short = self.m.new_int_var(0, agents * SCALE, f"short_{q}_{i}")
                self.m.add(sum(terms[q, i]) + short >= agents * SCALE)
                out.append(penalty * short)
        return out


def _solver(seconds: float, workers: int) -> Any:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.1)
    solver.parameters.num_workers = workers
    return solver


def _hinted(
    problem: RosterProblem,
    before: tuple[_Model, Any] | None,
    seconds: float,
    workers: int,
    days_of: dict[str, set[int]] | None = None,
) -> tuple[_Model, Any, Any]:
    """The model with the queues' coverage and the contract hours as a rule (on ``days_of``
    only, if given), started from ``before``'s answer (a model and its solver), if any."""
    model = _Model(problem, problem.agents, full=True, days_of=days_of)
    for ok in model.hours_ok.values():
        model.m.add(ok == 1)
    if before is not None:
        old_model, answer = before
        for key, var in model.x.items():
            old = old_model.x.get(key)
            model.m.add_hint(var, bool(old is not None and answer.boolean_value(old)))
        for agent_id, works in model.works.items():
            old_works = old_model.works[agent_id]
            for new, was in zip(works, old_works, strict=True):
                model.m.add_hint(new, answer.boolean_value(was))
    solver = _solver(seconds, workers)
    return model, solver, solver.solve(model.m)


def solve(problem: RosterProblem, *, time_limit_s: float = 60.0, workers: int = 2) -> Roster:
    """The roster that keeps every hard rule and leaves the least open (see the module).

    Solved in two steps: first the days each agent works (a small model of the week's
    rules and each day's places), then the shift of each working day (rest, hours, places,
    the queues' coverage and the preferred starts)."""
    from ortools.sat.python import cp_model

    _validate(problem)
    started = time.perf_counter()

    def left() -> float:
        return time_limit_s - (time.perf_counter() - started)

    days = DaysModel(problem, problem.agents)
    for ok in days.hours_ok.values():
        days.m.add(ok == 1)
    solver = _solver(min(left() / 6, 10.0), workers)
    solver.parameters.relative_gap_limit = DAYS_GAP
    status = solver.solve(days.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        reasons = explain(problem) if status == cp_model.INFEASIBLE else []
        name = solver.status_name(status)
        return Roster([], name, time.perf_counter() - started, infeasible=reasons)
    days_of = {a: {d for d, w in enumerate(ws) if solver.value(w)} for a, ws in days.works.items()}
    # the shifts of those days: first without the queues' coverage (quick), then with it
    best: tuple[_Model, Any] | None = None
    model = _Model(problem, problem.agents, full=False, days_of=days_of)
    solver = _solver(left() / 3, workers)
    status = solver.solve(model.m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and all(
        solver.boolean_value(ok) for ok in model.hours_ok.values()
    ):
        best = model, solver
        if problem.requirement:
            covered, solver2, status2 = _hinted(problem, best, left() / 2, workers, days_of)
            if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                best = covered, solver2
    # then the whole model, the days free, from the best answer so far: its status and bound
    # are the roster's
    whole, solver, status = _hinted(problem, best, left(), workers)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        name, bound = solver.status_name(status), solver.best_objective_bound / UNIT
        best = whole, solver
    elif best is not None:
        name, bound = "FEASIBLE", 0.0
    else:
        reasons = explain(problem) if status == cp_model.INFEASIBLE else []
        name = solver.status_name(status)
        return Roster([], name, time.perf_counter() - started, infeasible=reasons)
    model, solver = best
    chosen: dict[int, list[str]] = defaultdict(list)
    for (agent_id, key), var in model.x.items():
        if solver.boolean_value(var):
            chosen[key].append(agent_id)
    assignments = []
    unfilled = {}
    for slot in problem.slots:
        who = sorted(chosen[slot.key])
        assignments += [Assignment(a, slot.key, place) for place, a in enumerate(who)]
        if len(who) < slot.count:
            unfilled[slot.key] = slot.count - len(who)
    return Roster(
        assignments,
        name,
        time.perf_counter() - started,
        objective=solver.objective_value / UNIT,
        bound=bound,
        unfilled=unfilled,
    )


def explain(problem: RosterProblem, *, time_limit_s: float = 30.0) -> list[Infeasible]:
    """Why no roster keeps every rule: the agents whose contract hours cannot be met alone
    (and on which days they could work at all), else the smallest set found whose hours
    cannot be met together with the shifts the schedule has."""
    from ortools.sat.python import cp_model

    out = []
    for agent in problem.agents:
        if agent.min_paid_min <= 0:
            continue
        model = _Model(problem, [agent], full=False)
        paid = sum(
            s.paid_min * model.x[agent.agent_id, s.key]
            for s in problem.slots
            if (agent.agent_id, s.key) in model.x
        )
        model.m.maximize(paid)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = 5
        solver.solve(model.m)
        most = round(solver.objective_value) if model.x else 0
        if most < agent.min_paid_min:
            days = tuple(sorted({s.day for s in candidates(problem, agent)}))
            fits = (
                f"their contract, availability and rest leave shifts on {len(days)} days only"
                if days
                else "no shift of the schedule fits their contract and availability"
            )
            out.append(
                Infeasible(
                    "contract hours",
                    (agent.agent_id,),
                    days,
                    f"{agent.agent_id}: the contract asks at least {agent.min_paid_min / 60:g} "
                    f"paid hours, at most {most / 60:g} can be rostered ({fits})",
                )
            )
    if out:
        return out
    week = DaysModel(problem, problem.agents)
    week.m.add_assumptions(list(week.hours_ok.values()))
    solver = _solver(time_limit_s / 2, 1)
    hours_ok = week.hours_ok
    if solver.solve(week.m) != cp_model.INFEASIBLE:
        # the days alone fit: the whole model says whose hours the shifts themselves cannot
        # meet (slower)
        whole = _Model(problem, problem.agents, full=False)
        whole.m.add_assumptions(list(whole.hours_ok.values()))
        solver = _solver(time_limit_s / 2, 1)
        if solver.solve(whole.m) != cp_model.INFEASIBLE:
            return []
        hours_ok = whole.hours_ok
    core = set(solver.sufficient_assumptions_for_infeasibility())
    who = tuple(sorted(a for a, ok in hours_ok.items() if ok.index in core))
    agents = {a.agent_id: a for a in problem.agents}
    days = tuple(sorted({s.day for a in who for s in candidates(problem, agents[a])}))
    hours = sum(agents[a].min_paid_min for a in who) / 60
    return [
        Infeasible(
            "contract hours",
            who,
            days,
            f"the schedule has too few shifts these agents may work for their contracts' "
            f"{hours:g} paid hours together: {', '.join(who)}",
        )
    ]
