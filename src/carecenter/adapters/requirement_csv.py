"""A staffing requirement per interval, read from a CSV file: ``carecenter staff --format
csv`` output, or any file with the columns ``interval_start`` (a date and time) and
``scheduled_agents``, and optionally ``queue`` (several queues' rows of one interval add up)
and ``interval_s`` (default 1800). A bad row stops the read with an
:class:`~carecenter.errors.InputError` naming the file, the line and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from carecenter.adapters.volumes_csv import csv_rows
from carecenter.errors import InputError

DEFAULT_INTERVAL_S = 1800


@dataclass(frozen=True)
class RequirementRow:
    """Agents to schedule in one interval (of one queue)."""

    interval_start: datetime
    """Naive (wall-clock time of the center) or with a UTC offset."""
    interval_s: int
    agents: int
    queue: str | None = None
    line: int | None = None


def read_requirement(path: Path) -> list[RequirementRow]:
    """Every row of the file; ``InputError`` on the first bad one."""
    name = str(path)
    with csv_rows(path) as reader:
        columns = [c.strip() for c in reader.fieldnames or []]
        for column in ("interval_start", "scheduled_agents"):
            if column not in columns:
                raise InputError(f"missing column {column!r}", file=name, line=1, field=column)
        rows = []
        for record in reader:
            fields = {(k or "").strip(): (v or "").strip() for k, v in record.items() if k}
            rows.append(_row(fields, name, reader.line_num))
    if not rows:
        raise InputError("no data rows", file=name, line=1)
    return rows


def _row(fields: dict[str, str], name: str, line: int) -> RequirementRow:
    text = fields.get("interval_start", "")
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"not a date and time (YYYY-MM-DDTHH:MM[+offset]): {text!r}",
            file=name,
            line=line,
            field="interval_start",
        ) from None
    agents = _whole(fields.get("scheduled_agents", ""), "scheduled_agents", name, line)
    interval = fields.get("interval_s", "")
    seconds = DEFAULT_INTERVAL_S if interval == "" else _whole(interval, "interval_s", name, line)
    if seconds <= 0:
        raise InputError(
            f"must be a positive number, got {interval!r}", file=name, line=line, field="interval_s"
        )
    return RequirementRow(start, seconds, agents, fields.get("queue") or None, line)


def _whole(text: str, field: str, name: str, line: int) -> int:
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"not a number: {text!r}" if text else "is empty", file=name, line=line, field=field
        ) from None
    if value < 0 or not value.is_integer():
        raise InputError(
            f"must be a whole number >= 0, got {text!r}", file=name, line=line, field=field
        )
    return int(value)
