"""``carecenter promises``: the promises made to customers (callback times, follow-ups,
resolution dates) and where they stand, as a table, JSON or CSV."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit


def _table_row(row: dict[str, Any]) -> dict[str, Any]:
    shown = dict(row)
    for key, value in row.items():
        if isinstance(value, datetime):
            shown[key] = value.strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, float) and math.isfinite(value):
            shown[key] = round(value)
    return shown


def promises_command(
    workspace: Path | None = WorkspaceOption,
    due: str = typer.Option(
        "all",
        "--due",
        help="today (due today, center time), overdue (open and past due now) or all.",
    ),
    realism: bool = typer.Option(
        False,
        "--realism",
        help="Instead of the list: per kind of promise and queue, the time keeping it really "
        "took and the promise to make (see --percentile).",
    ),
    percentile: float | None = typer.Option(
        None,
        "--percentile",
        help="With --realism: recommend the promise kept this percentage of the time "
        "[default: 90].",
    ),
    fmt: str = FormatOption,
) -> None:
    """List the promises made to customers (callbacks, follow-ups) and whether they were kept;
    open ones show how long they are overdue. With --realism: how long keeping each kind of
    promise really took (median, 90th and 95th percentiles), the promise that would have been
    kept --percentile % of the time, and the share kept with it."""
    if realism:
        _realism(workspace, 90.0 if percentile is None else percentile, fmt)
        return
    if percentile is not None:
        raise InputError("--percentile goes with --realism", field="percentile")
    from carecenter.services.promises import COLUMNS, list_promises

    listing = list_promises(settings_for(workspace), due=due)
    rows = listing.rows
    if not rows:
        typer.echo(f"note: no promises ({due}) as of {listing.now:%Y-%m-%d %H:%M %Z}", err=True)
    if fmt == "table":
        rows = [_table_row(r) for r in rows]
    emit(rows, fmt, title=f"promises ({due})", columns=COLUMNS)


def _realism(workspace: Path | None, percentile: float, fmt: str) -> None:
    from carecenter.services.promise_realism import COLUMNS, realism_report

    report = realism_report(settings_for(workspace), percentile=percentile)
    rows = report.rows
    if not rows:
        typer.echo(f"note: no promises kept or due as of {report.now:%Y-%m-%d %H:%M %Z}", err=True)
    if fmt == "table":
        rows = [_share_row(r) for r in rows]
    emit(rows, fmt, title=f"promise realism (recommend p{percentile:g})", columns=COLUMNS)
    for note in report.notes:
        typer.echo(f"note: {note}", err=True)


def _share_row(row: dict[str, Any]) -> dict[str, Any]:
    shown = _table_row(row)
    for key in ("kept_share", "kept_share_recommended"):
        if isinstance(row[key], float):
            shown[key] = f"{row[key]:.1%}"
    return shown
