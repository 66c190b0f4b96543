"""Shared fixtures: stores on SQLite and on the PostgreSQL server named by
``CARECENTER_TEST_POSTGRES_URL``. With ``CARECENTER_REQUIRE_POSTGRES=1`` (set by ``.ci/run`` in
CI) a missing server fails the PostgreSQL tests instead of skipping them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine, create_engine, text

from carecenter.adapters.store.engine import make_engine, migrate

PG_URL = os.environ.get("CARECENTER_TEST_POSTGRES_URL")
T = TypeVar("T")
REQUIRE_PG = os.environ.get("CARECENTER_REQUIRE_POSTGRES") == "1"


def pg_schema_url() -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh schema on the test server: (url, connect_args); dropped afterwards."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("CARECENTER_REQUIRE_POSTGRES=1 but CARECENTER_TEST_POSTGRES_URL is unset")
        pytest.skip("no PostgreSQL server (set CARECENTER_TEST_POSTGRES_URL)")
    schema = f"cc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        admin.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    try:
        yield PG_URL, {"options": f"-csearch_path={schema}"}
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, dict[str, str]]]:
    """(SQLAlchemy URL, connect_args) of an empty store on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}", {}
    else:
        yield from pg_schema_url()


@pytest.fixture
def engine(store_url: tuple[str, dict[str, str]]) -> Iterator[Engine]:
    """A migrated store on each backend."""
    url, connect_args = store_url
    eng = make_engine(url, connect_args=connect_args) if connect_args else make_engine(url)
    migrate(eng)
    yield eng
    eng.dispose()


def store_on(
    backend: str, tmp_path: Path, sql: Callable[[Engine], T], memory: Callable[[], T]
) -> Iterator[T]:
    """A store of the operational database on ``backend`` (``sqlite`` in ``tmp_path``,
    ``postgresql`` in a fresh schema of the test server, or ``memory``: the fake), migrated;
    ``sql`` builds it on the engine, ``memory`` builds the fake."""
    if backend == "memory":
        yield memory()
        return
    if backend == "sqlite":
        url, connect_args = f"sqlite:///{tmp_path / 'store.db'}", {}
        schema = None
    else:
        schema = pg_schema_url()
        url, connect_args = next(schema)
    engine = make_engine(url, connect_args=connect_args) if connect_args else make_engine(url)
    try:
        migrate(engine)
        yield sql(engine)
    finally:
        engine.dispose()
        if schema is not None:
            schema.close()


# ``mariadb_url``: the MariaDB/MySQL server named by ``CARECENTER_TEST_MARIADB_URL`` (default
# ``mysql+pymysql://root@127.0.0.1:3306/test``). A server that does not answer skips the test;
# with ``CARECENTER_REQUIRE_MARIADB=1`` (set by ``.ci/run`` in CI) it fails it instead.
MARIADB_URL = os.environ.get(
    "CARECENTER_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)
REQUIRE_MARIADB = os.environ.get("CARECENTER_REQUIRE_MARIADB") == "1"


@pytest.fixture
def mariadb_url() -> str:
    """The SQLAlchemy URL of the MariaDB/MySQL test server, once it has answered."""
    try:
        engine = create_engine(MARIADB_URL)
        try:
            with engine.connect():
                pass
        finally:
            engine.dispose()
    except Exception as exc:  # pragma: no cover - depends on the machine
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if REQUIRE_MARIADB:
            pytest.fail(f"CARECENTER_REQUIRE_MARIADB=1 but MariaDB is unreachable: {reason}")
        pytest.skip(f"MariaDB unreachable (set CARECENTER_TEST_MARIADB_URL): {reason}")
    return MARIADB_URL


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """The Spark session (local mode) of this test process, started once: the Spark tests are
    one xdist group (``make pytest`` runs ``--dist loadgroup``), so one worker starts it."""
    from carecenter.adapters.parquet_facts import spark_session

    session = spark_session()
    yield session
    session.stop()
