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
  round in a cycle;
- ``unknown_tier``: a tier node or an ``audience`` names a tier the center does not define;
- ``tier_leak``: a node meant for some tiers only (its ``audience``, or its words mention a
  VIP-only service: :data:`VIP_WORDS` or the name of a tier above the standard one), or a
  queue whose hold messages, sales offers or closed message do, that callers of another tier
  can reach; the detail gives the path the first such caller takes (see :func:`tier_leaks`).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from carecenter.domain.center import Agent, Center, Queue
from carecenter.domain.flows import (
    DEFAULT_TIER,
    EVERYONE,
    AnnouncementNode,
    Flow,
    IdentifyNode,
    MenuNode,
    Node,
    RouteNode,
    SelfServiceNode,
    TierNode,
)
from carecenter.domain.routing_policy import ClosedAction, ClosedActionKind

VIP_WORDS = ("VIP", "priority line", "premium", "premier")
"""Words that mark a message as about a VIP-only service (whole words, any case), beside
the ids and names of the center's tiers above the standard one."""

PROBLEMS = (
    "unreachable",
    "dead_end",
    "loop",
    "closed_no_action",
    "no_agent",
    "queue_cycle",
    "unknown_tier",
    "tier_leak",
)
"""Every kind of problem, in the order they are reported for a node."""


@dataclass(frozen=True)
class FlowProblem:
    """One problem: where (``flow_id``, ``node_id``), which (``problem``, one of
    :data:`PROBLEMS`) and what exactly (``detail``)."""

    flow_id: str
    node_id: str
    problem: str
    detail: str


def check_center(center: Center, words: Sequence[str] = VIP_WORDS) -> list[FlowProblem]:
    """Every problem of every flow of ``center``, flow by flow in node order; ``words`` mark
    a text as about a VIP-only service."""
    return [p for flow in center.flows.values() for p in check_flow(flow, center, words)]


def check_flow(flow: Flow, center: Center, words: Sequence[str] = VIP_WORDS) -> list[FlowProblem]:
    """The problems of one flow."""
    reached = _reachable(flow.nodes, [flow.start])
    tiers = tiers_of(center)
    dead = {nid: why for nid in reached if (why := _dead_end(flow.nodes[nid], tiers)) is not None}
    leaks = tier_leaks(flow, center, words)
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
        found += [
            FlowProblem(flow.flow_id, nid, "unknown_tier", f"tier {t} is not defined under tiers")
            for t in _named_tiers(node)
            if t not in tiers
        ]
        found += [FlowProblem(flow.flow_id, nid, "tier_leak", d) for d in leaks.get(nid, [])]
    return found


def _unreachable(flow: Flow) -> str:
    return f"no path from the start ({flow.start}) leads here"


def _dead_end(node: Node, tiers: Sequence[str]) -> str | None:
    if isinstance(node, TierNode):
        stuck = [t for t in tiers if node.next_for(t) is None]
        if stuck:
            return f"no next node for tier {', '.join(stuck)} (no otherwise node)"
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


def tiers_of(center: Center) -> list[str]:
    """The tiers a caller may have: the center's and :data:`DEFAULT_TIER`, lowest priority
    first (ties by id)."""
    priority = {t: center.tiers[t].priority for t in center.tiers}
    priority.setdefault(DEFAULT_TIER, 0)
    return sorted(priority, key=lambda t: (priority[t], t))


Marks = list[tuple[str, tuple[str, ...]]]
"""(word, the tiers a text with the word is meant for), the first match deciding."""


def _marks(center: Center, words: Sequence[str]) -> Marks:
    """The id and name of each tier above the standard one (meant for it and the tiers above
    it), then ``words`` (meant for every tier above the standard one)."""
    tiers = tiers_of(center)
    level = {t: center.tiers[t].priority if t in center.tiers else 0 for t in tiers}
    vip = tuple(t for t in tiers if level[t] > level[DEFAULT_TIER])
    marks: Marks = []
    for t in reversed(vip):
        meant = tuple(u for u in vip if level[u] >= level[t])
        marks += [(w, meant) for w in dict.fromkeys((t, center.tiers[t].name)) if w]
    return marks + [(w, vip) for w in words if w]


def _named_tiers(node: Node) -> list[str]:
    if isinstance(node, TierNode):
        return list(node.branches)
    return [t for t in node.audience if t != EVERYONE]


def _mention(text: str, marks: Marks) -> tuple[str, tuple[str, ...]] | None:
    """The first of ``marks`` whose word ``text`` contains (whole word, any case), as
    written in ``text``."""
    for word, meant in marks:
        if found := re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
            return found.group(0), meant
    return None


def _node_audience(node: Node, marks: Marks) -> tuple[tuple[str, ...], str] | None:
    """The tiers ``node`` is meant for and why (``None``: every caller)."""
    if isinstance(node, TierNode) or EVERYONE in node.audience:
        return None
    if node.audience:
        return node.audience, f"audience {', '.join(node.audience)}"
    text = node.text if isinstance(node, SelfServiceNode | AnnouncementNode) else ""
    text = node.prompt if isinstance(node, MenuNode | IdentifyNode) else text
    found = _mention(text, marks)
    return None if found is None else (found[1], f"mentions {found[0]!r}")


def _edges(node: Node, tier: str) -> Iterator[tuple[str, str]]:
    """(how, next node) of each way on from ``node`` for a caller of ``tier``."""
    if isinstance(node, MenuNode):
        yield from ((f" [{key}]", target) for key, target in node.choices.items())
        if node.invalid:
            yield " [invalid]", node.invalid
    elif isinstance(node, IdentifyNode):
        for how in ("found", "not_found"):
            if (target := getattr(node, how)) is not None:
                yield f" [{how}]", target
    elif isinstance(node, TierNode):
        target = node.next_for(tier)
        if target is not None:
            yield f" [{tier if tier in node.branches else 'otherwise'}]", target
    else:
        yield from (("", t) for t in node.targets())


def tier_paths(flow: Flow, tier: str) -> dict[str, str]:
    """Each node a caller of ``tier`` can reach -> the shortest path there (``a [1] > b``:
    the nodes passed, with the menu key, identification or tier branch taken)."""
    paths = {flow.start: flow.start}
    todo = deque([flow.start])
    while todo:
        nid = todo.popleft()
        for how, target in _edges(flow.nodes[nid], tier):
            if target not in paths:
                paths[target] = f"{paths[nid]}{how} > {target}"
                todo.append(target)
    return paths


def _queue_texts(center: Center, queue_id: str) -> Iterator[tuple[str, str, str]]:
    """(queue, what, text) of the messages a contact routed to ``queue_id`` may hear."""
    for qid in _queue_chain(center, queue_id)[0]:
        routing = center.queues[qid].routing
        yield from ((qid, "hold message", m) for m in routing.hold.messages)
        yield from ((qid, "sales offer", m) for m in routing.hold.offers)
        if routing.closed.kind is ClosedActionKind.MESSAGE and routing.closed.message:
            yield qid, "closed message", routing.closed.message


def tier_leaks(
    flow: Flow, center: Center, words: Sequence[str] = VIP_WORDS
) -> dict[str, list[str]]:
    """Node id -> the ``tier_leak`` details of the node: callers of a tier it is not meant
    for reach it, or reach through it a queue whose messages mention a VIP-only service. A
    caller's tier does not change on the way; tier nodes send each tier its own way."""
    marks = _marks(center, words)
    heard: dict[str, dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]]] = {}
    for tier in tiers_of(center):
        for nid, path in tier_paths(flow, tier).items():
            node = flow.nodes[nid]
            found = heard.setdefault(nid, {})
            meant = _node_audience(node, marks)
            if meant is not None and tier not in meant[0]:
                found.setdefault((meant[1], meant[0]), []).append((tier, path))
            if not isinstance(node, RouteNode) or node.queue not in center.queues:
                continue
            for qid, what, text in _queue_texts(center, node.queue):
                mention = _mention(text, marks)
                if mention is not None and tier not in mention[1]:
                    why = f"queue {qid}'s {what} {text!r} mentions {mention[0]!r}"
                    found.setdefault((why, mention[1]), []).append((tier, path))
    return {
        nid: [_leak(why, meant, callers) for (why, meant), callers in found.items()]
        for nid, found in heard.items()
        if found
    }


def _leak(why: str, meant: tuple[str, ...], callers: list[tuple[str, str]]) -> str:
    tier, path = callers[0]
    others = f" (also {', '.join(t for t, _ in callers[1:])})" if len(callers) > 1 else ""
    return (
        f"{why}: meant for {', '.join(meant) or 'no tier'}, but a {tier} caller hears it"
        f"{others}: {path}"
    )
