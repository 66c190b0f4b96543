"""The delay predictors against closed forms and published values."""

from __future__ import annotations

import math

import pytest

from carecenter.domain.routing_policy import Predictor
from carecenter.engine.expected_wait import LineView, digamma, estimate, queue_length_wait

EULER_GAMMA = 0.5772156649015329


@pytest.mark.parametrize(
    ("x", "psi"),
    [
        (1.0, -EULER_GAMMA),
        (0.5, -EULER_GAMMA - 2 * math.log(2)),  # Abramowitz and Stegun 6.3.3
        (2.0, 1 - EULER_GAMMA),
        (10.0, 2.251752589066721),
        (123.25, math.log(123.25) - 1 / (2 * 123.25) - 1 / (12 * 123.25**2)),
    ],
)
def test_digamma_matches_known_values(x: float, psi: float) -> None:
    assert digamma(x) == pytest.approx(psi, abs=1e-10)


def test_without_abandonment_the_queue_length_predictor_is_erlang_cs_conditional_wait() -> None:
    # M/M/s with every agent busy: the contact with n ahead waits (n + 1) / (s mu)
    for ahead in (0, 1, 7, 40, 500):
        assert queue_length_wait(ahead, 12, 1 / 240, 0.0) == pytest.approx((ahead + 1) * 20.0)


@pytest.mark.parametrize("ahead", [0, 3, 15, 16, 17, 80, 900])
def test_with_abandonment_it_sums_the_departure_rates_ahead(ahead: int) -> None:
    # Whitt (1999): sum over j = 0..n of 1 / (s mu + j theta)
    s, mu, theta = 7, 1 / 300, 1 / 180
    exact = sum(1 / (s * mu + j * theta) for j in range(ahead + 1))
    assert queue_length_wait(ahead, s, mu, theta) == pytest.approx(exact, rel=1e-9)


def test_nobody_serving_gives_no_estimate() -> None:
    assert queue_length_wait(3, 0, 1 / 300, 0.01) is None


def view(**changes: float | int | None) -> LineView:
    base: dict[str, float | int | None] = {
        "position": 4,
        "line": 9,
        "free_agents": 0,
        "servers": 2,
        "mean_handle_s": 300.0,
        "abandon_rate": 0.0,
        "last_wait_s": 95.0,
        "head_wait_s": 120.0,
        "waited_s": 10.0,
    }
    base.update(changes)
    return LineView(**base)  # type: ignore[arg-type]


def test_each_predictor() -> None:
    assert estimate(Predictor.QUEUE_LENGTH, view()) == pytest.approx(4 * 150.0)
    # the last contact answered waited 95 s; this one has waited 10 s
    assert estimate(Predictor.LAST_TO_ENTER_SERVICE, view()) == pytest.approx(85.0)
    # the head waited 120 s while 8 others arrived: position 4 waits 4 * 120 / 8
    assert estimate(Predictor.HEAD_OF_LINE, view()) == pytest.approx(60.0)
    # free agents enough for this position: no wait
    assert estimate(Predictor.HEAD_OF_LINE, view(free_agents=4)) == 0.0


def test_predictors_fall_back_to_the_queue_length_one_without_history() -> None:
    ql = estimate(Predictor.QUEUE_LENGTH, view())
    assert estimate(Predictor.LAST_TO_ENTER_SERVICE, view(last_wait_s=None)) == ql
    assert estimate(Predictor.HEAD_OF_LINE, view(line=1, position=1)) == pytest.approx(150.0)
