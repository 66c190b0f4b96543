"""Staging of Asterisk queue_log records in DuckDB, before the fold (:mod:`.queue_log`).

Each file's records land in a temporary table of their own (a pipe file DuckDB reads whole, in
one pass; the PBXware CSV layout moved to the classic places per event) or in the chunk table
``_ql_ev0`` (records the importer reads itself); the view ``_ql_ev`` sees them together, one
row per record in log order ``seq``. Every number the fold reads is validated here: a record
with a bad one, or of an unknown event, keeps its text (``raw``) and its reason (``bad``).
"""

from __future__ import annotations

from collections.abc import Sequence

from carecenter.ingest.queue_log import (
    COMPLETE,
    KNOWN_EVENTS,
    RING,
    TRANSFER,
    sql_list,
)

STAGING = """
CREATE TEMP TABLE IF NOT EXISTS _ql_ev0 (
    seq BIGINT, file INTEGER, line BIGINT, t DOUBLE, callid VARCHAR, queue VARCHAR,
    agent VARCHAR, event VARCHAR, d1 VARCHAR, d2 VARCHAR,
    n1 DOUBLE, n2 DOUBLE, n3 DOUBLE, n4 DOUBLE, raw VARCHAR, bad VARCHAR
);
CREATE TEMP TABLE IF NOT EXISTS _ql_agent_ids (name VARCHAR, id VARCHAR);
"""
"""The records staged in chunks (CSV exports, pipe files DuckDB cannot read whole). data3 to
data5 are only checked while staging (:data:`VALIDATE`); the fold reads their numbers. And the
agent ids (:data:`AGENT_IDS`), none until they are given."""


def file_table(number: int) -> str:
    """The staging table of file ``number`` when DuckDB reads it whole."""
    return f"_ql_f{int(number)}"


def events_view(files: Sequence[int]) -> str:
    """``_ql_ev``: every staged record, those of ``_ql_ev0`` and those of the files read whole
    (:func:`file_table`, numbered by ``rowid``)."""
    parts = ["SELECT * FROM _ql_ev0"] + [
        f"SELECT (CAST({n} AS BIGINT) << 40) + rowid + 1 AS seq, {n} AS file, "
        f"rowid + 1 AS line, * FROM {file_table(n)}"
        for n in files
    ]
    return "CREATE OR REPLACE TEMP VIEW _ql_ev AS " + "\nUNION ALL ".join(parts)


def _bad_number(column: str, event: tuple[str, ...] | str, name: str) -> str:
    events = sql_list(event if isinstance(event, tuple) else (event,))
    return (
        f"WHEN event IN {events} AND {column} <> '' AND n{column[1:]} IS NULL "
        f"THEN event || ' {name}: not a number: ''' || {column} || ''''"
    )


VALIDATE = "\n".join(
    [
        "CASE",
        "WHEN bad0 IS NOT NULL THEN bad0",
        "WHEN event = '' THEN 'no event name'",
        _bad_number("d1", RING, "ringtime"),
        _bad_number("d1", "CONNECT", "holdtime"),
        _bad_number("d3", "CONNECT", "ringtime"),
        _bad_number("d1", COMPLETE, "holdtime"),
        _bad_number("d2", COMPLETE, "calltime"),
        _bad_number("d3", TRANSFER, "holdtime"),
        _bad_number("d4", TRANSFER, "calltime"),
        _bad_number("d3", ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY"), "waittime"),
        _bad_number("d4", "EXITWITHKEY", "waittime"),
        "END",
    ]
)
"""The quarantine reason of a staged record (``bad0``: a reason found while parsing)."""

_KNOWN = sql_list(tuple(sorted(KNOWN_EVENTS)))


def _staged(source: str, raw: str) -> str:
    """The staging columns from ``t`` on, of a relation with columns t, callid, queue, agent,
    event, d1..d5 and bad0; ``raw``, the record's text, is computed for reported records only.
    Only the numbers the fold reads are parsed (of data2, the calltime of a COMPLETE)."""
    return f"""t, callid, queue, agent, event, d1, d2, n1, n2, n3, n4,
       CASE WHEN bad IS NOT NULL OR event NOT IN {_KNOWN} THEN {raw} END AS raw, bad
FROM (
    SELECT *, {VALIDATE} AS bad
    FROM (SELECT *, TRY_CAST(d1 AS DOUBLE) AS n1,
                 CASE WHEN event IN {sql_list(COMPLETE)} THEN TRY_CAST(d2 AS DOUBLE) END AS n2,
                 TRY_CAST(d3 AS DOUBLE) AS n3, TRY_CAST(d4 AS DOUBLE) AS n4
          FROM {source})
)"""


INSERT = "INSERT INTO _ql_ev0\nSELECT (CAST(? AS BIGINT) << 40) + line, ?, line, " + _staged(
    "{source}", "raw"
)
"""Stage a relation with columns line, t, callid, queue, agent, event, d1..d5, raw, bad0."""

PIPE_CHUNK = """
(SELECT line, raw, TRY_CAST(p[1] AS DOUBLE) AS t, p[2] AS callid, p[3] AS queue,
        p[4] AS agent, coalesce(p[5], '') AS event, coalesce(p[6], '') AS d1,
        coalesce(p[7], '') AS d2, coalesce(p[8], '') AS d3, coalesce(p[9], '') AS d4,
        coalesce(p[10], '') AS d5,
        CASE WHEN len(p) < 5 THEN 'fewer than 5 fields'
             WHEN TRY_CAST(p[1] AS DOUBLE) IS NULL
             THEN 'time: not a number: ''' || p[1] || '''' END AS bad0
 FROM (SELECT line, rtrim(raw, chr(13) || chr(10)) AS raw,
              string_split(rtrim(raw, chr(13) || chr(10)), '|') AS p
       FROM _ql_chunk)
 WHERE trim(raw) <> '')
"""
"""Raw pipe lines (``_ql_chunk``: line, raw) split into the staging columns."""

_WAIT_IN_DATA3 = ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY")
PBXWARE_CHUNK = f"""
(SELECT line, t, callid, queue, agent, event,
        CASE WHEN event IN {sql_list(("CONNECT", *COMPLETE))} THEN d4
             WHEN event = 'ENTERQUEUE' THEN '' ELSE d1 END AS d1,
        CASE WHEN event = 'ENTERQUEUE' THEN d1
             WHEN event IN {sql_list(COMPLETE)} THEN d5 ELSE d2 END AS d2,
        CASE WHEN event IN {sql_list((*TRANSFER, *_WAIT_IN_DATA3))} THEN d4
             WHEN event = 'CONNECT' THEN '' ELSE d3 END AS d3,
        CASE WHEN event IN {sql_list(TRANSFER)} THEN d5
             WHEN event = 'EXITWITHKEY' THEN d4 ELSE '' END AS d4,
        '' AS d5, raw, bad0
 FROM _ql_chunk)
"""
"""A PBXware export's records (``_ql_chunk``, staged with data1..3 = param1..3, data4 = htime,
data5 = ttime) with their fields in the classic places: the caller (param1) is an ENTERQUEUE's
data2; htime, the seconds the caller waited in the queue, is the holdtime of CONNECT, COMPLETE
and TRANSFER and the waittime of ABANDON, EXIT...; ttime, the talk seconds, is the calltime of
COMPLETE and TRANSFER. PBXware logs no ringtime on CONNECT (unknown: the offer is the answer)."""

PIPE_COLUMNS = 10
_C = ", ".join(f"c{i}" for i in range(1, PIPE_COLUMNS + 1))
_READ_PIPE = (
    "read_csv(?, delim = '|', quote = '', escape = '', header = false, null_padding = true, "
    "nullstr = chr(1), strict_mode = false, auto_detect = false, columns = {"
    + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(1, PIPE_COLUMNS + 1))
    + "})"
)
"""The whole pipe file read by DuckDB (in parallel). Blank lines are skipped, so the row number
is the line number only when the file has none."""

_FILE_SOURCE = f"""
(SELECT *, TRY_CAST(c1 AS DOUBLE) AS t, c2 AS callid, c3 AS queue, c4 AS agent,
        coalesce(c5, '') AS event, coalesce(c6, '') AS d1, coalesce(c7, '') AS d2,
        coalesce(c8, '') AS d3, coalesce(c9, '') AS d4, coalesce(c10, '') AS d5,
        CASE WHEN c5 IS NULL THEN 'fewer than 5 fields'
             WHEN TRY_CAST(c1 AS DOUBLE) IS NULL
             THEN 'time: not a number: ''' || c1 || '''' END AS bad0
 FROM {_READ_PIPE})
"""


def stage_file(number: int) -> str:
    """Read a pipe file (the one parameter) whole into :func:`file_table`, in line order: its
    ``rowid + 1`` is the line number when the file has no blank line. One pass, no copy."""
    return f"CREATE OR REPLACE TEMP TABLE {file_table(number)} AS SELECT " + _staged(
        _FILE_SOURCE, f"concat_ws('|', {_C})"
    )
