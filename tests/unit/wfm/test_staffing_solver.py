"""The staffing solver finds the fewest agents meeting every target."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.wfm.test_erlang_reference import erlang_b_exact

from carecenter.wfm.erlang import erlang_b, erlang_c
from carecenter.wfm.erlang_a import erlang_a
from carecenter.wfm.measures import QueueMeasures
from carecenter.wfm.staffing import (
    StaffingTarget,
    halfin_whitt_beta,
    required_agents,
    scheduled_agents,
    square_root_staffing,
)

TARGETS = st.builds(
    StaffingTarget,
    service_level=st.one_of(st.none(), st.floats(min_value=0.0, max_value=0.99)),
    threshold=st.floats(min_value=0.0, max_value=120.0),
    max_asa=st.one_of(st.none(), st.floats(min_value=0.5, max_value=120.0)),
    max_abandon=st.one_of(st.none(), st.floats(min_value=0.001, max_value=0.3)),
    max_occupancy=st.one_of(st.none(), st.floats(min_value=0.5, max_value=1.0)),
)


def _measures(
    calls: float, aht: float, agents: int, patience: float, threshold: float
) -> QueueMeasures:
    return erlang_a(calls, aht, agents, patience, interval=1800.0, threshold=threshold)


def _meets(m: QueueMeasures, target: StaffingTarget) -> bool:
    checks = [
        (target.service_level, m.service_level, 1),
        (target.max_asa, m.asa_s, -1),
        (target.max_abandon, m.p_abandon, -1),
        (target.max_occupancy, m.occupancy, -1),
    ]
    ok = True
    for bound, value, sign in checks:
        if bound is not None:
            ok &= bool(float(value) >= bound) if sign > 0 else bool(float(value) <= bound)
    return ok


@settings(max_examples=150, deadline=None)
@given(
    calls=st.floats(min_value=0.5, max_value=5000.0),
    aht=st.floats(min_value=30.0, max_value=900.0),
    patience=st.one_of(st.just(math.inf), st.floats(min_value=5.0, max_value=3000.0)),
    target=TARGETS,
)
def test_required_agents_is_the_smallest_feasible(
    calls: float, aht: float, patience: float, target: StaffingTarget
) -> None:
    n = int(required_agents(calls, aht, target, interval=1800.0, patience=patience))
    assert n >= 1
    assert _meets(_measures(calls, aht, n, patience, target.threshold), target)
    traffic = calls * aht / 1800.0
    if n > 1 and not (math.isinf(patience) and n - 1 <= traffic):
        assert not _meets(_measures(calls, aht, n - 1, patience, target.threshold), target)


def test_vectorised_solve_equals_one_by_one() -> None:
    rng = np.random.default_rng(7)
    calls = rng.uniform(1, 3000, 200)
    aht = rng.uniform(60, 600, 200)
    patience = np.where(rng.random(200) < 0.5, np.inf, rng.uniform(20, 900, 200))
    target = StaffingTarget(0.8, 20, max_abandon=0.05, max_asa=30)
    together = required_agents(calls, aht, target, interval=900, patience=patience)
    alone = [
        int(required_agents(c, h, target, interval=900, patience=p))
        for c, h, p in zip(calls, aht, patience, strict=True)
    ]
    assert together.tolist() == alone


def test_erlang_c_staffing_for_the_worked_example() -> None:
    """360 calls / 30 min, AHT 240 s, 80% in 20 s: SL 0.7518 at 53 agents, 0.8172 at 54."""
    target = StaffingTarget(0.8, 20)
    assert int(required_agents(360, 240, target)) == 54
    assert float(erlang_c(360, 240, 53, threshold=20).service_level) < 0.8


def test_erlang_a_needs_no_more_agents_than_erlang_c() -> None:
    calls = np.array([50.0, 400.0, 4000.0])
    target = StaffingTarget(0.8, 20)
    c = required_agents(calls, 300, target)
    a = required_agents(calls, 300, target, patience=120.0)
    assert np.all(a <= c)


def test_erlang_b_staffing_matches_the_exact_blocking_table() -> None:
    """10 erlangs at 1% blocking need 18 trunks (classic Erlang B table)."""
    target = StaffingTarget(service_level=None, max_abandon=0.01)
    n = int(required_agents(10.0, 1.0, target, interval=1.0, patience=0.0))
    assert n == 18
    assert erlang_b_exact(18, Fraction(10)) <= Fraction(1, 100) < erlang_b_exact(17, Fraction(10))
    assert float(erlang_b(10.0, 1.0, 18, interval=1.0).p_abandon) <= 0.01


def test_occupancy_cap_alone() -> None:
    target = StaffingTarget(service_level=None, max_occupancy=0.85)
    n = int(required_agents(1000, 180, target, interval=1800))  # 100 erlangs
    assert n == math.ceil(100 / 0.85)


def test_zero_calls_need_zero_agents() -> None:
    got = required_agents(np.array([0.0, 10.0]), 180, StaffingTarget(0.8, 20))
    assert got.tolist()[0] == 0
    assert got.tolist()[1] >= 1


def test_shape_is_kept() -> None:
    calls = np.full((2, 3), 100.0)
    assert required_agents(calls, 180, StaffingTarget()).shape == (2, 3)


def test_one_hundred_thousand_erlangs_with_abandonment() -> None:
    """100,000 erlangs, patience 600 s: abandonment lets 96,882 agents reach 80/20."""
    n = int(required_agents(1e6, 180, StaffingTarget(0.8, 20), patience=600.0))
    assert n == 96_882
    assert float(erlang_a(1e6, 180, n, 600, threshold=20).service_level) >= 0.8
    assert float(erlang_a(1e6, 180, n - 1, 600, threshold=20).service_level) < 0.8


@pytest.mark.parametrize(
    ("agents", "shrinkage", "scheduled"),
    [(70, 0.3, 100), (71, 0.3, 102), (10, 0.0, 10), (0, 0.5, 0), (1, 0.99, 100)],
)
def test_scheduled_agents(agents: int, shrinkage: float, scheduled: int) -> None:
    assert int(scheduled_agents(agents, shrinkage)) == scheduled


def test_scheduled_agents_rejects_bad_shrinkage() -> None:
    with pytest.raises(ValueError, match="shrinkage"):
        scheduled_agents(10, 1.0)


def test_square_root_staffing_is_a_close_estimate() -> None:
    traffic = np.array([100.0, 1000.0, 5000.0, 50000.0])
    beta = halfin_whitt_beta(0.8, traffic, 180.0, 20.0)
    estimate = square_root_staffing(traffic, beta)
    exact = required_agents(traffic, 180.0, StaffingTarget(0.8, 20), interval=180.0)
    assert np.all(np.abs(estimate - exact) <= 2)
    assert square_root_staffing(100.0, 1.0) == 110


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"service_level": 1.0}, "service_level"),
        ({"service_level": -0.1}, "service_level"),
        ({"max_abandon": 0.0}, "max_abandon"),
        ({"max_occupancy": 1.5}, "max_occupancy"),
        ({"max_asa": 0.0}, "max_asa"),
        ({"threshold": -1.0}, "threshold"),
        ({"max_p_wait": 0.0}, "max_p_wait"),
    ],
)
def test_target_validation(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        StaffingTarget(**kwargs)


def test_bad_volumes_raise() -> None:
    with pytest.raises(ValueError, match="calls"):
        required_agents(-1.0, 180, StaffingTarget())
    with pytest.raises(ValueError, match="aht"):
        required_agents(10.0, 0.0, StaffingTarget())


@settings(max_examples=300, deadline=None)
@given(
    calls=st.floats(min_value=0.01, max_value=2e6),
    aht=st.floats(min_value=10.0, max_value=1200.0),
    target=TARGETS.filter(lambda t: t.max_abandon is None),
    max_p_wait=st.one_of(st.none(), st.floats(min_value=0.01, max_value=1.0)),
)
def test_scalar_fast_path_agrees_with_the_vector_path(
    calls: float, aht: float, target: StaffingTarget, max_p_wait: float | None
) -> None:
    target = StaffingTarget(
        service_level=target.service_level,
        threshold=target.threshold,
        max_asa=target.max_asa,
        max_occupancy=target.max_occupancy,
        max_p_wait=max_p_wait,
    )
    scalar = required_agents(calls, aht, target)
    vector = required_agents(np.array([calls]), aht, target)
    assert scalar.shape == ()
    assert int(scalar) == int(vector[0])
