"""``carecenter import FORMAT FILE...``: measure the center you already run."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit

if TYPE_CHECKING:
    from carecenter.services.importing import FileProgress
    from carecenter.services.parquet_import import ParquetImport


_FORMATS_HELP = (
    "asterisk-queue-log, amazon-connect-ctr, twilio-taskrouter, zendesk-tickets, "
    "anonymous-bank, csv, ticket-events, servicenow-incidents, survey or complaints."
)
"""Every format of :data:`carecenter.ingest.FORMATS` (a test checks it), written out so that
the CLI does not import the importers to start."""


def import_command(
    fmt: str = typer.Argument(..., metavar="FORMAT", help=f"Input format: {_FORMATS_HELP}"),
    files: list[Path] = typer.Argument(
        ..., metavar="FILE...", help="Files to import, oldest first (.gz is read too)."
    ),
    workspace: Path | None = WorkspaceOption,
    mapping: list[str] | None = typer.Option(
        None,
        "--map",
        help="FIELD=COLUMN for a column the importer does not recognise (repeatable), "
        "e.g. --map queue=qname.",
    ),
    time_zone: str | None = typer.Option(
        None, "--tz", help="Zone of times without a UTC offset, e.g. Europe/Paris."
    ),
    mapping_file: Path | None = typer.Option(
        None,
        "--mapping",
        help="Mapping file of the csv, ticket-events, survey and complaints formats (YAML).",
        dir_okay=False,
    ),
    callback_keys: list[str] | None = typer.Option(
        None,
        "--callback-key",
        help="asterisk-queue-log: a key callers press to ask for a callback (repeatable); "
        "their EXITWITHKEY is a callback request, not an exit.",
    ),
    encoding: str | None = typer.Option(
        None,
        "--encoding",
        help="Text encoding of the files, e.g. cp1252 [default: detected: a byte order mark "
        "(UTF-8, UTF-16), else UTF-8 with bytes that are not UTF-8 read as cp1252, with a "
        "warning].",
    ),
    progress: bool | None = typer.Option(
        None,
        "--progress/--no-progress",
        help="Show a progress bar on standard error [default: when standard output is a terminal].",
        show_default=False,
    ),
    to_parquet: Path | None = typer.Option(
        None,
        "--to-parquet",
        metavar="DIR",
        help="Write the import's facts straight into the Parquet export directory DIR (the "
        "layout of `export facts`; the days the files cover are rewritten, the rows DIR held "
        "for them kept), not into the workspace: for sources too big for one workspace. The "
        "workspace is not written; its center.yaml, when it has one, gives the time zone and "
        "agent aliases (else UTC). Quarantined records are appended to "
        "DIR/_import_quarantine.csv.",
        show_default=False,
    ),
    fmt_out: str = FormatOption,
) -> None:
    """Import files exported by a phone system or helpdesk into the workspace warehouse
    (or, with --to-parquet, into a Parquet export directory).

    Exit code 0 when every record was imported, 3 when some were quarantined (see the
    import_quarantine table, or DIR/_import_quarantine.csv), 2 for a usage or input error.
    """
    from carecenter.ingest import ImportOptions

    options = ImportOptions(
        mapping=_pairs(mapping or []),
        time_zone=time_zone,
        mapping_file=mapping_file,
        callback_keys=tuple(callback_keys or ()),
        encoding=encoding,
    )
    show = sys.stdout.isatty() if progress is None else progress
    settings = settings_for(workspace)
    done: ParquetImport | None = None
    with _progress_bar(show) as bar:
        if to_parquet is None:
            from carecenter.services.importing import import_files

            summary = import_files(settings, fmt, files, options, bar)
            quarantine = "are in the import_quarantine table"
        else:
            from carecenter.services.parquet_import import import_to_parquet

            done = import_to_parquet(settings, fmt, files, to_parquet, options, bar)
            summary = done.summary
            quarantine = f"were appended to {done.quarantine}"
    emit(summary.rows(), fmt_out, title=f"import {fmt}")
    total = summary.total()
    for warning in total.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for note, count in sorted(total.notes.items()):
        typer.echo(f"note: {note}: {count}", err=True)
    if total.quarantined:
        typer.echo(
            f"{total.quarantined} records quarantined (file, line and reason {quarantine}); "
            "the other records were imported",
            err=True,
        )
    if done is not None:
        _report_export(done, settings.config_path)
    raise typer.Exit(code=summary.exit_code)


def _report_export(done: ParquetImport, center_file: Path) -> None:
    """The stderr lines of an import into an export directory: the center file it went
    without, if so, and the export's summary."""
    from carecenter.services.export import summary_line

    if done.center is None:
        typer.echo(f"note: no {center_file}: center days in UTC, no agent aliases", err=True)
    typer.echo(summary_line(done.exported), err=True)


def _pairs(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise InputError(f"{item!r}: expected FIELD=COLUMN", field="map")
        out[name.strip().lower()] = column.strip()
    return out


@contextmanager
def _progress_bar(show: bool) -> Iterator[FileProgress | None]:
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeRemainingColumn,
    )

    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:

        def update(name: str, done: int, size: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(Path(name).name, total=size)
            bar.update(tasks[name], completed=done)

        yield update
