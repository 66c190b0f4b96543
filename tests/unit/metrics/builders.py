"""Hand-built warehouse rows for the metric-catalog tests (DuckDB in memory)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import ibis
from tests.helpers import T0

from carecenter.adapters.warehouse import DuckDbWarehouse, arrow_table
from carecenter.domain.center import ServiceLevelPolicy
from carecenter.domain.projection import AgentInterval, SurveyAnswerRow, VisitFact
from carecenter.domain.promise_facts import PromiseRow
from carecenter.metrics.dims import Dimensions
from carecenter.metrics.engine import Report, ReportSpec, run


def at(seconds: float = 0.0, base: datetime = T0) -> datetime:
    """``base`` plus ``seconds``."""
    return base + timedelta(seconds=seconds)


def visit(
    contact_id: str,
    *,
    queue: str = "q",
    outcome: str = "answered",
    wait: float | None = 10.0,
    enqueued: datetime = T0,
    talk: float = 100.0,
    hold: float = 0.0,
    acw: float = 10.0,
    agent: str | None = "a1",
    channel: str = "voice",
    tier: str = "standard",
    customer: str | None = None,
    topic: str | None = None,
    number: int = 1,
    arrived: datetime | None = None,
    transferred_in: bool = False,
    transferred_out: bool = False,
    ewt: float | None = None,
    transfer_kind: str | None = None,
) -> VisitFact:
    """One queue visit; durations only count for answered visits, like the projector's."""
    answered = outcome == "answered"
    left = enqueued + timedelta(seconds=wait or 0.0)
    return VisitFact(
        contact_id=contact_id,
        visit=number,
        queue_id=queue,
        channel=channel,
        direction="inbound",
        customer_id=customer,
        tier=tier,
        topic=topic,
        arrived_at=arrived or enqueued,
        enqueued_at=enqueued,
        agent_id=agent if answered else None,
        answered_at=left if answered else None,
        abandoned_at=left if outcome == "abandoned" else None,
        ended_at=None if outcome == "open" else left,
        wait_s=wait,
        talk_s=talk if answered else 0.0,
        hold_s=hold if answered else 0.0,
        acw_s=acw if answered else 0.0,
        conversation_s=talk + hold if answered else None,
        offers=1 if answered else 0,
        outcome=outcome,
        transferred_in=transferred_in,
        transferred_out=transferred_out,
        relaxation_step=0,
        ewt_s=ewt,
        ewt_predictor=None if ewt is None else "queue_length",
        transfer_kind=transfer_kind,
    )


def promise(
    promise_id: str,
    *,
    made: datetime = T0,
    due: datetime | None = None,
    status: str = "open",
    closed: datetime | None = None,
    queue: str | None = "q",
    agent: str | None = None,
    reason: str | None = None,
) -> PromiseRow:
    """One promise row (due an hour after it was made unless ``due`` says otherwise)."""
    return PromiseRow(
        promise_id,
        kind="callback",
        customer_id="k1",
        queue_id=queue,
        agent_id=agent,
        made_at=made,
        due_at=due or made + timedelta(hours=1),
        status=status,
        closed_at=closed,
        reason=reason,
    )


def state(
    agent: str, name: str, start: datetime, end: datetime | None, seq: int = 0
) -> AgentInterval:
    """One agent-state interval (``end`` ``None``: still open)."""
    seq = seq or int(start.timestamp())
    duration = (end - start).total_seconds() if end else None
    return AgentInterval(agent, seq, name, start, None, end, duration)


def answer(
    survey: str,
    score: int,
    *,
    question: str = "csat",
    scale: int | None = None,
    answered: datetime = T0,
    contact: str | None = None,
    customer: str | None = None,
) -> SurveyAnswerRow:
    """One survey answer (``scale`` defaults to 5 for ``csat``, 10 otherwise)."""
    scale = scale or (5 if question == "csat" else 10)
    return SurveyAnswerRow(survey, question, score, scale, answered, contact, customer)


def load(
    con: Any,
    visits: Sequence[VisitFact],
    intervals: Sequence[AgentInterval] = (),
    answers: Sequence[SurveyAnswerRow] = (),
    promises: Sequence[PromiseRow] = (),
) -> None:
    """Insert rows into a DuckDB warehouse connection."""
    for table, kind, rows in (
        ("contact_facts", VisitFact, visits),
        ("agent_state_intervals", AgentInterval, intervals),
        ("survey_answers", SurveyAnswerRow, answers),
        ("promises", PromiseRow, promises),
    ):
        if rows:
            con.register("_rows", arrow_table(kind, list(rows)))
            con.execute(f"INSERT INTO {table} SELECT * FROM _rows")
            con.unregister("_rows")


def warehouse(
    visits: Sequence[VisitFact],
    intervals: Sequence[AgentInterval] = (),
    answers: Sequence[SurveyAnswerRow] = (),
    promises: Sequence[PromiseRow] = (),
) -> DuckDbWarehouse:
    """An in-memory DuckDB warehouse holding ``visits``, ``intervals``, ``answers`` and
    ``promises``."""
    wh = DuckDbWarehouse(":memory:")
    load(wh.connection, visits, intervals, answers, promises)
    return wh


def dims(
    policies: Mapping[str, ServiceLevelPolicy] | None = None,
    agents: Mapping[str, tuple[str, str, float]] | None = None,
    queue_agents: Mapping[str, tuple[str, ...]] | None = None,
) -> Dimensions:
    """Dimensions from plain mappings."""
    return Dimensions(dict(policies or {}), dict(agents or {}), dict(queue_agents or {}))


def report(
    visits: Sequence[VisitFact],
    intervals: Sequence[AgentInterval] = (),
    *,
    answers: Sequence[SurveyAnswerRow] = (),
    promises: Sequence[PromiseRow] = (),
    policies: Mapping[str, ServiceLevelPolicy] | None = None,
    agents: Mapping[str, tuple[str, str, float]] | None = None,
    queue_agents: Mapping[str, tuple[str, ...]] | None = None,
    timezone: str = "UTC",
    **spec: Any,
) -> Report:
    """Run the catalog over hand-built rows."""
    wh = warehouse(visits, intervals, answers, promises)
    try:
        con = ibis.duckdb.from_connection(wh.connection)
        return run(con, ReportSpec(**spec), dims(policies, agents, queue_agents), timezone)
    finally:
        wh.close()


def one(result: Report, **match: Any) -> dict[str, Any]:
    """The single row whose columns equal ``match``."""
    rows = [r for r in result.rows if all(r.get(k) == v for k, v in match.items())]
    assert len(rows) == 1, (match, result.rows)
    return rows[0]


class MemoryCache:
    """A :class:`~carecenter.metrics.compiled.SqlCache` in a dict."""

    def __init__(self) -> None:
        self.entries: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def put(self, key: str, value: str) -> None:
        self.entries[key] = value
