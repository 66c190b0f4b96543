"""What the digital twin runs: a center, how its customers arrive and behave, and for how long.

A :class:`Scenario` is pure data, read from ``SCENARIO.yaml`` by the scenario adapter or
built in code; :mod:`carecenter.sim.twin` runs it through the real contact engine.
"""

from __future__ import annotations

import itertools
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

Stretch = tuple[float, float]
"""From and to, in seconds of local (wall-clock) time after the local midnight that starts the
measured run."""


@dataclass(frozen=True)
class ReplayPlan:
    """What a scenario asks to play back from the history it is calibrated from (the
    scenario's ``replay:``); :class:`Replay` is what was found there."""

    arrivals: bool = True
    """Replay each queue's recorded arrivals (instead of drawing them)."""
    staffing: bool = True
    """Replay the agents seen at work (added to the center), when they were seen working."""
    gap_s: float = 600.0
    """A pause longer than this between two contacts ends an agent's stretch at work."""

    def __post_init__(self) -> None:
        if self.gap_s < 0:
            raise DomainError("the gap that ends a stretch at work cannot be negative")


@dataclass(frozen=True)
class Replay:
    """A center's recorded history played back instead of drawn: each queue's arrivals at
    the moments and in the tiers they came, and each agent at work when they were.

    Times are seconds of local (wall-clock) time after the local midnight at which the
    measured run starts: each replication plays the same history on its own dates (see
    :func:`carecenter.sim.twin.replication_start`) at the same local times, across a change
    of daylight-saving time too. A replayed customer who was answered talks as long as they
    did; patience, wrap-up and the handle time of a customer who gave up are drawn from the
    scenario's behaviour, so replications differ in how long customers wait before giving
    up, not in when they come or how long they talk.
    """

    arrivals: Mapping[str, tuple[tuple[float, str, float], ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """queue id -> (second, tier id, handle time) of each arrival, in order; the handle time
    is the customer's recorded conversation, NaN when unknown (they gave up: it is drawn)."""
    rosters: Mapping[str, tuple[Stretch, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """agent id -> the stretches the agent was at work, in order, none overlapping."""
    away: Mapping[str, tuple[Stretch, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """agent id -> the spells within those stretches the agent was not free (on a break)."""

    def __post_init__(self) -> None:
        for queue_id, times in self.arrivals.items():
            if any(b[0] < a[0] for a, b in itertools.pairwise(times)):
                raise DomainError(f"{queue_id}: replayed arrivals must be in time order")
            if times and times[0][0] < 0:
                raise DomainError(f"{queue_id}: a replayed arrival before the run's start")
        for agent_id, stretches in self.rosters.items():
            ends = [0.0]
            for start, end in stretches:
                if not ends[-1] <= start < end:
                    raise DomainError(
                        f"agent {agent_id}: stretches at work are in order, each ending "
                        "after it starts and before the next one"
                    )
                ends.append(end)

    @property
    def customers(self) -> int:
        """How many arrivals are replayed."""
        return sum(len(times) for times in self.arrivals.values())


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
    replay_plan: ReplayPlan | None = None
    """What to play back from the history the scenario is calibrated from."""
    replay: Replay | None = None
    """Recorded arrivals and rosters played back (with ``arrivals`` and ``shifts`` for the
    queues and agents it does not name)."""

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
        if self.replay is not None:
            self._check_replay(self.replay)

    def _check_replay(self, replay: Replay) -> None:
        for queue_id, times in replay.arrivals.items():
            if queue_id not in self.center.queues:
                raise DomainError(f"replayed arrivals for unknown queue {queue_id!r}")
            if queue_id in self.arrivals:
                raise DomainError(f"queue {queue_id}: arrivals both drawn and replayed")
            if queue_id not in self.behaviour:
                raise DomainError(f"queue {queue_id}: say how long its contacts take")
            unknown = {tier for _, tier, _ in times} - set(self.center.tiers)
            if unknown:
                raise DomainError(f"queue {queue_id}: unknown tier {sorted(unknown)[0]!r}")
        for agent_id in replay.rosters:
            if agent_id not in self.center.agents:
                raise DomainError(f"a roster for unknown agent {agent_id!r}")
            if agent_id in self.shifts:
                raise DomainError(f"agent {agent_id}: both a shift and a replayed roster")

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
        if volume is not None and self.replay is not None and self.replay.arrivals:
            raise DomainError("a replay plays back the recorded arrivals: it takes no volume")
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
            self.replay_plan,
            self.replay,
        )
