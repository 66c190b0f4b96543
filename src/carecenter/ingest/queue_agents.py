"""Asterisk queue_log agent events folded into agent-state intervals.

An agent is logged in after AGENTLOGIN, AGENTCALLBACKLOGIN or ADDMEMBER (until AGENTLOGOFF,
AGENTCALLBACKLOGOFF, or REMOVEMEMBER from its last queue); a PAUSE or UNPAUSE of an agent with
no session makes it a static member, logged in from then. While logged in the agent is
``busy`` from the CONNECT of a call to its COMPLETE or TRANSFER, on ``break`` (reason = data1)
between PAUSE/PAUSEALL and UNPAUSE/UNPAUSEALL, and ``available`` otherwise. Intervals of no
length are not written; the interval an agent is still in when the log ends stays open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from carecenter.domain.enums import AgentStatus
from carecenter.ingest.common import FactSink, Row, interval_row

SESSION_EVENTS = (
    "AGENTLOGIN",
    "AGENTCALLBACKLOGIN",
    "AGENTLOGOFF",
    "AGENTCALLBACKLOGOFF",
    "ADDMEMBER",
    "REMOVEMEMBER",
    "PAUSE",
    "PAUSEALL",
    "UNPAUSE",
    "UNPAUSEALL",
)
CALL_START, CALL_END = "+CALL", "-CALL"
"""Pseudo events: an agent's call was connected, or it ended (complete or transfer)."""

_BUSY, _BREAK, _AVAILABLE = (
    AgentStatus.BUSY.value,
    AgentStatus.BREAK.value,
    AgentStatus.AVAILABLE.value,
)


class _Agent:
    __slots__ = ("calls", "current", "logged", "paused", "queues")

    def __init__(self) -> None:
        self.logged = False
        self.queues: set[str] = set()
        self.paused: str | None = None
        self.calls = 0
        self.current: Row | None = None


class AgentFold:
    """Folds agent events (in log order) into intervals for a :class:`FactSink`."""

    def __init__(self, sink: FactSink) -> None:
        self.sink = sink
        self.agents: dict[str, _Agent] = {}
        self._handlers: dict[str, Callable[[_Agent, str, str], None]] = {
            "AGENTLOGIN": self._login,
            "AGENTCALLBACKLOGIN": self._login,
            "AGENTLOGOFF": self._logoff,
            "AGENTCALLBACKLOGOFF": self._logoff,
            "ADDMEMBER": self._add,
            "REMOVEMEMBER": self._remove,
            "PAUSE": self._pause,
            "PAUSEALL": self._pause,
            "UNPAUSE": self._unpause,
            "UNPAUSEALL": self._unpause,
        }

    def run(self, events: Iterable[tuple[float, str, str, str, str | None]]) -> None:
        """Fold (time, agent, queue, event, data1) in log order, then write open intervals."""
        agents, handlers = self.agents, self._handlers
        for t, name, queue, event, data in events:
            agent = agents.get(name)
            if event in (CALL_START, CALL_END):
                if agent is None:
                    continue  # an agent without a session: no intervals
                if event == CALL_START:
                    agent.calls += 1
                elif agent.calls:
                    agent.calls -= 1
                else:
                    continue
            else:
                if agent is None:
                    agent = agents[name] = _Agent()
                handlers[event](agent, queue, data or "")
            self._state(name, agent, t)
        for agent in agents.values():
            if agent.current is not None:
                self.sink.interval(agent.current)
        agents.clear()

    @staticmethod
    def _login(agent: _Agent, queue: str, data: str) -> None:
        agent.logged = True

    @staticmethod
    def _logoff(agent: _Agent, queue: str, data: str) -> None:
        agent.logged, agent.paused = False, None
        agent.queues.clear()

    @staticmethod
    def _add(agent: _Agent, queue: str, data: str) -> None:
        agent.queues.add(queue)

    @staticmethod
    def _remove(agent: _Agent, queue: str, data: str) -> None:
        agent.queues.discard(queue)
        if not agent.queues:
            agent.paused = None

    @staticmethod
    def _pause(agent: _Agent, queue: str, data: str) -> None:
        if not agent.logged and not agent.queues:
            agent.logged = True  # a static member: logged in as far as we know
        agent.paused = data or "pause"

    @staticmethod
    def _unpause(agent: _Agent, queue: str, data: str) -> None:
        if not agent.logged and not agent.queues:
            agent.logged = True
        agent.paused = None

    def _state(self, name: str, agent: _Agent, t: float) -> None:
        state: str | None
        reason = None
        if not (agent.logged or agent.queues):
            state = None
        elif agent.calls:
            state = _BUSY
        elif agent.paused is not None:
            state, reason = _BREAK, agent.paused
        else:
            state = _AVAILABLE
        current = agent.current
        if current is not None and current[2] == state and current[4] == reason:
            return
        if current is not None:
            if t > current[3]:
                self.sink.interval(interval_row(name, current[2], current[3], current[4], t))
            agent.current = None
        if state is not None:
            agent.current = interval_row(name, state, t, reason, None)
