"""Ticket metrics: first response, resolution, reopens, SLA and backlog from ``ticket_facts``
and ``ticket_spells`` (``carecenter report --tickets``).

A ticket counts in the interval in which it was created (``created_at``): its first response,
resolution, reopens and SLA verdict belong to that interval, whenever they happened, so an
interval's tickets are one cohort. Times are business seconds of the ticket's queue (its
``hours`` and ``holidays`` in ``center.yaml``), computed when the ticket is folded at import
(see :mod:`carecenter.domain.tickets`). The backlog is a stock, not a flow: the tickets open
at the end of each interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis  # type: ignore[import-untyped]

from carecenter.metrics.dims import Dimensions
from carecenter.metrics.percentiles import QUANTILES, quantile_name
from carecenter.metrics.registry import (
    BACKLOG,
    TICKET,
    TICKET_PERCENTILE,
    TICKET_RATIO,
    register,
)
from carecenter.metrics.sums import count_if as _count
from carecenter.metrics.sums import divide as _div
from carecenter.metrics.timebuckets import Buckets

INTERVAL = "the interval in which the ticket was created (``created_at``)."
TICKET_DIMS = {
    "queue": "queue_id",
    "channel": "channel",
    "tier": "tier",
    "topic": "topic",
    "agent": "agent_id",
    "priority": "priority",
}


@register(TICKET)
def tickets_created(t: Any) -> Any:
    """Tickets created.

    Formula: tickets with ``created_at`` in the interval.
    Unit: tickets.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return _count(t.ticket_id.notnull())


@register(TICKET)
def first_responded(t: Any) -> Any:
    """Tickets that received a first response from an agent.

    Formula: tickets with a ``replied`` activity after creation.
    Unit: tickets.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return _count(t.first_response_s.notnull())


@register(TICKET)
def first_response_total_s(t: Any) -> Any:
    """Total first response time, in business hours of the queue.

    Formula: sum of ``first_response_s`` (creation to first reply, the queue's open time only).
    Unit: seconds.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return t.first_response_s.fill_null(0.0)


@register(TICKET)
def tickets_resolved(t: Any) -> Any:
    """Tickets resolved (and not reopened since).

    Formula: tickets whose last open spell has ended (state ``resolved`` or ``closed``).
    Unit: tickets.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return _count(t.resolution_s.notnull())


@register(TICKET)
def resolution_total_s(t: Any) -> Any:
    """Total resolution time, in business hours of the queue.

    Formula: sum of ``resolution_s`` (creation to the final resolution, the queue's open time
      only; time waiting on the customer included) over ``tickets_resolved``.
    Unit: seconds.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return t.resolution_s.fill_null(0.0)


@register(TICKET)
def tickets_reopened(t: Any) -> Any:
    """Resolved tickets that were reopened at least once.

    Formula: ``tickets_resolved`` with ``reopens`` > 0 (reopened explicitly, or by work on the
      ticket after it was resolved).
    Unit: tickets.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return _count(t.resolution_s.notnull() & (t.reopens > 0))


@register(TICKET)
def sla_measured(t: Any) -> Any:
    """Resolved tickets whose SLA could be judged.

    Formula: ``tickets_resolved`` with targets for their queue and priority (``targets``
      ``response_time_s``, ``resolution_time_s`` and ``by_priority`` in ``center.yaml``), or
      the source's own verdict (``made_sla``).
    Unit: tickets.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return _count(t.sla_met.notnull())


@register(TICKET)
def sla_met(t: Any) -> Any:
    """Resolved tickets that met their SLA.

    Formula: ``sla_measured`` tickets whose first response came within the response target
      and whose resolution, less time waiting on the customer, within the resolution target.
    Unit: tickets.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return _count(t.sla_met)


@register(TICKET_RATIO, ("first_response_total_s", "first_responded"))
def first_response_s(a: Any) -> Any:
    """Mean first response time of tickets, in business hours of the queue.

    Formula: first_response_total_s / first_responded.
    Unit: seconds.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return _div(a.first_response_total_s, a.first_responded)


@register(TICKET_RATIO, ("resolution_total_s", "tickets_resolved"))
def resolution_s(a: Any) -> Any:
    """Mean resolution time of tickets, in business hours of the queue.

    Formula: resolution_total_s / tickets_resolved.
    Unit: seconds.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return _div(a.resolution_total_s, a.tickets_resolved)


@register(TICKET_RATIO, ("tickets_reopened", "tickets_resolved"))
def reopen_rate(a: Any) -> Any:
    """Share of resolved tickets that were reopened.

    Formula: tickets_reopened / tickets_resolved.
    Unit: share, 0-1.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return _div(a.tickets_reopened, a.tickets_resolved)


@register(TICKET_RATIO, ("sla_met", "sla_measured"))
def sla_met_rate(a: Any) -> Any:
    """Share of judged tickets that met their SLA.

    Formula: sla_met / sla_measured.
    Unit: share, 0-1.
    Interval: the interval in which the ticket was created (``created_at``).
    """
    return _div(a.sla_met, a.sla_measured)


for _value, _what in (
    ("first_response", "first response time (business hours)"),
    ("resolution", "resolution time (business hours)"),
):
    for _q, _quantile in QUANTILES.items():
        register(
            TICKET_PERCENTILE,
            (_value,),
            _quantile,
            key=f"{_value}_{_q}_s",
            doc=f"""
            The {quantile_name(_q)} of the {_what} of tickets.

            Formula: the {_quantile:g} quantile of ``{_value}_s`` of the tickets that have one
              (exact, interpolated).
            Unit: seconds.
            Interval: {INTERVAL}
            """,
        )(lambda t, _c=f"{_value}_s": t[_c])


@register(BACKLOG)
def backlog(s: Any) -> Any:
    """Tickets open at the end of the interval (the backlog).

    Formula: open spells of tickets (created or reopened, not yet resolved or closed) that
      began at or before the interval's end and ended after it (or have not ended).
    Unit: tickets.
    Interval: the end of the interval (a stock, not a flow); for the last interval of the
      period, the period's end.
    """
    return _count(s.ticket_id.notnull())


def ticket_rows(tickets: Any, dims: Dimensions, buckets: Buckets, by: Sequence[str]) -> Any:
    """Tickets created in the report period with ``interval`` and their group columns."""
    from carecenter.metrics.frames import with_dims

    t = tickets.filter(
        tickets.created_at >= _ts(buckets.start), tickets.created_at < _ts(buckets.end)
    )
    t = t.mutate(interval=buckets.interval_of(t.created_at))
    return with_dims(t, by, dims, TICKET_DIMS)


def backlog_rows(spells: Any, dims: Dimensions, buckets: Buckets, by: Sequence[str]) -> Any:
    """One row per open spell and interval of the report period at whose end it was open."""
    from carecenter.metrics.frames import with_dims

    start, end = buckets.start.timestamp(), buckets.end.timestamp()
    s = spells.filter(
        spells.opened_at < _ts(buckets.end),
        spells.closed_at.isnull() | (spells.closed_at > _ts(buckets.start)),
    )
    # a spell still open at the period's end counts in every interval after it began, the
    # last (partial) one included: there the backlog is the one at the period's end
    beyond = end + (buckets.step or 0) + 1.0
    closed_s = buckets.epoch(s.closed_at)
    still_open = s.closed_at.isnull() | (closed_s >= end)
    s = s.mutate(
        _lo=buckets.local(ibis.greatest(buckets.epoch(s.opened_at), start)),
        _hi=buckets.local(ibis.ifelse(still_open, beyond, closed_s)),
    )
    if buckets.step is None:
        s = s.filter(s._hi > buckets.local(ibis.literal(end)))
        s = s.mutate(interval=ibis.literal(buckets.first_local(), "int64"))
    else:
        step, origin = buckets.step, buckets.origin
        # the interval ends E_k = (k + 1) * step + origin with opened <= E_k < closed
        first = (((s._lo - origin) / step).ceil() - 1).cast("int64")
        stop = (((s._hi - origin) / step).ceil() - 1).cast("int64")
        # as columns first: Ibis writes PostgreSQL's range length as ``stop - first`` without
        # parentheses around ``first``'s own subtraction
        s = s.mutate(_first=first, _stop=stop)
        s = s.mutate(_k=ibis.range(s._first, s._stop).unnest())
        s = s.mutate(interval=(s._k * step + origin).cast("int64"))
    return with_dims(s, by, dims, TICKET_DIMS)


def _ts(value: Any) -> Any:
    return ibis.literal(value, type="timestamp('UTC')")
