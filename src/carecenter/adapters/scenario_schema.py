"""The schema of ``SCENARIO.yaml`` (pydantic): its sections (distributions, arrivals, shifts,
callers, callbacks, replay, staff groups) and their conversion to the simulator's model.
Reading a file, with each mistake's file, line and field, is :mod:`.scenario_yaml`'s work.

Durations take the duration syntax (``240s``, ``4m``, ``1.5h``, ``1d``) or seconds.
"""

from __future__ import annotations

from datetime import date, time
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from carecenter.adapters.schema_values import (
    Capacity,
    Fraction,
    Proficiency,
    Strict,
    parse_days,
    parse_span,
)
from carecenter.domain.center import WEEKDAYS
from carecenter.domain.durations import DAY_S, parse_duration
from carecenter.domain.enums import Channel
from carecenter.errors import DomainError, InputError
from carecenter.sim.callers import CallerBehaviour
from carecenter.sim.scenario import (
    Arrivals,
    Distribution,
    ReplayPlan,
    Shape,
    Shift,
)

MAX_REPLAY_S = 92 * DAY_S
"""The longest history a scenario replays: a quarter."""


def _duration(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"must be a duration such as 240s or 4m, got {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"must be 0 or more, got {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"must be a duration such as 240s or 4m, got {value!r}")
    try:
        return parse_duration(value, allow_zero=True)
    except InputError as exc:
        raise ValueError(exc.message) from None


Duration = Annotated[float, BeforeValidator(_duration)]


class DistributionSection(Strict):
    distribution: Shape = Shape.EXPONENTIAL
    mean: Duration | None = None
    sd: Duration | None = None
    values: list[Duration] = Field(default_factory=list)
    """Durations to draw from (``empirical``)."""

    @model_validator(mode="after")
    def _complete(self) -> DistributionSection:
        if self.distribution is Shape.EMPIRICAL:
            if not self.values:
                raise ValueError("an empirical distribution needs values")
        elif self.mean is None or self.mean <= 0:
            raise ValueError(f"a {self.distribution} distribution needs a mean above 0")
        if self.distribution is Shape.LOGNORMAL and not self.sd:
            raise ValueError("a lognormal distribution needs sd (its standard deviation)")
        return self

    def domain(self) -> Distribution:
        return Distribution(self.distribution, self.mean or 0.0, self.sd, tuple(self.values))


Rates = list[Annotated[float, Field(ge=0)]]


class ArrivalSection(Strict):
    per_hour: float | Rates | None = None
    """Contacts per hour: one rate all day, or one rate per ``interval`` of the day."""
    weekdays: dict[str, float | Rates] = Field(default_factory=dict)
    """Rates per weekday (``mon-fri``, ``sat``, ``sun``...), instead of or over ``per_hour``."""
    interval: Duration = DAY_S
    tiers: dict[str, Fraction] = Field(default_factory=dict)
    """Share of the callers of each tier (adding up to 1)."""
    channel: Channel = Channel.VOICE
    """The channel of contacts arriving at an entry flow (a queue's contacts take its own)."""

    def domain(self, queue_id: str) -> Arrivals:
        interval = int(self.interval) if self.interval else DAY_S
        slots = DAY_S // interval if interval and DAY_S % interval == 0 else 0
        if slots == 0:
            raise ValueError("interval: must divide a day (15m, 30m, 1h, ... 1d)")
        days: list[tuple[float, ...] | None] = [None] * 7
        if self.per_hour is not None:
            days = [_rates(self.per_hour, slots, "per_hour")] * 7
        for key, rates in self.weekdays.items():
            for day in _days(key):
                days[day] = _rates(rates, slots, f"weekdays.{key}")
        if any(d is None for d in days):
            raise ValueError("give per_hour, or rates for every weekday")
        try:
            return Arrivals(
                queue_id,
                tuple(d for d in days if d is not None),
                interval,
                MappingProxyType(dict(self.tiers)),
                self.channel,
            )
        except DomainError as exc:
            raise ValueError(str(exc)) from None


def _rates(value: float | list[float], slots: int, where: str) -> tuple[float, ...]:
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{where}: rates must be 0 or more")
        return (float(value),) * slots
    if len(value) != slots:
        raise ValueError(f"{where}: give {slots} rates (one per interval of the day)")
    return tuple(float(v) for v in value)


def _days(key: str) -> list[int]:
    try:
        return [WEEKDAYS.index(day) for day in parse_days(key)]
    except ValueError as exc:
        raise ValueError(f"weekdays: {exc}") from None


def _seconds_of(t: Any, midnight_is_end: bool = False) -> float:
    seconds = float(t.hour * 3600 + t.minute * 60 + t.second)
    return DAY_S if midnight_is_end and seconds == 0 else seconds


class ShiftSection(Strict):
    shift: str = "00:00-24:00"
    """Local working hours, every day of ``days``: ``07:00-15:30``."""
    breaks: list[str] = Field(default_factory=list)
    """Breaks as ``start+length``: ``10:00+15m``, ``12:30+30m``."""
    days: str = "mon-sun"

    def domain(self) -> Shift:
        begin, end = parse_span(self.shift, "a shift")
        breaks = []
        for text in self.breaks:
            at, plus, length = text.partition("+")
            try:
                start = _seconds_of(time.fromisoformat(at.strip()))
                seconds = parse_duration(length.strip(), field="breaks") if plus else 0.0
            except (ValueError, InputError):
                raise ValueError(f"a break looks like 12:30+30m, got {text!r}") from None
            breaks.append((start, seconds))
        try:
            return Shift(
                _seconds_of(begin),
                _seconds_of(end, midnight_is_end=True),
                tuple(breaks),
                frozenset(_days(self.days)),
            )
        except DomainError as exc:
            raise ValueError(str(exc)) from None


class CallerSection(Strict):
    menus: dict[str, dict[str, Annotated[float, Field(ge=0)]]] = Field(default_factory=dict)
    """Menu node id -> key -> share of the callers pressing it (``hangup``; ``""``: none)."""
    identified: Fraction = 0.8
    """Share of the callers asked for an account number who key in one the center knows."""

    def domain(self) -> CallerBehaviour:
        menus = {node: MappingProxyType(dict(keys)) for node, keys in self.menus.items()}
        try:
            return CallerBehaviour(MappingProxyType(menus), self.identified)
        except DomainError as exc:
            raise ValueError(str(exc)) from None


class CallbackSection(Strict):
    acceptance: Fraction = 0.0
    """Share of callers offered a callback (hold treatment) who take it."""
    no_answer: Fraction = 0.0
    """Share of callbacks the customer does not answer."""


class ReplaySection(Strict):
    arrivals: bool = True
    """Play back the arrivals recorded in the ``--calibrate-from`` workspace."""
    staffing: bool = True
    """Play back the agents seen at work there."""
    gap: Duration = 600.0
    """A pause longer than this between an agent's contacts ends a stretch at work."""

    def domain(self) -> ReplayPlan:
        return ReplayPlan(self.arrivals, self.staffing, self.gap)


class StaffSection(ShiftSection):
    count: Annotated[int, Field(ge=1, le=100_000)]
    prefix: str = "agent"
    team: str = ""
    skills: dict[str, Proficiency] = Field(default_factory=dict)
    capacity: dict[Channel, Capacity] = Field(default_factory=lambda: {Channel.VOICE: 1})
    queues: list[str] = Field(default_factory=list)
    hourly_cost: Annotated[float, Field(ge=0)] = 0.0


class ScenarioFile(Strict):
    """The whole file."""

    center: dict[str, Any] | str
    staff: list[StaffSection] = Field(default_factory=list)
    arrivals: dict[str, ArrivalSection] = Field(default_factory=dict)
    """Per queue or entry flow; may be left to ``--calibrate-from``."""
    handle_time: dict[str, DistributionSection] = Field(default_factory=dict)
    wrap_up: dict[str, DistributionSection] = Field(default_factory=dict)
    patience: dict[str, DistributionSection] = Field(default_factory=dict)
    callbacks: dict[str, CallbackSection] = Field(default_factory=dict)
    shifts: dict[str, ShiftSection] = Field(default_factory=dict)
    """Shifts of agents of the center (agent id -> shift); others work the whole run."""
    callers: dict[str, CallerSection] = Field(default_factory=dict)
    """How callers behave in each entry flow (flow id -> menu shares, accounts)."""
    replay: ReplaySection | None = None
    """Play the ``--calibrate-from`` workspace's history of the run back (arrivals, staffing)."""
    start: date = date(2026, 11, 2)
    horizon: Duration = DAY_S
    warmup: Duration = 0.0
    replications: Annotated[int, Field(ge=1, le=10_000)] = 10
    seed: int = 1
    answer_delay: Duration = 0.0
