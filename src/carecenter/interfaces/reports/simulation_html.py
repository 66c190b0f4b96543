"""A simulation as one self-contained HTML page: each queue's measures with their 95 %
confidence intervals, as charts with error bars and as a table (same page frame, plotly
bundle and number formats as the report's page)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from carecenter.interfaces.reports.report_html import figure_html, format_value, page, table_html

CHARTS = (
    ("service_level", "Service level", "share"),
    ("asa_s", "Average speed of answer", "seconds"),
    ("abandon_rate", "Abandonment", "share"),
    ("occupancy", "Occupancy", "share"),
)


def _label(row: Mapping[str, Any], keys: Sequence[str]) -> str:
    return " / ".join(str(row.get(k)) for k in keys if k != "interval_start")


def measure_figure(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str], name: str, title: str, unit: str
) -> Any:
    """``name`` per group (or per interval, a line per group) with its 95 % interval."""
    import plotly.graph_objects as go  # type: ignore[import-untyped]

    fig = go.Figure()
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        groups.setdefault(_label(r, keys), []).append(r)
    for label, members in groups.items():
        y = [r.get(name) for r in members]
        error = {"type": "data", "array": [r.get(f"{name}_half_width") or 0 for r in members]}
        if "interval_start" in keys:
            x = [r["interval_start"].strftime("%a %H:%M") for r in members]
            fig.add_scatter(x=x, y=y, error_y=error, name=label, mode="lines+markers")
        else:
            fig.add_bar(x=[label], y=y, error_y=error, name=label)
    fig.update_layout(title=f"{title} (95% interval)", yaxis_title=unit, showlegend=True)
    if unit == "share":
        fig.update_yaxes(tickformat=".0%")
    return fig


def _cells(rows: Sequence[Mapping[str, Any]], measures: Sequence[str]) -> list[dict[str, Any]]:
    """Rows with each measure as one text cell: the mean ± the half-width."""
    out = []
    for r in rows:
        shown = dict(r)
        for m in measures:
            mean, _ = format_value(r.get(m), m)
            half, _ = format_value(r.get(f"{m}_half_width"), m)
            shown[m] = f"{mean} ± {half}" if mean and half else mean
        out.append(shown)
    return out


def render_simulation(
    title: str,
    subtitle: str,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    measures: Sequence[str],
) -> str:
    """The page of a simulation's rows (``keys``: the grouping columns)."""
    sections = []
    for name, heading, unit in CHARTS:
        sections += [
            f"<h2>{heading}</h2>",
            figure_html(measure_figure(rows, keys, name, heading, unit)),
        ]
    sections += ["<h2>Every measure</h2>", table_html(_cells(rows, measures), [*keys, *measures])]
    return page(title, subtitle, sections)
