"""``carecenter adherence``: did the agents work the saved roster
(:mod:`carecenter.services.adherence`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit, render, write_file

VIEWS = ("agent", "interval", "event")


def adherence_command(
    workspace: Path | None = WorkspaceOption,
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD (center time)."),
    end: str | None = typer.Option(
        None, "--to", help="Last day, included [default: the first day]."
    ),
    by: str = typer.Option(
        "agent",
        "--by",
        help="One row per agent (the whole period), per agent and interval, or per "
        "out-of-adherence event: agent, interval or event.",
    ),
    interval: str = typer.Option("30m", "--interval", help="Interval of --by interval."),
    tolerance: str = typer.Option(
        "5m", "--tolerance", help="Out of adherence for longer than this is an event."
    ),
    fmt: str = FormatOption,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Compare the agents' states (the warehouse's agent-state intervals: from the engine, the
    simulator or an import) with the saved roster (`carecenter roster --save`): adherence
    (time in the scheduled activity / scheduled time), conformance (time worked / scheduled
    working time) and the stretches out of adherence longer than the tolerance. On stderr,
    the whole center's adherence and conformance."""
    from carecenter.domain.durations import parse_duration, parse_whole_seconds
    from carecenter.services import adherence as service

    if by not in VIEWS:
        raise InputError(f"unknown view {by!r}; choose one of {', '.join(VIEWS)}", field="by")
    try:
        first = date.fromisoformat(start)
        last = date.fromisoformat(end) if end is not None else first
    except ValueError:
        raise InputError("--from and --to take a day YYYY-MM-DD", field="from") from None
    step = parse_whole_seconds(interval, field="interval")
    limit = parse_duration(tolerance, field="tolerance", allow_zero=True)
    result = service.measure_adherence(
        settings_for(workspace), first, last, interval_s=step, tolerance_s=limit
    )
    views = {
        "agent": service.agent_rows,
        "interval": service.interval_rows,
        "event": service.event_rows,
    }
    rows = views[by](result)
    title = f"Adherence by {by}"
    if output is None:
        emit(rows, fmt, title=title)
    else:
        write_file(output, render(rows, fmt, title=title))
    typer.echo(service.summary(result), err=True)
