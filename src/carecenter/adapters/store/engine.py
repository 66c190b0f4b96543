"""Engines for the operational store, migrations to the newest schema, and a cheap check
that a store is at that schema (no Alembic import on the way: commands check, they do not
migrate)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

from carecenter.errors import StoreUnavailableError

MIGRATIONS = Path(__file__).parent / "migrations"


URL_HINT = "check CARECENTER_DATABASE_URL"


def make_engine(url: str, *, pooled: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url``. SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` so that
    concurrent writers wait for each other instead of failing. A command opens a SQLite
    connection per transaction; a long-lived process (the server, ``pooled``) keeps a pool of
    them, which spares each of its many small transactions a connect and a close (the close
    of a WAL database's last connection checkpoints it).

    A URL that cannot be used, and a store that cannot be reached when the engine first
    connects, raise :class:`~carecenter.errors.StoreUnavailableError` (one line, the password
    hidden) instead of the driver's error.
    """
    try:
        engine = _engine(url, pooled, **kwargs)
    except (ArgumentError, ImportError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        where = _shown(url)
        raise StoreUnavailableError(
            f"{where}cannot use this database URL ({URL_HINT}): {reason}"
        ) from None
    event.listen(engine, "handle_error", _unreachable(url))
    return engine


def _shown(url: str) -> str:
    """``url`` without its password and a colon, or nothing when it does not parse."""
    try:
        return f"{safe_url(url)}: "
    except (ArgumentError, ValueError):
        return ""


def _unreachable(url: str) -> Callable[[Any], None]:
    """A ``handle_error`` listener: failing to connect is one line, not the driver's error."""

    def listener(context: Any) -> None:
        if context.connection is not None:  # an error on an open connection: not ours
            return
        error = context.original_exception
        reason = next((s for s in str(error).splitlines() if s.strip()), type(error).__name__)
        raise StoreUnavailableError(
            f"{_shown(url)}cannot connect to the operational store: {reason.strip()}"
        ) from None

    return listener


def _engine(url: str, pooled: bool, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if pooled:
        engine = create_engine(url, pool_size=8, max_overflow=8, **kwargs)
    else:
        engine = create_engine(url, poolclass=NullPool, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # a read (see reading()): no transaction, no lock
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def reading(engine: Engine) -> Connection:
    """A connection for one read statement: no transaction around it, so on SQLite it takes
    no write lock (every other transaction begins ``IMMEDIATE``) and never waits for, or
    holds up, a writer; it sees what was committed when it runs."""
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema to ``revision`` with Alembic."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the store is at, ``None`` for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN = re.compile(r"^down_revision(?:\s*:[^=]+)?\s*=\s*(.+)$", re.M)


@cache
def script_revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(every revision, the heads) of the migration scripts, read from the version files
    without importing Alembic."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found[1])
        down = _DOWN.search(source)
        if down is not None:
            downs.update(re.findall(r"[\"']([^\"']+)[\"']", down[1]))
    return frozenset(revisions), frozenset(revisions - downs)


def head_revision() -> str:
    """The newest revision of the migration scripts (Alembic's head)."""
    heads = script_revisions()[1]
    if len(heads) != 1:  # pragma: no cover - a branched history: ask Alembic
        from alembic.script import ScriptDirectory

        return str(ScriptDirectory(str(MIGRATIONS)).get_current_head())
    return next(iter(heads))


def stored_revisions(engine: Engine) -> set[str]:
    """The revisions recorded in the store's ``alembic_version`` table (empty: unmigrated)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return set()
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return {str(r[0]) for r in rows}


def safe_url(url: str) -> str:
    """``url`` with its password hidden, for messages and summaries."""
    return make_url(url).render_as_string(hide_password=True)
