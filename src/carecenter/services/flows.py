"""Entry-flow use cases: check every flow of a center file, walk one as a caller would, and
send simulated callers through all of them.

Both read a ``center.yaml`` (the workspace's, or another file) so a flow is tested before it
is applied and goes live.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carecenter.adapters.center_yaml import read_center_file
from carecenter.domain.center import Center
from carecenter.engine.flow import FlowWalk, Outcome, find_flow, walk
from carecenter.engine.flow_check import VIP_WORDS, FlowProblem, check_center
from carecenter.errors import InputError

CHECK_COLUMNS = ("flow", "node", "problem", "detail")
WALK_COLUMNS = ("step", "node", "kind", "choice", "detail")
TEST_COLUMNS = ("flow", "path", "outcome", "queue", "callers", "share")

_YES = {"y", "yes", "true", "1", "end", "ended"}
_NO = {"n", "no", "false", "0", "on", "continue"}


@dataclass(frozen=True)
class FlowCheck:
    """What ``flow check`` found in a center file."""

    path: Path
    flows: int
    nodes: int
    problems: list[FlowProblem]

    def rows(self) -> list[dict[str, Any]]:
        """One row per problem: flow, node, problem, detail."""
        return [
            {"flow": p.flow_id, "node": p.node_id, "problem": p.problem, "detail": p.detail}
            for p in self.problems
        ]

    def summary(self) -> str:
        """The line printed when there is no problem."""
        return f"{self.path}: no problems ({self.flows} flows, {self.nodes} nodes)"


def check_flows(path: Path, words: Sequence[str] = VIP_WORDS) -> FlowCheck:
    """Validate the center file and check its flows (``words``: what marks a text as about a
    VIP-only service)."""
    center = read_center_file(path)
    nodes = sum(len(f.nodes) for f in center.flows.values())
    return FlowCheck(path, len(center.flows), nodes, check_center(center, words))


def parse_words(text: str | None) -> tuple[str, ...]:
    """``VIP,priority line`` as the words of ``--vip-words`` (default :data:`VIP_WORDS`)."""
    if text is None:
        return VIP_WORDS
    words = tuple(w.strip() for w in text.split(",") if w.strip())
    if not words:
        raise InputError("name at least one word", field="vip_words")
    return words


def try_flows(
    path: Path, *, callers: int = 1000, seed: int = 1, scenario: Path | None = None
) -> list[dict[str, Any]]:
    """Send ``callers`` simulated callers through each flow of the center file (each menu
    key alike, a known account number from 80 % of the callers asked, self-service steps
    ending with their share), or of the ``scenario``'s center with its callers' menu shares
    and identified share (``callers:``): one row per flow and path, with how it ended (routed
    to which queue, self-service, hung up, invalid input, dead end, loop), how many callers
    took it and their share."""
    from carecenter.sim.callers import send_callers

    if callers < 1:
        raise InputError("send at least one caller", field="callers")
    if scenario is not None:
        from carecenter.adapters.scenario_yaml import read_scenario

        read = read_scenario(scenario)
        center, behaviour, path = read.center, read.callers, scenario
    else:
        center, behaviour = read_center_file(path), {}
    if not center.flows:
        raise InputError(f"{path}: the center has no entry flows (flows:)", field="config")
    return [
        {
            "flow": c.flow_id,
            "path": " > ".join(c.path),
            "outcome": c.outcome.value,
            "queue": c.queue_id,
            "callers": c.callers,
            "share": c.callers / callers,
        }
        for c in send_callers(center, callers, seed, behaviour)
    ]


def parse_answers(text: str | None) -> list[bool] | None:
    """``yes,no`` (``y``/``n``, ``end``/``on``...) as a list of self-service outcomes."""
    if text is None:
        return None
    answers = []
    for part in (p.strip().lower() for p in text.split(",")):
        if part not in _YES | _NO:
            raise InputError(
                f"answer yes or no for each self-service step, got {part!r}", field="self_service"
            )
        answers.append(part in _YES)
    return answers


def parse_choices(text: str | None) -> list[str]:
    """``2,1`` as the keys a caller presses, in order (blanks around them ignored)."""
    if not text:
        return []
    return [part.strip() for part in text.split(",")]


def walk_flow(
    path: Path,
    entry: str,
    *,
    choices: Sequence[str] = (),
    account: str | None = None,
    answers: Sequence[bool] | None = None,
    seed: int | None = None,
) -> FlowWalk:
    """Walk the flow of ``entry`` (a flow id or an entry point) of the center file: menu
    ``choices`` in order, ``account`` when asked; self-service steps end as ``answers`` say,
    or are drawn with their share from a ``Random(seed)``."""
    center = read_center_file(path)
    flow = find_flow(center, entry)
    if flow is None:
        raise InputError(f"no flow starts at {entry!r} ({_known(center)})", field="entry")
    if answers is not None and seed is not None:
        raise InputError("give --self-service or --seed, not both", field="seed")
    outcomes = random.Random(seed) if seed is not None else answers
    return walk(flow, center, choices=choices, account=account, self_service=outcomes)


def _known(center: Center) -> str:
    if not center.flows:
        return "the center file has no flows"
    names = [
        f"{f.flow_id} ({', '.join(f.entries)})" if f.entries else f.flow_id
        for f in center.flows.values()
    ]
    return "flows: " + ", ".join(names)


def walk_rows(walked: FlowWalk) -> list[dict[str, Any]]:
    """One row per step, then the outcome (``kind`` ``outcome``, ``node`` how it ended)."""
    rows: list[dict[str, Any]] = [
        {
            "step": i,
            "node": s.node_id,
            "kind": s.kind.value,
            "choice": s.choice,
            "detail": s.detail,
        }
        for i, s in enumerate(walked.steps, start=1)
    ]
    rows.append(
        {
            "step": None,
            "node": walked.outcome.value,
            "kind": "outcome",
            "choice": None,
            "detail": describe(walked),
        }
    )
    return rows


def describe(walked: FlowWalk) -> str:
    """How the walk ended, in words."""
    text = {
        Outcome.ROUTED: f"joined queue {walked.queue_id}"
        + (f" with topic {walked.topic}" if walked.topic else ""),
        Outcome.SELF_SERVICE: "ended in self-service",
        Outcome.ANNOUNCEMENT: "ended after an announcement",
        Outcome.HUNG_UP: "the caller hung up",
        Outcome.INVALID_INPUT: "ended after invalid input",
        Outcome.DEAD_END: "stuck at a dead end (run `carecenter flow check`)",
        Outcome.LOOP: "stuck in a loop (run `carecenter flow check`)",
    }[walked.outcome]
    customer = walked.customer
    if customer is not None:
        text += (
            f"; customer {customer.customer_id} (tier {customer.tier_id}, "
            f"value {customer.account_value:g})"
        )
    return text
