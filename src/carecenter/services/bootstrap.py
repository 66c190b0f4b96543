"""The composition root: :func:`bootstrap` wires the adapters of one workspace.

By default it builds the real ones from :class:`~carecenter.adapters.settings.Settings`: the
SQL event log, center repository and plan store on the operational store, the DuckDB warehouse
and the system clock. Tests and library users pass fakes (:mod:`carecenter.adapters.memory`) for any
of them. Nothing is migrated here: the store's schema is *checked* against the newest
migration (a cheap query), and an old or empty store asks for ``carecenter upgrade``.

The warehouse is opened on first use, so commands that never read facts (``config apply``)
never wait for it; ``read_only=True`` opens it beside other readers (see
``docs/explanation/concurrency.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING

from carecenter.adapters.clock import SystemClock
from carecenter.adapters.settings import Settings
from carecenter.errors import WorkspaceError
from carecenter.services.ports import (
    CenterRepository,
    Clock,
    EventLog,
    ExpectationStore,
    PlanStore,
    ScheduleStore,
    UserStore,
    Warehouse,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from carecenter.domain.center import Center

UPGRADE_HINT = "run `carecenter upgrade`"


class Workspace:
    """The adapters of one workspace; a context manager that closes what :func:`bootstrap`
    opened (never the fakes it was given)."""

    def __init__(
        self,
        settings: Settings,
        *,
        events: EventLog,
        center: CenterRepository,
        clock: Clock,
        warehouse: Warehouse | Callable[[], Warehouse],
        schema_revision: str | None = None,
        closers: list[Callable[[], None]] | None = None,
        plans: PlanStore | None = None,
        users: UserStore | None = None,
        schedules: ScheduleStore | None = None,
        expectations: ExpectationStore | None = None,
    ) -> None:
        self.settings = settings
        self.events = events
        self.center = center
        self.clock = clock
        if plans is None:
            from carecenter.adapters.memory import InMemoryPlanStore

            plans = InMemoryPlanStore()
        self.plans: PlanStore = plans
        """The saved plans (forecasts, staffing); in memory when none was given."""
        if users is None:
            from carecenter.adapters.memory_users import InMemoryUserStore

            users = InMemoryUserStore()
        self.users: UserStore = users
        """The users, their tokens and sessions, and the audit log; in memory when none was
        given."""
        if schedules is None:
            from carecenter.adapters.memory_schedules import InMemoryScheduleStore

            schedules = InMemoryScheduleStore()
        self.schedules: ScheduleStore = schedules
        """The saved schedules; in memory when none was given."""
        if expectations is None:
            from carecenter.adapters.memory_expectations import InMemoryExpectationStore

            expectations = InMemoryExpectationStore()
        self.expectations: ExpectationStore = expectations
        """The expectation register (``carecenter voc table``); in memory when none was
        given."""
        self.schema_revision = schema_revision
        """The store's schema revision (``None`` when the store is a fake)."""
        self._warehouse = warehouse
        self._closers = closers if closers is not None else []

    def applied_center(self) -> Center:
        """The center configuration in the store; a :class:`WorkspaceError` saying to apply
        ``center.yaml`` when there is none (the one message of every command that needs it)."""
        center = self.center.load()
        if center is None:
            raise WorkspaceError(
                f"{self.settings.workspace}: no center configuration in the store; "
                "run `carecenter config apply`"
            )
        return center

    @property
    def warehouse(self) -> Warehouse:
        """The warehouse, opened on first use."""
        if callable(self._warehouse):
            opened = self._warehouse()
            self._warehouse = opened
            close = getattr(opened, "close", None)
            if close is not None:
                self._closers.append(close)
        return self._warehouse

    def close(self) -> None:
        """Close what was opened, newest first."""
        while self._closers:
            self._closers.pop()()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def bootstrap(
    settings: Settings,
    *,
    event_log: EventLog | None = None,
    center_repo: CenterRepository | None = None,
    warehouse: Warehouse | None = None,
    clock: Clock | None = None,
    read_only: bool = False,
    plan_store: PlanStore | None = None,
    user_store: UserStore | None = None,
    long_lived: bool = False,
    schedule_store: ScheduleStore | None = None,
    expectation_store: ExpectationStore | None = None,
) -> Workspace:
    """Wire a workspace: the given adapters, real ones for the rest.

    ``read_only`` opens the real warehouse read-only (reports, ``info``, forecasts), so several
    readers run at once; ``long_lived`` (the server) keeps a pool of store connections.
    Raises :class:`~carecenter.errors.WorkspaceError` when the directory
    is no workspace or its store is not at the newest schema. The plans and the users are kept
    in the operational store beside the event log; given fakes for both the event log and the
    center repository and no ``plan_store`` (``user_store``), they are kept in memory.
    """
    needs_files = event_log is None or center_repo is None or warehouse is None
    if needs_files and not settings.config_path.exists():
        raise WorkspaceError(
            f"{settings.workspace}: not a carecenter workspace (no center.yaml); "
            "run `carecenter init` there first"
        )
    closers: list[Callable[[], None]] = []
    revision = None
    if event_log is None or center_repo is None:
        from carecenter.adapters.store.center_repo import SqlCenterRepository
        from carecenter.adapters.store.engine import make_engine
        from carecenter.adapters.store.event_log import SqlEventLog
        from carecenter.adapters.store.plan_repo import SqlPlanStore
        from carecenter.adapters.store.schedule_repo import SqlScheduleStore
        from carecenter.adapters.store.users_repo import SqlUserStore

        engine = make_engine(settings.store_url, pooled=long_lived)
        closers.append(engine.dispose)
        try:
            revision = check_schema(engine, settings)
        except BaseException:
            engine.dispose()
            raise
        event_log = event_log if event_log is not None else SqlEventLog(engine)
        center_repo = center_repo if center_repo is not None else SqlCenterRepository(engine)
        plan_store = plan_store if plan_store is not None else SqlPlanStore(engine)
        user_store = user_store if user_store is not None else SqlUserStore(engine)
        if schedule_store is None:
            schedule_store = SqlScheduleStore(engine)
        if expectation_store is None:
            from carecenter.adapters.store.expectation_repo import SqlExpectationStore

            expectation_store = SqlExpectationStore(engine)
    return Workspace(
        settings,
        events=event_log,
        center=center_repo,
        clock=clock if clock is not None else SystemClock(),
        warehouse=warehouse if warehouse is not None else _duckdb(settings, read_only),
        schema_revision=revision,
        closers=closers,
        plans=plan_store,
        users=user_store,
        schedules=schedule_store,
        expectations=expectation_store,
    )


def _duckdb(settings: Settings, read_only: bool) -> Callable[[], Warehouse]:
    def open_warehouse() -> Warehouse:
        from carecenter.adapters.warehouse import DuckDbWarehouse

        return DuckDbWarehouse(
            settings.warehouse_path,
            read_only=read_only,
            lock_timeout_s=settings.lock_timeout,
            import_memory=settings.import_memory,
            threads=settings.warehouse_threads,
        )

    return open_warehouse


def check_schema(engine: Engine, settings: Settings) -> str:
    """The store's revision when it is the newest migration; else a one-line
    :class:`WorkspaceError` saying to run ``carecenter upgrade``."""
    from carecenter.adapters.store.engine import (
        head_revision,
        safe_url,
        script_revisions,
        stored_revisions,
    )

    head = head_revision()
    stored = stored_revisions(engine)
    if stored == {head}:
        return head
    where = safe_url(settings.store_url)
    if not stored:
        raise WorkspaceError(f"{where}: the operational store has no schema; {UPGRADE_HINT}")
    at = ", ".join(sorted(stored))
    if stored <= script_revisions()[0]:
        raise WorkspaceError(
            f"{where}: the operational store is at schema revision {at}, older than this "
            f"carecenter's {head}; {UPGRADE_HINT}"
        )
    raise WorkspaceError(
        f"{where}: the operational store is at schema revision {at}, which this carecenter "
        f"does not know (newest: {head}); install the newer carecenter that wrote it"
    )


WorkspaceSource = Settings | Workspace
"""What a service is given: settings (it bootstraps and closes the real workspace) or an
open :class:`Workspace` (real or with fakes; the caller closes it)."""


@contextmanager
def opened(source: WorkspaceSource, *, read_only: bool = False) -> Iterator[Workspace]:
    """The workspace of ``source``: bootstrapped from settings (and closed afterwards), or
    the open workspace itself."""
    if isinstance(source, Workspace):
        yield source
        return
    with bootstrap(source, read_only=read_only) as ws:
        yield ws
