"""The customer expectation evaluation table as HTML: a section (the ranked table, the peer
comparison, the score's formula) and a self-contained page (``voc table --format html``)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from carecenter.services.voc_table import COLUMNS, PEER_COLUMNS, Evaluation

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em;margin-bottom:0}p.sub{color:#666;margin-top:.3em}
h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em}td,th{padding:3px 8px;border-bottom:1px solid #eee}
th{text-align:left;background:#f6f6f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
td.now{background:#e6f4ea}td.medium{background:#fef7e0}td.long{background:#fde7d9}
td.guide{background:#e8eaf6}
"""
FORMULA = (
    "score = impact × importance × gap × weight / effort; importance: the driver importance "
    "of the linked attributes (none: an average attribute's); gap: the largest of the survey "
    "gap (share of the scale), the peer gap and the feature gap (none: 0.5); weight: "
    "(1 + kinds of evidence) / 5 + the linked themes' share of complaints."
)
SHARES = frozenset({"complaint_share", "peer_gap", "feature_gap", "gap", "shortfall"})


def _cell(value: Any, column: str) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, float):
        text = f"{value:.1%}" if column in SHARES else f"{value:.4g}"
        return f'<td class="n">{text}</td>'
    if isinstance(value, int):
        return f'<td class="n">{value}</td>'
    css = f' class="{value}"' if column == "class" else ""
    return f"<td{css}>{html.escape(str(value))}</td>"


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """An HTML table of ``rows`` (shares in percent, text escaped)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_cell(r.get(c), c) for c in columns) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def section(evaluation: Evaluation) -> list[str]:
    """The HTML fragments of the evaluation table (for a page or the service report)."""
    parts = [
        "<h2>Customer expectations</h2>",
        f"<p>{html.escape(FORMULA)}</p>",
        table(evaluation.rows, COLUMNS),
    ]
    if evaluation.peer_rows:
        parts += ["<h2>The center and its peers</h2>", table(evaluation.peer_rows, PEER_COLUMNS)]
    if evaluation.notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in evaluation.notes)
        parts.append(f"<ul>{items}</ul>")
    return parts


def page(evaluation: Evaluation, title: str = "Customer expectation evaluation table") -> str:
    """A whole self-contained page (no script)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f'<p class="sub">{len(evaluation.rows)} expectations, highest score first</p>'
        + "\n".join(section(evaluation))
        + "</body></html>\n"
    )
