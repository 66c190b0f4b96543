"""The rows the metrics read: visit classes with their queue policy, agent time slices,
survey answers with their contact's last visit and promise events.

All carry ``interval`` (local epoch second the reporting interval starts) and one column per
grouping dimension, so the catalog only has to sum and divide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import ibis  # type: ignore[import-untyped]

from carecenter.domain.enums import Channel, Direction, PromiseStatus, VisitOutcome
from carecenter.metrics.business_time import with_business_seconds
from carecenter.metrics.classes import (
    CLASSES,
    FCR_CLASSES,
    FCR_DAYS,
    LONG_CALL_QUANTILE,
    MEASURES,
    OUTBOUND_CONNECTED,
    OUTBOUND_UNCONNECTED,
    PEER_CLASSES,
    Flag,
    handle_s,
)
from carecenter.metrics.dims import Dimensions, group_table
from carecenter.metrics.promise_catalog import MADE, PROMISE_DIMS
from carecenter.metrics.spec import AGENT_DIMS
from carecenter.metrics.timebuckets import Buckets, epoch_s

VISIT_DIMS = {
    "queue": "queue_id",
    "channel": "channel",
    "tier": "tier",
    "topic": "topic",
    "agent": "agent_id",
}
FCR_COLUMNS = ("customer_id", "topic", "arrived_at", "enqueued_at", "queue_id", "outcome")
FCR_COLUMNS_TAIL = ("transferred_out", "direction")


def _ts(value: datetime) -> Any:
    return ibis.literal(value, type="timestamp('UTC')")


def with_repeats(
    facts: Any, columns: Sequence[str], days: int = FCR_DAYS, backend: str = ""
) -> Any:
    """``facts`` (only ``columns``) with ``repeated``: the next visit of the same customer and
    topic, in order of ``arrived_at`` then ``enqueued_at``, arrived within ``days`` days.

    A contact's visits share ``arrived_at``, so they follow each other and the row after a
    contact's last visit belongs to the next contact. Only the last visit can resolve a
    contact (answered and not transferred out), so ``repeated`` is meant for it alone.
    """
    narrow = facts.select(*dict.fromkeys([*FCR_COLUMNS, *columns, *FCR_COLUMNS_TAIL]))
    window = ibis.window(
        group_by=[narrow.customer_id, narrow.topic],
        order_by=[narrow.arrived_at, narrow.enqueued_at],
    )
    following = narrow.mutate(_next_at=narrow.arrived_at.lead().over(window))
    gap = epoch_s(following._next_at, backend) - epoch_s(following.arrived_at, backend)
    return following.mutate(repeated=(gap <= days * 86400.0).fill_null(False)).drop("_next_at")


def _in_period(v: Any, buckets: Buckets, column: str = "enqueued_at") -> Any:
    v = v.filter(v[column] >= _ts(buckets.start), v[column] < _ts(buckets.end))
    return v.mutate(interval=buckets.interval_of(v[column]))


def _outbound_outcome(v: Any) -> Any:
    return ibis.ifelse(
        v.outcome == VisitOutcome.ANSWERED.value, OUTBOUND_CONNECTED, OUTBOUND_UNCONNECTED
    )


def by_direction(v: Any) -> Any:
    """The visits ``v`` with the outcome of an outbound visit made
    :data:`~carecenter.metrics.classes.OUTBOUND_CONNECTED` or ``OUTBOUND_UNCONNECTED``, so no
    inbound metric counts it (for the rows of single visits; class rows get it in
    :func:`_classify`)."""
    outbound = v.direction == Direction.OUTBOUND.value
    return v.mutate(outcome=ibis.ifelse(outbound, _outbound_outcome(v), v.outcome))


AGENT_LOOKUP_MAX = 50
"""Up to this many agents their team, site and cost are written into the query; more are
joined from a table (a query repeats a lookup where it uses it, and grows with the agents)."""


def _with_agent_dim(t: Any, dims: Dimensions) -> Any:
    if len(dims.agents) <= AGENT_LOOKUP_MAX:
        return t.mutate(**dims.agent(t.agent_id))
    ag = dims.agent_table()
    j = t.left_join(ag, t.agent_id == ag.d_agent_id)
    return j.mutate(
        team=j.d_team.fill_null(""),
        site=j.d_site.fill_null(""),
        hourly_cost=j.d_hourly_cost.fill_null(0.0),
    ).drop(*(c for c in ag.columns))


def _with_long_threshold(v: Any) -> Any:
    done = v.filter(
        (v.outcome == VisitOutcome.ANSWERED.value) & (v.direction != Direction.OUTBOUND.value)
    )
    thr = done.group_by(t_queue_id=done.queue_id).agg(
        long_threshold_s=handle_s(done).quantile(LONG_CALL_QUANTILE)
    )
    return v.left_join(thr, v.queue_id == thr.t_queue_id).drop("t_queue_id")


def _dim_keys(v: Any, by: Sequence[str], dims: Dimensions) -> tuple[Any, dict[str, Any]]:
    """``v`` (with the agents' team and site when ``by`` needs them) and the expressions of
    its grouping columns ``by`` (empty string for null)."""
    if any(d in ("team", "site") for d in by):
        v = _with_agent_dim(v, dims)
    return v, {d: (v[VISIT_DIMS[d]] if d in VISIT_DIMS else v[d]).fill_null("") for d in by}


def _dims(v: Any, by: Sequence[str], dims: Dimensions) -> Any:
    v, keys = _dim_keys(v, by, dims)
    return v.mutate(**keys)


def with_dims(
    v: Any, by: Sequence[str], dims: Dimensions, columns: Mapping[str, str] = VISIT_DIMS
) -> Any:
    """``v`` with one column per grouping dimension of ``by`` (empty string for null):
    ``columns`` says which column of ``v`` each dimension is; team and site are those of
    the row's ``agent_id``."""
    if any(d in ("team", "site") for d in by):
        v = _with_agent_dim(v, dims)
    return v.mutate(**{d: (v[columns[d]] if d in columns else v[d]).fill_null("") for d in by})


def _classify(
    v: Any,
    keys: Sequence[str],
    flags: Mapping[str, Flag],
    measures: Mapping[str, Callable[[Any], Any]],
    policies: Dimensions | None = None,
    columns: Mapping[str, Any] | None = None,
    outbound_visits: bool = True,
) -> Any:
    """``measures`` of ``v`` per ``keys``, queue, outcome and class: ``flags`` and, for
    answered visits, ``transferred_out`` (with the queue's policy columns of ``policies``;
    ``columns``: more per-visit columns the keys and measures read, added in the same step).

    The flags and ``transferred_out`` (true, false or null) travel through the ``GROUP BY``
    as the bits of one small integer, which a backend hashes much faster than one boolean
    column per flag, and come out of it as the boolean columns they were. A flag is only
    evaluated on visits of its outcome (one ``CASE`` on the outcome); on the others it is
    false, and so is ``transferred_out`` on visits not answered (no metric reads it there).

    An outbound visit is one bit more, tested first in the same ``CASE`` (so an inbound
    visit pays one comparison): its class rows come out with the outcome
    :data:`~carecenter.metrics.classes.OUTBOUND_CONNECTED` or ``OUTBOUND_UNCONNECTED``
    (decided on the few class rows) and no flag, so no inbound metric counts it.
    """
    bits = {name: 1 << i for i, name in enumerate(flags)}
    moved, unknown = 1 << len(flags), 1 << (len(flags) + 1)
    outbound = 1 << (len(flags) + 2)
    answered = VisitOutcome.ANSWERED
    terms: dict[VisitOutcome, Any] = {
        answered: ibis.cases(
            (v.transferred_out.isnull(), unknown), (v.transferred_out, moved), else_=0
        )
    }
    for name, (outcome, fn) in flags.items():
        term = ibis.ifelse(fn(v).fill_null(False), bits[name], 0)
        terms[outcome] = terms[outcome] + term if outcome in terms else term
    branches = [(v.outcome == outcome.value, term) for outcome, term in terms.items()]
    directed = outbound_visits and "direction" in v.columns
    if directed:
        branches.insert(0, (v.direction == Direction.OUTBOUND.value, outbound))
    coded = v.mutate(_class=ibis.cases(*branches, else_=0).cast("int16"), **(columns or {}))
    aggregates = {name: fn(coded) for name, fn in measures.items()}
    queue = "queue" in keys  # then ``queue`` is ``queue_id`` with '' for null: one key less
    group = [*keys, *([] if queue else ["queue_id"]), "outcome", "_class"]
    grouped = coded.group_by(group).aggregate(**aggregates)
    out = grouped._class
    decoded = {name: (out & bit) != 0 for name, bit in bits.items()}
    decoded["transferred_out"] = ibis.ifelse(
        (out & unknown) != 0, ibis.null("boolean"), (out & moved) != 0
    )
    queue_id = grouped.queue.nullif("") if queue else grouped.queue_id
    if directed:
        decoded["outcome"] = ibis.ifelse(
            (out & outbound) != 0, _outbound_outcome(grouped), grouped.outcome
        )
    if policies is not None:
        decoded.update(policies.policy(queue_id))
    if queue:
        decoded["queue_id"] = queue_id
    return grouped.mutate(**decoded).drop("_class")


def visit_classes(
    facts: Any,
    dims: Dimensions,
    buckets: Buckets,
    by: Sequence[str],
    *,
    peers: bool,
    outbound: bool = True,
) -> Any:
    """Visits that entered a queue in the report period, counted per interval, group and class
    (:data:`~carecenter.metrics.classes.CLASSES`), with their queue policy."""
    v = dims.with_wait_limits(_in_period(facts, buckets))
    flags = dict(CLASSES)
    if peers:
        v = _with_long_threshold(v)
        flags.update(PEER_CLASSES)
    v, keys = _dim_keys(v, by, dims)
    v = _with_response_s(v, dims, buckets)
    columns = {**keys, "response_s": v.response_s, "contact_fee": dims.fee(v.agent_id)}
    return _classify(v, ["interval", *by], flags, MEASURES, dims, columns, outbound)


def _with_response_s(v: Any, dims: Dimensions, buckets: Buckets) -> Any:
    """The visits ``v`` with ``response_s``: arrival to answer in the business hours of the
    visit's queue, for e-mail (the only channel it is reported for; null for the others)."""
    return with_business_seconds(
        v,
        "response_s",
        buckets.epoch(v.arrived_at),
        buckets.epoch(v.answered_at),
        dims.hours,
        (buckets.start, buckets.end),
        where=v.channel == Channel.EMAIL.value,
    )


def visit_rows(
    facts: Any, dims: Dimensions, buckets: Buckets, by: Sequence[str], *, outbound: bool = True
) -> Any:
    """Visits that entered a queue in the report period, one row each, with their group,
    ``response_s`` and ``first_reply`` (for the percentile metrics)."""
    v = _in_period(facts, buckets)
    v = by_direction(v) if outbound else v
    v = _with_response_s(v, dims, buckets)
    outcome, first_reply = CLASSES["first_reply"]
    v = v.mutate(first_reply=(v.outcome == outcome.value) & first_reply(v).fill_null(False))
    return _dims(v, by, dims)


def fcr_classes(
    facts: Any, dims: Dimensions, buckets: Buckets, by: Sequence[str], *, outbound: bool = True
) -> Any:
    """Visits of the report period classified for first-contact resolution
    (:data:`~carecenter.metrics.classes.FCR_CLASSES`)."""
    needed = ["agent_id"] if any(d in AGENT_DIMS for d in by) else []
    needed += [VISIT_DIMS[d] for d in by if d in VISIT_DIMS]
    v = _in_period(with_repeats(facts, needed, backend=buckets.backend), buckets)
    v = _dims(v, by, dims)
    n = {"n": lambda v: v.count()}
    return _classify(v, ["interval", *by], FCR_CLASSES, n, outbound_visits=outbound)


def agent_slices(
    intervals: Any,
    dims: Dimensions,
    buckets: Buckets,
    by: Sequence[str],
    groups: Mapping[str, Sequence[str]] | None = None,
) -> Any:
    """Agent-state time in the report period, cut at interval boundaries: one row per part.

    An interval still open counts until the end of the report period. With ``groups``
    (group name -> agent ids) each slice is repeated for every group its agent belongs to,
    in a ``group`` column.
    """
    start, end = buckets.start, buckets.end
    t = intervals.filter(
        intervals.start_at < _ts(end), intervals.end_at.fill_null(_ts(end)) > _ts(start)
    )
    if groups is not None:
        members = sorted({a for agents in groups.values() for a in agents})
        t = t.filter(t.agent_id.isin(members))
    t = _with_agent_dim(t, dims)
    s_utc = ibis.greatest(buckets.epoch(t.start_at), start.timestamp())
    e_utc = ibis.least(buckets.epoch(t.end_at.fill_null(_ts(end))), end.timestamp())
    t = t.mutate(_ls=buckets.local(s_utc), _le=buckets.local(e_utc))
    if buckets.step is None:
        t = t.mutate(interval=buckets.bucket(t._ls), slice_s=t._le - t._ls)
    else:
        step, origin = buckets.step, buckets.origin
        first = ((t._ls - origin) / step).floor()
        last = ((t._le - origin) / step).ceil()
        t = t.mutate(_k=ibis.range(first, last).unnest())
        b = t._k * step + origin
        t = t.mutate(interval=b, slice_s=ibis.least(t._le, b + step) - ibis.greatest(t._ls, b))
    t = t.filter(t.slice_s > 0)
    if groups is not None:
        g = group_table(groups)
        t = t.inner_join(g, t.agent_id == g.g_agent_id)
        t = t.mutate(group=t.g_group)
    keys = {d: (t.agent_id if d == "agent" else t[d]).fill_null("") for d in by if d != "group"}
    return t.mutate(**keys)


SURVEY_VISIT_COLUMNS = ("queue_id", "channel", "tier", "topic", "agent_id")


def survey_rows(
    answers: Any, facts: Any, dims: Dimensions, buckets: Buckets, by: Sequence[str]
) -> Any:
    """Survey answers given in the report period, with the queue, channel, tier, topic and agent
    of
    their contact's last visit (empty when the answer has no contact or the contact no visit).

    Only the visits of contacts that answered are read: a semi-join on the answers, so a
    warehouse without answers costs nothing here and one with few answers little.
    """
    a = _in_period(answers, buckets, "answered_at")
    if by:
        mine = facts.filter(facts.contact_id.isin(a.contact_id))
        last = mine.group_by(l_contact_id=mine.contact_id).agg(l_visit=mine.visit.max())
        visits = mine.select("contact_id", "visit", *SURVEY_VISIT_COLUMNS)
        last = last.inner_join(
            visits, (last.l_contact_id == visits.contact_id) & (last.l_visit == visits.visit)
        ).select("l_contact_id", *SURVEY_VISIT_COLUMNS)
        a = a.left_join(last, a.contact_id == last.l_contact_id).drop("l_contact_id")
        a = _dims(a, by, dims)
    return a


def promise_rows(promises: Any, dims: Dimensions, buckets: Buckets, by: Sequence[str]) -> Any:
    """Promise events in the report period, one row each (columns ``event``, ``at``, the
    promise's ``queue_id`` and ``agent_id`` and the groups of ``by``: queue, agent, team or
    site): a promise made (``event`` ``made``, at ``made_at``), and a promise kept or broken
    (``event`` its status, at the earlier of ``due_at`` and ``closed_at``)."""
    p = promises
    made = p.filter(p.made_at.notnull())
    made = made.select("queue_id", "agent_id", event=ibis.literal(MADE), at=made.made_at)
    decided = [PromiseStatus.KEPT.value, PromiseStatus.BROKEN.value]
    closed = p.filter(p.status.isin(decided) & p.closed_at.notnull())
    due_first = closed.due_at.notnull() & (closed.due_at < closed.closed_at)
    sealed = ibis.ifelse(due_first, closed.due_at, closed.closed_at)
    closed = closed.select("queue_id", "agent_id", event=closed.status, at=sealed)
    rows = _in_period(made.union(closed), buckets, "at")
    return with_dims(rows, by, dims, PROMISE_DIMS)
