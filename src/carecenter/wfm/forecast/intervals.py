"""Prediction intervals for interval volumes.

Empirical: the backtest leaves, per horizon day, the residuals ``sqrt(actual) - sqrt(forecast)``
of the chosen model. On the square-root scale the noise of Poisson-like counts is roughly the
same at 20 and at 400 calls, so the residual quantiles of a horizon day can be added to the
square root of any forecast of that horizon day and squared back. Horizons beyond the backtest
use the last backtested horizon. Without residuals, the Poisson quantiles of the forecast are
used (which understate the uncertainty of the mean itself).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from carecenter.wfm.forecast.series import FloatArray

MIN_RESIDUALS = 30


def poisson_interval(forecast: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """Central ``level`` interval of a Poisson count with mean ``forecast``."""
    _check_level(level)
    mean = np.maximum(forecast, 0.0)
    lo = np.asarray(stats.poisson.ppf((1 - level) / 2, mean), dtype=np.float64)
    hi = np.asarray(stats.poisson.ppf((1 + level) / 2, mean), dtype=np.float64)
    return np.nan_to_num(lo, nan=0.0), np.nan_to_num(hi, nan=0.0)


def residual_interval(
    forecast: FloatArray, residuals: Sequence[FloatArray], level: float
) -> tuple[FloatArray, FloatArray]:
    """Intervals for a ``(horizon, slots)`` forecast from per-horizon sqrt-scale residuals."""
    _check_level(level)
    usable = [r for r in residuals if r.size >= MIN_RESIDUALS]
    if not usable:
        return poisson_interval(forecast, level)
    root = np.sqrt(np.maximum(forecast, 0.0))
    lo = np.empty_like(forecast)
    hi = np.empty_like(forecast)
    for h in range(forecast.shape[0]):
        res = _residuals_for(h, residuals, usable[-1])
        q_lo, q_hi = np.quantile(res, [(1 - level) / 2, (1 + level) / 2])
        lo[h] = np.square(np.maximum(root[h] + q_lo, 0.0))
        hi[h] = np.square(np.maximum(root[h] + q_hi, 0.0))
    return np.minimum(lo, forecast), np.maximum(hi, forecast)


def calibrated_interval(
    forecast: FloatArray, residuals: FloatArray, level: float
) -> tuple[FloatArray, FloatArray]:
    """Intervals of any forecast from one pooled set of square-root residuals.

    The ``(1 - level) / 2`` and ``(1 + level) / 2`` empirical quantiles of ``residuals``
    (``sqrt(actual) - sqrt(forecast)`` of past one-week-ahead forecasts) are added to
    ``sqrt(forecast)`` and squared back; Poisson quantiles when there are too few residuals.
    """
    _check_level(level)
    if residuals.size < MIN_RESIDUALS:
        return poisson_interval(forecast, level)
    root = np.sqrt(np.maximum(forecast, 0.0))
    q_lo, q_hi = np.quantile(residuals, [(1 - level) / 2, (1 + level) / 2])
    lo = np.square(np.maximum(root + q_lo, 0.0))
    hi = np.square(np.maximum(root + q_hi, 0.0))
    return np.minimum(lo, forecast), np.maximum(hi, forecast)


def coverage(actual: FloatArray, lo: FloatArray, hi: FloatArray) -> float:
    """Share of ``actual`` values inside ``[lo, hi]``."""
    inside = (actual >= lo) & (actual <= hi)
    return float(inside.mean())


def _residuals_for(h: int, residuals: Sequence[FloatArray], last: FloatArray) -> FloatArray:
    if h < len(residuals) and residuals[h].size >= MIN_RESIDUALS:
        return residuals[h]
    return last


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"interval level must be between 0 and 1, got {level}")
