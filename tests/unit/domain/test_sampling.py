"""Stratified sampling (carecenter.domain.sampling): allocations against hand computations,
the largest-remainder rounding, the capping of small strata, and a seeded draw."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from carecenter.domain.sampling import (
    allocate,
    design_weight,
    deviation,
    draw,
    largest_remainder,
)


def test_proportional_exact_shares() -> None:
    assert allocate({"a": 50, "b": 30, "c": 20}, 10) == {"a": 5, "b": 3, "c": 2}


def test_proportional_largest_remainder_rounding() -> None:
    # quotas 3 * (7, 2, 1) / 10 = 2.1, 0.6, 0.3: whole parts 2, 0, 0; the one left goes to b
    assert allocate({"a": 7, "b": 2, "c": 1}, 3) == {"a": 2, "b": 1, "c": 0}
    # quotas 10 * (1/3 each) = 3.33...: one left over, the tie goes to the first stratum
    assert allocate({"x": 5, "y": 5, "z": 5}, 10) == {"x": 4, "y": 3, "z": 3}


def test_sizes_add_up_exactly() -> None:
    frames = {"a": 13, "b": 7, "c": 29, "d": 1}
    for size in range(1, 51):
        for how in ("proportional", "equal"):
            sizes = allocate(frames, size, how)  # type: ignore[arg-type]
            assert sum(sizes.values()) == size
            assert all(sizes[k] <= frames[k] for k in frames)


def test_equal_caps_a_small_stratum_and_shares_the_surplus() -> None:
    # 30 / 3 = 10 each, but b has 2: b gets 2, the other 28 split 14 / 14
    assert allocate({"a": 100, "b": 2, "c": 50}, 30, "equal") == {"a": 14, "b": 2, "c": 14}


def test_proportional_cap_then_reallocation() -> None:
    # neyman-like weights push b over its frame: b=4 capped, the rest 6 proportional over a, c
    sizes = allocate({"a": 10, "b": 4, "c": 20}, 10, "neyman", {"a": 1.0, "b": 10.0, "c": 1.0})
    # weights 10, 40, 20 -> quotas 1.43, 5.71, 2.86: b capped at 4; 6 over a:c = 1:2 -> 2, 4
    assert sizes == {"a": 2, "b": 4, "c": 4}


def test_a_sample_larger_than_the_population_takes_everyone() -> None:
    assert allocate({"a": 3, "b": 2}, 10) == {"a": 3, "b": 2}
    assert allocate({"a": 3, "b": 0}, 2, "equal") == {"a": 2, "b": 0}


def test_neyman_on_hand_computed_deviations() -> None:
    # a: scores 1, 3 -> mean 2, s^2 = (1 + 1) / 1 = 2, s = sqrt 2
    # b: scores 1, 5 -> mean 3, s^2 = (4 + 4) / 1 = 8, s = 2 sqrt 2
    sa, sb = deviation([1, 3]), deviation([1, 5])
    assert sa == pytest.approx(math.sqrt(2)) and sb == pytest.approx(2 * math.sqrt(2))
    assert sa is not None and sb is not None
    # N_a S_a : N_b S_b = 100 sqrt2 : 200 sqrt2 = 1 : 2 -> 10 and 20 of 30
    assert allocate({"a": 100, "b": 100}, 30, "neyman", {"a": sa, "b": sb}) == {"a": 10, "b": 20}
    # N differs too: 300 * 1 : 100 * 2 = 3 : 2 -> 12 and 8 of 20
    assert allocate({"a": 300, "b": 100}, 20, "neyman", {"a": 1.0, "b": 2.0}) == {"a": 12, "b": 8}


def test_deviation_needs_two_values() -> None:
    assert deviation([]) is None and deviation([4.0]) is None


def test_largest_remainder_keeps_the_total() -> None:
    quotas = {"a": Fraction(10, 3), "b": Fraction(10, 3), "c": Fraction(10, 3)}
    assert largest_remainder(quotas, 10) == {"a": 4, "b": 3, "c": 3}


def test_unknown_allocation_and_missing_deviations() -> None:
    with pytest.raises(ValueError):
        allocate({"a": 1}, 1, "random")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        allocate({"a": 1}, 1, "neyman")


FRAMES = {"a": [f"a{i:03d}" for i in range(100)], "b": [f"b{i:03d}" for i in range(50)]}
SIZES = {"a": 10, "b": 5}


def test_same_seed_same_sample() -> None:
    first = draw(FRAMES, SIZES, random.Random(7))
    again = draw({k: list(reversed(v)) for k, v in FRAMES.items()}, SIZES, random.Random(7))
    assert first == again
    assert {k: len(v) for k, v in first.items()} == SIZES
    assert all(len(set(v)) == len(v) and set(v) <= set(FRAMES[k]) for k, v in first.items())


def test_different_seed_different_sample() -> None:
    assert draw(FRAMES, SIZES, random.Random(1)) != draw(FRAMES, SIZES, random.Random(2))


def test_design_weight() -> None:
    assert design_weight(100, 10) == 10.0 and design_weight(5, 0) is None
