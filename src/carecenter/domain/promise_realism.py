"""Promise realism: how long keeping each kind of promise really takes, and what to promise.

Pure functions used by ``carecenter promises --realism``
(:mod:`carecenter.services.promise_realism`). The input is the promise ledger's rows
(:class:`~carecenter.domain.promise_facts.PromiseRow`) and the time ``now``; the promises are
grouped by kind (``callback``, ``reply``, ``resolution``, ``other``) and queue.

For each promise:

* the **promised time** is ``due_at - made_at``: the time the customer was told;
* the **realised time** is ``closed_at - made_at`` when the promised thing was done: kept
  (``promise.kept``) or done late (``promise.broken``, reason ``late``);
* a promise **never kept** — broken because it was not done by its due time (reason
  ``overdue``, or any other reason), or still open past due at ``now`` — has no realised time:
  it is only known to be longer than its age (censored). It counts as not kept at the promised
  time and with any recommended promise, and its realised time counts as longer than every
  realised time of its group (it sorts last). So it is never dropped: when more than
  ``1 - p`` of a group were never kept, no promise keeps ``p`` of them and the group's
  percentile is unknown (``None``);
* open promises not yet due and cancelled promises are left out (they are counted apart).

Percentiles are the project's one definition (the metrics' ``*_p90_s``, DuckDB's
``quantile_cont``): linear interpolation between the two nearest values,
``numpy.quantile(..., method="linear")``.

The **recommended promise** is the ``percentile`` of the realised times rounded up to a step
a customer can be told (:func:`round_up`), and ``kept_share_recommended`` the share of the
group's promises whose realised time is at most that.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from carecenter.domain.enums import PromiseStatus
from carecenter.domain.promise_facts import PromiseRow

STEPS: tuple[tuple[float, float], ...] = (
    (600.0, 60.0),
    (7200.0, 300.0),
    (172800.0, 3600.0),
    (math.inf, 86400.0),
)
"""(below this many seconds, round up to a multiple of this): whole minutes below 10 min, 5
minutes below 2 hours, whole hours below 2 days, whole days beyond."""

QUANTILES = {"p50": 0.5, "p90": 0.9, "p95": 0.95}
"""Key part and quantile of each realised-time percentile reported."""


@dataclass(frozen=True)
class Outcome:
    """One counted promise: the time promised, and the realised time (``None``: never kept)."""

    promised_s: float
    realised_s: float | None
    kept: bool


@dataclass(frozen=True)
class Realism:
    """The figures of one group (a kind of promise, in one queue)."""

    kind: str
    queue_id: str | None
    promises: int
    kept: int
    late: int
    never_kept: int
    kept_share: float
    promised_p50_s: float
    realised_p50_s: float | None
    realised_p90_s: float | None
    realised_p95_s: float | None
    recommended_s: float | None
    margin_s: float | None
    kept_share_recommended: float | None
    left_out: int = 0
    """Open promises not yet due and cancelled promises of the group (not counted)."""


def round_up(seconds: float) -> float:
    """``seconds`` rounded up to the step of :data:`STEPS` for its size (0 stays 0)."""
    for below, step in STEPS:
        if seconds < below:
            return float(math.ceil(seconds / step - 1e-9) * step)
    raise ValueError(f"not a finite time: {seconds}")  # pragma: no cover - inf is last


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile of ``values`` (linear interpolation; a value may be ``math.inf``:
    never kept). ``None`` when there are none or the quantile falls among the infinite ones."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return None
    top = max(finite)
    # an infinite value stands in as one above every finite one: a quantile that takes any
    # part of it is above ``top``, so unknown
    above = top + 1.0 + abs(top)
    array = np.asarray([v if math.isfinite(v) else above for v in values], dtype=float)
    found = float(np.quantile(array, q, method="linear"))
    return found if found <= top else None


def outcome(row: PromiseRow, now: datetime) -> Outcome | None:
    """How one promise turned out (``None``: left out — cancelled, open and not yet due, or
    its ``promise.made`` unknown)."""
    if row.made_at is None or row.due_at is None:
        return None
    promised = (row.due_at - row.made_at).total_seconds()
    status = row.status
    if status == PromiseStatus.CANCELLED.value:
        return None
    if status == PromiseStatus.OPEN.value:
        return None if now <= row.due_at else Outcome(promised, None, False)
    done = row.closed_at is not None and (
        status == PromiseStatus.KEPT.value or row.reason == "late"
    )
    if not done:
        return Outcome(promised, None, False)
    assert row.closed_at is not None
    realised = max(0.0, (row.closed_at - row.made_at).total_seconds())
    return Outcome(promised, realised, status == PromiseStatus.KEPT.value)


def realism(
    kind: str, queue_id: str | None, outcomes: Sequence[Outcome], percentile: float, left_out: int
) -> Realism:
    """The figures of one group of counted ``outcomes``; recommend its ``percentile`` (0-100)."""
    n = len(outcomes)
    times = [o.realised_s if o.realised_s is not None else math.inf for o in outcomes]
    p = {key: quantile(times, q) for key, q in QUANTILES.items()}
    chosen = quantile(times, percentile / 100)
    recommended = None if chosen is None else round_up(chosen)
    kept_with = (
        None if recommended is None else sum(t <= recommended for t in times) / n if n else None
    )
    median = p["p50"]
    return Realism(
        kind=kind,
        queue_id=queue_id,
        promises=n,
        kept=sum(o.kept for o in outcomes),
        late=sum(o.realised_s is not None and not o.kept for o in outcomes),
        never_kept=sum(o.realised_s is None for o in outcomes),
        kept_share=sum(o.kept for o in outcomes) / n if n else 0.0,
        promised_p50_s=quantile([o.promised_s for o in outcomes], 0.5) or 0.0,
        realised_p50_s=median,
        realised_p90_s=p["p90"],
        realised_p95_s=p["p95"],
        recommended_s=recommended,
        margin_s=None if recommended is None or median is None else recommended - median,
        kept_share_recommended=kept_with,
        left_out=left_out,
    )


def promise_realism(
    rows: Iterable[PromiseRow], now: datetime, percentile: float = 90.0
) -> list[Realism]:
    """One :class:`Realism` per kind of promise and queue (sorted by kind, then queue; no
    queue first) of the ledger ``rows`` as of ``now``, recommending the ``percentile``
    (above 0, below 100) of the realised times. A group whose promises are all left out has
    no row."""
    if not 0 < percentile < 100:
        raise ValueError(f"percentile must be above 0 and below 100, not {percentile:g}")
    groups: dict[tuple[str, str | None], list[Outcome]] = {}
    left: dict[tuple[str, str | None], int] = {}
    for row in rows:
        if row.kind is None:
            continue
        key = (row.kind, row.queue_id)
        found = outcome(row, now)
        if found is None:
            left[key] = left.get(key, 0) + 1
        else:
            groups.setdefault(key, []).append(found)
    return [
        realism(kind, queue, groups[(kind, queue)], percentile, left.get((kind, queue), 0))
        for kind, queue in sorted(groups, key=lambda k: (k[0], k[1] or ""))
    ]


__all__ = [
    "QUANTILES",
    "STEPS",
    "Outcome",
    "Realism",
    "outcome",
    "promise_realism",
    "quantile",
    "realism",
    "round_up",
]
