"""The event log on SQLite and PostgreSQL: exact round trips and concurrent appends."""

from __future__ import annotations

import multiprocessing as mp
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine
from tests.strategies import event_streams

from carecenter.adapters.codec import decode, encode
from carecenter.adapters.store.engine import make_engine
from carecenter.adapters.store.event_log import SqlEventLog
from carecenter.domain.contact import Contact
from carecenter.domain.enums import AgentStatus, Channel, Direction, PromiseKind
from carecenter.domain.events import (
    AgentStateChanged,
    Event,
    PromiseMade,
    SurveyAnswered,
)

KOLKATA = timezone(timedelta(hours=5, minutes=30))


def sample_events() -> list[Event]:
    t = datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=KOLKATA)
    c, arrived = Contact.arrive(
        "c-1",
        Channel.CALLBACK,
        t,
        direction=Direction.OUTBOUND,
        customer_id="u-ü",
        tier="vip",
        topic="cards",
        parent_contact_id="c-0",
    )
    return [
        arrived,
        c.queue("cards", t + timedelta(microseconds=1), priority=3),
        c.request_callback(
            t + timedelta(seconds=1),
            promise_id="p1",
            due_at=datetime(2026, 3, 29, 3, 0, tzinfo=UTC),
        ),
        AgentStateChanged(
            occurred_at=t.astimezone(UTC),
            agent_id="a1",
            state=AgentStatus.BREAK,
            previous=AgentStatus.AVAILABLE,
            reason="lunch",
        ),
        PromiseMade(
            occurred_at=t,
            promise_id="p1",
            customer_id=None,
            contact_id="c-1",
            kind=PromiseKind.CALLBACK,
            due_at=t + timedelta(hours=2),
            description="call back about the card",
        ),
        SurveyAnswered(occurred_at=t, survey_id="s1", question="csat", score=4),
    ]


def test_round_trip_is_exact(engine: Engine) -> None:
    log = SqlEventLog(engine)
    events = sample_events()
    seqs = log.append(events)
    assert seqs == sorted(seqs) and len(set(seqs)) == len(events)
    stored = log.read()
    back = [s.event for s in stored]
    assert back == events
    for original, copy in zip(events, back, strict=True):
        assert copy.occurred_at.utcoffset() == original.occurred_at.utcoffset()
        assert copy.occurred_at.microsecond == original.occurred_at.microsecond
        assert type(copy) is type(original)
    assert all(s.recorded_at.tzinfo is not None for s in stored)
    assert log.count() == len(events) and log.last_seq() == seqs[-1]
    assert [s.event for s in log.read(after=seqs[1], limit=2)] == events[2:4]
    assert log.append([]) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_streams(max_steps=25))
def test_codec_round_trips_generated_streams(events: list[Event]) -> None:
    for event in events:
        assert decode(event.name, encode(event)) == event


def _writer(args: tuple[str, dict[str, str], int, int]) -> list[int]:
    url, connect_args, worker, n = args
    engine = make_engine(url, connect_args=connect_args) if connect_args else make_engine(url)
    log = SqlEventLog(engine)
    seqs: list[int] = []
    t = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        event = AgentStateChanged(
            occurred_at=t + timedelta(seconds=i),
            agent_id=f"w{worker}",
            state=AgentStatus.AVAILABLE,
            previous=AgentStatus.LOGGED_OUT,
            reason=str(i),
        )
        seqs += log.append([event, event]) if i % 5 == 0 else log.append([event])
    engine.dispose()
    return seqs


def test_concurrent_appends_lose_and_duplicate_nothing(
    engine: Engine, store_url: tuple[str, dict[str, str]]
) -> None:
    url, connect_args = store_url
    workers, n = 4, 60
    ctx = mp.get_context("spawn")
    with ctx.Pool(workers) as pool:
        results = pool.map(_writer, [(url, connect_args, w, n) for w in range(workers)])
    per_worker = n + n // 5
    assert [len(r) for r in results] == [per_worker] * workers
    all_seqs = [s for r in results for s in r]
    assert len(set(all_seqs)) == len(all_seqs) == workers * per_worker
    log = SqlEventLog(engine)
    stored = log.read()
    assert [s.seq for s in stored] == sorted(all_seqs)
    assert len({s.event_id for s in stored}) == len(stored)
    for w in range(workers):  # each writer's events are in the log in its own order
        reasons = [
            s.event.reason
            for s in stored  # type: ignore[attr-defined]
            if s.event.agent_id == f"w{w}"
        ]  # type: ignore[attr-defined]
        expected = [str(i) for i in range(n) for _ in range(2 if i % 5 == 0 else 1)]
        assert reasons == expected
