"""The Asterisk realtime ``queue_log`` table, followed on the real MariaDB and PostgreSQL
servers: rows are rendered as the lines Asterisk writes to the ``queue_log`` file, new rows
come after old ones, a restart resumes at the committed row."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, MetaData, Table, create_engine, text

from carecenter.adapters.queue_log_table import TableFollower
from carecenter.errors import InputError, StoreUnavailableError

PG_URL = os.environ.get("CARECENTER_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("CARECENTER_REQUIRE_POSTGRES") == "1"
PARIS = ZoneInfo("Europe/Paris")

FILE_LINES = [
    "1709280000|NONE|NONE|NONE|QUEUESTART|",
    "1709280001|NONE|support|PJSIP/1001|ADDMEMBER|",
    "1709280002|NONE|support|PJSIP/1001|PAUSE|Lunch",
    "1709280003|NONE|support|PJSIP/1001|UNPAUSE|",
    "1709280010|1709280010.42|support|NONE|ENTERQUEUE||5551234|1",
    "1709280015|1709280010.42|support|PJSIP/1002|RINGNOANSWER|2000",
    "1709280022|1709280010.42|support|PJSIP/1001|CONNECT|12|1709280017.43|4",
    "1709280150|1709280010.42|support|PJSIP/1001|COMPLETECALLER|12|128|1",
    "1709280200|1709280200.50|sales|NONE|ENTERQUEUE|http://crm/x?id=7|5559876|2",
    "1709280230|1709280200.50|sales|NONE|ABANDON|2|2|30",
    "1709280300|1709280300.60|sales|PJSIP/1003|BLINDTRANSFER|2000|from-internal|5|60|1",
    "1709280400|1709280400.70|sales|NONE|EXITWITHKEY|1|1|1|45",
    "1709280600|1709280600.80|sales|PJSIP/1003|ATTENDEDTRANSFER|LINK|PJSIP/1003-01|"
    "PJSIP/1004-02|10|95|1",
    "1709280700|NONE|support|PJSIP/1001|ADDMEMBER|PAUSED",
]
"""Lines as Asterisk writes them to the queue_log file (ATTENDEDTRANSFER has six fields: the
last data column holds two)."""

TIME_TYPES = {
    "mysql": {
        "datetime6": "DATETIME(6)",
        "datetime": "DATETIME",
        "timestamp6": "TIMESTAMP(6) NULL",
        "varchar": "VARCHAR(32)",
    },
    "postgresql": {
        "datetime6": "TIMESTAMP(6)",
        "datetime": "TIMESTAMP(0)",
        "timestamptz": "TIMESTAMP WITH TIME ZONE",
        "varchar": "VARCHAR(32)",
    },
}


@dataclass
class Db:
    """A test server: creates queue_log tables (dropped at the end) and inserts rows into them
    the way Asterisk realtime does."""

    url: str
    engine: Engine
    schema: str = ""
    tables: list[str] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def create(
        self, time_type: str = "datetime6", *, split: bool = True, id_: bool = True, width: int = 5
    ) -> str:
        """A new queue_log table (``data1``..``data<width>`` or ``data``): its name for the
        follower."""
        name = f"queue_log_{uuid.uuid4().hex[:10]}"
        qualified = f"{self.schema}.{name}" if self.schema else name
        key = (
            "id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
            if self.dialect == "mysql"
            else "id BIGSERIAL PRIMARY KEY, "
        )
        data = (
            ", ".join(f"data{n} VARCHAR(100) NOT NULL DEFAULT ''" for n in range(1, width + 1))
            if split
            else "data VARCHAR(255) NOT NULL DEFAULT ''"
        )
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    f"CREATE TABLE {qualified} ({key if id_ else ''}"
                    f"time {TIME_TYPES[self.dialect][time_type]}, "
                    "callid VARCHAR(80) NOT NULL DEFAULT '', "
                    "queuename VARCHAR(128) NOT NULL DEFAULT '', "
                    "agent VARCHAR(80) NOT NULL DEFAULT '', "
                    f"event VARCHAR(32) NOT NULL DEFAULT '', {data})"
                )
            )
        self.tables.append(qualified)
        return qualified

    def insert(self, table: str, rows: list[dict[str, str]]) -> None:
        schema, _, name = table.rpartition(".")
        with self.engine.begin() as conn:
            reflected = Table(name, MetaData(), schema=schema or None, autoload_with=conn)
            for row in rows:  # one INSERT a row, as Asterisk does
                conn.execute(reflected.insert().values(**row))

    def execute(self, sql: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql))


def realtime_row(line: str, *, split: bool, zone: ZoneInfo = PARIS) -> dict[str, str]:
    """The row Asterisk realtime stores for the event it would write as ``line`` in the file:
    the time as local text with microseconds, the data in ``data`` or cut in five at ``|``
    (the last one keeps the rest)."""
    epoch, callid, queue, agent, event, message = line.split("|", 5)
    moment = datetime.fromtimestamp(float(epoch), zone)
    row = {
        "time": moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
        "callid": callid,
        "queuename": queue,
        "agent": agent,
        "event": event,
    }
    if not split:
        return {**row, "data": message}
    parts = message.split("|", 4)
    parts += [""] * (5 - len(parts))
    return {**row, **{f"data{n}": part for n, part in enumerate(parts, 1)}}


def _postgres() -> Iterator[Db]:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("CARECENTER_REQUIRE_POSTGRES=1 but CARECENTER_TEST_POSTGRES_URL is unset")
        pytest.skip("no PostgreSQL server (set CARECENTER_TEST_POSTGRES_URL)")
    engine = create_engine(PG_URL)
    schema = f"cc_test_{uuid.uuid4().hex[:12]}"
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        engine.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    try:
        yield Db(PG_URL, engine, schema)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(
    params=[
        pytest.param("mariadb", marks=pytest.mark.mariadb),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def db(request: pytest.FixtureRequest) -> Iterator[Db]:
    """Each server, with its tables dropped at the end."""
    if request.param == "postgresql":
        yield from _postgres()
        return
    url = str(request.getfixturevalue("mariadb_url"))
    engine = create_engine(url)
    server = Db(url, engine)
    try:
        yield server
    finally:
        for table in server.tables:
            server.execute(f"DROP TABLE IF EXISTS {table}")
        engine.dispose()


def drain(follower: TableFollower) -> list[str]:
    lines: list[str] = []
    while batch := follower.poll():
        lines.extend(batch)
    return lines


@pytest.mark.parametrize("split", [True, False], ids=["data1-5", "data"])
@pytest.mark.parametrize("time_type", ["datetime6", "datetime", "varchar", "zoned"])
def test_rows_render_as_the_file_lines(db: Db, split: bool, time_type: str) -> None:
    zoned = {"mysql": "timestamp6", "postgresql": "timestamptz"}[db.dialect]
    table = db.create(zoned if time_type == "zoned" else time_type, split=split)
    rows = [realtime_row(line, split=split) for line in FILE_LINES]
    if time_type == "zoned" and db.dialect == "postgresql":  # the value keeps its offset
        for row in rows:
            moment = datetime.fromisoformat(row["time"]).replace(tzinfo=PARIS)
            row["time"] = moment.isoformat()
    db.insert(table, rows)
    with TableFollower(db.url, table, time_zone="Europe/Paris") as follower:
        assert drain(follower) == FILE_LINES
        assert (follower.rows, follower.undated) == (len(FILE_LINES), 0)


def test_a_time_zone_other_than_the_writers_moves_the_times(db: Db) -> None:
    table = db.create("datetime6")
    db.insert(table, [realtime_row(FILE_LINES[0], split=True)])
    with TableFollower(db.url, table, time_zone="UTC") as follower:
        [line] = follower.poll()
    assert line == "1709283600|NONE|NONE|NONE|QUEUESTART|"  # Paris is UTC+1 in March


@pytest.mark.parametrize(
    ("time_type", "stored", "epoch"),
    [
        ("datetime6", "2024-03-01 09:00:00.250000", "1709280000.25"),
        ("datetime6", "2024-03-01 09:00:00.000001", "1709280000.000001"),
        ("datetime6", "2024-03-01 09:00:00", "1709280000"),
        ("varchar", "2024-03-01 09:00:00.250000", "1709280000.25"),
        ("varchar", "2024-03-01T09:00:00.5+01:00", "1709280000.5"),
        ("varchar", "1709280000.75", "1709280000.75"),
        ("varchar", "1709280000", "1709280000"),
    ],
)
def test_times_keep_their_fraction(db: Db, time_type: str, stored: str, epoch: str) -> None:
    table = db.create(time_type)
    row = {**realtime_row(FILE_LINES[2], split=True), "time": stored}
    db.insert(table, [row])
    with TableFollower(db.url, table, time_zone="Europe/Paris") as follower:
        assert follower.poll() == [f"{epoch}|NONE|support|PJSIP/1001|PAUSE|Lunch"]


def test_a_column_without_fractions_gives_whole_seconds(db: Db) -> None:
    table = db.create("datetime")
    db.insert(table, [{**realtime_row(FILE_LINES[0], split=True), "time": "2024-03-01 09:00:00.4"}])
    with TableFollower(db.url, table, time_zone="Europe/Paris") as follower:
        [line] = follower.poll()
    assert line.split("|")[0] == "1709280000"


def test_a_time_that_is_not_one_is_passed_on(db: Db) -> None:
    table = db.create("varchar")
    db.insert(table, [{**realtime_row(FILE_LINES[0], split=True), "time": "yesterday"}])
    with TableFollower(db.url, table) as follower:
        assert follower.poll() == ["yesterday|NONE|NONE|NONE|QUEUESTART|"]
        assert follower.undated == 1


def test_new_rows_batches_and_restarts(db: Db, tmp_path: Path) -> None:
    state = tmp_path / "table.json"
    table = db.create()
    rows = [realtime_row(line, split=True) for line in FILE_LINES]
    db.insert(table, rows[:5])
    with TableFollower(db.url, table, state, batch=2, time_zone="Europe/Paris") as follower:
        assert follower.poll() == FILE_LINES[:2]
        assert follower.poll() == FILE_LINES[2:4]
        assert follower.poll() == FILE_LINES[4:5]
        assert follower.poll() == []
        follower.commit()
        assert follower.state() == json.loads(state.read_text())
        assert follower.state()["last_id"] == follower.last_id is not None
        db.insert(table, rows[5:8])
        assert drain(follower) == FILE_LINES[5:8]  # handed out, not committed: a crash
    with TableFollower(db.url, table, state, time_zone="Europe/Paris") as again:
        assert again.poll() == FILE_LINES[5:8]
        again.commit()
    with TableFollower(db.url, table, state, time_zone="Europe/Paris") as third:
        assert third.poll() == []
        db.insert(table, rows[8:9])
        assert third.poll() == FILE_LINES[8:9]
    with TableFollower(db.url, table, start="end", time_zone="Europe/Paris") as fresh:
        assert fresh.poll() == []
        db.insert(table, rows[9:10])
        assert fresh.poll() == FILE_LINES[9:10]


def test_a_truncated_table_is_read_again_from_its_first_row(db: Db) -> None:
    table = db.create()
    rows = [realtime_row(line, split=True) for line in FILE_LINES]
    db.insert(table, rows[:4])
    with TableFollower(db.url, table, time_zone="Europe/Paris") as follower:
        assert len(drain(follower)) == 4
        restart = " RESTART IDENTITY" if db.dialect == "postgresql" else ""
        db.execute(f"TRUNCATE TABLE {table}{restart}")
        db.insert(table, rows[4:6])
        assert drain(follower) == FILE_LINES[4:6]
        assert follower.resets == 1


def test_four_data_columns(db: Db) -> None:
    table = db.create(width=4)
    lines = [line for line in FILE_LINES if line.count("|") <= 8]  # four data fields at most
    rows = [realtime_row(line, split=True) for line in lines]
    db.insert(table, [{k: v for k, v in row.items() if k != "data5"} for row in rows])
    with TableFollower(db.url, table, time_zone="Europe/Paris") as follower:
        assert drain(follower) == lines


def test_the_state_of_another_table_is_refused(db: Db, tmp_path: Path) -> None:
    state = tmp_path / "table.json"
    first, second = db.create(), db.create()
    with TableFollower(db.url, first, state) as follower:
        follower.commit()
    with pytest.raises(InputError, match="name another state file"):
        TableFollower(db.url, second, state)


def test_a_table_without_id_is_refused(db: Db) -> None:
    table = db.create(id_=False)
    with pytest.raises(InputError, match=rf"{table}.*no column 'id'") as caught:
        TableFollower(db.url, table)
    assert caught.value.field == "id"


def test_a_missing_table_is_refused(db: Db) -> None:
    missing = f"{db.schema}.nope" if db.schema else "nope"
    with pytest.raises(InputError, match=r"no table '.*nope'"):
        TableFollower(db.url, missing)


@pytest.mark.parametrize(
    "url",
    [
        "mysql+pymysql://care:s3cret@127.0.0.1:1/test",
        "postgresql+psycopg://care:s3cret@127.0.0.1:1/test",
    ],
)
def test_a_server_that_does_not_answer(url: str) -> None:
    with pytest.raises(StoreUnavailableError) as caught:
        TableFollower(url)
    message = str(caught.value)
    assert "s3cret" not in message
    assert "care:***@127.0.0.1:1" in message
    assert caught.value.exit_code == 69


@pytest.mark.mariadb
def test_imported_table_lines_give_the_facts_of_the_file(mariadb_url: str, tmp_path: Path) -> None:
    """Asterisk realtime stamps microseconds; imported, the table's lines give the facts the
    file's lines give (the times to the second). (The ATTENDEDTRANSFER LINK line is left out:
    the importer reads its holdtime in the third field, where a LINK has a channel.)"""
    from tests.helpers import query

    from carecenter.adapters.settings import Settings
    from carecenter.services.importing import import_files
    from carecenter.services.workspace import init_workspace

    file_lines = [line for line in FILE_LINES if "|LINK|" not in line]
    engine = create_engine(mariadb_url)
    db = Db(mariadb_url, engine)
    try:
        table = db.create()
        rows = [realtime_row(line, split=True) for line in file_lines]
        for row in rows:  # Asterisk stamps the microsecond it logs
            moment = datetime.fromisoformat(row["time"]) + timedelta(microseconds=123_456)
            row["time"] = moment.isoformat(sep=" ")
        db.insert(table, rows)
        with TableFollower(mariadb_url, table, time_zone="Europe/Paris") as follower:
            lines = drain(follower)
    finally:
        for name in db.tables:
            db.execute(f"DROP TABLE IF EXISTS {name}")
        engine.dispose()
    assert [line.split("|", 1)[1] for line in lines] == [
        line.split("|", 1)[1] for line in file_lines
    ]
    assert all(line.split("|")[0].endswith(".123456") for line in lines)

    facts = {}
    for name, content in (("file", file_lines), ("table", lines)):
        path = tmp_path / f"{name}_queue_log"
        path.write_text("".join(line + "\n" for line in content))
        workspace = tmp_path / name
        init_workspace(Settings(workspace=workspace))
        summary = import_files(Settings(workspace=workspace), "asterisk-queue-log", [path])
        assert sum(f.quarantined for f in summary.files) == 0
        facts[name] = query(
            workspace,
            "SELECT contact_id, queue_id, outcome, wait_s, conversation_s, agent_id, "
            "floor(epoch(enqueued_at)) FROM contact_facts ORDER BY contact_id",
        )
    assert len(facts["file"]) == 4
    assert facts["table"] == facts["file"]
