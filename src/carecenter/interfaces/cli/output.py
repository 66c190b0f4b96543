"""Render rows as a Rich table, JSON or CSV: the ``--format`` option of every command."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
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


def _plain_columns(columns: list[list[Any]]) -> list[list[Any]]:
    """``columns`` (lists of values) with every value :func:`_plain`.

    Whole columns are checked at once (the types they hold, the sum of their floats) and only a
    column holding a date, an enum or a non-finite float is converted value by value: printing
    a report of 20,000 rows by 56 columns stays a few C loops.
    """
    columns = list(columns)
    for i, column in enumerate(columns):
        kinds = set(map(type, column))
        kinds.discard(type(None))
        if kinds <= {int, str, bool}:
            continue
        if kinds == {float} or kinds == {float, int}:
            numbers = [v for v in column if v is not None]
            if math.isfinite(sum(numbers)):
                continue
        columns[i] = [_plain(v) for v in column]
    return columns


def _json(cols: list[str], columns: list[list[Any]]) -> str:
    """A JSON list of row objects, one compact object per line (the C encoder)."""
    if not columns or not columns[0]:
        return "[]"
    encode = json.JSONEncoder(ensure_ascii=True, allow_nan=False).encode
    table = zip(*columns, strict=True)
    lines = ",\n".join(encode(dict(zip(cols, r, strict=True))) for r in table)
    return "[\n" + lines + "\n]"


def _csv(cols: list[str], columns: list[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    if columns:
        # None is written as an empty field
        writer.writerows(zip(*columns, strict=True))
    return buf.getvalue().rstrip("\n")


def render(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    *,
    title: str | None = None,
    columns: Sequence[str] | None = None,
) -> str:
    """Return ``rows`` rendered in ``fmt`` (table, json or csv) as text.

    JSON is a list of row objects, one object per line.
    """
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    if fmt in ("json", "csv"):
        return render_columns(cols, [[r.get(c) for r in rows] for c in cols], fmt)
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


def render_columns(columns: Sequence[str], values: Sequence[list[Any]], fmt: str) -> str:
    """Return a table held by column (``values``: one list per column of ``columns``) in
    ``fmt``, json or csv, as :func:`render` does."""
    cols = list(columns)
    plain = _plain_columns(list(values))
    if fmt == "json":
        return _json(cols, plain)
    if fmt == "csv":
        return _csv(cols, plain)
    raise InputError(f"unknown format {fmt!r}; choose json or csv", field="format")


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


def write_file(path: Path, text: str) -> None:
    """Write ``text`` (and a newline) to ``path``; a one-line error when it cannot."""
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(path)) from exc
