"""High-precision reference for the queueing formulas, by direct summation (Python ``decimal``).

The reference knows nothing of incomplete gamma functions: it sums the stationary distribution
of the birth-death chain of M/M/n/n, M/M/n and M/M/n+M state by state in 60-digit decimal
arithmetic, and gets the waiting-time distribution of an arrival from the position it finds in
the queue:

* Erlang C: an arrival finding ``j`` waiting contacts waits an Erlang(j+1, nμ) time.
* Erlang A: with ``i`` contacts ahead, the next move forward happens at rate ``nμ + iθ``, and the
  arrival itself abandons at rate ``θ``. The probability of being answered within ``t`` is the
  absorption probability of that small chain, computed by uniformisation; the mean wait of the
  answered is ``s/(s+j+1) · Σ_{i=1}^{j+1} 1/(nμ + iθ)`` (``s = nμ/θ``), exactly.

The other test modules import these functions; the tests below check the reference itself.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

PRECISION = 60
TAIL = Decimal("1e-45")

Number = int | float | str | Fraction


def _dec(x: Number) -> Decimal:
    if isinstance(x, Fraction):
        return Decimal(x.numerator) / Decimal(x.denominator)
    if isinstance(x, float):
        return Decimal(repr(x))
    return Decimal(x)


def erlang_b_exact(n: int, traffic: Fraction) -> Fraction:
    """Erlang B as an exact fraction: ``(A^n/n!) / Σ_{k≤n} A^k/k!``."""
    # S_k = Σ_{j≤k} A^j k!/j! satisfies S_k = k S_(k-1) + A^k, and B(n, A) = A^n / S_n.
    power, total = Fraction(1), Fraction(1)
    for k in range(1, n + 1):
        power *= traffic
        total = k * total + power
    return power / total


def erlang_c_exact(n: int, traffic: Fraction) -> Fraction:
    """Erlang C as an exact fraction (``traffic < n``)."""
    b = erlang_b_exact(n, traffic)
    rho = traffic / n
    return b / (1 - rho * (1 - b))


def _poisson_cdf(k: int, mean: Decimal) -> Decimal:
    term = (-mean).exp()
    total = term
    for i in range(1, k + 1):
        term = term * mean / i
        total += term
    return total


def erlang_c_reference(lam: Number, mu: Number, n: int, t: Number) -> dict[str, float]:
    """Erlang C measures by summation over the queue length (``λ < nμ``)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        lam_d, mu_d, t_d = _dec(lam), _dec(mu), _dec(t)
        traffic = lam_d / mu_d
        probs = [Decimal(1)]
        for k in range(1, n + 1):
            probs.append(probs[-1] * traffic / k)
        rho = traffic / n
        queue: list[Decimal] = []
        term = probs[-1]
        while term > TAIL * probs[-1] or len(queue) < 10:
            queue.append(term)
            term *= rho
        # Geometric remainder of the tail, past the summed terms.
        total = sum(probs[:-1], Decimal(0)) + sum(queue, Decimal(0)) + term / (1 - rho)
        p_wait = (sum(queue, Decimal(0)) + term / (1 - rho)) / total
        # Waiting more than t with j ahead: fewer than j+1 completions at rate nμ within t.
        mean = n * mu_d * t_d
        pmf = (-mean).exp()
        cdf = pmf
        late = Decimal(0)
        for j, q in enumerate(queue):
            late += q / total * cdf
            pmf = pmf * mean / (j + 1)
            cdf += pmf
        lq = sum((j * queue[j] for j in range(len(queue))), Decimal(0)) / total
        return {
            "p_wait": float(p_wait),
            "service_level": float(1 - late),
            "queue_length": float(lq),
            "asa_s": float(lq / lam_d),
        }


def _answered_within(starts: int, n_mu: Decimal, theta: Decimal, t: Decimal) -> list[Decimal]:
    """P(answered within ``t``) for an arrival with ``i = 0..starts-1`` contacts ahead."""
    rate = n_mu + (starts + 1) * theta
    down = [(n_mu + i * theta) / rate for i in range(starts)]
    stay = [1 - (n_mu + (i + 1) * theta) / rate for i in range(starts)]
    h = [Decimal(0)] * starts
    mean = rate * t
    weight = (-mean).exp()
    cumulative = weight
    answered = [Decimal(0)] * starts
    step = 0
    while 1 - cumulative > TAIL or step < mean:
        step += 1
        h = [down[i] * (h[i - 1] if i else Decimal(1)) + stay[i] * h[i] for i in range(starts)]
        weight = weight * mean / step
        cumulative += weight
        answered = [answered[i] + weight * h[i] for i in range(starts)]
    return answered


def erlang_a_reference(
    lam: Number, mu: Number, theta: Number, n: int, t: Number
) -> dict[str, float]:
    """Erlang A (M/M/n+M) measures by summation of the birth-death chain (``θ > 0``)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        lam_d, mu_d, th_d, t_d = _dec(lam), _dec(mu), _dec(theta), _dec(t)
        probs = [Decimal(1)]
        for k in range(1, n + 1):
            probs.append(probs[-1] * lam_d / (k * mu_d))
        queue = [probs[-1]]
        peak = queue[0]
        while queue[-1] > TAIL * peak or n * mu_d + len(queue) * th_d < lam_d:
            queue.append(queue[-1] * lam_d / (n * mu_d + len(queue) * th_d))
            peak = max(peak, queue[-1])
        total = sum(probs[:-1], Decimal(0)) + sum(queue, Decimal(0))
        pi = [q / total for q in queue]
        p_wait = sum(pi, Decimal(0))
        lq = sum((j * pi[j] for j in range(len(pi))), Decimal(0))
        p_abandon = th_d * lq / lam_d
        busy = sum((k * probs[k] for k in range(n)), Decimal(0)) / total + n * p_wait
        n_mu = n * mu_d
        s = n_mu / th_d
        within = _answered_within(len(pi), n_mu, th_d, t_d)
        no_wait = sum(probs[:-1], Decimal(0)) / total
        answered_within = no_wait + sum((pi[j] * within[j] for j in range(len(pi))), Decimal(0))
        wait_answered = Decimal(0)
        harmonic = Decimal(0)
        for j in range(len(pi)):
            harmonic += 1 / (n_mu + (j + 1) * th_d)
            wait_answered += pi[j] * s / (s + j + 1) * harmonic
        answered = no_wait + sum((pi[j] * s / (s + j + 1) for j in range(len(pi))), Decimal(0))
        return {
            "p_wait": float(p_wait),
            "p_abandon": float(p_abandon),
            "service_level": float(answered_within),
            "service_level_answered": float(answered_within / answered),
            "asa_s": float(wait_answered / answered),
            "mean_wait_s": float(lq / lam_d),
            "queue_length": float(lq),
            "occupancy": float(busy / n),
        }


def test_reference_erlang_b_recursion_matches_textbook() -> None:
    # B(2, 1) = (1/2) / (1 + 1 + 1/2) = 1/5
    assert erlang_b_exact(2, Fraction(1)) == Fraction(1, 5)


def test_reference_erlang_c_matches_its_closed_form() -> None:
    ref = erlang_c_reference(Fraction(48, 240), Fraction(1, 240), 55, 15)
    assert abs(ref["p_wait"] - float(erlang_c_exact(55, Fraction(48)))) < 1e-15


def test_reference_erlang_a_with_patience_equal_to_aht_is_m_m_infinity() -> None:
    # With θ = μ the number in system is Poisson(A): P(wait) = P(N >= n).
    ref = erlang_a_reference(2, 1, 1, 3, 0)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        expected = 1 - _poisson_cdf(2, Decimal(2))
    assert abs(ref["p_wait"] - float(expected)) < 1e-15


def test_reference_single_agent_answered_within_is_an_exponential() -> None:
    # With n = 1 and nobody ahead, the answer comes at rate μ unless the arrival leaves first:
    # P(answered within t) = μ/(μ+θ) (1 - e^(-(μ+θ)t)).
    with localcontext() as ctx:
        ctx.prec = PRECISION
        mu, theta, t = Decimal(1), Decimal("0.5"), Decimal(2)
        got = _answered_within(1, mu, theta, t)[0]
        expected = mu / (mu + theta) * (1 - (-(mu + theta) * t).exp())
        assert abs(got - expected) < Decimal("1e-40")
