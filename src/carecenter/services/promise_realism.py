"""Use case: ``carecenter promises --realism`` — the realised time to keep each kind of promise
in each queue, and the promise that would have been kept ``percentile`` % of the time.

The promises are the warehouse's ``promises`` table, as of the workspace clock's now; the
figures are :mod:`carecenter.domain.promise_realism`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from carecenter.domain.promise_realism import Realism, promise_realism
from carecenter.errors import InputError
from carecenter.services.bootstrap import WorkspaceSource, opened

COLUMNS = (
    "kind",
    "queue_id",
    "promises",
    "kept",
    "late",
    "never_kept",
    "kept_share",
    "promised_p50_s",
    "realised_p50_s",
    "realised_p90_s",
    "realised_p95_s",
    "recommended_s",
    "margin_s",
    "kept_share_recommended",
)
"""The columns of the realism table."""


@dataclass(frozen=True)
class RealismReport:
    """One row per kind of promise and queue, as of ``now``, and what the reader should
    know."""

    now: datetime
    percentile: float
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


def check_percentile(percentile: float) -> None:
    """``percentile`` must be above 0 and below 100."""
    if not 0 < percentile < 100:
        raise InputError(f"must be above 0 and below 100, not {percentile:g}", field="percentile")


def _row(r: Realism) -> dict[str, Any]:
    return {name: getattr(r, name) for name in COLUMNS}


def _notes(found: list[Realism], percentile: float, unknown: int) -> list[str]:
    notes = []
    for r in found:
        where = f"{r.kind} ({r.queue_id or 'no queue'})"
        if r.recommended_s is None:
            notes.append(
                f"{where}: {r.never_kept} of {r.promises} promises were never kept, so no "
                f"promise would have kept {percentile:g}% of them"
            )
        if r.left_out:
            notes.append(f"{where}: {r.left_out} open (not yet due) or cancelled left out")
    if unknown:
        notes.append(f"{unknown} promises whose promise.made the log does not hold left out")
    return notes


def realism_report(source: WorkspaceSource, *, percentile: float = 90.0) -> RealismReport:
    """Promise realism for the workspace's promise ledger (see the module)."""
    check_percentile(percentile)
    with opened(source, read_only=True) as ws:
        now = ws.clock.now()
        rows = ws.warehouse.promise_rows()
    found = promise_realism(rows, now, percentile)
    unknown = sum(1 for r in rows if r.kind is None or r.made_at is None or r.due_at is None)
    return RealismReport(
        now, percentile, [_row(r) for r in found], _notes(found, percentile, unknown)
    )
