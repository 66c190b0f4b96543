"""The engine's core: the clock, the outbox of events, and estimates of the wait.

Every command reads the clock once, first runs the timers that fell due (their events carry
their own due times), then decides; each event it decides on is applied at once
(:meth:`EngineBase.emit`), so the next decision sees it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from bisect import bisect_left
from collections.abc import Callable
from datetime import datetime

from carecenter.domain.center import Center
from carecenter.domain.clock import Clock
from carecenter.domain.enums import ContactState
from carecenter.domain.events import Event
from carecenter.engine.expected_wait import LineView, estimate
from carecenter.engine.records import ContactRec
from carecenter.engine.state import EngineState
from carecenter.engine.timers import Due, Timer

_ABOUT_WAITING = frozenset(
    {Due.LEVEL, Due.PREFERRED_END, Due.OFFER_TIMEOUT, Due.OVERFLOW, Due.ANNOUNCE}
)
"""Timers that only matter while their contact waits in the queue visit they were set for."""

PlannedAgents = Callable[[str, datetime], float | None]
"""(queue id, start of a slot) -> agents planned for the queue then (``None``: no plan)."""


class EngineBase(ABC):
    """State, time and events: what every part of the engine shares."""

    def __init__(
        self,
        center: Center,
        clock: Clock,
        *,
        planned_agents: PlannedAgents | None = None,
        epoch: datetime | None = None,
        scan: bool = False,
    ) -> None:
        self.clock = clock
        start = epoch if epoch is not None else clock.now()
        self.state = EngineState(center, start)
        self.planned_agents = planned_agents
        self.now_dt = start
        self.now = 0.0
        self.decisions = 0
        """Routing decisions made so far (offers, and findings that none can be made)."""
        self.decision_seconds = 0.0
        """Time spent making them (choosing, and emitting and applying the offers)."""
        self.emitted = 0
        """Events emitted so far."""
        self._out: list[Event] = []
        self._replaying = False
        self.scan = scan
        """Decide by scanning every agent or contact (the naive baseline) instead of heaps."""

    @property
    def center(self) -> Center:
        """The center the engine routes for."""
        return self.state.center

    # -- time and events --------------------------------------------------------

    def emit(self, event: Event) -> None:
        """Apply ``event`` and put it in the outbox."""
        self.state.apply(event, self.now)
        self._out.append(event)
        self.emitted += 1

    def emit_past(self, event: Event) -> None:
        """Apply and put in the outbox an event that happened before now (an entry flow's
        steps, told when the contact leaves the flow)."""
        self.state.apply(event)
        self._out.append(event)
        self.emitted += 1

    def _begin(self) -> None:
        """Start a command: read the clock and run what fell due before now."""
        now_dt = self.clock.now()
        now = self.state.seconds(now_dt)
        if now < self.now:
            raise ValueError(f"the clock went back from {self.now_dt} to {now_dt}")
        self._run_timers(now)
        self.now_dt, self.now = now_dt, now
        if self.state.set_day(now):
            self.state.rerank_day_bound()

    def _run_timers(self, until: float) -> None:
        timers = self.state.timers
        contacts = self.state.contacts
        while (timer := timers.pop_due(until)) is not None:
            if timer[2] in _ABOUT_WAITING:
                c = contacts.get(timer[3])
                if c is None or (c.visits != timer[4] and timer[2] is not Due.OFFER_TIMEOUT):
                    continue  # the contact left, or its visit did: nothing to do
                if c.state is not ContactState.QUEUED and c.state is not ContactState.OFFERED:
                    continue
            due = timer[0]
            if due > self.now:
                self.now, self.now_dt = due, self.state.at(due)
            self._fire(timer)

    @abstractmethod
    def _fire(self, timer: Timer) -> None:
        """Do what a timer that fell due was set for (the engine's last layer knows all)."""

    def _done(self) -> list[Event]:
        out, self._out = self._out, []
        return out

    def advance(self) -> list[Event]:
        """Run the timers due by the clock's time now; return the events they emitted."""
        self._begin()
        return self._done()

    def next_due(self) -> datetime | None:
        """When the engine next has something to do by itself (a timer), if ever."""
        due = self.state.timers.next_due()
        return None if due is None else self.state.at(due)

    def next_due_s(self) -> float | None:
        """:meth:`next_due` in engine seconds (:meth:`seconds`), for a driver that keeps
        its own time in seconds (the simulator)."""
        return self.state.timers.next_due()

    def seconds(self, at: datetime) -> float:
        """The engine's seconds at ``at`` (seconds since its epoch)."""
        return self.state.seconds(at)

    # -- estimates ----------------------------------------------------------------

    def position(self, c: ContactRec) -> int:
        """The contact's place in its queue's line (1 = next)."""
        q = c.queue
        assert q is not None
        return bisect_left(q.line, (c.key, c.seq)) + 1

    def estimate_wait(self, c: ContactRec) -> float | None:
        """The remaining wait of the waiting contact ``c`` by its queue's predictor."""
        q = c.queue
        assert q is not None
        head = q.line[0] if q.line else None
        head_wait = 0.0
        if head is not None:
            first = self.state.by_seq.get(head[1])
            head_wait = self.now - first.enqueued if first is not None else 0.0
        rate = q.abandons / q.waited_s if q.waited_s > 0 else 0.0
        view = LineView(
            position=self.position(c),
            line=len(q.line),
            free_agents=0,
            servers=q.staffed,
            mean_handle_s=q.mean_handle_s,
            abandon_rate=rate,
            last_wait_s=q.last_wait_s,
            head_wait_s=head_wait,
            waited_s=self.now - c.enqueued,
        )
        return estimate(q.routing.predictor, view)
