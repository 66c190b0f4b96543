"""The metric registry: each metric is one function whose docstring is its documentation.

Six kinds:

* ``visit`` metrics are a value per queue visit (a row of ``contact_facts`` joined with its
  queue's policy) summed over the visits that entered the queue in the interval;
* ``agent`` metrics are a value per slice of agent-state time (``agent_state_intervals`` cut at
  interval boundaries) summed over the slices in the interval;
* ``survey`` metrics are a value per survey answer (a row of ``survey_answers`` joined with the
  last visit of its contact) summed over the answers given in the interval;
* ``promise`` metrics are a value per promise event (a promise made, or a promise decided:
  kept or broken; a row of ``promises`` seen at each of those moments) summed over the events
  in the interval;
* ``ratio`` metrics combine other metrics of the same row after summing;
* ``percentile`` metrics are a quantile of a value per queue visit over the visits that
  entered the queue in the interval (exact: linear interpolation between the two nearest
  values, DuckDB's ``quantile_cont`` and PostgreSQL's ``percentile_cont``).

Every docstring has a ``Formula:``, a ``Unit:`` and an ``Interval:`` line; the reference page
``docs/reference/metrics.md`` is generated from them. A metric whose unit is ``share`` is a
fraction (0 to 1; NPS -1 to 1): JSON and CSV give the fraction, tables and pages show a percent.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

VISIT, AGENT, SURVEY, RATIO = "visit", "agent", "survey", "ratio"
PROMISE = "promise"
PERCENTILE = "percentile"
TICKET, TICKET_RATIO, TICKET_PERCENTILE = "ticket", "ticket_ratio", "ticket_percentile"
BACKLOG = "backlog"
TICKET_KINDS = (TICKET, TICKET_RATIO, TICKET_PERCENTILE, BACKLOG)
"""The kinds of the ticket report (``report --tickets``); the others make the contact report."""
SOURCES = {
    VISIT: "contact_facts",
    PERCENTILE: "contact_facts",
    AGENT: "agent_state_intervals",
    SURVEY: "survey_answers",
    PROMISE: "promises",
    RATIO: "other metrics",
    TICKET: "ticket_facts",
    TICKET_RATIO: "other ticket metrics",
    TICKET_PERCENTILE: "ticket_facts",
    BACKLOG: "ticket_spells",
}
SHARE = "share"
"""The unit of a metric that is a fraction of a whole (``Unit: share, 0-1.``)."""


@dataclass(frozen=True)
class Metric:
    """One catalog entry."""

    key: str
    kind: str
    expr: Callable[..., Any]
    needs: tuple[str, ...] = ()
    """Ratio: the metrics it divides. Visit metric: the optional facts it needs (``fcr``,
    ``peers``). Percentile metric: the name of the value it is a quantile of."""
    quantile: float | None = None
    """Percentile metric: the quantile (0.5 for the median) of the value ``expr`` gives."""

    @property
    def doc(self) -> str:
        """The cleaned docstring."""
        return inspect.cleandoc(self.expr.__doc__ or "")

    def field(self, name: str) -> str:
        """The text after ``name:`` in the docstring (joined continuation lines)."""
        lines = self.doc.splitlines()
        for i, line in enumerate(lines):
            if line.startswith(f"{name}:"):
                parts = [line[len(name) + 1 :].strip()]
                for more in lines[i + 1 :]:
                    if not more.startswith("  "):
                        break
                    parts.append(more.strip())
                return " ".join(parts)
        return ""

    @property
    def summary(self) -> str:
        """The docstring's first paragraph."""
        return " ".join(self.doc.split("\n\n")[0].split())

    @property
    def unit(self) -> str:
        """The ``Unit:`` line."""
        return self.field("Unit")

    @property
    def share(self) -> bool:
        """Whether the metric is a share: its ``Unit:`` line starts with ``share``."""
        return self.unit.split(",")[0].strip() == SHARE

    @property
    def formula(self) -> str:
        """The ``Formula:`` line."""
        return self.field("Formula")

    @property
    def interval(self) -> str:
        """The ``Interval:`` line."""
        return self.field("Interval")


CATALOG: dict[str, Metric] = {}
"""Every metric by key, in definition order (the order of report columns)."""


def _register(
    kind: str, needs: tuple[str, ...], quantile: float | None = None
) -> Callable[[Callable[..., Any]], Metric]:
    def wrap(fn: Callable[..., Any]) -> Metric:
        metric = Metric(fn.__name__, kind, fn, needs, quantile)
        if metric.key in CATALOG:
            raise ValueError(f"metric {metric.key} defined twice")
        CATALOG[metric.key] = metric
        return metric

    return wrap


def register(
    kind: str,
    needs: tuple[str, ...] = (),
    quantile: float | None = None,
    *,
    key: str | None = None,
    doc: str | None = None,
) -> Callable[[Callable[..., Any]], Metric]:
    """Register a metric of ``kind`` (named ``key`` and documented by ``doc`` instead of the
    function's own name and docstring when given)."""
    wrap = _register(kind, needs, quantile)

    def named(fn: Callable[..., Any]) -> Metric:
        if key is None and doc is None:
            return wrap(fn)

        def expr(*args: Any) -> Any:
            return fn(*args)

        expr.__name__ = key or fn.__name__
        expr.__doc__ = doc if doc is not None else fn.__doc__
        return wrap(expr)

    return named


def visit_metric(*features: str) -> Callable[[Callable[..., Any]], Metric]:
    """Register a per-visit value summed per interval (``features``: optional inputs)."""
    return _register(VISIT, features)


def agent_metric() -> Callable[[Callable[..., Any]], Metric]:
    """Register a per-agent-time-slice value summed per interval."""
    return _register(AGENT, ())


def survey_metric() -> Callable[[Callable[..., Any]], Metric]:
    """Register a per-survey-answer value summed per interval."""
    return _register(SURVEY, ())


def promise_metric() -> Callable[[Callable[..., Any]], Metric]:
    """Register a per-promise-event value summed per interval."""
    return _register(PROMISE, ())


def ratio_metric(*parts: str) -> Callable[[Callable[..., Any]], Metric]:
    """Register a metric computed from the summed metrics ``parts``."""
    return _register(RATIO, parts)


def percentile_metric(
    key: str, quantile: float, doc: str, name: str, value: Callable[[Any], Any]
) -> Metric:
    """Register ``key``: the ``quantile`` of the per-visit value ``name`` (``value`` gives it,
    null where a visit does not count), documented by ``doc`` (with ``Formula:``, ``Unit:``
    and ``Interval:`` lines)."""

    return register(PERCENTILE, (name,), quantile, key=key, doc=doc)(value)


def shares() -> frozenset[str]:
    """The keys of the metrics that are shares (every catalog module loaded)."""
    import carecenter.metrics.agent_catalog
    import carecenter.metrics.catalog
    import carecenter.metrics.comparison_catalog
    import carecenter.metrics.engine_catalog
    import carecenter.metrics.percentiles
    import carecenter.metrics.promise_catalog
    import carecenter.metrics.ratios
    import carecenter.metrics.survey_catalog
    import carecenter.metrics.ticket_catalog  # noqa: F401  (the imports fill the registry)

    return frozenset(m.key for m in CATALOG.values() if m.share)


def of_kind(kind: str) -> list[Metric]:
    """The metrics of one kind, in catalog order."""
    return [m for m in CATALOG.values() if m.kind == kind]
