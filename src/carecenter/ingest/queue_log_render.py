"""Render domain events as an Asterisk ``queue_log`` file (the classic pipe format).

The inverse of the ``asterisk-queue-log`` translator. Used by the demo to produce the log a PBX
would have written for the same calls, so the importer can be exercised on a realistic file.
Only voice contacts appear (a PBX sees calls, not chats or e-mails). Times are whole epoch
seconds and durations whole seconds, as Asterisk writes them. What Asterisk does not log is
dropped: holds (their time is part of ``calltime``) and after-call work (an agent is free again
at COMPLETE in the queue_log view).

===========================  ==========================================================
event                        line
===========================  ==========================================================
contact.queued               ``ENTERQUEUE||<caller id>|1``
contact.offer_rejected       ``RINGNOANSWER|<ring ms>``
contact.answered             ``CONNECT|<holdtime>|<bridged channel>|<ring s>``
contact.wrap_up_started      ``COMPLETEAGENT|<holdtime>|<calltime>|1``
contact.ended (talking)      ``COMPLETECALLER|<holdtime>|<calltime>|1``
contact.transferred          ``BLINDTRANSFER|<ext>|from-internal|<holdtime>|<calltime>|1``
                             (answered) or ``EXITWITHTIMEOUT|1|1|<wait>`` (still waiting)
contact.ended (waiting)      ``EXITWITHKEY|0|1|1|<wait>``
contact.abandoned            ``ABANDON|1|1|<wait>``
contact.callback_requested   ``EXITWITHKEY|1|1|1|<wait>`` (key 1: import with
                             ``--callback-key 1``)
agent logs in / out          ``AGENTLOGIN|SIP/<agent>``, ``AGENTLOGOFF|SIP/<agent>|<secs>``
agent break / back           ``PAUSEALL|<reason>``, ``UNPAUSEALL|``
===========================  ==========================================================

An outbound call (``contact.arrived`` with direction ``outbound``) is dialled when it is
offered to its agent: ``OUTDIAL|<number>``; ``contact.answered`` is ``OUTANSWER|<number>``;
its end after the answer ``OUTCOMPLETE|<number>`` (``contact.ended``) or
``COMPLETEAGENT|<ring>|<calltime>|1`` (``contact.wrap_up_started``), and before it
``OUT<REASON>|<number>`` (``contact.ended`` with reason ``busy``: ``OUTBUSY``...).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from carecenter.domain.enums import AgentStatus, Channel, Direction
from carecenter.domain.events import (
    AgentStateChanged,
    CallbackRequested,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactEvent,
    ContactOffered,
    ContactOfferRejected,
    ContactQueued,
    ContactTransferred,
    ContactWrapUpStarted,
    Event,
)

CALLBACK_KEY = "1"
"""The key the rendered callers press to ask for a callback (import with ``--callback-key 1``)."""
EXIT_KEY = "0"
"""The key the rendered callers press to leave the queue (a system end while waiting)."""


@dataclass
class _Call:
    caller: str
    queue: str = ""
    agent: str = ""
    enqueued: float = 0.0
    offered: float | None = None
    answered: float | None = None
    done: bool = False
    outbound: bool = False


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _secs(later: float, earlier: float | None) -> int:
    return max(0, round(later - earlier)) if earlier is not None else 0


class QueueLogRenderer:
    """Turns an event stream into queue_log lines, keeping the per-call state it needs."""

    def __init__(self) -> None:
        self._calls: dict[str, _Call] = {}
        self._logins: dict[str, float] = {}

    def lines(self, events: Iterable[Event]) -> Iterator[str]:
        """The queue_log lines for ``events`` (in order)."""
        for event in events:
            if isinstance(event, AgentStateChanged):
                yield from self._agent(event)
            elif isinstance(event, ContactEvent):
                line = self._contact(event)
                if line is not None:
                    yield line

    def _agent(self, e: AgentStateChanged) -> Iterator[str]:
        t = e.occurred_at.timestamp()
        head = f"{_epoch(e.occurred_at)}|NONE|NONE|{e.agent_id}"
        if e.previous is AgentStatus.LOGGED_OUT:
            self._logins[e.agent_id] = t
            yield f"{head}|AGENTLOGIN|SIP/{e.agent_id}"
        if e.state is AgentStatus.BREAK:
            yield f"{head}|PAUSEALL|{e.reason or ''}"
        elif e.previous is AgentStatus.BREAK:
            yield f"{head}|UNPAUSEALL|"
        if e.state is AgentStatus.LOGGED_OUT:
            since = self._logins.pop(e.agent_id, t)
            yield f"{head}|AGENTLOGOFF|SIP/{e.agent_id}|{_secs(t, since)}"

    def _contact(self, e: ContactEvent) -> str | None:
        if isinstance(e, ContactArrived):
            if e.channel is Channel.VOICE:
                self._calls[e.contact_id] = _Call(
                    caller=e.customer_id or "anonymous",
                    outbound=e.direction is Direction.OUTBOUND,
                )
            return None
        call = self._calls.get(e.contact_id)
        if call is None:
            return None
        t = e.occurred_at.timestamp()
        if isinstance(e, ContactQueued) and call.outbound:
            call.queue, call.enqueued = e.queue_id, t
            return None  # dialled when offered to its agent
        if isinstance(e, ContactQueued):
            call.queue, call.enqueued, call.offered, call.answered = e.queue_id, t, None, None
            call.agent, call.done = "", False
            return self._line(e, call, "NONE", f"ENTERQUEUE||{call.caller}|1")
        if call.done or not call.queue:
            return None  # over, or never queued (self-service): the queue_log has no line
        if call.outbound:
            return self._outbound(e, call, t)
        return self._call_event(e, call, t)

    def _outbound(self, e: ContactEvent, call: _Call, t: float) -> str | None:
        number = call.caller
        if isinstance(e, ContactOffered):
            call.offered, call.agent = t, e.agent_id
            return self._line(e, call, e.agent_id, f"OUTDIAL|{number}")
        if isinstance(e, ContactAnswered):
            call.answered = t
            return self._line(e, call, call.agent, f"OUTANSWER|{number}")
        if isinstance(e, ContactWrapUpStarted) and call.answered is not None:
            call.done = True
            ring, talk = _secs(call.answered, call.enqueued), _secs(t, call.answered)
            return self._line(e, call, call.agent, f"COMPLETEAGENT|{ring}|{talk}|1")
        if isinstance(e, ContactEnded):
            call.done = True
            if call.answered is not None:
                return self._line(e, call, call.agent, f"OUTCOMPLETE|{number}")
            status = (e.reason or "fail").replace("_", "").upper()
            return self._line(e, call, call.agent, f"OUT{status}|{number}")
        return None  # hold, resume: not in the queue_log

    def _call_event(self, e: ContactEvent, call: _Call, t: float) -> str | None:
        hold = _secs(call.answered or t, call.enqueued)
        talk = _secs(t, call.answered)
        if isinstance(e, ContactOffered):
            call.offered, call.agent = t, e.agent_id
            return None
        if isinstance(e, ContactOfferRejected):
            ring_ms = 1000 * _secs(t, call.offered)
            call.offered = None
            return self._line(e, call, e.agent_id, f"RINGNOANSWER|{ring_ms}")
        if isinstance(e, ContactAnswered):
            call.answered, call.agent = t, e.agent_id
            ring = _secs(t, call.offered if call.offered is not None else t)
            return self._line(e, call, e.agent_id, f"CONNECT|{hold}|{e.contact_id}-b|{ring}")
        call.done = True
        if isinstance(e, ContactWrapUpStarted):
            return self._line(e, call, call.agent, f"COMPLETEAGENT|{hold}|{talk}|1")
        if isinstance(e, ContactEnded) and call.answered is not None:
            return self._line(e, call, call.agent, f"COMPLETECALLER|{hold}|{talk}|1")
        if isinstance(e, ContactTransferred) and call.answered is not None:
            ext = e.to_queue_id or "outside"
            return self._line(
                e, call, call.agent, f"BLINDTRANSFER|{ext}|from-internal|{hold}|{talk}|1"
            )
        wait = _secs(t, call.enqueued)
        if isinstance(e, ContactAbandoned):
            return self._line(e, call, "NONE", f"ABANDON|1|1|{wait}")
        if isinstance(e, CallbackRequested):
            return self._line(e, call, "NONE", f"EXITWITHKEY|{CALLBACK_KEY}|1|1|{wait}")
        if isinstance(e, ContactEnded):
            return self._line(e, call, "NONE", f"EXITWITHKEY|{EXIT_KEY}|1|1|{wait}")
        if isinstance(e, ContactTransferred):
            return self._line(e, call, "NONE", f"EXITWITHTIMEOUT|1|1|{wait}")
        call.done = False  # hold, resume: not in the queue_log
        return None

    @staticmethod
    def _line(e: ContactEvent, call: _Call, agent: str, rest: str) -> str:
        return f"{_epoch(e.occurred_at)}|{e.contact_id}|{call.queue}|{agent}|{rest}"
