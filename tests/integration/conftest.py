"""Fixtures shared by the integration tests (``mariadb_url`` is in ``tests/conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecenter.adapters.settings import Settings
from carecenter.services.workspace import init_workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A new, empty workspace (a test module may define its own ``workspace`` instead)."""
    root = tmp_path / "ws"
    init_workspace(Settings(workspace=root))
    return root
