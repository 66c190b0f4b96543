"""Write a report as one self-contained HTML file: charts and tables, readable offline.

The charting library is plotly's bundled ``plotly.min.js`` (from the installed Python package,
``plotly.offline.get_plotlyjs()``), inlined once in the page; no script, style or font comes
from the network.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from carecenter.metrics.registry import shares
from carecenter.services.reporting import HtmlReport
from carecenter.services.voc_table import SHORT_COLUMNS

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
AGENT_COLUMNS = (
    "agent",
    "team",
    "site",
    "handled",
    "aht_s",
    "avg_acw_s",
    "occupancy",
    "utilization",
    "long_calls",
    "long_call_rate",
    "staffed_hours",
    "cost_per_contact",
)
SITE_COLUMNS = (
    "site",
    "kind",
    "handled",
    "service_level",
    "asa_s",
    "aht_s",
    "fcr",
    "csat",
    "staffed_hours",
    "staff_cost",
    "outsourced_cost",
    "cost_per_contact",
)
STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em;margin-bottom:0}p.sub{color:#666;margin-top:.3em}
h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em}td,th{padding:3px 8px;border-bottom:1px solid #eee}
th{text-align:left;background:#f6f6f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b00020}.good{color:#1b7f3b}.wrap{overflow-x:auto;max-height:40em}
"""


def _x(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return [r["interval_start"].strftime("%Y-%m-%d %H:%M") for r in rows]


def volume_figure(report: HtmlReport) -> Any:
    """Offered, answered and abandoned contacts per interval."""
    import plotly.graph_objects as go  # type: ignore[import-untyped]

    fig = go.Figure()
    x = _x(report.totals)
    for key, color in (("offered", "#888"), ("answered", "#1f77b4"), ("abandoned", "#d62728")):
        fig.add_bar(x=x, y=[r[key] for r in report.totals], name=key, marker_color=color)
    fig.update_layout(barmode="group", title="Contacts per interval", yaxis_title="contacts")
    return fig


def _by_queue(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    queues: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        queues[str(r.get("queue"))].append(r)
    return dict(sorted(queues.items()))


def service_level_figure(report: HtmlReport) -> Any:
    """Service level per interval and queue, with each queue's target as a dashed line."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for queue, rows in _by_queue(report.by_queue).items():
        x = _x(rows)
        fig.add_scatter(
            x=x,
            y=[r["service_level"] for r in rows],
            mode="lines+markers",
            name=queue,
            legendgroup=queue,
        )
        target = report.sl_targets.get(queue)
        if target is not None and x:
            fig.add_scatter(
                x=[x[0], x[-1]],
                y=[target, target],
                mode="lines",
                line={"dash": "dash"},
                name=f"{queue} target",
                legendgroup=queue,
                showlegend=True,
            )
    fig.update_layout(
        title="Service level against target",
        yaxis_title="share",
        yaxis_tickformat=".0%",
        yaxis_range=[0, 1.05],
    )
    return fig


def asa_figure(report: HtmlReport) -> Any:
    """Average speed of answer per interval: the center and each queue."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_scatter(
        x=_x(report.totals),
        y=[r["asa_s"] for r in report.totals],
        mode="lines",
        name="center",
        line={"width": 3, "color": "#222"},
    )
    for queue, rows in _by_queue(report.by_queue).items():
        fig.add_scatter(x=_x(rows), y=[r["asa_s"] for r in rows], mode="lines", name=queue)
    fig.update_layout(title="Average speed of answer", yaxis_title="seconds")
    return fig


def heat_matrix(rows: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[float | None]]]:
    """Mean offered contacts per weekday (rows, Monday first) and time of day (columns)."""
    sums: dict[tuple[int, str], float] = defaultdict(float)
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for r in rows:
        start: datetime = r["interval_start"]
        key = (start.weekday(), start.strftime("%H:%M"))
        sums[key] += r["offered"] or 0
        counts[key] += 1
    slots = sorted({slot for _, slot in sums})
    z = [
        [sums[(d, s)] / counts[(d, s)] if counts[(d, s)] else None for s in slots] for d in range(7)
    ]
    return slots, z


def heatmap_figure(report: HtmlReport) -> Any:
    """Weekday × time-of-day heatmap of the mean contacts offered."""
    import plotly.graph_objects as go

    slots, z = heat_matrix(report.heat)
    fig = go.Figure(
        go.Heatmap(
            x=slots,
            y=list(WEEKDAYS),
            z=z,
            colorscale="Blues",
            colorbar={"title": "offered"},
            hoverongaps=False,
        )
    )
    fig.update_layout(
        title="Offered contacts: weekday × time of day (mean)", yaxis_autorange="reversed"
    )
    return fig


def format_value(value: Any, column: str) -> tuple[str, str]:
    """``value`` as table text and its CSS class (shares, as the catalog says, in percent)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "", "n"
    if isinstance(value, bool):
        return ("yes" if value else "no"), ("good" if value else "bad")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M"), ""
    if isinstance(value, float):
        if column in shares():  # the catalog says which metrics are shares
            return f"{value:.1%}", "n"
        return f"{value:,.1f}", "n"
    if isinstance(value, int):
        return f"{value:,}", "n"
    return html.escape(str(value)), ""


def table_html(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """An HTML table of ``rows`` (values formatted, text escaped)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for r in rows:
        cells = []
        for c in columns:
            text, css = format_value(r.get(c), c)
            cells.append(f'<td class="{css}">{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="wrap"><table><tr>{head}</tr>{"".join(body)}</table></div>'


def _gap_rows(gaps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for g in gaps:
        row = dict(g)
        for key in ("ours", "target", "peer", "gap", "peer_gap"):
            value = row.get(key)
            row[key] = format_value(value, str(g["metric"]))[0] if value is not None else None
        out.append(row)
    return out


def staffing_figure(report: HtmlReport) -> Any:
    """Required, scheduled and actual agents per interval, all queues together."""
    import plotly.graph_objects as go

    rows = report.staffing
    fig = go.Figure()
    for key, label, shape in (
        ("required", "required (staffing plan)", "hv"),
        ("scheduled", "scheduled (saved schedule)", "hv"),
        ("actual", "actual (logged in, not on a break)", "hv"),
    ):
        fig.add_scatter(
            x=_x(rows), y=[r[key] for r in rows], name=label, mode="lines", line_shape=shape
        )
    fig.update_layout(yaxis_title="agents", height=360, margin={"t": 30})
    return fig


STAFF_DAY_COLUMNS = (
    "day",
    "queue",
    "required",
    "scheduled",
    "actual",
    "handled",
    "scheduled_cost",
    "actual_cost",
    "scheduled_cost_per_contact",
    "cost_per_contact",
)


def staffing_by_queue_figure(report: HtmlReport) -> Any:
    """Required, rostered and actual agents per interval, one panel per queue (an agent who
    serves several queues counts in each by their share of handling time)."""
    from plotly.subplots import make_subplots  # type: ignore[import-untyped]

    rows = report.staffing_by_queue
    queues = sorted({str(r["queue"]) for r in rows})
    fig = make_subplots(
        rows=len(queues), cols=1, shared_xaxes=True, subplot_titles=queues, vertical_spacing=0.08
    )
    colors = {"required": "#888", "scheduled": "#1f77b4", "actual": "#d62728"}
    labels = {
        "required": "required (staffing plan)",
        "scheduled": "scheduled (saved roster)",
        "actual": "actual (logged in, not on a break)",
    }
    for n, queue in enumerate(queues, start=1):
        mine = [r for r in rows if r["queue"] == queue]
        for key in ("required", "scheduled", "actual"):
            fig.add_scatter(
                x=_x(mine),
                y=[r[key] for r in mine],
                name=labels[key],
                mode="lines",
                line_shape="hv",
                line_color=colors[key],
                legendgroup=key,
                showlegend=n == 1,
                row=n,
                col=1,
            )
    fig.update_layout(height=max(300, 220 * len(queues)), margin={"t": 40})
    return fig


def _day_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "day": r["interval_start"].strftime("%Y-%m-%d")} for r in rows]


def render(report: HtmlReport) -> str:
    """The whole page as one string."""
    charts = [
        figure_html(f(report))
        for f in (volume_figure, service_level_figure, asa_figure, heatmap_figure)
    ]
    sections = [
        "<h2>Volume</h2>",
        charts[0],
        "<h2>Service level</h2>",
        charts[1],
        "<h2>Speed of answer</h2>",
        charts[2],
        "<h2>When contacts arrive</h2>",
        charts[3],
        "<h2>Targets and peers</h2>",
        table_html(
            _gap_rows(report.gaps),
            ["queue", "metric", "ours", "target", "peer", "gap", "peer_gap", "met"],
        )
        if report.gaps
        else "<p>No targets in center.yaml and no peer benchmarks.</p>",
        "<h2>Agents</h2>",
        table_html(report.agents, AGENT_COLUMNS),
    ]
    if report.sites:
        sections += [
            "<h2>Sites</h2>",
            "<p>Each site's own and outsourced agents side by side: the contacts they "
            "handled, how fast (service level and ASA of the contacts offered to them), how "
            "well (first-contact resolution, satisfaction) and at what cost per contact.</p>",
            table_html(report.sites, SITE_COLUMNS),
        ]
    if report.expectations:
        sections += [
            "<h2>Customer expectations</h2>",
            "<p>The expectation evaluation table (<code>carecenter voc table</code>): each "
            "expectation with its evidence, its class (now, medium or long term, guide) and "
            "the score that ranks it.</p>",
            table_html(report.expectations, SHORT_COLUMNS),
        ]
    if report.staffing:
        sections += [
            "<h2>Required, scheduled and actual staff</h2>",
            figure_html(staffing_figure(report)),
        ]
    if report.staffing_by_queue:
        sections += [
            "<h2>Staff and cost per contact by queue</h2>",
            "<p>An agent who serves several queues counts in each by their share of handling "
            "time, and so does their cost.</p>",
            figure_html(staffing_by_queue_figure(report)),
            table_html(_day_rows(report.staffing_by_queue_day), STAFF_DAY_COLUMNS),
        ]
    if report.table:
        sections += ["<h2>Report</h2>", table_html(report.table, report.table_columns)]
    return page(report.title, report.subtitle, sections)


def figure_html(figure: Any) -> str:
    """A plotly figure as a ``<div>`` and its script, for a page made by :func:`page`."""
    config = {"displaylogo": False, "responsive": True}
    return str(figure.to_html(full_html=False, include_plotlyjs=False, config=config))


def page(title: str, subtitle: str, sections: Sequence[str], style: str = "") -> str:
    """A whole self-contained page: the style, plotly's bundled JS inlined once, the sections
    (HTML fragments, e.g. from :func:`figure_html` and :func:`table_html`)."""
    from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}{style}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f'<h1>{html.escape(title)}</h1><p class="sub">{html.escape(subtitle)}</p>'
        + "\n".join(sections)
        + "</body></html>\n"
    )


def write_html(report: HtmlReport, path: Path) -> Path:
    """Write the page to ``path``."""
    path.write_text(render(report), encoding="utf-8")
    return path
