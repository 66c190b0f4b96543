"""Erlang B (M/M/n/n, blocked contacts are lost) and Erlang C (M/M/n, infinite patience).

Notation: ``λ = calls / interval`` (per second), ``AHT = 1/μ`` (seconds), ``A = λ/μ`` the offered
traffic in erlangs, ``n`` agents (any real ``n >= 0``: the formulas use the incomplete gamma
function, so they interpolate between integers), ``t`` the service-level threshold in seconds.

* Erlang B: ``B(n, A) = (A^n/n!) / Σ_{k≤n} A^k/k! = 1 / U(n+1, A)`` with the scaled upper
  incomplete gamma ``U(s, x) = e^x x^(1-s) Γ(s, x)`` (see :mod:`carecenter.wfm.incgamma`).
* Erlang C: ``C(n, A) = 1 / (ρ + (1 - ρ) U(n+1, A))`` for ``ρ = A/n < 1`` (``= 1`` otherwise);
  ``SL(t) = 1 - C e^(-(n - A) t / AHT)``, ``ASA = C · AHT / (n - A)``.

All functions broadcast over numpy arrays (one entry per interval) and never overflow,
underflow to ``nan`` or sum factorials: they work from 1 to well beyond 100,000 agents.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from carecenter.wfm import incgamma
from carecenter.wfm.measures import FloatArray, QueueMeasures, as_array, broadcast, require

DEFAULT_INTERVAL_S = 1800.0


def traffic_erlangs(
    calls: npt.ArrayLike, aht: npt.ArrayLike, interval: npt.ArrayLike = DEFAULT_INTERVAL_S
) -> FloatArray:
    """Offered traffic ``A = calls × AHT / interval`` in erlangs."""
    return as_array(calls, "calls") * as_array(aht, "aht") / as_array(interval, "interval")


def log_erlang_b_inverse(agents: FloatArray, traffic: FloatArray) -> FloatArray:
    """``log(1/B(n, A)) = log U(n+1, A)`` for flat arrays with ``A > 0``, ``n >= 0``."""
    return incgamma.log_upper(agents + 1.0, traffic)


def erlang_b_probability(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray:
    """Erlang B: probability that a contact finds all ``agents`` busy and is lost."""
    n, a = as_array(agents, "agents"), as_array(traffic, "traffic")
    require(n >= 0, "agents", "must be >= 0")
    require(a >= 0, "traffic", "must be >= 0")
    shape, (n, a) = broadcast(n, a)
    out = np.zeros_like(a)
    live = a > 0
    with np.errstate(all="ignore"):
        out[live] = np.exp(-log_erlang_b_inverse(n[live], a[live]))
    return out.reshape(shape)


def _log_c_inverse(n: FloatArray, a: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``(log(1/C), log(1/B))`` for stable flat arrays ``0 < A < n``."""
    log_u = log_erlang_b_inverse(n, a)
    rho = a / n
    return np.logaddexp(np.log(rho), np.log1p(-rho) + log_u), log_u


def erlang_c_probability(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray:
    """Erlang C: probability that a contact waits (1 when ``traffic >= agents``)."""
    n, a = as_array(agents, "agents"), as_array(traffic, "traffic")
    require(n >= 0, "agents", "must be >= 0")
    require(a >= 0, "traffic", "must be >= 0")
    shape, (n, a) = broadcast(n, a)
    out = np.where(a > 0, 1.0, 0.0)
    stable = (a > 0) & (a < n)
    with np.errstate(all="ignore"):
        out[stable] = np.exp(-_log_c_inverse(n[stable], a[stable])[0])
    return out.reshape(shape)


def _inputs(
    calls: npt.ArrayLike,
    aht: npt.ArrayLike,
    agents: npt.ArrayLike,
    interval: npt.ArrayLike,
    threshold: npt.ArrayLike,
) -> tuple[tuple[int, ...], list[FloatArray]]:
    c, h, n = as_array(calls, "calls"), as_array(aht, "aht"), as_array(agents, "agents")
    i, t = as_array(interval, "interval"), as_array(threshold, "threshold")
    require((c >= 0) & np.isfinite(c), "calls", "must be finite and >= 0")
    require((h > 0) & np.isfinite(h), "aht", "must be finite and > 0")
    require((n >= 0) & np.isfinite(n), "agents", "must be finite and >= 0")
    require((i > 0) & np.isfinite(i), "interval", "must be finite and > 0")
    require((t >= 0) & np.isfinite(t), "threshold", "must be finite and >= 0")
    return broadcast(c, h, n, i, t)


def _fill(size: int, **values: float) -> dict[str, FloatArray]:
    return {name: np.full(size, value) for name, value in values.items()}


def _pack(shape: tuple[int, ...], out: dict[str, FloatArray]) -> QueueMeasures:
    return QueueMeasures(**{name: value.reshape(shape) for name, value in out.items()})


def erlang_b(
    calls: npt.ArrayLike,
    aht: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    interval: npt.ArrayLike = DEFAULT_INTERVAL_S,
    threshold: npt.ArrayLike = 0.0,
) -> QueueMeasures:
    """Measures of the loss system M/M/n/n: nobody waits, a blocked contact is lost.

    ``p_wait`` and ``p_abandon`` are both the blocking probability ``B``; the service level over
    offered is ``1 - B`` for every threshold; waits and queue are zero.
    """
    shape, (c, h, n, i, _t) = _inputs(calls, aht, agents, interval, threshold)
    a = c * h / i
    b = erlang_b_probability(n, a)
    with np.errstate(all="ignore"):
        carried = np.where(a > 0, a * (1.0 - b), 0.0)
        occupancy = np.where(n > 0, carried / n, np.where(a > 0, np.nan, 0.0))
    answered = (a == 0) | (n > 0)
    out = _fill(a.size, mean_wait_s=0.0, queue_length=0.0)
    out.update(
        traffic_erlangs=a,
        p_wait=b,
        service_level=1.0 - b,
        service_level_answered=np.where(answered, 1.0, np.nan),
        asa_s=np.where(answered, 0.0, np.nan),
        p_abandon=b,
        occupancy=occupancy,
    )
    return _pack(shape, out)


def erlang_c(
    calls: npt.ArrayLike,
    aht: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    interval: npt.ArrayLike = DEFAULT_INTERVAL_S,
    threshold: npt.ArrayLike = 20.0,
) -> QueueMeasures:
    """Measures of M/M/n with infinitely patient contacts (Erlang C).

    When ``traffic >= agents`` the queue grows without bound: ``p_wait = 1``, service level 0,
    waits and queue length ``inf``, occupancy 1. With zero traffic: no wait, service level 1.
    """
    shape, (c, h, n, i, t) = _inputs(calls, aht, agents, interval, threshold)
    a = c * h / i
    size = a.size
    out = _fill(size, p_wait=0.0, service_level=1.0, asa_s=0.0, queue_length=0.0)
    out["occupancy"] = np.zeros(size)
    unstable = (a > 0) & (a >= n)
    for name, value in (("p_wait", 1.0), ("service_level", 0.0), ("occupancy", 1.0)):
        out[name][unstable] = value
    out["asa_s"][unstable] = np.inf
    out["queue_length"][unstable] = np.inf
    stable = (a > 0) & (a < n)
    with np.errstate(all="ignore"):
        _erlang_c_stable(out, stable, n[stable], a[stable], h[stable], t[stable])
    out.update(
        traffic_erlangs=a,
        service_level_answered=out["service_level"].copy(),
        mean_wait_s=out["asa_s"].copy(),
        p_abandon=np.zeros(size),
    )
    return _pack(shape, out)


def _erlang_c_stable(
    out: dict[str, FloatArray],
    mask: npt.NDArray[np.bool_],
    n: FloatArray,
    a: FloatArray,
    aht: FloatArray,
    threshold: FloatArray,
) -> None:
    """Fill ``out[...][mask]`` for stable intervals ``0 < A < n``."""
    log_c_inv, log_u = _log_c_inverse(n, a)
    p_wait = np.exp(-log_c_inv)
    rho = a / n
    # 1 - C = (1 - ρ)(U - 1) C, free of cancellation (U >= 1 here).
    log_u_minus_1 = log_u + np.log(-np.expm1(-log_u))
    no_wait = np.exp(np.log1p(-rho) + log_u_minus_1 - log_c_inv)
    service_level = no_wait - p_wait * np.expm1(-(n - a) * threshold / aht)
    out["p_wait"][mask] = p_wait
    out["service_level"][mask] = np.minimum(service_level, 1.0)
    out["asa_s"][mask] = p_wait * aht / (n - a)
    out["queue_length"][mask] = p_wait * a / (n - a)
    out["occupancy"][mask] = rho
