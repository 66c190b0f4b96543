"""Erlang A: the M/M/n+M queue (Palm), where waiting contacts abandon at rate ``θ = 1/patience``.

Notation: ``λ`` arrivals per second, ``μ = 1/AHT``, ``θ = 1/patience``, ``A = λ/μ``, ``n`` agents,
``s = nμ/θ``, ``a = λ/θ``, threshold ``t``. With the scaled incomplete gamma functions
``U(s, x) = e^x x^(1-s) Γ(s, x)`` and ``L(s, x) = e^x x^(1-s) γ(s, x)``
(Garnett, Mandelbaum and Reiman 2002; Mandelbaum and Zeltyn 2007):

* ``E = U(n, A)`` (``= 1/B(n-1, A)``), ``λJ = L(s, a)``, ``D = E + λJ``;
* the virtual wait ``V`` (the wait of an infinitely patient arrival) has an atom
  ``P(V = 0) = E/D`` and density ``λ exp(a(1 - e^(-θx)) - nμx) / D`` on ``x > 0``;
* ``p_wait = L(s, a)/D``; an arrival is answered after waiting iff its patience exceeds ``V``:
  ``P(answered, waited) = L(s+1, a)/D`` and ``p_abandon = (L(s, a) - L(s+1, a))/D``;
* answered within ``t`` after waiting: ``∫_0^t density(x) e^(-θx) dx``; substituting
  ``y = a e^(-θx)`` this is ``P(answered, waited) × [1 - γ(s+1, a e^(-θt)) / γ(s+1, a)]``, so
  ``service_level = E/D + P(answered, waited) × (1 - γ(s+1, a e^(-θt)) / γ(s+1, a))`` over
  offered, and that divided by ``1 - p_abandon`` over answered;
* the wait of a contact answered after waiting is ``log(a/Y)/θ`` with ``Y`` a Gamma(s+1) variable
  conditioned on ``Y < a``; its mean (a smooth one-dimensional integral) is computed by
  64-point Gauss-Legendre quadrature over the window holding all but ``e^-40`` of the mass;
  ``ASA = P(answered, waited) × E[wait | answered, waited] / (1 - p_abandon)``;
* ``mean_wait = p_abandon / θ`` (abandonment rate θ × mean queue = λ × p_abandon),
  ``queue_length = λ × mean_wait`` and ``occupancy = A (1 - p_abandon) / n``.

``patience = inf`` gives Erlang C and ``patience = 0`` Erlang B exactly.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from carecenter.wfm import incgamma
from carecenter.wfm.erlang import DEFAULT_INTERVAL_S, erlang_b, erlang_c
from carecenter.wfm.measures import (
    MEASURE_NAMES,
    FloatArray,
    QueueMeasures,
    as_array,
    broadcast,
    require,
)

_QUAD_NODES = 64
_TAIL_NATS = 40.0


@functools.cache
def _gauss_legendre() -> tuple[FloatArray, FloatArray]:
    nodes, weights = np.polynomial.legendre.leggauss(_QUAD_NODES)
    return nodes, weights


def erlang_a(
    calls: npt.ArrayLike,
    aht: npt.ArrayLike,
    agents: npt.ArrayLike,
    patience: npt.ArrayLike,
    *,
    interval: npt.ArrayLike = DEFAULT_INTERVAL_S,
    threshold: npt.ArrayLike = 20.0,
) -> QueueMeasures:
    """Measures of M/M/n+M: exponential patience with mean ``patience`` seconds.

    All arguments broadcast; ``patience`` may be ``inf`` (Erlang C) or ``0`` (Erlang B).
    """
    p = as_array(patience, "patience")
    require(p >= 0, "patience", "must be >= 0")
    c, h, n = as_array(calls, "calls"), as_array(aht, "aht"), as_array(agents, "agents")
    i, t = as_array(interval, "interval"), as_array(threshold, "threshold")
    shape, (c, h, n, i, t, p) = broadcast(c, h, n, i, t, p)
    out = {name: np.empty(c.size) for name in MEASURE_NAMES}
    for mask, model in ((np.isinf(p), erlang_c), (p == 0, erlang_b)):
        if np.any(mask):
            sub = model(c[mask], h[mask], n[mask], interval=i[mask], threshold=t[mask])
            _scatter(out, mask, sub.as_dict())
    rest = np.isfinite(p) & (p > 0)
    if np.any(rest):
        # Validates the other inputs and handles zero traffic and zero agents.
        sub = erlang_c(c[rest], h[rest], n[rest], interval=i[rest], threshold=t[rest])
        values = sub.as_dict()
        with np.errstate(all="ignore"):
            _erlang_a_flat(values, c[rest] / i[rest], h[rest], n[rest], p[rest], t[rest])
        _scatter(out, rest, values)
    return QueueMeasures(**{name: value.reshape(shape) for name, value in out.items()})


def _scatter(
    out: dict[str, FloatArray], mask: npt.NDArray[np.bool_], values: dict[str, FloatArray]
) -> None:
    for name, value in values.items():
        out[name][mask] = value


def _erlang_a_flat(
    out: dict[str, FloatArray],
    lam: FloatArray,
    aht: FloatArray,
    n: FloatArray,
    patience: FloatArray,
    threshold: FloatArray,
) -> None:
    """Overwrite ``out`` with Erlang A values where traffic > 0 (flat arrays)."""
    live = lam > 0
    nobody = live & (n == 0)
    for name, value in (("p_wait", 1.0), ("service_level", 0.0), ("p_abandon", 1.0)):
        out[name][nobody] = value
    for name in ("service_level_answered", "asa_s", "occupancy"):
        out[name][nobody] = np.nan
    out["mean_wait_s"][nobody] = patience[nobody]
    out["queue_length"][nobody] = lam[nobody] * patience[nobody]
    staffed = live & (n > 0)
    core = erlang_a_core(
        lam[staffed], aht[staffed], n[staffed], patience[staffed], threshold[staffed]
    )
    for key, values in core.items():
        out[key][staffed] = values


def erlang_a_core(
    lam: FloatArray,
    aht: FloatArray,
    n: FloatArray,
    patience: FloatArray,
    threshold: FloatArray,
    *,
    with_asa: bool = True,
) -> dict[str, FloatArray]:
    """Erlang A measures for flat arrays with ``λ > 0``, ``n > 0``, ``0 < patience < inf``.

    No validation; call inside ``np.errstate(all="ignore")``. ``with_asa=False`` skips the
    quadrature (``asa_s`` is then ``nan``).
    """
    traffic = lam * aht
    s = n * patience / aht
    a = lam * patience
    log_d, log_u, log_l, log_n = _log_terms(n, traffic, s, a)
    b = a * np.exp(-threshold / patience)
    log_l1 = incgamma.log_lower_pair(np.tile(s + 1.0, 2), np.concatenate([a, b]))[0]
    log_l1_a, log_l1_b = log_l1[: a.size], log_l1[a.size :]
    no_wait = np.exp(log_u - log_d)
    answered_waited = np.exp(log_l1_a - log_d)
    p_abandon = np.exp(log_n - log_d)
    answered = no_wait + answered_waited
    # (a - b) - nμt without cancellation: a - b = -a expm1(-θt).
    shift = -a * np.expm1(-threshold / patience) - n * threshold / aht
    within = _within_fraction(s, a, b, shift, log_l1_a, log_l1_b)
    service_level = no_wait + answered_waited * within
    wait_if_waited = patience * _mean_log_ratio(s + 1.0, a) if with_asa else np.nan
    mean_wait = p_abandon * patience
    return {
        "traffic_erlangs": traffic,
        "p_wait": np.exp(log_l - log_d),
        "service_level": service_level,
        "service_level_answered": np.minimum(service_level / answered, 1.0),
        "asa_s": answered_waited * wait_if_waited / answered,
        "mean_wait_s": mean_wait,
        "p_abandon": p_abandon,
        "occupancy": np.minimum(traffic * answered / n, 1.0),
        "queue_length": lam * mean_wait,
    }


def _log_terms(
    n: FloatArray, traffic: FloatArray, s: FloatArray, a: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``(log D, log E, log L(s, a), log N(s, a))``."""
    log_u = incgamma.log_upper(n, traffic)
    log_l, log_n = incgamma.log_lower_pair(s, a)
    return np.logaddexp(log_u, log_l), log_u, log_l, log_n


def _within_fraction(
    s: FloatArray,
    a: FloatArray,
    b: FloatArray,
    shift: FloatArray,
    log_l1_a: FloatArray,
    log_l1_b: FloatArray,
) -> FloatArray:
    """``P(wait <= t | answered after waiting) = 1 - γ(s+1, b) / γ(s+1, a)``, ``b = a e^(-θt)``.

    ``shift = (a - b) - nμt``. Lower form ``1 - exp(log L(s+1,b) - log L(s+1,a) + shift)``;
    when ``b > s + 1`` both ends lie in the upper tail and the difference of upper functions is
    used instead.
    """
    out = -np.expm1(log_l1_b - log_l1_a + shift)
    upper = b > s + 1.0
    if np.any(upper):
        su, au, bu = s[upper] + 1.0, a[upper], b[upper]
        log_ub = incgamma.log_upper(su, bu)
        log_ua = incgamma.log_upper(su, au)
        sh = shift[upper]
        out[upper] = np.exp(log_ub - log_l1_a[upper] + sh) * -np.expm1(log_ua - log_ub - sh)
    return np.clip(out, 0.0, 1.0)


def _mean_log_ratio(m: FloatArray, a: FloatArray) -> FloatArray:
    """``E[log(a/Y) | Y < a]`` for ``Y ~ Gamma(m)``: density ``∝ exp(-m z - a e^-z)``, ``z >= 0``.

    The log-density is concave with mode ``z* = max(0, log(a/m))``; the window
    ``[z* - v_left, z* + v_right]`` is where it is within 40 nats of the mode (bounds from
    ``m(e^v - 1 - v) >= m v^2/2`` and ``m(v - 1 + e^-v) >= m v^2/4`` or ``m(v - 1)``).
    """
    nodes, weights = _gauss_legendre()
    z_star = np.maximum(0.0, np.log(a / m))
    interior = a > m
    big = m >= 4.0 * _TAIL_NATS
    v_right = np.where(big, np.sqrt(4.0 * _TAIL_NATS / m), 1.0 + _TAIL_NATS / m)
    # Mode at z = 0: the log-density also falls at least linearly, with slope m - a.
    v_right = np.where(interior, v_right, np.minimum(v_right, _TAIL_NATS / (m - a)))
    v_left = np.minimum(np.sqrt(2.0 * _TAIL_NATS / m), 1.0 + np.log1p(_TAIL_NATS / m))
    lo = np.where(interior, np.maximum(0.0, z_star - v_left), 0.0)
    hi = z_star + v_right
    half = 0.5 * (hi - lo)
    z = lo[:, None] + half[:, None] * (nodes[None, :] + 1.0)
    d = z - z_star[:, None]
    peak = np.minimum(a, m)[:, None]  # a e^(-z*)
    log_f = -m[:, None] * d - peak * np.expm1(-d)
    f = weights[None, :] * np.exp(log_f)
    return np.asarray(np.sum(f * z, axis=1) / np.sum(f, axis=1), dtype=np.float64)
