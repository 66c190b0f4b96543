"""Fitting patience: the Kaplan-Meier estimator against a published example, and patience
recovered from waits cut short by service."""

from __future__ import annotations

import random
import statistics

import pytest

from carecenter.sim.calibration import empirical, fit_patience, kaplan_meier

# Freireich et al. (1963), 6-MP arm, weeks in remission (False: censored), as tabulated with
# its Kaplan-Meier estimate in Kleinbaum & Klein, "Survival Analysis" (3rd ed.), table 2.2
REMISSION = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
RELAPSED = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PUBLISHED = [
    (6, 0.8571),
    (7, 0.8067),
    (10, 0.7529),
    (13, 0.6902),
    (16, 0.6275),
    (22, 0.5378),
    (23, 0.4482),
]


def test_kaplan_meier_matches_the_published_table() -> None:
    curve = kaplan_meier([float(w) for w in REMISSION], [bool(r) for r in RELAPSED])
    assert [t for t, _ in curve] == [t for t, _ in PUBLISHED]
    assert [s for _, s in curve] == pytest.approx([s for _, s in PUBLISHED], abs=5e-5)


def test_patience_is_recovered_from_waits_cut_short_by_service() -> None:
    rng = random.Random(11)
    waits, gave_up = [], []
    for _ in range(20_000):
        patience, answered_after = rng.expovariate(1 / 120), rng.expovariate(1 / 60)
        waits.append(min(patience, answered_after))
        gave_up.append(patience < answered_after)
    fit = fit_patience(waits, gave_up)
    assert fit.abandons == sum(gave_up)
    assert fit.exponential_mean_s == pytest.approx(120, rel=0.05)
    assert fit.median_s == pytest.approx(120 * 0.6931, rel=0.06)
    assert fit.distribution is not None
    assert fit.distribution.mean_s == pytest.approx(120, rel=0.06)
    # the naive mean of the abandons' waits is far too short: what censoring hides
    assert statistics.fmean(w for w, g in zip(waits, gave_up, strict=True) if g) < 50


def test_nobody_giving_up_means_no_patience_limit() -> None:
    fit = fit_patience([10.0, 20.0], [False, False])
    assert fit.distribution is None
    assert fit.abandons == 0


def test_empirical_keeps_the_durations_seen() -> None:
    d = empirical([float(x) for x in range(1, 101)])
    assert d is not None
    assert d.mean_s == pytest.approx(50.5, abs=0.1)
    assert empirical([]) is None
