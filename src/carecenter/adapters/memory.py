"""In-memory implementations of every port, shipped for tests and library users.

They behave like the real adapters (sequence numbers, atomic saves, copies in and out) but
keep everything in process memory.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from carecenter.adapters.clock import SystemClock
from carecenter.domain.center import Center
from carecenter.domain.clock import Clock
from carecenter.domain.events import Event, StoredEvent
from carecenter.domain.plans import (
    PlanKind,
    PlanRow,
    PlanVersion,
    StoredPlanRow,
    period_of,
    replaced_rows,
)
from carecenter.domain.projection import (
    AgentInterval,
    ContactRow,
    ProjectionState,
    SurveyAnswerRow,
    VisitFact,
    WarehouseCounts,
)
from carecenter.domain.promise_facts import PromiseRow
from carecenter.domain.tickets import TicketEvent, TicketFact, TicketSpell

if TYPE_CHECKING:
    from carecenter.adapters.memory_import import MemoryImportSink


class FakeClock:
    """A :class:`~carecenter.domain.clock.Clock` that stands still until set or advanced."""

    def __init__(self, start: datetime = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)) -> None:
        self._now = _aware_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (timezone-aware; forwards or backwards)."""
        self._now = _aware_utc(when)

    def advance(self, by: timedelta | float) -> datetime:
        """Move forward by a timedelta or a number of seconds; returns the new time."""
        step = by if isinstance(by, timedelta) else timedelta(seconds=by)
        if step < timedelta(0):
            raise ValueError("a clock advances forwards; use set() to go back")
        self._now += step
        return self._now


def _aware_utc(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{when.isoformat()}: give a timezone-aware time")
    return when.astimezone(UTC)


class InMemoryEventLog:
    """An event log in a list; thread-safe. Events are stamped with ``clock.now()``."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._events: list[StoredEvent] = []
        self._lock = threading.Lock()
        self._clock: Clock = clock if clock is not None else SystemClock()

    def append(self, events: Sequence[Event]) -> list[int]:
        with self._lock:
            start = len(self._events)
            now = self._clock.now()
            for i, event in enumerate(events, start=start + 1):
                self._events.append(StoredEvent(i, str(uuid.uuid4()), now, event))
            return list(range(start + 1, len(self._events) + 1))

    def read(self, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        with self._lock:
            tail = self._events[after:]
        return tail if limit is None else tail[:limit]

    def count(self) -> int:
        return len(self._events)

    def last_seq(self) -> int:
        return len(self._events)


class InMemoryCenterRepository:
    """A center configuration held in memory."""

    def __init__(self) -> None:
        self._center: Center | None = None

    def save(self, center: Center) -> None:
        self._center = center

    def load(self) -> Center | None:
        return self._center


class InMemoryPlanStore:
    """Plan versions and their rows in lists; a save replaces as the SQL store does."""

    def __init__(self) -> None:
        self._versions: list[PlanVersion] = []
        self._rows: list[StoredPlanRow] = []
        self._lock = threading.Lock()

    def save(
        self, kind: PlanKind, rows: Sequence[PlanRow], *, saved_at: datetime, command: str
    ) -> PlanVersion:
        if not rows:
            raise ValueError("a plan needs at least one row")
        start, end = period_of(rows)
        with self._lock:
            version = len(self._versions) + 1
            mine = self._of(kind)
            current = [s for s in self._rows if s.replaced_by is None and s.version in mine]
            gone = {id(s) for s in replaced_rows(rows, current)}
            self._rows = [
                replace(s, replaced_by=version) if id(s) in gone else s for s in self._rows
            ]
            self._rows.extend(StoredPlanRow(r, version) for r in rows)
            saved = PlanVersion(version, kind, saved_at, command, start, end, len(rows), len(gone))
            self._versions.append(saved)
            return saved

    def _of(self, kind: PlanKind) -> set[int]:
        return {v.version for v in self._versions if v.kind is kind}

    def rows(
        self,
        kind: PlanKind,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        queues: Collection[str] | None = None,
        history: bool = False,
    ) -> list[StoredPlanRow]:
        with self._lock:
            versions = self._of(kind)
            found = [
                s
                for s in self._rows
                if s.version in versions
                and (history or s.replaced_by is None)
                and (start is None or s.row.interval_end > start)
                and (end is None or s.row.interval_start < end)
                and (queues is None or s.row.queue_id in queues)
            ]
        return sorted(found, key=lambda s: (s.row.queue_id, s.row.interval_start, -s.version))

    def versions(self, kind: PlanKind | None = None) -> list[PlanVersion]:
        with self._lock:
            return [v for v in self._versions if kind is None or v.kind is kind]


def _copy(row: Any) -> Any:
    return replace(row)


class InMemoryWarehouse:
    """The warehouse tables as dicts keyed like the real ones."""

    def __init__(self) -> None:
        self.contacts: dict[str, ContactRow] = {}
        self.contact_facts: dict[tuple[str, int], VisitFact] = {}
        self.agent_state_intervals: dict[tuple[str, int], AgentInterval] = {}
        self.survey_answers: dict[tuple[str, str], SurveyAnswerRow] = {}
        self.promises: dict[str, PromiseRow] = {}
        self.ticket_activities: dict[str, set[TicketEvent]] = {}
        self.ticket_facts: dict[str, TicketFact] = {}
        self.ticket_spells: dict[str, list[TicketSpell]] = {}
        self.contact_versions: dict[str, int] = {}
        """A source's own version of a contact (epoch microseconds), as the DuckDB
        warehouse's ``contact_versions``."""
        self._checkpoint = 0

    def checkpoint(self) -> int:
        return self._checkpoint

    def load_state(
        self,
        contact_ids: Iterable[str],
        agent_ids: Iterable[str],
        promise_ids: Iterable[str] = (),
    ) -> ProjectionState:
        state = ProjectionState()
        for pid in set(promise_ids) & self.promises.keys():
            state.promises[pid] = _copy(self.promises[pid])
        wanted = set(contact_ids)
        for cid in wanted & self.contacts.keys():
            state.contacts[cid] = _copy(self.contacts[cid])
        for (cid, _), visit in sorted(self.contact_facts.items()):
            if cid in wanted:
                state.visits[cid] = _copy(visit)  # sorted: the latest visit wins
        agents = set(agent_ids)
        for iv in self.agent_state_intervals.values():
            if iv.agent_id in agents and iv.end_at is None:
                state.open_intervals[iv.agent_id] = _copy(iv)
        return state

    def open_rows(self, since: datetime) -> tuple[list[VisitFact], list[AgentInterval]]:
        visits = sorted(
            (
                v
                for v in self.contact_facts.values()
                if v.ended_at is None and v.enqueued_at >= since
            ),
            key=lambda v: (v.enqueued_at, v.contact_id),
        )
        intervals = sorted(
            (
                iv
                for iv in self.agent_state_intervals.values()
                if iv.end_at is None and iv.start_at >= since
            ),
            key=lambda iv: (iv.agent_id, iv.start_at),
        )
        return [_copy(v) for v in visits], [_copy(iv) for iv in intervals]

    def open_contact_ids(self, since: datetime) -> list[str]:
        return sorted(
            cid
            for cid, row in self.contacts.items()
            if row.ended_at is None and row.arrived_at is not None and row.arrived_at >= since
        )

    def rows_between(
        self, start: datetime, end: datetime
    ) -> tuple[list[VisitFact], list[AgentInterval]]:
        visits = sorted(
            (v for v in self.contact_facts.values() if start <= v.enqueued_at < end),
            key=lambda v: (v.enqueued_at, v.contact_id),
        )
        intervals = sorted(
            (iv for iv in self.agent_state_intervals.values() if start <= iv.start_at < end),
            key=lambda iv: (iv.agent_id, iv.start_at),
        )
        return [_copy(v) for v in visits], [_copy(iv) for iv in intervals]

    def agent_intervals(self, start: datetime, end: datetime) -> list[AgentInterval]:
        found = sorted(
            (
                iv
                for iv in self.agent_state_intervals.values()
                if iv.start_at < end and (iv.end_at is None or iv.end_at > start)
            ),
            key=lambda iv: (iv.agent_id, iv.start_at),
        )
        return [_copy(iv) for iv in found]

    def customer_visits(self, start: datetime, end: datetime) -> list[VisitFact]:
        found = sorted(
            (
                v
                for v in self.contact_facts.values()
                if v.customer_id is not None and start <= v.enqueued_at < end
            ),
            key=lambda v: (v.enqueued_at, v.contact_id, v.visit),
        )
        return [_copy(v) for v in found]

    def customer_answers(self, before: datetime) -> list[SurveyAnswerRow]:
        found: list[SurveyAnswerRow] = []
        for answer in self.survey_answers.values():
            contact = self.contacts.get(answer.contact_id or "")
            customer = answer.customer_id or (contact.customer_id if contact else None)
            if customer is not None and answer.answered_at < before:
                found.append(replace(answer, customer_id=customer))
        return sorted(found, key=lambda a: (a.answered_at, a.survey_id, a.question))

    def _last_queue(self, contact_id: str | None) -> str | None:
        visits = [v for (c, _), v in self.contact_facts.items() if c == contact_id]
        return max(visits, key=lambda v: v.visit).queue_id if visits else None

    def disposed_contacts(
        self, dispositions: Sequence[str], start: datetime | None, end: datetime | None
    ) -> list[tuple[ContactRow, str | None]]:
        found = [
            row
            for row in self.contacts.values()
            if (row.disposition or "").strip().lower() in dispositions
            and row.ended_at is not None
            and (start is None or row.ended_at >= start)
            and (end is None or row.ended_at < end)
        ]
        found.sort(key=lambda r: (r.ended_at, r.contact_id))
        return [(_copy(r), self._last_queue(r.contact_id)) for r in found]

    def commented_answers(
        self, start: datetime | None, end: datetime | None
    ) -> list[tuple[SurveyAnswerRow, str | None]]:
        found = sorted(
            (
                a
                for a in self.survey_answers.values()
                if (a.comment or "").strip()
                and (start is None or a.answered_at >= start)
                and (end is None or a.answered_at < end)
            ),
            key=lambda a: (a.answered_at, a.survey_id, a.question),
        )
        return [(_copy(a), self._last_queue(a.contact_id)) for a in found]

    def save_state(self, state: ProjectionState, checkpoint: int) -> None:
        for cid in state.touched_contacts:
            self.contacts[cid] = _copy(state.contacts[cid])
        for key, visit in state.touched_visits.items():
            self.contact_facts[key] = _copy(visit)
        for key, iv in state.touched_intervals.items():
            self.agent_state_intervals[key] = _copy(iv)
        for survey_key, answer in state.survey_answers.items():
            self.survey_answers[survey_key] = _copy(answer)
        for pid in state.touched_promises:
            self.promises[pid] = _copy(state.promises[pid])
        self._checkpoint = checkpoint

    def counts(self) -> WarehouseCounts:
        return WarehouseCounts(
            len(self.contacts),
            len(self.contact_facts),
            len(self.agent_state_intervals),
            self._checkpoint,
            len(self.ticket_facts),
            len(self.promises),
        )

    def promise_rows(
        self,
        *,
        status: str | None = None,
        due_from: datetime | None = None,
        due_before: datetime | None = None,
    ) -> list[PromiseRow]:
        far = datetime.max.replace(tzinfo=UTC)
        rows = [
            _copy(p)
            for p in self.promises.values()
            if (status is None or p.status == status)
            and (due_from is None or (p.due_at is not None and p.due_at >= due_from))
            and (due_before is None or (p.due_at is not None and p.due_at < due_before))
        ]
        return sorted(rows, key=lambda p: (p.due_at or far, p.promise_id))

    def import_sink(self, source: str) -> MemoryImportSink:
        """A sink that writes an import's facts into these tables at the end of each file
        (the :class:`~carecenter.services.ports.ImportTarget` port)."""
        from carecenter.adapters.memory_import import MemoryImportSink

        return MemoryImportSink(self, source)

    def backend(self) -> Any:
        """The tables copied into an in-memory DuckDB, as an Ibis backend (a snapshot)."""
        import duckdb
        import ibis  # type: ignore[import-untyped]

        from carecenter.adapters.warehouse_schema import TABLES, arrow_table

        held: dict[str, dict[Any, Any]] = {
            "contacts": self.contacts,
            "contact_facts": self.contact_facts,
            "agent_state_intervals": self.agent_state_intervals,
            "survey_answers": self.survey_answers,
            "promises": self.promises,
            "ticket_facts": self.ticket_facts,
            "ticket_spells": {
                (s.ticket_id, s.spell): s for spells in self.ticket_spells.values() for s in spells
            },
            "ticket_activities": {
                (e.ticket_id, *e.sort_key()): e
                for events in self.ticket_activities.values()
                for e in events
            },
        }
        con = duckdb.connect(":memory:")
        con.execute("SET TimeZone='UTC'")
        for name, row_type in TABLES.items():
            rows = held.get(name, {})
            con.register("_rows", arrow_table(row_type, [rows[k] for k in sorted(rows)]))
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM _rows")
            con.unregister("_rows")
        return ibis.duckdb.from_connection(con)
