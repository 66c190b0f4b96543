"""Where the twin's customers come from and what each of them will do: a queue's arrivals as
a Poisson process with rates per interval (:class:`PoissonSource`) or played back from a
history (:class:`ReplayedSource`), and the seeded draws that give each customer a tier, a
handle time, a wrap-up, a patience and a callback choice (:class:`CustomerDraws`).

Compiled with the twin (``setup.py``): the twin calls these once or more per customer.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from carecenter.sim.scenario import Arrivals, Behaviour, Sampler


class PoissonSource:
    """One queue's arrivals: a piecewise-constant-rate Poisson process on the run's seconds."""

    def __init__(self, arrivals: Arrivals, slots: list[tuple[float, float]], seed: str) -> None:
        self.queue_id = arrivals.queue_id
        self.rng = random.Random(seed)
        self.slots = slots
        """(start second, rate per second) of each interval, in order; the last one ends the
        run."""
        self.k = 0
        self.t = 0.0

    def next(self) -> float | None:
        """The time of the next arrival, or ``None`` when the run has no more."""
        slots, expo = self.slots, self.rng.expovariate
        while self.k < len(slots) - 1:
            end = slots[self.k + 1][0]
            rate = slots[self.k][1]
            if rate > 0:
                at = self.t + expo(rate)
                if at < end:
                    self.t = at
                    return at
            self.t = end
            self.k += 1
        return None


class ReplayedSource:
    """One queue's recorded arrivals, played back: the same ``next`` as :class:`PoissonSource`;
    ``tier`` and ``handle_s`` are those of the arrival ``next`` gave last (the one in the
    plan)."""

    def __init__(
        self, queue_id: str, times: tuple[tuple[float, str, float], ...], until: float
    ) -> None:
        self.queue_id = queue_id
        self.times = times
        """(run second, tier, handle time or NaN) of each arrival, in order."""
        self.until = until
        self.k = 0
        self.tier = ""
        self.handle_s = math.nan

    def next(self) -> float | None:
        if self.k >= len(self.times):
            return None
        at, self.tier, self.handle_s = self.times[self.k]
        self.k += 1
        return at if at < self.until else None


class CustomerDraws:
    """The draws that make the customers of one queue: one stream per purpose."""

    def __init__(self, behaviour: Behaviour, tiers: dict[str, float], seed: str) -> None:
        self.handle: Sampler = behaviour.handle.sampler(random.Random(seed + "/handle"))
        wrap, patience = behaviour.wrap_up, behaviour.patience
        self.wrap: Sampler | None = (
            wrap.sampler(random.Random(seed + "/wrap")) if wrap is not None else None
        )
        self.patience: Sampler | None = (
            patience.sampler(random.Random(seed + "/patience")) if patience is not None else None
        )
        self.choice = random.Random(seed + "/choice").random
        self.acceptance = behaviour.callback_acceptance
        self.no_answer = behaviour.callback_no_answer
        tier_rng = random.Random(seed + "/tier")
        names, weights = list(tiers), list(tiers.values())
        self.tier: Callable[[], str | None] = (
            (lambda: tier_rng.choices(names, weights)[0]) if names else (lambda: None)
        )


__all__ = ["CustomerDraws", "PoissonSource", "ReplayedSource"]
