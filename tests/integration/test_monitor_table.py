"""``carecenter monitor --queue-log-table``: rows Asterisk realtime inserts into a real
MariaDB ``queue_log`` table while the monitor runs end as the facts of a one-shot import of
the same lines, across a restart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from tests.integration.test_monitor import facts, followed, imported, imported_once, today_epoch
from tests.queue_logs import calls
from tests.server import make_workspace, running, wait_for

from carecenter.services.serving import FollowSpec

pytestmark = [pytest.mark.slow, pytest.mark.mariadb]


@pytest.fixture
def table(mariadb_url: str) -> Iterator[str]:
    name = f"queue_log_{uuid.uuid4().hex[:8]}"
    engine = create_engine(mariadb_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE {name} (id INT AUTO_INCREMENT PRIMARY KEY, time DATETIME(6), "
                "callid VARCHAR(80), queuename VARCHAR(80), agent VARCHAR(80), "
                "event VARCHAR(32), data1 VARCHAR(100), data2 VARCHAR(100), "
                "data3 VARCHAR(100), data4 VARCHAR(100), data5 VARCHAR(100))"
            )
        )
    try:
        yield name
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
        engine.dispose()


def insert(url: str, table: str, lines: list[str]) -> None:
    """The lines as Asterisk realtime writes them: a UTC time, then the fields."""
    rows = []
    for line in lines:
        epoch, callid, queue, agent, event, *data = line.split("|")
        data = (data + [""] * 5)[:5]
        rows.append(
            {
                "t": int(epoch),
                "callid": callid,
                "queue": queue,
                "agent": agent,
                "event": event,
                **{f"d{i + 1}": d for i, d in enumerate(data)},
            }
        )
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET time_zone = '+00:00'"))  # FROM_UNIXTIME writes UTC
        conn.execute(
            text(
                f"INSERT INTO {table} (time, callid, queuename, agent, event, data1, data2, "
                "data3, data4, data5) VALUES (FROM_UNIXTIME(:t), :callid, :queue, :agent, "
                ":event, :d1, :d2, :d3, :d4, :d5)"
            ),
            rows,
        )
    engine.dispose()


def test_a_followed_table_ends_as_a_one_shot_import(
    mariadb_url: str, table: str, tmp_path: Path
) -> None:
    lines = calls(today_epoch(3), 40, seed=11)
    settings = make_workspace(tmp_path / "live")
    half = len(lines) // 2
    insert(mariadb_url, table, lines[:half])
    follow = FollowSpec(url=mariadb_url, table=table, time_zone="UTC")
    with running(settings, host_engine=False, follow=follow) as served:
        wait_for(lambda: imported(served, half), timeout=20)
    insert(mariadb_url, table, lines[half:])
    with running(settings, host_engine=False, follow=follow) as served:
        wait_for(lambda: followed(served) == len(lines) - half, timeout=20)
        wait_for(lambda: imported(served, len(lines) - half), timeout=20)
    live_visits, live_intervals = facts(settings)
    once_visits, once_intervals = imported_once(tmp_path, lines)
    assert len(live_visits) == 40
    assert live_visits == once_visits
    assert live_intervals == once_intervals
