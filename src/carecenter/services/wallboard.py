"""Use case: the live wallboard of a workspace.

:class:`Wallboard` reads, once per refresh, what the board needs from an open workspace — the
metric catalog's report of today per minute and queue and per agent and queue (compiled once a
day and cached, see :mod:`carecenter.metrics.compiled`), the open visits and agent intervals,
the open promises, today's forecast and the staffing plan's interval of now — and
:func:`carecenter.services.board.build` turns them into the board of the center or of a team.
Every figure comes from the same catalog as ``carecenter report``, on the same facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.domain.center import Center
from carecenter.domain.plans import PlanKind
from carecenter.domain.projection import AgentInterval, VisitFact
from carecenter.domain.promise_facts import PromiseRow
from carecenter.metrics.spec import ReportSpec
from carecenter.services import board
from carecenter.services.bootstrap import Workspace
from carecenter.services.reporting import catalog_report

OPEN_SINCE = timedelta(hours=12)
"""Open visits and agent intervals older than this are left off the board: a call whose end
the phone system never logged, an agent who never signed out."""
AGENT_REFRESH_S = 5.0
"""The per-agent figures (contacts today, AHT) are read again at most this often."""


@dataclass
class BoardInputs:
    """What one refresh read from the workspace."""

    center: Center
    now: datetime
    minutes: list[dict[str, Any]]
    agent_rows: list[dict[str, Any]]
    visits: list[VisitFact]
    intervals: list[AgentInterval]
    promises: list[PromiseRow]
    forecast: dict[str, float] = field(default_factory=dict)
    required: dict[str, int] = field(default_factory=dict)


def day_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The local day of ``now``: its start and the next day's start (aware)."""
    zone = ZoneInfo(timezone)
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time(0), zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), zone)


class Wallboard:
    """Reads the board's inputs from a workspace; keeps the per-agent figures a few seconds."""

    def __init__(self, source: str) -> None:
        self.source = source
        """What feeds the board (shown on it): the engine, or the followed queue_log."""
        self._agents: tuple[float, list[dict[str, Any]]] | None = None

    def read_now(
        self,
        ws: Workspace,
        now: datetime,
        center: Center | None = None,
        before: BoardInputs | None = None,
    ) -> BoardInputs:
        """What is going on at ``now`` (open visits and agent intervals, open promises), with
        the catalog's figures of ``before`` (none at first): quick, so a new contact or a
        changed agent shows before the catalog is run again."""
        visits, intervals = ws.warehouse.open_rows(now - OPEN_SINCE)
        promises = ws.warehouse.promise_rows(status="open")
        return now_inputs(self.center_of(ws, center), now, before, visits, intervals, promises)

    def read(self, ws: Workspace, now: datetime, center: Center | None = None) -> BoardInputs:
        """Everything the board of ``now`` needs, from the open workspace ``ws``."""
        inputs = self.read_now(ws, now, center)
        return self.read_catalog(ws, inputs)

    def read_catalog(self, ws: Workspace, inputs: BoardInputs) -> BoardInputs:
        """``inputs`` with the catalog's figures of today and the plans' read again."""
        center, now = inputs.center, inputs.now
        start, end = day_bounds(now, center.timezone)
        minutes = catalog_report(
            ws, ReportSpec("1m", ("queue",), start, end, fcr=False, percentiles=False), center
        ).rows
        stamp = now.timestamp()
        if (
            self._agents is None
            or stamp - self._agents[0] >= AGENT_REFRESH_S
            or stamp < self._agents[0]
        ):
            spec = ReportSpec("1d", ("agent", "queue"), start, end, fcr=False, percentiles=False)
            self._agents = (stamp, catalog_report(ws, spec, center).rows)
        return BoardInputs(
            center=center,
            now=now,
            minutes=minutes,
            agent_rows=self._agents[1],
            visits=inputs.visits,
            intervals=inputs.intervals,
            promises=inputs.promises,
            forecast=forecast_so_far(ws, start, now),
            required=required_now(ws, now),
        )

    @staticmethod
    def center_of(ws: Workspace, center: Center | None) -> Center:
        """``center``, or the workspace's stored configuration (an error when it has none)."""
        return center or ws.applied_center()

    def board(
        self,
        inputs: BoardInputs,
        team: str | None = None,
        alerts: Sequence[Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        """The board of the center (``team`` ``None``) or of one team, with the ``alerts``
        firing (those of the team's queues and agents)."""
        return board.build(
            center=inputs.center,
            now=inputs.now,
            source=self.source,
            minutes=inputs.minutes,
            agent_rows=inputs.agent_rows,
            visits=inputs.visits,
            intervals=inputs.intervals,
            promises=inputs.promises,
            forecast=inputs.forecast,
            required=inputs.required,
            alerts=alerts,
            team=team,
        )


def now_inputs(
    center: Center,
    now: datetime,
    before: BoardInputs | None,
    visits: list[VisitFact],
    intervals: list[AgentInterval],
    promises: list[PromiseRow],
) -> BoardInputs:
    """The inputs of a board of ``now`` with these open rows and the catalog's figures of
    ``before`` (none at first)."""
    return BoardInputs(
        center=center,
        now=now,
        minutes=before.minutes if before else [],
        agent_rows=before.agent_rows if before else [],
        visits=visits,
        intervals=intervals,
        promises=promises,
        forecast=before.forecast if before else {},
        required=before.required if before else {},
    )


def forecast_so_far(ws: Workspace, start: datetime, now: datetime) -> dict[str, float]:
    """Queue -> contacts the current forecast expects from ``start`` to ``now`` (the interval
    now is in counted in proportion to the part of it gone by)."""
    out: dict[str, float] = {}
    for stored in ws.plans.rows(PlanKind.FORECAST, start=start, end=now):
        row = stored.row
        if row.calls is None:
            continue
        begin, finish = max(row.interval_start, start), min(row.interval_end, now)
        gone = (finish - begin).total_seconds()
        if gone > 0:
            out[row.queue_id] = out.get(row.queue_id, 0.0) + row.calls * gone / row.interval_s
    return out


def required_now(ws: Workspace, now: datetime) -> dict[str, int]:
    """Queue -> agents on contacts the current staffing plan needs in the interval of
    ``now`` (Erlang's ``agents``; shrinkage is not in it)."""
    out: dict[str, int] = {}
    for stored in ws.plans.rows(PlanKind.STAFF, start=now, end=now + timedelta(seconds=1)):
        if stored.row.agents is not None:
            out[stored.row.queue_id] = stored.row.agents
    return out
