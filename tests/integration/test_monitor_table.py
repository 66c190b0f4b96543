"""``carecenter monitor --queue-log-table``: rows Asterisk realtime inserts into a real
MariaDB ``queue_log`` table while the monitor runs end as the facts of a one-shot import of
the same lines, across a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.integration.test_monitor import facts, followed, imported, imported_once, today_epoch
from tests.queue_logs import calls, insert, realtime_table
from tests.server import make_workspace, running, wait_for

from carecenter.services.serving import FollowSpec

pytestmark = [pytest.mark.slow, pytest.mark.mariadb]


@pytest.fixture
def table(mariadb_url: str) -> Iterator[str]:
    with realtime_table(mariadb_url) as name:
        yield name


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
