"""``carecenter erlang {b,c,a,staff}`` and ``carecenter staff``: queueing formulas and staffing.

The commands parse options, call :mod:`carecenter.services.staffing` and render the rows with
:func:`~carecenter.interfaces.cli.output.emit`. Bad input raises
:class:`~carecenter.errors.InputError`, which the main program turns into one line and exit 2.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from carecenter.domain.durations import parse_duration
from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit, render
from carecenter.interfaces.cli.plan import SaveOption, command_line

app = typer.Typer(
    help="Queueing formulas (Erlang B, C, A) for one interval, and the agents it needs.",
    no_args_is_help=True,
)

CallsOption = typer.Option(..., "--calls", help="Contacts offered in the interval.")
IntervalOption = typer.Option(
    "30m", "--interval", help="Interval length: 15m, 30m, 1h, 1.5h or seconds."
)
AhtOption = typer.Option(..., "--aht", help="Average handling time, seconds.")
AgentsOption = typer.Option(..., "--agents", help="Agents handling contacts.")
ThresholdOption = typer.Option(20.0, "--threshold", help="Service-level threshold, seconds.")
PatienceOption = typer.Option(
    None, "--patience", help="Mean patience before abandoning, seconds (Erlang A)."
)
MODELS: dict[str, str] = {
    "b": "Erlang B (blocked contacts are lost): blocking probability and occupancy.",
    "c": "Erlang C (nobody abandons): probability of waiting, service level, ASA, occupancy.",
    "a": "Erlang A (M/M/n+M, contacts abandon): waiting, service level, ASA and abandonment.",
}
"""The ``erlang`` measure commands: model -> help."""


def _option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _measure_options(model: str) -> list[inspect.Parameter]:
    """The options of ``erlang <model>``: Erlang A needs the patience, B and C have none."""
    patience = typer.Option(..., "--patience", help="Mean patience, seconds.")
    return [
        _option("calls", float, CallsOption),
        _option("interval", str, IntervalOption),
        _option("aht", float, AhtOption),
        _option("agents", int, AgentsOption),
        *([_option("patience", float, patience)] if model == "a" else []),
        _option("threshold", float, ThresholdOption),
        _option("fmt", str, FormatOption),
    ]


def measures(
    model: str,
    *,
    calls: float,
    interval: str,
    aht: float,
    agents: int,
    threshold: float,
    fmt: str,
    patience: float | None = None,
) -> None:
    """``erlang <model>``: parse the interval, compute the measures, print them."""
    from carecenter.services import staffing

    row = staffing.queue_measures(
        model,
        calls=calls,
        interval_s=parse_duration(interval, field="interval"),
        aht_s=aht,
        agents=agents,
        threshold_s=threshold,
        patience_s=patience,
    )
    emit([row], fmt, title=f"Erlang {model.upper()}")


def measure_command(model: str) -> Callable[..., None]:
    """The command function of ``erlang <model>``: :func:`measures` with the model's options."""

    def command(**options: Any) -> None:
        measures(model, **options)

    params = _measure_options(model)
    command.__name__ = f"erlang_{model}_command"
    command.__doc__ = MODELS[model]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return command


for _model in MODELS:
    app.command(_model)(measure_command(_model))


TargetSlOption = typer.Option(0.8, "--target-sl", help="Service level to reach (0 = none).")
MaxAbandonOption = typer.Option(None, "--max-abandon", help="Highest abandonment rate.")
MaxOccupancyOption = typer.Option(None, "--max-occupancy", help="Highest agent occupancy.")
MaxAsaOption = typer.Option(None, "--max-asa", help="Highest average speed of answer, seconds.")
ShrinkageOption = typer.Option(
    0.0, "--shrinkage", help="Share of paid time not on contacts; scheduled = ceil(n/(1-s))."
)


@app.command("staff")
def erlang_staff_command(
    calls: float = CallsOption,
    interval: str = IntervalOption,
    aht: float = AhtOption,
    target_sl: float = TargetSlOption,
    threshold: float = ThresholdOption,
    max_abandon: float | None = MaxAbandonOption,
    max_occupancy: float | None = MaxOccupancyOption,
    max_asa: float | None = MaxAsaOption,
    patience: float | None = PatienceOption,
    shrinkage: float = ShrinkageOption,
    fmt: str = FormatOption,
) -> None:
    """Fewest agents meeting the targets (Erlang A with --patience, else Erlang C)."""

    from carecenter.services import staffing

    target = staffing.make_target(
        target_sl=target_sl,
        threshold_s=threshold,
        max_asa_s=max_asa,
        max_abandon=max_abandon,
        max_occupancy=max_occupancy,
    )
    row = staffing.staff_interval(
        calls=calls,
        interval_s=parse_duration(interval, field="interval"),
        aht_s=aht,
        target=target,
        patience_s=patience,
        shrinkage=shrinkage,
    )
    columns = ["agents", "scheduled_agents", *staffing.MEASURE_COLUMNS]
    emit([row], fmt, title=f"Staffing (Erlang {row['model']})", columns=columns)


PLAN_FORMATS = ("table", "json", "csv", "html")


def staff_plan(
    ctx: typer.Context,
    volumes: Path = typer.Option(
        ...,
        "--volumes",
        help="CSV: queue,interval_start,calls,aht_s[,interval_s][,patience_s], or the forecast "
        "CSV of `carecenter forecast --output`.",
    ),
    target_sl: float = TargetSlOption,
    threshold: float = ThresholdOption,
    max_abandon: float | None = MaxAbandonOption,
    max_occupancy: float | None = MaxOccupancyOption,
    max_asa: float | None = MaxAsaOption,
    patience: float | None = typer.Option(
        None, "--patience", help="Mean patience, seconds, for rows without patience_s."
    ),
    aht: float | None = typer.Option(
        None, "--aht", help="Average handling time, seconds, for rows with an empty aht_s."
    ),
    shrinkage: float = ShrinkageOption,
    fmt: str = typer.Option(
        "table", "--format", "-f", help="table, json, csv or html (a page with charts)."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write here, not stdout (required for html)."
    ),
    save: bool = SaveOption,
    workspace: Path | None = WorkspaceOption,
) -> None:
    """Agents needed per queue and interval of a volume file (Erlang A if patience known, else C).

    The CSV columns are queue, interval_start, calls, aht_s and optionally interval_s (default
    1800), patience_s and calls_lo, calls_hi (a forecast's prediction interval, drawn as a band
    in the html chart). With --save the plan is kept in the workspace, where the contact
    engine reads its callback capacity; interval_start is then a date and time (center time
    unless it has a UTC offset).
    """

    from carecenter.services import staffing

    if fmt not in PLAN_FORMATS:
        choices = ", ".join(PLAN_FORMATS)
        raise InputError(f"unknown format {fmt!r}; choose one of {choices}", field="format")
    if fmt == "html" and output is None:
        raise InputError("--format html writes a file: give --output FILE", field="output")

    target = staffing.make_target(
        target_sl=target_sl,
        threshold_s=threshold,
        max_asa_s=max_asa,
        max_abandon=max_abandon,
        max_occupancy=max_occupancy,
    )
    options: dict[str, Any] = {
        "default_patience_s": patience,
        "default_aht_s": aht,
        "shrinkage": shrinkage,
    }
    rows = None
    if save:
        rows, saved = staffing.save_staff_plan(
            settings_for(workspace), volumes, target, command=command_line(ctx), **options
        )
        for queue in saved.unknown_queues:
            typer.echo(f"warning: queue {queue} is not in the center's configuration", err=True)
        typer.echo(saved.summary(), err=True)
    if fmt == "html" and output is not None:
        from carecenter.interfaces.reports.staffing_html import write_staffing_html

        page = staffing.staff_plan_page(volumes, target, **options)
        write_staffing_html(page, output)
        queues = len({r["queue"] for r in page.rows})
        plural = "" if queues == 1 else "s"
        typer.echo(f"wrote {output} ({queues} queue{plural}, {len(page.rows)} intervals)")
        return
    if rows is None:
        rows = staffing.staff_plan(volumes, target, **options)
    if output is None:
        emit(rows, fmt, title="Staffing plan")
        return
    text = render(rows, fmt, title="Staffing plan")
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(output)) from exc
    typer.echo(f"wrote {len(rows)} rows to {output}", err=True)
