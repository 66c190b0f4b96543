"""The digital twin: a discrete-event simulation that drives the real contact engine.

One replication of a :class:`~carecenter.sim.scenario.Scenario` creates a
:class:`~carecenter.engine.ContactEngine` for the center and plays the customers and agents
around it on a simulated clock: customers arrive (a Poisson process per queue and interval),
wait, give up when their patience runs out, take a callback when one is offered to them, and
talk for their handle time once an agent answers; agents sign in, answer what the engine
offers them after ``answer_delay_s``, wrap up and end contacts. Everything the center does
(queueing, routing, offers, estimates, hold treatment, callbacks, promises) is the engine's
own work through its public commands, and every event the engine emits goes to the ``sink``
unchanged, so the projector and the metric catalog measure a simulated day as they measure
a real one.

Randomness comes in separate seeded streams per replication, queue and purpose (arrivals,
tiers, handle times, wrap-up, patience, callback choices), each drawn once per customer in
arrival order: two scenarios run with the same seed see the same customers (common random
numbers) as far as their arrivals agree, so their difference is the change's, not the dice's.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from carecenter.domain.durations import DAY_S
from carecenter.domain.enums import AgentStatus
from carecenter.domain.events import (
    AgentStateChanged,
    ContactHoldTreatment,
    ContactOffered,
    ContactQueued,
    Event,
)
from carecenter.engine import ContactEngine
from carecenter.engine.flow import find_flow
from carecenter.errors import DomainError
from carecenter.sim.callers import CallerBehaviour
from carecenter.sim.customers import CustomerDraws, PoissonSource, ReplayedSource
from carecenter.sim.scenario import Arrivals, Scenario

Sink = Callable[[list[Event]], None]
"""Where the engine's events go, one command's events per call."""

NO_ANSWER_AFTER_S = 30.0
"""How long an agent lets a callback ring before recording that the customer did not answer."""
DRAIN_LIMIT_S = 2 * DAY_S
"""After the horizon no one arrives; contacts still in the center are served for at most this
long (a callback promised for the next day is kept then), then the run stops."""

(_ARRIVE, _ACCEPT, _TALK_END, _WRAP_END, _GIVE_UP, _CALLBACK, _NO_ANSWER, _CLOSE, _SIGN_OUT) = (
    range(9)
)
_SHIFT_START, _SHIFT_END, _BREAK_START, _BREAK_END = range(9, 13)
_AT_WORK = {"shift": (_SHIFT_START, _SHIFT_END), "break": (_BREAK_START, _BREAK_END)}


def replication_start(scenario: Scenario, index: int) -> datetime:
    """Local midnight at which replication ``index`` (0-based) starts being measured: the
    scenario's start date, ``index`` spans later (whole weeks, so each replication falls on
    the same weekdays and none overlaps the next one's warm-up)."""
    zone = ZoneInfo(scenario.center.timezone)
    day = scenario.start + timedelta(days=index * scenario.span_days)
    return datetime.combine(day, time(0), zone)


@dataclass
class RunCounts:
    """What one replication did."""

    customers: int = 0
    """Customers who arrived (in the warm-up too)."""
    events: int = 0
    """Events the engine emitted."""


class _SimClock:
    """The engine's clock: set by the twin to the simulated time."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class Twin:
    """One replication of a scenario through a fresh engine."""

    def __init__(self, scenario: Scenario, index: int, sink: Sink | None = None) -> None:
        self.scenario = scenario
        self.index = index
        self.sink = sink
        self.midnight = replication_start(scenario, index)
        """Local midnight at which the measured run starts."""
        self.start = (self.midnight - timedelta(seconds=scenario.warmup_s)).astimezone(UTC)
        """The run's first instant (run second 0), in UTC: run seconds are real seconds,
        across a change of daylight-saving time too."""
        self.until = scenario.warmup_s + scenario.horizon_s
        self.clock = _SimClock(self.start)
        self.engine = ContactEngine(scenario.center, self.clock)
        seed = f"{scenario.seed}/{index}"
        self.sources: dict[str, PoissonSource | ReplayedSource] = {
            qid: PoissonSource(a, self._slots(a), f"{seed}/arrivals/{qid}")
            for qid, a in sorted(scenario.arrivals.items())
        }
        replay = scenario.replay
        if replay is not None:
            for qid, times in sorted(replay.arrivals.items()):
                played = sorted(
                    (self._run_second(self.midnight, t), tier, handle) for t, tier, handle in times
                )
                self.sources[qid] = ReplayedSource(qid, tuple(played), self.until)
        self.customers = {
            qid: CustomerDraws(
                scenario.behaviour[qid],
                dict(scenario.arrivals[qid].tiers) if qid in scenario.arrivals else {},
                f"{seed}/customers/{qid}",
            )
            for qid in sorted(scenario.behaviour)
        }
        self.callbacks = {
            qid: CustomerDraws(scenario.behaviour[qid], {}, f"{seed}/callbacks/{qid}")
            for qid in sorted(scenario.behaviour)
        }
        self.plan: list[tuple[float, int, int, str, str]] = []
        self.order = 0
        self.now = 0.0
        self.queue_of: dict[str, str] = {}
        """Contact id -> the first queue it joined (whose customers it behaves like)."""
        self.arrived: set[str] = set()
        """The contacts of customers who called in (not the engine's callbacks)."""
        self.handle: dict[str, float] = {}
        self.recorded: dict[str, float] = {}
        """Replayed customers' recorded handle times, until they join their queue."""
        self.wrap: dict[str, float | None] = {}
        self.patience: dict[str, float] = {}
        self.choice: dict[str, float] = {}
        """Each caller's draw against the queue's callback acceptance."""
        self.no_answer: dict[str, bool] = {}
        """Whether the customer will not answer this callback."""
        center = scenario.center
        self.flows = {
            key: flow.flow_id
            for key in scenario.arrivals
            if key not in center.queues and (flow := find_flow(center, key)) is not None
        }
        self.flow_rng = random.Random(f"{seed}/callers")
        self.choosers = {
            key: scenario.callers.get(flow_id, CallerBehaviour()).chooser(self.flow_rng)
            for key, flow_id in self.flows.items()
        }
        self.accounts = sorted(
            c.account_number for c in center.customers.values() if c.account_number
        )
        self.counts = RunCounts()
        self.closing = False
        """The horizon has passed: agents sign out as soon as they are free."""

    def _slots(self, arrivals: Arrivals) -> list[tuple[float, float]]:
        """(run second, rate per second) of each local interval the run covers, the first
        starting at 0, then the run's end with rate 0."""
        zone = ZoneInfo(self.scenario.center.timezone)
        slots: list[tuple[float, float]] = []
        day = self.start.astimezone(zone).date()
        while True:
            midnight = datetime.combine(day, time(0), zone)
            for i, per_hour in enumerate(arrivals.per_hour[day.weekday()]):
                at = self._run_second(midnight, i * arrivals.interval_s)
                if at >= self.until:
                    return [*slots, (self.until, 0.0)]
                if at <= 0.0:
                    slots.clear()  # an interval that starts before the run: the run starts in it
                slots.append((max(at, 0.0), per_hour / 3600.0))
            day += timedelta(days=1)

    # -- the run ---------------------------------------------------------------------------

    def later(self, at: float, kind: int, subject: str, detail: str = "") -> None:
        """Put something the customers or agents will do at ``at`` in the plan."""
        self.order += 1
        heapq.heappush(self.plan, (at, self.order, kind, subject, detail))

    def _set(self, at: float) -> None:
        self.now = at
        self.clock.at = self.start + timedelta(seconds=at)

    def _take(self, events: list[Event]) -> None:
        """React to what the engine did: agents answer offers, callers take callbacks."""
        for e in events:
            if isinstance(e, ContactOffered):
                self.later(
                    self.now + self.scenario.answer_delay_s, _ACCEPT, e.contact_id, e.agent_id
                )
            elif isinstance(e, ContactQueued):
                if e.contact_id not in self.queue_of:
                    self._queued(e.contact_id, e.queue_id)
            elif isinstance(e, ContactHoldTreatment):
                if e.kind == "callback_offer":
                    people = self.customers.get(self.queue_of.get(e.contact_id, ""))
                    draw = self.choice.get(e.contact_id, 1.0)
                    if people is not None and draw < people.acceptance:
                        self.later(self.now, _CALLBACK, e.contact_id)
            elif (
                isinstance(e, AgentStateChanged)
                and self.closing
                and e.state is AgentStatus.AVAILABLE
            ):
                self.later(self.now, _SIGN_OUT, e.agent_id)
        if self.sink is not None:
            self.sink(events)

    def _rota(self) -> None:
        """Put every agent's shifts and breaks in the plan; agents without a shift sign in
        now and work the whole run."""
        zone = ZoneInfo(self.scenario.center.timezone)
        first = self.start.astimezone(zone).date()
        days = int(self.until // DAY_S) + 2
        replay = self.scenario.replay
        rosters = replay.rosters if replay is not None else {}
        away = replay.away if replay is not None else {}
        for agent_id in sorted(self.scenario.center.agents):
            roster = rosters.get(agent_id)
            if roster is not None:
                for begin, end in roster:
                    self._plan_stretch(agent_id, "shift", self.midnight, begin, end)
                for begin, end in away.get(agent_id, ()):
                    self._plan_stretch(agent_id, "break", self.midnight, begin, end)
                continue
            shift = self.scenario.shifts.get(agent_id)
            if shift is None:
                self._take(self.engine.sign_in(agent_id))
                continue
            for d in range(days):
                day = first + timedelta(days=d)
                midnight = datetime.combine(day, time(0), zone)
                for begin, end, what in shift.stretches(day.weekday()):
                    self._plan_stretch(agent_id, what, midnight, begin, end)

    def _plan_stretch(
        self, agent_id: str, what: str, midnight: datetime, begin: float, end: float
    ) -> None:
        """Put a shift or a break (``what``) of the agent, from ``begin`` to ``end`` seconds of
        local time after ``midnight``, in the plan, as far as it falls in the run."""
        on, off = _AT_WORK[what]
        b = self._run_second(midnight, begin)
        e = self._run_second(midnight, end)
        if e > 0.0 and b < self.until:
            self.later(max(b, 0.0), on, agent_id)
            if e < self.until:
                self.later(e, off, agent_id)

    def _run_second(self, midnight: datetime, offset_s: float) -> float:
        local = midnight + timedelta(seconds=offset_s)
        return (local.astimezone(UTC) - self.start).total_seconds()

    def _staff(self, kind: int, agent_id: str) -> None:
        """An agent's shift or break starts or ends."""
        engine = self.engine
        if kind == _SHIFT_START:
            if not engine.is_signed_in(agent_id) and not self.closing:
                self._take(engine.sign_in(agent_id))
        elif kind == _SHIFT_END:
            if engine.is_signed_in(agent_id):
                self._take(engine.sign_out(agent_id, when_free=True))
        elif kind == _BREAK_START:
            if engine.is_signed_in(agent_id) and not engine.is_on_break(agent_id):
                self._take(engine.start_break(agent_id, "break", when_free=True))
        elif engine.is_on_break(agent_id) or engine.is_going_on_break(agent_id):
            self._take(engine.end_break(agent_id))

    def run(self) -> RunCounts:
        """Play the replication to its end; the counts of what happened."""
        engine = self.engine
        self._rota()
        for source in self.sources.values():
            self._next_arrival(source)
        self.later(self.until, _CLOSE, "")
        prefix = f"r{self.index + 1}c"  # contact ids are unique over the replications
        n = 0
        stop = self.until + DRAIN_LIMIT_S
        offset = engine.seconds(self.start)
        plan = self.plan
        while True:
            due = engine.next_due_s()
            due_s = due - offset if due is not None else None
            if due_s is not None and (not plan or due_s < plan[0][0]):
                if due_s > stop:
                    break
                self._set(due_s)
                self._take(engine.advance())
                continue
            if not plan or plan[0][0] > stop:
                break
            at, _, kind, subject, detail = heapq.heappop(plan)
            self._set(at)
            if kind == _ARRIVE:
                n += 1
                self._arrive(f"{prefix}{n}", subject)
                self._next_arrival(self.sources[subject])
            elif kind == _ACCEPT:
                self._accept(subject, detail)
            elif kind == _TALK_END:
                self._talk_end(subject)
            elif kind == _WRAP_END:
                self._take(engine.end(subject, resolved=True))
                self._forget(subject)
            elif kind == _GIVE_UP:
                if engine.is_waiting(subject):
                    self._take(engine.abandon(subject))
                    self._forget(subject)
            elif kind == _CALLBACK:
                if engine.is_queued(subject):
                    self._take(engine.request_callback(subject))
            elif kind == _NO_ANSWER:
                self._take(engine.callback_no_answer(subject))
            elif kind >= _SHIFT_START:
                self._staff(kind, subject)
            elif kind == _CLOSE:
                self.closing = True
                for agent_id in sorted(self.scenario.center.agents):
                    self.later(at, _SIGN_OUT, agent_id)
            elif (
                kind == _SIGN_OUT
                and engine.is_signed_in(subject)
                and not engine.holds_contacts(subject)
            ):
                self._take(engine.sign_out(subject))
        self.counts.customers = n
        self.counts.events = engine.emitted
        return self.counts

    def _next_arrival(self, source: PoissonSource | ReplayedSource) -> None:
        """Put the source's next arrival in the plan."""
        at = source.next()
        if at is not None:
            self.later(at, _ARRIVE, source.queue_id)

    def _arrive(self, contact_id: str, key: str) -> None:
        """A customer arrives at the queue or entry flow ``key``: the next one of its source
        (a replayed one in their recorded tier, talking for their recorded time if known)."""
        self.arrived.add(contact_id)
        queue = self.scenario.center.queues.get(key)
        if queue is not None:
            source = self.sources[key]
            tier = self.customers[key].tier()
            if isinstance(source, ReplayedSource):
                tier = source.tier
                if not math.isnan(source.handle_s):
                    self.recorded[contact_id] = source.handle_s
            self._take(self.engine.arrive(contact_id, queue.channel, key, tier=tier))
        else:
            how = self.scenario.callers.get(self.flows[key], CallerBehaviour())
            known = self.accounts and self.flow_rng.random() < how.identified
            account = self.flow_rng.choice(self.accounts) if known else None
            self._take(
                self.engine.arrive_at_entry(
                    contact_id,
                    self.scenario.arrivals[key].channel,
                    key,
                    account=account,
                    self_service=self.flow_rng,
                    chooser=self.choosers[key],
                )
            )
        patience = self.patience.pop(contact_id, None)
        if patience is not None and self.engine.is_waiting(contact_id):
            self.later(self.now + patience, _GIVE_UP, contact_id)

    def _queued(self, contact_id: str, queue_id: str) -> None:
        """A contact joins its first queue: draw what its customer will do there."""
        self.queue_of[contact_id] = queue_id
        mine = contact_id in self.arrived
        people = (self.customers if mine else self.callbacks).get(queue_id)
        if people is None:
            raise DomainError(f"queue {queue_id}: the scenario says nothing of its contacts")
        handle = people.handle()  # drawn always, so the stream stays in step
        self.handle[contact_id] = self.recorded.pop(contact_id, handle)
        self.wrap[contact_id] = people.wrap() if people.wrap is not None else None
        if mine:
            self.choice[contact_id] = people.choice()
            if people.patience is not None:
                self.patience[contact_id] = people.patience()
        else:
            self.no_answer[contact_id] = people.choice() < people.no_answer

    def _accept(self, contact_id: str, agent_id: str) -> None:
        engine = self.engine
        if not engine.is_offered_to(contact_id, agent_id):
            return  # answered elsewhere, withdrawn or given up while it rang
        self._take(engine.accept(contact_id, agent_id))
        if self.no_answer.pop(contact_id, False):
            self.later(self.now + NO_ANSWER_AFTER_S, _NO_ANSWER, contact_id)
        else:
            self.later(self.now + self.handle[contact_id], _TALK_END, contact_id)

    def _forget(self, contact_id: str) -> None:
        """The contact has ended: drop what the twin kept of it (memory stays flat over a
        long run)."""
        self.queue_of.pop(contact_id, None)
        self.arrived.discard(contact_id)
        self.handle.pop(contact_id, None)
        self.wrap.pop(contact_id, None)
        self.patience.pop(contact_id, None)
        self.choice.pop(contact_id, None)
        self.no_answer.pop(contact_id, None)

    def _talk_end(self, contact_id: str) -> None:
        wrap = self.wrap.pop(contact_id, None)
        self.handle.pop(contact_id, None)
        if wrap is None:
            self._take(self.engine.end(contact_id, resolved=True))
            self._forget(contact_id)
            return
        self._take(self.engine.wrap_up(contact_id))
        self.later(self.now + wrap, _WRAP_END, contact_id)


def run_replication(scenario: Scenario, index: int, sink: Sink | None = None) -> RunCounts:
    """Simulate replication ``index`` (0-based) of ``scenario``; every engine event goes to
    ``sink``."""
    return Twin(scenario, index, sink).run()


__all__ = ["RunCounts", "Sink", "Twin", "replication_start", "run_replication"]
