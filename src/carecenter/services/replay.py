"""Playing a center's history back through the twin (a scenario's ``replay:`` with
``carecenter simulate --calibrate-from``): the arrivals recorded in the workspace during the
scenario's measured run, at the moments and in the tiers they came, and the agents seen at
work, present when they were seen working.

A history without agent states (a call-by-call file such as the Anonymous Bank's) shows an
agent only through the contacts they answered: an agent is taken to be at work from answering
a contact until the end of the last one that follows with no pause longer than the plan's
``gap`` (:func:`carecenter.sim.calibration.rosters`), not free while a customer of their
queues waited (:func:`~carecenter.sim.calibration.away_spells`), and to serve the queues they
answered at least :data:`~carecenter.sim.calibration.MIN_QUEUE_SHARE` of their contacts in.
Agents the scenario's center does not name are added to it, with the skills those queues
require and one contact at a time per channel.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.domain.center import Agent
from carecenter.domain.enums import Channel, VisitOutcome
from carecenter.domain.routing_policy import AgentQueue
from carecenter.errors import InputError
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.sim.calibration import away_spells, rosters, served_queues, visit_spans
from carecenter.sim.scenario import Replay, ReplayPlan, Scenario
from carecenter.sim.twin import replication_start


def replay_history(
    source: WorkspaceSource, scenario: Scenario
) -> tuple[Scenario, list[dict[str, Any]]]:
    """``scenario`` with what its ``replay_plan`` asks for played back from the workspace's
    history of the scenario's measured run (replication 0's dates); one row per queue saying
    what was replayed (``queue``, ``arrivals``, ``agents``, ``agent_hours``)."""
    from carecenter.metrics.calibration import calibration_visits

    plan = scenario.replay_plan
    if plan is None:
        return scenario, []
    start = replication_start(scenario, 0)
    end = start + timedelta(seconds=scenario.horizon_s)
    zone, midnight = ZoneInfo(scenario.center.timezone), start.replace(tzinfo=None)

    def wall(at: datetime) -> float:
        """Seconds of local time after the run's start (see :class:`Replay`)."""
        return (at.astimezone(zone).replace(tzinfo=None) - midnight).total_seconds()

    with opened(source, read_only=True) as ws:
        table = calibration_visits(ws.warehouse.backend(), start, end)
    if table.num_rows == 0:
        raise InputError(
            f"the workspace has no inbound visits from {start:%Y-%m-%d %H:%M} to "
            f"{end:%Y-%m-%d %H:%M} to replay: check the scenario's start and horizon",
            field="start",
        )
    center = scenario.center
    visits = [v for v in table.to_pylist() if v["queue_id"] in center.queues]
    times: dict[str, list[tuple[float, str, float]]] = {}
    for row in visits if plan.arrivals else ():
        queue_id, tier = row["queue_id"], row["tier"]
        if row["transferred_in"]:
            continue
        if tier not in center.tiers:
            raise InputError(
                f"the history's tier {tier!r} (queue {queue_id}) is not a tier of the "
                "scenario's center: add it under tiers:",
                field="center",
            )
        talk = row["conversation_s"]
        known = row["outcome"] == VisitOutcome.ANSWERED.value and talk is not None
        times.setdefault(queue_id, []).append(
            (wall(row["enqueued_at"]), tier, float(talk) if known else math.nan)
        )
    services, waits = visit_spans(visits, wall) if plan.staffing else ([], [])
    if plan.arrivals and not times:
        raise InputError(
            "no queue of the scenario's center has visits in the workspace to replay",
            field="calibrate-from",
        )
    at_work = rosters(services, plan.gap_s)
    queues_of = served_queues(services)
    away = away_spells(services, waits, queues_of, at_work)
    agents = dict(center.agents)
    members: dict[str, set[str]] = {}
    for agent_id, queues in queues_of.items():
        for q in queues:
            members.setdefault(q, set()).add(agent_id)
        if agent_id not in agents:
            agents[agent_id] = _observed_agent(scenario, agent_id, sorted(queues))
    replayed_queues = set(times)
    fitted = replace(
        scenario,
        center=replace(center, agents=MappingProxyType(agents)),
        arrivals=MappingProxyType(
            {q: a for q, a in scenario.arrivals.items() if q not in replayed_queues}
        ),
        shifts=MappingProxyType({a: s for a, s in scenario.shifts.items() if a not in at_work}),
        replay=Replay(
            MappingProxyType({q: tuple(sorted(t)) for q, t in sorted(times.items())}),
            MappingProxyType(at_work),
            MappingProxyType(away),
        ),
    )
    rows = []
    for queue_id in sorted(set(times) | set(members)):
        staff = sorted(members.get(queue_id, ()))
        rows.append(
            {
                "queue": queue_id,
                "arrivals": len(times.get(queue_id, ())),
                "agents": len(staff),
                "agent_hours": sum(b - a for s in staff for a, b in at_work.get(s, ())) / 3600,
            }
        )
    return fitted, rows


def _observed_agent(scenario: Scenario, agent_id: str, queues: list[str]) -> Agent:
    """An agent the history shows answering ``queues``: able to serve them (their required
    skills, one contact at a time per channel), and only them."""
    skills: dict[str, int] = {}
    capacity: dict[Channel, int] = {}
    for q in queues:
        queue = scenario.center.queues[q]
        capacity[queue.channel] = 1
        for skill, level in queue.required_skills.items():
            skills[skill] = max(level, skills.get(skill, 0))
    return Agent(
        agent_id,
        agent_id,
        skills=MappingProxyType(skills),
        capacity=MappingProxyType(capacity),
        queues=MappingProxyType({q: AgentQueue() for q in queues}),
    )


__all__ = ["ReplayPlan", "replay_history"]
