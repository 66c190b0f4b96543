"""Helpers shared by the tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""A Monday morning, the start of most hand-written scenarios."""

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
"""The real third-party data beside the checkout (``../shared/data``; see its README): not
shipped, so the tests that read it are skipped where it is absent."""
ANONYMOUS_BANK = SHARED_DATA / "callcenter" / "anonymous_bank_1999_02.tsv"
"""The Anonymous Bank call-by-call file, February 1999."""

_E = 1764579600  # 2025-12-01 09:00:00 UTC
COMPLETED_CALLS = [
    f"{_E}|c1|support|NONE|ENTERQUEUE||5551001|1",
    f"{_E + 12}|c1|support|Alice|CONNECT|12|c1.2|2",
    f"{_E + 321}|c1|support|Alice|COMPLETECALLER|12|309|1",
    f"{_E + 60}|c2|support|NONE|ENTERQUEUE||5551002|1",
    f"{_E + 70}|c2|support|NONE|ABANDON|1|1|10",
]
"""A queue_log of two calls: c1 answered and talked 309 s, c2 abandoned (for re-imports: line
3 left out is an older, shorter copy in which c1 is still talking)."""


def connect_ctr(updated: str, talk: int) -> str:
    """An Amazon Connect CTR (one JSON line) of contact ``abc``, last updated at ``updated``,
    with ``talk`` seconds of agent interaction."""
    return json.dumps(
        {
            "ContactId": "abc",
            "Channel": "VOICE",
            "InitiationMethod": "INBOUND",
            "InitiationTimestamp": "2025-12-01T09:00:00Z",
            "Queue": {"Name": "Support", "EnqueueTimestamp": "2025-12-01T09:00:05Z"},
            "Agent": {
                "Username": "alice",
                "ConnectedToAgentTimestamp": "2025-12-01T09:00:20Z",
                "AgentInteractionDuration": talk,
            },
            "DisconnectTimestamp": f"2025-12-01T09:{talk // 60:02d}:{talk % 60:02d}Z",
            "LastUpdateTimestamp": updated,
        }
    )


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
