"""The Asterisk wallboard in a real browser: ``carecenter monitor`` follows a queue_log written
in real time (a file, then a MariaDB realtime table), the page shows each call within a
second, and its figures equal ``carecenter report`` over the same lines."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.browser import chromium, require_chromium
from tests.e2e.test_wallboard_live import cell, prompt, sign_in_page
from tests.queue_logs import insert, realtime_table
from tests.server import make_workspace, running, wait_for

from carecenter.services.reporting import Period, metrics_report
from carecenter.services.serving import FollowSpec

require_chromium()
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as opened:
        yield opened


def waiting_is(page: Any, queue: str, n: int) -> None:
    page.wait_for_function(
        "([q, n]) => document.querySelector(`[data-queue='${q}'] [data-field='waiting']`)"
        "?.textContent.trim() === String(n)",
        arg=[queue, n],
        timeout=5000,
    )


def test_a_followed_file_moves_the_page_within_a_second(tmp_path: Path, browser: Any) -> None:
    settings = make_workspace(tmp_path / "ws")
    log = tmp_path / "queue_log"
    now = int(time.time())
    log.write_text(f"{now - 60}|NONE|NONE|Agent/b1|ADDMEMBER|\n")
    with running(settings, host_engine=False, follow=FollowSpec(path=log), period=1.0) as served:
        page = sign_in_page(browser, served, "sue")
        page.wait_for_url("**/wallboard")
        page.wait_for_selector('[data-queue="support"]')
        latencies = []
        for n in range(1, 4):
            with log.open("a") as out:
                out.write(f"{int(time.time())}|live{n}|support|NONE|ENTERQUEUE||555000{n}|{n}\n")
            written = time.monotonic()
            waiting_is(page, "support", n)
            latencies.append(time.monotonic() - written)
        at = int(time.time())
        with log.open("a") as out:  # one answered after 3 s, one abandoned after 8 s
            out.write(f"{at}|live1|support|Agent/b1|CONNECT|3|u1|1\n")
            out.write(f"{at}|live2|support|NONE|ABANDON|2|2|8\n")
            out.write(f"{at + 1}|live1|support|Agent/b1|COMPLETECALLER|3|1|1\n")
        wait_for(lambda: cell(page, "support", "answered") == "1", timeout=10)
        waiting_is(page, "support", 1)
        shown = {
            f: page.locator(f'[data-queue="support"] [data-field="{f}"]').first.get_attribute(
                "data-value"
            )
            for f in ("offered", "answered", "abandoned", "service_level", "asa_s")
        }
        day = (page.locator("body").get_attribute("data-as-of") or "")[:10]
        page.close()
    assert prompt(latencies[1:]), latencies
    report = metrics_report(settings, period=Period(day, day), by=("queue",))
    row = next(r for r in report.rows if r["queue"] == "support")
    for field, value in shown.items():
        assert float(value or 0) == pytest.approx(row[field] or 0), field


@pytest.mark.mariadb
def test_rows_inserted_in_mariadb_move_the_page(
    mariadb_url: str, tmp_path: Path, browser: Any
) -> None:
    with realtime_table(mariadb_url) as table:
        settings = make_workspace(tmp_path / "ws")
        follow = FollowSpec(url=mariadb_url, table=table, time_zone="UTC")
        with running(settings, host_engine=False, follow=follow, period=1.0) as served:
            page = sign_in_page(browser, served, "sue")
            page.wait_for_url("**/wallboard")
            page.wait_for_selector('[data-queue="sales"]')
            for n in (1, 2):
                line = f"{int(time.time())}|db{n}|sales|NONE|ENTERQUEUE||555100{n}|{n}"
                insert(mariadb_url, table, [line])
                waiting_is(page, "sales", n)
            page.close()
