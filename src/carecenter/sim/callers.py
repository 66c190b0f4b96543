"""Simulated callers in the entry flows (IVR): how they choose at each menu, whether they key
in an account number the center knows, and where each of them ends up. The dynamic half of
checking call flows (``carecenter flow check`` is the static half): it walks the flows with
the engine's own walker, so a path counted here is a path a live caller would take."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from carecenter.domain.center import Center
from carecenter.domain.flows import MenuNode
from carecenter.engine.flow import Chooser, Outcome, walk
from carecenter.errors import DomainError


@dataclass(frozen=True)
class CallerBehaviour:
    """How the callers of one flow behave.

    ``menus``: menu node id -> key -> share of the callers pressing it there (a key may be
    ``hangup``, or ``""`` for no input); a menu not named gets each of its keys alike.
    ``identified``: the share of callers asked for an account number who key in one the
    center knows (drawn among its customers); the others key in none.
    """

    menus: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: MappingProxyType({}))
    identified: float = 0.8

    def __post_init__(self) -> None:
        if not 0.0 <= self.identified <= 1.0:
            raise DomainError("identified must be a share between 0 and 1")
        for node, shares in self.menus.items():
            if not shares or min(shares.values()) < 0 or sum(shares.values()) <= 0:
                raise DomainError(f"menu {node}: give each key a share of 0 or more")

    def chooser(self, rng: random.Random) -> Chooser:
        """A caller choosing at menus with these shares, drawing from ``rng``."""

        def choose(node: MenuNode) -> str | None:
            shares = self.menus.get(node.node_id)
            if shares:
                key = rng.choices(list(shares), list(shares.values()))[0]
                return key or None
            keys = sorted(node.choices)
            return rng.choice(keys) if keys else None

        return choose


@dataclass(frozen=True)
class PathCount:
    """How many of the simulated callers of ``flow_id`` took ``path`` and ended so."""

    flow_id: str
    path: tuple[str, ...]
    outcome: Outcome
    queue_id: str | None
    callers: int


def send_callers(
    center: Center,
    callers: int,
    seed: int,
    behaviour: Mapping[str, CallerBehaviour] | None = None,
) -> list[PathCount]:
    """Send ``callers`` simulated callers through each entry flow of ``center`` (seeded, a
    stream per flow): the paths they took, most taken first within each flow."""
    if callers < 1:
        raise DomainError("send at least one caller")
    behaviour = behaviour or {}
    accounts = sorted(c.account_number for c in center.customers.values() if c.account_number)
    out: list[PathCount] = []
    for flow_id in sorted(center.flows):
        flow = center.flows[flow_id]
        how = behaviour.get(flow_id, CallerBehaviour())
        rng = random.Random(f"{seed}/flow/{flow_id}")
        choose = how.chooser(rng)
        tally: Counter[tuple[tuple[str, ...], Outcome, str | None]] = Counter()
        for _ in range(callers):
            known = accounts and rng.random() < how.identified
            account = rng.choice(accounts) if known else None
            walked = walk(flow, center, account=account, self_service=rng, chooser=choose)
            tally[(walked.path, walked.outcome, walked.queue_id)] += 1
        ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0][0]))
        out += [PathCount(flow_id, path, outcome, queue, n) for (path, outcome, queue), n in ranked]
    return out
