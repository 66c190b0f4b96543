"""What is going on now, kept in memory by the projection's own fold.

The warehouse answers "what is going on now" (the open queue visits, the agents' open
state intervals, the open promises) once the projector has written the new events, and
under a busy center's load that write takes a second or more. :class:`LiveRows` gives the
same answer as soon as an event is in the log: it holds the open rows, seeded from the
warehouse at its checkpoint, and folds each later event with
:func:`~carecenter.domain.projection.fold` — the same fold the projector uses, so the rows it
gives are the rows the warehouse will hold once the projector has caught up (a property the
tests check on random event streams).

Rows that can no longer change are dropped after each batch (:meth:`LiveRows.settle`): a
contact that ended with its last visit ended, an agent interval that closed, a promise kept,
broken or cancelled. A promise made without a queue takes the queue of its contact's latest
visit: for a contact that ended after the seed the rows remember that queue; for one that
ended before it they cannot, and the promise shows without a queue until the next seed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from carecenter.domain.contact import TERMINAL
from carecenter.domain.enums import PromiseStatus
from carecenter.domain.events import ContactQueued, Event, PromiseMade
from carecenter.domain.projection import AgentInterval, ProjectionState, VisitFact, fold
from carecenter.domain.promise_facts import PromiseRow, fold_promise

_ENDED = frozenset(state.value for state in TERMINAL)
_OPEN = PromiseStatus.OPEN.value
_FAR = datetime.max.replace(tzinfo=UTC)


class LiveRows:
    """The open rows of the warehouse, moved forward event by event."""

    def __init__(
        self, state: ProjectionState, checkpoint: int, older: Iterable[VisitFact] = ()
    ) -> None:
        self.state = state
        """The open contacts with their latest visits, the open agent intervals and the
        open promises (as :meth:`~carecenter.services.ports.Warehouse.load_state` loads
        them)."""
        self.checkpoint = checkpoint
        """The sequence number of the last event folded in."""
        self._older = {(v.contact_id, v.visit): v for v in older}
        """Open visits of a contact that is in a later visit now (the fold only moves a
        contact's latest visit, so these stay as they are)."""
        self._ended: dict[str, str] = {}
        """Contact id -> the queue of the latest visit of a contact forgotten since the seed
        (for a promise made about it afterwards)."""

    def apply(self, seq: int, event: Event) -> None:
        """Fold one event; events at or before :attr:`checkpoint` are already in."""
        if seq <= self.checkpoint:
            return
        if isinstance(event, ContactQueued):
            previous = self.state.visits.get(event.contact_id)
            if previous is not None and previous.ended_at is None:
                self._older[(previous.contact_id, previous.visit)] = previous
        if (
            isinstance(event, PromiseMade)
            and event.contact_id is not None
            and event.contact_id not in self.state.visits
            and event.contact_id in self._ended
        ):
            queue = self._ended[event.contact_id]
            self.state.touched_promises.add(fold_promise(self.state.promises, seq, event, queue))
        else:
            fold(self.state, seq, event)
        self.checkpoint = seq

    def settle(self) -> None:
        """Forget what the last events touched and the rows that can no longer change."""
        s = self.state
        s.touched_contacts.clear()
        s.touched_visits.clear()
        s.touched_intervals.clear()
        s.touched_promises.clear()
        s.survey_answers.clear()
        for cid in [
            cid
            for cid, row in s.contacts.items()
            if row.state in _ENDED and ((v := s.visits.get(cid)) is None or v.ended_at is not None)
        ]:
            del s.contacts[cid]
            if (visit := s.visits.pop(cid, None)) is not None:
                self._ended[cid] = visit.queue_id
        for cid in [cid for cid, v in s.visits.items() if cid not in s.contacts and v.ended_at]:
            self._ended[cid] = s.visits.pop(cid).queue_id
        for pid in [pid for pid, p in s.promises.items() if p.status != _OPEN]:
            del s.promises[pid]

    def rows(
        self, since: datetime
    ) -> tuple[list[VisitFact], list[AgentInterval], list[PromiseRow]]:
        """As the warehouse would answer: the visits not ended that entered their queue at
        or after ``since`` (ordered by entry, then contact), the open agent intervals that
        began then (by agent) and the open promises (by due time, then id)."""
        visits = [
            v
            for v in (*self._older.values(), *self.state.visits.values())
            if v.ended_at is None and v.enqueued_at >= since
        ]
        visits.sort(key=lambda v: (v.enqueued_at, v.contact_id))
        intervals = [iv for iv in self.state.open_intervals.values() if iv.start_at >= since]
        intervals.sort(key=lambda iv: (iv.agent_id, iv.start_at))
        promises = [p for p in self.state.promises.values() if p.status == _OPEN]
        promises.sort(key=lambda p: (p.due_at or _FAR, p.promise_id))
        return visits, intervals, promises
