"""The static check of entry flows: the mistakes a caller would meet, found before going live.

:func:`check_center` reports, per flow and node:

- ``unreachable``: no path from the flow's start leads to the node;
- ``dead_end``: a node that is not an end (route, closing announcement, self-service end)
  has nowhere to go for some callers;
- ``loop``: nodes that lead only to each other, so a caller there never reaches a queue or
  an end;
- ``closed_no_action``: a route to a queue (or a queue it overflows or sends to when closed)
  that has opening hours but no ``routing.closed`` action;
- ``no_agent``: a queue's required skills, at its base step or at its last relaxation step,
  that no agent of the center has (with capacity for the channel, and the queue in their
  routing profile when they have one);
- ``queue_cycle``: the queues a route leads to by overflow and closed actions send contacts
  round in a cycle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from carecenter.domain.center import Agent, Center, Queue
from carecenter.domain.flows import (
    AnnouncementNode,
    Flow,
    IdentifyNode,
    MenuNode,
    Node,
    RouteNode,
    SelfServiceNode,
)
from carecenter.domain.routing_policy import ClosedAction

PROBLEMS = ("unreachable", "dead_end", "loop", "closed_no_action", "no_agent", "queue_cycle")
"""Every kind of problem, in the order they are reported for a node."""


@dataclass(frozen=True)
class FlowProblem:
    """One problem: where (``flow_id``, ``node_id``), which (``problem``, one of
    :data:`PROBLEMS`) and what exactly (``detail``)."""

    flow_id: str
    node_id: str
    problem: str
    detail: str


def check_center(center: Center) -> list[FlowProblem]:
    """Every problem of every flow of ``center``, flow by flow in node order."""
    return [p for flow in center.flows.values() for p in check_flow(flow, center)]


def check_flow(flow: Flow, center: Center) -> list[FlowProblem]:
    """The problems of one flow."""
    reached = _reachable(flow.nodes, [flow.start])
    dead = {nid: why for nid in reached if (why := _dead_end(flow.nodes[nid])) is not None}
    trapped = set(reached) - _reaching(flow.nodes, [*_exits(flow.nodes), *dead])
    loops = _cycles(flow.nodes, trapped)
    found: list[FlowProblem] = []
    for nid, node in flow.nodes.items():
        if nid not in reached:
            found.append(FlowProblem(flow.flow_id, nid, "unreachable", _unreachable(flow)))
            continue
        if nid in dead:
            found.append(FlowProblem(flow.flow_id, nid, "dead_end", dead[nid]))
        if nid in loops:
            members = ", ".join(loops[nid])
            detail = f"{members} lead only to each other: no way on to a queue or an end"
            found.append(FlowProblem(flow.flow_id, nid, "loop", detail))
        if isinstance(node, RouteNode) and node.queue in center.queues:
            found += [
                FlowProblem(flow.flow_id, nid, problem, detail)
                for problem, detail in route_problems(center, node.queue)
            ]
    return found


def _unreachable(flow: Flow) -> str:
    return f"no path from the start ({flow.start}) leads here"


def _dead_end(node: Node) -> str | None:
    if isinstance(node, MenuNode) and not node.choices and not node.invalid:
        return "a menu with no choices and no invalid node"
    if isinstance(node, IdentifyNode):
        missing = [name for name in ("found", "not_found") if getattr(node, name) is None]
        if missing:
            return f"no next node when the customer is {' or '.join(missing).replace('_', ' ')}"
    if isinstance(node, SelfServiceNode) and node.share < 1 and node.next is None:
        return f"no next node for the {1 - node.share:.0%} who do not end here"
    return None


def _exits(nodes: Mapping[str, Node]) -> list[str]:
    """Nodes where a contact may end well: routes, closing announcements, self-service."""
    return [
        nid
        for nid, n in nodes.items()
        if isinstance(n, RouteNode)
        or (isinstance(n, AnnouncementNode) and n.next is None)
        or (isinstance(n, SelfServiceNode) and n.share > 0)
    ]


def _reachable(nodes: Mapping[str, Node], starts: Iterable[str]) -> dict[str, None]:
    """The nodes reachable from ``starts`` (themselves included), in the order found."""
    seen = dict.fromkeys(starts)
    todo = deque(seen)
    while todo:
        for target in nodes[todo.popleft()].targets():
            if target not in seen:
                seen[target] = None
                todo.append(target)
    return seen


def _reaching(nodes: Mapping[str, Node], goals: Iterable[str]) -> set[str]:
    """The nodes from which one of ``goals`` can be reached (the goals included)."""
    back: dict[str, list[str]] = {nid: [] for nid in nodes}
    for nid, node in nodes.items():
        for target in node.targets():
            back[target].append(nid)
    seen = set(goals)
    todo = deque(seen)
    while todo:
        for source in back[todo.popleft()]:
            if source not in seen:
                seen.add(source)
                todo.append(source)
    return seen


def _cycles(nodes: Mapping[str, Node], among: set[str]) -> dict[str, list[str]]:
    """First node (in flow order) of each cycle within ``among`` -> the cycle's nodes."""
    within = {nid: node for nid, node in nodes.items() if nid in among}
    reach = {
        nid: set(_reachable(within, [t for t in node.targets() if t in among]))
        for nid, node in within.items()
    }
    loops: dict[str, list[str]] = {}
    placed: set[str] = set()
    for nid in within:
        if nid in placed or nid not in reach[nid]:
            continue
        members = [m for m in within if m in reach[nid] and nid in reach[m]]
        placed.update(members)
        loops[nid] = members
    return loops


def route_problems(center: Center, queue_id: str) -> list[tuple[str, str]]:
    """(problem, detail) of the queue a route sends contacts to, and of the queues it sends
    them on to (overflow, closed action)."""
    found: list[tuple[str, str]] = []
    chain, cycle = _queue_chain(center, queue_id)
    for qid in chain:
        queue = center.queues[qid]
        via = "" if qid == queue_id else f" (reached from {queue_id})"
        if not queue.hours.always_open and queue.routing.closed == ClosedAction():
            found.append(
                (
                    "closed_no_action",
                    f"queue {qid}{via} has opening hours but no routing.closed action",
                )
            )
        last = len(queue.routing.relaxation)
        for step in sorted({0, last}):
            skills = queue.skills_at(step)
            if not any(_serves(a, queue, skills) for a in center.agents.values()):
                when = "" if step == 0 else " after its last relaxation"
                wanted = ", ".join(f"{s} >= {lvl}" for s, lvl in sorted(skills.items()))
                found.append(
                    (
                        "no_agent",
                        f"queue {qid}{via}{when}: no agent has {wanted or 'capacity'} "
                        f"for {queue.channel.value}",
                    )
                )
    if cycle:
        found.append(("queue_cycle", " -> ".join(cycle) + ": contacts go round in a cycle"))
    return found


def _serves(agent: Agent, queue: Queue, skills: Mapping[str, int]) -> bool:
    if agent.capacity.get(queue.channel, 0) <= 0:
        return False
    if agent.queues and queue.queue_id not in agent.queues:
        return False
    return all(agent.proficiency(s) >= lvl for s, lvl in skills.items())


def _queue_chain(center: Center, queue_id: str) -> tuple[list[str], list[str]]:
    """The queues ``queue_id`` leads to (itself first, depth first), and the first cycle met
    (its queues, the first one repeated at the end; empty when none)."""
    chain: list[str] = []
    cycle: list[str] = []

    def visit(qid: str, path: list[str]) -> None:
        nonlocal cycle
        if qid in path:
            cycle = cycle or [*path[path.index(qid) :], qid]
            return
        if qid in chain:
            return
        chain.append(qid)
        routing = center.queues[qid].routing
        targets = [routing.overflow.to_queue] if routing.overflow else []
        targets += [routing.closed.to_queue] if routing.closed.to_queue else []
        for target in targets:
            visit(target, [*path, qid])

    visit(queue_id, [])
    return chain, cycle
