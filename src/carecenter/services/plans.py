"""Plans in the workspace: save a forecast or a staffing plan, and read the current plan back
(``carecenter forecast --save``, ``carecenter staff --save``, ``carecenter plan``).

Each save is a new version of the plan of its kind (see :mod:`carecenter.domain.plans`): it
replaces the current rows of the same queues and intervals and keeps them in the history.
Interval starts without a UTC offset (a forecast's, most volume files') are wall-clock times of
the center's time zone; the rows shown are in that time zone too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.adapters.settings import Settings
from carecenter.adapters.volumes_csv import VolumeRow
from carecenter.domain.durations import DAY_S
from carecenter.domain.plans import PlanKind, PlanRow, PlanVersion, StoredPlanRow, overlap
from carecenter.errors import InputError, WorkspaceError
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.wfm.measures import MEASURE_NAMES

KINDS = tuple(k.value for k in PlanKind)
FORECAST_PLAN_COLUMNS = (
    "queue",
    "interval_start",
    "interval_s",
    "calls",
    "calls_lo",
    "calls_hi",
    "aht_s",
    "model",
    "version",
)
_STAFF_KEYS = (
    "queue",
    "interval_start",
    "interval_s",
    "calls",
    "aht_s",
    "model",
    "agents",
    "scheduled_agents",
)
STAFF_PLAN_COLUMNS = (*_STAFF_KEYS, *MEASURE_NAMES, "version")
STAFF_TABLE_COLUMNS = (*_STAFF_KEYS, "service_level", "asa_s", "p_abandon", "occupancy", "version")
"""The columns of a staffing plan that a table shows (json and csv show every measure)."""
VERSION_COLUMNS = (
    "version",
    "kind",
    "saved_at",
    "period_start",
    "period_end",
    "rows",
    "replaced",
    "command",
)
SAVE_HINT = {
    PlanKind.FORECAST: "carecenter forecast --save",
    PlanKind.STAFF: "carecenter staff --save",
}


@dataclass(frozen=True)
class SavedPlan:
    """What a save stored: the version, and the queues it planned that the center's
    configuration does not know (the engine never asks for them)."""

    version: PlanVersion
    timezone: str
    unknown_queues: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line: ``saved staff plan version 2: 1 row, 2026-12-07 09:30 to 2026-12-07 10:00
        (Europe/London), replacing 1 row of earlier versions``."""
        v = self.version
        zone = ZoneInfo(self.timezone)
        start = v.period_start.astimezone(zone)
        end = v.period_end.astimezone(zone)
        replaced = f", replacing {_rows(v.replaced)} of earlier versions" if v.replaced else ""
        return (
            f"saved {v.kind} plan version {v.version}: {_rows(v.rows)}, "
            f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} ({self.timezone}){replaced}"
        )


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


@dataclass(frozen=True)
class PlanListing:
    """Rows of a plan as shown: one dict per queue and interval (:data:`STAFF_PLAN_COLUMNS` or
    :data:`FORECAST_PLAN_COLUMNS`, and ``replaced_by`` with the history)."""

    kind: PlanKind
    rows: list[dict[str, Any]]
    columns: tuple[str, ...]


def check_kind(kind: str) -> PlanKind:
    """The plan kind named ``kind``; an :class:`InputError` naming the choices otherwise."""
    if kind not in KINDS:
        raise InputError(f"unknown plan {kind!r}; choose one of {', '.join(KINDS)}", field="kind")
    return PlanKind(kind)


def check_save_target(source: WorkspaceSource) -> None:
    """A one-line :class:`WorkspaceError` when ``source`` names a directory that is no
    workspace: a command checks before it computes what it would save."""
    if isinstance(source, Settings) and not source.config_path.exists():
        raise WorkspaceError(
            f"{source.workspace}: not a carecenter workspace (no center.yaml); --save keeps "
            "the plan in a workspace: give --workspace DIR (or run `carecenter init` there)"
        )


def save_plan(
    source: WorkspaceSource,
    kind: PlanKind,
    build: Callable[[ZoneInfo], list[PlanRow]],
    *,
    command: str,
    where: str = "",
) -> SavedPlan:
    """Save the rows ``build`` makes (given the center's time zone) as a new version of the
    ``kind`` plan of the workspace, stamped with the workspace clock's time and ``command``.
    ``where`` names the rows' source in errors."""
    check_save_target(source)
    with opened(source) as ws:
        center = ws.center.load()
        timezone = center.timezone if center else "UTC"
        rows = build(ZoneInfo(timezone))
        if not rows:
            raise InputError("no rows to save", file=where or None)
        clash = overlap(rows)
        if clash is not None:
            first, second = clash
            raise InputError(
                f"queue {first.queue_id}: the intervals starting {first.interval_start} and "
                f"{second.interval_start} overlap; a plan has one row per queue and interval",
                file=where or None,
            )
        version = ws.plans.save(kind, rows, saved_at=ws.clock.now(), command=command)
    unknown = sorted({r.queue_id for r in rows} - set(center.queues if center else ()))
    return SavedPlan(version, timezone, tuple(unknown))


def forecast_plan_rows(
    rows: Sequence[dict[str, Any]], models: dict[str, str], zone: ZoneInfo
) -> list[PlanRow]:
    """Plan rows of a forecast's rows (``queue``, ``interval_start`` wall-clock time of
    ``zone``, ``calls``, ``calls_lo``, ``calls_hi``, ``aht_s``, ``interval_s``)."""
    return [
        PlanRow(
            queue_id=str(r["queue"]),
            interval_start=_localise(r["interval_start"], zone),
            interval_s=int(r["interval_s"]),
            calls=r["calls"],
            calls_lo=r["calls_lo"],
            calls_hi=r["calls_hi"],
            aht_s=r["aht_s"],
            model=models.get(str(r["queue"])),
        )
        for r in rows
    ]


def staff_plan_rows(
    volumes: Sequence[VolumeRow], rows: Sequence[dict[str, Any]], zone: ZoneInfo, where: str
) -> list[PlanRow]:
    """Plan rows of a staffing plan: its ``volumes`` (interval, patience, line) beside the
    rows computed from them (model, agents, scheduled agents, measures)."""
    planned = []
    for volume, row in zip(volumes, rows, strict=True):
        planned.append(
            PlanRow(
                queue_id=volume.queue,
                interval_start=_parse_start(volume, zone, where),
                interval_s=_whole_seconds(volume, where),
                calls=volume.calls,
                calls_lo=volume.calls_lo,
                calls_hi=volume.calls_hi,
                aht_s=volume.aht_s,
                patience_s=volume.patience_s,
                model=row["model"],
                agents=row["agents"],
                scheduled_agents=row["scheduled_agents"],
                measures={name: row.get(name) for name in MEASURE_NAMES},
            )
        )
    return planned


def _localise(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _parse_start(volume: VolumeRow, zone: ZoneInfo, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(volume.interval_start)
    except ValueError:
        raise InputError(
            f"not a date and time (YYYY-MM-DDTHH:MM[+offset]): {volume.interval_start!r}; "
            "--save needs the start of each interval",
            file=where,
            line=volume.line,
            field="interval_start",
        ) from None
    return _localise(moment, zone)


def _whole_seconds(volume: VolumeRow, where: str) -> int:
    seconds = volume.interval_s
    if seconds != int(seconds) or seconds > DAY_S:
        raise InputError(
            f"a plan's intervals are whole seconds, a day at most: {seconds:g}",
            file=where,
            line=volume.line,
            field="interval_s",
        )
    return int(seconds)


def show_plan(
    source: WorkspaceSource,
    *,
    kind: PlanKind = PlanKind.STAFF,
    period: tuple[str | None, str | None] = (None, None),
    queues: Sequence[str] = (),
    history: bool = False,
) -> PlanListing:
    """The current ``kind`` plan of the workspace (``history``: with the rows later saves
    replaced) in ``period`` (first and last day, or start and end time, in the center's time
    zone; ``None``: open) for ``queues`` (all when empty).

    A period with no plan is an :class:`InputError` saying which command saves one."""
    from carecenter.services.reporting import Period

    with opened(source) as ws:
        center = ws.center.load()
        timezone = center.timezone if center else "UTC"
        start, end = Period(*period).resolve(timezone)
        if start is not None and end is not None and end <= start:
            raise InputError("must be after --from", field="end")
        stored = ws.plans.rows(
            kind, start=start, end=end, queues=set(queues) or None, history=history
        )
    if not stored:
        raise InputError(f"no {kind} plan saved {_scope(start, end, queues)}; {_hint(kind)}")
    zone = ZoneInfo(timezone)
    columns = FORECAST_PLAN_COLUMNS if kind is PlanKind.FORECAST else STAFF_PLAN_COLUMNS
    if history:
        columns = (*columns, "replaced_by")
    return PlanListing(kind, [_shown(s, zone, history) for s in stored], columns)


def _hint(kind: PlanKind) -> str:
    return f"save one with `{SAVE_HINT[kind]} --workspace DIR`"


def _scope(start: datetime | None, end: datetime | None, queues: Sequence[str]) -> str:
    parts = []
    if start is not None:
        parts.append(f"from {start:%Y-%m-%d %H:%M}")
    if end is not None:
        parts.append(f"until {end:%Y-%m-%d %H:%M}")
    if queues:
        parts.append(f"for queue {', '.join(queues)}")
    return " ".join(parts) if parts else "in this workspace"


def _shown(stored: StoredPlanRow, zone: ZoneInfo, history: bool) -> dict[str, Any]:
    row = stored.row
    shown: dict[str, Any] = {
        "queue": row.queue_id,
        "interval_start": row.interval_start.astimezone(zone),
        "interval_s": row.interval_s,
        "calls": row.calls,
        "calls_lo": row.calls_lo,
        "calls_hi": row.calls_hi,
        "aht_s": row.aht_s,
        "model": row.model,
        "agents": row.agents,
        "scheduled_agents": row.scheduled_agents,
        **{name: _number(row.measures.get(name)) for name in MEASURE_NAMES},
        "version": stored.version,
    }
    if history:
        shown["replaced_by"] = stored.replaced_by
    return shown


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def plan_versions(source: WorkspaceSource, kind: PlanKind | None = None) -> list[dict[str, Any]]:
    """Every saved version (of ``kind`` when given), oldest first, times in the center's time
    zone."""
    with opened(source) as ws:
        center = ws.center.load()
        zone = ZoneInfo(center.timezone if center else "UTC")
        versions = ws.plans.versions(kind)
    return [
        {
            "version": v.version,
            "kind": v.kind.value,
            "saved_at": v.saved_at.astimezone(zone),
            "period_start": v.period_start.astimezone(zone),
            "period_end": v.period_end.astimezone(zone),
            "rows": v.rows,
            "replaced": v.replaced,
            "command": v.command,
        }
        for v in versions
    ]
