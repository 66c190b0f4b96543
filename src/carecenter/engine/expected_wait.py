"""How long will this contact still wait? The real-time delay predictors of Ibrahim and Whitt.

R. Ibrahim and W. Whitt, "Real-time delay estimation in overloaded multiserver queues with
abandonments", Management Science 55(10), 2009, and "Real-time delay estimation based on
delay history", Manufacturing & Service Operations Management 11(3), 2009. Three predictors,
chosen per queue (:class:`~carecenter.domain.routing_policy.Predictor`):

* **queue length** (``QL_m``): a contact with ``n`` contacts ahead of it, ``s`` agents serving
  at rate ``mu`` each and customers abandoning at rate ``theta`` each, waits on average
  ``sum(1 / (s*mu + j*theta) for j in 0..n)``: every contact ahead leaves by service or
  abandonment before it moves up. Exact for the Markovian M/M/s+M queue when all agents are
  busy; ``theta = 0`` gives the Erlang C conditional wait ``(n + 1) / (s*mu)``.
* **last to enter service** (``LES``): the wait of the last contact of the queue to be
  answered.
* **head of line** (``HOL``): the contact at the head of the line has waited ``w``; the ``L - 1``
  others arrived after it, so they arrive about ``(L - 1) / w`` per second, and the contact at
  position ``k`` waits about ``k * w / (L - 1)``.

The engine records each estimate next to the real wait, so the report shows how good a queue's
predictor is (``ewt_mae_s``, ``ewt_within_30s``, ``ewt_not_exceeded``). The rates come from the
queue itself: ``mu`` from a moving average of handle times, ``theta`` as abandons per second
waited (the maximum-likelihood rate of exponential patience when answered contacts are
censored).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from carecenter.domain.routing_policy import Predictor


def digamma(x: float) -> float:
    """The digamma function psi(x) for x > 0 (recurrence, then the asymptotic series)."""
    if x <= 0:
        raise ValueError("digamma needs x > 0")
    result = 0.0
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240))))
    return result + math.log(x) - 0.5 * inv - series


def queue_length_wait(ahead: int, servers: int, mu: float, theta: float) -> float | None:
    """``sum(1 / (servers*mu + j*theta) for j in range(ahead + 1))`` in O(1); ``None`` when
    nobody serves."""
    rate = servers * mu
    if rate <= 0:
        return None
    if theta <= 1e-12 * rate:
        return (ahead + 1) / rate
    if ahead < 16:
        return sum(1.0 / (rate + j * theta) for j in range(ahead + 1))
    a = rate / theta
    return (digamma(a + ahead + 1) - digamma(a)) / theta


@dataclass(frozen=True, slots=True)
class LineView:
    """What the predictors know about a queue when a contact is estimated."""

    position: int
    """The contact's place in line (1 = next)."""
    line: int
    """Contacts waiting in the queue, this one included."""
    free_agents: int
    """Agents free to take the queue's contacts now."""
    servers: int
    """Agents signed in for the queue and not on a break."""
    mean_handle_s: float
    abandon_rate: float
    """Abandons per second of waiting."""
    last_wait_s: float | None
    """The wait of the last contact answered in the queue."""
    head_wait_s: float
    """How long the contact at the head of the line has waited."""
    waited_s: float
    """How long this contact has waited already."""


def estimate(predictor: Predictor, view: LineView) -> float | None:
    """The remaining wait of the contact described by ``view`` (seconds), ``None`` when the
    predictor has nothing to go on (no agent serves the queue)."""
    if view.free_agents >= view.position:
        return 0.0
    ahead = view.position - 1 - view.free_agents
    mu = 1.0 / view.mean_handle_s if view.mean_handle_s > 0 else 0.0
    fallback = queue_length_wait(ahead, view.servers, mu, view.abandon_rate)
    if predictor is Predictor.LAST_TO_ENTER_SERVICE and view.last_wait_s is not None:
        return max(0.0, view.last_wait_s - view.waited_s)
    if predictor is Predictor.HEAD_OF_LINE and view.line >= 2 and view.head_wait_s > 0:
        return view.position * view.head_wait_s / (view.line - 1)
    return fallback
