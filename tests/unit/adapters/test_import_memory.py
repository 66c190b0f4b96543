"""An import bounds DuckDB's memory, so it spills to disk instead of growing with the file."""

from __future__ import annotations

from pathlib import Path

from carecenter.adapters.warehouse import DuckDbWarehouse


def test_an_import_sink_limits_duckdb_memory(tmp_path: Path) -> None:
    warehouse = DuckDbWarehouse(tmp_path / "warehouse.duckdb")
    try:
        warehouse.import_sink("asterisk")
        limit = warehouse.connection.execute(
            "SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'"
        ).fetchall()[0][0]
        number, unit = str(limit).split()
        assert float(number) * {"MiB": 1 / 1024, "GiB": 1.0}[unit] <= 1.0, limit
    finally:
        warehouse.close()
