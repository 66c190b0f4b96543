"""``carecenter monitor``: a queue_log followed while it is written — in pieces, with a
partly written last line, rotated, truncated, across a restart — ends with the same facts as
a one-shot ``carecenter import`` of the same lines."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.queue_logs import calls
from tests.server import Running, make_workspace, running, wait_for

from carecenter.adapters.settings import Settings
from carecenter.services.bootstrap import bootstrap
from carecenter.services.importing import import_files
from carecenter.services.serving import FollowSpec

pytestmark = pytest.mark.slow

FACT_COLUMNS = (
    "contact_id, visit, queue_id, agent_id, enqueued_at, answered_at, abandoned_at, "
    "ended_at, wait_s, conversation_s, outcome"
)


def today_epoch(hour: int = 1) -> int:
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return int(midnight.timestamp()) + hour * 3600


def facts(settings: Settings) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with bootstrap(settings, read_only=True) as ws:
        conn = ws.warehouse.connection  # type: ignore[attr-defined]
        visits = conn.execute(f"SELECT {FACT_COLUMNS} FROM contact_facts ORDER BY 1, 2").fetchall()
        intervals = conn.execute(
            "SELECT agent_id, state, reason, start_at, end_at FROM agent_state_intervals "
            "ORDER BY 1, 4"
        ).fetchall()
    return visits, intervals


def imported_once(tmp_path: Path, lines: list[str]) -> tuple[list[Any], list[Any]]:
    settings = make_workspace(tmp_path / "once")
    whole = tmp_path / "whole_queue_log"
    whole.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    import_files(settings, "asterisk-queue-log", [whole])
    return facts(settings)


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def followed(served: Running) -> int:
    feeds = served.server.live.health()["feeds"]
    return int(feeds[0]["lines"]) if feeds else 0


def imported(served: Running, lines: int) -> bool:
    """The feed took ``lines`` lines and a step imported them since."""
    health = served.server.live.health()
    return followed(served) == lines and health["feeds"][0]["imports"] > 0


def test_a_followed_log_ends_as_a_one_shot_import(tmp_path: Path) -> None:
    lines = calls(today_epoch(), 80)
    settings = make_workspace(tmp_path / "live")
    log = tmp_path / "queue_log"
    follow = FollowSpec(path=log)
    cut = [len(lines) * k // 5 for k in range(6)]
    append(log, "".join(f"{line}\n" for line in lines[: cut[1]]))
    with running(settings, host_engine=False, follow=follow) as served:
        wait_for(lambda: followed(served) == cut[1])
        # a partly written line is not taken until its end comes
        half = lines[cut[1]]
        append(log, half[:10])
        time.sleep(0.6)
        assert followed(served) == cut[1]
        append(log, half[10:] + "\n" + "".join(f"{line}\n" for line in lines[cut[1] + 1 : cut[2]]))
        wait_for(lambda: followed(served) == cut[2])
        # logrotate: the file is renamed (Asterisk still writes a little to it), a new one begins
        os.rename(log, log.with_suffix(".1"))
        append(log.with_suffix(".1"), "".join(f"{line}\n" for line in lines[cut[2] : cut[3]]))
        append(log, "".join(f"{line}\n" for line in lines[cut[3] : cut[4]]))
        wait_for(lambda: followed(served) == cut[4])
    # a restart resumes where the journal stopped: nothing again, nothing lost
    append(log, "".join(f"{line}\n" for line in lines[cut[4] :]))
    with running(settings, host_engine=False, follow=follow) as served:
        wait_for(lambda: imported(served, len(lines) - cut[4]), timeout=15)
        wait_for(lambda: served.server.live.health()["last_board_at"])
    live_visits, live_intervals = facts(settings)
    once_visits, once_intervals = imported_once(tmp_path, lines)
    assert len(live_visits) == 80
    assert live_visits == once_visits
    assert live_intervals == once_intervals


def test_a_truncated_log_is_read_again_from_its_start(tmp_path: Path) -> None:
    lines = calls(today_epoch(2), 30, seed=5)
    settings = make_workspace(tmp_path / "live")
    log = tmp_path / "queue_log"
    half = len(lines) // 2
    append(log, "".join(f"{line}\n" for line in lines[:half]))
    with running(settings, host_engine=False, follow=FollowSpec(path=log)) as served:
        wait_for(lambda: followed(served) == half)
        # copytruncate: the lines are copied away and the file emptied in place
        (tmp_path / "queue_log.1").write_bytes(log.read_bytes())
        with log.open("r+") as handle:
            handle.truncate(0)
        time.sleep(0.5)
        append(log, "".join(f"{line}\n" for line in lines[half:]))
        wait_for(lambda: imported(served, len(lines)), timeout=15)
        wait_for(lambda: served.server.live.health()["steps"] > 2)
    live_visits, live_intervals = facts(settings)
    once_visits, once_intervals = imported_once(tmp_path, lines)
    assert live_visits == once_visits
    assert live_intervals == once_intervals


def test_the_board_counts_what_the_log_says(tmp_path: Path) -> None:
    now = int(time.time())
    lines = [
        f"{now - 100}|c1|sales|NONE|ENTERQUEUE||5551001|1",
        f"{now - 90}|c1|sales|Agent/1001|CONNECT|10|u1|1",
        f"{now - 30}|c1|sales|Agent/1001|COMPLETECALLER|10|60|1",
        f"{now - 50}|c2|sales|NONE|ENTERQUEUE||5551002|1",
        f"{now - 20}|c3|support|NONE|ENTERQUEUE||5551003|1",
        f"{now - 15}|c3|support|NONE|ABANDON|1|1|5",
    ]
    lines.sort(key=lambda line: int(line.split("|", 1)[0]))
    settings = make_workspace(tmp_path / "live")
    log = tmp_path / "queue_log"
    append(log, "".join(f"{line}\n" for line in lines))
    with running(settings, host_engine=False, follow=FollowSpec(path=log)) as served:
        client = served.bearer("sue")

        def sales() -> dict[str, Any] | None:
            response = client.get("/api/board")
            if response.status_code != 200:
                return None
            rows = {q["queue_id"]: q for q in response.json()["queues"]}
            row = rows.get("sales")
            return row if row and row["answered"] == 1 else None

        row = wait_for(sales)
        assert row["waiting"] == 1
        assert row["longest_wait_s"] >= 50
        assert row["offered"] == 1
        assert row["service_level"] == pytest.approx(1.0)
        assert row["asa_s"] == pytest.approx(10.0)
