"""``carecenter plan``: the plans saved in the workspace (``forecast --save``, ``staff
--save``): the current plan per queue and interval, its history, and the saved versions.

:func:`command_line` is what the saving commands record as the command that made a version.
"""

from __future__ import annotations

import shlex
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit

app = typer.Typer(
    help="The plans saved in the workspace (forecast --save, staff --save).",
    no_args_is_help=True,
)

KindOption = typer.Option(
    "staff", "--kind", "-k", help="Which plan: staff, forecast, schedule or roster."
)
SaveOption = typer.Option(
    False,
    "--save",
    help="Also save the rows as the workspace's plan: a new version that replaces the current "
    "plan of the same queues and intervals (earlier versions stay in the history).",
)


def command_line(ctx: typer.Context) -> str:
    """The running command (``ctx``) as it could be typed again: its name and the options
    given that differ from their defaults."""
    parts = ["carecenter", *ctx.command_path.split()[1:]]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if value is None or value is False or value == param.default or value in ([], ()):
            continue
        flags = [o for o in param.opts if o.startswith("--")] or param.opts
        flag = max(flags, key=len)
        if getattr(param, "is_flag", False):
            parts.append(flag)
        elif isinstance(value, list | tuple):
            for one in value:
                parts += [flag, str(one)]
        elif param.param_type_name == "argument":
            parts.append(str(value))
        else:
            parts += [flag, str(value)]
    return shlex.join(parts)


def _table_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else v for k, v in row.items()
    }


@app.command("show")
def show_command(
    workspace: Path | None = WorkspaceOption,
    kind: str = KindOption,
    start: str | None = typer.Option(
        None, "--from", help="First day or time (YYYY-MM-DD[THH:MM], center time) [default: all]."
    ),
    end: str | None = typer.Option(
        None, "--to", help="Last day (included) or end time (excluded) [default: all]."
    ),
    queue: list[str] | None = typer.Option(
        None, "--queue", "-q", help="Only this queue (repeatable) [default: every queue]."
    ),
    history: bool = typer.Option(
        False,
        "--history",
        help="Also show the rows later saves replaced, with the version that replaced each.",
    ),
    fmt: str = FormatOption,
) -> None:
    """Show the current plan per queue and interval (times in the center's time zone): the
    staffing plan (agents, scheduled agents, measures; a table shows the main ones) or the
    forecast (calls with their prediction interval, AHT); or the saved schedule of the days
    from --from to --to (its shifts with their breaks), or their saved roster (each agent's
    shift)."""
    from carecenter.domain.plans import PlanKind
    from carecenter.services import plans

    if kind in ("schedule", "roster"):
        _show_schedule(settings_for(workspace), kind, start, end, fmt)
        return
    if kind not in plans.KINDS:
        shown = ", ".join((*plans.KINDS, "schedule", "roster"))
        raise InputError(f"unknown plan {kind!r}; choose one of {shown}", field="kind")
    listing = plans.show_plan(
        settings_for(workspace),
        kind=plans.check_kind(kind),
        period=(start, end),
        queues=queue or (),
        history=history,
    )
    rows, columns = listing.rows, listing.columns
    if fmt == "table":
        rows = [_table_row(r) for r in rows]
        if listing.kind is PlanKind.STAFF:
            extra = columns[len(plans.STAFF_PLAN_COLUMNS) :]
            columns = (*plans.STAFF_TABLE_COLUMNS, *extra)
    emit(rows, fmt, title=f"{listing.kind} plan", columns=columns)


def _show_schedule(settings: Any, kind: str, start: str | None, end: str | None, fmt: str) -> None:
    from datetime import date

    from carecenter.services import rostering, scheduling

    if start is None:
        raise InputError("give the first day: --from YYYY-MM-DD", field="start")
    try:
        first = date.fromisoformat(start)
        last = date.fromisoformat(end) if end is not None else first
    except ValueError:
        raise InputError(
            f"--from and --to take a day YYYY-MM-DD for a {kind}", field="start"
        ) from None
    if kind == "roster":
        emit(rostering.saved_roster(settings, first, last), fmt, title="roster")
    else:
        emit(scheduling.saved_schedule(settings, first, last), fmt, title="schedule")


@app.command("compare")
def compare_command(
    workspace: Path | None = WorkspaceOption,
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD (center time)."),
    end: str | None = typer.Option(
        None, "--to", help="Last day, included [default: the first day]."
    ),
    interval: str | None = typer.Option(
        None, "--interval", help="Interval, e.g. 30m or 1d [default: the staffing plan's]."
    ),
    by: str | None = typer.Option(
        None,
        "--by",
        help="queue: one row per interval and queue, from the saved roster, each agent's time "
        "and cost split between the queues by their handling time [default: all queues "
        "together, from the saved schedule].",
    ),
    fmt: str = FormatOption,
) -> None:
    """Required, scheduled and actual agents per interval (all queues together, or per queue
    with --by queue), and the cost per handled contact as scheduled and as it happened: the
    staffing plan, the saved schedule (or roster) and the agent-state facts side by side."""
    from datetime import date

    from carecenter.domain.durations import parse_whole_seconds
    from carecenter.services import staff_by_queue
    from carecenter.services.staff_vs_plan import COLUMNS, compare_staffing

    if by not in (None, "queue"):
        raise InputError(f"unknown grouping {by!r}; the only one is queue", field="by")

    try:
        first = date.fromisoformat(start)
        last = date.fromisoformat(end) if end is not None else first
    except ValueError:
        raise InputError("--from and --to take a day YYYY-MM-DD", field="start") from None
    step = parse_whole_seconds(interval, field="interval") if interval is not None else None
    if by == "queue":
        rows = staff_by_queue.compare_by_queue(settings_for(workspace), first, last, step)
        columns: tuple[str, ...] = staff_by_queue.COLUMNS
    else:
        rows, columns = compare_staffing(settings_for(workspace), first, last, step), COLUMNS
    if fmt == "table":
        rows = [_table_row(r) for r in rows]
    emit(rows, fmt, title="required, scheduled and actual staff", columns=columns)


@app.command("versions")
def versions_command(
    workspace: Path | None = WorkspaceOption,
    kind: str | None = typer.Option(
        None, "--kind", "-k", help="Only this plan: staff or forecast [default: both]."
    ),
    fmt: str = FormatOption,
) -> None:
    """List the saved versions of the plans: when each was saved, by which command, the
    period it spans, its rows and how many earlier rows it replaced."""
    from carecenter.services import plans

    chosen = plans.check_kind(kind) if kind is not None else None
    rows = plans.plan_versions(settings_for(workspace), chosen)
    if not rows:
        typer.echo("note: no plan saved yet", err=True)
    if fmt == "table":
        rows = [_table_row(r) for r in rows]
    emit(rows, fmt, title="plan versions", columns=plans.VERSION_COLUMNS)
