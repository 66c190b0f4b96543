"""Render rows as a Rich table, JSON or CSV: the ``--format`` option of every command."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

import typer

from carecenter.errors import InputError

FORMATS = ("table", "json", "csv")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def render(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    *,
    title: str | None = None,
    columns: Sequence[str] | None = None,
) -> str:
    """Return ``rows`` rendered in ``fmt`` (table, json or csv) as text."""
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    if fmt == "json":
        data = [{c: _plain(r.get(c)) for c in cols} for r in rows]
        return json.dumps(data, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow(["" if _plain(r.get(c)) is None else _plain(r.get(c)) for c in cols])
        return buf.getvalue().rstrip("\n")
    if fmt == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for c in cols:
            table.add_column(c, justify="right" if _numeric(rows, c) else "left")
        for r in rows:
            table.add_row(*(_cell(r.get(c)) for c in cols))
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(table)
        return console.export_text().rstrip("\n")
    raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", field="format")


def _numeric(rows: Sequence[Mapping[str, Any]], col: str) -> bool:
    return any(
        isinstance(r.get(col), int | float) and not isinstance(r.get(col), bool) for r in rows
    )


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    *,
    title: str | None = None,
    columns: Sequence[str] | None = None,
) -> None:
    """Print ``rows`` in ``fmt`` to standard output."""
    typer.echo(render(rows, fmt, title=title, columns=columns))
