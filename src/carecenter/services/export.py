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
from carecenter.adapters.pg_facts import export_facts_pg, is_pg_url, shown_url
from carecenter.errors import InputError, WorkspaceError
from carecenter.services.bootstrap import WorkspaceSource, opened

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str, field: str) -> date:
    """``YYYY-MM-DD`` as a day; an :class:`InputError` naming ``field`` otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a day YYYY-MM-DD", field=field) from None


def split_to(values: Sequence[str]) -> tuple[Path | str, date | None]:
    """The values of ``--to`` (given once or twice): the one that reads as a day
    ``YYYY-MM-DD`` is the period's last day, the other the output directory, or a PostgreSQL
    database URL (kept as text). Exactly one target and at most one day, else an
    :class:`InputError` naming ``to``."""
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
    target = dirs[0] if is_pg_url(dirs[0]) else Path(dirs[0])
    return target, days[0] if days else None


def export(
    source: WorkspaceSource,
    directory: Path | str,
    *,
    first: date | None = None,
    last: date | None = None,
) -> list[DayExport]:
    """Export the center days ``first..last`` (``None``: open) of the workspace's facts to
    ``directory`` (a PostgreSQL database when it is its URL); what was done to each table's
    day."""
    if first is not None and last is not None and first > last:
        raise InputError(f"{first} is after the last day {last}", field="from")
    if isinstance(directory, Path) and directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}: not a directory", field="to")
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        zone = center.timezone if center is not None else "UTC"
        conn = getattr(ws.warehouse, "connection", None)
        if conn is None:
            raise WorkspaceError("export facts reads a DuckDB warehouse; this one is not")
        if isinstance(directory, str):
            return export_facts_pg(conn, directory, zone=zone, first=first, last=last)
        return export_facts(conn, directory, zone=zone, first=first, last=last)


def shown(target: Path | str) -> str:
    """The export's target for messages (a database URL without its password)."""
    return str(target) if isinstance(target, Path) else shown_url(target)


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
