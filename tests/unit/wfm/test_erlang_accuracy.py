"""Every measure of Erlang B, C and A exact to 1e-9 relative against the 60-digit reference."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from tests.unit.wfm.test_erlang_reference import (
    erlang_a_reference,
    erlang_b_exact,
    erlang_c_reference,
)

from carecenter.wfm import incgamma
from carecenter.wfm.erlang import erlang_b, erlang_b_probability, erlang_c
from carecenter.wfm.erlang_a import erlang_a

REL = 1e-9


def _close(got: float, want: float) -> bool:
    return math.isclose(got, want, rel_tol=REL, abs_tol=1e-300)


def _assert_rows(got: dict[str, float], want: dict[str, float]) -> None:
    bad = {k: (got[k], v) for k, v in want.items() if not _close(got[k], v)}
    assert not bad


ERLANG_A_CASES = [
    (n, rho, patience_over_aht, threshold)
    for n in (1, 3, 14, 40)
    for rho in (0.05, 0.6, 0.95, 1.0, 1.4, 4.0)
    for patience_over_aht in (0.05, 1.0, 6.0)
    for threshold in (0.0, 0.25)
]


@pytest.mark.parametrize(("n", "rho", "ratio", "threshold"), ERLANG_A_CASES)
def test_erlang_a_matches_reference(n: int, rho: float, ratio: float, threshold: float) -> None:
    """Time unit = AHT; every measure of M/M/n+M, including the waiting-time distribution."""
    lam = rho * n
    want = erlang_a_reference(lam, 1, 1 / ratio, n, threshold)
    got = erlang_a(lam, 1.0, n, ratio, interval=1.0, threshold=threshold).row()
    _assert_rows(got, want)


@pytest.mark.parametrize(
    ("n", "rho", "ratio"),
    [(250, 0.97, 20.0), (400, 0.9, 8.0), (600, 1.02, 2.0), (1500, 1.0, 0.4), (300, 0.8, 60.0)],
)
def test_erlang_a_matches_reference_for_hundreds_of_agents(
    n: int, rho: float, ratio: float
) -> None:
    """Large patience pushes the lower incomplete gamma into its asymptotic (Watson) regime."""
    want = erlang_a_reference(rho * n, 1, 1 / ratio, n, 0)
    got = erlang_a(rho * n, 1.0, n, ratio, interval=1.0, threshold=0.0).row()
    _assert_rows(got, want)


@pytest.mark.parametrize(
    ("n", "rho", "threshold"),
    [(1, 0.5, 1.0), (2, 0.99, 3.0), (10, 0.9, 0.1), (55, 48 / 55, 0.0625), (300, 0.97, 0.02)],
)
def test_erlang_c_matches_reference(n: int, rho: float, threshold: float) -> None:
    want = erlang_c_reference(rho * n, 1, n, threshold)
    got = erlang_c(rho * n, 1.0, n, interval=1.0, threshold=threshold).row()
    _assert_rows(got, want)


@pytest.mark.parametrize("n", [1, 2, 7, 30, 150, 1000, 3000])
@pytest.mark.parametrize("ratio", [0.01, 0.5, 0.97, 1.0, 1.3, 20.0])
def test_erlang_b_matches_exact_fraction(n: int, ratio: float) -> None:
    traffic = Fraction(ratio).limit_denominator(1000) * n
    want = float(erlang_b_exact(n, traffic))
    got = float(erlang_b_probability(n, float(traffic)))
    assert _close(got, want)
    m = erlang_b(float(traffic), 1.0, n, interval=1.0).row()
    assert _close(m["occupancy"], float(traffic * (1 - erlang_b_exact(n, traffic)) / n))


# Scaled incomplete gamma functions against their defining series, in every regime:
# power series (x <= 0.75(s+1)), Watson (|s-x|^2 >= 200x) and scipy's regularised functions.
def _lower_series_reference(s: float, x: float) -> tuple[float, float]:
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 50
        sd, xd = Decimal(repr(s)), Decimal(repr(x))
        term = xd / sd
        total, weighted, m = term, term / (sd + 1), 1
        while m <= x or term > total * Decimal("1e-40"):
            term = term * xd / (sd + m)
            total += term
            weighted += term * (m + 1) / (sd + m + 1)
            m += 1
        return float(total.ln()), float(weighted.ln())


LOWER_CASES = [
    (s, s * r)
    for s in (1e-6, 0.3, 2.5, 40.0, 900.0, 20000.0)
    for r in (1e-4, 0.5, 0.8, 0.9, 0.99, 1.0, 1.05, 2.0)
    if s * r < 30000
]


@pytest.mark.parametrize(("s", "x"), LOWER_CASES)
def test_scaled_lower_incomplete_gamma(s: float, x: float) -> None:
    log_l, log_n = incgamma.log_lower_pair(np.array([s]), np.array([x]))
    want_l, want_n = _lower_series_reference(s, x)
    assert abs(math.expm1(log_l[0] - want_l)) < 1e-12
    assert abs(math.expm1(log_n[0] - want_n)) < 1e-12


def test_watson_regime_is_exercised() -> None:
    s, x = np.array([20000.0]), np.array([18000.0])
    assert (s - x) ** 2 >= incgamma.WATSON_RATIO * x
    assert x > incgamma.SERIES_RATIO * (s + 1)


def _upper_sum_reference(n: int, x: float) -> float:
    """``log U(n, x) = log Σ_{k=0..n-1} Π_{i=1..k} (n - i)/x`` for integer ``n`` (exact sum)."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 50
        xd = Decimal(repr(x))
        term = total = Decimal(1)
        for k in range(1, n):
            term = term * (n - k) / xd
            total += term
        return float(total.ln())


UPPER_CASES = [
    (n, n * r)
    for n in (1, 2, 5, 10, 50, 200, 1000, 5000)
    for r in (0.3, 0.8, 0.99, 1.0, 1.01, 1.2, 2.0, 10.0, 100.0)
]


@pytest.mark.parametrize(("n", "x"), UPPER_CASES)
def test_scaled_upper_incomplete_gamma(n: int, x: float) -> None:
    """Covers the Watson regime ((x - n)^2 >= 200 x) and scipy's gammaincc."""
    got = incgamma.log_upper(np.array([float(n)]), np.array([x]))[0]
    want = _upper_sum_reference(n, x)
    # Absolute in the logarithm = relative in the value (cancellation of ~60-unit logs).
    assert abs(got - want) <= 2e-12 * max(1.0, abs(want))
    if x <= n:
        assert abs(incgamma.log_upper_scalar(float(n), x) - want) <= 2e-12 * max(1.0, abs(want))
