"""Run the catalog: sum the visit and agent metrics per interval and group, then the ratios.

One Ibis expression per report, executed by whichever backend holds the tables: DuckDB
(``ibis.duckdb.from_connection``) by default, PostgreSQL in the same way.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import ibis  # type: ignore[import-untyped]
from ibis.common.exceptions import TableNotFound  # type: ignore[import-untyped]

import carecenter.metrics.agent_catalog
import carecenter.metrics.catalog
import carecenter.metrics.comparison_catalog
import carecenter.metrics.engine_catalog
import carecenter.metrics.percentiles
import carecenter.metrics.promise_catalog
import carecenter.metrics.ratios
import carecenter.metrics.survey_catalog  # noqa: F401  (the imports fill the registry)
from carecenter.domain.enums import Direction
from carecenter.metrics.dims import Dimensions
from carecenter.metrics.frames import (
    agent_slices,
    fcr_classes,
    promise_rows,
    survey_rows,
    visit_classes,
    visit_rows,
)
from carecenter.metrics.registry import (
    AGENT,
    CATALOG,
    PERCENTILE,
    PROMISE,
    RATIO,
    SURVEY,
    VISIT,
    Metric,
    of_kind,
    shares,
)
from carecenter.metrics.spec import (
    AGENT_DIMS,
    HEADLINE,
    Contents,
    Report,
    ReportSpec,
    period_of,
    read_contents,
    report_from_arrow,
)
from carecenter.metrics.timebuckets import Buckets

__all__ = ["HEADLINE", "Contents", "Report", "ReportSpec", "expression", "run"]

FACTS, INTERVALS, ANSWERS = "contact_facts", "agent_state_intervals", "survey_answers"
COUNTED = (VISIT, AGENT, SURVEY, PROMISE)
"""The kinds of metric that are sums (they add up over intervals and groups)."""
PROMISES = "promises"
PROMISE_GROUPS = ("queue", "agent", "team", "site")
"""The groupings promises have (no channel, tier or topic: see
:mod:`~carecenter.metrics.promise_catalog`)."""


@contextmanager
def quiet_backend() -> Iterator[None]:
    """Silence the deprecation warnings DuckDB 2 raises for calls Ibis still makes
    (``fetch_arrow_table`` and friends); they are not ours to fix."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r".* is deprecated, use .* instead", DeprecationWarning)
        yield


def metric_columns() -> list[str]:
    """Every metric key, in report column order: the headline, then the catalog's order."""
    kinds = (VISIT, RATIO, PERCENTILE, AGENT, SURVEY, PROMISE)
    rest = [k for kind in kinds for k in (m.key for m in of_kind(kind))]
    return [*HEADLINE, *(k for k in rest if k not in HEADLINE)]


def agent_side(spec: ReportSpec) -> bool:
    """Whether agent-state metrics can be grouped like this, agent by agent (not by queue,
    channel, tier or topic; by queue alone they are those of each queue's agents)."""
    return all(d in AGENT_DIMS for d in spec.by)


def promise_side(spec: ReportSpec) -> bool:
    """Whether promises can be grouped like this (by queue, agent, team or site; not by
    channel, tier or topic, nor by agent groups)."""
    return spec.groups is None and all(d in PROMISE_GROUPS for d in spec.by)


def _optional_table(con: Any, name: str) -> Any | None:
    try:
        return con.table(name)
    except TableNotFound:
        return None


def answers_table(con: Any) -> Any | None:
    """``survey_answers`` of the backend (``None``: a warehouse older than that table)."""
    return _optional_table(con, ANSWERS)


def promises_table(con: Any) -> Any | None:
    """``promises`` of the backend (``None``: a warehouse older than that table)."""
    return _optional_table(con, PROMISES)


def contents(con: Any, *, span: bool = True) -> Contents:
    """One small query: the data's time span (when ``span``) and whether survey answers and
    promises exist."""
    probe = contents_probe(con, span=span)
    return Contents(None, None) if probe is None else read_contents(fetch(probe))


def contents_probe(con: Any, *, span: bool = True) -> Any | None:
    """The one-row expression :func:`contents` runs (``None``: nothing to ask)."""
    a = answers_table(con)
    f = con.table(FACTS)
    outbound = f.filter(f.direction == Direction.OUTBOUND.value).limit(1)
    parts = [outbound.aggregate(f_out=outbound.count())]  # zone maps: free when there is none
    if span:
        i = con.table(INTERVALS)
        parts += [
            f.aggregate(f_lo=f.enqueued_at.min(), f_hi=f.enqueued_at.max()),
            i.aggregate(i_lo=i.start_at.min(), i_hi=i.end_at.fill_null(i.start_at).max()),
        ]
    if a is not None:
        lo_hi = {"a_lo": a.answered_at.min(), "a_hi": a.answered_at.max()} if span else {}
        parts.append(a.aggregate(a_n=a.count(), **lo_hi))
    p = promises_table(con)
    if p is not None:
        last = p.closed_at.fill_null(p.made_at)
        lo_hi = {"p_lo": p.made_at.min(), "p_hi": last.max()} if span else {}
        parts.append(p.aggregate(p_n=p.count(), **lo_hi))
    if not parts:
        return None
    probe = parts[0]
    for part in parts[1:]:
        probe = probe.cross_join(part)
    return probe


def data_range(con: Any) -> tuple[datetime, datetime] | None:
    """The first and last timestamps in the facts, agent intervals and survey answers
    (``None``: no data)."""
    return contents(con).span


def fetch(table: Any) -> Any:
    """Execute ``table`` on its backend and return an Arrow table.

    On DuckDB and Spark this takes the query's result straight to Arrow: on DuckDB Ibis's own
    ``to_pyarrow`` imports pandas for its converters, which costs a short command more than
    its query; on Spark it converts the whole result through pandas.
    """
    backend = table.get_backend()
    relation = getattr(backend, "_to_duckdb_relation", None)
    if relation is None and backend.name != "pyspark":
        return table.to_pyarrow()
    from ibis.formats.pyarrow import PyArrowData  # type: ignore[import-untyped]

    if relation is None:  # Spark: Ibis's to_pyarrow goes through pandas (integers with nulls
        # become floats on the way); the query's DataFrame gives Arrow itself
        backend._run_pre_execute_hooks(table)
        arrow = backend.raw_sql(backend.compile(table)).toArrow()
        return table.__pyarrow_result__(arrow, data_mapper=PyArrowData)
    return table.__pyarrow_result__(relation(table).to_arrow_table(), data_mapper=PyArrowData)


def _aggregate(rows: Any, keys: list[str], metrics: list[Metric]) -> Any:
    sums = {m.key: m.expr(rows).sum().fill_null(0) for m in metrics}
    return rows.group_by(keys).aggregate(**sums)


def _quantiles(rows: Any, keys: list[str], metrics: list[Metric]) -> Any:
    """The percentile ``metrics`` of ``rows`` per ``keys``: one aggregate per value, all its
    quantiles at once."""
    values: dict[str, list[Metric]] = {}
    for m in metrics:
        values.setdefault(m.needs[0], []).append(m)
    lists = {
        f"_{name}": ms[0].expr(rows).quantile([m.quantile for m in ms])
        for name, ms in values.items()
    }
    table = rows.group_by(keys).aggregate(**lists)
    picked = {m.key: table[f"_{name}"][i] for name, ms in values.items() for i, m in enumerate(ms)}
    return table.mutate(**picked).drop(*lists)


def _join(left: Any, right: Any, keys: list[str], quantiles: set[str] | None = None) -> Any:
    """Outer join of two parts on ``keys``; a sum missing on one side is 0, a percentile
    (of ``quantiles``; default: the contact percentiles) stays unknown."""
    j = left.outer_join(right, keys, rname="{name}__r")
    merged = {k: ibis.coalesce(j[k], j[f"{k}__r"]) for k in keys}
    j = j.mutate(**merged).drop(*[f"{k}__r" for k in keys])
    if quantiles is None:
        quantiles = {m.key for m in of_kind(PERCENTILE)}
    sums = [c for c in j.columns if c not in keys and c not in quantiles]
    return j.mutate(**{c: j[c].fill_null(0) for c in sums})


def expression(
    con: Any,
    spec: ReportSpec,
    dims: Dimensions,
    buckets: Buckets,
    *,
    answers: bool | None = True,
    outbound: bool = True,
    promises: bool | None = True,
) -> Any:
    """The report as one Ibis table expression over the backend ``con``.

    ``answers`` says what :func:`contents` found: ``False`` (an empty ``survey_answers``) counts
    0 answers without reading the table, ``None`` (no such table) leaves the survey metrics
    empty. ``outbound`` ``False`` (no outbound visit) skips the test of each visit's direction.
    ``promises`` says the same of ``promises`` as ``answers`` of ``survey_answers``.
    """
    by = list(spec.by) if spec.groups is None else ["group"]
    keys = ["interval", *by]
    peers = spec.groups is None and any(d in AGENT_DIMS for d in by)
    visit = [m for m in of_kind(VISIT) if "fcr" not in m.needs and (peers or not m.needs)]
    parts = []
    if spec.groups is None:
        facts = con.table(FACTS)
        classes = visit_classes(facts, dims, buckets, by, peers=peers, outbound=outbound)
        parts.append(_aggregate(classes, keys, visit))
        if spec.fcr:
            fcr = [m for m in of_kind(VISIT) if "fcr" in m.needs]
            classes = fcr_classes(facts, dims, buckets, by, outbound=outbound)
            parts.append(_aggregate(classes, keys, fcr))
        if spec.percentiles:
            rows = visit_rows(facts, dims, buckets, by, outbound=outbound)
            parts.append(_quantiles(rows, keys, of_kind(PERCENTILE)))
        table = answers_table(con) if answers else None
        if table is not None:
            rows = survey_rows(table, facts, dims, buckets, by)
            parts.append(_aggregate(rows, keys, of_kind(SURVEY)))
        elif answers is not None:  # an empty table: every count is 0
            zero = ibis.literal(0, "int64")
            parts[0] = parts[0].mutate(**{m.key: zero for m in of_kind(SURVEY)})
        if promise_side(spec):
            _promise_part(con, parts, dims, buckets, by, keys, promises)
    if spec.groups is not None or agent_side(spec):
        s = agent_slices(con.table(INTERVALS), dims, buckets, by, spec.groups)
        parts.append(_aggregate(s, keys, of_kind(AGENT)))
    elif by == ["queue"] and dims.queue_agents:
        s = agent_slices(con.table(INTERVALS), dims, buckets, ["group"], dims.queue_agents)
        s = s.mutate(queue=s.group).drop("group")
        pooled = [m for m in of_kind(AGENT) if m.key not in SPLIT_BY_QUEUE]
        parts.append(_aggregate(s, keys, pooled))
    table = parts[0]
    for part in parts[1:]:
        table = _join(table, part, keys)
    present = set(table.columns)
    columns = {}
    for key in metric_columns():
        m = CATALOG[key]
        if key in present:
            columns[key] = table[key]
        elif m.kind == RATIO and set(m.needs) <= present:
            columns[key] = m.expr(table)
        else:  # not computed for this report: empty
            counted = m.kind in (VISIT, AGENT, SURVEY, PROMISE)
            columns[key] = ibis.null("int64" if counted else "float64")
    return table.select(*keys, **columns).order_by(keys)


SPLIT_BY_QUEUE = frozenset({"staff_cost"})
"""Agent metrics not reported per queue: an agent who serves several queues has their cost
split between them by handling time (DESIGN.md section 3), which needs the whole day's
handling; ``carecenter plan compare --by queue`` is that split (the one definition), so a
queue's ``staff_cost`` and ``cost_per_contact`` are left empty here rather than counting a
shared agent's whole cost in every queue."""


def _promise_part(
    con: Any,
    parts: list[Any],
    dims: Dimensions,
    buckets: Buckets,
    by: list[str],
    keys: list[str],
    promises: bool | None,
) -> None:
    """Add the promise metrics to ``parts``: summed over the promise events of
    :func:`~carecenter.metrics.frames.promise_rows`, 0 when ``promises`` is ``False`` (an
    empty table), left out (empty) when it is ``None`` (no table)."""
    table = promises_table(con) if promises else None
    if table is not None:
        parts.append(_aggregate(promise_rows(table, dims, buckets, by), keys, of_kind(PROMISE)))
    elif promises is not None:
        zero = ibis.literal(0, "int64")
        parts[0] = parts[0].mutate(**{m.key: zero for m in of_kind(PROMISE)})


def run(con: Any, spec: ReportSpec, dims: Dimensions, timezone: str = "UTC") -> Report:
    """Compute the report on the backend ``con`` (tables ``contact_facts``,
    ``agent_state_intervals`` and, when it has one, ``survey_answers``)."""
    with quiet_backend():
        return _run(con, spec, dims, timezone)


def _run(con: Any, spec: ReportSpec, dims: Dimensions, timezone: str) -> Report:
    start, end = spec.start, spec.end
    known = contents(con, span=start is None or end is None)
    if start is None or end is None:
        found = known.span
        if found is None:
            by = list(spec.by) if spec.groups is None else ["group"]
            columns = ["interval_start", *by, *metric_columns()]
            return Report(columns, [[] for _ in columns], None, shares())
        start, end = period_of(spec, found, timezone)
    buckets = Buckets.build(spec.interval, timezone, start, end, backend=con.name)
    table = expression(
        con,
        spec,
        dims,
        buckets,
        answers=known.answers,
        outbound=known.outbound,
        promises=known.promises,
    )
    return report_from_arrow(fetch(table), spec, buckets, shares())
