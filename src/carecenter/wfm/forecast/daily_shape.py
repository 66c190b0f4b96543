"""Daily volume times intraday share: the ``daily-shape`` model.

The classic call-center decomposition (fixed-proportion model): the volume of slot ``k`` on a
day at week position ``p`` is ``D(p) * s_p(k)``, where

- ``D(p)``, the daily volume, combines three estimates from the daily totals of the last
  ``level_weeks`` days at the same week position: their recency-weighted mean ``m`` (weights
  halve every ``half_life_days``), their median (robust to a one-off busy day, such as the day
  after a holiday) and ``m`` shrunk halfway toward the mean daily total of the last week ``L``
  (the current level, whatever the weekday): ``D = (m + median + (m + L) / 2) / 3``, the
  "blend". With ``level="mean"`` it is ``m`` alone; with ``level="auto"`` (the default) the
  model chooses, at each forecast, whichever of the two missed the daily totals of the last
  ``select_weeks`` weeks of its own history by less (each week forecast from the days before
  it; ``mean`` on a tie), so a series with stable weekday effects keeps ``m`` and one whose
  weekday pattern drifts gets the shrinkage;
- ``s_p(k)``, the intraday share, is the share of the day's volume in slot ``k``: the mean share
  over all days of the last ``shape_weeks`` weeks, bent towards position ``p`` by the ratio of
  that weekday's own share (last ``weekday_weeks`` weeks) to the pooled share, smoothed over
  neighbouring slots with a Gaussian kernel ``smoothing`` x slots-per-day wide.

Compared with a per-slot profile, which estimates every weekday x slot mean from a handful of
noisy counts, this pools the intraday pattern over many days and keeps only the smooth part of
the weekday differences, so it carries less noise into the forecast.
"""

from __future__ import annotations

import numpy as np

from carecenter.wfm.forecast.models import fallback_day
from carecenter.wfm.forecast.series import DayMatrix, FloatArray, recency_weights

LEVELS = ("auto", "mean", "blend")


class DailyShape:
    """Forecast = daily volume of the weekday x smoothed intraday share."""

    name = "daily-shape"

    def __init__(
        self,
        *,
        level_weeks: int = 4,
        half_life_days: float = 8.0,
        shape_weeks: int = 8,
        weekday_weeks: int = 4,
        smoothing: float = 0.05,
        level: str = "auto",
        select_weeks: int = 6,
    ) -> None:
        if min(level_weeks, shape_weeks, weekday_weeks) < 1 or half_life_days <= 0:
            raise ValueError("weeks must be >= 1 and the half-life > 0")
        if level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
        self.level = level
        self.select_weeks = select_weeks
        self.level_weeks = level_weeks
        self.half_life_days = half_life_days
        self.shape_weeks = shape_weeks
        self.weekday_weeks = weekday_weeks
        self.smoothing = smoothing

    def predict(self, history: DayMatrix, horizon: int) -> FloatArray:
        pooled = self._pooled_share(history)
        level = self._chosen_level(history) if self.level == "auto" else self.level
        out = np.empty((horizon, history.slots), dtype=np.float64)
        for h in range(horizon):
            day = history.days + h
            out[h] = self._daily_volume(history, day, level) * self._share(history, day, pooled)
        return out

    def _chosen_level(self, history: DayMatrix) -> str:
        """``mean`` or ``blend``: the one closer to the daily totals of the last weeks."""
        valid = history.valid()
        totals = np.where(valid, np.nan_to_num(history.values).sum(axis=1), np.nan)
        errors = {"mean": 0.0, "blend": 0.0}
        week = history.week_length
        for k in range(1, self.select_weeks + 1):
            origin = history.days - k * week
            if origin < 2 * week:
                break
            head = history.head(origin)
            for day in range(origin, origin + week):
                if valid[day]:
                    for level in errors:
                        errors[level] += abs(self._daily_volume(head, day, level) - totals[day])
        return "blend" if errors["blend"] < errors["mean"] else "mean"

    def _daily_volume(self, history: DayMatrix, day: int, level: str) -> float:
        rows = history.same_position_days(day, self.level_weeks)
        if not rows:
            return float(fallback_day(history).sum())
        totals = history.values[rows].sum(axis=1)
        # ages from the newest row used, not from the end of the history: a weekday seen only
        # years ago (an old import beside a new one) would get weights that underflow to zero
        weights = recency_weights(rows, max(rows), self.half_life_days)
        mean = float(np.average(totals, weights=weights))
        if level == "mean":
            return mean
        recent = last_week_level(history)
        shrunk = mean if recent is None else (mean + recent) / 2
        return (mean + float(np.median(totals)) + shrunk) / 3

    def _pooled_share(self, history: DayMatrix) -> FloatArray:
        start = max(0, history.days - self.shape_weeks * history.week_length)
        window = history.values[start:]
        window = window[history.valid()[start:]]
        shares = _shares(window)
        if shares.shape[0] == 0:
            shares = _shares(fallback_day(history)[None, :])
        if shares.shape[0] == 0:
            return np.full(history.slots, 1.0 / history.slots)
        return np.asarray(shares.mean(axis=0), dtype=np.float64)

    def _share(self, history: DayMatrix, day: int, pooled: FloatArray) -> FloatArray:
        rows = history.same_position_days(day, self.weekday_weeks)
        own = _shares(history.values[rows])
        if own.shape[0] == 0:
            return pooled
        ratio = np.divide(own.mean(axis=0), pooled, out=np.ones_like(pooled), where=pooled > 0)
        share = pooled * gaussian_smooth(ratio, self.smoothing * history.slots)
        total = share.sum()
        return share / total if total > 0 else pooled


def last_week_level(history: DayMatrix) -> float | None:
    """Mean daily total of the valid days of the last week of ``history`` (None without any)."""
    start = max(0, history.days - history.week_length)
    window = history.values[start:][history.valid()[start:]]
    return float(window.sum(axis=1).mean()) if window.shape[0] else None


def _shares(days: FloatArray) -> FloatArray:
    """Each day's slot volumes divided by its total; days without volume are dropped."""
    totals = days.sum(axis=1)
    keep = totals > 0
    return np.asarray(days[keep] / totals[keep, None], dtype=np.float64)


def gaussian_smooth(values: FloatArray, bandwidth: float) -> FloatArray:
    """Locally weighted mean with a Gaussian kernel of ``bandwidth`` slots (edges renormalised)."""
    if bandwidth <= 0 or values.size < 2:
        return values
    idx = np.arange(values.size, dtype=np.float64)
    kernel = np.exp(-0.5 * ((idx[:, None] - idx[None, :]) / bandwidth) ** 2)
    kernel /= kernel.sum(axis=1, keepdims=True)
    return np.asarray(kernel @ values, dtype=np.float64)
