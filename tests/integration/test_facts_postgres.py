"""``carecenter export facts --to postgresql://...`` keeps the facts in a PostgreSQL database,
day by day like the Parquet export (incremental, idempotent, refusing another time zone), and
``carecenter report --facts postgresql://...`` runs the whole catalog there with the same
numbers as the workspace's DuckDB warehouse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import ibis
import pytest
from tests.catalog_data import AGENTS, POLICIES, answers, facts, promises
from tests.conftest import pg_schema_url
from tests.facts_workspace import calls_workspace, cli, export
from tests.helpers import T0, same_value
from tests.unit.metrics.builders import dims, warehouse

from carecenter.adapters.parquet_facts import open_facts
from carecenter.adapters.pg_facts import export_facts_pg
from carecenter.errors import InputError
from carecenter.metrics.engine import ReportSpec, run

pytestmark = pytest.mark.postgres


@pytest.fixture
def url() -> Iterator[str]:
    """A database URL whose search path is a fresh schema."""
    for base, connect_args in pg_schema_url():
        yield f"{base}?options={connect_args['options'].replace('=', '%3D')}"


@pytest.fixture
def source() -> Iterator[Any]:
    visits, intervals = facts()
    wh = warehouse(visits, intervals, answers(), promises())
    try:
        yield wh
    finally:
        wh.close()


def test_the_catalog_on_the_database_is_the_warehouse_s(
    source: Any, url: str, request: pytest.FixtureRequest
) -> None:
    done = export_facts_pg(source.connection, url, zone="Europe/London")
    assert {d.action for d in done} == {"written"}
    assert {d.table for d in done} == {
        "contact_facts",
        "agent_state_intervals",
        "survey_answers",
        "promises",
    }
    on_pg = open_facts(url)
    request.addfinalizer(on_pg.close)
    assert on_pg.timezone == "Europe/London"
    duck = ibis.duckdb.from_connection(source.connection)
    d = replace(dims(POLICIES, AGENTS), fees={"a3": 2.5})
    for interval, by, zone in [("1h", ("queue",), "UTC"), ("1d", ("agent",), "Europe/Paris")]:
        spec = ReportSpec(interval, by, T0 - timedelta(days=1), T0 + timedelta(days=3))
        ours, theirs = run(duck, spec, d, zone), run(on_pg.con, spec, d, zone)
        assert len(ours.rows) == len(theirs.rows) > 0
        assert any(r["csat_answers"] for r in theirs.rows)
        assert any(r["promises_made"] for r in theirs.rows)
        for mine, other in zip(ours.rows, theirs.rows, strict=True):
            diff = {k: (v, other[k]) for k, v in mine.items() if not same_value(v, other[k])}
            assert not diff, (mine["interval_start"], diff)


def test_only_changed_days_are_rewritten(
    source: Any, url: str, request: pytest.FixtureRequest
) -> None:
    first = export_facts_pg(source.connection, url, zone="UTC")
    again = export_facts_pg(source.connection, url, zone="UTC")
    assert {d.action for d in again} == {"unchanged"}
    assert [(d.table, d.day, d.rows) for d in again] == [(d.table, d.day, d.rows) for d in first]
    day = next(d.day for d in first if d.table == "contact_facts")
    source.connection.execute(
        "UPDATE contact_facts SET wait_s = wait_s + 1 WHERE CAST(enqueued_at AS DATE) = ?", [day]
    )
    source.connection.execute(
        "DELETE FROM survey_answers WHERE CAST(answered_at AS DATE) = ?", [day]
    )
    third = export_facts_pg(source.connection, url, zone="UTC")
    changed = {(d.table, d.day, d.action) for d in third if d.action != "unchanged"}
    assert changed == {("contact_facts", day, "written"), ("survey_answers", day, "removed")}
    on_pg = open_facts(url)
    request.addfinalizer(on_pg.close)
    counts = on_pg.con.table("contact_facts").group_by("day").count().to_pyarrow().to_pylist()
    assert sum(r["CountStar(contact_facts)"] for r in counts) == sum(
        d.rows for d in third if d.table == "contact_facts"
    )


def test_another_time_zone_is_refused(source: Any, url: str) -> None:
    export_facts_pg(source.connection, url, zone="UTC")
    with pytest.raises(InputError, match="its days are in time zone UTC"):
        export_facts_pg(source.connection, url, zone="Europe/Paris")


def test_export_to_and_report_from_a_database(tmp_path: Path, url: str) -> None:
    ws = calls_workspace(tmp_path, zone="Europe/Madrid", count=500, spacing=300)
    assert "contact_facts: 2 days written" in export(ws, url)
    args = ["report", "--interval", "30m", "--by", "queue", "--format", "json", "-w", str(ws)]
    code, text, err = cli(*args)
    assert code == 0, err
    ours = json.loads(text)
    code, text, err = cli(*args, "--facts", url)
    assert code == 0, err
    theirs = json.loads(text)
    assert len(ours) == len(theirs) > 0
    for mine, other in zip(ours, theirs, strict=True):
        assert all(same_value(v, other[k]) for k, v in mine.items()), (mine, other)
    code, _, err = cli(*args, "--facts", url, "--backend", "spark")
    assert code == 2 and "--backend postgres reads a database URL" in err
    empty = url.rsplit("?", 1)[0] + "?options=-csearch_path%3Dnowhere"
    code, _, err = cli(*args, "--facts", empty)
    assert code == 2 and "holds no export" in err and len(err.strip().splitlines()) == 1
