"""The visit metrics that look past the visit itself: first-contact resolution (did the
customer contact the center again on the same topic?) and long calls (was the handle time far
above the queue's other visits?).

Each reads a flag the plain classification cannot give: ``repeated`` comes from a window over
the customer's contacts in the whole warehouse (:func:`~carecenter.metrics.frames.fcr_classes`),
``long`` from the 90th percentile of the queue's handle times in the period (the ``peers``
classes of :func:`~carecenter.metrics.frames.visit_classes`). Both cost more than every other
visit metric together, so a report computes them only when asked (``fcr``, or grouped by agent,
team or site). Summed over class rows like the metrics of :mod:`~carecenter.metrics.catalog`.
"""

from __future__ import annotations

from typing import Any

from carecenter.domain.enums import VisitOutcome
from carecenter.metrics.classes import is_outcome as _is
from carecenter.metrics.registry import visit_metric
from carecenter.metrics.sums import class_count as _count


def _resolving(v: Any) -> Any:
    return _is(v, VisitOutcome.ANSWERED) & ~v.transferred_out & v.known


@visit_metric("fcr")
def fcr_eligible(v: Any) -> Any:
    """Handled contacts whose resolution can be judged (known customer and topic).

    Formula: answered visits not transferred out, with ``customer_id`` and ``topic``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _resolving(v))


@visit_metric("fcr")
def fcr_resolved(v: Any) -> Any:
    """Eligible contacts resolved first time: no repeat contact followed.

    Formula: ``fcr_eligible`` visits whose contact is not followed by another contact from the
      same customer on the same topic within 7 days (by ``arrived_at``, whatever its channel
      or outcome; the whole warehouse is searched, not only the report period).
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _resolving(v) & ~v.repeated)


@visit_metric("peers")
def long_calls(v: Any) -> Any:
    """Handled contacts much longer than the agent's peers handle on the same queue.

    Formula: handled visits whose ``conversation_s + acw_s`` exceeds the 90th percentile of
      the handle times of all handled visits of the same queue in the report period.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``); only
      computed when the report is grouped by agent, team or site.
    """
    return _count(v, _is(v, VisitOutcome.ANSWERED) & v.long)
