"""Stratified survey estimates (carecenter.domain.survey_estimates): a hand computation on a
small fixture, the pooled fallback for a stratum of one respondent, and the coverage of the
intervals in seeded simulations — from a synthetic finite population and, when the file is
there, from the real plspm bank survey (250 customers, /work/shared/data; not copied here)."""

from __future__ import annotations

import csv
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from carecenter.domain.survey_estimates import (
    METRICS,
    StratumAnswers,
    interval,
    sample_variance,
    stratified_estimate,
    stratum_estimate,
)

# Student t quantiles t(0.975, df), from the published tables (e.g. NIST/SEMATECH e-Handbook
# 1.3.6.7.2): df 1, 2 and 4.
T975 = {1: 12.706205, 2: 4.302653, 4: 2.776445}

# Stratum A: frame 10, respondents 4, 5, 3; B: frame 20, respondents 2, 4; C: frame 6, one
# respondent (5); D: frame 8, sampled but nobody answered.
A = StratumAnswers(10, (4.0, 5.0, 3.0))
B = StratumAnswers(20, (2.0, 4.0))
C = StratumAnswers(6, (5.0,))
D = StratumAnswers(8, ())


def test_stratum_by_hand() -> None:
    # A: mean 4, s^2 = (0 + 1 + 1) / 2 = 1, V = (1 - 3/10) * 1 / 3 = 7/30, df 2
    est = stratum_estimate(A, 0.95)
    assert est.value == 4 and est.respondents == 3 and est.df == 2
    assert est.variance == pytest.approx(7 / 30, rel=1e-12)
    half = T975[2] * math.sqrt(7 / 30)  # 2.07812
    assert est.ci_low == pytest.approx(4 - half, abs=1e-5)
    assert est.ci_high == pytest.approx(4 + half, abs=1e-5)
    # cut to the scale 1..5: 4 + 2.078 > 5
    cut = stratum_estimate(A, 0.95, (1.0, 5.0))
    assert cut.ci_high == 5 and cut.ci_low == pytest.approx(4 - half, abs=1e-5)


def test_one_respondent_and_none() -> None:
    assert stratum_estimate(C, 0.95) == stratum_estimate(C, 0.9)
    one = stratum_estimate(C, 0.95)
    assert (one.value, one.ci_low, one.ci_high, one.respondents) == (5, None, None, 1)
    none = stratum_estimate(D, 0.95)
    assert (none.value, none.ci_low, none.respondents) == (None, None, 0)


def test_overall_by_hand() -> None:
    # W = 10/30, 20/30: 1/3 * 4 + 2/3 * 3 = 10/3
    # V = (1/3)^2 * 7/30 + (2/3)^2 * (1 - 2/20) * 2 / 2 = 7/270 + 2/5 = 115/270
    # Satterthwaite: V^2 / ((7/270)^2 / 2 + (108/270)^2 / 1) = 115^2 / (24.5 + 11664)
    est = stratified_estimate([A, B, D], 0.95)
    assert est.value == pytest.approx(10 / 3, rel=1e-12)
    assert est.variance == pytest.approx(115 / 270, rel=1e-12)
    assert est.df == pytest.approx(115**2 / (49 / 2 + 108**2), rel=1e-12)
    assert est.respondents == 5 and est.pooled == 0
    # the same with D left out: a stratum without respondents is not in N
    assert stratified_estimate([A, B], 0.95) == est


def test_overall_with_a_single_respondent_pools_the_variance() -> None:
    # N = 36: W = 10/36, 20/36, 6/36; estimate (40 + 60 + 30) / 36 = 65/18
    # pooled s^2 = (2 * 1 + 1 * 2) / 3 = 4/3 for C, whose coefficient is W_C^2 (1 - 1/6) / 1
    w = [Fraction(10, 36), Fraction(20, 36), Fraction(6, 36)]
    c_a = w[0] ** 2 * Fraction(7, 10) / 3
    c_b = w[1] ** 2 * Fraction(9, 10) / 2
    c_c = w[2] ** 2 * Fraction(5, 6)
    variance = c_a * 1 + c_b * 2 + c_c * Fraction(4, 3)
    # C's term spread over A and B by their df (2 and 1 of 3): the coefficients of s_A^2, s_B^2
    term_a = (c_a + c_c * Fraction(2, 3)) * 1
    term_b = (c_b + c_c * Fraction(1, 3)) * 2
    assert term_a + term_b == variance
    df = variance**2 / (term_a**2 / 2 + term_b**2 / 1)
    est = stratified_estimate([A, B, C], 0.95)
    assert est.value == pytest.approx(65 / 18, rel=1e-12)
    assert est.variance == pytest.approx(float(variance), rel=1e-12)
    assert est.df == pytest.approx(float(df), rel=1e-12)
    assert est.pooled == 1 and est.respondents == 6
    low, high = interval(65 / 18, float(variance), float(df), 0.95)
    assert (est.ci_low, est.ci_high) == pytest.approx((low, high), rel=1e-12)


def test_no_interval_without_two_respondents_anywhere() -> None:
    est = stratified_estimate([C, StratumAnswers(12, (2.0,)), D], 0.95)
    # W = 6/18, 12/18: 5/3 + 4/3 = 3
    assert est.value == pytest.approx(3, rel=1e-12)
    assert (est.ci_low, est.ci_high, est.pooled) == (None, None, 2)
    assert stratified_estimate([D], 0.95).value is None


def test_identical_answers_give_a_point_interval() -> None:
    est = stratified_estimate([StratumAnswers(9, (1.0, 1.0)), StratumAnswers(5, (1.0,))], 0.95)
    assert (est.value, est.ci_low, est.ci_high, est.variance, est.df) == (1, 1, 1, 0, 1)


def test_interval_uses_student_t() -> None:
    assert interval(0.0, 1.0, 4, 0.95) == pytest.approx((-T975[4], T975[4]), abs=1e-6)
    assert interval(0.0, 4.0, 1, 0.95) == pytest.approx((-2 * T975[1], 2 * T975[1]), abs=1e-5)
    with pytest.raises(ValueError, match="confidence"):
        interval(0.0, 1.0, 4, 1.0)


def test_metric_values() -> None:
    by = {m.name: m for m in METRICS}
    assert [by["csat_satisfied"].value(s) for s in range(1, 6)] == [0, 0, 0, 1, 1]
    assert [by["nps"].value(s) for s in range(11)] == [-1] * 7 + [0, 0, 1, 1]
    assert (by["ces"].question, by["ces"].scale_max, by["ces"].bounds) == ("ces", 7, (1, 7))
    assert sample_variance([2.0, 4.0, 6.0]) == 4


def _simulate(
    population: list[np.ndarray],
    sizes: list[int],
    response: list[float],
    reps: int,
    seed: int,
) -> tuple[float, float, float]:
    """Coverage of the overall 95% interval, the mean error of the estimate in units of its
    Monte Carlo standard error, and the mean error of the naive (unweighted) respondent mean,
    over ``reps`` stratified samples with Bernoulli response within strata."""
    rng = np.random.default_rng(seed)
    truth = float(np.concatenate(population).mean())
    covered, estimates, naive = 0, [], []
    for _ in range(reps):
        strata = []
        for values, n, p in zip(population, sizes, response, strict=True):
            drawn = rng.choice(values, size=n, replace=False)
            answered = drawn[rng.random(n) < p]
            strata.append(StratumAnswers(len(values), tuple(float(v) for v in answered)))
        est = stratified_estimate(strata, 0.95)
        assert est.value is not None and est.ci_low is not None and est.ci_high is not None
        covered += est.ci_low <= truth <= est.ci_high
        estimates.append(est.value - truth)
        naive.append(float(np.mean([v for s in strata for v in s.values])) - truth)
    errors = np.array(estimates)
    return (
        covered / reps,
        float(errors.mean() / (errors.std() / math.sqrt(reps))),
        float(np.mean(naive)),
    )


def test_coverage_on_a_known_finite_population() -> None:
    # Three strata of CSAT scores 1..5 with means of about 4.05, 3 and 2.2; disproportionate
    # samples (150, 40, 20) and response rates (80%, 50%, 50%). 1,000 replications: the Monte
    # Carlo standard error of a 95% coverage is sqrt(0.95 * 0.05 / 1000) = 0.0069, so
    # 0.93..0.97 is +-2.9 of it.
    rng = np.random.default_rng(2024)
    population = [
        rng.choice([1, 2, 3, 4, 5], size=400, p=[0.05, 0.05, 0.1, 0.4, 0.4]),
        rng.choice([1, 2, 3, 4, 5], size=1500, p=[0.2, 0.2, 0.2, 0.2, 0.2]),
        rng.choice([1, 2, 3, 4, 5], size=250, p=[0.4, 0.3, 0.1, 0.1, 0.1]),
    ]
    coverage, bias, naive_bias = _simulate(population, [150, 40, 20], [0.8, 0.5, 0.5], 1000, 7)
    assert 0.93 <= coverage <= 0.97, coverage
    # weighting removes the bias of the unweighted respondent mean, which weights the strata by
    # their expected respondents (120, 20, 10) instead of their sizes (400, 1500, 250): with
    # the nominal means (120 * 4.05 + 20 * 3 + 10 * 2.2) / 150 = 3.79 for a truth of
    # (400 * 4.05 + 1500 * 3 + 250 * 2.2) / 2150 = 3.10
    means = [float(p.mean()) for p in population]
    expected = np.dot([120, 20, 10], means) / 150 - np.dot([400, 1500, 250], means) / 2150
    assert abs(bias) < 3 and naive_bias > 0.5, (bias, naive_bias)
    assert naive_bias == pytest.approx(expected, abs=0.02)


def test_coverage_of_nps_shares() -> None:
    # NPS as +1 / 0 / -1: two strata, 1,000 replications, same band as above
    rng = np.random.default_rng(11)
    population = [
        rng.choice([-1, 0, 1], size=600, p=[0.2, 0.3, 0.5]),
        rng.choice([-1, 0, 1], size=900, p=[0.5, 0.3, 0.2]),
    ]
    coverage, bias, _ = _simulate(population, [100, 100], [0.6, 0.4], 1000, 3)
    assert 0.93 <= coverage <= 0.97, coverage
    assert abs(bias) < 3, bias


PLSPM = Path("/work/shared/data/surveys/plspm_bank_satisfaction_250.csv")


@pytest.mark.skipif(not PLSPM.exists(), reason="the shared plspm survey file is not here")
@pytest.mark.parametrize(("column", "metric"), [("sat1", "csat"), ("loy3", "nps")])
def test_coverage_on_the_plspm_bank_survey(column: str, metric: str) -> None:
    # The 250 surveyed customers of a Spanish bank as the population, stratified by gender
    # (148 female, 102 male): 40 sampled in each, 40% of women and 70% of men answer.
    # CSAT: overall satisfaction (sat1, 0..10) as ceil(x / 2) on 1..5 (0 -> 1); NPS:
    # intention to recommend (loy3, 0..10) as +1 / 0 / -1.
    by = {m.name: m for m in METRICS}
    with PLSPM.open(newline="") as f:
        rows = list(csv.DictReader(f))

    def value(score: int) -> float:
        return by[metric].value(max(1, math.ceil(score / 2)) if metric == "csat" else score)

    population = [
        np.array([value(int(r[column])) for r in rows if r["gender"] == g])
        for g in ("female", "male")
    ]
    assert [len(p) for p in population] == [148, 102]
    coverage, bias, _ = _simulate(population, [40, 40], [0.4, 0.7], 1000, 5)
    assert 0.93 <= coverage <= 0.97, coverage
    # the estimator is unbiased: its mean error within 3 Monte Carlo standard errors
    assert abs(bias) < 3, bias
