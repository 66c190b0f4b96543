"""Helpers shared by the tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""A Monday morning, the start of most hand-written scenarios."""


def run_import(workspace: Path, *args: str) -> tuple[int, str, str]:
    """``carecenter import ARGS --workspace WORKSPACE`` in-process: exit code, stdout, stderr."""
    from typer.testing import CliRunner

    from carecenter.interfaces.cli.app import app

    result = CliRunner().invoke(app, ["import", *args, "--workspace", str(workspace)])
    return result.exit_code, result.stdout, result.stderr


def query(workspace: Path, sql: str) -> list[tuple[object, ...]]:
    """The rows of ``sql`` on the workspace's warehouse, opened read-only."""
    import duckdb

    with duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(sql).fetchall()
