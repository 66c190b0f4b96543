"""Prediction intervals: coverage on simulated data, Poisson fallback."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from tests.unit.wfm.simulated import WEEK, simulate

from carecenter.wfm.forecast import (
    DailyShape,
    DayMatrix,
    backtest,
    poisson_interval,
    residual_interval,
    rolling_origins,
)
from carecenter.wfm.forecast.intervals import coverage


def interval_coverage(seed: int, level: float) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    counts = simulate(rng, 70)
    history = DayMatrix(counts[:65], WEEK)
    model = DailyShape()
    origins = rolling_origins(history.days, WEEK, WEEK, 8, 20)
    result = backtest(history, model, WEEK, origins)
    mean = model.predict(history, WEEK)
    lo, hi = residual_interval(mean, result.residuals, level)
    p_lo, p_hi = poisson_interval(mean, level)
    actual = counts[65:]
    return coverage(actual, lo, hi), coverage(actual, p_lo, p_hi)


@pytest.mark.parametrize("level", [0.8, 0.95])
def test_residual_intervals_cover_close_to_their_level(level: float) -> None:
    results = [interval_coverage(seed, level) for seed in range(12)]
    empirical = float(np.mean([r[0] for r in results]))
    poisson = float(np.mean([r[1] for r in results]))
    assert abs(empirical - level) < 0.06
    # plain Poisson intervals ignore the uncertainty of the daily level
    assert poisson < empirical


def test_poisson_interval_is_the_central_poisson_range() -> None:
    lo, hi = poisson_interval(np.array([[100.0, 0.0]]), 0.8)
    assert lo[0, 0] == stats.poisson.ppf(0.1, 100)
    assert hi[0, 0] == stats.poisson.ppf(0.9, 100)
    assert lo[0, 1] == hi[0, 1] == 0.0


def test_too_few_residuals_fall_back_to_poisson() -> None:
    mean = np.full((2, 3), 50.0)
    lo, hi = residual_interval(mean, (np.zeros(5),), 0.9)
    expected = poisson_interval(mean, 0.9)
    np.testing.assert_array_equal(lo, expected[0])
    np.testing.assert_array_equal(hi, expected[1])


def test_later_horizons_reuse_the_last_backtested_one() -> None:
    rng = np.random.default_rng(3)
    residuals = (rng.normal(0, 1, 500), rng.normal(0, 3, 500))
    lo, hi = residual_interval(np.full((4, 2), 100.0), residuals, 0.8)
    widths = (hi - lo)[:, 0]
    assert widths[0] < widths[1] == widths[2] == widths[3]
    assert np.all(lo <= 100.0)
    assert np.all(hi >= 100.0)


def test_level_must_be_a_fraction() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        poisson_interval(np.ones(2), 80)
