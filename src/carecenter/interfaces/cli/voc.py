"""``carecenter voc``: the voice of the customer — outbound survey samples
(:mod:`carecenter.services.voc`) and estimates, survey drivers, complaint themes, message
intents and the expectation evaluation table (one module each, registered here)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit, render, write_file
from carecenter.interfaces.cli.voc_drivers import drivers_command
from carecenter.interfaces.cli.voc_estimate import estimate_command
from carecenter.interfaces.cli.voc_intents import classify_command, train_intents_command
from carecenter.interfaces.cli.voc_table import table_command
from carecenter.interfaces.cli.voc_themes import themes_command

app = typer.Typer(
    help="The voice of the customer: survey samples and estimates, satisfaction drivers, "
    "complaint themes, message intents and the expectation evaluation table.",
    no_args_is_help=True,
)
app.command("table")(table_command)
app.command("drivers")(drivers_command)
app.command("estimate")(estimate_command)
app.command("train-intents")(train_intents_command)
app.command("classify")(classify_command)
app.command("themes")(themes_command)


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a day YYYY-MM-DD", field=field) from None


@app.command("sample")
def sample_command(
    workspace: Path | None = WorkspaceOption,
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD (center time)."),
    end: str = typer.Option(..., "--to", help="Last day, included (center time)."),
    strata: str = typer.Option(
        "tier", "--strata", help="Strata dimensions, comma-separated: tier, queue, channel."
    ),
    size: int = typer.Option(..., "--size", help="How many customers to sample."),
    allocation: str = typer.Option(
        "proportional",
        "--allocation",
        help="How the sample is shared over the strata: proportional, equal or neyman "
        "(by the strata's standard deviation of CSAT).",
    ),
    exclude_days: int = typer.Option(
        90,
        "--exclude-surveyed-days",
        help="Leave out customers who answered a survey in this many days up to --to.",
    ),
    seed: int = typer.Option(1, "--seed", help="Seed of the random draw: same seed, same sample."),
    fmt: str = FormatOption,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Draw a stratified random sample of the customers who had contacts in the period (one
    stratum per customer: that of their most recent contact), leaving out customers with
    `survey_opt_out: true` and customers surveyed recently. One row per sampled customer:
    customer_id, stratum, weight (the design weight N_h / n_h) and the strata dimensions; on
    stderr, each stratum's population, excluded, sampled and weight."""
    from carecenter.services import voc as service

    dims = service.parse_strata(strata)
    result = service.draw_sample(
        settings_for(workspace),
        _day(start, "from"),
        _day(end, "to"),
        strata=dims,
        size=size,
        allocation=allocation,
        exclude_days=exclude_days,
        seed=seed,
    )
    columns = ["customer_id", "stratum", "weight", *dims]
    title = f"Survey sample ({result.allocation} allocation)"
    if output is None:
        emit(result.rows, fmt, title=title, columns=columns)
    else:
        write_file(output, render(result.rows, fmt, title=title, columns=columns))
    for line in service.summary_lines(result):
        typer.echo(line, err=True)
