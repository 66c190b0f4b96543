"""Fitting a scenario to a center's history: arrival rates per weekday and interval, handle
times, and patience.

Patience is censored by service: a caller who was answered after 40 s would have waited at
least 40 s, we never see how long. Counting only the abandons (or averaging their waits)
underestimates it badly when most calls are answered. The Kaplan-Meier estimator takes the
answered waits as censored observations, as Brown et al. (2005, "Statistical analysis of a
telephone call center", JASA) did on the Anonymous Bank data; beyond the longest observed
wait the survival is extended with the exponential hazard fitted to all waits (abandons over
total time waited, the maximum-likelihood rate of exponential patience).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from carecenter.domain.durations import DAY_S
from carecenter.domain.enums import VisitOutcome
from carecenter.errors import DomainError
from carecenter.sim.scenario import Distribution, Shape, Stretch

POINTS = 1000
"""Quantiles that stand for a fitted distribution (each drawn alike)."""


def kaplan_meier(waits: Sequence[float], gave_up: Sequence[bool]) -> list[tuple[float, float]]:
    """(time, survival just after it) at each distinct time someone gave up: the
    Kaplan-Meier estimate of P(patience > t), answered waits counting as censored (at a tie,
    the censored are still at risk)."""
    if len(waits) != len(gave_up):
        raise DomainError("give one outcome per wait")
    order = sorted(zip(waits, gave_up, strict=True), key=lambda x: (x[0], not x[1]))
    at_risk, survival, curve = len(order), 1.0, []
    i = 0
    while i < len(order):
        t = order[i][0]
        events = censored = 0
        while i < len(order) and order[i][0] == t:
            events += order[i][1]
            censored += not order[i][1]
            i += 1
        if events:
            survival *= 1.0 - events / at_risk
            curve.append((t, survival))
        at_risk -= events + censored
    return curve


@dataclass(frozen=True)
class PatienceFit:
    """Patience estimated from waits that ended in an abandon or in an answer."""

    abandons: int
    answered: int
    """Waits cut short by an answer (censored)."""
    median_s: float | None
    """The Kaplan-Meier median (``None`` when fewer than half would ever give up within the
    longest wait seen: then the exponential tail gives it)."""
    exponential_mean_s: float | None
    """Total time waited over abandons: the mean of exponential patience."""
    survival_at_max: float
    """The Kaplan-Meier survival at the longest wait observed."""
    distribution: Distribution | None
    """Draws from the fitted curve (``None``: nobody gave up, patience looks unbounded)."""


def fit_patience(waits: Sequence[float], gave_up: Sequence[bool]) -> PatienceFit:
    """Fit patience to the waits (seconds) and whether each ended in an abandon."""
    abandons = sum(gave_up)
    answered = len(waits) - abandons
    exposure = math.fsum(max(0.0, w) for w in waits)
    if abandons == 0 or exposure <= 0:
        return PatienceFit(0, answered, None, None, 1.0, None)
    curve = kaplan_meier(waits, gave_up)
    hazard = abandons / exposure
    last_t, last_s = curve[-1]
    median = next((t for t, s in curve if s <= 0.5), None)

    def quantile(p: float) -> float:
        """The smallest t with P(patience <= t) >= p."""
        if p <= 1.0 - last_s:
            return next(t for t, s in curve if 1.0 - s >= p)
        return last_t + math.log(last_s / (1.0 - p)) / hazard

    values = tuple(quantile((k + 0.5) / POINTS) for k in range(POINTS))
    return PatienceFit(
        abandons,
        answered,
        median,
        exposure / abandons,
        last_s,
        Distribution(Shape.EMPIRICAL, values=values),
    )


def empirical(durations: Sequence[float]) -> Distribution | None:
    """A distribution of the durations seen, as :data:`POINTS` evenly spaced quantiles
    (``None`` when there are none)."""
    seen = sorted(d for d in durations if d >= 0 and math.isfinite(d))
    if not seen:
        return None
    n = len(seen)
    return Distribution(
        Shape.EMPIRICAL,
        values=tuple(seen[min(n - 1, int((k + 0.5) * n / POINTS))] for k in range(POINTS)),
    )


Service = tuple[str, str, float, float]
"""(agent, queue, answered, ended) of a contact an agent answered, in seconds."""
Wait = tuple[str, float, float]
"""(queue, from, to) of a customer's wait in a queue, in seconds."""


def visit_spans(
    visits: Iterable[Mapping[str, Any]], seconds: Callable[[datetime], float]
) -> tuple[list[Service], list[Wait]]:
    """What a history's queue visits (the columns of
    :data:`carecenter.metrics.calibration.COLUMNS`) show of its agents: each contact an agent
    answered, and each wait that ended in an answer or an abandon, with times as ``seconds``
    gives them (epoch seconds, or local seconds after a run's start)."""
    services: list[Service] = []
    waits: list[Wait] = []
    for v in visits:
        outcome, wait = v["outcome"], v["wait_s"]
        answered = outcome == VisitOutcome.ANSWERED.value
        if answered and v["agent_id"] and v["answered_at"] is not None:
            ended = v["ended_at"] or v["answered_at"]
            services.append(
                (v["agent_id"], v["queue_id"], seconds(v["answered_at"]), seconds(ended))
            )
        if (answered or outcome == VisitOutcome.ABANDONED.value) and (
            wait is not None and math.isfinite(wait)
        ):
            entered = seconds(v["enqueued_at"])
            waits.append((v["queue_id"], entered, entered + max(0.0, float(wait))))
    return services, waits


MIN_QUEUE_SHARE = 0.01
"""An agent serves a queue if at least this share of the contacts they answered came from it
(one stray transfer does not make an agent a member of a queue)."""


def served_queues(services: Sequence[Service]) -> dict[str, frozenset[str]]:
    """The queues each agent serves, as seen from (agent, queue, answered, ended) of the
    contacts they answered: those with at least :data:`MIN_QUEUE_SHARE` of their contacts."""
    counts: dict[str, dict[str, int]] = {}
    for agent_id, queue_id, _, _ in services:
        mine = counts.setdefault(agent_id, {})
        mine[queue_id] = mine.get(queue_id, 0) + 1
    return {
        agent_id: frozenset(q for q, n in mine.items() if n >= MIN_QUEUE_SHARE * sum(mine.values()))
        for agent_id, mine in sorted(counts.items())
    }


def rosters(services: Sequence[Service], gap_s: float) -> dict[str, tuple[Stretch, ...]]:
    """When each agent was at work, as seen from the contacts they served: ``services`` are
    (agent id, queue id, answered, ended) in seconds; an agent is at work from answering a
    contact until the end of the last one that follows with less than ``gap_s`` seconds free
    before it (a longer pause ends the stretch: the agent was away). A history without agent
    states shows no more than this: idle time inside a stretch counts as at work, time before
    the first answer and after the last end of a stretch does not (a contact of 0 s takes a
    second)."""
    if gap_s < 0:
        raise DomainError("the gap that ends a stretch at work cannot be negative")
    by_agent: dict[str, list[tuple[float, float]]] = {}
    for agent_id, _, answered, ended in services:
        by_agent.setdefault(agent_id, []).append((answered, max(answered + 1.0, ended)))
    out: dict[str, tuple[Stretch, ...]] = {}
    for agent_id, spans in sorted(by_agent.items()):
        spans.sort()
        stretches: list[Stretch] = []
        start, end = spans[0]
        for begin, finish in spans[1:]:
            if begin - end > gap_s:
                stretches.append((start, end))
                start, end = begin, finish
            else:
                end = max(end, finish)
        stretches.append((start, end))
        out[agent_id] = tuple(stretches)
    return out


def busy_pauses(
    services: Sequence[Service],
    waits: Sequence[Wait],
    queues_of: Mapping[str, frozenset[str]],
    gap_s: float,
) -> dict[str, list[float]]:
    """After-call work a history does not record, seen in its gaps: per queue, the pauses an
    agent took between the end of a contact of that queue and answering the next one while a
    customer of the agent's queues waited all along (a free agent would have answered at
    once, so the agent was not free: wrapping up). ``services`` are (agent, queue, answered,
    ended), ``waits`` (queue, from, to) of every queued wait, ``queues_of`` the queues each
    agent serves; pauses longer than ``gap_s`` end a stretch at work (:func:`rosters`) and
    are not counted. Times in seconds from any one origin."""
    out: dict[str, list[float]] = {}
    for gap in _free_gaps(services, waits, queues_of):
        pause = gap.answered - gap.free_from
        if 0 < pause <= gap_s:
            k = bisect.bisect_right(gap.ends, gap.free_from)  # the next spell nobody waited
            if k == len(gap.starts) or gap.starts[k] >= gap.answered:
                out.setdefault(gap.queue_id, []).append(pause)
    return out


def away_spells(
    services: Sequence[Service],
    waits: Sequence[Wait],
    queues_of: Mapping[str, frozenset[str]],
    at_work: Mapping[str, Sequence[Stretch]],
) -> dict[str, tuple[Stretch, ...]]:
    """When each agent, at work (``at_work``, from :func:`rosters`) but between contacts, was
    not free: while a customer of the agent's queues waited (a free agent would have answered
    at once). A history without agent states hides after-call work, outbound work and short
    pauses; this is where they show. ``services`` are (agent, queue, answered, ended),
    ``waits`` (queue, from, to) of every queued wait, ``queues_of`` the queues each agent
    serves; times in seconds from the origin of ``at_work``."""
    out: dict[str, list[Stretch]] = {agent_id: [] for agent_id, _, _, _ in services}
    for gap in _free_gaps(services, waits, queues_of):
        if not _within(at_work.get(gap.agent_id, ()), gap.free_from, gap.answered):
            continue
        away, starts, ends = out[gap.agent_id], gap.starts, gap.ends
        k = bisect.bisect_right(ends, gap.free_from)
        at = gap.free_from
        while at < gap.answered:  # away wherever no spell of nobody waiting covers
            start = starts[k] if k < len(starts) else math.inf
            if start > at:
                away.append((at, min(start, gap.answered)))
            if k >= len(ends):
                break
            at = max(at, ends[k])
            k += 1
    return {agent_id: tuple(spells) for agent_id, spells in sorted(out.items())}


@dataclass(frozen=True)
class _Gap:
    """An agent free between contacts, from ``free_from`` (the end of the contact of
    ``queue_id``) to ``answered``, with the spells (``starts``, ``ends``) in which no customer
    of the agent's queues waited."""

    agent_id: str
    queue_id: str
    free_from: float
    answered: float
    starts: list[float]
    ends: list[float]


def _free_gaps(
    services: Sequence[Service],
    waits: Sequence[Wait],
    queues_of: Mapping[str, frozenset[str]],
) -> Iterator[_Gap]:
    """Every time an agent was free between two contacts (a contact answered while another
    is still going on leaves no gap), agent by agent, in time order."""
    empties: dict[frozenset[str], tuple[list[float], list[float]]] = {}
    by_agent: dict[str, list[tuple[float, float, str]]] = {}
    for agent_id, queue_id, answered, ended in services:
        by_agent.setdefault(agent_id, []).append((answered, max(answered, ended), queue_id))
    for agent_id, spans in sorted(by_agent.items()):
        queues = queues_of.get(agent_id, frozenset())
        if queues not in empties:
            empties[queues] = _empty_spells([(f, t) for q, f, t in waits if q in queues])
        starts, ends = empties[queues]
        spans.sort()
        busy_until, last_queue = spans[0][1], spans[0][2]
        for answered, ended, queue_id in spans[1:]:
            if answered > busy_until:
                yield _Gap(agent_id, last_queue, busy_until, answered, starts, ends)
            if ended >= busy_until:
                busy_until, last_queue = ended, queue_id


def _empty_spells(waits: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """Starts and ends of the spells in which none of ``waits`` (from, to) was going on."""
    moves = [(f, -1) for f, _ in waits] + [(t, 1) for _, t in waits]
    moves.sort()  # at a tie a wait starts (-1) before another ends (+1)
    starts, ends = [-math.inf], []
    waiting = 0
    for at, ending in moves:
        if waiting == 0 and ending < 0:
            ends.append(at)
        waiting -= ending
        if waiting == 0:
            starts.append(at)
    ends.append(math.inf)
    return starts, ends


def _within(stretches: Sequence[Stretch], start: float, end: float) -> bool:
    """Whether (start, end) lies inside one of ``stretches`` (in order)."""
    k = bisect.bisect_right(stretches, (start, math.inf)) - 1
    return k >= 0 and stretches[k][0] <= start and end <= stretches[k][1]


def slot_exposure(first: datetime, last: datetime, slot_s: int) -> Counter[tuple[int, int]]:
    """How often each (weekday, slot of the day) was observed in a history whose first and
    last arrivals came at the local times ``first`` and ``last``: every slot from the one
    holding ``first`` to the one holding ``last``. Rates are arrivals over this exposure,
    so a history that starts at 07:02 on a Monday or ends just past midnight does not count
    a whole extra day."""
    if slot_s <= 0 or DAY_S % slot_s:
        raise DomainError("a slot divides the day")
    start = first.replace(tzinfo=None)
    at = datetime.combine(start.date(), time(0))
    at += timedelta(seconds=(start - at).total_seconds() // slot_s * slot_s)
    end = last.replace(tzinfo=None)
    seen: Counter[tuple[int, int]] = Counter()
    step = timedelta(seconds=slot_s)
    while at <= end:
        seen[(at.weekday(), (at.hour * 3600 + at.minute * 60 + at.second) // slot_s)] += 1
        at += step
    return seen
