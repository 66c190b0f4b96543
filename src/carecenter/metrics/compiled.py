"""Reports from cached compiled SQL: the catalog's Ibis expressions, compiled once.

Building a report's Ibis expression and compiling it to SQL costs a short command more than
running it (importing Ibis alone is a good part of a second). The SQL only depends on the
catalog's code, the report's shape (interval, grouping, FCR), its period and the center's
dimensions, so :func:`run` keeps it in a :class:`SqlCache` under a key of the last three, and a
repeated report runs the SQL directly on the warehouse without importing Ibis. The catalog stays
the only definition of every metric: the cache holds its compiled output, kept apart per
version of the catalog's code by the cache adapter (a change to any file of
:mod:`carecenter.metrics`, or to Ibis, sqlglot or the database driver, is a new version).
Reports that join in-memory tables (agent groups, many agents by team or site) are not cached.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from carecenter.metrics.dims import Dimensions
from carecenter.metrics.spec import (
    Contents,
    Report,
    ReportSpec,
    period_of,
    read_contents,
    report_from_arrow,
)
from carecenter.metrics.timebuckets import Buckets


class SqlCache(Protocol):
    """Text by key (the adapter decides where it lives; a miss is ``None``). A cache only
    holds what this version of the catalog compiled: the adapter keeps each version's entries
    apart (see :func:`carecenter.adapters.sql_cache.catalog_version`)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str) -> None: ...


@runtime_checkable
class SqlWarehouse(Protocol):
    """A warehouse that runs SQL text itself and also gives an Ibis backend over its tables."""

    def backend(self) -> Any:
        """An Ibis backend over the fact tables."""
        ...

    def backend_name(self) -> str:
        """The name of that Ibis backend (``duckdb``), without creating it."""
        ...

    def arrow(self, sql: str) -> Any:
        """Run ``sql`` and return the result as an Arrow table."""
        ...


def _key(*parts: Any) -> str:
    text = json.dumps(parts, default=repr, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Compiled:
    """A report compiled to SQL: the text, and the Arrow schema of its result as Ibis gives it."""

    sql: str
    schema: Any
    shares: frozenset[str] = frozenset()
    """The result's columns that are shares."""

    def dumps(self) -> str:
        schema = base64.b64encode(self.schema.serialize().to_pybytes()).decode()
        return json.dumps({"sql": self.sql, "schema": schema, "shares": sorted(self.shares)})

    @classmethod
    def loads(cls, text: str) -> Compiled:
        import pyarrow as pa

        data = json.loads(text)
        schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(data["schema"])))
        return cls(data["sql"], schema, frozenset(data["shares"]))

    def run(self, warehouse: SqlWarehouse) -> Any:
        """The result as Ibis would return it (its column types)."""
        import pyarrow as pa

        table = warehouse.arrow(self.sql)
        if table.schema == self.schema:
            return table
        arrays = [table.column(f.name).cast(f.type) for f in self.schema]
        return pa.Table.from_arrays(arrays, schema=self.schema)


def compile_table(table: Any) -> Compiled | None:
    """The SQL of the Ibis ``table`` on its backend (``None``: it reads in-memory tables,
    which a later process would not have)."""
    import ibis.expr.operations as ops  # type: ignore[import-untyped]
    from ibis.formats.pyarrow import PyArrowSchema  # type: ignore[import-untyped]

    from carecenter.metrics.registry import shares

    if table.op().find(ops.InMemoryTable):
        return None
    sql = table.get_backend().compile(table)
    schema = table.schema()
    return Compiled(sql, PyArrowSchema.from_ibis(schema), shares() & set(schema.names))


def _cached(cache_: SqlCache, key: str, build: Callable[[], Compiled | None]) -> Compiled | None:
    text = cache_.get(key)
    if text is not None:
        try:
            return Compiled.loads(text)
        except (ValueError, KeyError, TypeError):
            pass  # written by another version: compile again
    compiled = build()
    if compiled is not None:
        cache_.put(key, compiled.dumps())
    return compiled


def contents(warehouse: SqlWarehouse, cache_: SqlCache, *, span: bool) -> Contents:
    """:func:`carecenter.metrics.engine.contents` through the cache."""

    def build() -> Compiled | None:
        from carecenter.metrics.engine import contents_probe, quiet_backend

        with quiet_backend():
            probe = contents_probe(warehouse.backend(), span=span)
            return None if probe is None else compile_table(probe)

    compiled = _cached(cache_, _key("contents", warehouse.backend_name(), span), build)
    return Contents(None, None) if compiled is None else read_contents(compiled.run(warehouse))


def run(
    warehouse: SqlWarehouse,
    spec: ReportSpec,
    dims: Dimensions,
    timezone: str,
    cache_: SqlCache,
) -> Report:
    """:func:`carecenter.metrics.engine.run` on ``warehouse``, from cached SQL when a report of
    the same shape, period and dimensions was compiled before."""
    if spec.groups is not None:
        from carecenter.metrics.engine import run as run_ibis

        return run_ibis(warehouse.backend(), spec, dims, timezone)
    start, end = spec.start, spec.end
    known = contents(warehouse, cache_, span=start is None or end is None)
    if start is None or end is None:
        if known.span is None:
            from carecenter.metrics.engine import run as run_ibis

            return run_ibis(warehouse.backend(), spec, dims, timezone)  # the empty report
        start, end = period_of(spec, known.span, timezone)
    buckets = Buckets.build(spec.interval, timezone, start, end, backend=warehouse.backend_name())

    def build() -> Compiled | None:
        from carecenter.metrics.engine import expression, quiet_backend

        with quiet_backend():
            con = warehouse.backend()
            table = expression(
                con,
                spec,
                dims,
                buckets,
                answers=known.answers,
                outbound=known.outbound,
                promises=known.promises,
            )
            return compile_table(table)

    shape = (spec.interval, spec.by, spec.fcr, spec.percentiles)
    key = _key("report", shape, buckets, dims, known.answers, known.outbound, known.promises)
    compiled = _cached(cache_, key, build)
    if compiled is None:
        from carecenter.metrics.engine import run as run_ibis

        return run_ibis(warehouse.backend(), spec, dims, timezone)
    return report_from_arrow(compiled.run(warehouse), spec, buckets, compiled.shares)
