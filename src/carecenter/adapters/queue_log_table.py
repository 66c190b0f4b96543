"""Following the ``queue_log`` table that Asterisk realtime writes to MariaDB/MySQL or
PostgreSQL (``carecenter monitor --queue-log-table URL``).

The table has the columns ``id`` (auto-increment), ``time``, ``callid``, ``queuename``,
``agent``, ``event``, and either ``data`` (the event's fields separated by ``|``) or, with
``queue_adaptive_realtime``, ``data1`` .. ``data5`` (sometimes only to ``data4``; the last one
holds the rest of the fields, ``|`` included). Column names are matched without regard to case.
:class:`TableFollower` reads the rows after the last ``id`` it handed out, in ``id`` order, and
renders each as the line Asterisk would have written to the ``queue_log`` file::

    epoch|callid|queuename|agent|event|data1|data2|...

so the one file importer reads both. With ``data1`` .. ``data5`` the empty trailing fields are
left out (Asterisk stores a missing field as an empty one), keeping at least one: a row of
``ENTERQUEUE`` with data ``'', '5551234', '1', '', ''`` is ``...|ENTERQUEUE||5551234|1``, an
``UNPAUSE`` without data ``...|UNPAUSE|``, as in the file.

Time: ``epoch`` is whole seconds, with the fraction (up to microseconds) when the value has one.
Asterisk stores the ``time`` as text, ``YYYY-MM-DD HH:MM:SS.ffffff``, in the local time of the
Asterisk server, or in UTC with ``queue_log_realtime_use_gmt = yes`` in ``logger.conf``; a
``DATETIME`` or ``VARCHAR`` column keeps that text as it is, so ``time_zone`` must name the zone
it was written in (the Asterisk server's, e.g. ``Europe/Paris``; ``UTC`` with
``queue_log_realtime_use_gmt``). In the hour a clock goes back the first of the two times is
meant. Two column types store something else:

- MySQL/MariaDB ``TIMESTAMP`` converts the text from the writing session's ``time_zone`` to UTC
  and back to the reading session's: the follower's session uses the database server's default
  (``@@global.time_zone``), as Asterisk's does, so ``time_zone`` is still the zone Asterisk wrote
  in, unless one of the two sessions sets another.
- PostgreSQL ``timestamp with time zone`` reads text without an offset in the server's
  ``TimeZone`` setting: the values read carry their offset and ``time_zone`` is not used; they
  are right when that setting is the Asterisk server's zone.

A time that is neither a date-time nor epoch seconds is passed on as it is (the importer
quarantines the line) and counted in :attr:`TableFollower.undated`.

Limits: the follower trusts ``id`` order to be commit order. Asterisk inserts each row in its own
transaction, so a row becomes visible with a higher ``id`` than the rows before it; a writer
whose transactions commit out of ``id`` order (several writers in long transactions) can have a
row with a lower ``id`` appear after a higher one was read, and that row is missed. When the
table's highest ``id`` falls below the last one read (``TRUNCATE``, a counter reset) or the
table becomes empty, the follower starts again from its first row (counted in
:attr:`TableFollower.resets`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Column, Connection, Engine, MetaData, Table, create_engine, func, select
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    NoSuchTableError,
    OperationalError,
    ProgrammingError,
)

from carecenter.adapters.follow_state import read_json_state, write_json_atomic
from carecenter.adapters.store.engine import safe_url
from carecenter.errors import InputError, StoreError, StoreUnavailableError
from carecenter.ingest.timezones import zone

REQUIRED = ("id", "time", "callid", "queuename", "agent", "event")
"""The columns every Asterisk ``queue_log`` table has (besides ``data`` or ``data1``...)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NUMBER = re.compile(r"-?\d+(\.\d*)?")
_LAYOUT = "an Asterisk queue_log table has id, time, callid, queuename, agent, event and data"


def _shown(url: str) -> str:
    try:
        return safe_url(url)
    except (ArgumentError, ValueError):
        return "the database URL"


def _reason(exc: BaseException) -> str:
    error = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = [s.strip() for s in str(error).splitlines() if s.strip()]
    return lines[0] if lines else type(error).__name__


def epoch_text(moment: datetime) -> str:
    """Epoch seconds of an aware ``moment``: whole seconds, with the fraction (microseconds,
    trailing zeros dropped) when there is one."""
    delta = moment - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    sign = "-" if micros < 0 else ""
    seconds, fraction = divmod(abs(micros), 1_000_000)
    if not fraction:
        return f"{sign}{seconds}"
    return f"{sign}{seconds}.{fraction:06d}".rstrip("0")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        text = bytes(value).decode("utf-8", errors="replace")
    else:
        text = str(value)
    return text.replace("\r", " ").replace("\n", " ") if "\n" in text or "\r" in text else text


class TableFollower:
    """Follows an Asterisk realtime ``queue_log`` table (see the module's documentation) at the
    SQLAlchemy ``url`` (``mysql+pymysql://``, ``mariadb+pymysql://``,
    ``postgresql+psycopg://``); ``table`` may be ``schema.table``.

    The last ``id`` handed out is kept in ``state_path`` (JSON) by :meth:`commit`. ``start``
    says where a first run (no state file) begins: at the table's first row or after its last.
    ``time_zone`` is the zone of times stored without an offset. ``batch`` bounds the rows of
    one :meth:`poll`.

    Raises :class:`~carecenter.errors.StoreUnavailableError` when the database cannot be
    reached (the password hidden), :class:`~carecenter.errors.InputError` for a missing table
    or column, an unknown zone, or a state file that cannot be read.
    """

    def __init__(
        self,
        url: str,
        table: str = "queue_log",
        state_path: Path | None = None,
        *,
        batch: int = 10_000,
        time_zone: str = "UTC",
        start: Literal["beginning", "end"] = "beginning",
    ) -> None:
        self.url = url
        self.shown = _shown(url)
        """The URL with its password hidden, for messages."""
        self.table = table
        self.state_path = state_path
        self.batch = batch
        self.zone: tzinfo = zone(time_zone)
        self.rows = 0
        """Rows handed out."""
        self.undated = 0
        """Rows whose time was neither a date-time nor epoch seconds."""
        self.resets = 0
        """Times the table was found emptied or its ``id`` counter reset."""
        self._saved = False
        self.last_id: int | None = self._load()
        """The ``id`` of the last row handed out (``None``: none yet)."""
        self._engine = self._make_engine()
        try:
            self._columns, self._split = self._reflect()
            if not self._saved and start == "end":  # a first run
                self.last_id = self._max_id()
        except BaseException:
            self._engine.dispose()
            raise

    # -- public --------------------------------------------------------------------------
    def poll(self) -> list[str]:
        """The rows after the last one handed out, at most ``batch`` of them, in ``id`` order,
        rendered as ``queue_log`` file lines (without a newline). Call again until it returns
        nothing."""
        id_ = self._columns[0]
        query = select(*self._columns).order_by(id_).limit(self.batch)
        if self.last_id is not None:
            query = query.where(id_ > self.last_id)
        with self._connection() as connection:
            rows = connection.execute(query).all()
        if not rows:
            if self.last_id is not None:
                top = self._max_id()
                if top is None or top < self.last_id:  # emptied, or its counter reset
                    self.resets += 1
                    self.last_id = None
                    return self.poll()
            return []
        self.last_id = int(rows[-1][0])
        self.rows += len(rows)
        return [self.render(row) for row in rows]

    def render(self, row: Sequence[Any]) -> str:
        """The ``queue_log`` file line of a row of (id, time, callid, queuename, agent, event,
        data columns...)."""
        _, time, callid, queue, agent, event, *data = row
        fields = [self._epoch(time), _text(callid), _text(queue), _text(agent), _text(event)]
        texts = [_text(d) for d in data]
        if self._split:
            while len(texts) > 1 and not texts[-1]:
                texts.pop()
        return "|".join(fields + texts)

    def state(self) -> dict[str, Any]:
        """What :meth:`commit` stores: ``{"url": ..., "table": ..., "last_id": ...}`` (the URL
        without its password)."""
        return {"url": self.shown, "table": self.table, "last_id": self.last_id}

    def commit(self) -> None:
        """Store the ``id`` of the last row handed out in the state file (atomically); call it
        after the lines have been stored. Nothing happens without a state file."""
        if self.state_path is not None:
            write_json_atomic(self.state_path, self.state())

    def close(self) -> None:
        """Close the database connections."""
        self._engine.dispose()

    def __enter__(self) -> TableFollower:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- time ------------------------------------------------------------------------------
    def _epoch(self, value: Any) -> str:
        if isinstance(value, datetime):
            moment = value if value.tzinfo is not None else value.replace(tzinfo=self.zone)
            return epoch_text(moment)
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, float):
            return repr(value).removesuffix(".0")
        text = _text(value).strip()
        if _NUMBER.fullmatch(text):
            return text
        try:
            return self._epoch(datetime.fromisoformat(text))
        except ValueError:
            self.undated += 1
            return text

    # -- database --------------------------------------------------------------------------
    def _make_engine(self) -> Engine:
        try:
            return create_engine(self.url, pool_pre_ping=True)
        except (ArgumentError, ImportError) as exc:
            raise StoreUnavailableError(
                f"{self.shown}: cannot use this database URL: {_reason(exc)}"
            ) from None

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A connection; a database that cannot be reached or read is a one-line error."""
        try:
            with self._engine.connect() as connection:
                yield connection
        except DBAPIError as exc:
            where = f"queue_log table {self.table!r}"
            if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
                message = f"{self.shown}: cannot read the {where}: {_reason(exc)}"
                raise StoreUnavailableError(message) from None
            if isinstance(exc, ProgrammingError):
                message = f"cannot read the {where}: {_reason(exc)}"
                raise InputError(message, file=self.shown) from None
            raise StoreError(f"{self.shown}: {where}: {_reason(exc)}") from None

    def _reflect(self) -> tuple[list[Column[Any]], bool]:
        """The columns to read (id, time, callid, queuename, agent, event, data...) and whether
        the data are split in ``data1``, ``data2``...; checks the table is a queue_log."""
        schema, _, name = self.table.rpartition(".")
        try:
            with self._connection() as connection:
                table = Table(name, MetaData(), schema=schema or None, autoload_with=connection)
        except NoSuchTableError:
            raise InputError(
                f"no table {self.table!r} in this database", file=self.shown, field="table"
            ) from None
        columns = {c.name.lower(): c for c in table.columns}
        for required in REQUIRED:
            if required not in columns:
                problem = (
                    "without an auto-increment id there is no safe place to resume from; "
                    f"add one (ALTER TABLE {self.table} ADD id BIGINT AUTO_INCREMENT "
                    "PRIMARY KEY on MySQL, ADD id BIGSERIAL PRIMARY KEY on PostgreSQL)"
                    if required == "id"
                    else _LAYOUT + " (or data1..data5)"
                )
                raise InputError(
                    f"table {self.table!r} has no column {required!r}: {problem}",
                    file=self.shown,
                    field=required,
                )
        if not isinstance(columns["id"].type, sqltypes.Integer):
            raise InputError(
                f"column 'id' of table {self.table!r} is {columns['id'].type}, not an "
                "integer: it cannot order the rows",
                file=self.shown,
                field="id",
            )
        split = [columns[f"data{n}"] for n in range(1, 100) if f"data{n}" in columns]
        if not split and "data" not in columns:
            raise InputError(
                f"table {self.table!r} has neither a 'data' column nor 'data1'..'data5': "
                + _LAYOUT
                + " (or data1..data5)",
                file=self.shown,
                field="data",
            )
        data = split or [columns["data"]]
        return [columns[c] for c in REQUIRED] + data, bool(split)

    def _max_id(self) -> int | None:
        with self._connection() as connection:
            top = connection.execute(select(func.max(self._columns[0]))).scalar()
        return None if top is None else int(top)

    def _load(self) -> int | None:
        if self.state_path is None:
            return None
        data = read_json_state(self.state_path)
        self._saved = data is not None
        if data is None:
            return None
        last = data.get("last_id", "?") if isinstance(data, dict) else "?"
        if last is not None and type(last) is not int:
            raise InputError(
                f"not a queue_log table state file (last_id: {last!r}); delete it to start over",
                file=str(self.state_path),
            )
        if data.get("table") != self.table:
            raise InputError(
                f"the state of table {data.get('table')!r}, not {self.table!r}: name another "
                "state file",
                file=str(self.state_path),
            )
        return last
