"""Seed and move forward the live loop's in-memory open rows
(:class:`~carecenter.domain.live_rows.LiveRows`)."""

from __future__ import annotations

from datetime import datetime

from carecenter.domain.live_rows import LiveRows
from carecenter.services.ports import EventLog, Warehouse

BATCH = 5000


def seed(warehouse: Warehouse, since: datetime) -> LiveRows:
    """The warehouse's open rows (of contacts that arrived, visits that entered their queue
    and intervals that began at or after ``since``), at its checkpoint."""
    checkpoint = warehouse.checkpoint()
    visits, intervals = warehouse.open_rows(since)
    promises = warehouse.promise_rows(status="open")
    contacts = {*warehouse.open_contact_ids(since), *(v.contact_id for v in visits)}
    state = warehouse.load_state(
        contacts, {iv.agent_id for iv in intervals}, [p.promise_id for p in promises]
    )
    older = [
        v
        for v in visits
        if (latest := state.visits.get(v.contact_id)) is not None and latest.visit != v.visit
    ]
    rows = LiveRows(state, checkpoint, older)
    rows.settle()
    return rows


def advance(rows: LiveRows, log: EventLog) -> int:
    """Fold the events the log holds after ``rows``' checkpoint; the count folded."""
    folded = 0
    while batch := log.read(after=rows.checkpoint, limit=BATCH):
        for stored in batch:
            rows.apply(stored.seq, stored.event)
        folded += len(batch)
    if folded:
        rows.settle()
    return folded
