"""Entry flows (IVR): what a contact goes through before it reaches a queue.

A :class:`Flow` belongs to one or more entry points (a dialled number, a chat entry) and is a
set of nodes, each of one kind:

- :class:`MenuNode`: a prompt and choices (key -> next node); an invalid key or no input
  repeats the menu up to ``retries`` times, then goes to ``invalid`` (or ends the contact);
- :class:`IdentifyNode`: asks for an account number; ``found`` / ``not_found`` next;
- :class:`SelfServiceNode`: ``share`` of the contacts end here after ``duration_s``, the rest
  go on to ``next``;
- :class:`AnnouncementNode`: plays ``text``, then ``next`` (none: the contact ends there);
- :class:`RouteNode`: the contact joins ``queue`` with ``topic``;
- :class:`TierNode`: branches on the contact's tier (``branches``: tier -> next node; the
  other tiers go to ``otherwise``).

Every node but a tier node may name its ``audience``: the tiers it is meant for (empty: every
caller); ``carecenter flow check`` reports a node that callers of other tiers can reach.

Plain frozen values, built from ``center.yaml`` (``flows:``). The walker
(:mod:`carecenter.engine.flow`) steps through them; the checker
(:mod:`carecenter.engine.flow_check`) finds the mistakes a caller would meet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar

from carecenter.errors import DomainError


class NodeKind(StrEnum):
    """The kinds of node of an entry flow."""

    MENU = "menu"
    IDENTIFY = "identify"
    SELF_SERVICE = "self_service"
    ANNOUNCEMENT = "announcement"
    ROUTE = "route"
    TIER = "tier"


DEFAULT_TIER = "standard"
"""The tier of a contact whose customer is not known (and of a customer with no tier)."""
EVERYONE = "all"
"""The ``audience`` of a node meant for every caller (it silences the check of its words)."""


@dataclass(frozen=True)
class MenuNode:
    """A menu: ``prompt``, and ``choices`` (key the caller presses or types -> next node).

    An invalid key or no input plays the menu again, at most ``retries`` times; after that the
    contact goes to ``invalid``, or ends when there is none.
    """

    kind: ClassVar[NodeKind] = NodeKind.MENU
    node_id: str
    prompt: str = ""
    choices: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    invalid: str | None = None
    retries: int = 2
    audience: tuple[str, ...] = ()
    """The tiers the node is meant for (empty: every caller)."""

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise DomainError(f"menu {self.node_id}: retries must be >= 0")

    def targets(self) -> tuple[str, ...]:
        """The nodes this one may lead to."""
        after = (self.invalid,) if self.invalid else ()
        return (*self.choices.values(), *after)


@dataclass(frozen=True)
class IdentifyNode:
    """Asks for an account number: ``found`` when it belongs to a customer of the center,
    else ``not_found``."""

    kind: ClassVar[NodeKind] = NodeKind.IDENTIFY
    node_id: str
    prompt: str = ""
    found: str | None = None
    not_found: str | None = None
    audience: tuple[str, ...] = ()
    """The tiers the node is meant for (empty: every caller)."""

    def targets(self) -> tuple[str, ...]:
        """The nodes this one may lead to."""
        return tuple(n for n in (self.found, self.not_found) if n)


@dataclass(frozen=True)
class SelfServiceNode:
    """A self-service step (balance, opening times...): ``share`` (0-1) of the contacts end
    here after ``duration_s``; the rest go on to ``next`` after the same time."""

    kind: ClassVar[NodeKind] = NodeKind.SELF_SERVICE
    node_id: str
    text: str = ""
    share: float = 0.0
    duration_s: float = 0.0
    next: str | None = None
    audience: tuple[str, ...] = ()
    """The tiers the node is meant for (empty: every caller)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0 or self.duration_s < 0:
            raise DomainError(f"self-service {self.node_id}: share must be 0-1, duration >= 0")

    def targets(self) -> tuple[str, ...]:
        """The nodes this one may lead to."""
        return (self.next,) if self.next else ()


@dataclass(frozen=True)
class AnnouncementNode:
    """Plays ``text``, then goes to ``next``; with no ``next`` the contact ends here (e.g. a
    closed-for-the-holiday message)."""

    kind: ClassVar[NodeKind] = NodeKind.ANNOUNCEMENT
    node_id: str
    text: str = ""
    next: str | None = None

    audience: tuple[str, ...] = ()
    """The tiers the node is meant for (empty: every caller)."""

    def targets(self) -> tuple[str, ...]:
        """The nodes this one may lead to."""
        return (self.next,) if self.next else ()


@dataclass(frozen=True)
class RouteNode:
    """The contact joins ``queue`` with ``topic`` (what it is about, for reports and the
    agent's screen)."""

    kind: ClassVar[NodeKind] = NodeKind.ROUTE
    node_id: str
    queue: str
    topic: str = ""
    audience: tuple[str, ...] = ()
    """The tiers the node is meant for (empty: every caller)."""

    def targets(self) -> tuple[str, ...]:
        """The nodes this one may lead to: none."""
        return ()


@dataclass(frozen=True)
class TierNode:
    """Branches on the contact's tier (its identified customer's, else :data:`DEFAULT_TIER`):
    ``branches`` maps a tier to its next node; every other tier goes to ``otherwise`` (none:
    nowhere, a dead end for them)."""

    kind: ClassVar[NodeKind] = NodeKind.TIER
    node_id: str
    branches: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    otherwise: str | None = None

    def targets(self) -> tuple[str, ...]:
        """The nodes this one may lead to."""
        after = (self.otherwise,) if self.otherwise else ()
        return (*self.branches.values(), *after)

    def next_for(self, tier: str) -> str | None:
        """The next node of a contact of ``tier``."""
        return self.branches.get(tier, self.otherwise)


Node = MenuNode | IdentifyNode | SelfServiceNode | AnnouncementNode | RouteNode | TierNode


@dataclass(frozen=True)
class Flow:
    """One entry flow: its ``entries`` (dialled numbers, chat entries), the ``start`` node and
    every node by id. Every node a node leads to must be in the flow."""

    flow_id: str
    start: str
    nodes: Mapping[str, Node]
    entries: tuple[str, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        if self.start not in self.nodes:
            raise DomainError(f"flow {self.flow_id}: unknown start node {self.start}")
        for node_id, node in self.nodes.items():
            if node_id != node.node_id:
                raise DomainError(f"flow {self.flow_id}: node {node_id} is named {node.node_id}")
            for target in node.targets():
                if target not in self.nodes:
                    raise DomainError(
                        f"flow {self.flow_id}: node {node_id} leads to unknown node {target}"
                    )

    def routes(self) -> list[RouteNode]:
        """The flow's route nodes, in node order."""
        return [n for n in self.nodes.values() if isinstance(n, RouteNode)]
