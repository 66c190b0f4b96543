"""The wallboard's figures, put together from what the warehouse and the plans say.

Pure functions over rows, so the board is tested without a warehouse:

* the metric catalog's report of today, one row per minute and queue, added up by
  :func:`carecenter.metrics.engine.regroup` (ratios of sums) into today, the last 15 and the
  last 30 minutes — the same definitions as ``carecenter report``;
* the open queue visits and agent-state intervals (what is going on now);
* open promises, and today's forecast and staffing plan rows.

The board is a plain dict (JSON), in the shape the web page and the API document.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from carecenter.domain.center import Center
from carecenter.domain.projection import AgentInterval, VisitFact
from carecenter.domain.promise_facts import PromiseRow
from carecenter.metrics.regroup import needed, regroup

CENTER = "(center)"
"""The ``queue_id`` of the totals row."""
RECENT_MINUTES = (15, 30)
"""The service level is also shown over the last so many minutes."""
PROMISE_DUE_S = 15 * 60
"""An open promise counts as due when it falls due within so many seconds (or is overdue)."""
FIGURES = ("offered", "answered", "abandoned", "service_level", "asa_s", "abandon_rate")
"""The catalog's measures a queue row shows for today."""
COUNTS = frozenset({"offered", "answered", "abandoned"})
AGENT_FIGURES = ("handled", "aht_s")
"""The catalog's measures an agent row shows for today."""
STATES = ("available", "on_contact", "after_call_work", "break", "missed")
"""How an agent's state shows on the board (``logged_out`` agents are listed apart)."""
MAX_CONTACTS = 500
"""At most so many open contacts are sent, longest waiting first."""


def board_state(interval: AgentInterval) -> str:
    """The board's name of an agent's state (a break for a missed offer is ``missed``)."""
    if interval.state == "busy":
        return "on_contact"
    if interval.state == "break" and interval.reason == "missed":
        return "missed"
    return interval.state


def _local(at: datetime, center: Center) -> str:
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo(center.timezone)).isoformat()


def _figures(
    rows: Sequence[Mapping[str, Any]], now: datetime
) -> dict[str, dict[str, dict[str, Any]]]:
    """Window (``today``, ``15m``, ``30m``) -> queue id -> the catalog's measures over the
    per-minute ``rows`` of that window, added up in one :func:`regroup`, with the center's
    totals under :data:`CENTER`."""
    tagged: list[dict[str, Any]] = []
    keep = ["interval_start", "queue", *sorted(needed(FIGURES))]
    rows = [{k: r.get(k) for k in keep} for r in rows]
    windows = {"today": rows} | {f"{m}m": recent(rows, now, m) for m in RECENT_MINUTES}
    for window, part in windows.items():
        for r in part:
            tagged.append({**r, "window": window})
            tagged.append({**r, "window": window, "queue": CENTER})
    out: dict[str, dict[str, dict[str, Any]]] = {w: {} for w in windows}
    for r in regroup(tagged, ["window", "queue"]) if tagged else []:
        if r["queue"] is not None:
            out[r["window"]][str(r["queue"])] = r
    return out


def recent(
    rows: Sequence[Mapping[str, Any]], now: datetime, minutes: int
) -> list[Mapping[str, Any]]:
    """The per-minute rows of the last ``minutes`` minutes, the current one included."""
    floor = now.replace(second=0, microsecond=0) - timedelta(minutes=minutes - 1)
    return [r for r in rows if r["interval_start"] >= floor]


def _share(value: Any) -> float | None:
    return None if value is None else float(value)


def queues_of_agents(center: Center, handled: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Agent id -> the queues they serve: from ``center.yaml`` (skills or routing profile),
    and the queues they took contacts of (``handled``: agent, queue pairs), so agents a phone
    system logs but ``center.yaml`` does not list show too."""
    out: dict[str, set[str]] = defaultdict(set)
    for queue_id in center.queues:
        for agent in center.agents_for(queue_id):
            out[agent.agent_id].add(queue_id)
    for agent_id, queue_id in handled:
        out[agent_id].add(queue_id)
    return out


def build(
    *,
    center: Center,
    now: datetime,
    source: str,
    minutes: Sequence[Mapping[str, Any]],
    agent_rows: Sequence[Mapping[str, Any]],
    visits: Sequence[VisitFact],
    intervals: Sequence[AgentInterval],
    promises: Sequence[PromiseRow],
    forecast: Mapping[str, float],
    required: Mapping[str, int],
    alerts: Sequence[Mapping[str, Any]] = (),
    team: str | None = None,
) -> dict[str, Any]:
    """The board at ``now``, of the whole center or (``team``) of one team: its agents, the
    queues they serve, and the figures of those queues only (the totals too).

    ``minutes``: today's catalog report per minute and queue; ``agent_rows``: today's report
    per agent and queue; ``visits`` and ``intervals``: the open ones; ``promises``: the open
    ones; ``forecast``: queue -> contacts forecast from the start of the day to ``now``;
    ``required``: queue -> agents the staffing plan needs in the interval of ``now``."""
    handled_pairs = [
        (str(r["agent"]), str(r["queue"]))
        for r in agent_rows
        if r.get("agent") is not None and r.get("queue") is not None and (r.get("offered") or 0)
    ]
    serves = queues_of_agents(center, handled_pairs)
    agents = _agents(center, now, agent_rows, intervals, serves)
    queue_ids = set(center.queues) | {str(r["queue"]) for r in minutes if r.get("queue")}
    queue_ids |= {v.queue_id for v in visits}
    if team is not None:
        agents = [a for a in agents if a["team"] == team]
        queue_ids = {q for a in agents for q in a["queues"]}
        minutes = [r for r in minutes if r.get("queue") in queue_ids]
        visits = [v for v in visits if v.queue_id in queue_ids]
        promises = [p for p in promises if p.queue_id in queue_ids]
        forecast = {q: v for q, v in forecast.items() if q in queue_ids}
        required = {q: v for q, v in required.items() if q in queue_ids}
        team_agents = {a["agent_id"] for a in agents}
        alerts = [
            a for a in alerts if a.get("queue_id") in queue_ids or a.get("agent_id") in team_agents
        ]
    figures = _figures(minutes, now)
    today = figures["today"]
    windows = {m: figures[f"{m}m"] for m in RECENT_MINUTES}
    contacts = _contacts(center, now, visits)
    parts = (today, windows, contacts, agents, promises, now, forecast, required)
    return {
        "as_of": _local(now, center),
        "source": source,
        "center": {"name": center.name, "timezone": center.timezone},
        "totals": _queue_row(center, CENTER, *parts),
        "queues": [_queue_row(center, q, *parts) for q in sorted(queue_ids)],
        "agents": agents,
        "contacts": contacts[:MAX_CONTACTS],
        "alerts": list(alerts),
    }


def _queue_row(
    center: Center,
    queue_id: str,
    today: Mapping[str, Mapping[str, Any]],
    windows: Mapping[int, Mapping[str, Mapping[str, Any]]],
    contacts: Sequence[Mapping[str, Any]],
    agents: Sequence[Mapping[str, Any]],
    promises: Sequence[PromiseRow],
    now: datetime,
    forecast: Mapping[str, float],
    required: Mapping[str, int],
) -> dict[str, Any]:
    whole = queue_id == CENTER
    queue = center.queues.get(queue_id)
    mine = [c for c in contacts if whole or c["queue_id"] == queue_id]
    waiting = [c for c in mine if c["state"] != "on_contact"]
    serving = [a for a in agents if whole or queue_id in a["queues"]]
    states = Counter(a["state"] for a in serving)
    figures = today.get(queue_id, {})
    open_promises = [p for p in promises if whole or p.queue_id == queue_id]
    due_by = now + timedelta(seconds=PROMISE_DUE_S)
    row: dict[str, Any] = {
        "queue_id": queue_id,
        "name": "All queues" if whole else (queue.name if queue else queue_id),
        "channel": queue.channel.value if queue else None,
        "waiting": len(waiting),
        "longest_wait_s": max((c["wait_s"] for c in waiting), default=None),
    }
    for key in FIGURES:
        value = figures.get(key)
        if key in COUNTS:
            row[key] = 0 if value is None else round(value)
        else:
            row[key] = value
    for m in RECENT_MINUTES:
        row[f"service_level_{m}m"] = _share(windows[m].get(queue_id, {}).get("service_level"))
    policy = queue.service_level if queue else None
    row["sl_target"] = policy.target if policy else None
    row["sl_threshold_s"] = policy.threshold_s if policy else None
    row["callbacks_pending"] = sum(1 for p in open_promises if p.kind == "callback")
    row["promises_due"] = sum(
        1 for p in open_promises if p.due_at is not None and p.due_at <= due_by
    )
    row["forecast_so_far"] = _total(forecast, queue_id, whole)
    need = _total(required, queue_id, whole)
    row["agents_required"] = None if need is None else round(need)
    row["agents_staffed"] = sum(states[s] for s in ("available", "on_contact", "after_call_work"))
    row["agents"] = {s: states[s] for s in STATES}
    return row


def _total(values: Mapping[str, float], queue_id: str, whole: bool) -> float | None:
    if whole:
        return float(sum(values.values())) if values else None
    value = values.get(queue_id)
    return None if value is None else float(value)


def _agents(
    center: Center,
    now: datetime,
    agent_rows: Sequence[Mapping[str, Any]],
    intervals: Sequence[AgentInterval],
    serves: Mapping[str, set[str]],
) -> list[dict[str, Any]]:
    current = {iv.agent_id: iv for iv in intervals}  # the latest open one of each agent
    keep = ["agent", *sorted(needed(AGENT_FIGURES))]
    slim = [{k: r.get(k) for k in keep} for r in agent_rows]
    per_agent = {str(r["agent"]): r for r in regroup(slim, ["agent"]) if r["agent"] is not None}
    ids = sorted(set(center.agents) | set(current) | set(per_agent))
    out = []
    for agent_id in ids:
        agent = center.agents.get(agent_id)
        iv = current.get(agent_id)
        figures = per_agent.get(agent_id, {})
        out.append(
            {
                "agent_id": agent_id,
                "name": agent.name if agent else agent_id,
                "team": (agent.team or None) if agent else None,
                "state": board_state(iv) if iv else "logged_out",
                "reason": iv.reason if iv and iv.state == "break" else None,
                "since": _local(iv.start_at, center) if iv else None,
                "in_state_s": max(0.0, (now - iv.start_at).total_seconds()) if iv else None,
                "contacts_today": round(figures.get("handled") or 0),
                "aht_s": figures.get("aht_s"),
                "queues": sorted(serves.get(agent_id, ())),
            }
        )
    return out


def _contacts(center: Center, now: datetime, visits: Sequence[VisitFact]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for v in visits:
        state = (
            "on_contact"
            if v.answered_at is not None
            else "offered"
            if v.offered_at is not None
            else "waiting"
        )
        out.append(
            {
                "contact_id": v.contact_id,
                "queue_id": v.queue_id,
                "tier": v.tier,
                "customer_id": v.customer_id,
                "state": state,
                "enqueued_at": _local(v.enqueued_at, center),
                "wait_s": max(0.0, ((v.answered_at or now) - v.enqueued_at).total_seconds()),
                "agent_id": v.agent_id if v.answered_at is not None else None,
            }
        )
    out.sort(key=lambda c: (c["state"] == "on_contact", -c["wait_s"]))
    return out


def clean(value: Any) -> Any:
    """``value`` with every NaN or infinity made ``None`` (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def message(board: Mapping[str, Any]) -> str:
    """The WebSocket message of ``board``: ``{"type": "board", "board": ...}`` as JSON text."""
    payload = {"type": "board", "board": clean(dict(board))}
    return json.dumps(payload, default=str, separators=(",", ":"))
