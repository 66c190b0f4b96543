"""The I/O boundaries the services depend on, as Protocols.

Each has an in-memory implementation in :mod:`carecenter.adapters.memory` (for tests and
library users) and a real one in :mod:`carecenter.adapters` (SQL store, DuckDB warehouse,
system clock). :func:`carecenter.services.bootstrap.bootstrap` wires them.
The values they exchange (:class:`StoredEvent`, :class:`WarehouseCounts`, the plan rows and
versions of :mod:`carecenter.domain.plans`) are domain types;
so is :class:`Clock`, which the pure packages (the contact engine) are given too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from carecenter.domain.center import Center
from carecenter.domain.clock import Clock
from carecenter.domain.events import Event, StoredEvent
from carecenter.domain.plans import PlanKind, PlanRow, PlanVersion, StoredPlanRow
from carecenter.domain.projection import ProjectionState, WarehouseCounts
from carecenter.domain.promise_facts import PromiseRow


class EventLog(Protocol):
    """Append-only log of domain events, read back in sequence order."""

    def append(self, events: Sequence[Event]) -> list[int]:
        """Append ``events`` atomically; return their sequence numbers (increasing)."""
        ...

    def read(self, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        """Events with sequence number greater than ``after``, oldest first."""
        ...

    def count(self) -> int:
        """How many events the log holds."""
        ...

    def last_seq(self) -> int:
        """The highest sequence number, 0 when empty."""
        ...


class CenterRepository(Protocol):
    """Where the center's configuration (queues, skills, agents, tiers) is kept."""

    def save(self, center: Center) -> None:
        """Replace the stored configuration with ``center``."""
        ...

    def load(self) -> Center | None:
        """The stored configuration, or ``None`` when none was saved yet."""
        ...


class Warehouse(Protocol):
    """The fact tables the metrics read, written by the projector."""

    def checkpoint(self) -> int:
        """The sequence number of the last event projected."""
        ...

    def load_state(
        self,
        contact_ids: Iterable[str],
        agent_ids: Iterable[str],
        promise_ids: Iterable[str] = (),
    ) -> ProjectionState:
        """The rows the given contacts, agents and promises can touch: contact rows, latest
        visits, open agent intervals, promise rows."""
        ...

    def save_state(self, state: ProjectionState, checkpoint: int) -> None:
        """Write the touched rows and move the checkpoint, atomically."""
        ...

    def counts(self) -> WarehouseCounts:
        """Row counts."""
        ...

    def promise_rows(
        self,
        *,
        status: str | None = None,
        due_from: datetime | None = None,
        due_before: datetime | None = None,
    ) -> list[PromiseRow]:
        """Promise rows in order of due time then id: of one ``status`` when given, due at or
        after ``due_from`` and before ``due_before`` when given (none: a warehouse written
        before the ``promises`` table)."""
        ...

    def backend(self) -> Any:
        """An Ibis backend over the fact tables, for the metric catalog (read only)."""
        ...


class PlanStore(Protocol):
    """The plans the center works to: forecasts and staffing plans per queue and interval,
    saved in versions (see :mod:`carecenter.domain.plans`)."""

    def save(
        self, kind: PlanKind, rows: Sequence[PlanRow], *, saved_at: datetime, command: str
    ) -> PlanVersion:
        """Save ``rows`` (not empty, not overlapping each other) as a new version of the
        ``kind`` plan, atomically: they replace the current rows of the same queues whose
        intervals overlap theirs, which stay in the history."""
        ...

    def rows(
        self,
        kind: PlanKind,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        queues: Collection[str] | None = None,
        history: bool = False,
    ) -> list[StoredPlanRow]:
        """The current rows of the ``kind`` plan (``history``: replaced ones too) whose
        interval reaches into [``start``, ``end``), of ``queues`` when given; in order of
        queue, interval start and newest version first."""
        ...

    def versions(self, kind: PlanKind | None = None) -> list[PlanVersion]:
        """Every saved version (of ``kind`` when given), oldest first."""
        ...


@runtime_checkable
class ImportTarget(Protocol):
    """A warehouse that importers can write to directly (the DuckDB one)."""

    def import_sink(self, source: str) -> Any:
        """A sink (:class:`~carecenter.ingest.common.FactSink` with ``start_file`` and
        ``end_file``) writing the facts of importer ``source`` into this warehouse."""
        ...


__all__ = [
    "CenterRepository",
    "Clock",
    "EventLog",
    "ImportTarget",
    "PlanStore",
    "StoredEvent",
    "Warehouse",
    "WarehouseCounts",
]
