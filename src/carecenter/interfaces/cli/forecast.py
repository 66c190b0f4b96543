"""``carecenter forecast``: volume and AHT per queue and interval, with prediction intervals.

The history is a CSV file (``--history``) or, without one, the workspace's warehouse.
``--save`` keeps the forecast in the workspace as its forecast plan (``carecenter plan show
--kind forecast``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from carecenter.domain.durations import DAY_S, parse_whole_seconds
from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit
from carecenter.interfaces.cli.plan import SaveOption, command_line


def forecast_command(
    ctx: typer.Context,
    history: Path | None = typer.Option(
        None,
        "--history",
        help="CSV of interval counts: interval_start,calls,queue,aht_s (queue and aht_s "
        "optional); without it, the history is read from the workspace's warehouse.",
        exists=True,
        dir_okay=False,
    ),
    workspace: Path | None = WorkspaceOption,
    interval: str | None = typer.Option(
        None,
        "--interval",
        help="Aggregate to this interval, e.g. 15m, 30m, 1h (default: the CSV history's "
        "own; 30m from the warehouse).",
    ),
    horizon: str = typer.Option("7d", "--horizon", help="How far ahead: days (7d) or weeks (2w)."),
    model: str = typer.Option(
        "auto",
        "--model",
        help="auto (best backtest WAPE), seasonal-naive, profile, daily-shape, harmonic.",
    ),
    holidays: Path | None = typer.Option(
        None,
        "--holidays",
        help="Special days to exclude: one date[,name[,factor]] per line.",
        exists=True,
        dir_okay=False,
    ),
    exclude_date: list[str] | None = typer.Option(
        None, "--exclude-date", help="A special day YYYY-MM-DD to exclude (repeatable)."
    ),
    backtest: bool = typer.Option(
        False,
        "--backtest",
        help="Print the backtest table (WAPE, MASE, WAPE per horizon day and the "
        "coverage of the 50, 80 and 95 percent prediction intervals).",
    ),
    origins: int = typer.Option(
        12, "--origins", min=1, help="Rolling origins of the backtest (one per week)."
    ),
    level: float = typer.Option(
        0.8, "--level", min=0.5, max=0.99, help="Coverage of the prediction interval."
    ),
    day_origin: str | None = typer.Option(
        None,
        "--day-origin",
        help="Date of day 0 when the history numbers its days (weekday_index).",
    ),
    fmt: str = FormatOption,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the forecast CSV to this file."
    ),
    save: bool = SaveOption,
) -> None:
    """Forecast volume and AHT per queue and interval from an interval history (a CSV file,
    else the workspace's warehouse); --save keeps it as the workspace's forecast plan."""
    from carecenter.services import forecasting as service

    if save:
        from carecenter.services.plans import check_save_target

        check_save_target(settings_for(workspace))
    dates = [_date(d, "exclude_date") for d in exclude_date or []]
    options = service.ForecastOptions(
        interval_s=_interval(interval),
        horizon_days=_horizon(horizon),
        model=model,
        origins=origins,
        level=level,
        special_days=service.special_days(holidays, dates),
        compare_all=backtest,
        day_origin=_date(day_origin, "day_origin") if day_origin else None,
    )
    if history is not None:
        report = service.forecast_from_csv(history, options)
    else:
        report = service.forecast_from_warehouse(settings_for(workspace), options)
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for note in report.notes:
        typer.echo(f"note: {note}", err=True)
    if save:
        saved = service.save_forecast(settings_for(workspace), report, command=command_line(ctx))
        for queue in saved.unknown_queues:
            typer.echo(f"warning: queue {queue} is not in the center's configuration", err=True)
        typer.echo(saved.summary(), err=True)
    if output is not None:
        count = service.write_forecast(report, output)
        typer.echo(f"wrote {count} forecast rows to {output}", err=True)
    if backtest:
        emit(report.backtest_rows(), fmt, title="backtest")
    elif output is None:
        emit(report.rows(), fmt, title="forecast", columns=service.FORECAST_COLUMNS)


def _interval(text: str | None) -> int | None:
    return None if text is None else parse_whole_seconds(text, field="interval")


def _horizon(text: str) -> int:
    seconds = parse_whole_seconds(text, field="horizon")
    if seconds % DAY_S:
        raise InputError(f"use whole days (7d) or weeks (2w), not {text!r}", field="horizon")
    return seconds // DAY_S


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a date YYYY-MM-DD: {text!r}", field=field) from None
