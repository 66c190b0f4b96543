"""Properties of the queueing formulas (hypothesis), limits, stability and broadcasting."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carecenter.wfm.erlang import erlang_b, erlang_c, erlang_c_probability
from carecenter.wfm.erlang_a import erlang_a
from carecenter.wfm.measures import MEASURE_NAMES

AGENTS = st.integers(min_value=1, max_value=3000)
RHO = st.floats(min_value=0.01, max_value=3.0)
PATIENCE_RATIO = st.floats(min_value=0.01, max_value=100.0)  # patience / AHT
THRESHOLD = st.floats(min_value=0.0, max_value=5.0)  # in AHTs
SETTINGS = settings(max_examples=200, deadline=None)


def _a(n: int, rho: float, ratio: float, threshold: float = 0.2) -> dict[str, float]:
    """Erlang A with AHT = 1 and interval = 1, so calls = λ and patience = 1/θ."""
    return erlang_a(rho * n, 1.0, n, ratio, interval=1.0, threshold=threshold).row()


@SETTINGS
@given(n=AGENTS, rho=st.floats(min_value=0.01, max_value=0.97), threshold=THRESHOLD)
def test_vanishing_abandonment_gives_erlang_c(n: int, rho: float, threshold: float) -> None:
    got = _a(n, rho, 1e12, threshold)
    want = erlang_c(rho * n, 1.0, n, interval=1.0, threshold=threshold).row()
    for name in ("p_wait", "service_level", "asa_s", "occupancy", "queue_length"):
        assert got[name] == pytest.approx(want[name], rel=1e-6, abs=1e-300)
    assert got["p_abandon"] < 1e-9


@SETTINGS
@given(n=AGENTS, rho=RHO, threshold=THRESHOLD)
def test_instant_abandonment_gives_erlang_b(n: int, rho: float, threshold: float) -> None:
    got = _a(n, rho, 1e-12, threshold)
    want = erlang_b(rho * n, 1.0, n, interval=1.0, threshold=threshold).row()
    for name in ("p_wait", "p_abandon", "service_level", "occupancy"):
        assert got[name] == pytest.approx(want[name], rel=1e-6, abs=1e-300)
    assert got["asa_s"] < 1e-9
    assert got["mean_wait_s"] < 1e-9


@SETTINGS
@given(n=AGENTS, rho=RHO, ratio=PATIENCE_RATIO)
def test_abandonment_is_theta_times_mean_wait(n: int, rho: float, ratio: float) -> None:
    """λ P(ab) = θ E[queue] and E[queue] = λ E[wait] (Little), so P(ab) = θ E[wait]."""
    m = _a(n, rho, ratio)
    assert m["p_abandon"] == pytest.approx(m["mean_wait_s"] / ratio, rel=1e-12, abs=1e-300)
    assert m["queue_length"] == pytest.approx(rho * n * m["mean_wait_s"], rel=1e-12, abs=1e-300)


@SETTINGS
@given(n=AGENTS, rho=RHO, ratio=PATIENCE_RATIO, t1=THRESHOLD, t2=THRESHOLD)
def test_service_level_grows_with_the_threshold(
    n: int, rho: float, ratio: float, t1: float, t2: float
) -> None:
    lo, hi = sorted((t1, t2))
    thresholds = np.array([lo, hi])
    m = erlang_a(rho * n, 1.0, n, ratio, interval=1.0, threshold=thresholds)
    assert m.service_level[0] <= m.service_level[1] + 1e-12
    assert m.service_level_answered[0] <= m.service_level_answered[1] + 1e-12
    c = erlang_c(rho * n, 1.0, n, interval=1.0, threshold=thresholds)
    assert c.service_level[0] <= c.service_level[1] + 1e-12


@SETTINGS
@given(n=AGENTS, rho=RHO, ratio=PATIENCE_RATIO, threshold=THRESHOLD)
def test_service_level_grows_with_agents(
    n: int, rho: float, ratio: float, threshold: float
) -> None:
    agents = np.array([n, n + 1, n + 5])
    m = erlang_a(rho * n, 1.0, agents, ratio, interval=1.0, threshold=threshold)
    assert np.all(np.diff(m.service_level) >= -1e-12)
    assert np.all(np.diff(m.p_abandon) <= 1e-10)
    assert np.all(np.diff(m.occupancy) <= 1e-10)
    c = erlang_c(rho * n, 1.0, agents, interval=1.0, threshold=threshold)
    assert np.all(np.diff(c.service_level) >= -1e-12)


@SETTINGS
@given(n=AGENTS, rho=RHO, ratio=PATIENCE_RATIO, threshold=THRESHOLD)
def test_measures_are_consistent_probabilities(
    n: int, rho: float, ratio: float, threshold: float
) -> None:
    m = _a(n, rho, ratio, threshold)
    for name in ("p_wait", "p_abandon", "service_level", "service_level_answered", "occupancy"):
        assert 0.0 <= m[name] <= 1.0 + 1e-12, name
    assert m["p_abandon"] <= m["p_wait"] * (1 + 1e-12)
    assert m["service_level"] >= 1 - m["p_wait"] - 1e-12
    assert m["service_level"] <= 1 - m["p_abandon"] + 1e-12
    assert m["asa_s"] >= 0.0


STABILITY_GRID = [
    (rho, ratio)
    for rho in (0.3, 0.9, 0.99, 0.999, 1.0, 1.001, 1.05, 2.0, 50.0)
    for ratio in (1e-6, 0.1, 1.0, 3.0, 30.0, 1e6)
]


@pytest.mark.parametrize(("rho", "ratio"), STABILITY_GRID)
def test_stable_at_one_hundred_thousand_agents(rho: float, ratio: float) -> None:
    """No nan, no inf, no warning (warnings are errors), probabilities in range."""
    n = 100_000
    aht = 180.0
    calls = rho * n * 1800 / aht
    a = erlang_a(calls, aht, n, ratio * aht, threshold=20).row()
    assert all(math.isfinite(v) for v in a.values()), a
    assert 0 <= a["p_abandon"] <= a["p_wait"] <= 1
    c = erlang_c(calls, aht, n, threshold=20).row()
    b = erlang_b(calls, aht, n, threshold=20).row()
    assert all(not math.isnan(v) for v in (*c.values(), *b.values()))
    assert 0 <= b["p_wait"] <= 1


def test_delay_probability_near_critical_load_at_scale() -> None:
    """At 100,000 agents the Halfin-Whitt regime: P(wait) is neither 0 nor 1."""
    n = 100_000
    p = erlang_c_probability(n, n - 2.0 * math.sqrt(n))
    assert 0.01 < float(p) < 0.1


def test_arrays_broadcast_like_scalar_calls() -> None:
    calls = np.array([[100.0], [400.0], [900.0]])
    agents = np.array([[40, 60, 80, 120]])
    patience = 240.0
    m = erlang_a(calls, 300.0, agents, patience, interval=1800.0, threshold=20.0)
    assert m.p_wait.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            one = erlang_a(calls[i, 0], 300.0, agents[0, j], patience, threshold=20.0).row()
            assert m.row((i, j)) == pytest.approx(one, rel=1e-15, nan_ok=True)


def test_scalar_inputs_give_zero_dimensional_arrays() -> None:
    m = erlang_c(100, 180, 12)
    assert m.p_wait.shape == ()
    assert set(m.as_dict()) == set(MEASURE_NAMES)


def test_special_cases() -> None:
    zero = erlang_a(0.0, 180, 5, 60).row()
    assert zero["p_wait"] == 0.0
    assert zero["service_level"] == 1.0
    assert zero["asa_s"] == 0.0
    nobody = erlang_a(10.0, 180, 0, 60).row()
    assert nobody["p_abandon"] == 1.0
    assert nobody["mean_wait_s"] == 60.0
    assert math.isnan(nobody["asa_s"])
    unstable = erlang_c(100.0, 180, 10).row()
    assert unstable["p_wait"] == 1.0
    assert unstable["service_level"] == 0.0
    assert math.isinf(unstable["asa_s"])
    infinite_patience = erlang_a(100.0, 180, 12, math.inf).row()
    assert infinite_patience == erlang_c(100.0, 180, 12).row()
    no_patience = erlang_a(100.0, 180, 12, 0.0).row()
    assert no_patience == erlang_b(100.0, 180, 12).row()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"calls": -1.0}, "calls"),
        ({"aht": 0.0}, "aht"),
        ({"agents": -2}, "agents"),
        ({"patience": -5.0}, "patience"),
        ({"calls": math.nan}, "calls"),
        ({"threshold": -1.0}, "threshold"),
    ],
)
def test_bad_inputs_raise_value_error(kwargs: dict[str, float], message: str) -> None:
    args = {"calls": 100.0, "aht": 180.0, "agents": 12, "patience": 60.0, "threshold": 20.0}
    args.update(kwargs)
    threshold = args.pop("threshold")
    with pytest.raises(ValueError, match=message):
        erlang_a(**args, threshold=threshold)
