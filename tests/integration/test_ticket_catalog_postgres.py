"""The ticket catalog gives the same results on PostgreSQL tables as on DuckDB."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import ibis
import pytest
from sqlalchemy.engine import make_url
from tests.conftest import pg_schema_url
from tests.helpers import same_value

from carecenter.adapters.warehouse_schema import arrow_table
from carecenter.domain.tickets import (
    TicketActivity,
    TicketEvent,
    TicketFact,
    TicketRules,
    TicketSpell,
    TicketTargets,
    fold_ticket,
)
from carecenter.metrics.dims import Dimensions
from carecenter.metrics.spec import ReportSpec
from carecenter.metrics.ticket_engine import run_tickets

pytestmark = pytest.mark.postgres
T0 = datetime(2026, 3, 2, tzinfo=UTC)
KINDS = list(TicketActivity)


def tickets(seed: int = 11) -> tuple[list[TicketFact], list[TicketSpell]]:
    rng = random.Random(seed)
    rules = TicketRules(targets={("tech", None): TicketTargets(3600.0, 86400.0)})
    facts, spells = [], []
    for n in range(300):
        t = T0 + timedelta(seconds=rng.uniform(-86400, 5 * 86400))
        queue = rng.choice(["billing", "tech"])
        story = [
            TicketEvent(
                f"t{n}",
                t,
                TicketActivity.CREATED,
                queue_id=queue,
                topic=rng.choice(["x", "y", None]),
                priority=rng.choice(["P1", "P2", None]),
                made_sla=rng.random() < 0.7,
            )
        ]
        for _ in range(rng.randrange(1, 7)):
            t += timedelta(seconds=rng.expovariate(1 / 20000))
            story.append(
                TicketEvent(f"t{n}", t, rng.choice(KINDS), agent_id=rng.choice(["a1", "a2", None]))
            )
        fact, spans = fold_ticket(story, rules)
        facts.append(fact)
        spells.extend(spans)
    return facts, spells


@pytest.fixture
def backends() -> Iterator[tuple[Any, Any]]:
    import psycopg

    facts, spells = tickets()
    data = {
        "ticket_facts": arrow_table(TicketFact, facts),
        "ticket_spells": arrow_table(TicketSpell, spells),
    }
    for url, connect_args in pg_schema_url():
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = psycopg.connect(dsn, autocommit=True, **connect_args)
        pg = ibis.postgres.from_connection(conn)
        duck = duckdb.connect(":memory:")
        duck.execute("SET TimeZone='UTC'")
        for name, table in data.items():
            pg.create_table(name, table)
            duck.register("_t", table)
            duck.execute(f"CREATE TABLE {name} AS SELECT * FROM _t")
            duck.unregister("_t")
        try:
            yield ibis.duckdb.from_connection(duck), pg
        finally:
            duck.close()
            conn.close()


@pytest.mark.parametrize(
    ("interval", "by", "timezone"),
    [
        ("1h", ("queue",), "UTC"),
        ("1d", ("agent", "topic"), "Europe/Rome"),
        ("all", ("priority",), "UTC"),
        ("1w", ("queue",), "America/New_York"),
    ],
)
def test_duckdb_and_postgres_agree(
    backends: tuple[Any, Any], interval: str, by: tuple[str, ...], timezone: str
) -> None:
    duck, pg = backends
    spec = ReportSpec(interval, by, T0 - timedelta(days=1), T0 + timedelta(days=4))
    dims = Dimensions.from_center(None)
    ours, theirs = run_tickets(duck, spec, dims, timezone), run_tickets(pg, spec, dims, timezone)
    assert ours.columns == theirs.columns
    assert len(ours.rows) == len(theirs.rows) > 0
    assert any(r["backlog"] for r in ours.rows) and any(r["sla_met"] for r in ours.rows)
    assert any(r["tickets_reopened"] for r in ours.rows)
    for mine, other in zip(ours.rows, theirs.rows, strict=True):
        diff = {k: (v, other[k]) for k, v in mine.items() if not same_value(v, other[k])}
        assert not diff, (mine["interval_start"], diff)
