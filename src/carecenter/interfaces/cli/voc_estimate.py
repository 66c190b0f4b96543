"""``carecenter voc estimate``: weighted CSAT, NPS and CES per stratum and overall, with
confidence intervals and response rates (:mod:`carecenter.services.voc_estimates`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit, render, write_file


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a day YYYY-MM-DD", field=field) from None


def _number(value: Any) -> str:
    return "-" if value is None else f"{value:.3g}"


def table_rows(
    rows: Sequence[dict[str, Any]], metrics: Sequence[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows for ``--format table``: each metric's estimate and interval in one cell,
    ``4.33 [3.32, 5]``, and its respondents in the next (``n_csat``)."""
    columns = ["stratum", "sampled", "responded", "response_rate"]
    for m in metrics:
        columns += [m, f"n_{m}"]
    table = []
    for r in rows:
        row = {c: r[c] for c in columns[:4]}
        for m in metrics:
            low, high = r[f"{m}_ci_low"], r[f"{m}_ci_high"]
            interval = "" if low is None else f" [{_number(low)}, {_number(high)}]"
            row[m] = _number(r[m]) + interval
            row[f"n_{m}"] = r[f"{m}_respondents"]
        table.append(row)
    return table, columns


def estimate_command(
    workspace: Path | None = WorkspaceOption,
    sample: Path = typer.Option(
        ..., "--sample", help="The call list `carecenter voc sample` wrote (CSV)."
    ),
    start: str = typer.Option(
        ..., "--from", help="First day of answers, YYYY-MM-DD (center time)."
    ),
    end: str = typer.Option(..., "--to", help="Last day of answers, included (center time)."),
    confidence: float = typer.Option(
        0.95, "--confidence", help="Confidence level of the intervals, between 0 and 1."
    ),
    fmt: str = FormatOption,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Estimate CSAT (mean 1-5 and satisfied share), NPS (-1 to 1) and CES (mean 1-7) per
    stratum and overall from the answers the sampled customers gave in the period, each answer
    weighted by its stratum (N_h / r_h: respondents stand for their stratum's non-respondents),
    with Student t confidence intervals. One row per stratum and an `overall` row: sampled,
    responded, response_rate, and per metric the estimate, `_ci_low`, `_ci_high` and
    `_respondents`. On stderr: the non-response of each stratum and what the estimates leave
    out."""
    from carecenter.services import voc_estimates as service

    result = service.estimate(
        settings_for(workspace),
        sample,
        _day(start, "from"),
        _day(end, "to"),
        confidence=confidence,
    )
    rows, columns = result.rows, service.columns()
    if fmt == "table":
        rows, columns = table_rows(rows, service.metric_names())
    title = f"Survey estimates ({confidence:.0%} confidence intervals)"
    if output is None:
        emit(rows, fmt, title=title, columns=columns)
    else:
        write_file(output, render(rows, fmt, title=title, columns=columns))
    for line in result.summary:
        typer.echo(line, err=True)
