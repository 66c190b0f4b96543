"""Volume forecasting models and their registry.

Every model maps a :class:`DayMatrix` history to a ``(horizon, slots)`` array of expected
volumes for the ``horizon`` open days that follow the history. Models are deterministic.

- ``seasonal-naive``: the same slot one week (``week_length`` open days) back.
- ``profile``: mean of the same weekday and slot over the last 4 weeks.
- ``weekday-mean``: the same over the last 8 weeks (the plain weekday x interval mean, a
  baseline).

The stronger models live in :mod:`.daily_shape` and :mod:`.harmonic`; :mod:`.registry` names
them all.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from carecenter.wfm.forecast.series import DayMatrix, FloatArray


class VolumeModel(Protocol):
    """A forecasting model: history in, expected volumes of the next open days out."""

    @property
    def name(self) -> str: ...

    def predict(self, history: DayMatrix, horizon: int) -> FloatArray:
        """Expected volume of each slot of the ``horizon`` open days after ``history``."""
        ...


class NotEnoughHistoryError(ValueError):
    """The history holds no usable day to forecast from."""


def fallback_day(history: DayMatrix) -> FloatArray:
    """Mean slot volumes over all valid days: used when a weekday has no history at all."""
    valid = history.valid()
    if not valid.any():
        raise NotEnoughHistoryError("the history holds no day with data")
    return np.asarray(history.values[valid].mean(axis=0), dtype=np.float64)


class SeasonalNaive:
    """The same slot of the most recent valid day at the same week position."""

    name = "seasonal-naive"

    def predict(self, history: DayMatrix, horizon: int) -> FloatArray:
        out = np.empty((horizon, history.slots), dtype=np.float64)
        for h in range(horizon):
            rows = history.same_position_days(history.days + h, 1)
            out[h] = history.values[rows[0]] if rows else fallback_day(history)
        return out


class WeekdayProfile:
    """Mean of the same weekday and slot over the last ``weeks`` valid weeks."""

    def __init__(self, weeks: int = 4, name: str = "profile") -> None:
        if weeks < 1:
            raise ValueError("weeks must be >= 1")
        self.weeks = weeks
        self.name = name

    def predict(self, history: DayMatrix, horizon: int) -> FloatArray:
        out = np.empty((horizon, history.slots), dtype=np.float64)
        for h in range(horizon):
            rows = history.same_position_days(history.days + h, self.weeks)
            out[h] = history.values[rows].mean(axis=0) if rows else fallback_day(history)
        return out
