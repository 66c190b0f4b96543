"""Percentile metrics: the median and the 90th and 95th percentiles of wait, handle time and
e-mail response time, beside the means (``asa_s``, ``aht_s``, ``email_response_s``).

A mean alone misleads where a few contacts wait or take very long: an e-mail queue whose mean
response is 62 hours may answer half its e-mails within two. Each percentile is exact (linear
interpolation between the two nearest values) on DuckDB, PostgreSQL and Spark alike: Ibis
compiles it to DuckDB's ``quantile_cont``, PostgreSQL's ``percentile_cont`` and Spark's exact
``percentile`` (not ``percentile_approx``), so no backend approximates. Measured: the same as
DuckDB to 1e-9 relative on every row of the DuckDB-vs-Spark test, and within 1.4e-9 relative
(4.8e-7 s) over 10 million facts in ``bench/bench_spark.py`` (docs/how-to/spark.md). Spark's
exact ``percentile`` holds a group's values in memory: one interval and group of a report,
not the whole history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis  # type: ignore[import-untyped]

from carecenter.domain.enums import VisitOutcome
from carecenter.metrics.classes import handle_s, in_conversation, is_outcome
from carecenter.metrics.registry import percentile_metric

QUANTILES = {"p50": 0.5, "p90": 0.9, "p95": 0.95}
"""Key part and quantile of each percentile reported."""
INTERVAL = "the interval in which the visit entered the queue (``enqueued_at``)."


def _answered(v: Any, value: Any) -> Any:
    return ibis.ifelse(is_outcome(v, VisitOutcome.ANSWERED), value, ibis.null("float64"))


def _handled(v: Any, value: Any) -> Any:
    done = is_outcome(v, VisitOutcome.ANSWERED) & ~in_conversation(v)
    return ibis.ifelse(done, value, ibis.null("float64"))


VALUES: dict[str, tuple[str, str, Callable[[Any], Any]]] = {
    "wait": (
        "wait of answered contacts (the speed of answer)",
        "``wait_s`` of answered visits",
        lambda v: _answered(v, v.wait_s),
    ),
    "handle": (
        "handle time of handled contacts",
        "``conversation_s + acw_s`` of handled visits (answered, conversation over)",
        lambda v: _handled(v, handle_s(v)),
    ),
    "email_response": (
        "e-mail response time (business hours of the queue)",
        "``answered_at - arrived_at`` in the queue's open hours, of ``email_replied`` visits",
        lambda v: ibis.ifelse(v.first_reply, v.response_s, ibis.null("float64")),
    ),
}
"""Per-visit value (null where the visit does not count) by name: what it is, its formula."""


def quantile_name(q: str) -> str:
    """``p50`` -> ``median``, ``p90`` -> ``90th percentile``."""
    return "median" if q == "p50" else f"{q[1:]}th percentile"


for _value, (_what, _formula, _fn) in VALUES.items():
    for _q, _quantile in QUANTILES.items():
        percentile_metric(
            f"{_value}_{_q}_s",
            _quantile,
            f"""The {quantile_name(_q)} of the {_what}.

            Formula: the {_quantile:g} quantile of {_formula} (exact, interpolated, all backends).
            Unit: seconds.
            Interval: {INTERVAL}
            """,
            _value,
            _fn,
        )
