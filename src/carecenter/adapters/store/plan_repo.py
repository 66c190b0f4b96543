"""Plans in the operational store: ``plan_versions`` and ``plan_rows`` (see
:mod:`carecenter.domain.plans`).

A save is one transaction: the new version, the rows of earlier versions it replaces marked
with it (``replaced_by``), and its own rows. Saves are serialised (``BEGIN IMMEDIATE`` on
SQLite, a transaction advisory lock on PostgreSQL), so two saves of overlapping plans never
both leave their rows current. Times are stored in UTC.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    and_,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)

from carecenter.adapters.store.engine import reading
from carecenter.adapters.store.tables import plan_rows, plan_versions
from carecenter.domain.plans import (
    PlanKind,
    PlanRow,
    PlanVersion,
    StoredPlanRow,
    period_of,
    replaced_rows,
)

SAVE_LOCK = 7_291_004  # advisory-lock key of plan saves
LONGEST_INTERVAL = timedelta(days=1)
"""How far before a period a row may start and still reach into it (intervals are at most a
day long)."""


class SqlPlanStore:
    """:class:`~carecenter.services.ports.PlanStore` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"

    def save(
        self, kind: PlanKind, rows: Sequence[PlanRow], *, saved_at: datetime, command: str
    ) -> PlanVersion:
        if not rows:
            raise ValueError("a plan needs at least one row")
        start, end = period_of(rows)
        with self._engine.begin() as conn:
            if self._postgres:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SAVE_LOCK})
            version = int(
                conn.execute(
                    insert(plan_versions).returning(plan_versions.c.version),
                    {
                        "kind": kind.value,
                        "saved_at": saved_at.astimezone(UTC),
                        "command": command,
                        "period_start": start.astimezone(UTC),
                        "period_end": end.astimezone(UTC),
                        "rows": len(rows),
                        "replaced": 0,
                    },
                ).scalar_one()
            )
            queues = {r.queue_id for r in rows}
            current = self._select(conn, _rows_query(kind, start, end, queues, history=False))
            replaced = replaced_rows(rows, current)
            if replaced:
                conn.execute(
                    update(plan_rows)
                    .where(
                        and_(
                            plan_rows.c.version == bindparam("old_version"),
                            plan_rows.c.queue_id == bindparam("old_queue"),
                            plan_rows.c.interval_start == bindparam("old_start"),
                        )
                    )
                    .values(replaced_by=version),
                    [
                        {
                            "old_version": s.version,
                            "old_queue": s.row.queue_id,
                            "old_start": s.row.interval_start.astimezone(UTC),
                        }
                        for s in replaced
                    ],
                )
                conn.execute(
                    update(plan_versions)
                    .where(plan_versions.c.version == version)
                    .values(replaced=len(replaced))
                )
            conn.execute(insert(plan_rows), [_values(kind, version, r) for r in rows])
        return PlanVersion(version, kind, saved_at, command, start, end, len(rows), len(replaced))

    def rows(
        self,
        kind: PlanKind,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        queues: Collection[str] | None = None,
        history: bool = False,
    ) -> list[StoredPlanRow]:
        with reading(self._engine) as conn:
            found = self._select(conn, _rows_query(kind, start, end, queues, history=history))
        return found if start is None else [s for s in found if s.row.interval_end > start]

    def versions(self, kind: PlanKind | None = None) -> list[PlanVersion]:
        query = select(plan_versions).order_by(plan_versions.c.version)
        if kind is not None:
            query = query.where(plan_versions.c.kind == kind.value)
        with reading(self._engine) as conn:
            return [
                PlanVersion(
                    version=int(v.version),
                    kind=PlanKind(v.kind),
                    saved_at=_aware(v.saved_at),
                    command=v.command,
                    period_start=_aware(v.period_start),
                    period_end=_aware(v.period_end),
                    rows=int(v.rows),
                    replaced=int(v.replaced),
                )
                for v in conn.execute(query)
            ]

    def count(self) -> int:
        """How many plan rows are stored (current and replaced)."""
        with reading(self._engine) as conn:
            return int(conn.execute(select(func.count()).select_from(plan_rows)).scalar_one())

    @staticmethod
    def _select(conn: Connection, query: Select[Any]) -> list[StoredPlanRow]:
        return [_stored(r) for r in conn.execute(query)]


def _rows_query(
    kind: PlanKind,
    start: datetime | None,
    end: datetime | None,
    queues: Collection[str] | None,
    *,
    history: bool,
) -> Select[Any]:
    """Rows of ``kind`` starting before ``end`` and at most a day before ``start`` (those that
    may reach into the period), newest version first."""
    c = plan_rows.c
    query = select(plan_rows).where(c.kind == kind.value)
    if not history:
        query = query.where(c.replaced_by.is_(None))
    if start is not None:
        query = query.where(c.interval_start > (start - LONGEST_INTERVAL).astimezone(UTC))
    if end is not None:
        query = query.where(c.interval_start < end.astimezone(UTC))
    if queues is not None:
        query = query.where(c.queue_id.in_(sorted(queues)))
    return query.order_by(c.queue_id, c.interval_start, c.version.desc())


def _values(kind: PlanKind, version: int, row: PlanRow) -> dict[str, Any]:
    measures = {k: _finite(v) for k, v in row.measures.items()}
    return {
        "version": version,
        "queue_id": row.queue_id,
        "interval_start": row.interval_start.astimezone(UTC),
        "kind": kind.value,
        "interval_s": row.interval_s,
        "replaced_by": None,
        "calls": row.calls,
        "calls_lo": row.calls_lo,
        "calls_hi": row.calls_hi,
        "aht_s": row.aht_s,
        "patience_s": _finite(row.patience_s),
        "model": row.model,
        "agents": row.agents,
        "scheduled_agents": row.scheduled_agents,
        "measures": json.dumps(measures) if measures else None,
    }


def _finite(value: float | None) -> float | None:
    """``None`` for no value and for one that is not finite (a patience that never runs out:
    Erlang C; a measure that is undefined)."""
    return value if value is not None and math.isfinite(value) else None


def _stored(r: Any) -> StoredPlanRow:
    row = PlanRow(
        queue_id=r.queue_id,
        interval_start=_aware(r.interval_start),
        interval_s=int(r.interval_s),
        calls=r.calls,
        calls_lo=r.calls_lo,
        calls_hi=r.calls_hi,
        aht_s=r.aht_s,
        patience_s=r.patience_s,
        model=r.model,
        agents=r.agents,
        scheduled_agents=r.scheduled_agents,
        measures=json.loads(r.measures) if r.measures else {},
    )
    return StoredPlanRow(row, int(r.version), None if r.replaced_by is None else int(r.replaced_by))


def _aware(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; the store holds UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
