"""``carecenter voc table``: the customer expectation evaluation table
(:mod:`carecenter.services.voc_table`)."""

from __future__ import annotations

from pathlib import Path

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import render, write_file

TABLE_FORMATS = ("table", "json", "csv", "html")
VIEWS = ("expectations", "peers")


def _file(path: Path | None, option: str) -> Path | None:
    if path is not None and not path.is_file():
        raise InputError(f"no such file: {path}", field=option)
    return path


def table_command(
    workspace: Path | None = WorkspaceOption,
    register: Path | None = typer.Option(
        None, "--register", help="The expectation register (YAML): saved, replacing the last."
    ),
    themes: Path | None = typer.Option(
        None, "--themes", help="Complaint theme summary CSV (voc themes --summary): saved."
    ),
    drivers: Path | None = typer.Option(
        None, "--drivers", help="Driver importance CSV (voc drivers): saved."
    ),
    peers: Path | None = typer.Option(
        None,
        "--peers",
        help="Peers file CSV (benchmarks, mystery shopping, features; as report --peers): saved.",
    ),
    view: str = typer.Option(
        "expectations", "--view", help="expectations (the ranked table) or peers (the comparison)."
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json, csv or html."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Rank the register's expectations by score = impact x importance x gap x weight / effort,
    with their evidence: complaints of the linked themes, survey gap (expectation - perception),
    driver importance, peer gap and features peers offer that the center does not. Files given
    are saved in the workspace (each replacing the last); the others are the saved ones. One
    row per expectation: its class (now, medium, long or guide; the manager's, else the
    suggested one), effort, impact, owner, the evidence and the score."""
    from carecenter.services import voc_table as service

    if fmt not in TABLE_FORMATS:
        raise InputError(
            f"unknown format {fmt!r}; choose one of {', '.join(TABLE_FORMATS)}", field="format"
        )
    if view not in VIEWS:
        raise InputError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}", field="view")
    result = service.evaluate(
        settings_for(workspace),
        register=_file(register, "register"),
        themes=_file(themes, "themes"),
        drivers=_file(drivers, "drivers"),
        peers=_file(peers, "peers"),
    )
    if fmt == "html":
        from carecenter.interfaces.reports.voc_table_html import page

        text = page(result)
    elif view == "peers":
        text = render(
            result.peer_rows, fmt, title="The center and its peers", columns=service.PEER_COLUMNS
        )
    else:
        columns = service.SHORT_COLUMNS if fmt == "table" else service.COLUMNS
        text = render(result.rows, fmt, title="Customer expectations", columns=columns)
    if output is None:
        typer.echo(text)
    else:
        write_file(output, text)
    for note in result.notes:
        typer.echo(note, err=True)
