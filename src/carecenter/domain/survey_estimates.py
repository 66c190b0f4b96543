"""Stratified survey estimates: CSAT, NPS and CES per stratum and overall, with confidence
intervals. Pure functions used by ``carecenter voc estimate``
(:mod:`carecenter.services.voc_estimates`).

A stratum ``h`` has a frame of ``N_h`` customers, ``n_h`` of them sampled at random and ``r_h``
of those answered. **Non-response**: the respondents are taken as a simple random sample of
``r_h`` of the stratum's ``N_h`` customers (answers *missing at random within strata*: whether a
sampled customer answers does not depend on their score once their stratum is known), so each
respondent stands for ``N_h / r_h`` customers. With ``ybar_h`` and ``s_h^2`` (divisor
``r_h - 1``) the respondents' mean and variance:

* a stratum's estimate is ``ybar_h``, its variance ``(1 - r_h / N_h) s_h^2 / r_h``, its
  interval Student's t with ``r_h - 1`` degrees of freedom;
* the overall estimate is ``sum_h W_h ybar_h`` with ``W_h = N_h / N``, ``N`` the frame of the
  strata **that have respondents** (a stratum without any is left out: the overall speaks for
  the others), its variance ``V = sum_h W_h^2 (1 - r_h / N_h) s_h^2 / r_h`` and its interval
  Student's t with the Satterthwaite degrees of freedom
  ``V^2 / sum_h (c_h s_h^2)^2 / (r_h - 1)`` (``c_h s_h^2`` the stratum's term of ``V``).

A stratum with one respondent has no variance: it gets no interval of its own, and in the
overall variance its ``s_h^2`` is the pooled within-stratum variance
``s_p^2 = sum (r_k - 1) s_k^2 / sum (r_k - 1)`` of the strata with two or more respondents.
``V`` is then still a linear combination of the independent ``s_k^2`` (each single's term
spread over the ``s_k^2`` in proportion to ``r_k - 1``), so the Satterthwaite formula applies
to those coefficients. With no stratum of two or more respondents there is no interval. When
every respondent gave the same score, ``V`` is 0 and the interval is the point itself (the
degrees of freedom are then ``sum (r_k - 1)``).

Intervals are cut to the range of the metric (e.g. 1..5 for CSAT, -1..1 for NPS).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scipy.stats import t as student_t

from carecenter.domain.surveys import (
    CES_QUESTION,
    CES_SCALE,
    CSAT_QUESTION,
    CSAT_SATISFIED,
    CSAT_SCALE,
    LOWEST,
    NPS_DETRACTOR,
    NPS_PROMOTER,
    NPS_QUESTION,
    NPS_SCALE,
)


@dataclass(frozen=True)
class Metric:
    """A survey estimate: the answers it reads (``question`` with scores ``lowest`` to
    ``scale_max``), each answer's value and the range of the estimate."""

    name: str
    question: str
    lowest: int
    scale_max: int
    value: Callable[[int], float]
    bounds: tuple[float, float]


def _score(score: int) -> float:
    return float(score)


def _satisfied(score: int) -> float:
    return 1.0 if score >= CSAT_SATISFIED else 0.0


def _promoter(score: int) -> float:
    if score >= NPS_PROMOTER:
        return 1.0
    return -1.0 if score <= NPS_DETRACTOR else 0.0


_CSAT_LOW, _CES_LOW = float(LOWEST[CSAT_QUESTION]), float(LOWEST[CES_QUESTION])
METRICS: tuple[Metric, ...] = (
    Metric(
        "csat",
        CSAT_QUESTION,
        LOWEST[CSAT_QUESTION],
        CSAT_SCALE,
        _score,
        (_CSAT_LOW, float(CSAT_SCALE)),
    ),
    Metric(
        "csat_satisfied", CSAT_QUESTION, LOWEST[CSAT_QUESTION], CSAT_SCALE, _satisfied, (0.0, 1.0)
    ),
    Metric("nps", NPS_QUESTION, LOWEST[NPS_QUESTION], NPS_SCALE, _promoter, (-1.0, 1.0)),
    Metric(
        "ces", CES_QUESTION, LOWEST[CES_QUESTION], CES_SCALE, _score, (_CES_LOW, float(CES_SCALE))
    ),
)
"""CSAT (mean score 1..5), the satisfied share (4 or 5: a fraction 0..1), NPS (promoters less
detractors, the mean of +1 / 0 / -1: a fraction -1..1) and CES (mean score 1..7)."""


@dataclass(frozen=True)
class StratumAnswers:
    """One stratum for one metric: its frame ``N_h`` and its respondents' values."""

    frame: float
    values: tuple[float, ...]


@dataclass(frozen=True)
class Estimate:
    """A point estimate (``None``: no respondents), its interval (``None``: none can be
    given), the respondents, the variance and the degrees of freedom of the interval.
    ``pooled``: the strata with one respondent whose variance is the pooled one."""

    value: float | None
    ci_low: float | None
    ci_high: float | None
    respondents: int
    variance: float | None = None
    df: float | None = None
    pooled: int = 0


def check_confidence(confidence: float) -> None:
    """``confidence`` must be strictly between 0 and 1."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")


def sample_variance(values: Sequence[float]) -> float:
    """``s^2`` with divisor ``len(values) - 1`` (two values at least)."""
    mean = math.fsum(values) / len(values)
    return math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)


def _fpc(frame: float, respondents: int) -> float:
    return max(0.0, 1.0 - respondents / frame)


def interval(
    value: float,
    variance: float,
    df: float,
    confidence: float,
    bounds: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """``value -+ t(df) * sqrt(variance)`` at ``confidence`` (two-sided), cut to ``bounds``."""
    check_confidence(confidence)
    half = float(student_t.ppf((1 + confidence) / 2, df)) * math.sqrt(variance)
    low, high = value - half, value + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return low, high


def stratum_estimate(
    stratum: StratumAnswers, confidence: float, bounds: tuple[float, float] | None = None
) -> Estimate:
    """The respondents' mean, with ``(1 - r/N) s^2 / r`` and a t interval (``r - 1`` df)."""
    r = len(stratum.values)
    if r == 0:
        return Estimate(None, None, None, 0)
    mean = math.fsum(stratum.values) / r
    if r == 1:
        return Estimate(mean, None, None, 1)
    variance = _fpc(stratum.frame, r) * sample_variance(stratum.values) / r
    low, high = interval(mean, variance, r - 1, confidence, bounds)
    return Estimate(mean, low, high, r, variance, float(r - 1))


def stratified_estimate(
    strata: Sequence[StratumAnswers],
    confidence: float,
    bounds: tuple[float, float] | None = None,
) -> Estimate:
    """``sum W_h ybar_h`` over the strata with respondents, its variance and a t interval
    with Satterthwaite's degrees of freedom (see the module for strata of one respondent)."""
    answered = [s for s in strata if s.values]
    respondents = sum(len(s.values) for s in answered)
    if not answered:
        return Estimate(None, None, None, 0)
    total = math.fsum(s.frame for s in answered)
    shares = [s.frame / total for s in answered]
    value = math.fsum(
        w * math.fsum(s.values) / len(s.values) for w, s in zip(shares, answered, strict=True)
    )
    # c_h: the coefficient of s_h^2 in V
    coef = [
        w * w * _fpc(s.frame, len(s.values)) / len(s.values)
        for w, s in zip(shares, answered, strict=True)
    ]
    multi = [i for i, s in enumerate(answered) if len(s.values) >= 2]
    singles = [i for i, s in enumerate(answered) if len(s.values) == 1]
    if not multi:
        return Estimate(value, None, None, respondents, pooled=len(singles))
    dof = [len(answered[i].values) - 1 for i in multi]
    spread = math.fsum(coef[i] for i in singles) / sum(dof)
    terms = [
        (coef[i] + spread * d) * sample_variance(answered[i].values)
        for i, d in zip(multi, dof, strict=True)
    ]
    variance = math.fsum(terms)
    denominator = math.fsum(term * term / d for term, d in zip(terms, dof, strict=True))
    df = variance * variance / denominator if denominator > 0 else float(sum(dof))
    low, high = interval(value, variance, df, confidence, bounds)
    return Estimate(value, low, high, respondents, variance, df, pooled=len(singles))


__all__ = [
    "METRICS",
    "Estimate",
    "Metric",
    "StratumAnswers",
    "check_confidence",
    "interval",
    "sample_variance",
    "stratified_estimate",
    "stratum_estimate",
]
