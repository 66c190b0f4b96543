"""The promise ledger: the promises made to customers and where they stand
(``carecenter promises``).

Promises come from the warehouse's ``promises`` table (the projector folds the ``promise.*``
events into it). The time is the workspace's clock, and "today" is the day in the center's time
zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.domain.enums import PromiseStatus
from carecenter.domain.promise_facts import PromiseRow
from carecenter.errors import InputError
from carecenter.services.bootstrap import WorkspaceSource, opened

DUE = ("today", "overdue", "all")
"""Which promises to list: due today (center time, whatever their status), open and past due
now, or every one."""
COLUMNS = (
    "promise_id",
    "kind",
    "customer_id",
    "queue_id",
    "agent_id",
    "made_at",
    "due_at",
    "status",
    "overdue_s",
)
"""The columns of a listing; ``overdue_s`` is set for open promises only (0 until due)."""


@dataclass(frozen=True)
class PromiseListing:
    """The promises listed, as of ``now``."""

    now: datetime
    """The workspace clock's time, in the center's time zone."""
    rows: list[dict[str, Any]]
    """One dict per promise (:data:`COLUMNS`), in order of due time; times in the center's
    time zone."""


def _day(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Midnight to midnight of the day of ``now`` in ``zone`` (a day of 23 or 25 hours when
    the clocks change)."""
    day = now.astimezone(zone).date()
    return (
        datetime.combine(day, time(0), zone),
        datetime.combine(day + timedelta(days=1), time(0), zone),
    )


def _row(promise: PromiseRow, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    def local(value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(zone)

    return {
        "promise_id": promise.promise_id,
        "kind": promise.kind,
        "customer_id": promise.customer_id,
        "queue_id": promise.queue_id,
        "agent_id": promise.agent_id,
        "made_at": local(promise.made_at),
        "due_at": local(promise.due_at),
        "status": promise.status,
        "overdue_s": promise.overdue_s(now),
    }


def list_promises(source: WorkspaceSource, *, due: str = "all") -> PromiseListing:
    """The promises of the workspace ``due`` today, overdue, or all of them (see :data:`DUE`)."""
    if due not in DUE:
        raise InputError(f"unknown choice {due!r}; choose one of {', '.join(DUE)}", field="due")
    with opened(source, read_only=True) as ws:
        now = ws.clock.now()
        center = ws.center.load()
        zone = ZoneInfo(center.timezone if center else "UTC")
        if due == "today":
            start, end = _day(now, zone)
            rows = ws.warehouse.promise_rows(due_from=start, due_before=end)
        elif due == "overdue":
            rows = ws.warehouse.promise_rows(status=PromiseStatus.OPEN.value, due_before=now)
        else:
            rows = ws.warehouse.promise_rows()
    return PromiseListing(now.astimezone(zone), [_row(p, now, zone) for p in rows])
