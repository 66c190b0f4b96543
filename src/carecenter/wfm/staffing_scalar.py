"""Erlang C staffing of one interval in plain Python floats: the fast path for scalar calls.

A vectorised solve carries a fixed numpy overhead of about a millisecond, which dominates when
one interval is staffed at a time. For one interval under Erlang C the search can instead walk
up from the first stable staffing level with Erlang's recurrence
``1/B(n+1, A) = 1 + (n+1)/A · 1/B(n, A)`` (upwards it is numerically stable): one incomplete
gamma evaluation to start, then a few float operations per agent.
:func:`carecenter.wfm.staffing.required_agents` uses it for scalar Erlang C inputs; the tests
check that both paths agree.
"""

from __future__ import annotations

import math

from carecenter.wfm.incgamma import log_upper_scalar

MAX_STEPS = 4000
"""Beyond this many agents above the start the vectorised search is cheaper."""
_MAX_LOG = 700.0


def erlang_c_agents(
    traffic: float,
    aht: float,
    *,
    service_level: float | None,
    threshold: float,
    max_asa: float | None = None,
    max_occupancy: float | None = None,
    max_p_wait: float | None = None,
) -> int | None:
    """Fewest agents meeting the targets under Erlang C, or ``None`` to defer to the vector path.

    ``traffic > 0`` erlangs, ``aht > 0`` seconds; targets as in ``StaffingTarget``.
    """
    n = math.floor(traffic) + 1
    if max_occupancy is not None:
        n = max(n, math.ceil(traffic / max_occupancy) - 1)
    log_inv_b = log_upper_scalar(n + 1.0, traffic)
    if log_inv_b > _MAX_LOG:
        return None
    inv_b = math.exp(log_inv_b)
    for _ in range(MAX_STEPS):
        rho = traffic / n
        p_wait = 1.0 / (rho + (1.0 - rho) * inv_b)
        ok = max_occupancy is None or rho <= max_occupancy
        if ok and max_p_wait is not None:
            ok = p_wait <= max_p_wait
        if ok and max_asa is not None:
            ok = p_wait * aht / (n - traffic) <= max_asa
        if ok and service_level is not None:
            late = p_wait * math.exp(-(n - traffic) * threshold / aht)
            ok = 1.0 - late >= service_level
        if ok:
            return n
        n += 1
        inv_b = 1.0 + n / traffic * inv_b
        if inv_b > 1e300:
            return None
    return None
