"""The queueing formulas against values published in the literature."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from tests.unit.wfm.test_erlang_reference import erlang_c_exact

from carecenter.wfm.erlang import erlang_c, erlang_c_probability
from carecenter.wfm.erlang_a import erlang_a
from carecenter.wfm.staffing import StaffingTarget, required_agents

# Tijms, "A First Course in Stochastic Models" (Wiley, 2003), Table 5.3.2: the exact smallest
# number of servers c* with Erlang's delay probability P_W <= alpha, for offered load R.
TIJMS_TABLE_5_3_2 = {
    # R: (alpha = 0.5, alpha = 0.2, alpha = 0.1)
    1: (2, 3, 3),
    5: (7, 8, 9),
    10: (12, 14, 16),
    50: (54, 58, 61),
    100: (106, 111, 115),
    250: (259, 268, 274),
    500: (512, 525, 533),
    1000: (1017, 1034, 1046),
}
ALPHAS = (Fraction(1, 2), Fraction(1, 5), Fraction(1, 10))
TIJMS_CASES = [
    (load, alpha, c_star)
    for load, row in TIJMS_TABLE_5_3_2.items()
    for alpha, c_star in zip(ALPHAS, row, strict=True)
]


@pytest.mark.parametrize(("load", "alpha", "c_star"), TIJMS_CASES)
def test_tijms_table_holds_in_exact_arithmetic(load: int, alpha: Fraction, c_star: int) -> None:
    """The published c* is the smallest c with P_W <= alpha (exact rational arithmetic)."""
    assert erlang_c_exact(c_star, Fraction(load)) <= alpha
    assert c_star - 1 <= load or erlang_c_exact(c_star - 1, Fraction(load)) > alpha


@pytest.mark.parametrize(("load", "alpha", "c_star"), TIJMS_CASES)
def test_tijms_table_from_delay_probability(load: int, alpha: Fraction, c_star: int) -> None:
    assert erlang_c_probability(c_star, load) <= float(alpha)
    assert erlang_c_probability(c_star - 1, load) > float(alpha)


def test_tijms_table_from_the_staffing_solver() -> None:
    loads = np.array(list(TIJMS_TABLE_5_3_2), dtype=float)
    for column, alpha in enumerate(ALPHAS):
        target = StaffingTarget(service_level=None, max_p_wait=float(alpha))
        got = required_agents(loads, 1.0, target, interval=1.0)
        expected = [row[column] for row in TIJMS_TABLE_5_3_2.values()]
        assert got.tolist() == expected


def test_worked_erlang_c_example() -> None:
    """360 calls per 30 minutes, AHT 240 s, 55 agents, 15 s threshold."""
    m = erlang_c(360, 240, 55, interval=1800, threshold=15)
    assert float(m.traffic_erlangs) == 48.0
    assert round(float(m.p_wait), 4) == 0.2387
    assert round(float(m.asa_s), 2) == 8.18
    assert round(float(m.service_level), 4) == 0.8459
    assert round(float(m.occupancy), 3) == 0.873


def test_erlang_a_published_example() -> None:
    """10/3 calls a minute, AHT 3 min, mean patience 5 min, 14 agents."""
    m = erlang_a(10 / 3, 180, 14, 300, interval=60, threshold=20)
    assert round(float(m.p_wait), 5) == 0.14526
    assert round(float(m.p_abandon), 6) == 0.013984
    assert round(float(m.occupancy), 6) == 0.704297


def test_erlang_a_with_patience_equal_to_aht_is_m_m_infinity() -> None:
    """θ = μ: the number in system is Poisson(A); A = 45, 50 agents."""
    m = erlang_a(45, 60, 50, 60, interval=60, threshold=20)
    assert round(float(m.p_wait), 6) == 0.246802
    assert round(float(m.p_abandon), 6) == 0.020447


def test_erlang_a_overload_abandons_the_excess() -> None:
    """1,100 calls a minute, 1,000 agents, service 1 min, patience 2 min: P(ab) ≈ 1 - 1/1.1.

    The fluid value is exact only in the limit; here the difference is 5.9e-8 (relative 6.5e-7),
    so the test holds it to a relative 1e-6.
    """
    m = erlang_a(1100, 60, 1000, 120, interval=60, threshold=20)
    assert float(m.p_abandon) == pytest.approx(1 - 1 / 1.1, rel=1e-6)
    assert float(m.p_wait) == pytest.approx(1.0, abs=1e-5)
    assert float(m.occupancy) == pytest.approx(1.0, abs=1e-6)
