"""``carecenter forecast`` without ``--history``: the history comes from the workspace warehouse.

One demo workspace (``carecenter demo --days 15``: scripted weekdays from Monday 16 November
2026, after imported PBX history) serves every test; its interval history is checked against
what ``carecenter report --by queue`` prints (the catalog's offered and AHT), which a plain
DuckDB count over ``contact_facts`` is not.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from carecenter.adapters.center_yaml import read_center_file
from carecenter.adapters.settings import Settings
from carecenter.interfaces.cli.app import app
from carecenter.services.forecasting import warehouse_history

LAST_DAY = date(2026, 12, 4)  # the Friday of the third live week
NEXT_WEEK = [date(2026, 12, 7) + timedelta(days=i) for i in range(5)]

PlainCounts = dict[tuple[str, datetime], tuple[int, float | None]]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("forecast-warehouse") / "tmp"
    code, _, err = invoke("demo", "-w", str(root), "--days", "15")
    assert code == 0, err
    return root


def plain_counts(root: Path, minutes: int = 30) -> PlainCounts:
    """(queue, local interval start) -> (visits, mean handle time of the answered ones)."""
    timezone = read_center_file(root / "center.yaml").timezone
    sql = f"""
        SELECT queue_id,
               time_bucket(INTERVAL {minutes} MINUTE, timezone(?, enqueued_at)) AS start,
               count(*),
               avg(conversation_s + coalesce(acw_s, 0)) FILTER (WHERE outcome = 'answered')
        FROM contact_facts
        GROUP BY ALL
    """
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return {
            (q, start): (n, aht) for q, start, n, aht in con.execute(sql, [timezone]).fetchall()
        }


def report_by_queue(root: Path, minutes: int) -> dict[tuple[str, datetime], dict[str, Any]]:
    """(queue, local interval start) -> the row of ``carecenter report --by queue``."""
    code, out, err = invoke(
        "report", "-w", str(root), "--by", "queue", "--interval", f"{minutes}m",
        "--no-fcr", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    return {
        (r["queue"], datetime.fromisoformat(r["interval_start"]).replace(tzinfo=None)): r
        for r in json.loads(out)
    }


@pytest.mark.parametrize("minutes", [30, 60])
def test_history_is_what_the_report_by_queue_prints(workspace: Path, minutes: int) -> None:
    report = report_by_queue(workspace, minutes)
    history = warehouse_history(Settings(workspace=workspace), minutes * 60)
    counted = {(r.queue, r.start): r for r in history if r.calls}
    offered = {k: r["offered"] for k, r in report.items() if r["offered"]}
    assert {k: r.calls for k, r in counted.items()} == offered
    for key, row in counted.items():
        assert row.aht_s == pytest.approx(report[key]["aht_s"])
    # short abandons (excluded by the demo's policy) and other visits make a plain count differ
    assert sum(r["short_abandoned"] for r in report.values()) > 0
    plain = plain_counts(workspace, minutes)
    assert sum(n for n, _ in plain.values()) > sum(offered.values())
    zeros = [r for r in history if not r.calls]
    assert zeros, "quiet intervals inside opening hours are rows with zero calls"
    assert all(
        r.aht_s is None and not report.get((r.queue, r.start), {}).get("offered") for r in zeros
    )
    assert len({(r.queue, r.start) for r in history}) == len(history)


def test_every_opening_day_has_the_whole_grid(workspace: Path) -> None:
    history = warehouse_history(Settings(workspace=workspace))
    days_with_data = {start.date() for _, start in plain_counts(workspace)}
    per_day: dict[str, Counter[date]] = defaultdict(Counter)
    for row in history:
        per_day[row.queue][row.start.date()] += 1
    for queue, counts in per_day.items():
        assert set(counts) <= days_with_data
        assert max(counts) == LAST_DAY
        assert len(set(counts.values())) == 1, (queue, counts)


def test_forecast_from_the_warehouse(workspace: Path) -> None:
    code, out, err = invoke("forecast", "-w", str(workspace), "--horizon", "5d", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    plain = plain_counts(workspace)
    assert {q for q, _ in plain} == {r["queue"] for r in rows}
    assert max(start.date() for _, start in plain) == LAST_DAY
    starts: dict[str, set[datetime]] = defaultdict(set)
    for row in rows:
        start = datetime.fromisoformat(row["interval_start"])
        starts[row["queue"]].add(start)
        assert 0 <= row["calls_lo"] <= row["calls"] <= row["calls_hi"], row
        assert row["interval_s"] == 1800
        assert row["aht_s"] is None or row["aht_s"] > 0
    for queue, forecast in starts.items():
        assert sorted({s.date() for s in forecast}) == NEXT_WEEK
        times = {s.time() for s in forecast}
        assert {s.time() for q, s in plain if q == queue} <= times
        assert len(forecast) == len(times) * len(NEXT_WEEK)


def test_forecast_needs_facts_or_a_workspace(tmp_path: Path) -> None:
    code, _, err = invoke("forecast", "-w", str(tmp_path / "nowhere"))
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: {tmp_path / 'nowhere'}: not a carecenter workspace (no center.yaml); "
        "give --history FILE.csv or --workspace DIR"
    ]
    assert invoke("init", str(tmp_path / "empty"))[0] == 0
    code, _, err = invoke("forecast", "-w", str(tmp_path / "empty"))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "no contact facts" in err
