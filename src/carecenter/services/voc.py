"""Use case: ``carecenter voc sample`` — a stratified random sample of customers for an
outbound survey.

The population is every customer (``customer_id`` known) with a queue visit that entered its
queue in the period: the center's days from midnight of ``--from`` to midnight after ``--to``.
Each customer is in one stratum: the values of the strata dimensions (``tier``, ``queue``,
``channel``) of their most recent queue visit in the period (latest enqueue time; for a
transferred contact, its last visit). Left out of the frame: customers whose ``center.yaml``
entry says ``survey_opt_out: true``, and customers who answered a survey (the answer's
customer, or the customer of the contact it is about) in the ``exclude_days`` days up to the
end of ``--to``. The allocation and the draw are :mod:`carecenter.domain.sampling`'s; the
design weight of a sampled customer is ``N_h / n_h`` with ``N_h`` the stratum's frame (its
customers less the excluded ones).

Neyman allocation takes ``S_h`` from the CSAT answers (question ``csat``, 1-5) given before the
end of the period by the stratum's customers (excluded ones too); when a stratum of the frame
has fewer than two such answers, the whole allocation is proportional and a note says so.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.domain.projection import SurveyAnswerRow, VisitFact
from carecenter.domain.sampling import (
    ALLOCATIONS,
    Allocation,
    allocate,
    design_weight,
    deviation,
    draw,
)
from carecenter.domain.surveys import CSAT_QUESTION, CSAT_SCALE
from carecenter.errors import InputError
from carecenter.services.bootstrap import WorkspaceSource, opened

DIMENSIONS = {"tier": "tier", "queue": "queue_id", "channel": "channel"}
"""Strata dimension -> the visit field it reads."""

Key = tuple[str, ...]


@dataclass(frozen=True)
class StratumSummary:
    """One stratum: its customers, those left out, the frame, the sample and its weight."""

    stratum: str
    population: int
    excluded: int
    frame: int
    sampled: int
    weight: float | None
    csat_sd: float | None = None


@dataclass(frozen=True)
class SampleResult:
    """The sampled customers (one row each), the strata and what the reader should know."""

    rows: list[dict[str, Any]]
    strata: list[StratumSummary]
    allocation: Allocation
    notes: list[str] = field(default_factory=list)


def parse_strata(text: str) -> tuple[str, ...]:
    """The dimensions of ``--strata`` (comma-separated, each once, from :data:`DIMENSIONS`)."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise InputError("name at least one dimension", field="strata")
    for name in names:
        if name not in DIMENSIONS:
            raise InputError(
                f"unknown stratum dimension {name!r}; choose from {', '.join(DIMENSIONS)}",
                field="strata",
            )
    if len(set(names)) != len(names):
        raise InputError("a dimension is named twice", field="strata")
    return names


def label(dimensions: Sequence[str], key: Key) -> str:
    """A stratum as ``tier=vip;queue=billing``."""
    return ";".join(f"{d}={v}" for d, v in zip(dimensions, key, strict=True))


def strata_of(visits: Sequence[VisitFact], dimensions: Sequence[str]) -> dict[str, Key]:
    """Each customer's stratum: the dimensions' values of their most recent visit."""
    latest: dict[str, VisitFact] = {}
    for v in visits:
        assert v.customer_id is not None
        seen = latest.get(v.customer_id)
        if seen is None or (v.enqueued_at, v.contact_id, v.visit) >= (
            seen.enqueued_at,
            seen.contact_id,
            seen.visit,
        ):
            latest[v.customer_id] = v
    return {
        c: tuple(str(getattr(v, DIMENSIONS[d]) or "") for d in dimensions)
        for c, v in latest.items()
    }


def _csat_deviations(
    answers: Sequence[SurveyAnswerRow], stratum: dict[str, Key]
) -> dict[Key, float | None]:
    scores: dict[Key, list[float]] = defaultdict(list)
    for a in answers:
        if a.question == CSAT_QUESTION and a.scale_max == CSAT_SCALE and a.customer_id in stratum:
            scores[stratum[a.customer_id]].append(float(a.score))
    return {k: deviation(scores.get(k, [])) for k in set(stratum.values())}


def _window(zone: ZoneInfo, first_day: date, last_day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first_day, time(0), zone)
    return start, datetime.combine(last_day + timedelta(days=1), time(0), zone)


def _check(first_day: date, last_day: date, size: int, allocation: str, days: int) -> None:
    if last_day < first_day:
        raise InputError("must not be before --from", field="to")
    if size < 1:
        raise InputError(f"must be at least 1, not {size}", field="size")
    if allocation not in ALLOCATIONS:
        raise InputError(
            f"unknown allocation {allocation!r}; choose one of {', '.join(ALLOCATIONS)}",
            field="allocation",
        )
    if days < 0:
        raise InputError("must not be negative", field="exclude_surveyed_days")


def draw_sample(
    source: WorkspaceSource,
    first_day: date,
    last_day: date,
    *,
    strata: Sequence[str],
    size: int,
    allocation: str = "proportional",
    exclude_days: int = 90,
    seed: int = 1,
) -> SampleResult:
    """A stratified random sample of ``size`` customers with contacts from ``first_day`` to
    ``last_day`` (center time), stratified by ``strata`` (see the module)."""
    _check(first_day, last_day, size, allocation, exclude_days)
    dims = tuple(strata)
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        zone = ZoneInfo(center.timezone if center is not None else "UTC")
        start, end = _window(zone, first_day, last_day)
        visits = ws.warehouse.customer_visits(start, end)
        answers = ws.warehouse.customer_answers(end)
    stratum = strata_of(visits, dims)
    if not stratum:
        raise InputError(f"no customers with contacts from {first_day} to {last_day}", field="from")
    customers = center.customers.values() if center is not None else ()
    opted_out = {c.customer_id for c in customers if c.survey_opt_out}
    since = end - timedelta(days=exclude_days)
    surveyed = {a.customer_id for a in answers if a.answered_at >= since}
    members: dict[Key, list[str]] = defaultdict(list)
    frames: dict[Key, list[str]] = defaultdict(list)
    for customer, key in stratum.items():
        members[key].append(customer)
        if customer not in opted_out and customer not in surveyed:
            frames[key].append(customer)
    sizes_in = {k: len(frames.get(k, [])) for k in members}
    notes: list[str] = []
    used: Allocation = allocation  # type: ignore[assignment]  # checked by _check
    sds = _csat_deviations(answers, stratum)
    if used == "neyman":
        thin = [label(dims, k) for k in sorted(members) if sizes_in[k] and sds[k] is None]
        if thin:
            notes.append(
                f"neyman: fewer than 2 CSAT answers in stratum {thin[0]}"
                + (f" and {len(thin) - 1} more" if len(thin) > 1 else "")
                + "; allocated proportionally instead"
            )
            used = "proportional"
    deviations = {k: sd for k, sd in sds.items() if sd is not None}
    sizes = allocate(sizes_in, size, used, deviations)
    drawn = draw({k: frames.get(k, []) for k in members}, sizes, random.Random(seed))
    return _result(dims, members, sizes_in, drawn, sds, used, notes)


def _result(
    dims: Sequence[str],
    members: dict[Key, list[str]],
    frames: dict[Key, int],
    drawn: dict[Key, list[str]],
    sds: dict[Key, float | None],
    used: Allocation,
    notes: list[str],
) -> SampleResult:
    rows: list[dict[str, Any]] = []
    summaries: list[StratumSummary] = []
    for key in sorted(members):
        picked = drawn.get(key, [])
        weight = design_weight(frames[key], len(picked))
        name = label(dims, key)
        summaries.append(
            StratumSummary(
                name,
                len(members[key]),
                len(members[key]) - frames[key],
                frames[key],
                len(picked),
                weight,
                sds.get(key),
            )
        )
        for customer in picked:
            rows.append(
                {"customer_id": customer, "stratum": name, "weight": weight}
                | dict(zip(dims, key, strict=True))
            )
    return SampleResult(rows, summaries, used, notes)


def summary_lines(result: SampleResult) -> list[str]:
    """One line per stratum (population, excluded, sampled, weight), after the notes."""
    lines = list(result.notes)
    for s in result.strata:
        weight = f"{s.weight:.4g}" if s.weight is not None else "-"
        lines.append(
            f"{s.stratum}: population {s.population}, excluded {s.excluded}, "
            f"sampled {s.sampled}, weight {weight}"
        )
    total = sum(s.sampled for s in result.strata)
    lines.append(f"{total} customers sampled ({result.allocation} allocation)")
    return lines
