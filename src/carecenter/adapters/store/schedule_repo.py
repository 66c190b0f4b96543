"""Schedules and rosters in the operational store: ``schedule_versions`` and
``schedule_shifts`` (see :mod:`carecenter.domain.schedules`), ``roster_versions`` and
``roster_shifts`` (see :mod:`carecenter.domain.rosters`). A save is one transaction; times are
stored in UTC."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, Table, insert, select

from carecenter.adapters.store.engine import reading
from carecenter.adapters.store.tables import (
    roster_shifts,
    roster_versions,
    schedule_shifts,
    schedule_versions,
)
from carecenter.domain.rosters import RosteredShift, RosterVersion
from carecenter.domain.schedules import (
    Covering,
    ScheduledBreak,
    ScheduledShift,
    ScheduleVersion,
    latest_per_day,
)


class SqlScheduleStore:
    """:class:`~carecenter.services.ports.ScheduleStore` on a SQLAlchemy engine: the schedules
    and their rosters."""

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
        rows = [_row(n, shift) for n, shift in enumerate(shifts)]
        version = self._insert(schedule_versions, schedule_shifts, meta, rows)
        return replace(draft, version=version, shifts=len(shifts))

    def _insert(
        self, versions: Table, shifts: Table, meta: dict[str, Any], rows: list[dict[str, Any]]
    ) -> int:
        with self._engine.begin() as conn:
            version = int(
                conn.execute(insert(versions).returning(versions.c.version), meta).scalar_one()
            )
            if rows:
                conn.execute(insert(shifts), [{**row, "version": version} for row in rows])
        return version

    def versions(self) -> list[ScheduleVersion]:
        with reading(self._engine) as conn:
            found = conn.execute(
                select(schedule_versions).order_by(schedule_versions.c.version)
            ).mappings()
            return [_version(r) for r in found]

    def current(self, first_day: date, last_day: date) -> list[tuple[int, ScheduledShift]]:
        found = self._current(schedule_shifts, self.versions(), first_day, last_day)
        return [(version, _shift(r)) for version, r in found]

    def save_roster(self, draft: RosterVersion, shifts: Sequence[RosteredShift]) -> RosterVersion:
        meta = {
            "saved_at": draft.saved_at.astimezone(UTC),
            "command": draft.command,
            "first_day": draft.first_day,
            "days": draft.days,
            "timezone": draft.timezone,
            "schedule_version": draft.schedule_version,
            "status": draft.status,
            "open_places": draft.open_places,
            "shifts": len(shifts),
        }
        rows = [_roster_row(n, shift) for n, shift in enumerate(shifts)]
        version = self._insert(roster_versions, roster_shifts, meta, rows)
        return replace(draft, version=version, shifts=len(shifts))

    def roster_versions(self) -> list[RosterVersion]:
        with reading(self._engine) as conn:
            found = conn.execute(
                select(roster_versions).order_by(roster_versions.c.version)
            ).mappings()
            return [_roster_version(r) for r in found]

    def current_roster(self, first_day: date, last_day: date) -> list[tuple[int, RosteredShift]]:
        found = self._current(roster_shifts, self.roster_versions(), first_day, last_day)
        return [(version, _rostered(r)) for version, r in found]

    def _current(
        self, shifts: Table, versions: Sequence[Covering], first_day: date, last_day: date
    ) -> list[tuple[int, Any]]:
        chosen = latest_per_day(versions, first_day, last_day)
        if not chosen:
            return []
        query = (
            select(shifts)
            .where(
                shifts.c.day >= first_day,
                shifts.c.day <= last_day,
                shifts.c.version.in_(sorted(set(chosen.values()))),
            )
            .order_by(shifts.c.day, shifts.c.start_at, shifts.c.row)
        )
        with reading(self._engine) as conn:
            found = conn.execute(query).mappings().all()
        return [(int(r["version"]), r) for r in found if chosen.get(r["day"]) == int(r["version"])]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _breaks_json(breaks: Sequence[ScheduledBreak]) -> str:
    return json.dumps(
        [
            {
                "name": b.name,
                "start_at": b.start_at.astimezone(UTC).isoformat(),
                "end_at": b.end_at.astimezone(UTC).isoformat(),
                "paid": b.paid,
            }
            for b in breaks
        ]
    )


def _breaks(text: str) -> tuple[ScheduledBreak, ...]:
    return tuple(
        ScheduledBreak(
            b["name"],
            datetime.fromisoformat(b["start_at"]),
            datetime.fromisoformat(b["end_at"]),
            bool(b["paid"]),
        )
        for b in json.loads(text)
    )


def _row(n: int, shift: ScheduledShift) -> dict[str, Any]:
    return {
        "row": n,
        "day": shift.day,
        "shift": shift.shift,
        "start_at": shift.start_at.astimezone(UTC),
        "end_at": shift.end_at.astimezone(UTC),
        "agents": shift.agents,
        "paid_hours": shift.paid_hours,
        "cost": shift.cost,
        "breaks": _breaks_json(shift.breaks),
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
        breaks=_breaks(r["breaks"]),
    )


def _roster_row(n: int, shift: RosteredShift) -> dict[str, Any]:
    return {
        "row": n,
        "day": shift.day,
        "agent_id": shift.agent_id,
        "shift": shift.shift,
        "start_at": shift.start_at.astimezone(UTC),
        "end_at": shift.end_at.astimezone(UTC),
        "paid_hours": shift.paid_hours,
        "cost": shift.cost,
        "breaks": _breaks_json(shift.breaks),
    }


def _rostered(r: Any) -> RosteredShift:
    return RosteredShift(
        day=r["day"],
        agent_id=r["agent_id"],
        shift=r["shift"],
        start_at=_aware(r["start_at"]),
        end_at=_aware(r["end_at"]),
        paid_hours=float(r["paid_hours"]),
        cost=float(r["cost"]),
        breaks=_breaks(r["breaks"]),
    )


def _roster_version(r: Any) -> RosterVersion:
    return RosterVersion(
        version=int(r["version"]),
        saved_at=_aware(r["saved_at"]),
        command=r["command"],
        first_day=r["first_day"],
        days=int(r["days"]),
        timezone=r["timezone"],
        schedule_version=int(r["schedule_version"]),
        status=r["status"],
        open_places=int(r["open_places"]),
        shifts=int(r["shifts"]),
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
