"""The metric catalog gives the same results on PostgreSQL tables as on DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import ibis
import pytest
from sqlalchemy.engine import make_url
from tests.catalog_data import AGENTS, POLICIES, answers, facts, promises
from tests.conftest import pg_schema_url
from tests.helpers import T0, same_value
from tests.unit.metrics.builders import dims, warehouse

from carecenter.adapters.warehouse import arrow_table
from carecenter.domain.projection import AgentInterval, SurveyAnswerRow, VisitFact
from carecenter.domain.promise_facts import PromiseRow
from carecenter.metrics.engine import ReportSpec, run

pytestmark = pytest.mark.postgres


@pytest.fixture
def backends() -> Iterator[tuple[Any, Any]]:
    """(DuckDB, PostgreSQL) Ibis backends holding the same facts."""
    import psycopg

    visits, intervals = facts()
    answered, promised = answers(), promises()
    for url, connect_args in pg_schema_url():
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = psycopg.connect(dsn, autocommit=True, **connect_args)
        pg = ibis.postgres.from_connection(conn)
        pg.create_table("contact_facts", arrow_table(VisitFact, visits))
        pg.create_table("agent_state_intervals", arrow_table(AgentInterval, intervals))
        pg.create_table("survey_answers", arrow_table(SurveyAnswerRow, answered))
        pg.create_table("promises", arrow_table(PromiseRow, promised))
        wh = warehouse(visits, intervals, answered, promised)
        try:
            yield ibis.duckdb.from_connection(wh.connection), pg
        finally:
            wh.close()
            conn.close()


@pytest.mark.parametrize(
    ("interval", "by", "timezone"),
    [
        ("1h", ("queue",), "UTC"),
        ("30m", (), "Europe/London"),
        ("1d", ("agent",), "America/New_York"),
        ("all", ("site", "team"), "UTC"),
        ("1w", ("channel", "tier"), "Asia/Kolkata"),
    ],
)
def test_duckdb_and_postgres_agree(
    backends: tuple[Any, Any], interval: str, by: tuple[str, ...], timezone: str
) -> None:
    duck, pg = backends
    d = replace(dims(POLICIES, AGENTS), fees={"a3": 2.5})  # a3 is an outsourcer's
    spec = ReportSpec(interval, by, T0 - timedelta(days=1), T0 + timedelta(days=3))
    ours, theirs = run(duck, spec, d, timezone), run(pg, spec, d, timezone)
    assert ours.columns == theirs.columns
    assert len(ours.rows) == len(theirs.rows) > 0
    assert any(r["outsourced_cost"] for r in ours.rows)
    assert any(r["csat_answers"] for r in ours.rows) and any(r["nps"] for r in ours.rows)
    assert any(r["ewt_mae_s"] for r in ours.rows) and any(r["escalated"] for r in ours.rows)
    if "channel" not in by:
        assert any(r["promises_broken"] for r in ours.rows)
        assert any(r["promise_kept_rate"] for r in ours.rows)
    for mine, other in zip(ours.rows, theirs.rows, strict=True):
        diff = {k: (v, other[k]) for k, v in mine.items() if not same_value(v, other[k])}
        assert not diff, (mine["interval_start"], diff)


def test_whole_warehouse_without_a_period_and_agent_groups(backends: tuple[Any, Any]) -> None:
    duck, pg = backends
    d = dims(POLICIES, AGENTS)
    for spec in (
        ReportSpec("1d", ("queue",)),
        ReportSpec("all", groups={"billing": ["a1", "a2"], "cards": ["a3"]}),
    ):
        ours, theirs = run(duck, spec, d), run(pg, spec, d)
        assert len(ours.rows) == len(theirs.rows) > 0
        for mine, other in zip(ours.rows, theirs.rows, strict=True):
            assert all(same_value(v, other[k]) for k, v in mine.items()), (mine, other)
