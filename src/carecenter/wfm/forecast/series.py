"""The day x slot matrix every forecasting model works on.

``values[i, k]`` is the volume of open day ``i`` in slot ``k``. Open days follow each other
without gaps (weekends of a business-day center are simply not rows), so row ``i`` is at
position ``(first_position + i) % week_length`` of the week. A day that is missing from the
history or marked special (holiday, outage) is a row of NaN: models skip it when fitting and the
backtest does not score it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class DayMatrix:
    """Interval volumes of consecutive open days (rows) and intraday slots (columns)."""

    values: FloatArray
    week_length: int
    first_position: int = 0

    def __post_init__(self) -> None:
        if self.values.ndim != 2 or self.values.shape[1] < 1:
            raise ValueError("values must be a 2-d array with at least one slot")
        if self.week_length < 1 or not 0 <= self.first_position < self.week_length:
            raise ValueError("week_length must be >= 1 and first_position within the week")

    @property
    def days(self) -> int:
        return int(self.values.shape[0])

    @property
    def slots(self) -> int:
        return int(self.values.shape[1])

    def position(self, day: int) -> int:
        """Week position of row ``day`` (may lie beyond the history, for forecast days)."""
        return (self.first_position + day) % self.week_length

    def positions(self) -> IntArray:
        return (self.first_position + np.arange(self.days, dtype=np.int64)) % self.week_length

    def valid(self) -> BoolArray:
        """True for the days that hold data (not missing, not excluded)."""
        return np.asarray(~np.isnan(self.values).any(axis=1), dtype=np.bool_)

    def head(self, days: int) -> DayMatrix:
        """The first ``days`` rows: the history known at a backtest origin."""
        return DayMatrix(self.values[:days], self.week_length, self.first_position)

    def same_position_days(self, day: int, count: int) -> list[int]:
        """Up to ``count`` most recent valid rows before ``day`` at the week position of ``day``.

        ``day`` may be a future row (>= ``self.days``); the search starts at the last row at
        that position that lies inside the history.
        """
        valid = self.valid()
        start = day - self.week_length
        while start >= self.days:
            start -= self.week_length
        found: list[int] = []
        for row in range(start, -1, -self.week_length):
            if valid[row]:
                found.append(row)
                if len(found) == count:
                    break
        return found


def recency_weights(rows: list[int] | IntArray, last: int, half_life_days: float) -> FloatArray:
    """Exponential weights halving every ``half_life_days`` rows back from row ``last``."""
    age = last - np.asarray(rows, dtype=np.float64)
    return np.asarray(0.5 ** (age / half_life_days), dtype=np.float64)
