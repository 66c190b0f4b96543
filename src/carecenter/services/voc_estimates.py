"""Use case: ``carecenter voc estimate`` — weighted CSAT, NPS and CES per stratum and overall,
with confidence intervals and response rates, from the answers of a survey sample.

The sample is the call list ``carecenter voc sample`` wrote (CSV with ``customer_id``,
``stratum`` and ``weight``, the design weight ``N_h / n_h``): a stratum's frame is
``N_h = weight * n_h``. The answers are the workspace's survey answers given in the period (the
center's days from midnight of ``--from`` to midnight after ``--to``); an answer belongs to its
``customer_id``, or else to the customer of the contact it is about. A customer who answered a
question twice counts once, with their latest answer. A sampled customer *responded* when they
answered at least one of ``csat`` (1..5), ``nps`` (0..10) or ``ces`` (1..7) on its scale;
answers on another scale are not counted. The estimator is
:mod:`carecenter.domain.survey_estimates`'s.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from carecenter.domain.projection import SurveyAnswerRow
from carecenter.domain.survey_estimates import (
    METRICS,
    Estimate,
    Metric,
    StratumAnswers,
    check_confidence,
    stratified_estimate,
    stratum_estimate,
)
from carecenter.errors import InputError
from carecenter.services.bootstrap import WorkspaceSource, opened

OVERALL = "overall"
REQUIRED = ("customer_id", "stratum", "weight")


@dataclass(frozen=True)
class SampledStratum:
    """A stratum of the call list: its sampled customers and its frame ``N_h``."""

    stratum: str
    customers: tuple[str, ...]
    frame: float


@dataclass(frozen=True)
class EstimateResult:
    """One row per stratum and an ``overall`` row; the non-response summary and notes."""

    rows: list[dict[str, Any]]
    summary: list[str] = field(default_factory=list)


def metric_names() -> list[str]:
    """The estimated metrics, in column order."""
    return [m.name for m in METRICS]


def columns() -> list[str]:
    """The columns of a result row."""
    cols = ["stratum", "sampled", "responded", "response_rate"]
    for m in METRICS:
        n = m.name
        cols += [n, f"{n}_ci_low", f"{n}_ci_high", f"{n}_respondents"]
    return cols


def _weight(text: str, file: str, line: int) -> float:
    try:
        weight = float(text)
    except ValueError:
        raise InputError(
            f"{text!r} is not a number", file=file, line=line, field="weight"
        ) from None
    if not math.isfinite(weight) or weight < 1:
        raise InputError(
            f"{text!r} is not a design weight (N_h / n_h, at least 1)",
            file=file,
            line=line,
            field="weight",
        )
    return weight


def _frame(weight: float, sampled: int) -> float:
    frame = weight * sampled
    return float(round(frame)) if abs(frame - round(frame)) < 1e-6 else frame


def read_sample(path: Path) -> list[SampledStratum]:
    """The strata of the call list at ``path``, sorted by name (bad rows: an
    :class:`InputError` naming the file, the line and the field)."""
    from carecenter.adapters.files import read_csv_table

    file = str(path)
    _, rows = read_csv_table(path, REQUIRED)
    members: dict[str, list[str]] = defaultdict(list)
    weights: dict[str, float] = {}
    seen: dict[str, int] = {}
    for line, row in rows:
        customer = (row.get("customer_id") or "").strip()
        stratum = (row.get("stratum") or "").strip()
        for name, value in (("customer_id", customer), ("stratum", stratum)):
            if not value:
                raise InputError("empty", file=file, line=line, field=name)
        if customer in seen:
            raise InputError(
                f"{customer} is already on line {seen[customer]}",
                file=file,
                line=line,
                field="customer_id",
            )
        seen[customer] = line
        weight = _weight((row.get("weight") or "").strip(), file, line)
        if stratum in weights and not math.isclose(weight, weights[stratum], rel_tol=1e-9):
            raise InputError(
                f"{weight:g} differs from the weight {weights[stratum]:g} of stratum {stratum}",
                file=file,
                line=line,
                field="weight",
            )
        weights.setdefault(stratum, weight)
        members[stratum].append(customer)
    if not members:
        raise InputError("no sampled customers", file=file)
    return [
        SampledStratum(s, tuple(members[s]), _frame(weights[s], len(members[s])))
        for s in sorted(members)
    ]


def latest_answers(
    answers: list[SurveyAnswerRow], start: datetime, customers: set[str]
) -> dict[str, dict[str, int]]:
    """Each sampled customer's latest score to each counted question (answers from
    ``start`` on, on the question's scale)."""
    scales = {(m.question, m.scale_max): m.lowest for m in METRICS}
    latest: dict[tuple[str, str], SurveyAnswerRow] = {}
    for a in answers:
        lowest = scales.get((a.question, a.scale_max))
        if a.customer_id not in customers or a.answered_at < start or lowest is None:
            continue
        if not lowest <= a.score <= a.scale_max:
            continue
        key = (a.customer_id, a.question)
        seen = latest.get(key)
        if seen is None or (a.answered_at, a.survey_id) >= (seen.answered_at, seen.survey_id):
            latest[key] = a
    scores: dict[str, dict[str, int]] = defaultdict(dict)
    for (customer, question), a in latest.items():
        scores[customer][question] = a.score
    return dict(scores)


def _metric_columns(metric: Metric, estimate: Estimate) -> dict[str, Any]:
    n = metric.name
    return {
        n: estimate.value,
        f"{n}_ci_low": estimate.ci_low,
        f"{n}_ci_high": estimate.ci_high,
        f"{n}_respondents": estimate.respondents,
    }


def _answers_of(
    stratum: SampledStratum, metric: Metric, scores: dict[str, dict[str, int]]
) -> StratumAnswers:
    values = tuple(
        metric.value(scores[c][metric.question])
        for c in stratum.customers
        if metric.question in scores.get(c, {})
    )
    return StratumAnswers(stratum.frame, values)


def estimate_rows(
    strata: list[SampledStratum], scores: dict[str, dict[str, int]], confidence: float
) -> list[dict[str, Any]]:
    """One row per stratum and the ``overall`` row (see the module)."""
    rows: list[dict[str, Any]] = []
    by_metric = {m.name: [_answers_of(s, m, scores) for s in strata] for m in METRICS}
    for i, s in enumerate(strata):
        responded = sum(1 for c in s.customers if c in scores)
        row: dict[str, Any] = {
            "stratum": s.stratum,
            "sampled": len(s.customers),
            "responded": responded,
            "response_rate": responded / len(s.customers),
        }
        for m in METRICS:
            row |= _metric_columns(m, stratum_estimate(by_metric[m.name][i], confidence, m.bounds))
        rows.append(row)
    sampled = sum(r["sampled"] for r in rows)
    responded = sum(r["responded"] for r in rows)
    overall: dict[str, Any] = {
        "stratum": OVERALL,
        "sampled": sampled,
        "responded": responded,
        "response_rate": responded / sampled,
    }
    for m in METRICS:
        overall |= _metric_columns(m, stratified_estimate(by_metric[m.name], confidence, m.bounds))
    rows.append(overall)
    return rows


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


def summary_lines(strata: list[SampledStratum], rows: list[dict[str, Any]]) -> list[str]:
    """Non-response, stratum by stratum and overall, and what the estimates leave out."""
    lines = [
        f"{r['stratum']}: sampled {r['sampled']}, responded {r['responded']} "
        f"({_percent(r['response_rate'])}), no answer {r['sampled'] - r['responded']}"
        for r in rows
    ]
    frame = math.fsum(s.frame for s in strata)
    answered = math.fsum(
        s.frame * r["responded"] / r["sampled"] for s, r in zip(strata, rows, strict=False)
    )
    lines.append(f"weighted response rate (sum N_h r_h / n_h / N): {_percent(answered / frame)}")
    silent = [s for s, r in zip(strata, rows, strict=False) if r["responded"] == 0]
    if silent:
        left = math.fsum(s.frame for s in silent)
        lines.append(
            f"no respondents in {', '.join(s.stratum for s in silent)}: the overall estimates "
            f"speak for the other strata ({frame - left:g} of {frame:g} customers)"
        )
    for m in METRICS:
        singles = [r["stratum"] for r in rows[:-1] if r[f"{m.name}_respondents"] == 1]
        if singles:
            lines.append(
                f"{m.name}: one respondent in {', '.join(singles)}: no interval there; the "
                "overall interval uses the pooled within-stratum variance for it"
            )
    return lines


def _window(zone: ZoneInfo, first_day: date, last_day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first_day, time(0), zone)
    return start, datetime.combine(last_day + timedelta(days=1), time(0), zone)


def estimate(
    source: WorkspaceSource,
    sample: Path,
    first_day: date,
    last_day: date,
    *,
    confidence: float = 0.95,
) -> EstimateResult:
    """The weighted estimates of the survey whose call list is ``sample``, from the answers
    given from ``first_day`` to ``last_day`` (center time)."""
    if last_day < first_day:
        raise InputError("must not be before --from", field="to")
    try:
        check_confidence(confidence)
    except ValueError:
        raise InputError(
            f"must be between 0 and 1 (e.g. 0.95), not {confidence}", field="confidence"
        ) from None
    strata = read_sample(sample)
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        zone = ZoneInfo(center.timezone if center is not None else "UTC")
        start, end = _window(zone, first_day, last_day)
        answers = ws.warehouse.customer_answers(end)
    customers = {c for s in strata for c in s.customers}
    scores = latest_answers(answers, start, customers)
    rows = estimate_rows(strata, scores, confidence)
    return EstimateResult(rows, summary_lines(strata, rows))
