"""Fixtures shared by the integration tests.

``mariadb_url``: the MariaDB/MySQL server named by ``CARECENTER_TEST_MARIADB_URL`` (default
``mysql+pymysql://root@127.0.0.1:3306/test``). A server that does not answer skips the test;
with ``CARECENTER_REQUIRE_MARIADB=1`` (set by ``.ci/run`` in CI) it fails it instead."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from carecenter.adapters.settings import Settings
from carecenter.services.workspace import init_workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A new, empty workspace (a test module may define its own ``workspace`` instead)."""
    root = tmp_path / "ws"
    init_workspace(Settings(workspace=root))
    return root


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
