"""``carecenter intraday``: the rest of the day re-forecast from the contacts so far, with the
staffing gap of each remaining interval (:mod:`carecenter.services.intraday`)."""

from __future__ import annotations

from pathlib import Path

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.erlang import (
    MaxAbandonOption,
    MaxAsaOption,
    MaxOccupancyOption,
    PatienceOption,
    ShrinkageOption,
    TargetSlOption,
    ThresholdOption,
)
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import FORMATS, emit, render, write_file


def intraday_command(
    workspace: Path | None = WorkspaceOption,
    at: str | None = typer.Option(
        None,
        "--at",
        help="Re-forecast from this moment, YYYY-MM-DDTHH:MM (center time) [default: now].",
    ),
    queue: list[str] | None = typer.Option(
        None, "--queue", "-q", help="Only this queue's rows (repeatable) [default: every queue]."
    ),
    target_sl: float = TargetSlOption,
    threshold: float = ThresholdOption,
    max_abandon: float | None = MaxAbandonOption,
    max_occupancy: float | None = MaxOccupancyOption,
    max_asa: float | None = MaxAsaOption,
    patience: float | None = PatienceOption,
    aht: float | None = typer.Option(
        None, "--aht", help="Average handling time, seconds, for forecast rows without one."
    ),
    shrinkage: float = ShrinkageOption,
    fmt: str = FormatOption,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Re-forecast the rest of the day from the contacts so far and show the staffing gap of
    each remaining interval. Per queue of the saved forecast (`carecenter forecast --save`):
    the rest of the day's calls times 1 + w (r - 1), where r is the contacts offered so far
    over the forecast so far and w the share of the day's forecast already due; the AHT is the
    plan's and the AHT so far blended by the same w. The agents the re-forecast needs come
    from the same staffing as `carecenter staff` (give it the targets and shrinkage the plan
    was saved with), beside the saved staffing plan's (required) and the saved schedule's
    (scheduled); gap = scheduled - reforecast_required, negative when short. On stderr, per
    queue, the volume so far against the forecast so far and the ratio used."""
    from carecenter.services import intraday as service
    from carecenter.services import staffing

    if fmt not in FORMATS:
        raise InputError(
            f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", field="format"
        )
    target = staffing.make_target(
        target_sl=target_sl,
        threshold_s=threshold,
        max_asa_s=max_asa,
        max_abandon=max_abandon,
        max_occupancy=max_occupancy,
    )
    result = service.reforecast_day(
        settings_for(workspace),
        target,
        at=at,
        queues=queue or (),
        default_patience_s=patience,
        default_aht_s=aht,
        shrinkage=shrinkage,
    )
    title = f"Intraday re-forecast from {result.now:%Y-%m-%d %H:%M}"
    rows = result.rows
    if fmt == "table":
        rows = [{**r, "interval_start": f"{r['interval_start']:%Y-%m-%d %H:%M}"} for r in rows]
    if output is None:
        emit(rows, fmt, title=title, columns=service.COLUMNS)
    else:
        write_file(output, render(rows, fmt, title=title, columns=service.COLUMNS))
    for line in service.summary(result):
        typer.echo(line, err=True)
