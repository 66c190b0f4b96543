"""Read ``SCENARIO.yaml`` (``carecenter simulate``): every mistake is reported with file, line
and field, as in ``center.yaml``.

A scenario holds ``center:`` (the sections of a ``center.yaml`` inline, or the path of one
relative to the scenario), ``staff:`` (groups of identical agents added to that center),
``arrivals:``, ``handle_time:``, ``wrap_up:``, ``patience:`` and ``callbacks:`` per queue, and
the run: ``start``, ``horizon``, ``warmup``, ``replications``, ``seed``, ``answer_delay``.
Durations take the duration syntax (``240s``, ``4m``, ``1.5h``, ``1d``) or seconds.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

import yaml
from pydantic import BeforeValidator, Field, ValidationError, model_validator

from carecenter.adapters.center_schema import (
    Capacity,
    Fraction,
    Proficiency,
    Strict,
    parse_days,
    parse_span,
)
from carecenter.adapters.center_yaml import (
    Lines,
    parse_yaml,
    problems_of,
    raise_first,
    read_center_file,
    validate_center,
)
from carecenter.domain.center import WEEKDAYS
from carecenter.domain.durations import DAY_S, WEEK_S, parse_duration
from carecenter.domain.enums import Channel
from carecenter.engine.flow import find_flow
from carecenter.errors import ConfigError, DomainError, InputError, not_utf8
from carecenter.sim.callers import CallerBehaviour
from carecenter.sim.scenario import (
    ALL_DAY,
    Arrivals,
    Behaviour,
    Distribution,
    ReplayPlan,
    Scenario,
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


def read_scenario(path: Path) -> Scenario:
    """Read and validate the scenario file ``path``; :class:`ConfigError` names the first
    mistake (file, line, field)."""
    return load_scenario(path)[0]


def load_scenario(path: Path) -> tuple[Scenario, str]:
    """The scenario of the file ``path`` and its center as the text of a ``center.yaml``
    (the file it names, or its inline center with the agents of ``staff:`` added), for a
    workspace that records the simulation."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("no such file", file=name) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", file=name) from None
    except UnicodeDecodeError as exc:
        problem = not_utf8(exc, name)
        raise ConfigError(problem.message, file=name, line=problem.line) from None
    data: dict[str, Any] = {}
    scenario = _parse(text, name, path.parent, data)
    source = data["center"]
    if isinstance(source, str):
        return scenario, (path.parent / source).read_text(encoding="utf-8")
    header = f"# The center of the scenario {path.name}, as carecenter simulate recorded it.\n"
    return scenario, header + yaml.safe_dump(source, sort_keys=False, allow_unicode=True)


def parse_scenario(text: str, name: str = "scenario.yaml", base: Path | None = None) -> Scenario:
    """Validate the text of a scenario (``base``: where a ``center:`` path is relative to)."""
    return _parse(text, name, base, {})


def _parse(text: str, name: str, base: Path | None, out: dict[str, Any]) -> Scenario:
    data, lines = parse_yaml(text, name)
    if not isinstance(data, dict):
        raise ConfigError("must be a mapping with center: and arrivals:", file=name, line=1)
    try:
        model = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise_first(problems_of(exc, lines, name))
    shifts: dict[str, Shift] = {}
    center = _center(model, data, lines, name, base, shifts)
    out["center"] = data["center"]
    return _scenario(model, center, shifts, lines, name)


def _shift(section: ShiftSection, field: str, lines: Lines, name: str) -> Shift:
    try:
        return section.domain()
    except ValueError as exc:
        raise ConfigError(str(exc), file=name, line=_line(lines, field), field=field) from None


def _line(lines: Lines, field: str) -> int | None:
    while field:
        if field in lines:
            return lines[field]
        field = field.rpartition(".")[0]
    return None


def _center(
    model: ScenarioFile,
    data: dict[str, Any],
    lines: Lines,
    name: str,
    base: Path | None,
    shifts: dict[str, Shift],
) -> Any:
    """The scenario's center, with the agents of ``staff`` (their shifts go in ``shifts``)."""
    if isinstance(model.center, str):
        if model.staff:
            raise ConfigError(
                "staff: add agents to an inline center only (list them in the center file)",
                file=name,
                line=lines.get("staff"),
                field="staff",
            )
        return read_center_file((base or Path(".")) / model.center)
    raw = dict(model.center)
    agents = dict(raw.get("agents") or {})
    for i, group in enumerate(model.staff):
        shift = _shift(group, f"staff.{i}", lines, name)
        for n in range(1, group.count + 1):
            agent_id = f"{group.prefix}{n:0{max(3, len(str(group.count)))}d}"
            if agent_id in agents:
                raise ConfigError(
                    f"agent {agent_id!r} is already in the center: give another prefix",
                    file=name,
                    line=lines.get(f"staff.{i}.prefix") or lines.get(f"staff.{i}"),
                    field=f"staff.{i}.prefix",
                )
            agents[agent_id] = {
                "name": agent_id,
                "team": group.team,
                "skills": dict(group.skills),
                "capacity": {str(k): v for k, v in group.capacity.items()},
                "queues": list(group.queues),
                "hourly_cost": group.hourly_cost,
            }
            shifts[agent_id] = shift
    raw["agents"] = agents
    data["center"] = raw
    return validate_center(raw, lines, name, "center.")


def _scenario(
    model: ScenarioFile, center: Any, shifts: dict[str, Shift], lines: Lines, name: str
) -> Scenario:
    def fail(field: str, message: str) -> ConfigError:
        return ConfigError(message, file=name, line=_line(lines, field), field=field)

    for agent_id, hours in model.shifts.items():
        if agent_id not in center.agents:
            raise fail(f"shifts.{agent_id}", f"unknown agent {agent_id!r}")
        shifts[agent_id] = _shift(hours, f"shifts.{agent_id}", lines, name)

    for section in ("arrivals", "handle_time", "wrap_up", "patience", "callbacks"):
        for qid in getattr(model, section):
            entry = section == "arrivals" and find_flow(center, qid) is not None
            if qid not in center.queues and not entry:
                known = ", ".join(sorted(center.queues)) or "none"
                what = "queue or entry flow" if section == "arrivals" else "queue"
                raise fail(f"{section}.{qid}", f"unknown {what} {qid!r} (queues: {known})")
    callers = {}
    for flow_id, how in model.callers.items():
        if flow_id not in center.flows:
            raise fail(f"callers.{flow_id}", f"unknown entry flow {flow_id!r}")
        try:
            callers[flow_id] = how.domain()
        except ValueError as exc:
            raise fail(f"callers.{flow_id}", str(exc)) from None
    arrivals = {}
    for qid, rates in model.arrivals.items():
        if qid in center.queues and qid not in model.handle_time:
            raise fail(f"arrivals.{qid}", f"give handle_time.{qid} for the queue's contacts")
        try:
            arrivals[qid] = rates.domain(qid)
        except ValueError as exc:
            raise fail(f"arrivals.{qid}", str(exc)) from None
    behaviour = {
        qid: Behaviour(
            handle=handle.domain(),
            wrap_up=model.wrap_up[qid].domain() if qid in model.wrap_up else None,
            patience=model.patience[qid].domain() if qid in model.patience else None,
            callback_acceptance=model.callbacks.get(qid, CallbackSection()).acceptance,
            callback_no_answer=model.callbacks.get(qid, CallbackSection()).no_answer,
        )
        for qid, handle in model.handle_time.items()
    }
    if model.horizon > DAY_S and model.start.weekday() != 0 and model.replay is None:
        raise fail("start", "a scenario longer than a day starts on a Monday")
    if model.horizon <= 0:
        raise fail("horizon", "the horizon must be more than 0")
    if model.horizon > WEEK_S and model.replay is None:
        raise fail("horizon", "a drawn scenario runs at most a week (7d); a replay runs longer")
    if model.horizon > MAX_REPLAY_S:
        raise fail("horizon", "a replay runs at most 92 days")
    try:
        return Scenario(
            center,
            MappingProxyType(arrivals),
            MappingProxyType(behaviour),
            model.start,
            model.horizon,
            model.warmup,
            model.replications,
            model.seed,
            model.answer_delay,
            MappingProxyType({a: s for a, s in shifts.items() if s != ALL_DAY}),
            MappingProxyType(callers),
            model.replay.domain() if model.replay is not None else None,
        )
    except DomainError as exc:
        raise ConfigError(str(exc), file=name, line=_line(lines, "arrivals")) from None
