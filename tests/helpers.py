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


def same_value(a: object, b: object) -> bool:
    """Whether two report cells agree: floats to 1e-9 relative (1e-6 absolute), else equal
    (two backends add floats in different orders)."""
    import math

    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)  # type: ignore[arg-type]
    return bool(a == b)
