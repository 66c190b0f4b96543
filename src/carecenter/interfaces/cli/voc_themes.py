"""``carecenter voc themes``: complaint texts grouped into themes
(:mod:`carecenter.services.voc_themes`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit, render, write_file

ROW_COLUMNS = ["id", "theme_id", "theme"]
SUMMARY_COLUMNS = [
    "theme_id",
    "theme",
    "top_terms",
    "examples",
    "complaints",
    "share",
    "trend_per_month",
]
MONTH_COLUMNS = ["theme_id", "theme", "month", "queue", "complaints"]


def _day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a day YYYY-MM-DD", field=field) from None


def _format_of(path: Path, fmt: str) -> str:
    """A side file's format: by its suffix (.csv, .json), else the output's."""
    return {".csv": "csv", ".json": "json"}.get(path.suffix.lower(), fmt)


def themes_command(
    file: Path | None = typer.Argument(
        None, help="A CSV of complaints; without it, the workspace's kept complaints."
    ),
    text_column: str | None = typer.Option(
        None, "--text-column", help="The file's column of complaint texts."
    ),
    id_column: str | None = typer.Option(None, "--id-column", help="The file's column of ids."),
    date_column: str | None = typer.Option(
        None, "--date-column", help="The file's column of dates received (for monthly counts)."
    ),
    queue_column: str | None = typer.Option(
        None, "--queue-column", help="The file's column of queues or products."
    ),
    workspace: Path | None = WorkspaceOption,
    start: str | None = typer.Option(
        None, "--from", help="Workspace: first day received, YYYY-MM-DD (center time)."
    ),
    end: str | None = typer.Option(None, "--to", help="Workspace: last day, included."),
    k: int = typer.Option(10, "--themes", help="How many themes."),
    seed: int = typer.Option(1, "--seed", help="Seed: same seed, same themes."),
    summary: Path | None = typer.Option(
        None, "--summary", help="Write one row per theme here (csv or json by suffix)."
    ),
    by_month: Path | None = typer.Option(
        None, "--by-month", help="Write the counts per theme, month and queue here."
    ),
    fmt: str = FormatOption,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Group complaint texts into themes (TF-IDF of words and word pairs, LSA, k-means). One row
    per complaint: id, theme_id and theme (the theme's label: its top terms). --summary: per
    theme its label, top terms, three examples, complaints, share and trend per month."""
    from carecenter.services import voc_themes as service

    if file is not None:
        if start is not None or end is not None:
            raise InputError("--from and --to are for the workspace's complaints", field="from")
        if text_column is None or id_column is None:
            missing = "text_column" if text_column is None else "id_column"
            raise InputError("needed with a FILE", field=missing)
        corpus = service.read_corpus(
            file, text_column, id_column, date_column=date_column, queue_column=queue_column
        )
    else:
        if text_column or id_column or date_column or queue_column:
            raise InputError("the column options need a FILE", field="text_column")
        corpus = service.workspace_corpus(
            settings_for(workspace), _day(start, "from"), _day(end, "to")
        )
    result = service.themes(corpus, k, seed)
    title = f"Complaint themes ({k})"
    if output is None:
        emit(result.rows, fmt, title=title, columns=ROW_COLUMNS)
    else:
        write_file(output, render(result.rows, fmt, title=title, columns=ROW_COLUMNS))
    if summary is not None:
        text = render(result.summary, _format_of(summary, fmt), columns=SUMMARY_COLUMNS)
        write_file(summary, text)
    if by_month is not None:
        text = render(result.by_month, _format_of(by_month, fmt), columns=MONTH_COLUMNS)
        write_file(by_month, text)
    for note in result.notes:
        typer.echo(note, err=True)
    for row in result.summary:
        typer.echo(f"theme {row['theme_id']}: {row['theme']} ({row['complaints']})", err=True)
