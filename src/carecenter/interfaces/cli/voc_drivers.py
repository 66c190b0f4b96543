"""``carecenter voc drivers``: which attributes move overall satisfaction
(:mod:`carecenter.services.voc_drivers`)."""

from __future__ import annotations

from pathlib import Path

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit, render, write_file


def drivers_command(
    survey_file: Path | None = typer.Argument(
        None,
        metavar="[FILE]",
        help="A survey file (CSV) to read straight; without it, the workspace's answers.",
        dir_okay=False,
    ),
    mapping: Path = typer.Option(
        ...,
        "--mapping",
        help="The survey's mapping file (YAML): its attributes, outcome and paths.",
        dir_okay=False,
    ),
    workspace: Path | None = WorkspaceOption,
    survey: str | None = typer.Option(
        None, "--survey", help="The survey whose imported answers to read [default: the mapping's]."
    ),
    scheme: str = typer.Option(
        "path",
        "--scheme",
        help="Inner weighting scheme of the PLS path model: path, centroid or factorial.",
    ),
    scaled: bool = typer.Option(
        True,
        "--scaled/--unscaled",
        help="Standardize the items (else only centre them, as plspm's scaled = FALSE).",
    ),
    fmt: str = FormatOption,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Driver analysis: fit a PLS path model of the survey's attributes (blocks of items) and
    give each attribute with a path to the outcome (overall satisfaction) its importance: its
    share of the total effects on the outcome. One row per attribute: attribute, importance
    (fractions adding up to 1), coefficient (total effect, standardized), direct (direct path
    coefficient), mean_score, respondents, r2 (the outcome's R^2); on stderr, the R^2 and
    notes."""
    from carecenter.services import voc_drivers as service

    if survey_file is not None:
        if survey is not None:
            raise InputError("give a survey FILE or --survey, not both", field="survey")
        table = service.drivers_from_file(survey_file, mapping, scheme=scheme, scaled=scaled)
    else:
        table = service.drivers_from_workspace(
            settings_for(workspace), mapping, survey=survey, scheme=scheme, scaled=scaled
        )
    title = f"Drivers of {table.outcome}"
    if output is None:
        emit(table.rows, fmt, title=title, columns=service.COLUMNS)
    else:
        write_file(output, render(table.rows, fmt, title=title, columns=service.COLUMNS))
    for line in service.summary_lines(table, scheme, scaled):
        typer.echo(line, err=True)
