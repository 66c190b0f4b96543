"""The ``flows`` section of ``center.yaml`` (pydantic): entry flows (IVR) and their nodes, and
their conversion to :mod:`carecenter.domain.flows`.

A node is a mapping with a ``kind`` (``menu``, ``identify``, ``self_service``,
``announcement``, ``route``, ``tier``) and that kind's fields. References (next nodes, queues, entry
points used twice) are checked by :func:`flow_problems`, so each is reported with its line.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import BeforeValidator, Discriminator, Field

from carecenter.adapters.routing_schema import Count, Seconds, Share, Strict, TextKey
from carecenter.domain.flows import (
    AnnouncementNode,
    Flow,
    IdentifyNode,
    MenuNode,
    Node,
    RouteNode,
    SelfServiceNode,
    TierNode,
)


def _tiers(value: object) -> object:
    return [value] if isinstance(value, str) else value


Audience = Annotated[list[TextKey], BeforeValidator(_tiers)]


def _audience(tiers: list[str]) -> tuple[str, ...]:
    """The domain's audience: the tiers named, each once (``all`` stays: for everyone)."""
    return tuple(dict.fromkeys(tiers))


class MenuSection(Strict):
    kind: Literal["menu"]
    """`menu`."""
    audience: Audience = Field(default_factory=list)
    """The tiers this node is meant for, one or a list (e.g. `vip` on a message about the VIP
    line); `all` or none: every caller. `carecenter flow check` reports a node that callers of
    other tiers can reach."""
    prompt: str = ""
    """What the caller hears or reads."""
    choices: dict[TextKey, str] = Field(default_factory=dict)
    """Key the caller presses -> next node."""
    invalid: str | None = None
    """Where an invalid key or no input goes once the retries are used up (none: the contact
    ends)."""
    retries: Count = 2
    """How often the menu plays again after an invalid key or no input."""

    def links(self) -> Iterator[tuple[str, str]]:
        """(field path, node id) of every node this one leads to."""
        for key, target in self.choices.items():
            yield f"choices.{key}", target
        if self.invalid:
            yield "invalid", self.invalid

    def domain(self, node_id: str) -> MenuNode:
        """The node as the domain holds it."""
        return MenuNode(
            node_id=node_id,
            prompt=self.prompt,
            choices=MappingProxyType(dict(self.choices)),
            invalid=self.invalid,
            retries=self.retries,
            audience=_audience(self.audience),
        )


class IdentifySection(Strict):
    kind: Literal["identify"]
    """`identify`."""
    audience: Audience = Field(default_factory=list)
    """The tiers this node is meant for, one or a list (e.g. `vip` on a message about the VIP
    line); `all` or none: every caller. `carecenter flow check` reports a node that callers of
    other tiers can reach."""
    prompt: str = ""
    """What the caller hears or reads."""
    found: str | None = None
    """The next node when the account number belongs to a customer."""
    not_found: str | None = None
    """The next node otherwise (no or an unknown number)."""

    def links(self) -> Iterator[tuple[str, str]]:
        """(field path, node id) of every node this one leads to."""
        yield from ((k, v) for k, v in (("found", self.found), ("not_found", self.not_found)) if v)

    def domain(self, node_id: str) -> IdentifyNode:
        """The node as the domain holds it."""
        return IdentifyNode(
            node_id, self.prompt, self.found, self.not_found, _audience(self.audience)
        )


class SelfServiceSection(Strict):
    kind: Literal["self_service"]
    """`self_service`."""
    audience: Audience = Field(default_factory=list)
    """The tiers this node is meant for, one or a list (e.g. `vip` on a message about the VIP
    line); `all` or none: every caller. `carecenter flow check` reports a node that callers of
    other tiers can reach."""
    text: str = ""
    """What the step does (e.g. tells the balance)."""
    share: Share = 0.0
    """Share of the contacts (0-1) that end here."""
    duration_s: Seconds = 0.0
    """How long the step takes."""
    next: str | None = None
    """The next node for the contacts that do not end here."""

    def links(self) -> Iterator[tuple[str, str]]:
        """(field path, node id) of every node this one leads to."""
        yield from ((("next", self.next),) if self.next else ())

    def domain(self, node_id: str) -> SelfServiceNode:
        """The node as the domain holds it."""
        return SelfServiceNode(
            node_id, self.text, self.share, self.duration_s, self.next, _audience(self.audience)
        )


class AnnouncementSection(Strict):
    kind: Literal["announcement"]
    """`announcement`."""
    audience: Audience = Field(default_factory=list)
    """The tiers this node is meant for, one or a list (e.g. `vip` on a message about the VIP
    line); `all` or none: every caller. `carecenter flow check` reports a node that callers of
    other tiers can reach."""
    text: str = ""
    """What is played or shown."""
    next: str | None = None
    """The next node; none: the contact ends after the announcement."""

    def links(self) -> Iterator[tuple[str, str]]:
        """(field path, node id) of every node this one leads to."""
        yield from ((("next", self.next),) if self.next else ())

    def domain(self, node_id: str) -> AnnouncementNode:
        """The node as the domain holds it."""
        return AnnouncementNode(node_id, self.text, self.next, _audience(self.audience))


class RouteSection(Strict):
    kind: Literal["route"]
    """`route`."""
    audience: Audience = Field(default_factory=list)
    """The tiers this node is meant for, one or a list (e.g. `vip` on a message about the VIP
    line); `all` or none: every caller. `carecenter flow check` reports a node that callers of
    other tiers can reach."""
    queue: str
    """The queue the contact joins (an id under `queues`)."""
    topic: str = ""
    """What the contact is about, for reports, repeat contacts and the agent's screen."""

    def links(self) -> Iterator[tuple[str, str]]:
        """No node follows a route."""
        yield from ()

    def domain(self, node_id: str) -> RouteNode:
        """The node as the domain holds it."""
        return RouteNode(node_id, self.queue, self.topic, _audience(self.audience))


class TierSection(Strict):
    kind: Literal["tier"]
    """`tier`: branch on the contact's tier (its identified customer's, else `standard`)."""
    branches: dict[TextKey, str] = Field(default_factory=dict)
    """Tier (an id under `tiers`) -> next node."""
    otherwise: str | None = None
    """The next node of the tiers not named in `branches` (none: a dead end for them)."""

    def links(self) -> Iterator[tuple[str, str]]:
        """(field path, node id) of every node this one leads to."""
        for tier, target in self.branches.items():
            yield f"branches.{tier}", target
        if self.otherwise:
            yield "otherwise", self.otherwise

    def domain(self, node_id: str) -> TierNode:
        """The node as the domain holds it."""
        return TierNode(node_id, MappingProxyType(dict(self.branches)), self.otherwise)


NodeSection = Annotated[
    MenuSection
    | IdentifySection
    | SelfServiceSection
    | AnnouncementSection
    | RouteSection
    | TierSection,
    Discriminator("kind"),
]
NODE_SECTIONS = {
    "menu": MenuSection,
    "identify": IdentifySection,
    "self_service": SelfServiceSection,
    "announcement": AnnouncementSection,
    "route": RouteSection,
    "tier": TierSection,
}
"""Node kind -> its section (pydantic adds the kind to the location of a node's errors)."""


def _entries(value: object) -> object:
    return [value] if isinstance(value, str | int) and not isinstance(value, bool) else value


class FlowSection(Strict):
    name: str = ""
    """A name for people [default: the id]."""
    entry: Annotated[list[TextKey], BeforeValidator(_entries)] = Field(default_factory=list)
    """Entry points (dialled numbers, chat entries) that start this flow: one or a list."""
    start: str | None = None
    """The first node [default: the first node listed]."""
    nodes: dict[str, NodeSection]
    """The nodes by id; each has a `kind` (see the node sections)."""

    def domain(self, flow_id: str) -> Flow:
        """The flow as the domain holds it."""
        nodes: dict[str, Node] = {nid: n.domain(nid) for nid, n in self.nodes.items()}
        return Flow(
            flow_id=flow_id,
            start=self.start or next(iter(self.nodes)),
            nodes=MappingProxyType(nodes),
            entries=tuple(self.entry),
            name=self.name or flow_id,
        )


def flow_problems(flows: dict[str, FlowSection], queues: set[str]) -> list[tuple[str, str]]:
    """(path, message) for every node, queue or entry point a flow names that does not exist,
    and every entry point two flows share."""
    found = []
    entries: dict[str, str] = {}
    for fid, flow in flows.items():
        base = f"flows.{fid}"
        if not flow.nodes:
            found.append((f"{base}.nodes", "a flow needs at least one node"))
        if flow.start is not None and flow.start not in flow.nodes:
            found.append((f"{base}.start", f"unknown node {flow.start!r}"))
        for i, entry in enumerate(flow.entry):
            if entry in entries and entries[entry] != fid:
                found.append(
                    (f"{base}.entry.{i}", f"entry {entry!r} also starts flow {entries[entry]}")
                )
            entries.setdefault(entry, fid)
        for nid, node in flow.nodes.items():
            for path, target in node.links():
                if target not in flow.nodes:
                    found.append((f"{base}.nodes.{nid}.{path}", f"unknown node {target!r}"))
            if isinstance(node, RouteSection) and node.queue not in queues:
                known = ", ".join(sorted(queues)) or "none"
                message = f"unknown queue {node.queue!r} (defined: {known})"
                found.append((f"{base}.nodes.{nid}.queue", message))
    return found
