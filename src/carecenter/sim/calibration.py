"""Fitting a scenario to a center's history: arrival rates per weekday and interval, handle
times, and patience.

Patience is censored by service: a caller who was answered after 40 s would have waited at
least 40 s, we never see how long. Counting only the abandons (or averaging their waits)
underestimates it badly when most calls are answered. The Kaplan-Meier estimator takes the
answered waits as censored observations, as Brown et al. (2005, "Statistical analysis of a
telephone call center", JASA) did on the Anonymous Bank data; beyond the longest observed
wait the survival is extended with the exponential hazard fitted to all waits (abandons over
total time waited, the maximum-likelihood rate of exponential patience).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from carecenter.errors import DomainError
from carecenter.sim.scenario import Distribution, Shape

POINTS = 1000
"""Quantiles that stand for a fitted distribution (each drawn alike)."""


def kaplan_meier(waits: Sequence[float], gave_up: Sequence[bool]) -> list[tuple[float, float]]:
    """(time, survival just after it) at each distinct time someone gave up: the
    Kaplan-Meier estimate of P(patience > t), answered waits counting as censored (at a tie,
    the censored are still at risk)."""
    if len(waits) != len(gave_up):
        raise DomainError("give one outcome per wait")
    order = sorted(zip(waits, gave_up, strict=True), key=lambda x: (x[0], not x[1]))
    at_risk, survival, curve = len(order), 1.0, []
    i = 0
    while i < len(order):
        t = order[i][0]
        events = censored = 0
        while i < len(order) and order[i][0] == t:
            events += order[i][1]
            censored += not order[i][1]
            i += 1
        if events:
            survival *= 1.0 - events / at_risk
            curve.append((t, survival))
        at_risk -= events + censored
    return curve


@dataclass(frozen=True)
class PatienceFit:
    """Patience estimated from waits that ended in an abandon or in an answer."""

    abandons: int
    answered: int
    """Waits cut short by an answer (censored)."""
    median_s: float | None
    """The Kaplan-Meier median (``None`` when fewer than half would ever give up within the
    longest wait seen: then the exponential tail gives it)."""
    exponential_mean_s: float | None
    """Total time waited over abandons: the mean of exponential patience."""
    survival_at_max: float
    """The Kaplan-Meier survival at the longest wait observed."""
    distribution: Distribution | None
    """Draws from the fitted curve (``None``: nobody gave up, patience looks unbounded)."""


def fit_patience(waits: Sequence[float], gave_up: Sequence[bool]) -> PatienceFit:
    """Fit patience to the waits (seconds) and whether each ended in an abandon."""
    abandons = sum(gave_up)
    answered = len(waits) - abandons
    exposure = math.fsum(max(0.0, w) for w in waits)
    if abandons == 0 or exposure <= 0:
        return PatienceFit(0, answered, None, None, 1.0, None)
    curve = kaplan_meier(waits, gave_up)
    hazard = abandons / exposure
    last_t, last_s = curve[-1]
    median = next((t for t, s in curve if s <= 0.5), None)

    def quantile(p: float) -> float:
        """The smallest t with P(patience <= t) >= p."""
        if p <= 1.0 - last_s:
            return next(t for t, s in curve if 1.0 - s >= p)
        return last_t + math.log(last_s / (1.0 - p)) / hazard

    values = tuple(quantile((k + 0.5) / POINTS) for k in range(POINTS))
    return PatienceFit(
        abandons,
        answered,
        median,
        exposure / abandons,
        last_s,
        Distribution(Shape.EMPIRICAL, values=values),
    )


def empirical(durations: Sequence[float]) -> Distribution | None:
    """A distribution of the durations seen, as :data:`POINTS` evenly spaced quantiles
    (``None`` when there are none)."""
    seen = sorted(d for d in durations if d >= 0 and math.isfinite(d))
    if not seen:
        return None
    n = len(seen)
    return Distribution(
        Shape.EMPIRICAL,
        values=tuple(seen[min(n - 1, int((k + 0.5) * n / POINTS))] for k in range(POINTS)),
    )
