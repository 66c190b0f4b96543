"""The visit metrics of what the contact engine tells: how honest the expected wait told on
entry was, and how many contacts were escalated.

The expected wait (EWT) is judged on answered visits that were told one (``ewt_s``, the
visit's first ``contact.wait_estimated``): their real wait (``wait_s``) is known. An abandoned
visit is left out: the customer hung up before being served, so its real wait is *censored*
(we only know it would have been longer than the time it waited), and counting the time it
waited as its wait would make every estimate look too long. Callbacks, flow-outs and exits are
left out for the same reason.

Summed over class rows like the metrics of :mod:`~carecenter.metrics.catalog` (the measures
``ewt_n``, ``ewt_error_s``, ``ewt_close`` and ``ewt_met`` and the flag ``escalated`` of
:mod:`~carecenter.metrics.classes`).
"""

from __future__ import annotations

from typing import Any

import ibis  # type: ignore[import-untyped]

from carecenter.domain.enums import VisitOutcome
from carecenter.metrics.classes import is_outcome as _is
from carecenter.metrics.registry import ratio_metric, visit_metric
from carecenter.metrics.sums import class_count as _count
from carecenter.metrics.sums import divide as _div


def _answered(v: Any) -> Any:
    return _is(v, VisitOutcome.ANSWERED)


@visit_metric()
def ewt_answered(v: Any) -> Any:
    """Answered contacts that were told an expected wait on entering the queue.

    Formula: answered visits with ``ewt_s`` (the visit's first ``contact.wait_estimated``).
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _answered(v), "ewt_n")


@visit_metric()
def ewt_error_total_s(v: Any) -> Any:
    """Total error of the expected waits told, over answered contacts.

    Formula: sum of ``|wait_s - ewt_s|`` over ``ewt_answered`` visits.
    Unit: seconds.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return ibis.ifelse(_answered(v), v.ewt_error_s.fill_null(0.0), 0.0)


@visit_metric()
def ewt_within_30s_answered(v: Any) -> Any:
    """Answered contacts whose real wait came within 30 seconds of the wait they were told.

    Formula: ``ewt_answered`` visits with ``|wait_s - ewt_s| <= 30``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _answered(v), "ewt_close")


@visit_metric()
def ewt_not_exceeded_answered(v: Any) -> Any:
    """Answered contacts that did not wait longer than they were told.

    Formula: ``ewt_answered`` visits with ``wait_s <= ewt_s``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _answered(v), "ewt_met")


@visit_metric()
def escalated(v: Any) -> Any:
    """Answered contacts the agent escalated to an expert queue or agent.

    Formula: answered visits transferred out with ``transfer_kind`` ``escalation`` (they are
      also in ``transferred``).
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _answered(v) & v.escalated)


@ratio_metric("ewt_error_total_s", "ewt_answered")
def ewt_mae_s(a: Any) -> Any:
    """Expected-wait accuracy: the mean absolute error of the wait told on entry.

    Formula: ewt_error_total_s / ewt_answered, the mean of ``|wait_s - ewt_s|`` over answered
      visits told an estimate; abandoned visits are left out because their real wait is
      censored (they hung up before it ended).
    Unit: seconds.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.ewt_error_total_s, a.ewt_answered)


@ratio_metric("ewt_within_30s_answered", "ewt_answered")
def ewt_within_30s(a: Any) -> Any:
    """Share of expected waits told that came within 30 seconds of the real wait.

    Formula: ewt_within_30s_answered / ewt_answered (answered visits only: an abandoned
      visit's real wait is censored).
    Unit: share, 0-1.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.ewt_within_30s_answered, a.ewt_answered)


@ratio_metric("ewt_not_exceeded_answered", "ewt_answered")
def ewt_not_exceeded(a: Any) -> Any:
    """Share of customers told an expected wait who did not wait longer than told.

    Formula: ewt_not_exceeded_answered / ewt_answered (answered visits only: an abandoned
      visit's real wait is censored).
    Unit: share, 0-1.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.ewt_not_exceeded_answered, a.ewt_answered)


@ratio_metric("escalated", "answered")
def escalation_rate(a: Any) -> Any:
    """Share of answered contacts escalated to an expert queue or agent.

    Formula: escalated / answered.
    Unit: share, 0-1.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.escalated, a.answered)
