"""``carecenter roster``: the named agents who work the saved schedule's shifts
(:mod:`carecenter.services.rostering`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit, render, write_file
from carecenter.interfaces.cli.plan import command_line


def roster_command(
    ctx: typer.Context,
    workspace: Path | None = WorkspaceOption,
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    days: int = typer.Option(7, "--days", min=1, max=62, help="How many days."),
    shifts: Path | None = typer.Option(
        None,
        "--shifts",
        help="The contracts' hours and the roster's rules [default: shifts.yaml in the workspace].",
        dir_okay=False,
    ),
    fmt: str = FormatOption,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the roster here, not stdout."
    ),
    agents: Path | None = typer.Option(
        None,
        "--agents",
        help="Also write one row per agent (days, paid hours, contract hours) as CSV.",
        dir_okay=False,
    ),
    time_limit: float = typer.Option(
        30.0, "--time-limit", min=1.0, help="Stop the solver after this many seconds."
    ),
    save: bool = typer.Option(
        False,
        "--save",
        help="Also keep the roster in the workspace: a new version that replaces the saved "
        "roster of its days (`carecenter plan show --kind roster` shows it; `carecenter "
        "adherence` compares the agents' states with it; the next roster starts from it).",
    ),
) -> None:
    """Assign the center's agents (center.yaml: skills, contract, hours, availability, leave,
    preferences) to the shifts of the saved schedule, keeping every hard rule (one shift a
    day, rest, days in a row, contract hours and days, days off together, availability) and
    leaving the fewest paid hours open; prints one row per shift and agent, then the places
    left open. An impossible roster is explained: which rule, which agents, which days."""
    from carecenter.services import rostering as service

    try:
        first_day = date.fromisoformat(start)
    except ValueError:
        raise InputError(f"not a date YYYY-MM-DD: {start!r}", field="from") from None
    settings = settings_for(workspace)
    result = service.make_roster(settings, first_day, days, shifts, time_limit_s=time_limit)
    rows = service.roster_rows(result)
    if agents is not None:
        write_file(agents, render(service.agent_rows(result), "csv"))
    if output is None:
        emit(rows, fmt, title="Roster")
    else:
        write_file(output, render(rows, fmt, title="Roster"))
    typer.echo(service.summary(result), err=True)
    if result.broken:
        raise InputError(f"the roster breaks a rule: {result.broken[0]}", field="roster")
    if save:
        saved = service.save_roster(settings, result, command_line(ctx))
        typer.echo(
            f"saved roster version {saved.version}: {saved.shifts} shifts, {saved.first_day} "
            f"to {saved.last_day} ({saved.timezone}), {saved.open_places} places open",
            err=True,
        )
