"""Read ``SCENARIO.yaml`` (``carecenter simulate``): every mistake is reported with file, line
and field, as in ``center.yaml``.

A scenario holds ``center:`` (the sections of a ``center.yaml`` inline, or the path of one
relative to the scenario), ``staff:`` (groups of identical agents added to that center),
``arrivals:``, ``handle_time:``, ``wrap_up:``, ``patience:`` and ``callbacks:`` per queue, and
the run: ``start``, ``horizon``, ``warmup``, ``replications``, ``seed``, ``answer_delay``.
Durations take the duration syntax (``240s``, ``4m``, ``1.5h``, ``1d``) or seconds. The
sections' schema is :mod:`.scenario_schema`.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import ValidationError

from carecenter.adapters.center_yaml import (
    Lines,
    line_of,
    parse_yaml,
    problems_of,
    raise_first,
    read_center_file,
    read_config_text,
    validate_center,
)
from carecenter.adapters.scenario_schema import (
    MAX_REPLAY_S,
    CallbackSection,
    ScenarioFile,
    ShiftSection,
)
from carecenter.domain.durations import DAY_S, WEEK_S
from carecenter.engine.flow import find_flow
from carecenter.errors import ConfigError, DomainError
from carecenter.sim.scenario import ALL_DAY, Behaviour, Scenario, Shift


def read_scenario(path: Path) -> Scenario:
    """Read and validate the scenario file ``path``; :class:`ConfigError` names the first
    mistake (file, line, field)."""
    return load_scenario(path)[0]


def load_scenario(path: Path) -> tuple[Scenario, str]:
    """The scenario of the file ``path`` and its center as the text of a ``center.yaml``
    (the file it names, or its inline center with the agents of ``staff:`` added), for a
    workspace that records the simulation."""
    name = str(path)
    text = read_config_text(path)
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
        raise ConfigError(str(exc), file=name, line=line_of(field, lines), field=field) from None


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
        return ConfigError(message, file=name, line=line_of(field, lines), field=field)

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
        raise ConfigError(str(exc), file=name, line=line_of("arrivals", lines)) from None
