"""Backtest metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from carecenter.wfm.forecast import (
    BacktestResult,
    DayMatrix,
    SeasonalNaive,
    WeekdayProfile,
    backtest,
    best_model,
    mase,
    rolling_origins,
    wape,
)
from carecenter.wfm.forecast.backtest import seasonal_naive_scale

# week of two open days, one slot per day
VALUES = np.array([[10.0], [20.0], [12.0], [18.0], [14.0], [22.0]])


def test_wape_by_hand() -> None:
    assert wape(np.array([10.0, 20.0]), np.array([12.0, 15.0])) == pytest.approx(7 / 30)
    assert math.isnan(wape(np.zeros(2), np.ones(2)))


def test_mase_by_hand() -> None:
    train = DayMatrix(np.array([[1.0], [2.0], [3.0], [5.0]]), week_length=2)
    assert seasonal_naive_scale(train) == pytest.approx(2.5)  # |3-1|, |5-2|
    assert mase(np.array([[4.0]]), np.array([[6.0]]), train) == pytest.approx(2 / 2.5)
    assert math.isnan(mase(np.array([[4.0]]), np.array([[6.0]]), train.head(2)))


def test_rolling_origins_step_back_one_week_from_the_end() -> None:
    assert rolling_origins(30, 5, 5, 3, 10) == [15, 20, 25]
    assert rolling_origins(30, 5, 5, 10, 10) == [10, 15, 20, 25]
    assert rolling_origins(8, 5, 5, 3, 10) == []


def test_backtest_of_seasonal_naive_by_hand() -> None:
    history = DayMatrix(VALUES, week_length=2)
    origins = rolling_origins(6, 2, 2, 2, 2)
    assert origins == [2, 4]
    result = backtest(history, SeasonalNaive(), 2, origins)
    # origin 2: forecast 10, 20 for 12, 18; origin 4: forecast 12, 18 for 14, 22
    assert result.wape == pytest.approx((2 + 2 + 2 + 4) / (12 + 18 + 14 + 22))
    assert result.wape_by_horizon == pytest.approx(((2 + 2) / (12 + 14), (2 + 4) / (18 + 22)))
    # origin 2 has no in-sample week to scale by; origin 4: MAE 3 / scale 2
    assert result.mase == pytest.approx(1.5)
    np.testing.assert_allclose(
        result.residuals[0], [math.sqrt(12) - math.sqrt(10), math.sqrt(14) - math.sqrt(12)]
    )


def test_backtest_of_the_profile_by_hand() -> None:
    result = backtest(DayMatrix(VALUES, 2), WeekdayProfile(weeks=2), 2, [2, 4])
    # origin 4 forecasts (10+12)/2 = 11 and (20+18)/2 = 19 for 14 and 22
    assert result.wape == pytest.approx((2 + 2 + 3 + 3) / 66)


def test_excluded_days_are_not_scored() -> None:
    values = VALUES.copy()
    values[5] = np.nan
    result = backtest(DayMatrix(values, 2), SeasonalNaive(), 2, [2, 4])
    assert result.wape == pytest.approx((2 + 2 + 2) / (12 + 18 + 14))
    assert result.residuals[1].size == 1


def test_origin_without_room_is_an_error() -> None:
    with pytest.raises(ValueError, match="no room"):
        backtest(DayMatrix(VALUES, 2), SeasonalNaive(), 2, [5])


def test_best_model_has_the_lowest_wape() -> None:
    def result(name: str, score: float) -> BacktestResult:
        return BacktestResult(name, (1,), score, 1.0, (score,), ())

    chosen = best_model([result("a", 0.2), result("b", math.nan), result("c", 0.1)])
    assert chosen.model == "c"
    with pytest.raises(ValueError, match="no backtest"):
        best_model([])


@given(
    actual=arrays(np.float64, 12, elements=st.floats(0, 1e4)),
    forecast=arrays(np.float64, 12, elements=st.floats(0, 1e4)),
    scale=st.floats(0.01, 100),
)
def test_wape_is_scale_free_and_zero_only_for_a_perfect_forecast(
    actual: np.ndarray, forecast: np.ndarray, scale: float
) -> None:
    if actual.sum() <= 1e-6:
        return
    assert wape(actual * scale, forecast * scale) == pytest.approx(wape(actual, forecast))
    assert wape(actual, actual) == 0.0
    assert wape(actual, forecast) >= 0.0
