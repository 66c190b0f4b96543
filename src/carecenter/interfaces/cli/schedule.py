"""``carecenter schedule``: the shifts, with their breaks, that cover a staffing requirement
at the least cost (:mod:`carecenter.services.scheduling`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from carecenter.errors import CareCenterError, InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit, render, write_file
from carecenter.interfaces.cli.plan import command_line

if TYPE_CHECKING:
    from carecenter.adapters.settings import Settings
    from carecenter.services.scheduling import ScheduleResult


def schedule_command(
    ctx: typer.Context,
    requirement: Path | None = typer.Option(
        None,
        "--requirement",
        help="CSV of agents to schedule: interval_start,scheduled_agents[,queue,interval_s] "
        "(`carecenter staff --format csv`); without it, the workspace's saved staffing plan.",
        dir_okay=False,
    ),
    workspace: Path | None = WorkspaceOption,
    shifts: Path | None = typer.Option(
        None,
        "--shifts",
        help="The shift templates, breaks and contracts [default: shifts.yaml in the workspace].",
        dir_okay=False,
    ),
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    days: int = typer.Option(7, "--days", min=1, max=62, help="How many days."),
    tz: str | None = typer.Option(
        None,
        "--tz",
        help="Time zone of the days (and of a CSV's times with an offset) [default: the "
        "workspace's center time zone, else UTC].",
    ),
    fmt: str = FormatOption,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the shifts here, not stdout."
    ),
    coverage: Path | None = typer.Option(
        None,
        "--coverage",
        help="Also write the coverage per interval (required, scheduled, under, over) as CSV.",
        dir_okay=False,
    ),
    time_limit: float = typer.Option(
        60.0, "--time-limit", min=1.0, help="Stop the solver after this many seconds."
    ),
    gap: float = typer.Option(
        0.001, "--gap", min=0.0, max=0.5, help="Stop within this share of the optimum."
    ),
    save: bool = typer.Option(
        False,
        "--save",
        help="Also keep the schedule in the workspace: a new version that replaces the saved "
        "schedule of its days (`carecenter plan show --kind schedule` shows it).",
    ),
    verify: bool = typer.Option(
        False,
        "--verify-with-simulation",
        help="Check the schedule with the digital twin (the saved forecast's contacts, one "
        "simulated agent per scheduled place with the center's skill mix) and add agents "
        "where a queue misses its service-level target, until none does, --max-rounds were "
        "run or --budget is spent (at most 7 days).",
    ),
    replications: int = typer.Option(
        5, "--replications", min=1, max=100, help="Replications of each simulated week."
    ),
    max_rounds: int = typer.Option(
        5, "--max-rounds", min=1, max=50, help="Most simulations (and re-solves) to run."
    ),
    budget: float | None = typer.Option(
        None, "--budget", min=0.0, help="Most the schedule may cost (staff cost, no penalties)."
    ),
    verification: Path | None = typer.Option(
        None,
        "--verification",
        help="Also write the last simulation per queue and interval (offered, service level, "
        "target, miss) as CSV.",
        dir_okay=False,
    ),
) -> None:
    """The least-cost shifts, with break placements, that cover the agents required per
    interval; prints one row per day, shift, start and break placement, and on stderr the
    cost, the LP lower bound and the optimality gap."""
    from carecenter.adapters.requirement_csv import read_requirement
    from carecenter.services import scheduling as service

    try:
        first_day = date.fromisoformat(start)
    except ValueError:
        raise InputError(f"not a date YYYY-MM-DD: {start!r}", field="from") from None
    wants_workspace = requirement is None or shifts is None or tz is None or save or verify
    settings = settings_for(workspace) if wants_workspace else None
    zone = _zone(tz, settings)
    if save and tz is not None and (center_zone := _zone(None, settings)) != zone:
        message = f"--save keeps the schedule in the center's time zone: give --tz {center_zone}"
        raise InputError(message, field="tz")
    if requirement is not None:
        rows = read_requirement(requirement)
        needed = service.requirement_of(rows, first_day, days, zone, str(requirement))
    else:
        assert settings is not None
        needed = service.requirement_from_plan(settings, first_day, days)
    if shifts is None:
        assert settings is not None
        shifts = settings.workspace / "shifts.yaml"
    result = service.make_schedule(needed, shifts, time_limit_s=time_limit, gap=gap)
    if verify:
        assert settings is not None
        result = _verified(
            settings,
            result,
            shifts,
            replications,
            max_rounds,
            budget,
            verification,
            time_limit,
            gap,
        )
    rows_out = service.shift_rows(service.scheduled_shifts(result), zone)
    if save:
        assert settings is not None
        saved = service.save_schedule(settings, result, command_line(ctx))
        typer.echo(
            f"saved schedule version {saved.version}: {saved.shifts} rows, {saved.first_day} "
            f"to {saved.last_day} ({saved.timezone})",
            err=True,
        )
    if coverage is not None:
        write_file(coverage, render(service.coverage_rows(result), "csv"))
    if output is None:
        emit(rows_out, fmt, title="Schedule")
    else:
        write_file(output, render(rows_out, fmt, title="Schedule"))
    if needed.outside:
        typer.echo(f"note: {needed.outside} requirement rows outside the days asked for", err=True)
    typer.echo(service.summary(result), err=True)


def _verified(
    settings: Settings,
    result: ScheduleResult,
    shifts: Path,
    replications: int,
    max_rounds: int,
    budget: float | None,
    verification: Path | None,
    time_limit: float,
    gap: float,
) -> ScheduleResult:
    from carecenter.services import schedule_check as check

    req = result.requirement
    twin = check.twin_of(settings, req.first_day, req.days, replications=replications, seed=1)

    def progress(done: check.Round) -> None:
        typer.echo(
            f"simulation {done.number}: staff cost {done.staff_cost:,.2f}; {done.missed} of "
            f"{done.checked} queue-intervals below target ({done.seconds:g} s)",
            err=True,
        )

    verified = check.verify_with_simulation(
        twin,
        result,
        shifts,
        max_rounds=max_rounds,
        budget=budget,
        time_limit_s=time_limit,
        gap=gap,
        progress=progress,
    )
    why = {
        "met": "every queue meets its target in the twin",
        "rounds": f"still short after {max_rounds} rounds: give --max-rounds more",
        "budget": "the next schedule would cost more than --budget: the last within it is kept",
    }
    typer.echo(why[verified.stopped], err=True)
    if verification is not None:
        write_file(verification, render(verified.rows, "csv"))
    return verified.result


def _zone(tz: str | None, settings: Settings | None) -> ZoneInfo:
    name = tz
    if name is None and settings is not None and settings.config_path.exists():
        from carecenter.services.bootstrap import bootstrap

        try:
            with bootstrap(settings, read_only=True) as ws:
                center = ws.center.load()
                name = center.timezone if center is not None else None
        except CareCenterError:  # not a workspace (yet): the days are UTC's
            name = None
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {name!r}", field="tz") from None
