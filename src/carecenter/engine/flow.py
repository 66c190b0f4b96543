"""Walk a contact through its entry flow (IVR), node by node.

:func:`walk` is pure: it is given the flow, the caller's menu choices, an account number, the
center and how self-service steps turn out (a seeded :class:`random.Random` drawing each
node's ``share``, or a list of answers), and returns every step and the outcome: routed to a
queue with a topic (and the identified customer), ended in self-service, at an announcement,
by the caller, or after invalid input. :func:`flow_events` turns a walk into the
``contact.flow_step`` and ``contact.identified`` events the engine appends.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from carecenter.domain.center import Center, Customer
from carecenter.domain.events import ContactFlowStep, ContactIdentified, Event
from carecenter.domain.flows import (
    DEFAULT_TIER,
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

HANG_UP = "hangup"
"""The choice with which a caller hangs up at a menu."""
MAX_STEPS = 200
"""A walk longer than this is stuck in a loop."""


class Outcome(StrEnum):
    """How a walk through a flow ended."""

    ROUTED = "routed"
    """The contact joined a queue."""
    SELF_SERVICE = "self_service"
    """The contact ended in a self-service step."""
    ANNOUNCEMENT = "announcement"
    """The contact ended after an announcement with no next node."""
    HUNG_UP = "hung_up"
    """The caller hung up at a menu."""
    INVALID_INPUT = "invalid_input"
    """The caller used up a menu's retries and the menu has no ``invalid`` node."""
    DEAD_END = "dead_end"
    """A node with nowhere to go (``carecenter flow check`` reports it)."""
    LOOP = "loop"
    """The walk passed :data:`MAX_STEPS` nodes without ending."""


@dataclass(frozen=True)
class FlowStep:
    """One node passed: what the caller chose there (menus), what happened (``detail``) and
    how long the node took (``duration_s``: self-service steps)."""

    node_id: str
    kind: NodeKind
    choice: str | None = None
    detail: str = ""
    duration_s: float = 0.0


@dataclass(frozen=True)
class FlowWalk:
    """A walk through ``flow_id``: its steps and how it ended. A routed walk names the queue
    and topic; ``customer`` is the customer identified on the way, if any."""

    flow_id: str
    steps: tuple[FlowStep, ...]
    outcome: Outcome
    queue_id: str | None = None
    topic: str | None = None
    customer: Customer | None = None

    @property
    def path(self) -> tuple[str, ...]:
        """The node ids passed, in order (a repeated menu once per time it played)."""
        return tuple(step.node_id for step in self.steps)


SelfService = random.Random | Iterable[bool] | None
"""How self-service steps turn out: drawn with each node's ``share`` from a seeded
``Random``, or the caller's answers in order (``True``: ended there; when they run out, or
with ``None``, the caller goes on)."""


def find_flow(center: Center, entry: str) -> Flow | None:
    """The flow with id ``entry``, else the flow one of whose entry points is ``entry``."""
    if entry in center.flows:
        return center.flows[entry]
    return next((f for f in center.flows.values() if entry in f.entries), None)


def customer_by_account(center: Center, account: str) -> Customer | None:
    """The customer whose account number is ``account`` (blanks around it ignored)."""
    wanted = account.strip()
    return next((c for c in center.customers.values() if c.account_number == wanted), None)


Chooser = Callable[[MenuNode], str | None]
"""A caller deciding at a menu: the key they press (``None``: no input; :data:`HANG_UP`)."""


class _Walker:
    def __init__(
        self,
        flow: Flow,
        center: Center,
        choose: Chooser,
        account: str | None,
        self_service: SelfService,
    ) -> None:
        self.flow, self.center, self.choose, self.account = flow, center, choose, account
        self.rng: random.Random | None = None
        self.answers: Iterator[bool] = iter(())
        if isinstance(self_service, random.Random):
            self.rng = self_service
        elif self_service is not None:
            self.answers = iter(self_service)
        self.steps: list[FlowStep] = []
        self.customer: Customer | None = None

    def ends_in_self_service(self, node: SelfServiceNode) -> bool:
        if node.share <= 0:
            return False
        if node.share >= 1:
            return True
        if self.rng is not None:
            return self.rng.random() < node.share
        return next(self.answers, False)

    def end(self, outcome: Outcome, route: RouteNode | None = None) -> FlowWalk:
        return FlowWalk(
            self.flow.flow_id,
            tuple(self.steps),
            outcome,
            queue_id=route.queue if route else None,
            topic=route.topic if route else None,
            customer=self.customer,
        )

    def run(self, max_steps: int) -> FlowWalk:
        node_id: str | None = self.flow.start
        while node_id is not None:
            if len(self.steps) >= max_steps:
                return self.end(Outcome.LOOP)
            node = self.flow.nodes[node_id]
            if isinstance(node, RouteNode):
                self.steps.append(FlowStep(node_id, node.kind, detail=_route_detail(node)))
                return self.end(Outcome.ROUTED, node)
            result = self.step(node)
            if isinstance(result, Outcome):
                return self.end(result)
            node_id = result
        return self.end(Outcome.DEAD_END)  # pragma: no cover - step() returns one

    def step(self, node: Node) -> str | Outcome:
        """Pass ``node``: the next node's id, or how the walk ended there."""
        if isinstance(node, MenuNode):
            return self.menu(node)
        if isinstance(node, IdentifyNode):
            return self.identify(node)
        if isinstance(node, SelfServiceNode):
            ended = self.ends_in_self_service(node)
            detail = "ended here" if ended else f"went on to {node.next or '(nowhere)'}"
            self.steps.append(FlowStep(node.node_id, node.kind, None, detail, node.duration_s))
            if ended:
                return Outcome.SELF_SERVICE
            return node.next or Outcome.DEAD_END
        if isinstance(node, TierNode):
            tier = self.customer.tier_id if self.customer else DEFAULT_TIER
            target = node.next_for(tier)
            detail = f"tier {tier} -> {target or '(nowhere)'}"
            self.steps.append(FlowStep(node.node_id, node.kind, None, detail))
            return target or Outcome.DEAD_END
        assert isinstance(node, AnnouncementNode)
        self.steps.append(FlowStep(node.node_id, node.kind, detail=node.text))
        return node.next or Outcome.ANNOUNCEMENT

    def menu(self, node: MenuNode) -> str | Outcome:
        for attempt in range(node.retries + 1):
            key = self.choose(node)
            if key == HANG_UP:
                self.steps.append(FlowStep(node.node_id, node.kind, key, "the caller hung up"))
                return Outcome.HUNG_UP
            if key is not None and key in node.choices:
                target = node.choices[key]
                self.steps.append(FlowStep(node.node_id, node.kind, key, f"-> {target}"))
                return target
            what = "no input" if key is None else f"invalid choice {key!r}"
            if attempt < node.retries:
                detail = f"{what}: played again ({attempt + 1} of {node.retries})"
            elif node.invalid:
                detail = f"{what}: retries used up -> {node.invalid}"
            else:
                detail = f"{what}: retries used up, the contact ends"
            self.steps.append(FlowStep(node.node_id, node.kind, key, detail))
        if not node.choices and not node.invalid:
            return Outcome.DEAD_END
        return node.invalid or Outcome.INVALID_INPUT

    def identify(self, node: IdentifyNode) -> str | Outcome:
        customer = customer_by_account(self.center, self.account) if self.account else None
        if customer is not None:
            self.customer = customer
            detail = (
                f"account {self.account}: customer {customer.customer_id}, "
                f"tier {customer.tier_id}, value {customer.account_value:g}"
            )
            target = node.found
        else:
            detail = f"account {self.account}: not found" if self.account else "no account number"
            target = node.not_found
        self.steps.append(FlowStep(node.node_id, node.kind, None, detail))
        return target or Outcome.DEAD_END


def _route_detail(node: RouteNode) -> str:
    return f"queue {node.queue}" + (f", topic {node.topic}" if node.topic else "")


def walk(
    flow: Flow,
    center: Center,
    *,
    choices: Sequence[str] = (),
    account: str | None = None,
    self_service: SelfService = None,
    max_steps: int = MAX_STEPS,
    chooser: Chooser | None = None,
) -> FlowWalk:
    """Walk ``flow`` as a caller who presses ``choices`` at the menus in order (no input when
    they run out; :data:`HANG_UP` hangs up), or decides at each menu as ``chooser`` says, keys
    in ``account`` when asked, and ends in self-service as ``self_service`` says."""
    keys = iter(choices)

    def in_order(node: MenuNode) -> str | None:
        return next(keys, None)

    walker = _Walker(flow, center, chooser or in_order, account, self_service)
    return walker.run(max_steps)


def flow_events(walked: FlowWalk, contact_id: str, start: datetime) -> list[Event]:
    """The events of a walk that began at ``start``: a ``contact.flow_step`` per step (at the
    time the contact reached the node) and a ``contact.identified`` right after the step that
    identified the customer."""
    events: list[Event] = []
    at, customer = start, walked.customer
    for step in walked.steps:
        events.append(
            ContactFlowStep(
                occurred_at=at,
                contact_id=contact_id,
                flow_id=walked.flow_id,
                node_id=step.node_id,
                kind=step.kind.value,
                choice=step.choice,
            )
        )
        if step.kind is NodeKind.IDENTIFY and customer is not None:
            events.append(
                ContactIdentified(
                    occurred_at=at,
                    contact_id=contact_id,
                    customer_id=customer.customer_id,
                    tier=customer.tier_id,
                    account_value=customer.account_value,
                )
            )
            customer = None
        at += timedelta(seconds=step.duration_s)
    return events
