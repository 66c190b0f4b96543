"""Adding up report rows as the catalog adds up facts: :func:`regroup`.

A report per minute added up into the last 15 minutes, simulated days into a replication,
history days into hours of the day: every counted metric is summed and every ratio computed
again from the sums, with the catalog's own ratio expressions (never a mean of ratios).
"""

from __future__ import annotations

import atexit
import functools
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import ibis  # type: ignore[import-untyped]

from carecenter.metrics.engine import COUNTED, quiet_backend
from carecenter.metrics.registry import CATALOG, RATIO, of_kind


def regroup(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    """Report ``rows`` added up per ``keys`` as the catalog adds up facts: every counted metric
    (visit, agent, survey, promise) summed (as a float), every ratio computed again from those
    sums (a ratio of sums, never a mean of ratios); percentiles cannot be added up and are
    left out. One row per distinct key, in key order.

    The SQL is compiled once per shape (keys and counted columns) and run on one in-memory
    DuckDB connection, so a live board regroups many times a second cheaply."""
    import pyarrow as pa

    if not rows:
        return []
    first = rows[0]
    counted = tuple(m.key for m in CATALOG.values() if m.kind in COUNTED and m.key in first)
    columns = {k: pa.array([r[k] for r in rows]) for k in keys}
    for k in counted:
        columns[k] = pa.array([r[k] for r in rows], type=pa.float64())
    table = pa.table(columns)
    types = []
    for k in keys:
        kind = table.schema.field(k).type
        _ARROW_TYPES.setdefault(str(kind), kind if str(kind) != "null" else pa.string())
        types.append(str(kind))
    sql = _regroup_sql(tuple(keys), counted, tuple(types))
    with _regroup_lock:
        con = _regroup_connection()
        con.register(_REGROUP_TABLE, table)
        try:
            result = con.sql(sql).to_arrow_table()
        finally:
            con.unregister(_REGROUP_TABLE)
    out: list[dict[str, Any]] = result.to_pylist()
    return out


def needed(metrics: Sequence[str]) -> set[str]:
    """The counted metrics ``metrics`` (catalog keys) are computed from: themselves when
    counted, the metrics a ratio divides (recursively) otherwise. A caller that regroups rows
    for a few ratios passes only these columns."""
    out: set[str] = set()
    todo = list(metrics)
    while todo:
        metric = CATALOG.get(todo.pop())
        if metric is None:
            continue
        if metric.kind in COUNTED:
            out.add(metric.key)
        elif metric.kind == RATIO:
            todo.extend(metric.needs)
    return out


_REGROUP_TABLE = "_regroup_rows"
_ARROW_TYPES: dict[str, Any] = {}
"""The Arrow type of each key column type seen (by its name), for compiling."""
_regroup_lock = threading.Lock()
_regroup_con: list[Any] = []


def _regroup_connection() -> Any:
    """The in-memory DuckDB connection of :func:`regroup` (through Ibis), made on first use,
    closed at exit; callers hold ``_regroup_lock``."""
    if not _regroup_con:
        with quiet_backend():
            _regroup_con.append(ibis.duckdb.connect().con)
        atexit.register(_close_regroup)
    return _regroup_con[0]


def _close_regroup() -> None:
    with _regroup_lock:
        while _regroup_con:
            _regroup_con.pop().close()


@functools.lru_cache(maxsize=64)
def _regroup_sql(keys: tuple[str, ...], counted: tuple[str, ...], types: tuple[str, ...]) -> str:
    """The SQL of :func:`regroup` for rows with these ``keys`` (of these Arrow ``types``) and
    ``counted`` columns."""
    import pyarrow as pa

    arrow = pa.schema([(k, _ARROW_TYPES[t]) for k, t in zip(keys, types, strict=True)])
    schema = dict(ibis.Schema.from_pyarrow(arrow).items())
    schema |= dict.fromkeys(counted, "float64")
    table = ibis.table(schema, name=_REGROUP_TABLE)
    summed = table.group_by(list(keys)).aggregate(**{k: table[k].sum() for k in counted})
    ratios = {m.key: m.expr(summed) for m in of_kind(RATIO) if set(m.needs) <= set(counted)}
    with quiet_backend():
        return str(ibis.to_sql(summed.mutate(**ratios).order_by(list(keys)), dialect="duckdb"))
