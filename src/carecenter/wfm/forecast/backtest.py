"""Rolling-origin backtest: how well would a model have forecast the weeks we already know?

At each origin ``o`` (a day boundary) the model sees only the days before ``o`` and forecasts
the next ``horizon`` open days; those days are scored against what happened. Origins step back
one week at a time from the end of the history, so every origin scores the same weekdays.
Days that are missing or excluded (special days) are not scored, nor are origins whose
history a model cannot forecast from (:class:`NotEnoughHistoryError`).

- WAPE = sum |actual - forecast| / sum actual, pooled over all scored slots (and per horizon day).
- MASE = mean |actual - forecast| / mean |y(t) - y(t - one week)| over the training history of
  the origin (the in-sample error of the seasonal naive forecast), averaged over origins.
  Below 1 means better than "same interval last week" was in-sample.
- Coverage at level ``q``: the share of scored slots whose actual count lies inside the central
  ``q`` prediction interval built at the origin the way the forecast builds it
  (:func:`.intervals.calibrated_interval`), from the square-root residuals of the
  ``calibration_weeks`` one-week-ahead forecasts made before the origin whose days are all
  known at the origin. To have them for the first scored origins too, the model also forecasts
  from up to ``calibration_weeks`` extra origins one week apart before the first one (with at
  least two weeks of history); these are used for calibration only, never scored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from carecenter.wfm.forecast.intervals import MIN_RESIDUALS, calibrated_interval
from carecenter.wfm.forecast.models import NotEnoughHistoryError, VolumeModel
from carecenter.wfm.forecast.series import DayMatrix, FloatArray


@dataclass(frozen=True)
class BacktestResult:
    """Scores of one model over a set of rolling origins."""

    model: str
    origins: tuple[int, ...]
    wape: float
    mase: float
    wape_by_horizon: tuple[float, ...]
    residuals: tuple[FloatArray, ...] = field(repr=False, compare=False)
    """Per horizon day: ``sqrt(actual) - sqrt(forecast)`` of every scored slot."""
    coverage: dict[float, float] = field(default_factory=dict, compare=False)
    """Per interval level: share of scored slots inside the prediction interval (NaN: none)."""
    calibration: FloatArray = field(
        default_factory=lambda: np.empty(0, dtype=np.float64), repr=False, compare=False
    )
    """Square-root residuals of the last ``calibration_weeks`` origins: the forecast's intervals."""


def wape(actual: FloatArray, forecast: FloatArray) -> float:
    """Weighted absolute percentage error as a fraction; NaN when there is no volume."""
    volume = float(np.abs(actual).sum())
    return float(np.abs(actual - forecast).sum()) / volume if volume > 0 else math.nan


def seasonal_naive_scale(history: DayMatrix) -> float:
    """Mean absolute change from the same slot one week earlier, over valid day pairs."""
    lag = history.week_length
    valid = history.valid()
    pairs = valid[lag:] & valid[:-lag]
    if not pairs.any():
        return math.nan
    diff = history.values[lag:][pairs] - history.values[:-lag][pairs]
    return float(np.abs(diff).mean())


def mase(actual: FloatArray, forecast: FloatArray, train: DayMatrix) -> float:
    """Mean absolute scaled error against the in-sample seasonal naive error of ``train``."""
    scale = seasonal_naive_scale(train)
    if not scale > 0 or actual.size == 0:
        return math.nan
    return float(np.abs(actual - forecast).mean()) / scale


def rolling_origins(
    days: int, horizon: int, week_length: int, count: int, min_train_days: int
) -> list[int]:
    """Up to ``count`` origins, one week apart, the last scoring the final ``horizon`` days."""
    last = days - horizon
    candidates = (last - k * week_length for k in range(count))
    return sorted(o for o in candidates if o >= max(1, min_train_days))


COVERAGE_LEVELS = (0.5, 0.8, 0.95)
"""Interval levels whose coverage every backtest reports."""
CALIBRATION_WEEKS = 8
"""One-week-ahead forecasts whose residuals calibrate the prediction intervals."""


def backtest(
    history: DayMatrix,
    model: VolumeModel,
    horizon: int,
    origins: Sequence[int],
    *,
    levels: Sequence[float] = COVERAGE_LEVELS,
    calibration_weeks: int = CALIBRATION_WEEKS,
) -> BacktestResult:
    """Score ``model`` forecasting ``horizon`` open days from each origin of ``origins``."""
    abs_err = np.zeros(horizon)
    volume = np.zeros(horizon)
    mases: list[float] = []
    residuals: list[list[FloatArray]] = [[] for _ in range(horizon)]
    valid = history.valid()
    for origin in origins:
        if origin + horizon > history.days or origin < 1:
            raise ValueError(f"origin {origin} leaves no room for a {horizon}-day horizon")
    forecasts = _forecasts(history, model, horizon, origins, calibration_weeks)
    past: list[tuple[int, FloatArray]] = []  # (origin, sqrt residuals) in origin order
    inside = {level: [0, 0] for level in levels}
    for origin in sorted(forecasts):
        forecast = forecasts[origin]
        scored = valid[origin : origin + horizon]
        actual = history.values[origin : origin + horizon]
        root_res = np.sqrt(actual[scored]) - np.sqrt(forecast[scored])
        if origin not in origins:
            past.append((origin, root_res.ravel()))
            continue
        known = [r for o, r in past if o + horizon <= origin][-calibration_weeks:]
        cal = _concat(known)
        if cal.size >= MIN_RESIDUALS:
            for level in levels:
                lo, hi = calibrated_interval(forecast[scored], cal, level)
                hit = (actual[scored] >= lo) & (actual[scored] <= hi)
                inside[level][0] += int(hit.sum())
                inside[level][1] += int(hit.size)
        past.append((origin, root_res.ravel()))
        train = history.head(origin)
        err = np.abs(actual - forecast)
        abs_err[scored] += err[scored].sum(axis=1)
        volume[scored] += actual[scored].sum(axis=1)
        mases.append(mase(actual[scored], forecast[scored], train))
        for h in np.flatnonzero(scored):
            residuals[h].append(np.sqrt(actual[h]) - np.sqrt(forecast[h]))
    return BacktestResult(
        model=model.name,
        origins=tuple(origins),
        wape=float(abs_err.sum() / volume.sum()) if volume.sum() > 0 else math.nan,
        mase=_nanmean(mases),
        wape_by_horizon=tuple(
            float(e / v) if v > 0 else math.nan for e, v in zip(abs_err, volume, strict=True)
        ),
        residuals=tuple(_concat(r) for r in residuals),
        coverage={lv: n / total if total else math.nan for lv, (n, total) in inside.items()},
        calibration=_concat([r for _, r in past][-calibration_weeks:]),
    )


def _forecasts(
    history: DayMatrix,
    model: VolumeModel,
    horizon: int,
    origins: Sequence[int],
    calibration_weeks: int,
) -> dict[int, FloatArray]:
    """Non-negative forecasts from every origin a model can forecast from, calibration ones too.

    Calibration origins: up to ``calibration_weeks`` origins one week apart before the first
    of ``origins``, each with at least two weeks of history before it.
    """
    valid = history.valid()
    first = min(origins, default=0)
    extra = [first - k * history.week_length for k in range(1, calibration_weeks + 1)]
    out: dict[int, FloatArray] = {}
    for origin in sorted({*origins, *(o for o in extra if o >= 2 * history.week_length)}):
        if not valid[origin : origin + horizon].any() or not valid[:origin].any():
            continue
        try:
            out[origin] = np.maximum(model.predict(history.head(origin), horizon), 0.0)
        except NotEnoughHistoryError:
            continue  # the model cannot forecast from this origin: it is not scored there
    return out


def best_model(results: Sequence[BacktestResult]) -> BacktestResult:
    """The result with the lowest WAPE (results without a score come last)."""
    if not results:
        raise ValueError("no backtest results to choose from")
    return min(results, key=lambda r: (math.isnan(r.wape), r.wape if not math.isnan(r.wape) else 0))


def _nanmean(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan


def _concat(parts: list[FloatArray]) -> FloatArray:
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.float64)
