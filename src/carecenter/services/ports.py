"""The I/O boundaries the services depend on, as Protocols.

Each has an in-memory implementation in :mod:`carecenter.adapters.memory` (the users' in
:mod:`carecenter.adapters.memory_users`; for tests and library users) and a real one in
:mod:`carecenter.adapters` (SQL store, DuckDB warehouse, system clock, argon2 passwords).
:func:`carecenter.services.bootstrap.bootstrap` wires them.
The values they exchange (:class:`StoredEvent`, :class:`WarehouseCounts`, the plan rows and
versions of :mod:`carecenter.domain.plans`, the :class:`~carecenter.domain.users.User`) are
domain types; so is :class:`Clock`, which the pure packages (the contact engine) are given too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from carecenter.domain.center import Center
from carecenter.domain.clock import Clock
from carecenter.domain.events import Event, StoredEvent
from carecenter.domain.expectations import Expectation, Register, Source
from carecenter.domain.plans import PlanKind, PlanRow, PlanVersion, StoredPlanRow
from carecenter.domain.projection import (
    AgentInterval,
    ContactRow,
    ProjectionState,
    SurveyAnswerRow,
    VisitFact,
    WarehouseCounts,
)
from carecenter.domain.promise_facts import PromiseRow
from carecenter.domain.rosters import RosteredShift, RosterVersion
from carecenter.domain.schedules import ScheduledShift, ScheduleVersion
from carecenter.domain.users import User


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

    def open_rows(self, since: datetime) -> tuple[list[VisitFact], list[AgentInterval]]:
        """What is going on now: the open queue visits that entered their queue at or after
        ``since`` and the open agent-state intervals that began at or after it."""
        ...

    def open_contact_ids(self, since: datetime) -> list[str]:
        """The contacts not ended that arrived at or after ``since`` (in the IVR, in a queue,
        with an agent, between the legs of a transfer)."""
        ...

    def rows_between(
        self, start: datetime, end: datetime
    ) -> tuple[list[VisitFact], list[AgentInterval]]:
        """The queue visits that entered their queue, and the agent intervals that began, in
        [``start``, ``end``)."""
        ...

    def agent_intervals(self, start: datetime, end: datetime) -> list[AgentInterval]:
        """The agent-state intervals that overlap [``start``, ``end``) (open ones included),
        by agent, then start."""
        ...

    def customer_visits(self, start: datetime, end: datetime) -> list[VisitFact]:
        """The queue visits of known customers (``customer_id`` set) that entered their queue
        in [``start``, ``end``), by enqueue time, contact and visit."""
        ...

    def customer_answers(self, before: datetime) -> list[SurveyAnswerRow]:
        """The survey answers given before ``before`` with the customer who gave them: the
        answer's ``customer_id``, else the customer of the contact it is about (answers linked
        to no known customer left out); by answer time, survey and question."""
        ...

    def disposed_contacts(
        self, dispositions: Sequence[str], start: datetime | None, end: datetime | None
    ) -> list[tuple[ContactRow, str | None]]:
        """The contacts that ended in [``start``, ``end``) (``None``: no bound) with one of
        ``dispositions`` (lower case; the contact's code compared trimmed and lower-cased),
        each with the queue of its last visit (``None``: no visit); by end time, then id."""
        ...

    def commented_answers(
        self, start: datetime | None, end: datetime | None
    ) -> list[tuple[SurveyAnswerRow, str | None]]:
        """The survey answers given in [``start``, ``end``) (``None``: no bound) with a comment
        (not blank), each with the queue of the last visit of the contact it is about
        (``None``: none); by answer time, survey and question."""
        ...


class ScheduleStore(Protocol):
    """The schedules saved by ``carecenter schedule --save`` (see
    :mod:`carecenter.domain.schedules`) and the rosters saved by ``carecenter roster --save``
    (see :mod:`carecenter.domain.rosters`)."""

    def save(self, draft: ScheduleVersion, shifts: Sequence[ScheduledShift]) -> ScheduleVersion:
        """Save ``shifts`` as a new version described by ``draft`` (its ``version`` and
        ``shifts`` are set by the store), atomically; the saved version."""
        ...

    def versions(self) -> list[ScheduleVersion]:
        """Every saved version, oldest first."""
        ...

    def current(self, first_day: date, last_day: date) -> list[tuple[int, ScheduledShift]]:
        """The shifts of the days from ``first_day`` to ``last_day``, each day's from the
        latest version covering it, with that version; by day, then start."""
        ...

    def save_roster(self, draft: RosterVersion, shifts: Sequence[RosteredShift]) -> RosterVersion:
        """Save a roster (``carecenter roster --save``) as a new version, atomically."""
        ...

    def roster_versions(self) -> list[RosterVersion]:
        """Every saved roster version, oldest first."""
        ...

    def current_roster(self, first_day: date, last_day: date) -> list[tuple[int, RosteredShift]]:
        """The rostered shifts of the days from ``first_day`` to ``last_day``, each day's from
        the latest roster version covering it, with that version; by day, then start."""
        ...


class ExpectationStore(Protocol):
    """The expectation register of ``carecenter voc table`` and the evidence it was last
    evaluated with (see :mod:`carecenter.domain.expectations`)."""

    def save_register(self, register: Register, *, name: str, saved_at: datetime) -> None:
        """Replace the register (every expectation, the center's features, the survey
        scores), atomically; ``name``: the file it came from."""
        ...

    def load_register(self) -> Register | None:
        """The register in the manager's order (``None``: none was saved)."""
        ...

    def update(self, expectation: Expectation, *, saved_at: datetime) -> bool:
        """Replace the expectation with the same id (``False``: no such expectation)."""
        ...

    def save_source(self, source: Source) -> None:
        """Keep ``source`` (replacing the one of the same kind)."""
        ...

    def sources(self) -> dict[str, Source]:
        """The kept sources by kind."""
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


class UserStore(Protocol):
    """The users of ``carecenter serve``, their API tokens and web sessions (kept as SHA-256
    hashes of the secrets, never the secrets), and the audit log. Times are timezone-aware."""

    def save(self, user: User, password_hash: str, *, at: datetime) -> None:
        """Add ``user`` with ``password_hash`` (created ``at``), or replace the user of that
        name (keeping its creation time, tokens and sessions)."""
        ...

    def get(self, name: str) -> tuple[User, str] | None:
        """The user called ``name`` and their password hash, or ``None``."""
        ...

    def users(self) -> list[User]:
        """Every user, in order of name."""
        ...

    def remove(self, name: str) -> bool:
        """Remove the user with their tokens and sessions; whether there was one."""
        ...

    def set_disabled(self, name: str, disabled: bool) -> bool:
        """Disable (or enable) the user; whether there was one."""
        ...

    def add_token(self, token_hash: str, name: str, label: str | None, at: datetime) -> None:
        """Keep an API token of user ``name`` by its hash."""
        ...

    def user_for_token_hash(self, token_hash: str, at: datetime) -> User | None:
        """The user of the token with this hash (disabled ones too), noting that it was used
        ``at`` (at most once a minute); ``None`` for an unknown token."""
        ...

    def tokens(self, name: str) -> list[dict[str, Any]]:
        """The tokens of user ``name``, oldest first: ``token_id`` (the start of the hash),
        ``label``, ``created_at``, ``last_used_at``."""
        ...

    def revoke_tokens(self, name: str, label: str | None = None) -> int:
        """Delete the tokens of user ``name`` (only those labelled ``label`` when given); how
        many."""
        ...

    def add_session(
        self, token_hash: str, name: str, csrf_token: str, at: datetime, expires_at: datetime
    ) -> None:
        """Keep a web session of user ``name`` by the hash of its token."""
        ...

    def session(self, token_hash: str) -> tuple[User, str, datetime] | None:
        """(user, CSRF token, expiry) of the session with this hash, expired or not; ``None``
        for an unknown one."""
        ...

    def touch_session(self, token_hash: str, at: datetime, expires_at: datetime) -> None:
        """Note that the session was seen ``at`` and now expires at ``expires_at``."""
        ...

    def end_session(self, token_hash: str) -> bool:
        """Delete the session; whether there was one."""
        ...

    def end_sessions(self, name: str) -> int:
        """Delete every session of user ``name``; how many."""
        ...

    def purge_expired(self, now: datetime) -> int:
        """Delete the sessions expired at ``now``; how many."""
        ...

    def append_audit(
        self, at: datetime, actor: str, action: str, subject: str, detail: Mapping[str, Any]
    ) -> None:
        """Append an entry to the audit log (``detail`` kept as canonical JSON)."""
        ...

    def audit(self, limit: int = 100, since: datetime | None = None) -> list[dict[str, Any]]:
        """The newest ``limit`` audit entries (at or after ``since`` when given), newest
        first: ``id``, ``at``, ``actor``, ``action``, ``subject``, ``detail`` (a dict)."""
        ...


class PasswordHasher(Protocol):
    """Turns passwords into slow salted hashes and checks them."""

    def hash(self, password: str) -> str:
        """A new salted hash of ``password``."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash`` (a malformed hash: ``False``)."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether ``password_hash`` was made with weaker parameters than today's."""
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
    "PasswordHasher",
    "PlanStore",
    "StoredEvent",
    "UserStore",
    "Warehouse",
    "WarehouseCounts",
]
