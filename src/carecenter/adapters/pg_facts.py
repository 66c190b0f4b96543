"""Facts kept in PostgreSQL: the export of :mod:`carecenter.adapters.parquet_export`, with a
PostgreSQL database as its target instead of a directory.

The database holds the four exported tables under the warehouse's names and columns (PostgreSQL
types), each with a ``day`` column (the row's center day, as the Parquet export's partition)
and an index on it, and two bookkeeping tables:

* ``carecenter_export``: the export's schema version and time zone (one row each);
* ``carecenter_export_days``: per table and day, the row count and the fingerprint the
  Parquet manifest keeps.

An export rewrites only the days whose fingerprint changed: one transaction per table and day
deletes the day's rows, copies the new ones in (``COPY ... FROM STDIN``, CSV) and records the
day, so a reader sees a day whole, before or after. The metric catalog then runs on the database
through Ibis' PostgreSQL backend (``carecenter report --facts postgresql://...``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import duckdb

from carecenter.adapters.parquet_export import (
    DAY_OF,
    SCHEMA_VERSION,
    DayExport,
    days_filter,
    fingerprints,
    held_tables,
    plan_days,
)
from carecenter.adapters.warehouse_schema import KEYS, SQL_TYPES, TABLES, columns
from carecenter.errors import InputError, StoreError

META, DAYS = "carecenter_export", "carecenter_export_days"
PG_TYPES = {**SQL_TYPES, float: "DOUBLE PRECISION"}
"""The PostgreSQL type of each Python field type of a row class."""
URL_PREFIXES = ("postgresql://", "postgresql+psycopg://", "postgres://")


def is_pg_url(text: str) -> bool:
    """Whether ``text`` names a PostgreSQL database rather than a directory."""
    return text.startswith(URL_PREFIXES)


def _dsn(url: str) -> str:
    """A libpq URI of the SQLAlchemy-style ``url`` (``postgresql+psycopg://`` -> ``postgresql://``)."""
    return "postgresql://" + url.split("://", 1)[1]


def shown_url(url: str) -> str:
    """``url`` without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _open(url: str, *, autocommit: bool = False) -> Any:
    """A psycopg connection to ``url``; a :class:`StoreError` when it cannot be reached."""
    import psycopg

    try:
        return psycopg.connect(_dsn(url), autocommit=autocommit)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"{shown_url(url)}: cannot connect ({first})") from None


@contextmanager
def connect(url: str) -> Iterator[Any]:
    """A psycopg connection to ``url`` (see :func:`_open`), committed and closed on leaving."""
    with _open(url) as conn:
        yield conn


def _create(conn: Any) -> None:
    for table in DAY_OF:
        cols = ", ".join(f"{n} {PG_TYPES[tp]}" for n, tp in columns(TABLES[table]))
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols}, day DATE NOT NULL)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_day ON {table} (day)")
    conn.execute(f"CREATE TABLE IF NOT EXISTS {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {DAYS} (tbl TEXT, day DATE, rows BIGINT NOT NULL, "
        "fingerprint TEXT NOT NULL, PRIMARY KEY (tbl, day))"
    )


def read_meta(conn: Any) -> dict[str, str]:
    """The export's schema version and time zone in the database (empty: none yet)."""
    found = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = %s "
        "AND table_schema = current_schema()",
        (META,),
    ).fetchone()
    if not found or not found[0]:
        return {}
    return dict(conn.execute(f"SELECT key, value FROM {META}").fetchall())


def _check(url: str, meta: dict[str, str], zone: str) -> None:
    if meta and meta.get("schema") != str(SCHEMA_VERSION):
        raise InputError(
            f"{shown_url(url)}: holds export schema {meta.get('schema')}; this version writes "
            f"{SCHEMA_VERSION}",
            field="to",
        )
    if meta and meta.get("timezone") != zone:
        raise InputError(
            f"{shown_url(url)}: its days are in time zone {meta.get('timezone')}; the center's is "
            f"{zone}; export to another database or schema",
            field="to",
        )


def _stored(conn: Any, table: str) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        f"SELECT day, rows, fingerprint FROM {DAYS} WHERE tbl = %s", (table,)
    ).fetchall()
    return {d.isoformat(): {"rows": int(n), "fingerprint": fp} for d, n, fp in rows}


def _copy_day(
    source: duckdb.DuckDBPyConnection, conn: Any, table: str, zone: str, day: date
) -> None:
    """Replace ``table``'s rows of ``day`` in the database by the warehouse's."""
    import pyarrow.csv as pacsv

    names = [n for n, _ in columns(TABLES[table])]
    order = ", ".join(KEYS[table])
    where = days_filter(table, zone, day, day)
    reader = source.sql(
        f"SELECT {', '.join(names)} FROM {table} WHERE {where} ORDER BY {order}"
    ).to_arrow_reader()
    conn.execute(f"DELETE FROM {table} WHERE day = %s", (day,))
    sql = f"COPY {table} ({', '.join([*names, 'day'])}) FROM STDIN (FORMAT csv)"
    with conn.cursor().copy(sql) as copy:
        for batch in reader or ():
            buffer = io.BytesIO()
            pacsv.write_csv(
                batch.append_column("day", _days(batch.num_rows, day)),
                buffer,
                pacsv.WriteOptions(include_header=False),
            )
            copy.write(buffer.getvalue())


def _days(count: int, day: date) -> Any:
    import pyarrow as pa

    return pa.array([day] * count, type=pa.date32())


def export_facts_pg(
    source: duckdb.DuckDBPyConnection,
    url: str,
    *,
    zone: str,
    first: date | None = None,
    last: date | None = None,
) -> list[DayExport]:
    """Export the center days ``first..last`` (``None``: open) of the warehouse ``source``'s
    fact tables to the PostgreSQL database ``url`` (see the module); what was done to each
    table's day, by table then day."""
    done: list[DayExport] = []
    with connect(url) as conn:
        meta = read_meta(conn)
        _check(url, meta, zone)
        with conn.transaction():
            _create(conn)
            for key, value in (("schema", str(SCHEMA_VERSION)), ("timezone", zone)):
                conn.execute(
                    f"INSERT INTO {META} VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                    (key, value),
                )
        for table in held_tables(source):
            done += _export_table(source, conn, table, zone, first, last)
    return done


def _export_table(
    source: duckdb.DuckDBPyConnection,
    conn: Any,
    table: str,
    zone: str,
    first: date | None,
    last: date | None,
) -> list[DayExport]:
    now = fingerprints(source, table, zone, first, last)
    done = []
    for day, action in plan_days(now, _stored(conn, table), first, last):
        when = date.fromisoformat(day)
        if action == "removed":
            with conn.transaction():
                conn.execute(f"DELETE FROM {table} WHERE day = %s", (when,))
                conn.execute(f"DELETE FROM {DAYS} WHERE tbl = %s AND day = %s", (table, when))
            done.append(DayExport(table, when, 0, action))
            continue
        if action == "written":
            with conn.transaction():
                _copy_day(source, conn, table, zone, when)
                conn.execute(
                    f"INSERT INTO {DAYS} VALUES (%s, %s, %s, %s) ON CONFLICT (tbl, day) DO "
                    "UPDATE SET rows = excluded.rows, fingerprint = excluded.fingerprint",
                    (table, when, now[day]["rows"], now[day]["fingerprint"]),
                )
        done.append(DayExport(table, when, now[day]["rows"], action))
    return done


def open_pg(url: str) -> tuple[Any, str]:
    """An Ibis PostgreSQL backend over the export in the database ``url``, and the time zone
    of its days; an :class:`InputError` naming ``facts`` when it holds no export."""
    import ibis  # type: ignore[import-untyped]

    conn = _open(url, autocommit=True)
    meta = read_meta(conn)
    if not meta:
        conn.close()
        raise InputError(
            f"{shown_url(url)}: holds no export; write it with carecenter export facts --to URL",
            field="facts",
        )
    if meta.get("schema") != str(SCHEMA_VERSION):
        conn.close()
        raise InputError(
            f"{shown_url(url)}: export schema {meta.get('schema')}; this version reads "
            f"{SCHEMA_VERSION}",
            field="facts",
        )
    return ibis.postgres.from_connection(conn), meta["timezone"]


__all__ = ["export_facts_pg", "is_pg_url", "open_pg", "read_meta", "shown_url"]
