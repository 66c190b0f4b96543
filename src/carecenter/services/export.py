"""Use case: ``carecenter export facts`` — the workspace's contact facts, agent-state
intervals, survey answers and promises as Parquet, one file per table and center day,
incremental and idempotent (the layout, the schema and the manifest are
:mod:`carecenter.adapters.parquet_export`'s).

``--to`` names both the output directory and the period's last day (the issue spells both
``--to``): :func:`split_to` tells them apart.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from carecenter.adapters.parquet_export import DayExport, export_facts
from carecenter.errors import InputError, WorkspaceError
from carecenter.services.bootstrap import WorkspaceSource, opened

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str, field: str) -> date:
    """``YYYY-MM-DD`` as a day; an :class:`InputError` naming ``field`` otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a day YYYY-MM-DD", field=field) from None


def split_to(values: Sequence[str]) -> tuple[Path, date | None]:
    """The values of ``--to`` (given once or twice): the one that reads as a day
    ``YYYY-MM-DD`` is the period's last day, the other the output directory. Exactly one
    directory and at most one day, else an :class:`InputError` naming ``to``."""
    days = [parse_day(v, "to") for v in values if _DAY.fullmatch(v)]
    dirs = [v for v in values if not _DAY.fullmatch(v)]
    if len(dirs) != 1:
        raise InputError(
            f"give the output directory exactly once (got {len(dirs)}); "
            "a value YYYY-MM-DD is the period's last day",
            field="to",
        )
    if len(days) > 1:
        raise InputError(f"give at most one last day (got {len(days)})", field="to")
    if not dirs[0].strip():
        raise InputError("the output directory is empty", field="to")
    return Path(dirs[0]), days[0] if days else None


def export(
    source: WorkspaceSource,
    directory: Path,
    *,
    first: date | None = None,
    last: date | None = None,
) -> list[DayExport]:
    """Export the center days ``first..last`` (``None``: open) of the workspace's facts to
    ``directory``; what was done to each table's day."""
    if first is not None and last is not None and first > last:
        raise InputError(f"{first} is after the last day {last}", field="from")
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}: not a directory", field="to")
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        zone = center.timezone if center is not None else "UTC"
        conn = getattr(ws.warehouse, "connection", None)
        if conn is None:
            raise WorkspaceError("export facts reads a DuckDB warehouse; this one is not")
        return export_facts(conn, directory, zone=zone, first=first, last=last)


def summary_line(done: Sequence[DayExport]) -> str:
    """One line: per table, the days written, unchanged and removed."""
    if not done:
        return "no facts in the period: nothing exported"
    counts = Counter((d.table, d.action) for d in done)
    tables = dict.fromkeys(d.table for d in done)
    return "; ".join(
        f"{t}: {counts[t, 'written']} days written, {counts[t, 'unchanged']} unchanged, "
        f"{counts[t, 'removed']} removed"
        for t in tables
    )
