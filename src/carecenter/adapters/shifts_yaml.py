"""Read ``shifts.yaml`` (``carecenter schedule``): the shift templates, their breaks and the
contracts whose days-off rules link the days of a week. Every mistake is reported with file,
line and field, as in ``center.yaml``.

.. code-block:: yaml

    under_penalty: 100        # cost of one agent missing for one interval
    over_penalty: 0           # cost of one agent too many for one interval (besides pay)
    contracts:
      full-time: {days_per_week: 5, consecutive_days_off: true}
      part-time: {days_per_week: 5, consecutive_days_off: false}
    shifts:
      day-8h:
        length: 8.5h          # breaks included
        starts: {from: "07:00", to: "12:30", every: 15m}   # or a list: ["07:00", "09:00"]
        cost_per_hour: 20
        contract: full-time
        max_per_day: 300
        breaks:
          - {name: rest, length: 15m, paid: true, from: 1h, to: 2.5h}
          - {name: meal, length: 30m, from: 3h, to: 5h}

A break's ``from`` and ``to`` are the earliest and latest time it may start, after the
shift's start. Durations take the duration syntax (``15m``, ``8.5h``) or seconds; each must
be a whole number of the requirement's intervals.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from carecenter.adapters.center_yaml import (
    line_of,
    parse_yaml,
    problems_of,
    raise_first,
    read_config_text,
)
from carecenter.adapters.routing_schema import Positive, Strict
from carecenter.adapters.scenario_schema import Duration
from carecenter.errors import ConfigError
from carecenter.wfm.roster import RosterRules
from carecenter.wfm.shifts import BreakRule, Contract, ShiftTemplate


class BreakSection(Strict):
    name: str = "break"
    """What the break is called in the schedule (rest, meal...)."""
    length: Duration
    """How long it is."""
    paid: bool = False
    """Whether the agent is paid during it."""
    from_: Duration = Field(alias="from")
    """The earliest it may start, after the shift's start."""
    to: Duration
    """The latest it may start, after the shift's start."""


class StartsSection(Strict):
    from_: str = Field(alias="from")
    """The earliest start, HH:MM."""
    to: str
    """The latest start, HH:MM (included)."""
    every: Duration
    """The step between starts."""


class ShiftSection(Strict):
    length: Duration
    """How long the shift is, its breaks included."""
    starts: dict[str, Any] | list[str]
    """When it may start: a range (``from``, ``to`` — included — and ``every``) or a list of
    HH:MM."""
    cost_per_hour: Positive
    """What a paid hour of it costs."""
    breaks: list[BreakSection] = Field(default_factory=list)
    """Its breaks, each in a window of its own."""
    contract: str | None = None
    """The contract of the agents who work it (none: no days-off rule)."""
    min_per_day: int = Field(default=0, ge=0)
    """At least this many of it each day."""
    max_per_day: int | None = Field(default=None, ge=0)
    """At most this many of it each day (none: no limit)."""


class HoursRange(Strict):
    min: float = Field(default=0.0, ge=0)
    """Least paid hours a week."""
    max: float | None = Field(default=None, ge=0)
    """Most paid hours a week (none: no limit)."""


class ContractSection(Strict):
    days_per_week: int = Field(ge=1, le=7)
    """Days an agent of the contract works in a week."""
    consecutive_days_off: bool = True
    """Whether their days off are consecutive (counting Sunday to Monday)."""
    hours_per_week: HoursRange = HoursRange()
    """The paid hours a week of its agents (rostering)."""


class RosterSection(Strict):
    min_rest: Duration = 11 * 3600.0
    """Least time between the end of an agent's shift and the start of their next."""
    max_consecutive_days: int = Field(default=6, ge=1)
    """Most days an agent works in a row."""
    unfilled_penalty: float = Field(default=100.0, ge=0)
    """Cost of one paid hour of the schedule left without an agent."""
    coverage_penalty: float = Field(default=10.0, ge=0)
    """Cost of one agent missing from a queue for one interval."""
    preference_penalty: float = Field(default=1.0, ge=0)
    """Cost of a day worked that an agent wanted off, or a start outside their preference."""


class ShiftsFile(Strict):
    shifts: dict[str, ShiftSection] = Field(min_length=1)
    """The shift templates by name."""
    contracts: dict[str, ContractSection] = Field(default_factory=dict)
    """The contracts by name."""
    under_penalty: Positive | None = None
    """Cost of one agent missing for one interval (default: five times the highest hourly
    cost, for one interval)."""
    over_penalty: float = Field(default=0.0, ge=0)
    """Cost of one agent too many for one interval, besides their pay."""
    roster: RosterSection = RosterSection()
    """The rules of every agent's week (``carecenter roster``)."""


class ShiftSettings:
    """A validated ``shifts.yaml`` for intervals of ``interval_s`` seconds."""

    def __init__(
        self,
        templates: tuple[ShiftTemplate, ...],
        contracts: tuple[Contract, ...],
        under_penalty: float,
        over_penalty: float,
        rules: RosterRules | None = None,
        contract_hours: dict[str, tuple[float, float | None]] | None = None,
    ) -> None:
        self.templates = templates
        self.contracts = contracts
        self.under_penalty = under_penalty
        self.over_penalty = over_penalty
        self.rules = rules or RosterRules()
        """The roster's rules."""
        self.contract_hours = contract_hours or {}
        """Contract -> (least, most) paid hours a week."""


def read_shifts(path: Path, interval_s: int) -> ShiftSettings:
    """Read and validate ``path`` for intervals of ``interval_s`` seconds."""
    return parse_shifts(read_config_text(path), interval_s, str(path))


def parse_shifts(text: str, interval_s: int, name: str = "shifts.yaml") -> ShiftSettings:
    """Validate the text of a shifts file (``name`` is used in messages)."""
    data, lines = parse_yaml(text, name)
    if not isinstance(data, dict):
        raise ConfigError("must be a mapping with a `shifts:` section", file=name, line=1)
    try:
        model = ShiftsFile.model_validate(data)
    except ValidationError as exc:
        raise_first(problems_of(exc, lines, name))

    def fail(message: str, field: str) -> Any:
        raise ConfigError(message, file=name, line=line_of(field, lines), field=field)

    def intervals(seconds: float, field: str) -> int:
        count = seconds / interval_s
        if not count.is_integer():
            fail(f"is not a whole number of {interval_s // 60}-minute intervals", field)
        return int(count)

    def clock(text: str, field: str) -> int:
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            fail(f"must be a time of day HH:MM, got {text!r}", field)
        assert match is not None
        return intervals((int(match.group(1)) * 60 + int(match.group(2))) * 60, field)

    contracts = tuple(
        Contract(key, c.days_per_week, c.consecutive_days_off) for key, c in model.contracts.items()
    )
    templates = []
    for key, shift in model.shifts.items():
        where = f"shifts.{key}"
        if shift.contract is not None and shift.contract not in model.contracts:
            fail(f"no contract {shift.contract!r} in contracts:", f"{where}.contract")
        if isinstance(shift.starts, dict):
            try:
                span = StartsSection.model_validate(shift.starts)
            except ValidationError as exc:
                raise_first(problems_of(exc, lines, name, f"{where}.starts."))
            first = clock(span.from_, f"{where}.starts.from")
            last = clock(span.to, f"{where}.starts.to")
            step = intervals(span.every, f"{where}.starts.every")
            if step < 1 or last < first:
                fail(
                    "must run forward from `from` to `to` in steps of 1 interval or more",
                    f"{where}.starts",
                )
            starts = tuple(range(first, last + 1, step))
        else:
            starts = tuple(
                sorted({clock(t, f"{where}.starts.{i}") for i, t in enumerate(shift.starts)})
            )
            if not starts:
                fail("give at least one start", f"{where}.starts")
        length = intervals(shift.length, f"{where}.length")
        if length < 1:
            fail("must be at least one interval", f"{where}.length")
        breaks = []
        for i, b in enumerate(shift.breaks):
            at = f"{where}.breaks.{i}"
            size = intervals(b.length, f"{at}.length")
            earliest, latest = intervals(b.from_, f"{at}.from"), intervals(b.to, f"{at}.to")
            if size < 1:
                fail("must be at least one interval", f"{at}.length")
            if latest < earliest or latest + size > length:
                fail("the break must start between `from` and `to` and end within the shift", at)
            breaks.append(BreakRule(b.name, size, earliest, latest, b.paid))
        spans = sorted((b.earliest, b.latest + b.length) for b in breaks)
        if any(spans[i + 1][0] < spans[i][1] for i in range(len(spans) - 1)):
            fail(
                "the breaks' windows overlap: give each break its own part of the shift",
                f"{where}.breaks",
            )
        templates.append(
            ShiftTemplate(
                name=key,
                length=length,
                starts=starts,
                cost_per_hour=shift.cost_per_hour,
                breaks=tuple(breaks),
                min_per_day=shift.min_per_day,
                max_per_day=shift.max_per_day,
                contract=shift.contract,
            )
        )
    under = model.under_penalty
    if under is None:
        under = 5 * max(t.cost_per_hour for t in templates) * interval_s / 3600
    r = model.roster
    rules = RosterRules(
        min_rest_min=round(r.min_rest / 60),
        max_consecutive_days=r.max_consecutive_days,
        unfilled_penalty=r.unfilled_penalty,
        coverage_penalty=r.coverage_penalty,
        preference_penalty=r.preference_penalty,
    )
    hours = {k: (c.hours_per_week.min, c.hours_per_week.max) for k, c in model.contracts.items()}
    return ShiftSettings(tuple(templates), contracts, under, model.over_penalty, rules, hours)
