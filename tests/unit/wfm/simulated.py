"""Simulated interval counts shared by the forecast tests."""

from __future__ import annotations

import numpy as np

WEEK = 5
"""Days in a simulated week (a business-day center)."""
SLOTS = 24
"""Intervals in a simulated day."""


def simulate(rng: np.random.Generator, days: int) -> np.ndarray:
    """Poisson counts around a seasonal mean whose daily level wanders (overdispersion)."""
    t = (np.arange(SLOTS) + 0.5) / SLOTS
    shape = 0.3 + np.sin(np.pi * t) ** 2
    shape /= shape.sum()
    weekday = np.array([1.2, 1.0, 1.0, 0.95, 0.85])[np.arange(days) % WEEK]
    level = 2500 * weekday * rng.lognormal(0.0, 0.05, days)
    return rng.poisson(level[:, None] * shape[None, :]).astype(float)
