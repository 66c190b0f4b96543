"""The event log on SQLAlchemy: append-only, safe with concurrent writers.

Sequence numbers are assigned by the database. On PostgreSQL every append takes a transaction
advisory lock first, so sequence numbers are committed in order and a reader that has seen
``seq = n`` never later meets a smaller one (the projector relies on that). SQLite serialises
writers with ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, func, insert, select, text

from carecenter.adapters.codec import decode, encode
from carecenter.adapters.store.engine import reading
from carecenter.adapters.store.tables import events
from carecenter.domain.events import Event, StoredEvent, subject_of

APPEND_LOCK = 7_291_002  # advisory-lock key of the event log


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SqlEventLog:
    """:class:`~carecenter.services.ports.EventLog` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _utc_now) -> None:
        self._engine = engine
        self._clock = clock
        self._postgres = engine.dialect.name == "postgresql"

    def append(self, batch: Sequence[Event]) -> list[int]:
        if not batch:
            return []
        recorded = self._clock()
        rows = []
        for event in batch:
            contact_id, agent_id = subject_of(event)
            rows.append(
                {
                    "event_id": str(uuid.uuid4()),
                    "name": event.name,
                    "occurred_at": event.occurred_at.astimezone(UTC),
                    "recorded_at": recorded,
                    "contact_id": contact_id,
                    "agent_id": agent_id,
                    "payload": encode(event),
                }
            )
        with self._engine.begin() as conn:
            if self._postgres:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK})
            stmt = insert(events).returning(events.c.seq, sort_by_parameter_order=True)
            result = conn.execute(stmt, rows)
            return [int(seq) for seq in result.scalars()]

    def read(self, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        query = (
            select(
                events.c.seq,
                events.c.event_id,
                events.c.recorded_at,
                events.c.name,
                events.c.payload,
            )
            .where(events.c.seq > after)
            .order_by(events.c.seq)
        )
        if limit is not None:
            query = query.limit(limit)
        with reading(self._engine) as conn:
            return [
                StoredEvent(int(seq), event_id, _aware(recorded), decode(name, payload))
                for seq, event_id, recorded, name, payload in conn.execute(query)
            ]

    def count(self) -> int:
        with reading(self._engine) as conn:
            return int(conn.execute(select(func.count()).select_from(events)).scalar_one())

    def last_seq(self) -> int:
        with reading(self._engine) as conn:
            return int(conn.execute(select(func.coalesce(func.max(events.c.seq), 0))).scalar_one())


def _aware(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; the log stores UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
