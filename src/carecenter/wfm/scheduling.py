"""Shift scheduling: the shifts, with their breaks, that cover a staffing requirement at the
least cost. Pure numpy/scipy; the requirement and the answer are arrays.

The model is a set-covering mixed-integer program solved with HiGHS (``scipy.optimize.milp``),
with the breaks implicit in Aykin's (1996) way: a shift is a template and a start, and each
of its breaks has its own placement variables — how many of the agents on the shift take the
break at each offset its window allows — tied to the shift by ``sum(placements) = agents``.
The explicit model would make one column per shift *and* combination of break placements
(the product of the windows' sizes); the implicit one adds the windows' sizes, which keeps a
week of 15-minute intervals with thousands of shift variants a day small enough to solve to
a fraction of a percent of the LP bound in seconds.

Coverage in interval ``t``: the agents on a shift that spans ``t`` less those on a break at
``t``. Under-coverage costs ``under_penalty`` per agent-interval, over-coverage
``over_penalty``; a shift costs its paid hours times its template's cost per hour.

Days-off rules link the days of the week (a discontinuous tour model): the agents of a
contract work ``days_per_week`` days out of 7, their days off consecutive when the contract
says so. A days-off pattern variable counts the agents who work that pattern; on each day the
shifts of the contract's templates add up to the agents whose pattern works it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from carecenter.errors import InputError
from carecenter.wfm.shifts import Problem, Schedule, ShiftCount, coverage_of


@dataclass
class _Columns:
    """The model's variables, in blocks: shifts, break placements, under, over, patterns."""

    shifts: list[tuple[int, int, int]] = field(default_factory=list)
    """(day, template index, start)."""
    placements: list[tuple[int, int, int]] = field(default_factory=list)
    """(shift column, break index, offset)."""
    patterns: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    """(contract index, pattern)."""


def _validate(problem: Problem) -> None:
    days, per_day = problem.requirement.shape
    if days < 1 or per_day < 1:
        raise InputError("the requirement is empty", field="requirement")
    if (problem.requirement < 0).any():
        raise InputError("the requirement has a negative number of agents", field="requirement")
    contracts = {c.name for c in problem.contracts}
    for template in problem.templates:
        if template.length < 1:
            raise InputError(f"shift {template.name!r}: its length is not positive", field="length")
        if not template.starts or any(not 0 <= s < per_day for s in template.starts):
            raise InputError(f"shift {template.name!r}: a start is outside the day", field="starts")
        if template.contract is not None and template.contract not in contracts:
            raise InputError(
                f"shift {template.name!r}: no contract {template.contract!r}", field="contract"
            )
        spans = []
        for rule in template.breaks:
            if not 0 <= rule.earliest <= rule.latest or rule.latest + rule.length > template.length:
                raise InputError(
                    f"shift {template.name!r}: break {rule.name!r} does not fit in the shift",
                    field="breaks",
                )
            spans.append((rule.earliest, rule.latest + rule.length))
        spans.sort()
        for (_, end), (begin, _) in itertools.pairwise(spans):
            if begin < end:
                raise InputError(
                    f"shift {template.name!r}: break windows overlap (give each break its own "
                    "part of the shift)",
                    field="breaks",
                )
    for contract in problem.contracts:
        if not 1 <= contract.days_per_week <= 7:
            raise InputError(
                f"contract {contract.name!r}: days_per_week is not 1 to 7", field="days"
            )


def solve(problem: Problem, *, time_limit_s: float = 60.0, gap: float = 0.001) -> Schedule:
    """The least-cost shifts for ``problem``, to within ``gap`` of the optimum (relative) or
    the best found in ``time_limit_s`` seconds."""
    _validate(problem)
    started = time.perf_counter()
    days, per_day = problem.requirement.shape
    horizon = days * per_day
    hours = problem.interval_s / 3600
    cols = _Columns()
    for day in range(days):
        for ti, template in enumerate(problem.templates):
            for start in template.starts:
                cols.shifts.append((day, ti, start))
    for si, (_, ti, _) in enumerate(cols.shifts):
        for k, rule in enumerate(problem.templates[ti].breaks):
            for offset in range(rule.earliest, rule.latest + 1):
                cols.placements.append((si, k, offset))
    for ci, contract in enumerate(problem.contracts):
        for pattern in contract.patterns():
            cols.patterns.append((ci, pattern))
    n_shift, n_place, n_pat = len(cols.shifts), len(cols.placements), len(cols.patterns)
    under0 = n_shift + n_place
    over0 = under0 + horizon
    pat0 = over0 + horizon
    n = pat0 + n_pat

    cost = np.zeros(n)
    for si, (_, ti, _) in enumerate(cols.shifts):
        template = problem.templates[ti]
        cost[si] = template.paid_intervals() * hours * template.cost_per_hour
    cost[under0:over0] = problem.under_penalty
    cost[over0:pat0] = problem.over_penalty

    rows: list[NDArray[np.int64]] = []
    colidx: list[NDArray[np.int64]] = []
    vals: list[NDArray[np.float64]] = []
    lower: list[float] = []
    upper: list[float] = []
    n_rows = 0

    def add(
        r: Sequence[int] | NDArray[Any],
        c: Sequence[int] | NDArray[Any],
        v: Sequence[float] | NDArray[Any],
    ) -> None:
        rows.append(np.asarray(r, dtype=np.int64))
        colidx.append(np.asarray(c, dtype=np.int64))
        vals.append(np.asarray(v, dtype=np.float64))

    # coverage: shifts - breaks + under - over = requirement, one row per interval
    req = problem.requirement.reshape(-1).astype(float)
    for si, (day, ti, start) in enumerate(cols.shifts):
        first = day * per_day + start
        span = np.arange(first, min(first + problem.templates[ti].length, horizon))
        add(span, [si] * len(span), [1.0] * len(span))
    for pi, (si, k, offset) in enumerate(cols.placements):
        day, ti, start = cols.shifts[si]
        first = day * per_day + start + offset
        rule = problem.templates[ti].breaks[k]
        span = np.arange(first, min(first + rule.length, horizon))
        add(span, [n_shift + pi] * len(span), [-1.0] * len(span))
    t = np.arange(horizon)
    add(t, under0 + t, np.ones(horizon))
    add(t, over0 + t, -np.ones(horizon))
    lower.extend(req)
    upper.extend(req)
    n_rows = horizon

    # each break of a shift is placed once for each of its agents
    first_place: dict[tuple[int, int], list[int]] = {}
    for pi, (si, k, _) in enumerate(cols.placements):
        first_place.setdefault((si, k), []).append(n_shift + pi)
    for (si, _), places in first_place.items():
        add([n_rows] * (len(places) + 1), [si, *places], [-1.0] + [1.0] * len(places))
        lower.append(0.0)
        upper.append(0.0)
        n_rows += 1

    # templates' limits per day
    for ti, template in enumerate(problem.templates):
        if template.min_per_day == 0 and template.max_per_day is None:
            continue
        for day in range(days):
            members = [si for si, (d, i, _) in enumerate(cols.shifts) if d == day and i == ti]
            add([n_rows] * len(members), members, [1.0] * len(members))
            lower.append(float(template.min_per_day))
            upper.append(np.inf if template.max_per_day is None else float(template.max_per_day))
            n_rows += 1

    # contracts: on each day, the contract's shifts = the agents whose pattern works it
    for ci, contract in enumerate(problem.contracts):
        for day in range(days):
            weekday = (problem.first_weekday + day) % 7
            members = [
                si
                for si, (d, ti, _) in enumerate(cols.shifts)
                if d == day and problem.templates[ti].contract == contract.name
            ]
            working = [
                pat0 + pi
                for pi, (c, pattern) in enumerate(cols.patterns)
                if c == ci and pattern[weekday]
            ]
            add(
                [n_rows] * (len(members) + len(working)),
                [*members, *working],
                [1.0] * len(members) + [-1.0] * len(working),
            )
            lower.append(0.0)
            upper.append(0.0)
            n_rows += 1

    matrix = sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(colidx))), shape=(n_rows, n)
    )
    constraints = LinearConstraint(matrix, np.array(lower), np.array(upper))
    integrality = np.ones(n)
    integrality[under0:pat0] = 0  # the slacks follow from the integer shifts
    bounds = Bounds(np.zeros(n), np.full(n, np.inf))

    def run(integers: NDArray[np.float64], box: Bounds, rel_gap: float | None = None) -> Any:
        options = {} if rel_gap is None else {"mip_rel_gap": rel_gap}
        options["time_limit"] = _left(started, time_limit_s)
        return milp(
            cost, constraints=constraints, bounds=box, integrality=integers, options=options
        )

    relaxed = run(np.zeros(n), bounds)
    if relaxed.status != 0 or relaxed.fun is None:
        raise InputError(f"the schedule cannot be solved: {relaxed.message}", field="requirement")
    # In two steps. First the shifts and days-off patterns, integer, with the breaks'
    # placements continuous: a much smaller integer program (its gap is taken a little
    # tighter than asked, as HiGHS measures it against its own bound, which is above the LP
    # bound). Then, with the shifts fixed, the placements as integers: a small program that
    # HiGHS solves at once, and whose answer rarely costs more.
    shifts_only = integrality.copy()
    shifts_only[n_shift:under0] = 0
    first = run(shifts_only, bounds, 0.9 * gap)
    if first.x is None:
        raise InputError(f"no schedule found in {time_limit_s:g} s: {first.message}", field="time")
    chosen = shifts_only > 0
    low, high = np.zeros(n), np.full(n, np.inf)
    low[chosen] = high[chosen] = np.rint(first.x)[chosen]
    result = run(integrality, Bounds(low, high), gap / 2)
    lp_bound = float(relaxed.fun)
    bound = max(lp_bound, _dual_bound(first))  # placements relaxed: still a lower bound
    if result.x is None or float(result.fun) - bound > gap * float(result.fun):
        # the breaks' placements cost something after all: the whole model, for the time left
        whole = run(integrality, bounds, gap)
        bound = max(bound, _dual_bound(whole))
        if whole.x is not None and (result.x is None or float(whole.fun) < float(result.fun)):
            result = whole
    if result.x is None:
        raise InputError(f"no schedule found in {time_limit_s:g} s: {result.message}", field="time")
    x = np.rint(result.x).astype(np.int64)
    objective = float(cost @ x)  # the rounded answer's own cost, not the solver's float
    shifts: list[ShiftCount] = []
    placed: dict[int, list[dict[int, int]]] = {}
    for pi, (si, k, offset) in enumerate(cols.placements):
        agents = int(x[n_shift + pi])
        if agents:
            breaks = placed.setdefault(
                si, [{} for _ in problem.templates[cols.shifts[si][1]].breaks]
            )
            breaks[k][offset] = agents
    for si, (day, ti, start) in enumerate(cols.shifts):
        if x[si] > 0:
            template = problem.templates[ti]
            shifts.append(
                ShiftCount(
                    day=day,
                    template=template.name,
                    start=start,
                    length=template.length,
                    agents=int(x[si]),
                    breaks=tuple(placed.get(si, [{} for _ in template.breaks])),
                    cost=float(cost[si] * x[si]),
                )
            )
    coverage = coverage_of(shifts, problem)
    under = np.maximum(problem.requirement.reshape(-1) - coverage.reshape(-1), 0)
    over = np.maximum(coverage.reshape(-1) - problem.requirement.reshape(-1), 0)
    patterns: dict[str, dict[tuple[int, ...], int]] = {}
    for pi, (ci, pattern) in enumerate(cols.patterns):
        if x[pat0 + pi]:
            patterns.setdefault(problem.contracts[ci].name, {})[pattern] = int(x[pat0 + pi])
    return Schedule(
        shifts=shifts,
        coverage=coverage,
        under=under.reshape(days, per_day),
        over=over.reshape(days, per_day),
        objective=objective,
        lp_bound=lp_bound,
        bound=bound,
        gap=(objective - bound) / objective if objective > 0 else 0.0,
        lp_gap=(objective - lp_bound) / objective if objective > 0 else 0.0,
        seconds=time.perf_counter() - started,
        status=str(result.message),
        patterns=patterns,
        variables=n,
    )


def _dual_bound(result: Any) -> float:
    """The lower bound a HiGHS run proved (-inf when none)."""
    value = getattr(result, "mip_dual_bound", None)
    return float(value) if value is not None and np.isfinite(value) else -np.inf


def _left(started: float, limit: float) -> float:
    return max(1.0, limit - (time.perf_counter() - started))
