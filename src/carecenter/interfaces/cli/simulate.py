"""``carecenter simulate``: the digital twin. Runs a scenario's replications through the real
contact engine and shows each queue's service level, ASA, P(wait), abandonment and occupancy
with their 95 % confidence half-widths; ``--compare`` runs two scenarios on the same random
numbers and shows the paired differences."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.output import emit

TABLE_MEASURES = ("offered", "service_level", "asa_s", "p_wait", "abandon_rate", "occupancy")


def _shown(value: Any, share: bool) -> Any:
    if isinstance(value, float) and math.isfinite(value):
        return round(value * 100, 1) if share else round(value, 1)
    return value


def _table(rows: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    """The terminal table: each measure and its ``±`` half-width, shares in percent."""
    from carecenter.interfaces.cli.report import _table_rows
    from carecenter.metrics.registry import shares

    columns = [*keys]
    for name in TABLE_MEASURES:
        columns += [name, f"±{name}"]
    plain = [
        {k: r.get(k) for k in keys}
        | {m: r.get(m) for m in TABLE_MEASURES}
        | {f"±{m}": r.get(f"{m}_half_width") for m in TABLE_MEASURES}
        for r in rows
    ]
    percent = shares() | {f"±{m}" for m in shares()}
    return _table_rows(plain, columns, frozenset(percent))


def _wrap_up(row: dict[str, Any]) -> str:
    mean = row["wrap_up_mean_s"]
    if mean is None:
        return ""
    how = " (inferred: pauses while customers waited)" if row["wrap_up_inferred"] else ""
    return f"wrap-up {mean:.0f} s{how}, "


def _calibrated(scenario: Any, source: Path) -> Any:
    """The scenario fitted to the workspace ``source`` (and its history played back, when the
    scenario says ``replay:``); what was estimated goes to stderr."""
    from carecenter.interfaces.cli.options import settings_for
    from carecenter.services.calibration import calibrate
    from carecenter.services.replay import replay_history

    settings = settings_for(source)
    fitted, rows = calibrate(settings, scenario)
    for r in rows:
        median = r["patience_median_s"]
        typer.echo(
            f"calibrated {r['queue']} from {r['days']:.1f} days: {r['arrivals_per_day']:.0f} "
            f"arrivals a day, handle time {r['handle_mean_s']:.0f} s, "
            + _wrap_up(r)
            + "patience "
            + (f"median {median:.0f} s (Kaplan-Meier), " if median is not None else "")
            + (
                f"mean {r['patience_exponential_mean_s']:.0f} s (exponential) from "
                f"{r['abandons']} abandons and {r['answered']} answered waits"
                if r["abandons"]
                else "unbounded (nobody gave up)"
            ),
            err=True,
        )
    fitted, replayed = replay_history(settings, fitted)
    for r in replayed:
        typer.echo(
            f"replayed {r['queue']}: {r['arrivals']} arrivals, {r['agents']} agents at work "
            f"for {r['agent_hours']:.0f} hours",
            err=True,
        )
    return fitted


def simulate_command(
    scenarios: list[Path] = typer.Argument(
        ..., help="SCENARIO.yaml; with --compare, BASE.yaml CHANGE.yaml.", show_default=False
    ),
    compare: bool = typer.Option(
        False, "--compare", help="Run two scenarios on the same random numbers and compare."
    ),
    replications: int | None = typer.Option(
        None,
        "--replications",
        "-n",
        min=1,
        help="Replications, 2 or more for a confidence interval [default: the scenario's].",
    ),
    seed: int | None = typer.Option(None, "--seed", help="Seed [default: the scenario's]."),
    volume: float | None = typer.Option(
        None, "--volume", min=0.0, help="Arrivals times this (1.2: 20% more calls)."
    ),
    by: str = typer.Option("", "--by", help="Also group by: channel, tier, agent, team..."),
    interval: str | None = typer.Option(
        None,
        "--interval",
        "-i",
        help="Per interval of the horizon: 15m, 30m, 1h... [default: the whole horizon].",
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json, csv or html."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to FILE (html: the page) [default: stdout]."
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", min=1, help="Processes running replications [default: one per CPU]."
    ),
    calibrate_from: Path | None = typer.Option(
        None,
        "--calibrate-from",
        help="Fit arrivals, handle times and patience (Kaplan-Meier) to this workspace's history.",
        show_default=False,
    ),
    validate: bool = typer.Option(
        False,
        "--validate",
        help="Compare the twin with the history it replays (replay: and --calibrate-from), "
        "per hour of the day.",
    ),
    workspace: Path | None = typer.Option(
        None,
        "--workspace",
        "-w",
        help="Also record every event in this workspace (created if new) and project it, "
        "for carecenter report [default: write nothing].",
        show_default=False,
    ),
) -> None:
    """Simulate a scenario through the real routing engine (the digital twin): service level,
    ASA, P(wait), abandonment and occupancy per queue, with 95% confidence half-widths over
    the replications."""
    from carecenter.adapters.scenario_yaml import read_scenario
    from carecenter.services.reporting import parse_by
    from carecenter.services.simulation import MEASURES, compare_scenarios, simulate

    if fmt not in ("table", "json", "csv", "html"):
        raise InputError(f"unknown format {fmt!r}; choose table, json, csv or html", field="format")
    wanted = 2 if compare else 1
    if len(scenarios) != wanted:
        raise InputError(
            "--compare takes exactly two scenario files (base, change)"
            if compare
            else "give one scenario file (two with --compare)",
            field="scenarios",
        )
    loaded = [read_scenario(p) for p in scenarios]
    if calibrate_from is not None:
        loaded = [_calibrated(s, calibrate_from) for s in loaded]
    loaded = [s.with_changes(replications=replications, seed=seed, volume=volume) for s in loaded]
    if compare:
        if fmt == "html":
            raise InputError("--compare prints table, json or csv", field="format")
        if workspace is not None:
            raise InputError("--compare records nothing: drop --workspace", field="workspace")
        if by or interval:
            raise InputError("--compare reports per queue: drop --by and --interval", field="by")
        rows = compare_scenarios(loaded[0], loaded[1], jobs=jobs).rows
        if fmt == "table":
            from carecenter.metrics.registry import shares

            percent = shares()
            rows = [{k: _shown(v, r["measure"] in percent) for k, v in r.items()} for r in rows]
        emit(rows, fmt, title=f"{scenarios[1].name} against {scenarios[0].name}")
        return
    if validate:
        if calibrate_from is None or workspace is not None or by or interval:
            raise InputError(
                "--validate takes --calibrate-from WORKSPACE, and no --workspace, --by or "
                "--interval",
                field="validate",
            )
        _validation(loaded[0], calibrate_from, scenarios[0], fmt, output, jobs)
        return
    groups = parse_by(by)
    if workspace is not None:
        from carecenter.adapters.scenario_yaml import load_scenario
        from carecenter.interfaces.cli.options import settings_for
        from carecenter.services.simulation import simulate_into

        _, center_yaml = load_scenario(scenarios[0])
        recorded = simulate_into(
            settings_for(workspace), loaded[0], center_yaml, by=groups, interval=interval
        )
        made = "created and " if recorded.created else ""
        typer.echo(f"{workspace}: {made}recorded {recorded.events} events", err=True)
        result = recorded.simulation
    else:
        result = simulate(loaded[0], by=groups, interval=interval, jobs=jobs)
    keys = ["queue", *groups] + (["interval_start"] if interval else [])
    if fmt == "html":
        from carecenter.interfaces.reports.simulation_html import render_simulation

        text = render_simulation(
            f"Simulated: {scenarios[0].name}",
            f"{result.replications} replications, {result.customers:,} customers, "
            f"{result.events:,} engine events; means with their 95% confidence intervals",
            result.rows,
            keys,
            MEASURES,
        )
        if output is None:
            typer.echo(text)
        else:
            output.write_text(text, encoding="utf-8")
            typer.echo(f"wrote {output}", err=True)
        return
    if fmt == "table":
        typer.echo(
            f"{result.replications} replications, {result.customers} customers, "
            f"{result.events} engine events",
            err=True,
        )
        emit(_table(result.rows, keys), fmt, title=f"simulated: {scenarios[0].name}")
        return
    columns = [*keys]
    for name in MEASURES:
        columns += [name, f"{name}_half_width"]
    emit(result.rows, fmt, columns=[*columns, "replications", "events"])


VALIDATED = ("service_level", "asa_s", "abandon_rate")


def _validation(
    scenario: Any, source: Path, path: Path, fmt: str, output: Path | None, jobs: int | None
) -> None:
    """``--validate``: the twin beside the history, per hour of the day."""
    from carecenter.interfaces.cli.options import settings_for
    from carecenter.services.validation import COMPARED, validate

    checked = validate(settings_for(source), scenario, jobs=jobs)
    result = checked.simulation
    note = (
        f"{result.replications} replications, {result.customers} customers, "
        f"{result.events} engine events"
    )
    if fmt == "html":
        raise InputError("--validate prints table, json or csv", field="format")
    if fmt == "table":
        from carecenter.interfaces.cli.report import _table_rows
        from carecenter.metrics.registry import shares

        columns, percent = ["hour", "offered", "twin_offered"], set()
        for name in VALIDATED:
            group = [name, f"twin_{name}", f"±twin_{name}", f"{name}_error"]
            columns += group
            if name in shares():
                percent.update(group)
        plain = [
            {c: r.get(c) for c in columns}
            | {f"±twin_{m}": r.get(f"twin_{m}_half_width") for m in VALIDATED}
            for r in checked.rows
        ]
        typer.echo(note, err=True)
        title = f"twin against history: {path.name}"
        emit(_table_rows(plain, columns, frozenset(percent)), fmt, title=title)
        return
    columns = ["hour"]
    for name in COMPARED:
        columns += [
            name,
            f"twin_{name}",
            f"twin_{name}_half_width",
            f"{name}_error",
            f"{name}_day_sd",
        ]
    emit(checked.rows, fmt, columns=columns)
