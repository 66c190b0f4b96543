"""Scaled incomplete gamma functions: the numerically stable core of the Erlang formulas.

With ``γ(s, x)`` and ``Γ(s, x)`` the lower and upper incomplete gamma functions, this module
evaluates, as natural logarithms so that nothing overflows or underflows,

* ``U(s, x) = e^x x^(1-s) Γ(s, x)``  -- the scaled upper function; ``1/U(n+1, A)`` is Erlang B;
* ``L(s, x) = e^x x^(1-s) γ(s, x) = Σ_{m≥1} x^m / (s)_m``  -- the scaled lower function;
* ``N(s, x) = L(s, x) - L(s+1, x)``  -- a positive difference the abandonment formula needs.

Each is evaluated in the regime where it is exact to a few ulps times a modest factor:

* a positive power series when ``x <= 0.75 (s + 1)`` (at most ~140 terms, no cancellation);
* Watson's lemma (an asymptotic series in ``x / (s - x)^2``) when ``|s - x|^2 >= 200 x``, where
  the regularised functions of scipy would underflow;
* otherwise scipy's regularised ``gammainc``/``gammaincc`` (which are then far from underflow)
  times the prefactor ``G(s, x) = e^x x^(1-s) Γ(s)``, itself computed without cancellation as
  ``log G = s·D(x/s) + log x - log(s)/2 + log(2π)/2 + stirlerr(s)`` with
  ``D(r) = r - 1 - log r``.

Inputs must be positive, finite and broadcastable; the functions work on flat float arrays.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
WATSON_RATIO = 200.0
"""``(s - x)^2 / x`` above which the asymptotic (Watson) series is used."""
SERIES_RATIO = 0.75
"""``x / (s + 1)`` below which the power series is used."""
_WATSON_TERMS = 26
_SERIES_MAX_TERMS = 200
_LOG1PMX_TERMS = 40


def _watson_tables(sign: float) -> tuple[FloatArray, FloatArray]:
    """Coefficient tables for the Watson series of ``exp(x g(v))`` and ``w(v) exp(x g(v))``.

    ``g(v) = Σ_{j≥2} -sign^j v^j / j!`` (lower: sign = -1, ``g = 1 - v - e^-v``; upper:
    sign = +1, ``g = 1 + v - e^v``) and ``w(v) = 1 - e^-v``.
    """
    k_max = _WATSON_TERMS
    rec = np.zeros((k_max, k_max))
    conv = np.zeros((k_max, k_max))
    for k in range(1, k_max):
        for j in range(1, k + 1):
            falling = math.factorial(k - 1) / math.factorial(k - j)
            if j >= 2:
                rec[k, j] = j * (-(sign**j) / math.factorial(j)) * falling
            w_j = -((-1.0) ** j) / math.factorial(j)
            conv[k, j] = w_j * k * falling
    return rec, conv


_LOWER_TABLES = _watson_tables(-1.0)
_UPPER_TABLES = _watson_tables(1.0)


def _watson(x: FloatArray, kappa: FloatArray, *, upper: bool) -> tuple[FloatArray, FloatArray]:
    """``x ∫_0^∞ e^(-κv) e^(x g(v)) dv`` and the same with weight ``1 - e^-v``, by Watson's lemma.

    Returns the two integrals divided by ``x / κ`` (both close to 1 and ``1/κ`` respectively).
    """
    rec, conv = _UPPER_TABLES if upper else _LOWER_TABLES
    inv_kappa = 1.0 / kappa
    powers = [np.ones_like(kappa)]
    for _ in range(1, _WATSON_TERMS):
        powers.append(powers[-1] * inv_kappa)
    e = [np.ones_like(kappa)]
    for k in range(1, _WATSON_TERMS):
        acc = np.zeros_like(kappa)
        for j in range(2, k + 1):
            acc += rec[k, j] * powers[j] * e[k - j]
        e.append(x * acc)
    total = np.sum(e, axis=0)
    weighted = np.zeros_like(kappa)
    for k in range(1, _WATSON_TERMS):
        for j in range(1, k + 1):
            weighted += conv[k, j] * powers[j] * e[k - j]
    return total, weighted


def log1pmx_neg(z: FloatArray) -> FloatArray:
    """``z - log(1 + z)`` (= ``D(1 + z)`` >= 0), accurate also for small ``|z|``."""
    out = np.empty_like(z)
    small = np.abs(z) < 0.25
    zs = z[small]
    # z - log1p(z) = Σ_{k≥2} (-1)^k z^k / k, summed by Horner from the top.
    acc = np.zeros_like(zs)
    for k in range(_LOG1PMX_TERMS, 1, -1):
        acc = ((-1.0) ** k) / k + zs * acc
    out[small] = acc * zs * zs
    zl = z[~small]
    out[~small] = zl - np.log1p(zl)
    return out


def deviance(s: FloatArray, x: FloatArray) -> FloatArray:
    """``s·D(x/s)`` with ``D(r) = r - 1 - log r``: the exponent of the Poisson/gamma tail."""
    ratio = x / s
    out = np.empty_like(ratio)
    near = np.abs(ratio - 1.0) < 0.25
    out[near] = s[near] * log1pmx_neg((x[near] - s[near]) / s[near])
    far = ~near
    out[far] = s[far] * (ratio[far] - 1.0 - np.log(ratio[far]))
    return out


def stirlerr(s: FloatArray) -> FloatArray:
    """``log Γ(s) - [(s - 1/2) log s - s + log(2π)/2]``, the Stirling-series remainder."""
    out = np.empty_like(s)
    big = s >= 15.0
    sb = s[big]
    inv2 = 1.0 / (sb * sb)
    series = 1.0 / 12.0 - inv2 * (
        1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 / 1188.0))
    )
    out[big] = series / sb
    ss = s[~big]
    out[~big] = special.gammaln(ss) - (ss - 0.5) * np.log(ss) + ss - HALF_LOG_2PI
    return out


def log_prefactor(s: FloatArray, x: FloatArray) -> FloatArray:
    """``log G(s, x) = x + (1 - s) log x + log Γ(s)``, without cancellation."""
    return deviance(s, x) + np.log(x) - 0.5 * np.log(s) + HALF_LOG_2PI + stirlerr(s)


def log_upper(s: FloatArray, x: FloatArray) -> FloatArray:
    """``log U(s, x) = log(e^x x^(1-s) Γ(s, x))`` for ``s > 0``, ``x > 0`` (flat arrays)."""
    with np.errstate(all="ignore"):
        return _log_upper(s, x)


def _log_upper(s: FloatArray, x: FloatArray) -> FloatArray:
    out = np.empty_like(x)
    kappa = x - s
    watson = (kappa > 0) & (kappa * kappa >= WATSON_RATIO * x)
    if np.any(watson):
        total, _ = _watson(x[watson], kappa[watson], upper=True)
        out[watson] = np.log(x[watson]) - np.log(kappa[watson]) + np.log(total)
    rest = ~watson
    sr, xr = s[rest], x[rest]
    out[rest] = log_prefactor(sr, xr) + np.log(special.gammaincc(sr, xr))
    return out


def _lower_series(s: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``L`` and ``N`` by their positive power series (for ``x <= 0.75 (s + 1)``)."""
    term = x / s
    total = term.copy()
    weighted = term / (s + 1.0)
    for m in range(1, _SERIES_MAX_TERMS):
        term = term * x / (s + m)
        total += term
        weighted += term * (m + 1) / (s + m + 1.0)
        if np.all(term <= 1e-17 * total):
            break
    return np.log(total), np.log(weighted)


def log_lower_pair(s: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``(log L(s, x), log N(s, x))`` with ``N = L(s, x) - L(s + 1, x) > 0`` (flat arrays)."""
    with np.errstate(all="ignore"):
        return _log_lower_pair(s, x)


def _log_lower_pair(s: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    log_l = np.empty_like(x)
    log_n = np.empty_like(x)
    series = x <= SERIES_RATIO * (s + 1.0)
    if np.any(series):
        log_l[series], log_n[series] = _lower_series(s[series], x[series])
    kappa = s - x
    watson = ~series & (kappa > 0) & (kappa * kappa >= WATSON_RATIO * x)
    if np.any(watson):
        xw, kw = x[watson], kappa[watson]
        total, weighted = _watson(xw, kw, upper=False)
        base = np.log(xw) - np.log(kw)
        log_l[watson] = base + np.log(total)
        log_n[watson] = base + np.log(weighted)
    rest = ~series & ~watson
    if np.any(rest):
        log_l[rest], log_n[rest] = _lower_gammainc(s[rest], x[rest])
    return log_l, log_n


def _lower_gammainc(s: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``L`` from scipy's regularised ``gammainc``; ``N = 1 + (1 - s/x) L``."""
    log_l = log_prefactor(s, x) + np.log(special.gammainc(s, x))
    log_n = np.empty_like(x)
    over = x >= s
    # x >= s: both terms positive.
    log_n[over] = np.logaddexp(0.0, np.log1p(-s[over] / x[over]) + log_l[over])
    under = ~over
    # x < s here only when (s - x)^2 < 200 x, so N >= ~1/200 and the cancellation is bounded.
    log_n[under] = np.log(-np.expm1(np.log(s[under] / x[under] - 1.0) + log_l[under]))
    return log_l, log_n


def log_upper_scalar(s: float, x: float) -> float:
    """:func:`log_upper` for one pair of floats with ``0 < x <= s`` (no numpy overhead).

    In that range ``Q(s, x) >= ~1/2``, so the regularised function never underflows.
    """
    z = (x - s) / s
    if abs(z) < 0.25:
        acc = 0.0
        for k in range(_LOG1PMX_TERMS, 1, -1):
            acc = (-1.0) ** k / k + z * acc
        dev = s * acc * z * z
    else:
        ratio = x / s
        dev = s * (ratio - 1.0 - math.log(ratio))
    if s >= 15.0:
        inv2 = 1.0 / (s * s)
        st = (
            1.0 / 12.0
            - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 / 1188.0)))
        ) / s
    else:
        st = math.lgamma(s) - (s - 0.5) * math.log(s) + s - HALF_LOG_2PI
    log_g = dev + math.log(x) - 0.5 * math.log(s) + HALF_LOG_2PI + st
    return log_g + math.log(float(special.gammaincc(s, x)))
