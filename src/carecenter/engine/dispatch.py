"""Routing decisions: which free agent gets a waiting contact, which waiting contact a free
agent gets.

A decision is one call of :func:`assign` (a contact became ready) or one round of
:func:`serve` (an agent has a free place); it ends in an offer or in the finding that none can
be made. Both read the heaps the state keeps (:mod:`carecenter.engine.state`), so a decision
costs O(log n) in agents and contacts, except for ``ring_all``, which rings every free agent.
"""

from __future__ import annotations

import heapq
from time import perf_counter
from typing import TYPE_CHECKING

from carecenter.domain.enums import ContactState
from carecenter.domain.events import ContactOffered
from carecenter.engine.records import AgentRec, ContactRec, QueueRuntime

if TYPE_CHECKING:
    from carecenter.engine.base import EngineBase as ContactEngine

S = ContactState
PoolEntry = tuple[tuple[float, ...], int, AgentRec]


def _valid_agent(entry: PoolEntry, q: QueueRuntime) -> bool:
    return entry[1] == entry[2].version and entry[2].free_for(q.capacity_channel)


def _best_in_pool(q: QueueRuntime, level: int, c: ContactRec) -> PoolEntry | None:
    pool = q.pools[level]
    skipped: list[PoolEntry] = []
    found = None
    while pool:
        entry = pool[0]
        if not _valid_agent(entry, q):
            heapq.heappop(pool)
            continue
        if entry[2].agent_id in c.declined:
            skipped.append(heapq.heappop(pool))
            continue
        found = entry
        break
    for entry in skipped:
        heapq.heappush(pool, entry)
    return found


def assign(engine: ContactEngine, c: ContactRec) -> bool:
    """Offer the waiting contact ``c`` to the best free agent who may take it now; ``True``
    when an offer was made."""
    started = perf_counter()
    try:
        return _assign(engine, c)
    finally:
        engine.decision_seconds += perf_counter() - started


def _assign(engine: ContactEngine, c: ContactRec) -> bool:
    engine.decisions += 1
    q = c.queue
    if q is None or c.state is not S.QUEUED:
        return False
    only = c.preferred or c.target_agent
    if only is not None:
        a = engine.state.agents[only]
        if may_take(a, c, q):
            offer(engine, c, a)
            return True
        return False
    engine.state.flush()
    if q.strategy.rings_all:
        return _ring_all(engine, c, q)
    if engine.scan:
        return _assign_by_scan(engine, c, q)
    best: PoolEntry | None = None
    for k in range(c.level + 1):
        entry = _best_in_pool(q, k, c)
        if entry is not None and (best is None or entry[0] < best[0]):
            best = entry
    if best is None:
        return False
    offer(engine, c, best[2])
    return True


def _ring_all(engine: ContactEngine, c: ContactRec, q: QueueRuntime) -> bool:
    free: dict[str, PoolEntry] = {}
    for k in range(c.level + 1):
        for entry in q.pools[k]:
            a = entry[2]
            if _valid_agent(entry, q) and a.agent_id not in c.declined:
                free[a.agent_id] = entry
    if not free:
        return False
    for i, entry in enumerate(sorted(free.values(), key=lambda e: e[0])):
        offer(engine, c, entry[2], ring_all=i > 0)
    return True


def offer(engine: ContactEngine, c: ContactRec, a: AgentRec, *, ring_all: bool = False) -> None:
    """Ring ``c`` at ``a``."""
    q = c.queue
    assert q is not None
    engine.emit(
        ContactOffered(
            occurred_at=engine.now_dt,
            contact_id=c.contact_id,
            queue_id=q.queue_id,
            agent_id=a.agent_id,
            ring_all=ring_all,
        )
    )


def _best_waiting(q: QueueRuntime, level: int, a: AgentRec) -> ContactRec | None:
    heap = q.waiting[level]
    skipped = []
    found = None
    while heap:
        entry = heap[0]
        c = entry[3]
        if entry[2] != c.version or c.state is not S.QUEUED:
            heapq.heappop(heap)
            continue
        if a.agent_id in c.declined:
            skipped.append(heapq.heappop(heap))
            continue
        found = c
        break
    for entry in skipped:
        heapq.heappush(heap, entry)
    if len(heap) > 2 * len(q.line) + 64:
        # stale entries of contacts that left pile up behind live ones: drop them now and then
        heap[:] = [e for e in heap if e[2] == e[3].version and e[3].state is S.QUEUED]
        heapq.heapify(heap)
    return found


def serve(engine: ContactEngine, a: AgentRec) -> int:
    """Offer the free agent ``a`` the best waiting contacts they may take, as long as they
    have a free place; return the number of offers made."""
    started = perf_counter()
    try:
        return _serve(engine, a)
    finally:
        engine.decision_seconds += perf_counter() - started


def _serve(engine: ContactEngine, a: AgentRec) -> int:
    made = 0
    st = engine.state
    while True:
        reserved = st.reserved.get(a.agent_id)
        if reserved:
            c = _reserved_contact(reserved, a)
            if c is not None:
                engine.decisions += 1
                offer(engine, c, a)
                made += 1
                continue
        best: tuple[tuple[int, float, int], ContactRec] | None = None
        now = engine.now
        if engine.scan:
            best = _serve_by_scan(engine, a)
        for ch in a.channels if not engine.scan else ():
            if not a.free_for(ch):
                continue
            for m in a.by_channel[ch]:
                q = m.queue
                if not q.line:
                    continue
                c = _best_waiting(q, m.level, a)
                if c is None:
                    continue
                rank = (m.priority, c.key - q.aging_rate * now, c.seq)
                if best is None or rank < best[0]:
                    best = (rank, c)
        if best is None:
            engine.decisions += made == 0
            return made
        engine.decisions += 1
        offer(engine, best[1], a)
        made += 1


def may_take(a: AgentRec, c: ContactRec, q: QueueRuntime) -> bool:
    """Whether ``a`` may be offered ``c`` now: free for its channel, not declined by them,
    and qualified at the contact's level (a named agent of a transfer always is)."""
    if not a.free_for(q.capacity_channel) or a.agent_id in c.declined:
        return False
    return c.target_agent == a.agent_id or a.levels.get(q.queue_id, len(q.thresholds)) <= c.level


def _reserved_contact(reserved: list[ContactRec], a: AgentRec) -> ContactRec | None:
    """The first contact still waiting for ``a`` alone (drops the rest that no longer do)."""
    keep = [
        c for c in reserved if c.state is S.QUEUED and a.agent_id in (c.preferred, c.target_agent)
    ]
    reserved[:] = keep
    for c in sorted(keep, key=lambda c: (c.key, c.seq)):
        q = c.queue
        if q is not None and may_take(a, c, q):
            return c
    return None


# -- the naive baseline: the same choices by scanning every agent or contact ---------------


def _assign_by_scan(engine: ContactEngine, c: ContactRec, q: QueueRuntime) -> bool:
    """:func:`assign` by looking at every member of the queue (O(agents) a decision)."""
    best: tuple[tuple[float, ...], AgentRec] | None = None
    today = engine.state.today
    for a in q.members:
        m = next(m for m in a.memberships if m.queue is q)
        if m.level > c.level or a.agent_id in c.declined or not a.free_for(q.capacity_channel):
            continue
        last = q.last_offer.get(a.agent_id, -1)
        load = float(a.load.get(q.capacity_channel, 0))
        key = (load, *q.strategy.key(a.standing, m.proficiency, last, today))
        if best is None or key < best[0]:
            best = (key, a)
    if best is None:
        return False
    offer(engine, c, best[1])
    return True


def _serve_by_scan(
    engine: ContactEngine, a: AgentRec
) -> tuple[tuple[int, float, int], ContactRec] | None:
    """The contact :func:`serve` picks, by looking at every waiting contact (O(contacts))."""
    best: tuple[tuple[int, float, int], ContactRec] | None = None
    by_seq = engine.state.by_seq
    for m in a.memberships:
        q = m.queue
        if not a.free_for(q.capacity_channel):
            continue
        aging = q.aging_rate
        for key, seq in q.line:
            c = by_seq[seq]
            if c.level < m.level or c.preferred is not None or c.target_agent is not None:
                continue
            if a.agent_id in c.declined:
                continue
            rank = (m.priority, key - aging * engine.now, seq)
            if best is None or rank < best[0]:
                best = (rank, c)
            break
    return best
