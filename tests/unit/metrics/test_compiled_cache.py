"""The cache of compiled report SQL gives the catalog's own results, and misses when it must."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import ibis
import pytest
from tests.helpers import T0

from carecenter.adapters.sql_cache import FileSqlCache, catalog_version
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.center import ServiceLevelPolicy
from carecenter.domain.enums import ServiceLevelFormula
from carecenter.metrics import compiled
from carecenter.metrics.engine import ReportSpec, run

from .builders import MemoryCache, answer, at, dims, state, visit, warehouse

POLICIES = {
    "sales": ServiceLevelPolicy(threshold_s=20.0, formula=ServiceLevelFormula.ABANDONS_EXCLUDED),
    "care": ServiceLevelPolicy(threshold_s=30.0, exclude_short_abandons=True),
}
AGENTS = {"a1": ("red", "north", 20.0), "a2": ("blue", "south", 25.0)}
SPECS = [
    ReportSpec(),
    ReportSpec(interval="1h", by=("queue",)),
    ReportSpec(interval="30m", by=("queue", "channel"), fcr=False),
    ReportSpec(interval="all", by=("agent", "site")),
    ReportSpec(interval="15m", by=("team",), start=T0, end=T0 + timedelta(hours=3)),
    ReportSpec(interval="1w", by=("tier",), start=T0 - timedelta(days=2)),
]


@pytest.fixture
def wh() -> Any:
    visits = [
        visit("c1", queue="sales", wait=5, agent="a1", customer="k1", topic="bill"),
        visit("c2", queue="sales", wait=45, agent="a2", enqueued=at(900), channel="chat"),
        visit("c3", queue="care", outcome="abandoned", wait=3, enqueued=at(1900)),
        visit("c4", queue="care", outcome="abandoned", wait=50, enqueued=at(3700)),
        visit("c5", queue="care", wait=12, agent="a1", enqueued=at(4000), tier="gold"),
        visit("c6", queue="sales", outcome="flowed_out", wait=60, enqueued=at(7300)),
        visit("c7", queue="care", wait=8, agent="a2", enqueued=at(7400), channel="email",
              arrived=at(100), customer="k1", topic="bill"),
        visit("c8", queue="other", wait=None, outcome="open", enqueued=at(8000)),
    ]  # fmt: skip
    intervals = [
        state("a1", "available", at(0), at(3000)),
        state("a1", "busy", at(3000), at(6000)),
        state("a2", "busy", at(600), None),
    ]
    answers = [answer("s1", 4, answered=at(1000), contact="c1"), answer("s1", 9, question="nps")]
    w = warehouse(visits, intervals, answers)
    w.connection.execute("SET threads=1")  # float sums in one order, run after run
    yield w
    w.close()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.interval}-{'-'.join(s.by)}")
@pytest.mark.parametrize("timezone", ["UTC", "Europe/London"])
def test_cached_and_fresh_reports_are_equal(
    wh: DuckDbWarehouse, spec: ReportSpec, timezone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = dims(POLICIES, AGENTS)
    fresh = run(ibis.duckdb.from_connection(wh.connection), spec, d, timezone)
    cache = MemoryCache()
    first = compiled.run(wh, spec, d, timezone, cache)
    assert cache.entries, "the compiled SQL is kept"

    def no_compiling(table: Any) -> None:
        raise AssertionError("a cached report compiled again")

    monkeypatch.setattr(compiled, "compile_table", no_compiling)
    again = compiled.run(wh, spec, d, timezone, cache)
    assert fresh.rows, "the report has rows"
    assert first == fresh
    assert again == fresh
    assert again.shares == fresh.shares and "service_level" in again.shares


def test_a_change_of_dimensions_or_period_compiles_again(wh: DuckDbWarehouse) -> None:
    cache, spec = MemoryCache(), ReportSpec(interval="1h", by=("queue",))
    compiled.run(wh, spec, dims(POLICIES, AGENTS), "UTC", cache)
    n = len(cache.entries)
    compiled.run(wh, spec, dims(POLICIES, AGENTS), "UTC", cache)
    assert len(cache.entries) == n
    compiled.run(wh, spec, dims({}, AGENTS), "UTC", cache)  # other policies
    assert len(cache.entries) == n + 1
    compiled.run(wh, ReportSpec(interval="1h", by=("queue",), start=T0), dims(), "UTC", cache)
    assert len(cache.entries) == n + 2


def test_another_catalog_version_reads_nothing_of_this_one(tmp_path: Path) -> None:
    assert len(catalog_version()) == 64
    mine = FileSqlCache(tmp_path)
    mine.put("k", "SELECT 1")
    assert mine.get("k") == "SELECT 1"
    other = FileSqlCache(tmp_path, version="another catalog")
    assert other.get("k") is None
    other.put("k", "SELECT 2")
    assert other.get("k") == "SELECT 2"
    assert mine.get("k") is None, "entries of other catalog versions are removed"


def test_agent_groups_are_not_cached(wh: DuckDbWarehouse) -> None:
    cache = MemoryCache()
    spec = ReportSpec(interval="all", groups={"g": ["a1", "a2"]})
    fresh = run(ibis.duckdb.from_connection(wh.connection), spec, dims(POLICIES, AGENTS), "UTC")
    assert compiled.run(wh, spec, dims(POLICIES, AGENTS), "UTC", cache) == fresh
    assert not cache.entries


def test_file_cache_round_trip_and_unwritable_directory_misses(tmp_path: Path) -> None:
    cache = FileSqlCache(tmp_path / "sql")
    assert cache.get("k") is None
    cache.put("k", "SELECT 1")
    assert cache.get("k") == "SELECT 1"
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    broken = FileSqlCache(blocked / "sql")
    broken.put("k", "SELECT 1")
    assert broken.get("k") is None

    wh = warehouse([visit("c1")])
    try:
        fresh = compiled.run(wh, ReportSpec(), dims(), "UTC", MemoryCache())
        keys = MemoryCache()
        compiled.run(wh, ReportSpec(), dims(), "UTC", keys)
        for key in keys.entries:
            keys.entries[key] = "{written by another version"
        assert compiled.run(wh, ReportSpec(), dims(), "UTC", keys) == fresh
    finally:
        wh.close()
