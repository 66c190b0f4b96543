"""``carecenter export``: the workspace's facts for other engines — ``export facts`` writes
contact facts, agent-state intervals, survey answers and promises as Parquet
(:mod:`carecenter.services.export`)."""

from __future__ import annotations

from pathlib import Path

import typer

from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit

app = typer.Typer(
    help="Export the workspace's facts for other engines (Parquet for DuckDB, pandas, Spark).",
    no_args_is_help=True,
)

COLUMNS = ["table", "day", "rows", "action"]


@app.command("facts")
def facts_command(
    targets: list[str] = typer.Option(
        ...,
        "--to",
        help="The output directory, or a PostgreSQL database "
        "(postgresql://USER@HOST/DB[?options=-csearch_path%3DSCHEMA]); given a second time as "
        "YYYY-MM-DD, the period's last day (included, center time). A value that reads as a "
        "day is the day, any other the target: write ./2026-12-14 for a directory of that name.",
    ),
    workspace: Path | None = WorkspaceOption,
    start: str | None = typer.Option(
        None, "--from", help="First day, YYYY-MM-DD (center time) [default: the first fact]."
    ),
    fmt: str = FormatOption,
) -> None:
    """Write the contact facts (by the center day each visit entered its queue), the
    agent-state intervals (by the day each began), the survey answers (by the day answered)
    and the promises (by the day made) as Parquet, one file per table and day:
    DIR/contact_facts/day=YYYY-MM-DD/part-0.parquet; carecenter report --facts DIR reads
    them. Incremental and idempotent: a day whose rows are unchanged since the last export is
    not rewritten, a day of the period with no rows left is removed, days outside the period
    are left alone. A PostgreSQL database URL as the target keeps the same tables there (with a
    day column), day by day in the same way. One row per table and day: table, day, rows,
    action (written, unchanged or removed); a summary on stderr."""
    from carecenter.services import export as service

    directory, last = service.split_to(targets)
    first = service.parse_day(start, "from") if start is not None else None
    done = service.export(settings_for(workspace), directory, first=first, last=last)
    rows = [{"table": d.table, "day": d.day, "rows": d.rows, "action": d.action} for d in done]
    emit(rows, fmt, title=f"Facts exported to {service.shown(directory)}", columns=COLUMNS)
    typer.echo(service.summary_line(done), err=True)
