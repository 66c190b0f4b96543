"""The center's configuration in the operational store."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, time
from types import MappingProxyType
from typing import Any

from sqlalchemy import Engine, RowMapping, delete, func, insert, select

from carecenter.adapters.store import tables as t
from carecenter.adapters.store.alerts_json import alerts_from_json, alerts_to_json
from carecenter.adapters.store.config_json import (
    flow_from_json,
    flow_to_json,
    profile_from_json,
    profile_to_json,
    routing_from_json,
    routing_to_json,
)
from carecenter.domain.center import (
    Agent,
    AgentWork,
    Center,
    Customer,
    OpeningHours,
    Queue,
    QueueTargets,
    ServiceLevelPolicy,
    Site,
    Skill,
    Tier,
)
from carecenter.domain.enums import Channel, ServiceLevelFormula


def hours_to_json(hours: OpeningHours) -> str:
    """Opening hours as JSON: ``{"timezone": ..., "weekly": {"mon": [["08:00", "18:00"]]}}``,
    with ``"closed_on": ["2026-12-25", ...]`` when the queue has holidays."""
    weekly = {
        day: [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in spans]
        for day, spans in hours.weekly.items()
    }
    data: dict[str, Any] = {"timezone": hours.timezone, "weekly": weekly}
    if hours.closed_on:
        data["closed_on"] = sorted(d.isoformat() for d in hours.closed_on)
    return json.dumps(data, sort_keys=True)


def hours_from_json(raw: str) -> OpeningHours:
    """The inverse of :func:`hours_to_json`."""
    data = json.loads(raw)
    weekly = {
        day: tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in spans)
        for day, spans in data["weekly"].items()
    }
    closed_on = frozenset(date.fromisoformat(d) for d in data.get("closed_on", ()))
    return OpeningHours(
        timezone=data["timezone"], weekly=MappingProxyType(weekly), closed_on=closed_on
    )


def _queue_row(q: Queue) -> dict[str, Any]:
    sl, tg = q.service_level, q.targets
    return {
        "queue_id": q.queue_id,
        "name": q.name,
        "channel": q.channel.value,
        "priority": q.priority,
        "sl_threshold_s": sl.threshold_s,
        "sl_target": sl.target,
        "sl_formula": sl.formula.value,
        "short_abandon_s": sl.short_abandon_s,
        "exclude_short_abandons": sl.exclude_short_abandons,
        "include_flow_outs": sl.include_flow_outs,
        "timezone": q.hours.timezone,
        "hours": hours_to_json(q.hours),
        "asa_target_s": tg.asa_s,
        "abandon_target": tg.abandon_rate,
        "occupancy_target": tg.occupancy,
        "response_time_target_s": tg.response_time_s,
        "resolution_time_target_s": tg.resolution_time_s,
        "priority_targets": json.dumps(dict(tg.by_priority)) if tg.by_priority else None,
        "routing": routing_to_json(q.routing),
    }


def _queue_from(row: RowMapping, skills: dict[str, int]) -> Queue:
    return Queue(
        queue_id=row["queue_id"],
        name=row["name"],
        channel=Channel(row["channel"]),
        priority=row["priority"],
        service_level=ServiceLevelPolicy(
            threshold_s=row["sl_threshold_s"],
            target=row["sl_target"],
            formula=ServiceLevelFormula(row["sl_formula"]),
            short_abandon_s=row["short_abandon_s"],
            exclude_short_abandons=row["exclude_short_abandons"],
            include_flow_outs=row["include_flow_outs"],
        ),
        hours=hours_from_json(row["hours"]),
        required_skills=MappingProxyType(skills),
        targets=QueueTargets(
            asa_s=row["asa_target_s"],
            abandon_rate=row["abandon_target"],
            occupancy=row["occupancy_target"],
            response_time_s=row["response_time_target_s"],
            resolution_time_s=row["resolution_time_target_s"],
            by_priority=MappingProxyType(
                {k: (a, b) for k, (a, b) in json.loads(row["priority_targets"] or "{}").items()}
            ),
        ),
        routing=routing_from_json(row["routing"]),
    )


def _agent_from(row: RowMapping, skills: dict[str, int]) -> Agent:
    capacity = {Channel(k): int(v) for k, v in json.loads(row["capacity"]).items()}
    return Agent(
        agent_id=row["agent_id"],
        name=row["name"],
        team=row["team"],
        site=row["site"],
        skills=MappingProxyType(skills),
        capacity=MappingProxyType(capacity),
        hourly_cost=row["hourly_cost"],
        queues=profile_from_json(row["routing_profile"]),
        call_blocks_chat=row["call_blocks_chat"],
    )


def _agent_row(a: Agent) -> dict[str, Any]:
    return {
        "agent_id": a.agent_id,
        "name": a.name,
        "team": a.team,
        "site": a.site,
        "hourly_cost": a.hourly_cost,
        "capacity": json.dumps({c.value: n for c, n in a.capacity.items()}, sort_keys=True),
        "routing_profile": profile_to_json(a.queues),
        "call_blocks_chat": a.call_blocks_chat,
    }


def _customer_row(c: Customer) -> dict[str, Any]:
    return {
        "customer_id": c.customer_id,
        "tier_id": c.tier_id,
        "account_value": c.account_value,
        "owner_agent_id": c.owner_agent_id,
        "account_number": c.account_number,
        "survey_opt_out": c.survey_opt_out,
    }


def _customer_from(row: RowMapping) -> Customer:
    return Customer(
        customer_id=row["customer_id"],
        tier_id=row["tier_id"],
        account_value=row["account_value"],
        owner_agent_id=row["owner_agent_id"],
        account_number=row["account_number"],
        survey_opt_out=bool(row["survey_opt_out"]),
    )


class SqlCenterRepository:
    """:class:`~carecenter.services.ports.CenterRepository` on SQL tables."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, center: Center) -> None:
        with self._engine.begin() as conn:
            for table in (
                t.flows,
                t.customers,
                t.agent_skills,
                t.queue_skills,
                t.agents,
                t.queues,
                t.tiers,
                t.skills,
                t.center_settings,
            ):
                conn.execute(delete(table))
            conn.execute(
                insert(t.center_settings),
                [
                    {"key": "name", "value": center.name},
                    {"key": "timezone", "value": center.timezone},
                    {
                        "key": "agent_aliases",
                        "value": json.dumps(dict(center.agent_aliases), sort_keys=True),
                    },
                    {"key": "alerts", "value": alerts_to_json(center.alerts)},
                    {"key": "sites", "value": _sites_to_json(center.sites)},
                    {"key": "agent_work", "value": _work_to_json(center.agents)},
                ],
            )
            _insert(
                conn,
                t.skills,
                [{"skill_id": s.skill_id, "name": s.name} for s in center.skills.values()],
            )
            _insert(
                conn,
                t.tiers,
                [
                    {"tier_id": x.tier_id, "name": x.name, "priority": x.priority}
                    for x in center.tiers.values()
                ],
            )
            _insert(conn, t.queues, [_queue_row(q) for q in center.queues.values()])
            _insert(
                conn,
                t.queue_skills,
                [
                    {"queue_id": q.queue_id, "skill_id": s, "min_proficiency": lvl}
                    for q in center.queues.values()
                    for s, lvl in q.required_skills.items()
                ],
            )
            _insert(conn, t.agents, [_agent_row(a) for a in center.agents.values()])
            _insert(
                conn,
                t.agent_skills,
                [
                    {"agent_id": a.agent_id, "skill_id": s, "proficiency": lvl}
                    for a in center.agents.values()
                    for s, lvl in a.skills.items()
                ],
            )
            _insert(conn, t.customers, [_customer_row(c) for c in center.customers.values()])
            _insert(
                conn,
                t.flows,
                [
                    {"flow_id": f.flow_id, "definition": flow_to_json(f)}
                    for f in center.flows.values()
                ],
            )

    def load(self) -> Center | None:
        with self._engine.connect() as conn:
            query = select(t.center_settings.c.key, t.center_settings.c.value)
            settings = dict(conn.execute(query).all())
            if "name" not in settings:
                return None
            queue_skills: dict[str, dict[str, int]] = defaultdict(dict)
            for q, s, lvl in conn.execute(select(t.queue_skills)):
                queue_skills[q][s] = lvl
            agent_skills: dict[str, dict[str, int]] = defaultdict(dict)
            for a, s, lvl in conn.execute(select(t.agent_skills)):
                agent_skills[a][s] = lvl
            skills = {r.skill_id: Skill(r.skill_id, r.name) for r in conn.execute(select(t.skills))}
            tiers = {
                r.tier_id: Tier(r.tier_id, r.name, r.priority)
                for r in conn.execute(select(t.tiers))
            }
            queues = {
                r["queue_id"]: _queue_from(r, queue_skills[r["queue_id"]])
                for r in conn.execute(select(t.queues)).mappings()
            }
            work = _work_from_json(settings.get("agent_work"))
            agents = {
                r["agent_id"]: replace(
                    _agent_from(r, agent_skills[r["agent_id"]]),
                    work=work.get(r["agent_id"], AgentWork()),
                )
                for r in conn.execute(select(t.agents)).mappings()
            }
            customers = {
                r["customer_id"]: _customer_from(r)
                for r in conn.execute(select(t.customers)).mappings()
            }
            flows = {
                r.flow_id: flow_from_json(r.flow_id, r.definition)
                for r in conn.execute(select(t.flows).order_by(t.flows.c.flow_id))
            }
        return Center(
            name=settings["name"],
            timezone=settings["timezone"],
            skills=MappingProxyType(skills),
            queues=MappingProxyType(queues),
            agents=MappingProxyType(agents),
            tiers=MappingProxyType(tiers),
            agent_aliases=MappingProxyType(json.loads(settings.get("agent_aliases", "{}"))),
            alerts=alerts_from_json(settings.get("alerts")),
            customers=MappingProxyType(customers),
            flows=MappingProxyType(flows),
            sites=_sites_from_json(settings.get("sites")),
        )

    def count(self, table: str) -> int:
        """Rows in one configuration table (``queues``, ``agents``...)."""
        with self._engine.connect() as conn:
            tbl = t.metadata.tables[table]
            return int(conn.execute(select(func.count()).select_from(tbl)).scalar_one())


def _insert(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(table), rows)


def _sites_to_json(sites: Mapping[str, Site]) -> str:
    return json.dumps(
        {
            k: {
                "name": v.name,
                "outsourcer": v.outsourcer,
                "cost_per_hour": v.cost_per_hour,
                "cost_per_contact": v.cost_per_contact,
            }
            for k, v in sites.items()
        },
        sort_keys=True,
    )


def _sites_from_json(text: str | None) -> Mapping[str, Site]:
    """The sites saved in ``center_settings`` (none in a store saved before sites were)."""
    found = json.loads(text) if text else {}
    return MappingProxyType({k: Site(k, **v) for k, v in found.items()})


def _work_to_json(agents: Mapping[str, Agent]) -> str:
    """The rostering fields of the agents that have any (``center.yaml``'s ``contract``,
    ``hours_per_week``, ``availability``, ``leave``, ``prefers``)."""
    out = {}
    for agent_id, agent in sorted(agents.items()):
        w = agent.work
        if w == AgentWork():
            continue
        out[agent_id] = {
            "contract": w.contract,
            "min_hours": w.min_hours,
            "max_hours": w.max_hours,
            "availability": None
            if w.availability is None
            else {
                day: [[a.isoformat(), b.isoformat()] for a, b in spans]
                for day, spans in w.availability.items()
            },
            "leave": sorted(d.isoformat() for d in w.leave),
            "prefers_off": sorted(w.prefers_off),
            "prefers_start": None
            if w.prefers_start is None
            else [t.isoformat() for t in w.prefers_start],
        }
    return json.dumps(out, sort_keys=True)


def _work_from_json(text: str | None) -> dict[str, AgentWork]:
    """Agent id -> rostering fields, as :func:`_work_to_json` saved them (none in a store
    saved before they were kept)."""
    out = {}
    for agent_id, w in (json.loads(text) if text else {}).items():
        spans = w["availability"]
        start = w["prefers_start"]
        out[agent_id] = AgentWork(
            contract=w["contract"],
            min_hours=w["min_hours"],
            max_hours=w["max_hours"],
            availability=None
            if spans is None
            else MappingProxyType(
                {
                    day: tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in found)
                    for day, found in spans.items()
                }
            ),
            leave=frozenset(date.fromisoformat(d) for d in w["leave"]),
            prefers_off=frozenset(w["prefers_off"]),
            prefers_start=None
            if start is None
            else (time.fromisoformat(start[0]), time.fromisoformat(start[1])),
        )
    return out
