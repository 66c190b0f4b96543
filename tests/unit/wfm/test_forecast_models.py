"""Forecast models on synthetic series with known daily and weekly seasonality."""

from __future__ import annotations

import numpy as np
import pytest

from carecenter.wfm.forecast import (
    DailyShape,
    DayMatrix,
    HarmonicRegression,
    NotEnoughHistoryError,
    SeasonalNaive,
    VolumeModel,
    WeekdayProfile,
    backtest,
    make_model,
    model_names,
    rolling_origins,
)
from carecenter.wfm.forecast.daily_shape import gaussian_smooth
from carecenter.wfm.forecast.harmonic import cosine_basis

WEEK = 5
SLOTS = 28
WEEKDAY = np.array([1.25, 1.05, 0.95, 0.9, 0.85])


def intraday_shape(slots: int = SLOTS) -> np.ndarray:
    t = (np.arange(slots) + 0.5) / slots
    shape = 0.4 + np.exp(-(((t - 0.3) / 0.15) ** 2)) + 0.7 * np.exp(-(((t - 0.7) / 0.2) ** 2))
    return np.asarray(shape / shape.sum(), dtype=np.float64)


def expected(days: int, daily: float = 3000.0, first_position: int = 0) -> np.ndarray:
    """Known mean: daily volume x weekday factor x intraday share."""
    pos = (first_position + np.arange(days)) % WEEK
    return np.asarray(daily * WEEKDAY[pos, None] * intraday_shape()[None, :], dtype=np.float64)


def test_registry_names_every_model() -> None:
    assert model_names() == (
        "seasonal-naive",
        "profile",
        "weekday-mean",
        "daily-shape",
        "harmonic",
    )
    assert all(make_model(n).name == n for n in model_names())
    with pytest.raises(KeyError, match="unknown model"):
        make_model("arima")


@pytest.mark.parametrize("model", [SeasonalNaive(), WeekdayProfile(), DailyShape()])
def test_models_reproduce_a_noise_free_seasonal_series(model: VolumeModel) -> None:
    mean = expected(40 + 7, first_position=2)
    history = DayMatrix(mean[:40], WEEK, first_position=2)
    forecast = model.predict(history, 7)
    np.testing.assert_allclose(forecast, mean[40:], rtol=1e-9)


def test_harmonic_regression_recovers_a_smooth_seasonal_mean() -> None:
    mean = expected(45)
    forecast = HarmonicRegression().predict(DayMatrix(mean[:40], WEEK), 5)
    assert np.max(np.abs(forecast / mean[40:] - 1)) < 0.01


def test_business_week_seasonal_naive_is_five_open_days_back() -> None:
    values = np.arange(12, dtype=float).reshape(12, 1)
    forecast = SeasonalNaive().predict(DayMatrix(values, WEEK), 6)
    assert forecast.ravel().tolist() == [7, 8, 9, 10, 11, 7]


def test_missing_days_are_skipped() -> None:
    values = np.arange(15, dtype=float).reshape(15, 1)
    values[10] = np.nan  # the day one week before day 15
    history = DayMatrix(values, WEEK)
    assert SeasonalNaive().predict(history, 1)[0, 0] == 5.0
    assert WeekdayProfile(weeks=2).predict(history, 1)[0, 0] == pytest.approx(2.5)
    assert history.same_position_days(15, 5) == [5, 0]


def test_a_weekday_without_history_falls_back_to_the_mean_day() -> None:
    values = np.array([[1.0, 3.0], [3.0, 5.0], [np.nan, np.nan]])
    history = DayMatrix(values, 3)
    for model in (SeasonalNaive(), WeekdayProfile()):
        np.testing.assert_allclose(model.predict(history, 3)[2], [2.0, 4.0])
    # daily-shape: the mean daily volume spread by the mean intraday share
    np.testing.assert_allclose(DailyShape().predict(history, 3)[2], [1.875, 4.125])


def test_no_usable_day_raises() -> None:
    history = DayMatrix(np.full((10, 3), np.nan), WEEK)
    for name in model_names():
        with pytest.raises(NotEnoughHistoryError):
            make_model(name).predict(history, 2)


def test_zero_volume_history_forecasts_zero() -> None:
    history = DayMatrix(np.zeros((20, 4)), WEEK)
    for name in model_names():
        assert not make_model(name).predict(history, 5).any()


def test_daily_shape_follows_a_level_shift_in_recent_weeks() -> None:
    mean = expected(40)
    mean[30:] *= 1.2
    forecast = DailyShape().predict(DayMatrix(mean, WEEK), 5)
    profile = WeekdayProfile().predict(DayMatrix(mean, WEEK), 5)
    truth = expected(45)[40:] * 1.2
    assert np.abs(forecast - truth).sum() < np.abs(profile - truth).sum()


def test_strong_models_beat_the_baselines_on_poisson_counts() -> None:
    rng = np.random.default_rng(20030303)
    counts = rng.poisson(expected(80, daily=2000.0)).astype(float)
    history = DayMatrix(counts, WEEK)
    origins = rolling_origins(history.days, WEEK, WEEK, 8, 20)
    scores = {n: backtest(history, make_model(n), WEEK, origins).wape for n in model_names()}
    baseline = min(scores["seasonal-naive"], scores["profile"])
    assert scores["daily-shape"] < baseline
    assert scores["harmonic"] < baseline


def test_gaussian_smooth_keeps_constants_and_reduces_noise() -> None:
    rng = np.random.default_rng(1)
    np.testing.assert_allclose(gaussian_smooth(np.full(30, 2.0), 3.0), 2.0)
    noisy = 1 + rng.normal(0, 0.1, 200)
    assert gaussian_smooth(noisy, 4.0).std() < noisy.std() / 2
    same = np.array([1.0, 5.0])
    assert gaussian_smooth(same, 0.0) is same


def test_cosine_basis_is_orthogonal_on_the_slots() -> None:
    basis = cosine_basis(24, 6)
    gram = basis.T @ basis
    np.testing.assert_allclose(gram, np.eye(6) * 12, atol=1e-9)


def test_invalid_settings_are_rejected() -> None:
    with pytest.raises(ValueError, match="weeks"):
        WeekdayProfile(weeks=0)
    with pytest.raises(ValueError, match="half-life"):
        DailyShape(half_life_days=0)
    with pytest.raises(ValueError, match="harmonic"):
        HarmonicRegression(weeks=0)
    with pytest.raises(ValueError, match="2-d"):
        DayMatrix(np.zeros(3), WEEK)


def test_daily_shape_forecasts_a_weekday_seen_only_long_ago() -> None:
    # issue 8: old and new history in one workspace; one weekday has data only 30 years back,
    # whose recency weights (halving every 8 days) underflowed to zero: ZeroDivisionError
    values = np.full((30 * 365, 2), np.nan)
    values[:14] = [[4.0, 6.0], [1.0, 1.0]] * 7  # old: both positions of a 2-day week
    values[-5::2] = [3.0, 5.0]  # new: only position 1 (the last row's) has data
    forecast = DailyShape().predict(DayMatrix(values, 2, first_position=0), 2)
    assert np.isfinite(forecast).all()
    assert forecast[0].sum() == pytest.approx(10.0)  # position 0: the old days' level
    assert forecast[1].sum() == pytest.approx(8.0)  # position 1: the recent level


def test_harmonic_backtest_skips_origins_without_recent_data() -> None:
    # issue 8: `--model harmonic` on a history with a long gap raised NotEnoughHistoryError
    values = np.full((200, 3), np.nan)
    values[:20] = 5.0
    values[-10:] = 7.0
    history = DayMatrix(values, WEEK)
    result = backtest(history, HarmonicRegression(), 5, rolling_origins(200, 5, WEEK, 12, 10))
    assert result.wape == pytest.approx(0.0, abs=1e-6)  # scored where it could forecast
    with pytest.raises(NotEnoughHistoryError, match="last 8 weeks"):
        HarmonicRegression().predict(history.head(100), 5)
