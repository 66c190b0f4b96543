"""Shift scheduling against optima found by hand and by brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carecenter.errors import InputError
from carecenter.wfm.scheduling import solve
from carecenter.wfm.shifts import BreakRule, Contract, Problem, ShiftTemplate, coverage_of


def problem(req: list[list[int]], *templates: ShiftTemplate, **kw: object) -> Problem:
    return Problem(np.array(req, dtype=np.int64), 3600, tuple(templates), **kw)  # type: ignore[arg-type]


def test_a_flat_day_is_covered_by_back_to_back_shifts() -> None:
    # 8 hours needing 3 agents, 4-hour shifts at 10 an hour: 6 shifts, 240
    four = ShiftTemplate("4h", 4, tuple(range(5)), 10.0)
    s = solve(problem([[3] * 8], four))
    assert s.objective == pytest.approx(240.0)
    assert sorted((x.start, x.agents) for x in s.shifts) == [(0, 3), (4, 3)]
    assert s.under.sum() == 0 and s.over.sum() == 0
    assert s.lp_bound <= s.objective + 1e-6


def test_a_break_is_placed_where_the_requirement_dips() -> None:
    # one agent needed for 5 hours except hour 2; a 5-hour shift with a 1-hour unpaid break
    # that may start 1 to 3 hours in: the break goes to hour 2, the shift costs 4 paid hours
    five = ShiftTemplate("5h", 5, (0,), 10.0, (BreakRule("meal", 1, 1, 3),))
    s = solve(problem([[1, 1, 0, 1, 1]], five, under_penalty=100.0))
    assert s.objective == pytest.approx(40.0)
    assert s.shifts[0].breaks == ({2: 1},)
    assert s.coverage.tolist() == [[1, 1, 0, 1, 1]]


def test_uncovered_demand_costs_the_penalty_when_a_shift_costs_more() -> None:
    # one hour of need, shifts of 4 paid hours at 10: cheaper to leave it (penalty 30)
    four = ShiftTemplate("4h", 4, (0,), 10.0)
    s = solve(problem([[0, 1, 0, 0]], four, under_penalty=30.0))
    assert s.shifts == [] and s.objective == pytest.approx(30.0) and s.under.sum() == 1
    s = solve(problem([[0, 1, 0, 0]], four, under_penalty=50.0))
    assert len(s.shifts) == 1 and s.objective == pytest.approx(40.0)


def test_days_off_link_the_days_of_the_week() -> None:
    # 7 days each needing 2 agents for one hour; agents work 5 days with 2 consecutive off:
    # 14 agent-days need ceil(14 / 5) = 3 agents, i.e. 15 shifts of one paid hour at 10
    one = ShiftTemplate("1h", 1, (0,), 10.0, contract="ft")
    s = solve(problem([[2]] * 7, one, contracts=(Contract("ft", 5),)))
    assert sum(s.patterns["ft"].values()) == 3
    assert s.objective == pytest.approx(150.0)
    assert (s.coverage >= 2).all()
    for pattern, agents in s.patterns["ft"].items():
        off = [d for d in range(7) if not pattern[d]]
        assert len(off) == 2 and (off[1] - off[0]) % 7 in (1, 6), (pattern, agents)


def test_contract_patterns() -> None:
    assert len(Contract("c", 5).patterns()) == 7
    assert len(Contract("c", 5, consecutive_days_off=False).patterns()) == 21
    assert Contract("c", 7).patterns() == [(1,) * 7]


def test_limits_per_day() -> None:
    four = ShiftTemplate("4h", 4, (0,), 10.0, max_per_day=1)
    eight = ShiftTemplate("8h", 4, (0,), 12.0, min_per_day=1)
    s = solve(problem([[3] * 4], four, eight))
    counts = {x.template: x.agents for x in s.shifts}
    assert counts == {"4h": 1, "8h": 2}


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (ShiftTemplate("x", 4, (9,), 1.0), "outside the day"),
        (ShiftTemplate("x", 4, (0,), 1.0, (BreakRule("b", 2, 1, 3),)), "does not fit"),
        (
            ShiftTemplate("x", 6, (0,), 1.0, (BreakRule("a", 2, 1, 2), BreakRule("b", 1, 2, 3))),
            "overlap",
        ),
        (ShiftTemplate("x", 4, (0,), 1.0, contract="nope"), "no contract"),
    ],
)
def test_bad_templates_are_refused(template: ShiftTemplate, message: str) -> None:
    with pytest.raises(InputError, match=message):
        solve(problem([[1] * 8], template))


def brute_force(p: Problem, most: int) -> float:
    """The optimum by trying every count (0..most) of every explicit shift variant: a shift
    and one placement of each of its breaks."""
    per_day = p.requirement.shape[1]
    variants = []
    for t in p.templates:
        for start in t.starts:
            for offsets in itertools.product(*(range(b.earliest, b.latest + 1) for b in t.breaks)):
                cover = np.zeros(per_day + t.length, np.int64)
                cover[start : start + t.length] = 1
                for b, o in zip(t.breaks, offsets, strict=True):
                    cover[start + o : start + o + b.length] = 0
                cost = t.paid_intervals() * p.interval_s / 3600 * t.cost_per_hour
                variants.append((cover[:per_day], cost))
    best = math.inf
    for counts in itertools.product(range(most + 1), repeat=len(variants)):
        cover = sum((n * v[0] for n, v in zip(counts, variants, strict=True)), np.zeros(per_day))
        cost = sum(n * v[1] for n, v in zip(counts, variants, strict=True))
        short = np.maximum(p.requirement[0] - cover, 0).sum()
        over = np.maximum(cover - p.requirement[0], 0).sum()
        best = min(best, cost + p.under_penalty * short + p.over_penalty * over)
    return best


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(0, 2), min_size=6, max_size=6),
    st.sampled_from([5.0, 25.0]),
    st.sampled_from([0.0, 1.0]),
    st.integers(1, 2),
)
def test_the_optimum_of_small_instances_equals_brute_force(
    req: list[int], penalty: float, over: float, earliest: int
) -> None:
    three = ShiftTemplate("3h", 3, (0, 2, 3), 10.0)
    five = ShiftTemplate("5h", 5, (0, 1), 9.0, (BreakRule("meal", 1, earliest, 3),))
    p = problem([req], three, five, under_penalty=penalty, over_penalty=over)
    s = solve(p, gap=0.0)
    assert s.objective == pytest.approx(brute_force(p, 2), abs=1e-6)
    assert s.lp_bound <= s.objective + 1e-6
    cover = coverage_of(s.shifts, p)
    assert (np.maximum(p.requirement - cover, 0) == s.under).all()
    assert (np.maximum(cover - p.requirement, 0) == s.over).all()
    for shift in s.shifts:  # every agent on a shift has each of its breaks placed once
        assert all(sum(b.values()) == shift.agents for b in shift.breaks)
