"""Schedules in the operational store: ``schedule_versions`` and ``schedule_shifts`` (see
:mod:`carecenter.domain.schedules`). A save is one transaction; times are stored in UTC."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from carecenter.adapters.store.engine import reading
from carecenter.adapters.store.tables import schedule_shifts, schedule_versions
from carecenter.domain.schedules import (
    ScheduledBreak,
    ScheduledShift,
    ScheduleVersion,
    latest_per_day,
)


class SqlScheduleStore:
    """:class:`~carecenter.services.ports.ScheduleStore` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, draft: ScheduleVersion, shifts: Sequence[ScheduledShift]) -> ScheduleVersion:
        meta = {
            "saved_at": draft.saved_at.astimezone(UTC),
            "command": draft.command,
            "first_day": draft.first_day,
            "days": draft.days,
            "interval_s": draft.interval_s,
            "timezone": draft.timezone,
            "objective": draft.objective,
            "lp_bound": draft.lp_bound,
            "bound": draft.bound,
            "shifts": len(shifts),
        }
        with self._engine.begin() as conn:
            version = int(
                conn.execute(
                    insert(schedule_versions).returning(schedule_versions.c.version), meta
                ).scalar_one()
            )
            if shifts:
                conn.execute(
                    insert(schedule_shifts),
                    [_row(version, n, shift) for n, shift in enumerate(shifts)],
                )
        return replace(draft, version=version, shifts=len(shifts))

    def versions(self) -> list[ScheduleVersion]:
        with reading(self._engine) as conn:
            found = conn.execute(
                select(schedule_versions).order_by(schedule_versions.c.version)
            ).mappings()
            return [_version(r) for r in found]

    def current(self, first_day: date, last_day: date) -> list[tuple[int, ScheduledShift]]:
        chosen = latest_per_day(
            [v for v in self.versions() if v.first_day <= last_day and v.last_day >= first_day],
            first_day,
            last_day,
        )
        if not chosen:
            return []
        query = (
            select(schedule_shifts)
            .where(
                schedule_shifts.c.day >= first_day,
                schedule_shifts.c.day <= last_day,
                schedule_shifts.c.version.in_(sorted(set(chosen.values()))),
            )
            .order_by(schedule_shifts.c.day, schedule_shifts.c.start_at, schedule_shifts.c.row)
        )
        with reading(self._engine) as conn:
            found = conn.execute(query).mappings()
            return [
                (int(r["version"]), _shift(r))
                for r in found
                if chosen.get(r["day"]) == int(r["version"])
            ]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _row(version: int, n: int, shift: ScheduledShift) -> dict[str, Any]:
    breaks = [
        {
            "name": b.name,
            "start_at": b.start_at.astimezone(UTC).isoformat(),
            "end_at": b.end_at.astimezone(UTC).isoformat(),
            "paid": b.paid,
        }
        for b in shift.breaks
    ]
    return {
        "version": version,
        "row": n,
        "day": shift.day,
        "shift": shift.shift,
        "start_at": shift.start_at.astimezone(UTC),
        "end_at": shift.end_at.astimezone(UTC),
        "agents": shift.agents,
        "paid_hours": shift.paid_hours,
        "cost": shift.cost,
        "breaks": json.dumps(breaks),
    }


def _shift(r: Any) -> ScheduledShift:
    return ScheduledShift(
        day=r["day"],
        shift=r["shift"],
        start_at=_aware(r["start_at"]),
        end_at=_aware(r["end_at"]),
        agents=int(r["agents"]),
        paid_hours=float(r["paid_hours"]),
        cost=float(r["cost"]),
        breaks=tuple(
            ScheduledBreak(
                b["name"],
                datetime.fromisoformat(b["start_at"]),
                datetime.fromisoformat(b["end_at"]),
                bool(b["paid"]),
            )
            for b in json.loads(r["breaks"])
        ),
    )


def _version(r: Any) -> ScheduleVersion:
    return ScheduleVersion(
        version=int(r["version"]),
        saved_at=_aware(r["saved_at"]),
        command=r["command"],
        first_day=r["first_day"],
        days=int(r["days"]),
        interval_s=int(r["interval_s"]),
        timezone=r["timezone"],
        objective=float(r["objective"]),
        lp_bound=float(r["lp_bound"]),
        bound=float(r["bound"]),
        shifts=int(r["shifts"]),
    )
