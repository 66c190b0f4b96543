"""Translators hand domain events here; the one fold turns them into fact rows.

A translator reads another system's records and says what happened in the center's own terms:
:mod:`domain events <carecenter.domain.events>` (a contact arrived, was queued, answered,
held, wrapped up, ended...). :class:`EventFolder` folds them with
:func:`carecenter.domain.projection.fold`, the same function the projector runs on the event
log, and hands the touched rows to a :class:`~carecenter.ingest.common.FactSink`. So an
imported visit and a live one are the same fact computed the same way; a source can only say
less (a column it does not know is ``None``), never something else under the same name.

Two ways to hand events over:

* :meth:`EventFolder.contact`: the whole story of one contact at once (a contact trace record,
  a call-by-call row, a ticket). It is folded on its own and written at once; handing the same
  contact again (a later update of the record) replaces its rows.
* :meth:`EventFolder.event`: one event of a stream whose contacts and agents span many records
  (an event log). State is kept until :meth:`EventFolder.finish`.

Imported events have no log sequence number: contact rows get ``last_seq`` 0, and an agent's
interval is keyed by its start in epoch microseconds, so importing the same file again replaces
the same rows.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from carecenter.domain.events import AgentStateChanged, Event
from carecenter.domain.projection import ProjectionState, VisitFact, fold, row_values
from carecenter.ingest.common import FactSink, FileCounts


def micros(event: Event) -> int:
    """The event's time in epoch microseconds (the key of an imported agent interval)."""
    return round(event.occurred_at.timestamp() * 1_000_000)


HAND_OVER_EVENTS = 20_000
"""Every so many stream events, the closed intervals are handed to the sink."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause automatic garbage collection while a translator folds a long stream: it makes
    hundreds of thousands of small objects (events, rows) without reference cycles, which the
    collector would otherwise scan again and again, the more the longer the stream."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class EventFolder:
    """Folds a translator's events into fact rows for ``sink``.

    ``unknown`` names ``contact_facts`` columns the source does not record (e.g. ``acw_s``):
    they are written as ``None``.
    """

    def __init__(self, sink: FactSink, unknown: Iterable[str] = ()) -> None:
        self.sink = sink
        self.unknown = frozenset(unknown)
        bad = self.unknown - set(VisitFact.__dataclass_fields__)
        if bad:
            raise ValueError(f"not contact_facts columns: {sorted(bad)}")
        self._state = ProjectionState()
        self._events = 0

    @property
    def counts(self) -> FileCounts:
        """The counts of the file being read."""
        return self.sink.counts

    def contact(self, events: Sequence[Event]) -> None:
        """Every event of one contact, in order: folded and written now."""
        state = ProjectionState()
        for event in events:
            fold(state, 0, event)
        self._write(state)

    def event(self, event: Event) -> None:
        """One event of a stream (contacts and agents met across records), in time order."""
        seq = micros(event) if isinstance(event, AgentStateChanged) else 0
        fold(self._state, seq, event)
        self._events += 1
        if not self._events % HAND_OVER_EVENTS:
            self._hand_over_closed()

    def _hand_over_closed(self) -> None:
        """Write the intervals the stream has closed (no later event changes them) and forget
        them, so a long stream's state does not grow with it."""
        touched = self._state.touched_intervals
        closed = [key for key, iv in touched.items() if iv.end_at is not None]
        for key in sorted(closed):
            self.sink.interval(list(row_values(touched.pop(key))))

    def finish(self) -> None:
        """Write what the stream events touched, still-open visits and intervals included."""
        self._write(self._state)
        self._state = ProjectionState()

    def _write(self, state: ProjectionState) -> None:
        sink = self.sink
        for cid in sorted(state.touched_contacts):
            sink.contact(list(row_values(state.contacts[cid])))
        for key in sorted(state.touched_visits):
            sink.visit(list(row_values(self._known(state.touched_visits[key]))))
        for key in sorted(state.touched_intervals):
            sink.interval(list(row_values(state.touched_intervals[key])))
        for answer in sorted(state.survey_answers):
            sink.answer(list(row_values(state.survey_answers[answer])))

    def _known(self, visit: VisitFact) -> VisitFact:
        if not self.unknown:
            return visit
        blank: dict[str, Any] = dict.fromkeys(self.unknown)
        return replace(visit, **blank)
