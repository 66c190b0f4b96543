"""Write a staffing plan as one self-contained HTML page: a chart and a table per queue.

Per queue, the chart shows the forecast calls of each interval as bars (with the forecast's
prediction interval as a shaded band when it is known) and the required and scheduled agents
as lines on a second axis; the table under it lists every number of the plan (the exact value
of a rounded number is its cell's tooltip). The page is built like the report of
:mod:`carecenter.interfaces.reports.report_html`: plotly's bundled JS is inlined once,
nothing comes from the network.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from carecenter.errors import InputError
from carecenter.interfaces.reports.report_html import figure_html, page
from carecenter.services.staffing import StaffingPage

DECIMALS = {
    "calls": 2,
    "calls_lo": 2,
    "calls_hi": 2,
    "aht_s": 1,
    "traffic_erlangs": 2,
    "p_wait": 4,
    "service_level": 4,
    "service_level_answered": 4,
    "asa_s": 1,
    "mean_wait_s": 1,
    "p_abandon": 4,
    "occupancy": 4,
    "queue_length": 2,
}
"""Decimals shown per column (other floats: 2)."""
SUMMARY_COLUMNS = ("queue", "intervals", "calls", "peak_agents", "peak_scheduled_agents")
_STYLE = "td{white-space:nowrap}"
_BAND = "rgba(31,119,180,0.18)"
_BARS = "rgba(31,119,180,0.55)"


def interval_label(start: str) -> str:
    """``2026-12-07T08:30:00`` -> ``2026-12-07 08:30``."""
    return start.replace("T", " ")[:16]


def by_queue(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The rows of each queue, queues in order of first appearance."""
    queues: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        queues[str(row["queue"])].append(row)
    return dict(queues)


def queue_figure(
    queue: str,
    rows: Sequence[Mapping[str, Any]],
    bands: Mapping[tuple[str, str], tuple[float, float]],
) -> Any:
    """Forecast calls (bars, band) and required and scheduled agents (lines) per interval."""
    import plotly.graph_objects as go  # type: ignore[import-untyped]

    fig = go.Figure()
    x = [interval_label(str(r["interval_start"])) for r in rows]
    band = [bands.get((queue, str(r["interval_start"]))) for r in rows]
    if any(b is not None for b in band):
        step = {"width": 0, "shape": "hvh"}
        lo = [b[0] if b else None for b in band]
        hi = [b[1] if b else None for b in band]
        fig.add_scatter(
            x=x, y=lo, mode="lines", line=step, showlegend=False, hoverinfo="skip", name="low"
        )
        fig.add_scatter(
            x=x,
            y=hi,
            mode="lines",
            line=step,
            fill="tonexty",
            fillcolor=_BAND,
            name="prediction interval",
            customdata=lo,
            hovertemplate="%{customdata:.1f} to %{y:.1f} calls",
        )
    fig.add_bar(x=x, y=[r["calls"] for r in rows], name="forecast calls", marker_color=_BARS)
    for key, name, dash in (
        ("agents", "required agents", "solid"),
        ("scheduled_agents", "scheduled agents", "dash"),
    ):
        fig.add_scatter(
            x=x,
            y=[r[key] for r in rows],
            yaxis="y2",
            mode="lines",
            line={"shape": "hvh", "dash": dash, "width": 2},
            name=name,
        )
    top = max([0, *(r["scheduled_agents"] for r in rows)])
    fig.update_layout(
        title=f"{queue}: forecast calls and agents per interval",
        xaxis={"type": "category", "nticks": 24},
        yaxis={"title": "calls", "rangemode": "tozero"},
        yaxis2={
            "title": "agents",
            "overlaying": "y",
            "side": "right",
            "range": [0, max(1, top) * 1.1],
            "dtick": max(1, math.ceil(top / 8)),
            "showgrid": False,
        },
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        hovermode="x unified",
        bargap=0.1,
    )
    return fig


def _cell(value: Any, column: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '<td class="n"></td>'
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"<td>{html.escape(str(value))}</td>"
    if isinstance(value, int):
        return f'<td class="n">{value}</td>'
    if math.isinf(value):
        return f'<td class="n" title="{value!r}">{"∞" if value > 0 else "-∞"}</td>'
    text = f"{value:.{DECIMALS.get(column, 2)}f}"
    return f'<td class="n" title="{value!r}">{text}</td>'


def table_html(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], css: str) -> str:
    """An HTML table of ``rows`` (numbers rounded for reading, exact in the tooltip)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_cell(r.get(c), c) for c in columns) + "</tr>" for r in rows)
    return f'<div class="wrap"><table class="{css}"><tr>{head}</tr>{body}</table></div>'


def summary_rows(queues: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """Per queue: intervals, forecast calls, and the peak required and scheduled agents."""
    return [
        {
            "queue": queue,
            "intervals": len(rows),
            "calls": float(sum(r["calls"] for r in rows)),
            "peak_agents": max(r["agents"] for r in rows),
            "peak_scheduled_agents": max(r["scheduled_agents"] for r in rows),
        }
        for queue, rows in queues.items()
    ]


def _with_band(
    rows: Sequence[Mapping[str, Any]], bands: Mapping[tuple[str, str], tuple[float, float]]
) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        lo, hi = bands.get((str(r["queue"]), str(r["interval_start"])), (None, None))
        out.append({**r, "calls_lo": lo, "calls_hi": hi})
    return out


def _columns(page: StaffingPage) -> list[str]:
    columns = list(page.columns) or (list(page.rows[0]) if page.rows else [])
    if page.bands and "calls" in columns:
        at = columns.index("calls") + 1
        columns[at:at] = ["calls_lo", "calls_hi"]
    return columns


def render(staffing: StaffingPage) -> str:
    """The whole page as one string."""
    queues = by_queue(staffing.rows)
    columns = _columns(staffing)
    sections = [
        "<h2>Summary</h2>",
        table_html(summary_rows(queues), SUMMARY_COLUMNS, "summary"),
    ]
    if not queues:
        sections.append("<p>The plan has no intervals.</p>")
    for queue, rows in queues.items():
        sections += [
            f"<h2>{html.escape(queue)}</h2>",
            figure_html(queue_figure(queue, rows, staffing.bands)),
            table_html(_with_band(rows, staffing.bands), columns, "plan"),
        ]
    return page(staffing.title, staffing.subtitle, sections, style=_STYLE)


def write_staffing_html(staffing: StaffingPage, path: Path) -> Path:
    """Write the page to ``path``; ``InputError`` naming the file when it cannot be written."""
    try:
        path.write_text(render(staffing), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(path)) from exc
    return path
