"""Agent-time metrics: state time from ``agent_state_intervals``, cut at interval boundaries.

Each metric receives ``s``, a slice of one agent-state interval inside one reporting interval
(columns ``state``, ``slice_s`` and the agent's ``hourly_cost`` from center.yaml).
"""

from __future__ import annotations

from typing import Any

import ibis  # type: ignore[import-untyped]

from carecenter.domain.enums import AgentStatus
from carecenter.metrics.registry import agent_metric


def _state_s(s: Any, state: AgentStatus) -> Any:
    return ibis.ifelse(s.state == state.value, s.slice_s, 0.0)


@agent_metric()
def busy_total_s(s: Any) -> Any:
    """Time agents spent busy with contacts.

    Formula: seconds in state ``busy``.
    Unit: seconds.
    Interval: agent-state intervals are cut at interval boundaries; each part counts in its own.
    """
    return _state_s(s, AgentStatus.BUSY)


@agent_metric()
def acw_state_total_s(s: Any) -> Any:
    """Time agents spent in after-call work.

    Formula: seconds in state ``after_call_work``.
    Unit: seconds.
    Interval: agent-state intervals are cut at interval boundaries; each part counts in its own.
    """
    return _state_s(s, AgentStatus.AFTER_CALL_WORK)


@agent_metric()
def available_total_s(s: Any) -> Any:
    """Time agents were available and idle, waiting for a contact.

    Formula: seconds in state ``available``.
    Unit: seconds.
    Interval: agent-state intervals are cut at interval boundaries; each part counts in its own.
    """
    return _state_s(s, AgentStatus.AVAILABLE)


@agent_metric()
def break_total_s(s: Any) -> Any:
    """Time agents were logged in but on a break.

    Formula: seconds in state ``break``.
    Unit: seconds.
    Interval: agent-state intervals are cut at interval boundaries; each part counts in its own.
    """
    return _state_s(s, AgentStatus.BREAK)


@agent_metric()
def logged_in_total_s(s: Any) -> Any:
    """Time agents were logged in, in any state.

    Formula: seconds in all stored states (logged-out time is not stored).
    Unit: seconds.
    Interval: agent-state intervals are cut at interval boundaries; each part counts in its own.
    """
    return s.slice_s


@agent_metric()
def staff_cost(s: Any) -> Any:
    """What the logged-in time cost.

    Formula: sum of logged-in hours × the agent's ``hourly_cost`` from center.yaml (else
      their site's ``cost_per_hour``).
    Unit: currency of ``hourly_cost``.
    Interval: agent-state intervals are cut at interval boundaries; each part counts in its own.
      By queue: empty; an agent who serves several queues has their cost split between them
      by their handling time in each: ``carecenter plan compare --by queue``.
    """
    return s.slice_s / 3600.0 * s.hourly_cost
