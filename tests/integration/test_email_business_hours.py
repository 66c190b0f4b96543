"""The e-mail response time counts the business hours of the e-mail's queue (DESIGN.md section
3), on DuckDB and PostgreSQL alike, and agrees with the domain's business time
(:meth:`OpeningHours.business_seconds`) across daylight-saving changes and closed dates."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import ibis
import numpy as np
import pytest
from sqlalchemy.engine import make_url
from tests.conftest import pg_schema_url
from tests.helpers import same_value
from tests.unit.metrics.builders import MemoryCache, visit, warehouse

from carecenter.adapters.warehouse import arrow_table
from carecenter.domain.business_hours import OpenHoursClock
from carecenter.domain.center import OpeningHours
from carecenter.domain.projection import AgentInterval, SurveyAnswerRow, VisitFact
from carecenter.domain.promise_facts import PromiseRow
from carecenter.metrics.dims import Dimensions
from carecenter.metrics.engine import ReportSpec, run

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
HOURS = {
    # Berlin moves its clocks on Sunday 29 March 2026; 30 March and Good Friday are closed.
    "mail": OpeningHours(
        "Europe/Berlin",
        {
            **{d: ((time(8), time(12)), (time(13), time(17, 30))) for d in WEEKDAYS},
            "sat": ((time(10), time(14)),),
            "sun": ((time(1, 30), time(3, 30)),),  # the spring-forward hour falls in it
        },
        frozenset({date(2026, 3, 30), date(2026, 4, 3)}),
    ),
    # New York moves its clocks on Sunday 8 March 2026.
    "web": OpeningHours("America/New_York", {d: ((time(9), time(0)),) for d in (*WEEKDAYS, "sun")}),
}
START, END = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 15, tzinfo=UTC)


def _visits(seed: int = 11) -> list[VisitFact]:
    rng = random.Random(seed)
    out = []
    for n in range(240):
        queue = rng.choice(["mail", "web", "always"])
        arrived = START + timedelta(seconds=rng.uniform(0, (END - START).total_seconds() - 1))
        wait = rng.choice([rng.uniform(0, 7200), rng.lognormvariate(11, 1.2)])
        out.append(
            visit(
                f"m{n:03d}",
                queue=queue,
                channel="email",
                arrived=arrived,
                enqueued=arrived,
                wait=round(wait, 3),
                outcome=rng.choices(["answered", "abandoned"], [9, 1])[0],
            )
        )
    out.append(visit("v1", queue="mail", channel="voice", enqueued=START + timedelta(days=3)))
    return out


def _expected(visits: list[VisitFact], queue: str) -> list[float]:
    hours = HOURS.get(queue, OpeningHours())
    return [
        hours.business_seconds(v.arrived_at, v.answered_at)
        for v in visits
        if v.queue_id == queue and v.channel == "email" and v.answered_at is not None
    ]


def _report(con: Any) -> dict[str, dict[str, Any]]:
    spec = ReportSpec("all", ("queue",), START, END)
    rows = run(con, spec, Dimensions({}, {}, hours=HOURS), "Europe/Berlin").rows
    return {r["queue"]: r for r in rows}


def test_the_response_time_counts_the_queues_business_hours() -> None:
    visits = _visits()
    wh = warehouse(visits)
    try:
        rows = _report(ibis.duckdb.from_connection(wh.connection))
    finally:
        wh.close()
    for queue in ("mail", "web", "always"):
        expected = _expected(visits, queue)
        row = rows[queue]
        assert row["email_replied"] == len(expected) > 50
        assert row["email_response_total_s"] == pytest.approx(sum(expected), abs=1e-3)
        assert row["email_response_p50_s"] == pytest.approx(np.percentile(expected, 50), abs=1e-3)
        assert row["email_response_p90_s"] == pytest.approx(np.percentile(expected, 90), abs=1e-3)
    elapsed = [
        (v.answered_at - v.arrived_at).total_seconds()
        for v in visits
        if v.queue_id == "mail" and v.answered_at is not None and v.channel == "email"
    ]
    assert rows["mail"]["email_response_total_s"] < 0.5 * sum(elapsed)


def test_a_reply_outside_the_hours_took_no_business_time() -> None:
    friday = datetime(2026, 3, 27, 17, 0, tzinfo=UTC)  # 18:00 in Berlin, closed until Monday
    monday = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 in Berlin, but a closed date
    replies = [
        visit("late", queue="mail", channel="email", arrived=friday, enqueued=friday, wait=3600),
        visit("holiday", queue="mail", channel="email", arrived=monday, enqueued=monday, wait=60),
    ]
    wh = warehouse(replies)
    try:
        row = _report(ibis.duckdb.from_connection(wh.connection))["mail"]
    finally:
        wh.close()
    assert (row["email_replied"], row["email_response_total_s"]) == (2, 0.0)


def test_the_clock_is_the_domains_business_time_near_every_offset_change() -> None:
    rng = random.Random(3)
    low, high = int(START.timestamp()) - 400 * 86400, int(END.timestamp()) + 400 * 86400
    for hours in HOURS.values():
        clock = OpenHoursClock.build(hours.calendar, hours.timezone, low, high)
        assert len(clock.changes) >= 4
        for change, _, _ in clock.changes:
            for _ in range(200):
                a = change + rng.uniform(-6 * 3600, 6 * 3600)
                b = a + rng.choice([rng.uniform(0, 4 * 3600), rng.uniform(0, 9 * 86400)])
                want = hours.business_seconds(
                    datetime.fromtimestamp(a, UTC), datetime.fromtimestamp(b, UTC)
                )
                assert clock.at(b) - clock.at(a) == pytest.approx(want, abs=1e-6)


def test_the_centers_hours_reach_the_report_and_key_its_compiled_sql() -> None:
    from carecenter.domain.center import Center, Queue
    from carecenter.domain.enums import Channel
    from carecenter.metrics import compiled

    queues = {
        "mail": Queue("mail", "Mail", Channel.EMAIL, hours=HOURS["mail"]),
        "always": Queue("always", "Always", Channel.EMAIL),
        "phone": Queue("phone", "Phone", Channel.VOICE, hours=HOURS["mail"]),
    }
    with_hours = Dimensions.from_center(Center("c", "Europe/Berlin", queues=queues))
    assert with_hours.hours == {"mail": HOURS["mail"]}, "the e-mail queues' hours only"
    visits = _visits()
    wh = warehouse(visits)
    cache, spec = MemoryCache(), ReportSpec("all", ("queue",), START, END)
    try:
        rows = compiled.run(wh, spec, with_hours, "Europe/Berlin", cache).rows
        compiled_once = len(cache.entries)
        elapsed = compiled.run(wh, spec, Dimensions({}, {}), "Europe/Berlin", cache).rows
    finally:
        wh.close()
    assert len(cache.entries) == compiled_once + 1, "other hours, other SQL"
    mail = {r["queue"]: r["email_response_total_s"] for r in rows}["mail"]
    assert mail == pytest.approx(sum(_expected(visits, "mail")), abs=1e-3)
    assert {r["queue"]: r["email_response_total_s"] for r in elapsed}["mail"] > 2 * mail


@pytest.fixture
def postgres() -> Iterator[Any]:
    import psycopg

    for url, connect_args in pg_schema_url():
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = psycopg.connect(dsn, autocommit=True, **connect_args)
        try:
            yield ibis.postgres.from_connection(conn)
        finally:
            conn.close()


@pytest.mark.postgres
def test_postgresql_counts_the_same_business_hours(postgres: Any) -> None:
    visits = _visits()
    postgres.create_table("contact_facts", arrow_table(VisitFact, visits))
    postgres.create_table("agent_state_intervals", arrow_table(AgentInterval, []))
    postgres.create_table("survey_answers", arrow_table(SurveyAnswerRow, []))
    postgres.create_table("promises", arrow_table(PromiseRow, []))
    wh = warehouse(visits)
    try:
        ours = _report(ibis.duckdb.from_connection(wh.connection))
    finally:
        wh.close()
    theirs = _report(postgres)
    assert ours.keys() == theirs.keys()
    for queue, row in ours.items():
        diff = {
            k: (v, theirs[queue][k]) for k, v in row.items() if not same_value(v, theirs[queue][k])
        }
        assert not diff, (queue, diff)
    assert theirs["mail"]["email_response_total_s"] == pytest.approx(
        sum(_expected(visits, "mail")), abs=1e-3
    )
