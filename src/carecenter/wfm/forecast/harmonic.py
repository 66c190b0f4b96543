"""Poisson regression on weekday effects and time-of-day harmonics: the ``harmonic`` model.

``log E[y(d, k)] = a(p) + sum_j b_j c_j(k) + sum_{p' != 0, j <= J} g(p', j) [p = p'] c_j(k)``

with ``p`` the week position of day ``d`` and ``c_j(k) = cos(pi j (k + 1/2) / K)`` the cosine
harmonics of the ``K`` slots of the open day (a cosine basis suits an open window such as
07:00-21:00, whose two ends need not meet as a full-day Fourier series would require).
``a(p)`` carries the weekly seasonality, the harmonics the daily one and the interactions the
weekday-specific intraday shape. Fitted by iteratively reweighted least squares (the Poisson
maximum likelihood, so counts need no transformation and zeros are fine) on the last ``weeks``
weeks, with each day weighted by recency (half-life ``half_life_days``) so the level follows
recent weeks.
"""

from __future__ import annotations

import numpy as np

from carecenter.wfm.forecast.models import NotEnoughHistoryError
from carecenter.wfm.forecast.series import DayMatrix, FloatArray, recency_weights

_MAX_ETA = 50.0
MAX_RATIO = 2.0
"""A forecast slot is at most this times the slot's largest count in the fitting window."""


class HarmonicRegression:
    """Log-linear Poisson regression on weekday dummies and cosine harmonics of the day."""

    name = "harmonic"

    def __init__(
        self,
        *,
        weeks: int = 8,
        half_life_days: float = 5.0,
        harmonics: int = 24,
        weekday_harmonics: int = 8,
        iterations: int = 12,
    ) -> None:
        if weeks < 1 or half_life_days <= 0 or harmonics < 0 or weekday_harmonics < 0:
            raise ValueError("invalid harmonic regression settings")
        self.weeks = weeks
        self.half_life_days = half_life_days
        self.harmonics = harmonics
        self.weekday_harmonics = weekday_harmonics
        self.iterations = iterations

    def predict(self, history: DayMatrix, horizon: int) -> FloatArray:
        start = max(0, history.days - self.weeks * history.week_length)
        rows = np.flatnonzero(history.valid()[start:]) + start
        if rows.size == 0:
            raise NotEnoughHistoryError(
                f"the last {self.weeks} weeks of the history hold no day with data"
            )
        basis = cosine_basis(history.slots, min(self.harmonics, history.slots - 1))
        y = history.values[rows].ravel()
        x = self._design(history, rows, basis)
        weights = np.repeat(
            recency_weights(rows, history.days - 1, self.half_life_days), basis.shape[0]
        )
        if not y.any():
            return np.zeros((horizon, history.slots), dtype=np.float64)
        future = np.arange(history.days, history.days + horizon)
        try:
            coef = fit_poisson(x, y, weights, self.iterations)
            eta = np.clip(self._design(history, future, basis) @ coef, -_MAX_ETA, _MAX_ETA)
            out = np.exp(eta).reshape(horizon, history.slots)
        except (np.linalg.LinAlgError, FloatingPointError):
            out = np.full((horizon, history.slots), np.nan)
        window = history.values[rows]
        if not np.isfinite(out).all():
            out = _window_fallback(history, rows, future, self.half_life_days)
        ceiling = MAX_RATIO * window.max(axis=0)
        return np.asarray(np.clip(out, 0.0, ceiling[None, :]), dtype=np.float64)

    def _design(self, history: DayMatrix, days: np.ndarray, basis: FloatArray) -> FloatArray:
        slots = basis.shape[0]
        n_inter = min(self.weekday_harmonics, basis.shape[1])
        week = history.week_length
        blocks = []
        for day in days:
            pos = history.position(int(day))
            dummies = np.zeros((slots, week))
            dummies[:, pos] = 1.0
            inter = np.zeros((slots, (week - 1) * n_inter))
            if pos > 0 and n_inter:
                inter[:, (pos - 1) * n_inter : pos * n_inter] = basis[:, :n_inter]
            blocks.append(np.hstack([dummies, basis, inter]))
        return np.vstack(blocks)


def _window_fallback(
    history: DayMatrix, rows: np.ndarray, future: np.ndarray, half_life_days: float
) -> FloatArray:
    """Recency-weighted mean of the window's days at each future day's week position."""
    positions = np.array([history.position(int(r)) for r in rows])
    out = np.empty((future.size, history.slots), dtype=np.float64)
    for h, day in enumerate(future):
        same = rows[positions == history.position(int(day))]
        use = same if same.size else rows
        weights = recency_weights(use, int(use.max()), half_life_days)
        out[h] = np.average(history.values[use], axis=0, weights=weights)
    return out


def cosine_basis(slots: int, harmonics: int) -> FloatArray:
    """``slots x harmonics`` matrix of ``cos(pi j (k + 1/2) / slots)``, j = 1..harmonics."""
    k = (np.arange(slots, dtype=np.float64) + 0.5) / slots
    j = np.arange(1, harmonics + 1, dtype=np.float64)
    return np.asarray(np.cos(np.pi * k[:, None] * j[None, :]), dtype=np.float64)


def fit_poisson(x: FloatArray, y: FloatArray, weights: FloatArray, iterations: int) -> FloatArray:
    """Weighted Poisson maximum likelihood (log link) by iteratively reweighted least squares."""
    mean = float(np.average(y, weights=weights))
    if mean <= 0:
        raise ValueError("Poisson regression needs some positive counts")
    eta = np.full(y.shape, np.log(mean))
    coef = np.zeros(x.shape[1], dtype=np.float64)
    for _ in range(iterations):
        mu = np.exp(eta)
        new = weighted_least_squares(x, eta + (y - mu) / mu, weights * mu)
        eta = np.clip(x @ new, -_MAX_ETA, _MAX_ETA)
        done = bool(np.max(np.abs(new - coef)) < 1e-8)
        coef = new
        if done:
            break
    return coef


def weighted_least_squares(x: FloatArray, z: FloatArray, w: FloatArray) -> FloatArray:
    """Solve the normal equations ``X'WX b = X'Wz`` (a vanishing ridge keeps empty columns at 0)."""
    xw = x * w[:, None]
    gram = xw.T @ x
    ridge = 1e-10 * max(float(np.trace(gram)) / gram.shape[0], 1e-12)
    gram[np.diag_indices_from(gram)] += ridge
    return np.asarray(np.linalg.solve(gram, xw.T @ z), dtype=np.float64)
