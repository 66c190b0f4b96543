"""The engine's state and the fold that changes it: one event at a time.

:meth:`EngineState.apply` is the only place the engine's state changes. Commands decide which
events happen; applying them moves contacts and agents, keeps the indexes (who waits, who is
free) and sets the timers. Replaying a log through :meth:`apply` therefore rebuilds the same
state (see :meth:`carecenter.engine.engine.ContactEngine.replay`).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections import deque
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from carecenter.commitments.ledger import PromiseLedger
from carecenter.domain.center import Agent, Center, Queue
from carecenter.domain.contact import NEUTRAL, TERMINAL, TRANSITIONS
from carecenter.domain.durations import HOUR_S
from carecenter.domain.enums import AgentStatus, ContactState, PromiseKind
from carecenter.domain.events import (
    AgentAwayRequested,
    AgentStateChanged,
    ContactArrived,
    ContactEnded,
    ContactEvent,
    ContactOffered,
    Event,
    PromiseMade,
)
from carecenter.engine.fold import HANDLERS
from carecenter.engine.records import AgentRec, ContactRec, Membership, PastContact, QueueRuntime
from carecenter.engine.timers import Due, Timers
from carecenter.errors import DomainError, IllegalTransition
from carecenter.routing.scoring import CAPACITY_CHANNEL
from carecenter.routing.strategies import AgentStanding, strategy_for

S = ContactState
A = AgentStatus
_WORKING = (A.AVAILABLE, A.BUSY)
_OFF = (A.LOGGED_OUT, A.BREAK)
HISTORY = 5
TOP_ACCOUNTS = 20
"""The screen pop flags a customer among the center's this many most valuable accounts."""
"""How many of a customer's last contacts the screen pop shows."""


def _min_step(agent: Agent, queue: Queue) -> int | None:
    for step in range(len(queue.routing.relaxation) + 1):
        skills = queue.skills_at(step)
        if all(agent.proficiency(s) >= level for s, level in skills.items()):
            return step
    return None


def _after(queue: Queue, step: int) -> float:
    return 0.0 if step == 0 else queue.routing.relaxation[step - 1].after_s


class EngineState:
    """Queues, contacts, agents and promises, as the events so far left them."""

    def __init__(self, center: Center, epoch: datetime) -> None:
        self.center = center
        self.epoch = epoch
        self.zone = ZoneInfo(center.timezone)
        self.contacts: dict[str, ContactRec] = {}
        self.agents: dict[str, AgentRec] = {}
        self.queues: dict[str, QueueRuntime] = {}
        self.ledger = PromiseLedger()
        self.timers = Timers()
        self.last_agent: dict[str, str] = {}
        """Customer id -> the agent who last answered one of their contacts."""
        self.dirty: dict[str, AgentRec] = {}
        """Agents changed since the pools were last read (in the order they changed)."""
        self.reserved: dict[str, list[ContactRec]] = {}
        """Agent id -> contacts waiting for that agent only (preferred or transferred to)."""
        self.history: dict[str, deque[PastContact]] = {}
        """Customer id -> their last contacts (for the screen pop)."""
        self.arrivals = 0
        self.by_seq: dict[int, ContactRec] = {}
        """Arrival sequence number -> contact (to find the contact at the head of a line)."""
        self.today = 0
        self._next_midnight = 0.0
        ranked = sorted(center.customers.values(), key=lambda c: (-c.account_value, c.customer_id))
        self.top_accounts = {c.customer_id for c in ranked[:TOP_ACCOUNTS] if c.account_value > 0}
        """The ids of the center's most valuable accounts."""
        self._build()
        self.set_day(0.0)

    # -- set-up ---------------------------------------------------------------

    def _build(self) -> None:
        plans: dict[str, list[tuple[Agent, int, int, float]]] = {q: [] for q in self.center.queues}
        for agent in self.center.agents.values():
            for queue in self.center.queues.values():
                channel = CAPACITY_CHANNEL[queue.channel]
                profile = agent.queues.get(queue.queue_id)
                if agent.queues and profile is None:
                    continue
                step = _min_step(agent, queue)
                if step is None or agent.capacity.get(channel, 0) <= 0:
                    continue
                priority = profile.priority if profile else 0
                delay = max(profile.delay_s if profile else 0.0, _after(queue, step))
                plans[queue.queue_id].append((agent, priority, step, delay))
        for index, agent in enumerate(self.center.agents.values()):
            self.agents[agent.agent_id] = AgentRec(agent, AgentStanding(index))
        for queue in self.center.queues.values():
            self.ledger.set_slot_length(queue.queue_id, queue.routing.callback.slot_s)
            plan = plans[queue.queue_id]
            after = [s.after_s for s in queue.routing.relaxation]
            thresholds = sorted({0.0, *after, *(delay for *_, delay in plan)})
            runtime = QueueRuntime(
                queue=queue,
                strategy=strategy_for(queue.routing.strategy, queue.routing.seed),
                capacity_channel=CAPACITY_CHANNEL[queue.channel],
                thresholds=thresholds,
                steps=[sum(1 for a in after if a <= t) for t in thresholds],
                waiting=[[] for _ in thresholds],
                pools=[[] for _ in thresholds],
            )
            runtime.mean_handle_s = queue.routing.callback.handle_s
            self.queues[queue.queue_id] = runtime
            for agent, priority, _, delay in plan:
                rec = self.agents[agent.agent_id]
                proficiency = sum(agent.proficiency(s) for s in queue.required_skills)
                level = thresholds.index(delay)
                rec.memberships.append(Membership(runtime, priority, level, proficiency))
                runtime.members.append(rec)
        for rec in self.agents.values():
            rec.memberships.sort(key=lambda m: (m.priority, m.queue.queue_id))
            rec.channels = tuple(dict.fromkeys(m.queue.capacity_channel for m in rec.memberships))
            rec.levels = {m.queue.queue_id: m.level for m in rec.memberships}
            rec.tracks_busy = any(m.queue.strategy.uses_busy for m in rec.memberships)
            for m in rec.memberships:
                rec.by_channel.setdefault(m.queue.capacity_channel, []).append(m)
        for runtime in self.queues.values():
            for rec in runtime.members:
                for m in rec.memberships:
                    m.compact_at = 4 * len(m.queue.members) + 64

    # -- time -----------------------------------------------------------------

    def seconds(self, at: datetime) -> float:
        """Engine seconds of the aware datetime ``at``."""
        return (at - self.epoch).total_seconds()

    def at(self, t: float) -> datetime:
        """The aware datetime of engine second ``t``."""
        return self.epoch + timedelta(seconds=t)

    def set_day(self, t: float) -> bool:
        """Track the center's day at engine second ``t``; ``True`` when it changed."""
        if t < self._next_midnight:
            return False
        local = self.at(t).astimezone(self.zone)
        self.today = local.date().toordinal()
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
        self._next_midnight = self.seconds(midnight.replace(tzinfo=self.zone))
        return True

    # -- indexes --------------------------------------------------------------

    def enter_line(self, c: ContactRec) -> None:
        """Put a waiting contact in its queue's heaps (keeping its key: its place)."""
        q = c.queue
        assert q is not None
        c.version += 1
        entry = (c.key, c.seq, c.version, c)
        if c.preferred is not None or c.target_agent is not None:
            self.reserved.setdefault(c.preferred or c.target_agent or "", []).append(c)
        else:
            for k in range(c.level + 1):
                heapq.heappush(q.waiting[k], entry)
        insort(q.line, (c.key, c.seq))

    def leave_line(self, c: ContactRec) -> None:
        """Take a contact out of its queue's line (its heap entries go stale)."""
        q = c.queue
        assert q is not None
        c.version += 1
        i = bisect_left(q.line, (c.key, c.seq))
        if i < len(q.line) and q.line[i] == (c.key, c.seq):
            del q.line[i]

    def release_reserved(self, c: ContactRec) -> None:
        """A contact reserved for one agent becomes open to every agent of its queue."""
        c.preferred = None
        if c.state is S.QUEUED:
            self.leave_line(c)
            self.enter_line(c)

    def agent_changed(self, a: AgentRec) -> None:
        """The agent's rank or freedom may have changed: their pool entries go stale, and they
        are ranked anew when a pool is next read (:meth:`flush`), by then often busy again."""
        a.version += 1
        self.dirty[a.agent_id] = a

    def flush(self) -> None:
        """Put the agents that changed since the last read in the pools they are free for."""
        if not self.dirty:
            return
        today = self.today
        push = heapq.heappush
        for a in self.dirty.values():
            if a.state is not A.AVAILABLE and a.state is not A.BUSY:
                continue
            standing, version, load = a.standing, a.version, a.load
            for ch in a.channels:
                if not a.free_for(ch):
                    continue
                held = float(load.get(ch, 0))
                for m in a.by_channel[ch]:
                    q = m.queue
                    strategy = q.strategy
                    last = q.last_offer.get(a.agent_id, -1) if strategy.uses_offers else -1
                    rank = strategy.key(standing, m.proficiency, last, today)
                    pool = q.pools[m.level]
                    push(pool, ((held, *rank), version, a))
                    if len(pool) > m.compact_at:
                        self._compact_pool(q, m.level)
        self.dirty.clear()

    def _compact_pool(self, q: QueueRuntime, level: int) -> None:
        channel = q.capacity_channel
        q.pools[level] = [
            e for e in q.pools[level] if e[1] == e[2].version and e[2].free_for(channel)
        ]
        heapq.heapify(q.pools[level])

    def compact_waiting(self, q: QueueRuntime, level: int) -> None:
        """Drop stale entries from a queue's waiting heap."""
        q.waiting[level] = [e for e in q.waiting[level] if e[2] == e[3].version and e[3].waiting]
        heapq.heapify(q.waiting[level])

    def rerank_day_bound(self) -> None:
        """After midnight: rank again the agents of queues whose strategy counts the day."""
        for q in self.queues.values():
            if q.strategy.day_bound:
                for a in q.members:
                    self.agent_changed(a)

    # -- the fold -------------------------------------------------------------

    def apply(self, event: Event, t: float | None = None) -> None:
        """Change the state by one event (``t``: its time in engine seconds, when known)."""
        if t is None:
            t = self.seconds(event.occurred_at)
        if isinstance(event, ContactEvent):
            self._contact(event, t)
        elif isinstance(event, AgentStateChanged):
            self._agent_state(event, t)
        elif isinstance(event, AgentAwayRequested):
            a = self.agents.get(event.agent_id)
            if a is None:
                raise DomainError(f"agent {event.agent_id} is not in the center")
            a.away, a.away_reason = event.state, event.reason
            self.agent_changed(a)
        else:
            self.ledger.apply(event)
            if isinstance(event, PromiseMade):
                self._promise_made(event, t)

    def _contact(self, e: ContactEvent, t: float) -> None:
        if isinstance(e, ContactArrived):
            if e.contact_id in self.contacts:
                raise IllegalTransition("contact", e.contact_id, "known", "arrive again")
            self.arrivals += 1
            self.contacts[e.contact_id] = ContactRec(
                e.contact_id,
                e.channel,
                CAPACITY_CHANNEL[e.channel],
                t,
                self.arrivals,
                customer_id=e.customer_id,
                tier=e.tier,
                topic=e.topic,
                parent_contact_id=e.parent_contact_id,
                promise_id=e.promise_id,
            )
            self.by_seq[self.arrivals] = self.contacts[e.contact_id]
            if e.promise_id is not None:
                self.ledger.get(e.promise_id).attempts.append(e.contact_id)
            return
        c = self.contacts.get(e.contact_id)
        if c is None:
            raise DomainError(f"contact {e.contact_id} is not known to the engine")
        kind = type(e)
        neutral = NEUTRAL.get(kind)
        if neutral is not None or (kind is ContactOffered and c.state is S.OFFERED):
            allowed = neutral or frozenset({S.OFFERED})
            if c.state not in allowed or (kind is ContactOffered and not e.ring_all):  # type: ignore[attr-defined]
                raise IllegalTransition("contact", c.contact_id, c.state, e.name)
        else:
            sources, _ = TRANSITIONS[kind]
            if c.state not in sources:
                raise IllegalTransition("contact", c.contact_id, c.state, e.name)
        HANDLERS[kind](self, c, e, t)
        if c.state in TERMINAL:
            # the engine holds live contacts only; the log and the warehouse keep the rest
            del self.contacts[c.contact_id]
            del self.by_seq[c.seq]
            self._remember(c, e, t)

    def _remember(self, c: ContactRec, e: ContactEvent, t: float) -> None:
        if c.customer_id is None:
            return
        resolved = e.resolved if isinstance(e, ContactEnded) else None
        past = PastContact(
            c.contact_id, c.queue.queue_id if c.queue else None, self.at(t), c.state.value, resolved
        )
        history = self.history.setdefault(c.customer_id, deque(maxlen=HISTORY))
        history.append(past)

    def _agent_state(self, e: AgentStateChanged, t: float) -> None:
        a = self.agents.get(e.agent_id)
        if a is None:
            raise DomainError(f"agent {e.agent_id} is not in the center")
        before, after = a.state, e.state
        a.state, a.reason, a.since = after, e.reason, t
        if after is A.LOGGED_OUT or after is A.BREAK:
            a.away = a.away_reason = None
        signed = (after is not A.LOGGED_OUT) - (before is not A.LOGGED_OUT)
        staffed = (after not in _OFF) - (before not in _OFF)
        if signed or staffed:
            for m in a.memberships:
                m.queue.signed_in += signed
                m.queue.staffed += staffed
        if after is A.AVAILABLE and before is not A.BUSY:
            self.became_free(a, t)
        if after is A.BREAK and e.reason == "missed":
            self.timers.set(t + self._missed_pause(a), Due.MISSED_END, a.agent_id, 0, repr(t))
        if before in _WORKING and after in _WORKING:
            return  # who is free depends on load, not on busy or available
        self.agent_changed(a)

    def _missed_pause(self, a: AgentRec) -> float:
        return max((m.queue.routing.missed_pause_s for m in a.memberships), default=0.0)

    def became_free(self, a: AgentRec, t: float) -> None:
        """The agent has a free place again: they start idling now."""
        s = a.standing
        s.idle_since = t
        s.epoch += 1
        if a.tracks_busy:
            a.busy = [(b, e) for b, e in a.busy if e > t - HOUR_S]
            s.busy_last_hour = sum(e - max(b, t - HOUR_S) for b, e in a.busy)

    def _promise_made(self, e: PromiseMade, t: float) -> None:
        self.timers.set(self.seconds(e.due_at), Due.PROMISE_DUE, e.promise_id)
        if e.kind is PromiseKind.CALLBACK and e.window_start is not None:
            start = self.seconds(e.window_start)
            if start > t:
                self.timers.set(start, Due.CALLBACK_ATTEMPT, e.promise_id, 1)

    # -- agents holding contacts ---------------------------------------------

    def hold(self, a: AgentRec, c: ContactRec) -> None:
        """The agent starts holding (ringing) the contact: one place of capacity taken."""
        ch = c.capacity_channel
        a.load[ch] = a.load.get(ch, 0) + 1

    def release(self, a: AgentRec, c: ContactRec, t: float) -> None:
        """The agent lets go of the contact: its place of capacity is free again."""
        cid = c.contact_id
        held = cid in a.talking or cid in a.wrapping
        a.ringing.discard(cid)
        a.talking.discard(cid)
        a.wrapping.discard(cid)
        ch = c.capacity_channel
        a.load[ch] = max(0, a.load.get(ch, 0) - 1)
        if held and a.busy_since is not None and not a.talking and not a.wrapping:
            if a.tracks_busy:
                a.busy.append((a.busy_since, t))
            a.busy_since = None
        if a.state is A.BUSY or a.state is A.AVAILABLE:
            self.became_free(a, t)
        self.agent_changed(a)
