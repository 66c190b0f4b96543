"""Issue 8: calibrated intervals, the bounded harmonic model, stale queues, short histories."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from tests.unit.wfm.simulated import SLOTS, WEEK, simulate

from carecenter.services.forecasting import ForecastOptions, forecast_from_csv
from carecenter.wfm.forecast import (
    DailyShape,
    DayMatrix,
    HarmonicRegression,
    backtest,
    calibrated_interval,
    rolling_origins,
)


def test_backtest_coverage_of_calibrated_intervals_is_close_to_nominal() -> None:
    history = DayMatrix(
        np.vstack([simulate(np.random.default_rng(seed), 90) for seed in range(1)]), WEEK
    )
    origins = rolling_origins(history.days, WEEK, WEEK, 9, 20)
    result = backtest(history, DailyShape(), WEEK, origins)
    assert set(result.coverage) == {0.5, 0.8, 0.95}
    for level, share in result.coverage.items():
        assert abs(share - level) <= 0.05, (level, share)
    assert result.calibration.size == 8 * WEEK * SLOTS  # the last 8 one-week forecasts


def test_calibrated_interval_adds_residual_quantiles_on_the_root_scale() -> None:
    residuals = np.linspace(-2.0, 2.0, 401)
    lo, hi = calibrated_interval(np.array([[100.0, 0.0]]), residuals, 0.8)
    assert lo[0, 0] == pytest.approx((10 - 1.6) ** 2)
    assert hi[0, 0] == pytest.approx((10 + 1.6) ** 2)
    assert lo[0, 1] == 0.0 and hi[0, 1] == pytest.approx(1.6**2)


def test_calibrated_interval_falls_back_to_poisson_with_few_residuals() -> None:
    lo, hi = calibrated_interval(np.full((1, 2), 50.0), np.zeros(3), 0.8)
    assert (lo < 50).all() and (hi > 50).all()


def test_harmonic_is_bounded_by_the_window() -> None:
    # a weekday that is zero but for one spike: the interactions would extrapolate wildly
    values = np.full((40, SLOTS), 20.0)
    values[4::WEEK] = 0.0
    values[-1, 3] = 5000.0
    history = DayMatrix(values, WEEK)
    forecast = HarmonicRegression().predict(history, WEEK)
    assert np.isfinite(forecast).all()
    assert (forecast <= 2.0 * values[-40:].max(axis=0)).all()


def test_daily_shape_keeps_the_plain_mean_when_weekdays_are_stable() -> None:
    values = np.tile(np.array([3.0, 2.0, 2.0, 2.0, 1.0])[:, None] * np.ones(4), (12, 1))
    forecast = DailyShape().predict(DayMatrix(values, WEEK), WEEK)
    np.testing.assert_allclose(forecast, values[:WEEK], rtol=1e-12)


def write_history(path: Path, queues: dict[str, list[date]]) -> Path:
    lines = ["interval_start,calls,queue"]
    for queue, days in queues.items():
        for day in days:
            for hour in (9, 10, 11):
                lines.append(f"{datetime(day.year, day.month, day.day, hour)},{hour},{queue}")
    path.write_text("\n".join(lines) + "\n")
    return path


def weekdays(first: date, count: int) -> list[date]:
    days = [first + timedelta(i) for i in range(count * 2)]
    return [d for d in days if d.weekday() < 5][:count]


def test_a_queue_without_recent_history_is_skipped_with_a_warning(tmp_path: Path) -> None:
    live = weekdays(date(2024, 1, 1), 60)
    old = weekdays(date(2024, 1, 1), 20)  # ends about eight weeks before the others
    csv = write_history(tmp_path / "h.csv", {"live": live, "old": old})
    report = forecast_from_csv(csv, ForecastOptions(origins=2))
    assert {f.queue for f in report.forecasts} == {"live"}
    assert any("queue old" in w and "not forecast" in w for w in report.warnings)


def test_a_short_history_says_which_weekdays_it_cannot_forecast(tmp_path: Path) -> None:
    csv = write_history(tmp_path / "h.csv", {"new": [date(2024, 1, 8), date(2024, 1, 9)]})
    report = forecast_from_csv(csv, ForecastOptions(origins=2))
    days = {r["interval_start"].date() for r in report.rows()}
    assert days == {date(2024, 1, 15), date(2024, 1, 16)}
    (warning,) = report.warnings
    assert "Wednesday, Thursday, Friday" in warning
