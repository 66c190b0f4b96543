"""``carecenter promises``: the promises made to customers (callback times, follow-ups,
resolution dates) and where they stand, as a table, JSON or CSV."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

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
    fmt: str = FormatOption,
) -> None:
    """List the promises made to customers (callbacks, follow-ups) and whether they were kept;
    open ones show how long they are overdue."""
    from carecenter.services.promises import COLUMNS, list_promises

    listing = list_promises(settings_for(workspace), due=due)
    rows = listing.rows
    if not rows:
        typer.echo(f"note: no promises ({due}) as of {listing.now:%Y-%m-%d %H:%M %Z}", err=True)
    if fmt == "table":
        rows = [_table_row(r) for r in rows]
    emit(rows, fmt, title=f"promises ({due})", columns=COLUMNS)
