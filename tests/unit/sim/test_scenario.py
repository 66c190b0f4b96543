"""The scenario's parts: distributions keep their means, arrivals their rates and shapes."""

from __future__ import annotations

import random
import statistics

import pytest

from carecenter.errors import DomainError
from carecenter.sim.scenario import Arrivals, Distribution, Shape


@pytest.mark.parametrize(
    ("distribution", "mean"),
    [
        (Distribution(Shape.EXPONENTIAL, 240.0), 240.0),
        (Distribution(Shape.LOGNORMAL, 300.0, 150.0), 300.0),
        (Distribution(Shape.FIXED, 30.0), 30.0),
        (Distribution(Shape.EMPIRICAL, values=(10.0, 20.0, 60.0)), 30.0),
    ],
)
def test_a_distribution_draws_around_its_mean(distribution: Distribution, mean: float) -> None:
    draw = distribution.sampler(random.Random(4))
    sample = [draw() for _ in range(40_000)]
    assert distribution.mean_s == pytest.approx(mean)
    assert statistics.fmean(sample) == pytest.approx(mean, rel=0.02)


def test_a_lognormal_keeps_its_standard_deviation() -> None:
    draw = Distribution(Shape.LOGNORMAL, 300.0, 150.0).sampler(random.Random(5))
    assert statistics.stdev(draw() for _ in range(60_000)) == pytest.approx(150.0, rel=0.04)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Distribution(Shape.EXPONENTIAL),
        lambda: Distribution(Shape.LOGNORMAL, 100.0),
        lambda: Distribution(Shape.EMPIRICAL),
        lambda: Distribution(Shape.EMPIRICAL, values=(-1.0,)),
    ],
)
def test_an_incomplete_distribution_is_refused(make: object) -> None:
    with pytest.raises(DomainError):
        make()  # type: ignore[operator]


def test_arrivals_need_a_rate_per_interval_of_each_weekday() -> None:
    with pytest.raises(DomainError, match="48 rates"):
        Arrivals("q", ((1.0,),) * 7, 1800)
    with pytest.raises(DomainError, match="divide a day"):
        Arrivals("q", ((1.0,),) * 7, 7000)
    with pytest.raises(DomainError, match="add up to 1"):
        Arrivals.constant("q", 10.0, {"vip": 0.5})


def test_more_volume_scales_every_rate() -> None:
    base = Arrivals("q", ((1.0, 2.0),) * 7, 43200)
    assert base.scaled(1.2).per_hour[3] == pytest.approx((1.2, 2.4))
