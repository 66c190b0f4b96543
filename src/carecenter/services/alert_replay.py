"""Use case ``carecenter alerts replay``: how often each alert rule would have fired.

The rules of ``center.yaml`` are run, minute by minute, over a past period of the workspace:
at the end of each minute the queues and agents are seen as the wallboard would have seen them
then — contacts waiting and the longest wait, agents and how long they had been in their
state, staffed agents against the staffing plan, open promises — and the service level and
abandonment over each rule's window come from the metric catalog's report per minute, added up
as the live board adds them (:func:`~carecenter.metrics.regroup.regroup`). The readings go
through the same :class:`~carecenter.domain.alerts.AlertBook` as live, so ``for_s``,
hysteresis and repeats count as they would have. Tune a rule until it fires as often as it
should, then go live.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from carecenter.domain.alerts import AlertBook, AlertRule
from carecenter.domain.center import Center
from carecenter.domain.plans import PlanIndex, PlanKind
from carecenter.domain.projection import AgentInterval, VisitFact
from carecenter.errors import InputError
from carecenter.metrics.regroup import needed, regroup
from carecenter.metrics.spec import ReportSpec
from carecenter.services.alerting import WINDOW_FIGURES, readings
from carecenter.services.board import board_state, queues_of_agents
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.services.reporting import Period, catalog_report

STEP = timedelta(minutes=1)
LOOK_BACK = timedelta(hours=12)
"""Contacts and agent states that began this long before the period are seen in it."""
COLUMNS = ["rule", "subject", "severity", "fired", "firing_s", "longest_s", "first_fired_at"]


@dataclass
class _Tally:
    fired: int = 0
    firing_s: float = 0.0
    longest_s: float = 0.0
    first: datetime | None = None
    since: datetime | None = None


@dataclass
class AlertReplay:
    """How each rule and subject fared over the period (rows of :data:`COLUMNS`)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    minutes: int = 0


def replay_alerts(source: WorkspaceSource, *, period: Period) -> AlertReplay:
    """Run the workspace's alert rules over ``period`` (both ends needed)."""
    with opened(source, read_only=True) as ws:
        center = ws.applied_center()
        rules = center.alerts.rules
        if not rules:
            raise InputError("center.yaml has no alert rules (alerts.rules)", field="alerts")
        start, end = period.resolve(center.timezone)
        if start is None or end is None:
            raise InputError("give the period: --from and --to", field="start")
        longest = max((r.window_s for r in rules if r.metric in WINDOW_FIGURES), default=60.0)
        spec = ReportSpec(
            "1m", ("queue",), start - timedelta(seconds=longest), end, fcr=False, percentiles=False
        )
        minutes = catalog_report(ws, spec, center).rows
        visits, intervals = ws.warehouse.rows_between(start - LOOK_BACK, end)
        promises = ws.warehouse.promise_rows()
        plans = ws.plans.rows(PlanKind.STAFF, start=start, end=end)
    windows = _windows(rules, minutes, start, end)
    return _run(center, rules, start, end, visits, intervals, promises, windows, plans)


def _windows(
    rules: Sequence[AlertRule], minutes: Sequence[Mapping[str, Any]], start: datetime, end: datetime
) -> dict[tuple[float, datetime], dict[str, dict[str, Any]]]:
    """(window_s, minute) -> queue -> the catalog's figures over that window ending with
    that minute: every minute row tagged with each window end it falls in, added up at once."""
    keep = ["queue", *sorted(needed(tuple(WINDOW_FIGURES.values())))]
    out: dict[tuple[float, datetime], dict[str, dict[str, Any]]] = defaultdict(dict)
    for seconds in sorted({r.window_s for r in rules if r.metric in WINDOW_FIGURES}):
        span = max(1, round(seconds / 60))
        tagged = []
        for r in minutes:
            at = r["interval_start"]
            for k in range(span):
                t = at + k * STEP
                if start <= t < end:
                    tagged.append({**{c: r.get(c) for c in keep}, "t": t.isoformat()})
        for row in regroup(tagged, ["t", "queue"]) if tagged else []:
            if row["queue"] is not None:
                out[(seconds, datetime.fromisoformat(row["t"]))][str(row["queue"])] = row
    return out


def _wait_end(v: VisitFact) -> datetime | None:
    return v.answered_at or v.abandoned_at or v.ended_at


class _Line:
    """The contacts waiting in one queue as time goes on: who joined, who left when."""

    def __init__(self) -> None:
        self._waiting: dict[str, datetime] = {}
        self._leaving: list[tuple[datetime, str]] = []
        self._oldest: list[tuple[datetime, str]] = []

    def join(self, contact: str, enqueued: datetime, left: datetime | None) -> None:
        self._waiting[contact] = enqueued
        heapq.heappush(self._oldest, (enqueued, contact))
        # a visit the log never ended stops counting as the live board stops showing it
        heapq.heappush(self._leaving, (left or enqueued + LOOK_BACK, contact))

    def at(self, now: datetime) -> tuple[int, datetime | None]:
        """(contacts waiting at ``now``, when the longest-waiting one joined)."""
        while self._leaving and self._leaving[0][0] < now:
            _, contact = heapq.heappop(self._leaving)
            self._waiting.pop(contact, None)
        while self._oldest and self._oldest[0][1] not in self._waiting:
            heapq.heappop(self._oldest)
        first = self._oldest[0][0] if self._oldest else None
        return len(self._waiting), first


def _run(
    center: Center,
    rules: Sequence[AlertRule],
    start: datetime,
    end: datetime,
    visits: Sequence[VisitFact],
    intervals: Sequence[AgentInterval],
    promises: Sequence[Any],
    windows: Mapping[tuple[float, datetime], Mapping[str, Mapping[str, Any]]],
    plans: Sequence[Any],
) -> AlertReplay:
    book = AlertBook({r.rule_id: r for r in rules})
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    serves = queues_of_agents(center, {(v.agent_id, v.queue_id) for v in visits if v.agent_id})
    arrivals = sorted(visits, key=lambda v: v.enqueued_at)
    by_agent: dict[str, list[AgentInterval]] = defaultdict(list)
    for iv in sorted(intervals, key=lambda iv: (iv.agent_id, iv.start_at)):
        by_agent[iv.agent_id].append(iv)
    spells = {a: ([iv.start_at for iv in ivs], ivs) for a, ivs in by_agent.items()}
    plan = PlanIndex(s.row for s in plans)
    # the promises open at some moment of the period, as they stood then (open)
    relevant = [
        replace(p, status="open")
        for p in promises
        if p.made_at is not None
        and p.made_at < end
        and (p.closed_at is None or p.closed_at >= start)
    ]
    queued: dict[str, _Line] = defaultdict(_Line)
    i = 0
    t = start
    replay = AlertReplay()
    while t < end:
        now = t + STEP  # the end of the minute, as the board sees it
        while i < len(arrivals) and arrivals[i].enqueued_at < now:
            v = arrivals[i]
            queued[v.queue_id].join(v.contact_id, v.enqueued_at, _wait_end(v))
            i += 1
        board = _board(center, now, queued, spells, serves, plan)
        open_promises = [
            p
            for p in relevant
            if p.made_at is not None
            and p.made_at < now
            and (p.closed_at is None or p.closed_at >= now)
        ]

        def window(seconds: float, at: datetime = t) -> Mapping[str, Mapping[str, Any]]:
            return windows.get((seconds, at), {})

        for change in book.update(now, readings(rules, now, board, open_promises, window)):
            key = (change.alert.rule_id, change.alert.subject)
            tally = tallies[key]
            if change.kind == "fired":
                tally.fired += 1
                tally.since = now
                tally.first = tally.first or now
            elif change.kind == "cleared" and tally.since is not None:
                _close(tally, now)
        replay.minutes += 1
        t = now
    for tally in tallies.values():
        if tally.since is not None:
            _close(tally, end)
    severity = {r.rule_id: r.severity.value for r in rules}
    replay.rows = [
        {
            "rule": rule,
            "subject": subject,
            "severity": severity[rule],
            "fired": tally.fired,
            "firing_s": round(tally.firing_s, 1),
            "longest_s": round(tally.longest_s, 1),
            "first_fired_at": tally.first.isoformat() if tally.first else None,
        }
        for (rule, subject), tally in sorted(tallies.items())
    ]
    return replay


def _close(tally: _Tally, at: datetime) -> None:
    assert tally.since is not None
    spell = (at - tally.since).total_seconds()
    tally.firing_s += spell
    tally.longest_s = max(tally.longest_s, spell)
    tally.since = None


def _board(
    center: Center,
    now: datetime,
    queued: Mapping[str, _Line],
    spells: Mapping[str, tuple[list[datetime], list[AgentInterval]]],
    serves: Mapping[str, set[str]],
    plan: PlanIndex,
) -> dict[str, Any]:
    """The board's queue and agent rows the rules read, as they stood at ``now``."""
    agents: list[dict[str, Any]] = []
    for agent_id, (starts, ivs) in spells.items():
        k = bisect_right(starts, now) - 1  # the last interval begun by now
        current = ivs[k] if k >= 0 else None
        if current is None or (current.end_at is not None and current.end_at <= now):
            continue
        agent = center.agents.get(agent_id)
        agents.append(
            {
                "agent_id": agent_id,
                "name": agent.name if agent else agent_id,
                "state": board_state(current),
                "reason": current.reason if current.state == "break" else None,
                "in_state_s": (now - current.start_at).total_seconds(),
                "queues": sorted(serves.get(agent_id, ())),
            }
        )
    rows = []
    for queue_id in sorted(set(center.queues) | set(queued)):
        line = queued.get(queue_id)
        count, first = line.at(now) if line is not None else (0, None)
        queue = center.queues.get(queue_id)
        staffed = sum(
            1
            for a in agents
            if queue_id in a["queues"]
            and a["state"] in ("available", "on_contact", "after_call_work")
        )
        planned = plan.row_at(queue_id, now)
        need = planned.agents if planned is not None else None
        rows.append(
            {
                "queue_id": queue_id,
                "name": queue.name if queue else queue_id,
                "sl_target": queue.service_level.target if queue else None,
                "waiting": count,
                "longest_wait_s": (now - first).total_seconds() if first is not None else None,
                "agents_required": need,
                "agents_staffed": staffed,
            }
        )
    return {"queues": rows, "agents": agents}
