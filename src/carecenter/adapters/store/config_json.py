"""The routing configuration as JSON text in the operational store: a queue's routing
(``queues.routing``), an agent's routing profile (``agents.routing_profile``) and an entry
flow (``flows.definition``), each written with sorted keys and read back exactly."""

from __future__ import annotations

import json
from dataclasses import fields
from types import MappingProxyType
from typing import Any

from carecenter.domain.flows import (
    AnnouncementNode,
    Flow,
    IdentifyNode,
    MenuNode,
    Node,
    NodeKind,
    RouteNode,
    SelfServiceNode,
    TierNode,
)
from carecenter.domain.routing_policy import (
    AgentQueue,
    CallbackPolicy,
    ClosedAction,
    ClosedActionKind,
    HoldTreatment,
    Overflow,
    Predictor,
    QueueRouting,
    RelaxationStep,
    Strategy,
)


def _plain(value: Any) -> Any:
    if isinstance(value, dict | MappingProxyType):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _fields(value: Any) -> dict[str, Any]:
    """A dataclass's fields as plain JSON values (``asdict`` cannot copy a mapping proxy)."""
    return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}


def routing_to_json(routing: QueueRouting) -> str:
    """A queue's routing rules as JSON (enums by value)."""
    data = {
        "strategy": routing.strategy.value,
        "aging_rate": routing.aging_rate,
        "offer_timeout_s": routing.offer_timeout_s,
        "missed_pause_s": routing.missed_pause_s,
        "relaxation": [
            {"after_s": s.after_s, "skills": dict(s.skills)} for s in routing.relaxation
        ],
        "overflow": _fields(routing.overflow) if routing.overflow else None,
        "closed": {
            "kind": routing.closed.kind.value,
            "to_queue": routing.closed.to_queue,
            "message": routing.closed.message,
        },
        "preferred_agent_s": routing.preferred_agent_s,
        "predictor": routing.predictor.value,
        "hold": _fields(routing.hold),
        "callback": _fields(routing.callback),
        "sales": routing.sales,
        "seed": routing.seed,
    }
    return json.dumps(data, sort_keys=True)


def routing_from_json(raw: str | None) -> QueueRouting:
    """The inverse of :func:`routing_to_json`; no text (a store from before routing) is the
    default routing."""
    if not raw:
        return QueueRouting()
    data = json.loads(raw)
    hold = data["hold"]
    closed = data["closed"]
    return QueueRouting(
        strategy=Strategy(data["strategy"]),
        aging_rate=data["aging_rate"],
        offer_timeout_s=data["offer_timeout_s"],
        missed_pause_s=data["missed_pause_s"],
        relaxation=tuple(
            RelaxationStep(s["after_s"], MappingProxyType(s["skills"])) for s in data["relaxation"]
        ),
        overflow=Overflow(**data["overflow"]) if data["overflow"] else None,
        closed=ClosedAction(
            ClosedActionKind(closed["kind"]), closed["to_queue"], closed["message"]
        ),
        preferred_agent_s=data["preferred_agent_s"],
        predictor=Predictor(data["predictor"]),
        hold=HoldTreatment(
            **{**hold, "messages": tuple(hold["messages"]), "offers": tuple(hold["offers"])}
        ),
        callback=CallbackPolicy(**data["callback"]),
        sales=data["sales"],
        seed=data["seed"],
    )


def profile_to_json(queues: Any) -> str | None:
    """An agent's routing profile (queue id -> :class:`AgentQueue`) as JSON; none when empty."""
    if not queues:
        return None
    return json.dumps({q: _fields(entry) for q, entry in queues.items()}, sort_keys=True)


def profile_from_json(raw: str | None) -> MappingProxyType[str, AgentQueue]:
    """The inverse of :func:`profile_to_json`."""
    data = json.loads(raw) if raw else {}
    return MappingProxyType({q: AgentQueue(**entry) for q, entry in data.items()})


def _node_to_plain(node: Node) -> dict[str, Any]:
    data = _fields(node)
    data["kind"] = node.kind.value
    del data["node_id"]
    return data


_NODE_TYPES: dict[str, type[Node]] = {
    NodeKind.MENU: MenuNode,
    NodeKind.IDENTIFY: IdentifyNode,
    NodeKind.SELF_SERVICE: SelfServiceNode,
    NodeKind.ANNOUNCEMENT: AnnouncementNode,
    NodeKind.ROUTE: RouteNode,
    NodeKind.TIER: TierNode,
}


def _node_from_plain(node_id: str, data: dict[str, Any]) -> Node:
    values = {k: v for k, v in data.items() if k != "kind"}
    for name in ("choices", "branches"):
        if name in values:
            values[name] = MappingProxyType(values[name])
    if "audience" in values:
        values["audience"] = tuple(values["audience"])
    return _NODE_TYPES[data["kind"]](node_id=node_id, **values)


def flow_to_json(flow: Flow) -> str:
    """An entry flow as JSON: name, entry points, start and its nodes in order."""
    data = {
        "name": flow.name,
        "entries": list(flow.entries),
        "start": flow.start,
        "nodes": [[nid, _node_to_plain(node)] for nid, node in flow.nodes.items()],
    }
    return json.dumps(data, sort_keys=True)


def flow_from_json(flow_id: str, raw: str) -> Flow:
    """The inverse of :func:`flow_to_json`."""
    data = json.loads(raw)
    nodes = {nid: _node_from_plain(nid, node) for nid, node in data["nodes"]}
    return Flow(
        flow_id=flow_id,
        start=data["start"],
        nodes=MappingProxyType(nodes),
        entries=tuple(data["entries"]),
        name=data["name"],
    )
