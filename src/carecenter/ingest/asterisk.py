"""``asterisk-queue-log``: the classic pipe file and database-table exports (CSV).

The classic file has one event a line: ``epoch|callid|queue|agent|event|data1|data2...``.
A table export is a CSV file with a header; its columns are recognised by their usual names
(:data:`~carecenter.ingest.queue_log_csv.SYNONYMS`; case and spaces do not matter) and
``--map FIELD=COLUMN`` names the others. Times in a CSV may be epoch seconds or date-times
(``2024-03-01 09:00:00``, ISO 8601).
When the header has several time columns (a PBXware export has the epoch ``date_time`` and the
local-time text ``time``), the one holding epoch seconds in the first record is used; a
date-time without a UTC offset is read in the ``--tz`` zone, else the workspace's
(``center.yaml`` ``timezone``), else UTC. The summary notes which column and zone were used.

A PBXware ``queue_log`` table export (header ``uid, date_time, callid, queue_name, type, event,
param1, param2, param3, entpos, expos, htime, ttime, time``) is recognised by its header: the
agent is in ``type``, the caller in ``param1``, the hold (queue wait) and talk seconds in
``htime`` and ``ttime`` (see :data:`~carecenter.ingest.queue_log_staging.PBXWARE_CHUNK`).

Which of the two a file is, is decided by its first line: ``number|...|...|...|EVENT`` is the
pipe format, anything else is a CSV header (separated by ``,``, ``;``, tab or ``|``).

Records are staged, file after file, in temporary tables of the sink's DuckDB connection (which
spill to disk when big, so a log never has to fit in memory) and folded when the last file is
read (see
:mod:`~carecenter.ingest.queue_log`), so a call that spans two rotated files is
joined.
"""

from __future__ import annotations

import csv
import threading
import typing
from collections.abc import Iterator, Mapping, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from carecenter.errors import InputError
from carecenter.ingest import queue_log as sql
from carecenter.ingest import queue_log_staging as staging
from carecenter.ingest.agent_ids import agent_ids
from carecenter.ingest.common import FactSink, TextFile
from carecenter.ingest.folding import EventFolder, collector_paused
from carecenter.ingest.queue_agents import AgentFold
from carecenter.ingest.queue_log_csv import (
    PBXWARE_HEADER,
    SYNONYMS,
    column_key,
    csv_reader,
    find_columns,
    time_column,
    time_parser,
)
from carecenter.ingest.timezones import zone

_CHUNK_BYTES = 1 << 24
_CSV_CHUNK_ROWS = 200_000
_STAGED = ("line", "t", "callid", "queue", "agent", "event", "d1", "d2", "d3", "d4", "d5")


def _is_pipe(line: str) -> bool:
    parts = line.split("|")
    return len(parts) >= 5 and parts[0].strip().replace(".", "", 1).isdigit()


class AsteriskQueueLog:
    """Importer of Asterisk queue_log files (pipe or CSV)."""

    source = "asterisk"

    def __init__(
        self,
        mapping: Mapping[str, str] | None = None,
        time_zone: str | None = None,
        callback_keys: Sequence[str] = (),
        center_time_zone: str | None = None,
        agent_aliases: Mapping[str, str] | None = None,
    ) -> None:
        unknown = sorted(set(mapping or {}) - set(SYNONYMS))
        if unknown:
            raise InputError(
                f"unknown field {unknown[0]!r}; fields are {', '.join(SYNONYMS)}", field="map"
            )
        self.mapping = dict(mapping or {})
        self.callback_keys = tuple(callback_keys)
        """EXITWITHKEY keys that request a callback (``--callback-key``): such a visit's
        outcome is ``callback``, the others' ``exited``."""
        self.agent_aliases = dict(agent_aliases or {})
        """Agent name -> agent id (``center.yaml`` ``agent_aliases``), before the rules of
        :mod:`~carecenter.ingest.agent_ids`."""
        self.zone: tzinfo = zone(time_zone or center_time_zone or "UTC")
        """Zone of date-times without a UTC offset: ``--tz``, else the workspace's, else UTC."""
        self.zone_said = (
            f"{time_zone}, from --tz"
            if time_zone
            else f"{center_time_zone}, the workspace's time zone"
            if center_time_zone
            else "UTC: no --tz and no workspace time zone"
        )
        self._db: duckdb.DuckDBPyConnection | None = None
        self._files = 0
        self._whole: list[int] = []
        """The files DuckDB read whole (each in its own staging table)."""

    # -- the Importer protocol -------------------------------------------------------------
    def read(self, file: TextFile, sink: FactSink) -> None:
        db = self._staging(sink)
        self._files += 1
        number = self._files
        first, at = file.stream.readline(), 1
        while first and not first.strip():
            first, at = file.stream.readline(), at + 1
        if _is_pipe(first):
            if not self._stage_pipe_fast(db, number, file):
                file.stream.seek(0)
                self._stage_pipe(db, number, file)
        elif first:
            self._stage_csv(db, number, file, first, at, sink)
        self._report(db, number, sink)

    def finish(self, sink: FactSink) -> None:
        if self._db is None:
            return
        db = self._db
        try:
            self._agent_ids(db, sink)
            for statement in sql.FOLD:
                params: dict[str, Any] = {}
                if "$prefix" in statement:
                    params["prefix"] = f"{self.source}:"
                if "$callback_keys" in statement:
                    params["callback_keys"] = list(self.callback_keys)
                db.execute(statement, params or None)
            sink.table("contact_facts", sql.VISITS)
            sink.table("contacts", sql.CONTACTS)
            row = next(iter(db.execute(sql.NOTES).fetchall()), None)
            orphans, late = (int(row[0]), int(row[1])) if row else (0, 0)
            if orphans:
                sink.counts.notes["calls met without ENTERQUEUE"] += orphans
            if late:
                sink.counts.notes["events after their visit ended"] += late
            with collector_paused():
                agents = EventFolder(sink)
                AgentFold(agents).run(_rows(db.sql(sql.AGENT_EVENTS).to_arrow_table()))
                agents.finish()
                sink.flush()
        finally:
            self.close()

    def _agent_ids(self, db: duckdb.DuckDBPyConnection, sink: FactSink) -> None:
        """Give each agent name of the log its id (``_ql_agent_ids``); note the names merged
        into one id (see :mod:`~carecenter.ingest.agent_ids`)."""
        names = [str(name) for (name,) in db.execute(sql.AGENT_NAMES).fetchall()]
        ids, notes = agent_ids(names, self.agent_aliases)
        table = pa.table(
            {"name": pa.array(list(ids), pa.string()), "id": pa.array(list(ids.values()))},
            schema=pa.schema([("name", pa.string()), ("id", pa.string())]),
        )
        db.register("_ql_agent_ids_in", table)
        try:
            db.execute(sql.AGENT_IDS)
        finally:
            db.unregister("_ql_agent_ids_in")
        for note, count in notes.items():
            sink.counts.notes[note] += count

    def close(self) -> None:
        """Drop the staging tables."""
        if self._db is not None:
            db = self._db
            db.execute("DROP VIEW IF EXISTS _ql_visits")
            db.execute("DROP VIEW IF EXISTS _ql_ev")
            files = db.execute(
                "SELECT table_name FROM duckdb_tables() "
                "WHERE temporary AND regexp_full_match(table_name, '_ql_f[0-9]+')"
            ).fetchall()
            for table in (*sql.TEMP_TABLES, *(str(name) for (name,) in files)):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            self._db = None
            self._whole = []

    # -- staging ---------------------------------------------------------------------------
    def _staging(self, sink: FactSink) -> duckdb.DuckDBPyConnection:
        if self._db is None:
            self._db = typing.cast(duckdb.DuckDBPyConnection, sink.staging())
            self.close()  # what an interrupted import may have left
            self._db = typing.cast(duckdb.DuckDBPyConnection, sink.staging())
            self._db.execute(staging.STAGING)
            self._db.execute(staging.events_view(self._whole))
        return self._db

    def _stage_pipe_fast(self, db: duckdb.DuckDBPyConnection, number: int, file: TextFile) -> bool:
        """Let DuckDB read the whole file (in parallel); False when it cannot number the lines
        (blank lines, bad bytes, compressed files): then the file is read in chunks."""
        if file.path.suffix == ".gz":
            return False
        expected = _line_count(file.path)
        table = staging.file_table(number)
        try:
            _run(db, staging.stage_file(number), [str(file.path)], file)
            row = next(iter(db.execute(f"SELECT count(*) FROM {table}").fetchall()), None)
            if row and row[0] == expected:
                db.execute(staging.events_view([*self._whole, number]))
                self._whole.append(number)
                return True
        except duckdb.Error:
            pass
        db.execute(f"DROP TABLE IF EXISTS {table}")
        return False

    def _stage_pipe(self, db: duckdb.DuckDBPyConnection, number: int, file: TextFile) -> None:
        insert = staging.INSERT.format(source=staging.PIPE_CHUNK)
        lines: list[str] = []
        done = 0
        while True:
            lines.extend(file.stream.readlines(_CHUNK_BYTES))
            if not lines:
                break
            chunk = pa.table(
                {
                    "line": pa.array(range(done + 1, done + 1 + len(lines)), pa.int64()),
                    "raw": pa.array(lines, pa.string()),
                }
            )
            done += len(lines)
            db.register("_ql_chunk", chunk)
            try:
                db.execute(insert, [number, number])
            finally:
                db.unregister("_ql_chunk")
            file.report()
            lines = []

    def _stage_csv(
        self,
        db: duckdb.DuckDBPyConnection,
        number: int,
        file: TextFile,
        header: str,
        header_line: int,
        sink: FactSink,
    ) -> None:
        header = header.rstrip("\r\n")
        delimiter = max(",;\t|", key=header.count)
        names = next(csv.reader([header], delimiter=delimiter))
        pbxware = {column_key(n) for n in names} >= PBXWARE_HEADER
        index, split_data, times = find_columns(file, names, self.mapping, pbxware)
        width, parse = len(names), time_parser(self.zone)
        where = [header_line]
        if pbxware:
            sink.counts.notes["PBXware layout (agent: type, hold: htime, talk: ttime)"] += 1

        def texts() -> Iterator[str]:
            for line in file.stream:
                where[0] += 1
                if not where[0] % 65536:
                    file.report()
                yield line.rstrip("\r\n")

        columns: list[list[Any]] = [[] for _ in range(len(_STAGED) + 2)]
        source = staging.PBXWARE_CHUNK if pbxware else "_ql_chunk"
        for row in csv_reader(texts(), delimiter, file, where):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if times:
                index[0], epoch = time_column(names, row, times)
                said = (
                    "epoch seconds"
                    if epoch
                    else f"date-times; without a UTC offset read in {self.zone_said}"
                )
                sink.counts.notes[f"time from column {names[index[0]].strip()!r} ({said})"] += 1
                times = []
            raw, bad = delimiter.join(row), None
            row.append("")
            if len(row) <= width:
                p, bad = [""] * 10, f"fewer columns than the header ({width})"
            else:
                p = [row[i] for i in index]
                if split_data is not None:
                    p.extend(row[split_data].split("|"))
                    p = (p + [""] * 10)[:10]
            t, time_bad = parse(p[0])
            values = [where[0], t, *p[1:10], raw, bad or time_bad]
            for column, value in zip(columns, values, strict=True):
                column.append(value)
            if len(columns[0]) >= _CSV_CHUNK_ROWS:
                self._insert_columns(db, number, columns, source)
                columns = [[] for _ in range(len(_STAGED) + 2)]
        self._insert_columns(db, number, columns, source)
        file.report()

    def _insert_columns(
        self,
        db: duckdb.DuckDBPyConnection,
        number: int,
        columns: list[list[Any]],
        source: str = "_ql_chunk",
    ) -> None:
        if not columns[0]:
            return
        types = [pa.int64(), pa.float64()] + [pa.string()] * (len(columns) - 2)
        names = [*_STAGED, "raw", "bad0"]
        chunk = pa.table({n: pa.array(c, t) for n, c, t in zip(names, columns, types, strict=True)})
        db.register("_ql_chunk", chunk)
        try:
            db.execute(staging.INSERT.format(source=source), [number, number])
        finally:
            db.unregister("_ql_chunk")

    def _report(self, db: duckdb.DuckDBPyConnection, number: int, sink: FactSink) -> None:
        counts = sink.counts
        for line, event, raw, bad in db.execute(sql.FILE_REPORT, [number]).fetchall():
            if bad is not None:
                sink.quarantine(line, bad, raw)
            else:
                sink.unknown(line, event, raw)
        row = next(iter(db.execute(sql.FILE_COUNTS, [number]).fetchall()), None)
        counts.records += int(row[0]) if row else 0
        for event, n in db.execute(sql.FILE_IGNORED, [number]).fetchall():
            counts.ignored += n
            counts.notes[f"ignored: {event}"] += n


def _line_count(path: Path) -> int:
    """Lines in a file (a last line without its newline counts)."""
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _run(db: duckdb.DuckDBPyConnection, query: str, params: list[Any], file: TextFile) -> None:
    """Run ``query``, reporting DuckDB's progress on the file while it runs."""
    if file.progress is None:
        db.execute(query, params)
        return
    db.execute("SET enable_progress_bar = true")
    db.execute("SET enable_progress_bar_print = false")
    failure: list[BaseException] = []

    def work() -> None:
        try:
            db.execute(query, params)
        except BaseException as exc:  # re-raised below, in the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
        done = db.query_progress()
        if done > 0:
            file.progress(int(file.size * min(done, 100.0) / 100), file.size)
    if failure:
        raise failure[0]
    file.progress(file.size, file.size)


def _rows(table: pa.Table) -> Iterator[tuple[Any, ...]]:
    for batch in table.to_batches(100_000):
        yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)
