"""Asterisk queue_log agent events translated into ``agent.state_changed`` domain events.

An agent is logged in after AGENTLOGIN, AGENTCALLBACKLOGIN or ADDMEMBER (until AGENTLOGOFF,
AGENTCALLBACKLOGOFF, or REMOVEMEMBER from its last queue); a PAUSE or UNPAUSE of an agent with
no session makes it a static member, logged in from then. While logged in the agent is
``busy`` from the CONNECT of a call to its COMPLETE or TRANSFER, on ``break`` (reason = data1)
between PAUSE/PAUSEALL and UNPAUSE/UNPAUSEALL, and ``available`` otherwise.

Each change of an agent's state is an :class:`~carecenter.domain.events.AgentStateChanged`
(with the state before it) handed to an :class:`~carecenter.ingest.folding.EventFolder`, so
the intervals come from the one fold, which keys an imported interval by its start in
microseconds. An agent changes state at most once an instant, to the state it is in after the
last event of that instant: no interval has no length, and a spell that goes on through an
instant (a call ending as the next one connects) is one interval. An event logged before the
agent's last change (the log is in line order, not quite in time order) counts at the time of
that change. The interval an agent is still in when the log ends stays open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from carecenter.domain.enums import AgentStatus
from carecenter.domain.events import AgentStateChanged
from carecenter.ingest.folding import EventFolder

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

_OUT = AgentStatus.LOGGED_OUT
_NEVER = -(1 << 62)
State = tuple[AgentStatus, str | None]
"""A state and its reason (for a break)."""


class _Agent:
    __slots__ = ("calls", "changed", "changed_us", "logged", "paused", "queues", "said", "state")

    def __init__(self) -> None:
        self.logged = False
        self.queues: set[str] = set()
        self.paused: str | None = None
        self.calls = 0
        self.said: State = (_OUT, None)
        """The state the last handed-over event put the agent in."""
        self.state: State = (_OUT, None)
        """The state the agent is in now (handed over when time moves on)."""
        self.changed = 0.0
        """When ``state`` began (epoch seconds)..."""
        self.changed_us = _NEVER
        """... and in epoch microseconds (the key of the interval it begins)."""


class AgentFold:
    """Translates agent events (in log order) into agent-state events for ``out``; the caller
    then :meth:`~carecenter.ingest.folding.EventFolder.finish` es ``out``."""

    def __init__(self, out: EventFolder) -> None:
        self.out = out
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
        """Translate (time, agent, queue, event, data1) in log order, then hand over the
        changes still pending."""
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
            self._moved(name, agent, t)
        for name, agent in agents.items():
            self._say(name, agent)
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

    def _moved(self, name: str, agent: _Agent, t: float) -> None:
        """The agent's state after an event at ``t``: a change from the state it was in."""
        state: State
        if not (agent.logged or agent.queues):
            state = (_OUT, None)
        elif agent.calls:
            state = (AgentStatus.BUSY, None)
        elif agent.paused is not None:
            state = (AgentStatus.BREAK, agent.paused)
        else:
            state = (AgentStatus.AVAILABLE, None)
        if state == agent.state:
            return
        at = round(t * 1_000_000)
        if at > agent.changed_us:
            self._say(name, agent)  # time moved on: the state before this instant is final
            agent.changed, agent.changed_us = t, at
        agent.state = state

    def _say(self, name: str, agent: _Agent) -> None:
        """Hand over the change to the agent's current state, unless it is no change."""
        state, said = agent.state, agent.said
        if state == said:
            return
        self.out.event(
            AgentStateChanged(
                occurred_at=datetime.fromtimestamp(agent.changed, UTC),
                agent_id=name,
                state=state[0],
                previous=said[0],
                reason=state[1],
            )
        )
        agent.said = state
