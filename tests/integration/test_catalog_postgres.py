"""The metric catalog gives the same results on PostgreSQL tables as on DuckDB."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import ibis
import pytest
from sqlalchemy.engine import make_url
from tests.conftest import pg_schema_url
from tests.helpers import T0, same_value
from tests.unit.metrics.builders import answer, dims, promise, state, visit, warehouse

from carecenter.adapters.warehouse import arrow_table
from carecenter.domain.center import ServiceLevelPolicy
from carecenter.domain.enums import ServiceLevelFormula as F
from carecenter.domain.projection import AgentInterval, SurveyAnswerRow, VisitFact
from carecenter.domain.promise_facts import PromiseRow
from carecenter.metrics.engine import ReportSpec, run

pytestmark = pytest.mark.postgres

POLICIES = {
    "billing": ServiceLevelPolicy(threshold_s=20.0, include_flow_outs=True),
    "cards": ServiceLevelPolicy(threshold_s=10.0, formula=F.ABANDONS_EXCLUDED),
    "chat": ServiceLevelPolicy(
        threshold_s=60.0, formula=F.ABANDONS_WITHIN_MET, exclude_short_abandons=False
    ),
}
AGENTS = {"a1": ("red", "Leeds", 24.0), "a2": ("blue", "Cardiff", 22.5), "a3": ("red", "", 0)}


def _answers(seed: int = 5) -> list[SurveyAnswerRow]:
    """CSAT and NPS answers about some of the contacts of :func:`_facts` (and some about none)."""
    rng = random.Random(seed)
    out = []
    for n in range(300):
        question = rng.choice(["csat", "nps"])
        out.append(
            answer(
                f"s{n:04d}",
                rng.randint(1, 5) if question == "csat" else rng.randint(0, 10),
                question=question,
                answered=T0 + timedelta(seconds=rng.uniform(-86400, 4 * 86400)),
                contact=rng.choice([None, f"c{rng.randrange(420):04d}"]),
            )
        )
    return out


def _promises(seed: int = 7) -> list[PromiseRow]:
    """Promises made over the days of :func:`_facts`, kept, broken, cancelled or open."""
    rng = random.Random(seed)
    out = []
    for n in range(200):
        made = T0 + timedelta(seconds=rng.uniform(-86400, 4 * 86400))
        due = made + timedelta(seconds=rng.uniform(0, 6 * 3600))
        status = rng.choice(["open", "kept", "broken", "broken", "cancelled"])
        closed = None
        if status == "kept":
            closed = made + (due - made) * rng.random()
        elif status != "open":
            closed = made + timedelta(seconds=rng.uniform(0, 8 * 3600))
        out.append(
            promise(
                f"p{n:03d}",
                made=made,
                due=due,
                status=status,
                closed=closed,
                queue=rng.choice([*sorted(POLICIES), None]),
                agent=rng.choice(["a1", "a2", "a3", None]),
            )
        )
    return out


def _facts(seed: int = 3) -> tuple[list[VisitFact], list[AgentInterval]]:
    rng = random.Random(seed)
    visits = []
    for n in range(400):
        queue = rng.choice(sorted(POLICIES))
        outcome = rng.choices(
            ["answered", "abandoned", "flowed_out", "callback", "exited", "open"],
            [70, 15, 5, 4, 3, 3],
        )[0]
        wait = rng.choice([0.0, 4.999, 5.0, 10.0, 20.0, 60.0]) + rng.random() * 30
        visits.append(
            visit(
                f"c{n:04d}",
                queue=queue,
                outcome=outcome,
                wait=None if outcome == "open" else round(wait, 6),
                enqueued=T0 + timedelta(seconds=rng.uniform(-86400, 4 * 86400)),
                talk=round(rng.lognormvariate(5.3, 0.6), 6),
                hold=rng.choice([0.0, 30.5]),
                acw=round(rng.uniform(5, 60), 6),
                agent=rng.choice(["a1", "a2", "a3"]),
                channel="email" if queue == "billing" and n % 5 == 0 else "voice",
                tier=rng.choice(["standard", "vip"]),
                customer=f"k{rng.randrange(60)}",
                topic=rng.choice(["x", "y"]),
                transferred_out=(moved := rng.random() < 0.1),
                ewt=rng.choice([None, round(rng.uniform(0, 90), 3)]),
                transfer_kind=rng.choice(["blind", "escalation"]) if moved else None,
            )
        )
    intervals = []
    for a, agent in enumerate(["a1", "a2", "a3"]):
        t = T0 - timedelta(hours=2) + timedelta(minutes=7 * a)
        for k in range(300):
            length = timedelta(seconds=rng.uniform(30, 1500))
            name = rng.choice(["available", "busy", "after_call_work", "break"])
            intervals.append(state(agent, name, t, t + length, seq=a * 1000 + k + 1))
            t += length
    intervals.append(state("a1", "available", t, None, seq=999))
    return visits, intervals


@pytest.fixture
def backends() -> Iterator[tuple[Any, Any]]:
    """(DuckDB, PostgreSQL) Ibis backends holding the same facts."""
    import psycopg

    visits, intervals = _facts()
    answers = _answers()
    promises = _promises()
    for url, connect_args in pg_schema_url():
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = psycopg.connect(dsn, autocommit=True, **connect_args)
        pg = ibis.postgres.from_connection(conn)
        pg.create_table("contact_facts", arrow_table(VisitFact, visits))
        pg.create_table("agent_state_intervals", arrow_table(AgentInterval, intervals))
        pg.create_table("survey_answers", arrow_table(SurveyAnswerRow, answers))
        pg.create_table("promises", arrow_table(PromiseRow, promises))
        wh = warehouse(visits, intervals, answers, promises)
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
