"""What the digital twin runs: a center, how its customers arrive and behave, and for how long.

A :class:`Scenario` is pure data, read from ``SCENARIO.yaml`` by the scenario adapter or
built in code; :mod:`carecenter.sim.twin` runs it through the real contact engine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from carecenter.domain.center import Center
from carecenter.domain.durations import DAY_S, WEEK_S
from carecenter.domain.enums import Channel
from carecenter.domain.flows import RouteNode
from carecenter.engine.flow import find_flow
from carecenter.errors import DomainError
from carecenter.sim.callers import CallerBehaviour

Sampler = Callable[[], float]


class Shape(StrEnum):
    """The shape of a distribution of durations."""

    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"
    EMPIRICAL = "empirical"
    FIXED = "fixed"


@dataclass(frozen=True)
class Distribution:
    """A distribution of durations in seconds: ``exponential`` (``mean_s``), ``lognormal``
    (``mean_s`` and ``sd_s``), ``fixed`` (always ``mean_s``) or ``empirical`` (drawn from
    ``values``, each as likely, as a bootstrap resamples a history)."""

    shape: Shape
    mean_s: float = 0.0
    sd_s: float | None = None
    values: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.shape is Shape.EMPIRICAL:
            if not self.values or min(self.values) < 0:
                raise DomainError("an empirical distribution needs durations, none negative")
            object.__setattr__(self, "mean_s", math.fsum(self.values) / len(self.values))
            return
        if not self.mean_s > 0 or not math.isfinite(self.mean_s):
            raise DomainError(f"a {self.shape} distribution needs a mean above 0")
        if self.shape is Shape.LOGNORMAL and (self.sd_s is None or not self.sd_s > 0):
            raise DomainError("a lognormal distribution needs a standard deviation above 0")

    def sampler(self, rng: random.Random) -> Sampler:
        """A function drawing one duration from ``rng`` per call."""
        if self.shape is Shape.EXPONENTIAL:
            expo, rate = rng.expovariate, 1.0 / self.mean_s
            return lambda: expo(rate)
        if self.shape is Shape.LOGNORMAL:
            assert self.sd_s is not None
            sigma2 = math.log1p((self.sd_s / self.mean_s) ** 2)
            mu, sigma = math.log(self.mean_s) - sigma2 / 2, math.sqrt(sigma2)
            draw = rng.lognormvariate
            return lambda: draw(mu, sigma)
        if self.shape is Shape.EMPIRICAL:
            values, n, uniform = self.values, len(self.values), rng.random
            return lambda: values[int(uniform() * n)]
        mean = self.mean_s
        return lambda: mean


@dataclass(frozen=True)
class Arrivals:
    """Contacts arriving at one queue: a Poisson process whose rate is constant within each
    interval of ``interval_s`` seconds of the local day and may differ by weekday.

    ``per_hour[w][i]`` is the rate (contacts per hour) in interval ``i`` of weekday ``w``
    (0 = Monday); ``tiers`` gives each tier's share of the callers (empty: every caller gets
    the default tier).
    """

    queue_id: str
    """The queue the contacts arrive at, or an entry flow (its id or an entry point) they
    start in: then the flow routes each of them (see :class:`Scenario` ``callers``)."""
    per_hour: tuple[tuple[float, ...], ...]
    interval_s: int = DAY_S
    tiers: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    channel: Channel = Channel.VOICE
    """The channel of contacts that start in an entry flow (a queue's contacts take its own)."""

    def __post_init__(self) -> None:
        if self.interval_s <= 0 or DAY_S % self.interval_s:
            raise DomainError(f"{self.queue_id}: the rate interval must divide a day")
        slots = DAY_S // self.interval_s
        if len(self.per_hour) != 7 or any(len(day) != slots for day in self.per_hour):
            raise DomainError(f"{self.queue_id}: give {slots} rates for each of 7 weekdays")
        if any(not (r >= 0 and math.isfinite(r)) for day in self.per_hour for r in day):
            raise DomainError(f"{self.queue_id}: arrival rates must be 0 or more")
        if self.tiers and not math.isclose(math.fsum(self.tiers.values()), 1.0, abs_tol=1e-6):
            raise DomainError(f"{self.queue_id}: the tier shares must add up to 1")

    @classmethod
    def constant(
        cls, queue_id: str, per_hour: float, tiers: Mapping[str, float] | None = None
    ) -> Arrivals:
        """The same rate all day, every day."""
        return cls(queue_id, ((per_hour,),) * 7, DAY_S, MappingProxyType(dict(tiers or {})))

    def scaled(self, factor: float) -> Arrivals:
        """The same arrivals, ``factor`` times as many (``1.2``: 20 % more)."""
        rates = tuple(tuple(r * factor for r in day) for day in self.per_hour)
        return Arrivals(self.queue_id, rates, self.interval_s, self.tiers, self.channel)


@dataclass(frozen=True)
class Behaviour:
    """How the customers of one queue behave, and how long their contacts take."""

    handle: Distribution
    """The conversation (talk and hold) once an agent answers."""
    wrap_up: Distribution | None = None
    """After-contact work; ``None``: the agent is free when the conversation ends."""
    patience: Distribution | None = None
    """How long a customer waits before giving up; ``None``: nobody gives up."""
    callback_acceptance: float = 0.0
    """The share of callers offered a callback (hold treatment) who take it."""
    callback_no_answer: float = 0.0
    """The share of callbacks the customer does not answer (the engine retries per policy)."""

    def __post_init__(self) -> None:
        for name in ("callback_acceptance", "callback_no_answer"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise DomainError(f"{name} must be between 0 and 1")


@dataclass(frozen=True)
class Shift:
    """When an agent works on each day of the run: from ``start_s`` to ``end_s`` seconds after
    local midnight, with breaks (start second, length in seconds), on the weekdays ``days``
    (0 = Monday). An agent still holding a contact when a break or the shift's end comes
    finishes it first (the engine's pending away)."""

    start_s: float = 0.0
    end_s: float = DAY_S
    breaks: tuple[tuple[float, float], ...] = ()
    days: frozenset[int] = frozenset(range(7))

    def __post_init__(self) -> None:
        if not 0 <= self.start_s < self.end_s <= DAY_S:
            raise DomainError("a shift starts before it ends, within the day")
        for start, length in self.breaks:
            if length <= 0 or not self.start_s <= start < start + length <= self.end_s:
                raise DomainError("a break lies within its shift and lasts more than 0 s")

    def stretches(self, weekday: int) -> list[tuple[float, float, str]]:
        """(start, end, what) of the day's shift and breaks, seconds after local midnight;
        none on a day off."""
        if weekday not in self.days:
            return []
        return [
            (self.start_s, self.end_s, "shift"),
            *((start, start + length, "break") for start, length in sorted(self.breaks)),
        ]


ALL_DAY = Shift()
"""The shift of an agent a scenario gives none: signed in for the whole run."""


@dataclass(frozen=True)
class Scenario:
    """One simulation: the center, its arrivals and customers, the run's span and repeats.

    Each replication simulates ``horizon_s`` seconds from local midnight of ``start`` (shifted
    by whole weeks per replication, see :func:`carecenter.sim.twin.replication_start`),
    after ``warmup_s`` seconds that are simulated but not measured.
    """

    center: Center
    arrivals: Mapping[str, Arrivals]
    behaviour: Mapping[str, Behaviour]
    start: date = date(2026, 11, 2)
    horizon_s: float = DAY_S
    warmup_s: float = 0.0
    replications: int = 10
    seed: int = 1
    answer_delay_s: float = 0.0
    """Seconds from an offer to the agent answering it."""
    shifts: Mapping[str, Shift] = field(default_factory=lambda: MappingProxyType({}))
    """agent id -> the agent's shift; agents without one work the whole run."""
    callers: Mapping[str, CallerBehaviour] = field(default_factory=lambda: MappingProxyType({}))
    """flow id -> how callers behave in that entry flow (menu shares, accounts)."""

    def __post_init__(self) -> None:
        if not 0 < self.horizon_s < math.inf:
            raise DomainError("the horizon must be more than 0")
        if not 0 <= self.warmup_s <= DAY_S:
            raise DomainError("the warm-up must be between 0 and a day")
        if self.replications < 1:
            raise DomainError("give at least 1 replication (2 for a confidence interval)")
        if self.answer_delay_s < 0:
            raise DomainError("the answer delay cannot be negative")
        for qid in self.arrivals:
            if qid in self.center.queues:
                queues = [qid]
            else:
                flow = find_flow(self.center, qid)
                if flow is None:
                    raise DomainError(f"arrivals for {qid!r}: no such queue or entry flow")
                queues = sorted({n.queue for n in flow.nodes.values() if isinstance(n, RouteNode)})
            for queue in queues:
                if queue not in self.behaviour:
                    raise DomainError(
                        f"queue {queue}: say how long its contacts take (handle time)"
                    )
            for tier in self.arrivals[qid].tiers:
                if tier not in self.center.tiers:
                    raise DomainError(f"queue {qid}: unknown tier {tier!r}")
        for agent_id in self.shifts:
            if agent_id not in self.center.agents:
                raise DomainError(f"a shift for unknown agent {agent_id!r}")

    @property
    def span_days(self) -> int:
        """Days between the starts of two replications: whole weeks (so each replication
        falls on the same weekdays), with room after it to drain and before the next one for
        its warm-up."""
        return 7 if self.horizon_s <= DAY_S else 7 * (math.ceil(self.horizon_s / WEEK_S) + 1)

    def with_changes(
        self,
        *,
        replications: int | None = None,
        seed: int | None = None,
        horizon_s: float | None = None,
        volume: float | None = None,
    ) -> Scenario:
        """The scenario with command-line overrides (``volume``: arrivals times this)."""
        arrivals = self.arrivals
        if volume is not None:
            arrivals = MappingProxyType({q: a.scaled(volume) for q, a in arrivals.items()})
        return Scenario(
            self.center,
            arrivals,
            self.behaviour,
            self.start,
            self.horizon_s if horizon_s is None else horizon_s,
            self.warmup_s,
            self.replications if replications is None else replications,
            self.seed if seed is None else seed,
            self.answer_delay_s,
            self.shifts,
            self.callers,
        )
