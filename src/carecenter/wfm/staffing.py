"""Staffing: the fewest agents meeting service targets, for many intervals at once.

:func:`required_agents` finds, per interval, the smallest integer ``n`` for which every target
holds, under Erlang C (patience unknown or ``inf``), Erlang A (finite patience) or Erlang B
(patience ``0``). Each measure is monotone in ``n`` (service level up; ASA, abandonment,
occupancy and delay probability down), so the set of feasible ``n`` is ``[n*, ∞)`` and ``n*`` is
found by a vectorised search: start from the square-root staffing estimate, expand a bracket by
doubling steps, then bisect — a dozen evaluations of the formulas for all intervals together.

:func:`square_root_staffing` is the documented fast estimate ``n ≈ A + β √A``, with
:func:`halfin_whitt_beta` choosing ``β`` for a service-level target under Erlang C from the
Halfin-Whitt delay probability ``α(β) = [1 + β Φ(β)/φ(β)]^-1`` and
``SL ≈ 1 - α(β) exp(-β √A t / AHT)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from carecenter.wfm.erlang import DEFAULT_INTERVAL_S, erlang_b, erlang_c
from carecenter.wfm.erlang_a import erlang_a_core
from carecenter.wfm.measures import FloatArray, as_array, broadcast, require
from carecenter.wfm.staffing_scalar import erlang_c_agents

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Meets = Callable[[FloatArray, npt.NDArray[np.intp]], BoolArray]

_MAX_ROUNDS = 200
_SHRINKAGE_SLACK = 1e-9


@dataclass(frozen=True)
class StaffingTarget:
    """What an interval's staffing must achieve; ``None`` switches a target off.

    ``service_level`` is answered within ``threshold`` seconds over offered.
    """

    service_level: float | None = 0.8
    threshold: float = 20.0
    max_asa: float | None = None
    max_abandon: float | None = None
    max_occupancy: float | None = None
    max_p_wait: float | None = None

    def __post_init__(self) -> None:
        checks = (
            ("service_level", self.service_level, 0.0, 1.0, "in [0, 1)"),
            ("max_abandon", self.max_abandon, 0.0, 1.0, "in (0, 1]"),
            ("max_occupancy", self.max_occupancy, 0.0, 1.0, "in (0, 1]"),
            ("max_p_wait", self.max_p_wait, 0.0, 1.0, "in (0, 1]"),
        )
        for name, value, low, high, rule in checks:
            if value is None:
                continue
            ok = low <= value < high if name == "service_level" else low < value <= high
            if not ok or math.isnan(value):
                raise ValueError(f"{name} must be {rule}")
        if self.max_asa is not None and not self.max_asa > 0:
            raise ValueError("max_asa must be > 0")
        if not (self.threshold >= 0 and math.isfinite(self.threshold)):
            raise ValueError("threshold must be finite and >= 0")


def scheduled_agents(agents: npt.ArrayLike, shrinkage: float) -> IntArray:
    """Agents to schedule so that ``agents`` remain after ``shrinkage``: ``ceil(n / (1 - s))``.

    A slack of 1e-9 keeps exact quotients such as ``70 / 0.7`` from rounding up to 101.
    """
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError("shrinkage must be in [0, 1)")
    n = np.asarray(agents, dtype=np.float64)
    return np.ceil(n / (1.0 - shrinkage) - _SHRINKAGE_SLACK).astype(np.int64)


def square_root_staffing(traffic: npt.ArrayLike, beta: npt.ArrayLike) -> IntArray:
    """The square-root staffing rule ``ceil(A + β √A)`` (a fast estimate, not a guarantee)."""
    a = as_array(traffic, "traffic")
    return np.ceil(a + as_array(beta, "beta") * np.sqrt(a)).astype(np.int64)


def halfin_whitt_beta(
    target_sl: float, traffic: npt.ArrayLike, aht: npt.ArrayLike, threshold: float
) -> FloatArray:
    """``β`` with ``1 - α(β) exp(-β √A t / AHT) = target_sl`` (Erlang C, Halfin-Whitt).

    Solved by vectorised bisection on ``β ∈ [0, 12]`` (60 halvings).
    """
    a, h = as_array(traffic, "traffic"), as_array(aht, "aht")
    decay = np.sqrt(a) * threshold / h
    lo, hi = np.zeros_like(decay), np.full_like(decay, 12.0)
    goal = math.log1p(-target_sl) if target_sl < 1 else -np.inf
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        log_late = _log_halfin_whitt_alpha(mid) - mid * decay
        below = log_late <= goal
        hi = np.where(below, mid, hi)
        lo = np.where(below, lo, mid)
    return hi


def _log_halfin_whitt_alpha(beta: FloatArray) -> FloatArray:
    """``log α(β) = -log(1 + β Φ(β)/φ(β))``."""
    log_ratio = special.log_ndtr(beta) - (-0.5 * beta * beta - 0.5 * math.log(2 * math.pi))
    return np.asarray(-np.logaddexp(0.0, np.log(beta) + log_ratio), dtype=np.float64)


def required_agents(
    calls: npt.ArrayLike,
    aht: npt.ArrayLike,
    target: StaffingTarget,
    *,
    interval: npt.ArrayLike = DEFAULT_INTERVAL_S,
    patience: npt.ArrayLike | None = None,
) -> IntArray:
    """Fewest agents meeting every target of ``target``, per interval (arrays broadcast).

    ``patience`` (seconds) selects the model per interval: ``None``/``inf`` Erlang C, finite
    Erlang A, ``0`` Erlang B. Zero calls need zero agents; otherwise at least one agent, and
    under Erlang C more agents than the traffic. Targets are validated by
    :class:`StaffingTarget`; every one of them is reachable, so the search always ends.
    """
    fast = _scalar_erlang_c(calls, aht, interval, patience, target)
    if fast is not None:
        return np.asarray(fast, dtype=np.int64)
    c, h, i = as_array(calls, "calls"), as_array(aht, "aht"), as_array(interval, "interval")
    p = as_array(np.inf if patience is None else patience, "patience")
    require((c >= 0) & np.isfinite(c), "calls", "must be finite and >= 0")
    require((h > 0) & np.isfinite(h), "aht", "must be finite and > 0")
    require((i > 0) & np.isfinite(i), "interval", "must be finite and > 0")
    require(p >= 0, "patience", "must be >= 0")
    shape, (c, h, i, p) = broadcast(c, h, i, p)
    a = c * h / i
    agents = np.zeros(a.size, dtype=np.int64)
    live = a > 0
    if np.any(live):
        with np.errstate(all="ignore"):
            agents[live] = _solve(c[live] / i[live], h[live], p[live], target)
    return agents.reshape(shape)


def _scalar_erlang_c(
    calls: object, aht: object, interval: object, patience: object, target: StaffingTarget
) -> int | None:
    """The answer by the scalar fast path, or ``None`` when it does not apply."""
    plain = (int, float)
    if not (isinstance(calls, plain) and isinstance(aht, plain) and isinstance(interval, plain)):
        return None
    if not (patience is None or (isinstance(patience, plain) and math.isinf(patience))):
        return None
    valid = 0 <= calls < math.inf and 0 < aht < math.inf and 0 < interval < math.inf
    if not valid or calls == 0:
        return None
    return erlang_c_agents(
        calls * aht / interval,
        aht,
        service_level=target.service_level,
        threshold=target.threshold,
        max_asa=target.max_asa,
        max_occupancy=target.max_occupancy,
        max_p_wait=target.max_p_wait,
    )


def _solve(
    lam: FloatArray, aht: FloatArray, patience: FloatArray, target: StaffingTarget
) -> IntArray:
    traffic = lam * aht
    is_c = np.isinf(patience)
    floor = np.where(is_c, np.floor(traffic), 0.0)  # known to fail (C: unstable at n <= A)
    beta = np.zeros_like(traffic)
    if target.service_level is not None:
        beta = halfin_whitt_beta(target.service_level, traffic, aht, target.threshold)
    start = np.maximum(floor + 1.0, np.ceil(traffic + beta * np.sqrt(traffic)))
    step = np.maximum(1.0, np.ceil(0.05 * np.sqrt(traffic)))
    meets = _meets_function(lam, aht, patience, target)
    return _search(meets, start, floor, step)


def _search(meets: Meets, start: FloatArray, floor: FloatArray, step: FloatArray) -> IntArray:
    """Smallest ``n > floor`` with ``meets(n)``, given that feasibility is monotone in ``n``."""
    everyone = np.arange(start.size)
    ok = meets(start, everyone)
    lo = np.where(ok, floor, start)  # largest known failing n
    hi = np.where(ok, start, np.inf)  # smallest known feasible n
    probe = np.where(ok, np.maximum(floor, start - step), np.nan)
    for _ in range(_MAX_ROUNDS):
        down = np.flatnonzero(~np.isnan(probe) & (probe > lo))
        up = np.flatnonzero(np.isinf(hi))
        if down.size == 0 and up.size == 0:
            break
        step *= 2.0
        if up.size:
            cand = lo[up] + step[up]
            good = meets(cand, up)
            hi[up[good]] = cand[good]
            lo[up[~good]] = cand[~good]
        if down.size:
            cand = probe[down]
            good = meets(cand, down)
            hi[down[good]] = cand[good]
            lo[down[~good]] = cand[~good]
            probe[down] = np.where(good, np.maximum(floor[down], cand - step[down]), np.nan)
    for _ in range(_MAX_ROUNDS):
        open_ = np.flatnonzero(hi - lo > 1)
        if open_.size == 0:
            return hi.astype(np.int64)
        mid = np.floor(0.5 * (lo[open_] + hi[open_]))
        good = meets(mid, open_)
        hi[open_[good]] = mid[good]
        lo[open_[~good]] = mid[~good]
    raise ArithmeticError("staffing search did not converge")


def _meets_function(
    lam: FloatArray, aht: FloatArray, patience: FloatArray, target: StaffingTarget
) -> Meets:
    """``meets(n, idx)``: whether ``n`` agents meet ``target`` for the intervals ``idx``."""

    def meets(n: FloatArray, idx: npt.NDArray[np.intp]) -> BoolArray:
        measures = _measures(lam[idx], aht[idx], n, patience[idx], target)
        return _check(measures, target)

    return meets


def _measures(
    lam: FloatArray, aht: FloatArray, n: FloatArray, patience: FloatArray, target: StaffingTarget
) -> dict[str, FloatArray]:
    t = np.full(n.size, target.threshold)
    out: dict[str, FloatArray] = {}
    models = (
        (np.isinf(patience), erlang_c),
        (patience == 0, erlang_b),
    )
    for mask, model in models:
        if np.any(mask):
            sub = model(lam[mask], aht[mask], n[mask], interval=1.0, threshold=t[mask])
            _put(out, mask, sub.as_dict(), n.size)
    rest = np.isfinite(patience) & (patience > 0)
    if np.any(rest):
        sub_a = erlang_a_core(
            lam[rest],
            aht[rest],
            n[rest],
            patience[rest],
            t[rest],
            with_asa=target.max_asa is not None,
        )
        _put(out, rest, sub_a, n.size)
    return out


def _put(
    out: dict[str, FloatArray], mask: BoolArray, values: dict[str, FloatArray], size: int
) -> None:
    for name, value in values.items():
        out.setdefault(name, np.full(size, np.nan))[mask] = value


def _check(m: dict[str, FloatArray], target: StaffingTarget) -> BoolArray:
    ok = np.ones(m["p_wait"].size, dtype=bool)
    if target.service_level is not None:
        ok &= m["service_level"] >= target.service_level
    if target.max_asa is not None:
        ok &= m["asa_s"] <= target.max_asa
    if target.max_abandon is not None:
        ok &= m["p_abandon"] <= target.max_abandon
    if target.max_occupancy is not None:
        ok &= m["occupancy"] <= target.max_occupancy
    if target.max_p_wait is not None:
        ok &= m["p_wait"] <= target.max_p_wait
    return ok
