"""Stratified random sampling: how many to draw from each stratum, and which ones.

Pure functions used by ``carecenter voc sample``
(:mod:`carecenter.services.voc`). A stratum is any hashable, sortable key; the frame of a
stratum is the units (customer ids) that may be drawn from it.

Allocation of a sample of ``size`` over the strata, each stratum ``h`` with a frame of
``N_h`` units:

* ``proportional``: ``n_h`` proportional to ``N_h``;
* ``equal``: the same ``n_h`` for every stratum;
* ``neyman``: ``n_h`` proportional to ``N_h * S_h``, ``S_h`` the standard deviation of the
  measured variable in the stratum.

Quotas are computed exactly (fractions) and rounded by the largest-remainder method so the
sizes add up to ``size`` exactly: each stratum gets the whole part of its quota, and the units
left over go one each to the strata with the largest fractional parts (ties: the first stratum
in sorted order). No stratum gets more than its frame: a stratum whose quota exceeds it gets
its whole frame, and the rest of the sample is allocated again over the other strata. A sample
larger than all frames together takes every unit.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping, Sequence
from fractions import Fraction
from statistics import stdev
from typing import Any, Literal, TypeVar

Allocation = Literal["proportional", "equal", "neyman"]
ALLOCATIONS: tuple[Allocation, ...] = ("proportional", "equal", "neyman")

K = TypeVar("K", bound=Hashable)


def _ordered(keys: Any) -> list[Any]:
    return sorted(keys)


def largest_remainder(quotas: Mapping[K, Fraction], total: int) -> dict[K, int]:
    """Whole numbers adding up to ``total`` from ``quotas`` (which add up to ``total``): the
    whole part of each, plus one for the largest fractional parts (ties: sorted order)."""
    sizes = {k: math.floor(q) for k, q in quotas.items()}
    left = total - sum(sizes.values())
    ranked = sorted(_ordered(quotas), key=lambda k: -(quotas[k] - sizes[k]))
    for k in ranked[:left]:
        sizes[k] += 1
    return sizes


def allocate_by_weight(
    frames: Mapping[K, int], weights: Mapping[K, Fraction], size: int
) -> dict[K, int]:
    """``size`` units over the strata in proportion to ``weights``, none above its frame
    (``frames``: the number of units of each stratum). Strata whose weights are all zero
    share by frame size instead."""
    if size < 0:
        raise ValueError("size must not be negative")
    sizes = dict.fromkeys(frames, 0)
    active = [k for k in _ordered(frames) if frames[k] > 0]
    remaining = min(size, sum(frames[k] for k in active))
    while active and remaining > 0:
        total = sum(weights.get(k, Fraction(0)) for k in active)
        share = (
            {k: weights.get(k, Fraction(0)) / total for k in active}
            if total > 0
            else {k: Fraction(frames[k], sum(frames[a] for a in active)) for k in active}
        )
        quotas = {k: remaining * share[k] for k in active}
        capped = [k for k in active if quotas[k] >= frames[k]]
        if not capped:
            sizes.update(largest_remainder(quotas, remaining))
            break
        for k in capped:
            sizes[k] = frames[k]
            remaining -= frames[k]
        active = [k for k in active if k not in capped]
    return sizes


def allocate(
    frames: Mapping[K, int],
    size: int,
    allocation: Allocation = "proportional",
    deviations: Mapping[K, float] | None = None,
) -> dict[K, int]:
    """Sample sizes per stratum for ``allocation`` (see the module); ``deviations`` are the
    strata's standard deviations that ``neyman`` needs (a stratum without one counts as 0)."""
    if allocation == "proportional":
        weights = {k: Fraction(n) for k, n in frames.items()}
    elif allocation == "equal":
        weights = {k: Fraction(1) for k in frames}
    elif allocation == "neyman":
        if deviations is None:
            raise ValueError("neyman allocation needs the strata's standard deviations")
        weights = {k: n * Fraction(deviations.get(k, 0.0)) for k, n in frames.items()}
    else:
        raise ValueError(f"unknown allocation {allocation!r}")
    return allocate_by_weight(frames, weights, size)


def deviation(values: Sequence[float]) -> float | None:
    """The sample standard deviation of ``values`` (``None`` for fewer than two)."""
    return stdev(values) if len(values) >= 2 else None


def draw(
    frames: Mapping[K, Sequence[str]], sizes: Mapping[K, int], rng: random.Random
) -> dict[K, list[str]]:
    """Draw ``sizes[h]`` units without replacement from each stratum's frame, the strata in
    sorted order and each frame sorted first (so the same generator state gives the same
    sample whatever order the units came in); each stratum's draw sorted."""
    return {k: sorted(rng.sample(sorted(frames[k]), sizes.get(k, 0))) for k in _ordered(frames)}


def design_weight(frame: int, sampled: int) -> float | None:
    """``N_h / n_h``: how many units of its stratum each sampled unit stands for (``None``:
    nothing sampled)."""
    return frame / sampled if sampled else None


__all__ = [
    "ALLOCATIONS",
    "Allocation",
    "allocate",
    "allocate_by_weight",
    "design_weight",
    "deviation",
    "draw",
    "largest_remainder",
]
