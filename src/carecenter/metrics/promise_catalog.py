"""Promises: how many the center made and whether it kept them, from ``promises``.

A promise counts twice, each time in its own interval:

* *made*: in the interval it was made (``made_at``);
* *decided*, once kept or broken: in the interval its fate was sealed, the earlier of its due
  time and the time it was closed (``least(due_at, closed_at)``). A kept promise was closed by
  its due time, so it counts when it was kept; a broken one counts when it fell due, since
  that is when it broke, even when the ``promise.broken`` event came later (a callback
  started late, a check that ran after the due time). A cancelled promise is neither kept nor
  broken; an open one is not decided yet.

By queue a promise belongs to the queue it was made for (a callback's queue; a follow-up's is
the queue of the contact it was made in), by agent, team or site to the agent who made it
(``agent_id``: a callback the engine booked has none and counts under the empty agent).
Promises have no channel, tier or topic of their own: grouped by those, the promise metrics
are empty.
"""

from __future__ import annotations

from typing import Any

from carecenter.domain.enums import PromiseStatus
from carecenter.metrics.registry import promise_metric, ratio_metric
from carecenter.metrics.sums import count_if as _count
from carecenter.metrics.sums import divide as _div

MADE = "made"
"""The ``event`` of a promise row counted when it was made (the others: its status)."""
PROMISE_DIMS = {"queue": "queue_id", "agent": "agent_id"}
"""The dimensions a promise has (team and site are those of its agent)."""


@promise_metric()
def promises_made(p: Any) -> Any:
    """Promises made to customers (callback times, follow-ups, resolution dates).

    Formula: rows of ``promises`` by ``made_at``.
    Unit: promises.
    Interval: the interval in which the promise was made (``made_at``).
    """
    return _count(p.event == MADE)


@promise_metric()
def promises_kept(p: Any) -> Any:
    """Promises kept: done by their due time.

    Formula: promises with status ``kept``.
    Unit: promises.
    Interval: the interval in which the promise was kept (``closed_at``, at or before
      ``due_at``).
    """
    return _count(p.event == PromiseStatus.KEPT.value)


@promise_metric()
def promises_broken(p: Any) -> Any:
    """Promises broken: done late, or not done by their due time.

    Formula: promises with status ``broken`` (reason ``late`` or ``overdue``).
    Unit: promises.
    Interval: the interval in which the promise fell due (``due_at``), or was closed if that
      was earlier.
    """
    return _count(p.event == PromiseStatus.BROKEN.value)


@ratio_metric("promises_kept", "promises_broken")
def promise_kept_rate(a: Any) -> Any:
    """Share of the promises decided that were kept.

    Formula: promises_kept / (promises_kept + promises_broken); cancelled and open promises
      are left out.
    Unit: share, 0-1.
    Interval: the interval in which the promises were kept or fell due.
    """
    return _div(a.promises_kept, a.promises_kept + a.promises_broken)
