"""The contact engine hosted by the server: the single writer of routing state.

:class:`EngineHost` rebuilds the engine from the event log when it starts
(:meth:`~carecenter.engine.ContactEngine.replay`), then runs one command at a time: the
engine decides, the events it emitted are appended to the event log (a committed transaction)
and only then is the command acknowledged, with the events and their sequence numbers. Timers
(offer time-outs, overflow, promises falling due) run on :meth:`EngineHost.tick`, which the
server calls a few times a second. A command the engine refuses
(:class:`~carecenter.errors.DomainError`) changes nothing; events that timers emitted before
it are appended all the same.

Listeners (:meth:`EngineHost.listen`) are told of every appended batch: the live loop
projects it, the WebSocket hub pushes offers to agents.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from carecenter.domain.alerts import AlertCleared, AlertFired
from carecenter.domain.events import Event, StoredEvent
from carecenter.engine import ContactEngine
from carecenter.errors import CareCenterError
from carecenter.services.bootstrap import Workspace
from carecenter.services.routing import planned_agents

ALERT_EVENTS = (AlertFired, AlertCleared)
"""Events of the live loop's alert rules, not the engine's: left out when it is rebuilt."""
Command = Callable[[ContactEngine], list[Event]]
"""A command run on the engine: returns the events it emitted."""


@dataclass(frozen=True)
class Appended:
    """Events appended to the log, with their sequence numbers."""

    events: tuple[Event, ...]
    seqs: tuple[int, ...]


Listener = Callable[[Appended], None]


class EngineHost:
    """One contact engine on a workspace's event log; thread-safe (one command at a time)."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self.replayed = 0
        """How many events the engine was last rebuilt from."""
        self.engine = self._rebuild()

    def _rebuild(self) -> ContactEngine:
        ws = self._ws
        center = ws.applied_center()
        history = [s.event for s in _all(ws) if not isinstance(s.event, ALERT_EVENTS)]
        self.replayed = len(history)
        return ContactEngine.replay(center, history, ws.clock, planned_agents=planned_agents(ws))

    def reload(self) -> None:
        """Rebuild the engine from the log with the center configuration as now applied."""
        with self._lock:
            self.engine = self._rebuild()

    def listen(self, listener: Listener) -> None:
        """Call ``listener`` with every batch appended from now on (in the caller's thread)."""
        self._listeners.append(listener)

    def run(self, command: Command) -> Appended:
        """Run ``command``; append what it emitted; return the appended events. A refused
        command raises its error after the timer events it ran into were appended."""
        with self._lock:
            try:
                events = command(self.engine)
            except CareCenterError:
                self._append(self.engine.advance())
                raise
            return self._append(events)

    def tick(self) -> Appended:
        """Run the timers that fell due; append their events."""
        with self._lock:
            return self._append(self.engine.advance())

    def read(self, query: Callable[[ContactEngine], object]) -> object:
        """Ask the engine something (offers of an agent, a screen pop) under its lock."""
        with self._lock:
            return query(self.engine)

    def _append(self, events: Sequence[Event]) -> Appended:
        if not events:
            return Appended((), ())
        seqs = self._ws.events.append(events)
        appended = Appended(tuple(events), tuple(seqs))
        for listener in self._listeners:
            listener(appended)
        return appended


def _all(ws: Workspace, batch: int = 50_000) -> list[StoredEvent]:
    out: list[StoredEvent] = []
    after = 0
    while chunk := ws.events.read(after=after, limit=batch):
        out.extend(chunk)
        after = chunk[-1].seq
    return out
