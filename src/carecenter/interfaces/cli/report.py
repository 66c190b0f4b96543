"""``carecenter report``: service benchmarks per interval and group, as a table, JSON, CSV or
a self-contained HTML page with charts; ``--gaps`` compares with targets and peers."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import render, render_columns

REPORT_FORMATS = ("table", "json", "csv", "html")
AGENT_TABLE_COLUMNS = ("handled", "aht_s", "avg_acw_s", "occupancy", "utilization", "long_calls")


def _shown(column: str, shares: frozenset[str]) -> str:
    return f"{column}_%" if column in shares else column


def _table_rows(
    rows: list[dict[str, Any]], columns: list[str], percent: frozenset[str] | None = None
) -> list[dict[str, Any]]:
    """Rows for the terminal table: shares (the catalog says which: the report's ``shares``,
    else the registry's) as percent in ``<key>_%``."""
    if percent is None:
        from carecenter.metrics.registry import shares

        percent = shares()
    out = []
    for row in rows:
        shown: dict[str, Any] = {}
        for c in columns:
            value = row.get(c)
            if isinstance(value, datetime):
                value = value.strftime("%Y-%m-%d %H:%M")
            elif isinstance(value, float) and math.isfinite(value):
                value = round(value * 100, 1) if c in percent else round(value, 1)
            shown[_shown(c, percent)] = value
        out.append(shown)
    return out


def _write(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)


def report_command(
    workspace: Path | None = WorkspaceOption,
    start: str | None = typer.Option(
        None, "--from", help="First day or time (YYYY-MM-DD[THH:MM], center time) [default: data]."
    ),
    end: str | None = typer.Option(
        None, "--to", help="Last day (included) or end time (excluded) [default: data]."
    ),
    interval: str = typer.Option(
        "1d", "--interval", "-i", help="15m, 30m, 45m, 1h... (dividing a day), 1d, 1w or all."
    ),
    by: str = typer.Option(
        "",
        "--by",
        help="Group by, comma separated: queue, channel, tier, topic, agent, team, site; "
        "with --tickets also priority.",
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json, csv or html."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to FILE."),
    peers: Path | None = typer.Option(
        None, "--peers", help="Peer-benchmark CSV (metric,value[,queue]) for the gap table."
    ),
    gaps: bool = typer.Option(False, "--gaps", help="Show the gap table: ours, target, peer."),
    fcr: bool = typer.Option(True, "--fcr/--no-fcr", help="Compute first-contact resolution."),
    percentiles: bool = typer.Option(
        True,
        "--percentiles/--no-percentiles",
        help="Compute wait, handle and response percentiles.",
    ),
    tickets: bool = typer.Option(
        False,
        "--tickets",
        help="Report tickets instead of contacts: first response, resolution (business hours), "
        "reopen rate, SLA met, backlog.",
    ),
    facts: str | None = typer.Option(
        None,
        "--facts",
        metavar="DIR|URL",
        help="Report on an export of facts (carecenter export facts --to DIR|URL) instead of "
        "the workspace: a directory, or a PostgreSQL database URL.",
    ),
    backend: str | None = typer.Option(
        None,
        "--backend",
        help="With --facts: run the catalog on duckdb or spark (a directory) or postgres (a "
        "database URL) [default: duckdb for a directory, postgres for a URL].",
        show_default=False,
    ),
    spark_remote: str | None = typer.Option(
        None,
        "--spark-remote",
        help="With --backend spark: a Spark Connect server sc://HOST:PORT [default: local mode].",
    ),
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        help="With --facts: the center file whose queues and agents the report uses "
        "[default: the workspace's center.yaml when there is one].",
        dir_okay=False,
    ),
) -> None:
    """Service benchmarks (offered, service level, ASA, abandonment, AHT, occupancy...) per
    interval and group."""
    from carecenter.services import reporting

    if fmt not in REPORT_FORMATS:
        raise InputError(
            f"unknown format {fmt!r}; choose one of {', '.join(REPORT_FORMATS)}", field="format"
        )
    period = reporting.Period(start, end)
    groups = reporting.parse_by(by)
    if facts is not None:
        _facts_report(
            facts,
            workspace,
            config,
            backend,
            spark_remote,
            period,
            interval,
            groups,
            fmt,
            output,
            fcr=fcr,
            percentiles=percentiles,
            others=tickets or gaps or fmt == "html",
        )
        return
    for name, given in (
        ("backend", backend),
        ("spark_remote", spark_remote),
        ("config", config),
    ):
        if given:
            raise InputError("this option goes with --facts DIR", field=name)
    settings = settings_for(workspace)
    if tickets:
        _ticket_report(settings, period, interval, groups, fmt, output, percentiles, gaps)
        return
    if fmt == "html":
        if output is None:
            raise InputError("--format html writes a file: give --output FILE", field="output")
        from carecenter.interfaces.reports.report_html import write_html

        page = reporting.html_report(
            settings, period=period, interval=interval, by=groups, peers=peers, fcr=fcr
        )
        typer.echo(f"wrote {write_html(page, output)}")
        return
    if gaps:
        rows = reporting.gap_table(settings, period=period, peers=peers, fcr=fcr)
        _write(render(rows, fmt, title="targets and peers", columns=reporting.GAP_COLUMNS), output)
        return
    report = reporting.metrics_report(
        settings, period=period, interval=interval, by=groups, fcr=fcr, percentiles=percentiles
    )
    for note in reporting.unrecorded(report):
        typer.echo(f"note: {note}", err=True)
    if not report.rows and (tickets_held := reporting.tickets_held(settings)):
        typer.echo(
            f"note: no contacts; the warehouse holds {tickets_held} tickets: "
            "carecenter report --tickets",
            err=True,
        )
    _show(report, groups, fmt, output)


def _show(report: Any, groups: tuple[str, ...], fmt: str, output: Path | None) -> None:
    if fmt != "table":
        _write(render_columns(report.columns, report.values, fmt), output)
        return
    from carecenter.metrics.spec import HEADLINE

    extra = AGENT_TABLE_COLUMNS if "agent" in groups else ()
    columns = ["interval_start", *groups, *HEADLINE, *(c for c in extra if c not in HEADLINE)]
    rows = _table_rows(report.rows, columns, report.shares)
    shown = [_shown(c, report.shares) for c in columns]
    _write(render(rows, "table", title="service report", columns=shown), output)


def _facts_report(
    facts: str,
    workspace: Path | None,
    config: Path | None,
    backend: str | None,
    spark_remote: str | None,
    period: Any,
    interval: str,
    groups: tuple[str, ...],
    fmt: str,
    output: Path | None,
    *,
    fcr: bool,
    percentiles: bool,
    others: bool,
) -> None:
    """``report --facts DIR``: the catalog on an export directory (a table, JSON or CSV)."""
    from carecenter.services import reporting

    if others:
        raise InputError(
            "--facts gives the service report as a table, json or csv (no html page, gap table "
            "or tickets)",
            field="facts",
        )
    if config is not None and workspace is not None:
        raise InputError("give --workspace or --config, not both", field="config")
    if config is None:
        path = settings_for(workspace).config_path
        config = path if path.exists() else None
    report = reporting.facts_report(
        facts,
        backend=backend,
        remote=spark_remote,
        config=config,
        period=period,
        interval=interval,
        by=groups,
        fcr=fcr,
        percentiles=percentiles,
    )
    for note in reporting.unrecorded(report):
        typer.echo(f"note: {note}", err=True)
    _show(report, groups, fmt, output)


TICKET_TABLE_COLUMNS = (
    "tickets_created",
    "first_response_s",
    "first_response_p90_s",
    "resolution_s",
    "resolution_p90_s",
    "reopen_rate",
    "sla_met_rate",
    "backlog",
)


def _ticket_report(
    settings: Any,
    period: Any,
    interval: str,
    groups: tuple[str, ...],
    fmt: str,
    output: Path | None,
    percentiles: bool,
    gaps: bool,
) -> None:
    from carecenter.services import reporting

    if fmt == "html" or gaps:
        raise InputError(
            "a table, json or csv only (no html page or gap table yet)", field="tickets"
        )
    report = reporting.ticket_report(
        settings, period=period, interval=interval, by=groups, percentiles=percentiles
    )
    if fmt != "table":
        _write(render_columns(report.columns, report.values, fmt), output)
        return
    columns = ["interval_start", *groups, *TICKET_TABLE_COLUMNS]
    rows = _table_rows(report.rows, columns, report.shares)
    shown = [_shown(c, report.shares) for c in columns]
    _write(render(rows, "table", title="ticket report", columns=shown), output)
