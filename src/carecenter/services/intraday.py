"""Use case: ``carecenter intraday`` — the rest of the day re-forecast from the contacts so far,
the agents it needs and the agents the saved schedule puts on the floor.

For a moment ``now`` (to the minute) of the center's day, per queue of the current forecast:

- ``F``: the contacts the forecast expected from the day's start to ``now`` (the interval
  ``now`` is in counted in proportion to the part gone by, as the wallboard's forecast so far);
  ``D``: the day's whole forecast (its rows that start in the day); ``A``: the contacts offered
  so far (the metric catalog's ``offered`` of the visits that entered the queue from the day's
  start to ``now``, the figure a forecast from the warehouse is made of);
- the due share ``w = F / D``, the ratio so far ``r = A / F`` and the ratio used
  ``r' = 1 + w (r - 1)``, which is ``1 + (A - F) / D``: the surplus (or shortfall) so far as a
  share of the day's forecast. ``F = 0`` (nothing was due yet): ``r' = 1``;
- each remaining interval (the one ``now`` is in and the later ones):
  ``reforecast_calls = calls x r'`` and ``aht_s = (1 - w) x plan AHT + w x AHT so far`` (the
  catalog's ``handle_total_s / handled`` of the same visits; the plan's AHT when none was
  handled).

Why damp the ratio by ``w``: early in the day the ratio rests on few contacts (their Poisson
noise alone is about ``1 / sqrt(F)``: +-22 % on 20 expected contacts), and a morning that runs
early or late against the forecast's intraday shape is not yet a change of the day's level.
The weight needs no tuning constant, rises with the evidence to 1 when the day's forecast is
all due, and leaves the forecast unchanged when nothing was due.

The re-forecast intervals are staffed by :func:`carecenter.services.staffing.staff_plan`, the
code ``carecenter staff`` runs (the same targets, Erlang C or A, shrinkage), so
``reforecast_required`` is that command's ``scheduled_agents`` for the re-forecast volume.
``required`` is the saved staffing plan's ``scheduled_agents`` (the most of its rows of the
queue the interval overlaps), ``scheduled`` the saved schedule's agents on a shift and not on
a break, on average over the interval (:func:`~carecenter.services.staff_vs_plan.scheduled_in`)
and ``gap = scheduled - reforecast_required`` (negative: short). The schedule is for agents
who serve all the queues: with several queues in the forecast, ``scheduled`` and ``gap`` are
on one ``(center)`` row per interval, whose agents are the queues' summed (as in ``carecenter
plan compare``; agents who serve several queues pool, so the sum is an upper bound).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.adapters.volumes_csv import InMemoryVolumes, VolumeRow
from carecenter.domain.center import Center
from carecenter.domain.plans import PlanKind, PlanRow
from carecenter.domain.schedules import ScheduledShift
from carecenter.errors import InputError
from carecenter.metrics.spec import ReportSpec
from carecenter.services import staffing
from carecenter.services.bootstrap import Workspace, WorkspaceSource, opened
from carecenter.services.plans import SAVE_HINT
from carecenter.services.reporting import CENTER, catalog_report
from carecenter.services.staff_vs_plan import as_utc, scheduled_in
from carecenter.services.wallboard import day_bounds, forecast_so_far
from carecenter.wfm.staffing import StaffingTarget

COLUMNS = (
    "interval_start",
    "queue",
    "forecast_calls",
    "reforecast_calls",
    "aht_s",
    "required",
    "reforecast_required",
    "scheduled",
    "gap",
)


@dataclass(frozen=True)
class SoFar:
    """One queue's day up to now: ``forecast`` (F) and ``offered`` (A) contacts so far, the
    day's whole forecast (D) and the AHT so far (``None``: nothing handled yet)."""

    queue: str
    forecast: float
    offered: float
    day_forecast: float
    aht_s: float | None = None

    @property
    def due(self) -> float:
        """``w = F / D``: the share of the day's forecast already due (0 to 1)."""
        return min(1.0, self.forecast / self.day_forecast) if self.day_forecast > 0 else 0.0

    @property
    def ratio(self) -> float | None:
        """``r = A / F`` (``None`` while nothing was forecast so far)."""
        return self.offered / self.forecast if self.forecast > 0 else None

    @property
    def ratio_used(self) -> float:
        """``r' = 1 + w (r - 1)``: the factor of the rest of the day's forecast, computed as
        ``1 + (A - F) / D`` (the same while ``F < D``; no overflow of ``A / F`` for a tiny
        ``F``)."""
        if self.forecast <= 0:
            return 1.0
        if self.forecast >= self.day_forecast:
            return self.offered / self.forecast
        return 1.0 + (self.offered - self.forecast) / self.day_forecast

    def aht_used(self, plan_aht_s: float) -> float:
        """``(1 - w) x plan AHT + w x AHT so far`` (the plan's while nothing was handled)."""
        if self.aht_s is None:
            return plan_aht_s
        return (1.0 - self.due) * plan_aht_s + self.due * self.aht_s


@dataclass(frozen=True)
class Intraday:
    """The re-forecast of the rest of ``day`` from ``now`` (center time): the days so far of
    the queues shown, one row per queue and remaining interval (:data:`COLUMNS`), and notes on
    what the rows leave out or count together."""

    day: date
    now: datetime
    so_far: tuple[SoFar, ...]
    rows: list[dict[str, Any]]
    notes: tuple[str, ...] = ()


def parse_moment(text: str, timezone: str) -> datetime:
    """``YYYY-MM-DDTHH:MM`` as an aware moment: center time (``timezone``) without an offset."""
    try:
        value = datetime.fromisoformat(text.strip()) if len(text.strip()) > 10 else None
    except ValueError:
        value = None
    if value is None:
        raise InputError(f"not a date and time YYYY-MM-DDTHH:MM: {text!r}", field="at")
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(timezone))


@dataclass(frozen=True)
class _Staffing:
    """How ``carecenter staff`` is asked: the targets, the patience of rows without one, the
    shrinkage."""

    target: StaffingTarget
    patience_s: float | None
    shrinkage: float

    def agents(self, volumes: list[VolumeRow], aht_s: float | None = None) -> list[int]:
        """``scheduled_agents`` of :func:`staffing.staff_plan` for each of ``volumes``."""
        rows = staffing.staff_plan(
            InMemoryVolumes(volumes),
            self.target,
            default_patience_s=self.patience_s,
            default_aht_s=aht_s,
            shrinkage=self.shrinkage,
        )
        return [int(r["scheduled_agents"]) for r in rows]


def reforecast_day(
    source: WorkspaceSource,
    target: StaffingTarget,
    *,
    at: str | datetime | None = None,
    queues: Sequence[str] = (),
    default_patience_s: float | None = None,
    default_aht_s: float | None = None,
    shrinkage: float = 0.0,
) -> Intraday:
    """The rest of the day of ``at`` (default: the workspace clock's now) re-forecast per queue
    of the current forecast (``queues``: the rows of these only), with the agents ``target``
    and ``shrinkage`` need (Erlang A where a patience is known: the staffing plan's, else
    ``default_patience_s``; else C). ``default_aht_s`` stands in for a forecast row's missing
    AHT. An :class:`InputError` when the day has no forecast."""
    how = _Staffing(target, default_patience_s, shrinkage)
    how.agents([], default_aht_s)  # checks the options before the workspace is read
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        zone = ZoneInfo(center.timezone if center is not None else "UTC")
        moment = parse_moment(at, zone.key) if isinstance(at, str) else at
        now = (moment or ws.clock.now()).astimezone(UTC).replace(second=0, microsecond=0)
        start, end = day_bounds(now, zone.key)
        forecast = [
            s.row
            for s in ws.plans.rows(PlanKind.FORECAST, start=start, end=end)
            if s.row.calls is not None and start <= s.row.interval_start < end
        ]
        day, known = start.date(), sorted({r.queue_id for r in forecast})
        if not forecast:
            raise InputError(
                f"no forecast for {day} ({zone.key}); save one with "
                f"`{SAVE_HINT[PlanKind.FORECAST]} --workspace DIR`"
            )
        for queue in queues:
            if queue not in known:
                raise InputError(f"no forecast for queue {queue} on {day}", field="queue")
        so_far = _so_far(forecast, forecast_so_far(ws, start, now), _actual(ws, center, now))
        staff = [s.row for s in ws.plans.rows(PlanKind.STAFF, start=now, end=end)]
        shifts = [s for _, s in ws.schedules.current(day - timedelta(days=1), day)]
    rest = sorted(
        (r for r in forecast if r.interval_end > now), key=lambda r: (r.interval_start, r.queue_id)
    )
    rows = _rows(rest, so_far, staff, how, default_aht_s)
    rows = _with_schedule(rows, shifts, several=len(known) > 1)
    shown = {*queues, CENTER} if queues else {*known, CENTER}
    notes = _notes(rows, day, now.astimezone(zone), len(known), center, bool(shifts))
    notes += _mismatch(rest, staff, how)
    for row in rows:
        row["interval_start"] = row["interval_start"].astimezone(zone)
    return Intraday(
        day=day,
        now=now.astimezone(zone),
        so_far=tuple(so_far[q] for q in known if q in shown),
        rows=[r for r in rows if r["queue"] in shown],
        notes=tuple(notes),
    )


def _actual(ws: Workspace, center: Center | None, now: datetime) -> dict[str, SoFar]:
    """Queue -> the offered and handled contacts and their handle time, of the visits that
    entered it from the day's start to ``now``: the catalog's report of the day per minute and
    queue (the wallboard's, so its compiled SQL is shared), up to ``now``."""
    start, end = day_bounds(now, center.timezone if center is not None else "UTC")
    if now <= start:
        return {}
    spec = ReportSpec("1m", ("queue",), start, end, fcr=False, percentiles=False)
    sums: dict[str, list[float]] = {}
    for row in catalog_report(ws, spec, center).rows:
        if row["queue"] is not None and as_utc(row["interval_start"]) < now:
            found = sums.setdefault(row["queue"], [0.0, 0.0, 0.0])
            found[0] += row["offered"] or 0
            found[1] += row["handled"] or 0
            found[2] += row["handle_total_s"] or 0.0
    return {
        q: SoFar(q, 0.0, offered, 0.0, handle / handled if handled else None)
        for q, (offered, handled, handle) in sums.items()
    }


def _so_far(
    forecast: Sequence[PlanRow], expected: Mapping[str, float], actual: Mapping[str, SoFar]
) -> dict[str, SoFar]:
    """Queue -> its day so far: the forecast so far (``expected``), the day's forecast (the
    calls of ``forecast``: the rows starting in the day) and the ``actual`` contacts."""
    day: dict[str, float] = {}
    for row in forecast:
        day[row.queue_id] = day.get(row.queue_id, 0.0) + (row.calls or 0.0)
    out = {}
    for queue, whole in day.items():
        seen = actual.get(queue, SoFar(queue, 0.0, 0.0, 0.0))
        out[queue] = replace(seen, forecast=expected.get(queue, 0.0), day_forecast=whole)
    return out


def _overlapping(rows: Sequence[PlanRow], row: PlanRow) -> list[PlanRow]:
    """The rows of ``row``'s queue whose interval overlaps ``row``'s."""
    return [
        r
        for r in rows
        if r.queue_id == row.queue_id
        and r.interval_start < row.interval_end
        and row.interval_start < r.interval_end
    ]


def _rows(
    rest: Sequence[PlanRow],
    so_far: Mapping[str, SoFar],
    staff: Sequence[PlanRow],
    how: _Staffing,
    default_aht_s: float | None,
) -> list[dict[str, Any]]:
    """One row per remaining forecast row: its calls and AHT re-forecast and the agents."""
    volumes = []
    for row in rest:
        plan_aht = row.aht_s if row.aht_s is not None else default_aht_s
        if plan_aht is None:
            raise InputError(
                f"the forecast of queue {row.queue_id} has no AHT at "
                f"{row.interval_start.isoformat()}: give --aht SECONDS",
                field="aht",
            )
        sf, overlapping = so_far[row.queue_id], _overlapping(staff, row)
        patience = next((s.patience_s for s in overlapping if s.patience_s is not None), None)
        calls, aht = (row.calls or 0.0) * sf.ratio_used, sf.aht_used(plan_aht)
        volumes.append(VolumeRow(row.queue_id, "", calls, aht, row.interval_s, patience))
    out = []
    for row, volume, agents in zip(rest, volumes, how.agents(volumes), strict=True):
        planned = [s.scheduled_agents for s in _overlapping(staff, row)]
        known = [n for n in planned if n is not None]
        out.append(
            {
                "interval_start": row.interval_start,
                "interval_end": row.interval_end,
                "queue": row.queue_id,
                "forecast_calls": round(row.calls or 0.0, 3),
                "reforecast_calls": round(volume.calls, 3),
                "aht_s": round(volume.aht_s, 1),
                "required": max(known) if known else None,  # the plan's most in the interval
                "reforecast_required": agents,
                "scheduled": None,
                "gap": None,
            }
        )
    return out


def _with_schedule(
    rows: Sequence[dict[str, Any]], shifts: Sequence[ScheduledShift], several: bool
) -> list[dict[str, Any]]:
    """``rows`` (in order of interval) with ``scheduled`` and ``gap`` (none without a saved
    schedule); with ``several`` queues, on a ``(center)`` row after each interval's rows."""
    out: list[dict[str, Any]] = []
    for _, found in groupby(rows, key=lambda r: r["interval_start"]):
        group = list(found)
        if several and len({r["interval_end"] for r in group}) > 1:
            raise InputError(
                "the forecast's queues have intervals of different lengths; the center's gap "
                "needs one interval for all queues: save the forecast with one --interval"
            )
        lines = [_center_row(group)] if several else group
        for line in lines:
            if shifts:
                working, _ = scheduled_in(shifts, line["interval_start"], line["interval_end"])
                line["scheduled"] = round(working, 3)
                line["gap"] = round(working - line["reforecast_required"], 3)
        out += [*group, *lines] if several else group
    for row in out:
        del row["interval_end"]
    return out


def _center_row(lines: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The queues' rows of one interval together: calls and agents summed, AHT weighted."""
    calls = sum(line["reforecast_calls"] for line in lines)
    handle = sum(line["reforecast_calls"] * line["aht_s"] for line in lines)
    known = [line["required"] for line in lines if line["required"] is not None]
    return {
        **lines[0],
        "queue": CENTER,
        "forecast_calls": round(sum(line["forecast_calls"] for line in lines), 3),
        "reforecast_calls": round(calls, 3),
        "aht_s": round(handle / calls, 1) if calls else None,
        "required": sum(known) if known else None,
        "reforecast_required": sum(line["reforecast_required"] for line in lines),
    }


def _mismatch(rest: Sequence[PlanRow], staff: Sequence[PlanRow], how: _Staffing) -> list[str]:
    """A warning when a staffing-plan row of the rest of the day has not the agents that
    ``how`` gives for its own calls and AHT: ``required`` and ``reforecast_required`` would
    not be like with like."""
    mine = [
        s
        for s in staff
        if None not in (s.calls, s.aht_s, s.scheduled_agents)
        and any(_overlapping([s], r) for r in rest)
    ]
    volumes = [
        VolumeRow(s.queue_id, "", s.calls or 0.0, s.aht_s or 0.0, s.interval_s, s.patience_s)
        for s in mine
    ]
    for saved, agents in zip(mine, how.agents(volumes), strict=True):
        if agents != saved.scheduled_agents:
            return [
                f"warning: the staffing plan has {saved.scheduled_agents} agents for queue "
                f"{saved.queue_id} at {saved.interval_start:%H:%M}, these targets {agents} for "
                f"its {saved.calls:g} calls of {saved.aht_s:g} s: give the --target-sl, "
                "--threshold, --max-*, --patience and --shrinkage it was saved with "
                "(`carecenter plan versions` shows its command)"
            ]
    return []


def _notes(
    rows: Sequence[Mapping[str, Any]],
    day: date,
    now: datetime,
    queues: int,
    center: Center | None,
    scheduled: bool,
) -> list[str]:
    notes = []
    if not rows:
        notes.append(f"note: nothing of {day}'s forecast is left after {now:%H:%M}")
    if queues > 1:
        notes.append(
            f"note: the schedule's agents serve all {queues} queues: scheduled and gap are on "
            f"the {CENTER} rows, with the queues' agents summed"
        )
    elif center is not None and len(center.queues) > 1:
        notes.append(
            f"note: the forecast has 1 of the center's {len(center.queues)} queues; the "
            "schedule's agents serve them all"
        )
    if not scheduled:
        notes.append(
            f"note: no schedule saved for {day}: scheduled and gap are empty "
            "(`carecenter schedule --save`)"
        )
    if rows and all(r["required"] is None for r in rows):
        notes.append(
            f"note: no staffing plan for the rest of {day}: required is empty "
            f"(`{SAVE_HINT[PlanKind.STAFF]}`)"
        )
    return notes


def summary(result: Intraday) -> list[str]:
    """The lines for stderr: per queue, the contacts so far against the forecast so far and
    the ratio used; then the notes."""
    lines = []
    for sf in result.so_far:
        ratio = "none" if sf.ratio is None else f"{sf.ratio:.3f}"
        aht = "none handled" if sf.aht_s is None else f"{sf.aht_s:.1f} s"
        lines.append(
            f"{sf.queue}: {sf.offered:g} offered by {result.now:%H:%M} against "
            f"{sf.forecast:.1f} forecast (ratio {ratio}); {sf.due:.1%} of the day's "
            f"{sf.day_forecast:.1f} due: ratio used {sf.ratio_used:.3f}; AHT so far {aht}"
        )
        if sf.offered == 0 and sf.forecast >= 1:
            lines.append(
                f"warning: no contacts of {sf.queue} in the warehouse on {result.day}: are "
                "they imported (`carecenter import`) or is the engine running?"
            )
    return lines + list(result.notes)
