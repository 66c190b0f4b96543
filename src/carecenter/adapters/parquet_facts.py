"""An export of facts (:mod:`carecenter.adapters.parquet_export`) as an Ibis backend: a
directory on DuckDB in this process, or on Spark through Ibis' PySpark backend (local mode, or
a Spark Connect server or cluster named by its ``sc://HOST:PORT`` address); or a PostgreSQL
database the export keeps (:mod:`carecenter.adapters.pg_facts`) on PostgreSQL itself.

The metric catalog runs on the backend unchanged: each exported table is a view named like the
warehouse's table over the table's directory (``DIR/contact_facts`` with its ``day=...``
partitions). The manifest tells the layout's version and the time zone of its days.

Spark's own settings are left to the cluster or the Connect server; in local mode the session
uses every core, small shuffles and UTC (Spark reads Parquet's UTC timestamps in its session
time zone; the catalog does its time-zone arithmetic itself, in UTC epoch seconds).
"""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carecenter.adapters.parquet_export import DAY_OF, MANIFEST, SCHEMA_VERSION, UPGRADES
from carecenter.errors import InputError, WorkspaceError

BACKENDS = ("duckdb", "spark", "postgres")
SPARK_EXTRA = "pip install 'carecenter[spark]'"


@dataclass(frozen=True)
class Facts:
    """An export opened on an Ibis backend: ``con`` holds a view (or table) per exported table;
    ``timezone`` is the zone of the export's days."""

    con: Any
    timezone: str
    tables: tuple[str, ...]

    def close(self) -> None:
        """Close the connection to DuckDB or PostgreSQL (the Spark session is the process's
        and stays up for the next report)."""
        if self.con.name != "pyspark":
            self.con.disconnect()


def read_layout(directory: Path) -> dict[str, Any]:
    """The manifest of the export ``directory``; an :class:`InputError` naming ``facts`` when it
    is not an export this version reads."""
    path = directory / MANIFEST
    if not directory.is_dir():
        raise InputError(f"{directory}: no such directory", field="facts")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        version = manifest["schema"]
        if not isinstance(manifest["timezone"], str):
            raise TypeError("timezone is not a string")
    except FileNotFoundError:
        raise InputError(
            f"{directory}: no {MANIFEST}; write it with carecenter export facts", field="facts"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: unreadable ({exc})", field="facts") from None
    if version != SCHEMA_VERSION and version not in UPGRADES:
        raise InputError(
            f"{directory}: export schema {version}; this version reads {SCHEMA_VERSION}",
            field="facts",
        )
    return manifest


def _present(directory: Path) -> list[str]:
    return [t for t in DAY_OF if any((directory / t).glob("day=*/*.parquet"))]


def _empty(manifest: dict[str, Any], present: list[str]) -> list[str]:
    """The tables the export holds with no rows (no day yet): those its manifest describes.
    An export of schema 1 has no ``survey_answers`` or ``promises`` at all: the report leaves
    their metrics empty, as for a warehouse older than those tables."""
    described = manifest.get("tables", {})
    return [t for t in DAY_OF if t in described and t not in present]


def open_facts(
    target: Path | str, backend: str | None = None, *, remote: str | None = None
) -> Facts:
    """The export ``target`` on ``backend``: a directory on ``duckdb`` (the default) or
    ``spark`` (``remote``: a Spark Connect address), a PostgreSQL database URL on
    ``postgres`` (:mod:`carecenter.adapters.pg_facts`)."""
    from carecenter.adapters.pg_facts import is_pg_url, open_pg

    database = isinstance(target, str) and is_pg_url(target)
    backend = backend or ("postgres" if database else "duckdb")
    if backend not in BACKENDS:
        raise InputError(
            f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}", field="backend"
        )
    if remote is not None and backend != "spark":
        raise InputError("--spark-remote needs --backend spark", field="spark_remote")
    if database != (backend == "postgres"):
        raise InputError(
            "--backend postgres reads a database URL (postgresql://...), the others a directory",
            field="backend",
        )
    if database:
        con, zone = open_pg(str(target))
        return Facts(con, zone, tuple(DAY_OF))
    directory = Path(target)
    manifest = read_layout(directory)
    tables = _present(directory)
    if "contact_facts" not in tables and "agent_state_intervals" not in tables:
        raise InputError(f"{directory}: the export holds no facts yet", field="facts")
    con = _duckdb(directory, tables) if backend == "duckdb" else _spark(directory, tables, remote)
    for table in _empty(manifest, tables):
        con.create_view(table, ibis_empty(table), overwrite=True)
    return Facts(con, manifest["timezone"], tuple(tables))


def ibis_empty(table: str) -> Any:
    """An empty in-memory table with the columns of the warehouse's ``table``."""
    import ibis  # type: ignore[import-untyped]

    from carecenter.adapters.warehouse_schema import TABLES, arrow_table

    return ibis.memtable(arrow_table(TABLES[table], []))


def _duckdb(directory: Path, tables: list[str]) -> Any:
    import ibis

    con = ibis.duckdb.connect()
    for table in tables:
        glob = str(directory / table / "day=*" / "*.parquet")
        con.read_parquet(glob, table_name=table, hive_partitioning=True)
    return con


def spark_session(remote: str | None = None) -> Any:
    """The Spark session of this process (made on first use): local mode on every core, or a
    Spark Connect session with the server at ``remote``."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise WorkspaceError(f"--backend spark needs PySpark: {SPARK_EXTRA}") from None
    builder: Any = SparkSession.builder
    if remote is not None:
        if not remote.startswith("sc://"):
            raise InputError(
                f"{remote!r} is not a Spark Connect address sc://HOST[:PORT]",
                field="spark_remote",
            )
        if importlib.util.find_spec("grpc") is None:
            raise WorkspaceError(f"--spark-remote needs Spark Connect: {SPARK_EXTRA}") from None
        return builder.remote(remote).getOrCreate()
    cores = os.cpu_count() or 1
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # local mode: no network to look for
    log = Path(__file__).with_name("templates") / "spark-log4j2.properties"
    session = (
        builder.master(f"local[{cores}]")
        .appName("carecenter")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={log.as_uri()}")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(4 * cores))
        .config("spark.driver.memory", os.environ.get("CARECENTER_SPARK_DRIVER_MEMORY", "4g"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _spark(directory: Path, tables: list[str], remote: str | None) -> Any:
    try:
        import ibis

        session = spark_session(remote)
        if remote is not None:
            session.conf.set("spark.sql.session.timeZone", "UTC")
        con = ibis.pyspark.connect(session)
    except ImportError:
        raise WorkspaceError(f"--backend spark needs PySpark: {SPARK_EXTRA}") from None
    for table in tables:
        con.read_parquet(str((directory / table).resolve()), table_name=table)
    return con


__all__ = ["BACKENDS", "Facts", "open_facts", "read_layout", "spark_session"]
