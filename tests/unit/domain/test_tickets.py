"""The ticket fold: hand-checked stories, and the order of arrival never matters."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from carecenter.domain.tickets import (
    TicketActivity as A,
)
from carecenter.domain.tickets import (
    TicketEvent,
    TicketRules,
    TicketTargets,
    fold_ticket,
)

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def ev(hours: float, kind: A, **kw: object) -> TicketEvent:
    return TicketEvent("t1", T + timedelta(hours=hours), kind, kind.value, **kw)  # type: ignore[arg-type]


def office(queue: str, start: datetime, end: datetime) -> float:
    """A test clock open 09:00-17:00 UTC every day (brute force by the minute)."""
    n, t = 0, start
    while t < end:
        if 9 <= t.hour < 17:
            n += 60
        t += timedelta(minutes=1)
    return float(n)


def test_a_plain_ticket() -> None:
    fact, spells = fold_ticket(
        [ev(0, A.CREATED, queue_id="billing"), ev(2, A.REPLIED, agent_id="a1"), ev(5, A.RESOLVED)]
    )
    assert (fact.queue_id, fact.agent_id, fact.state) == ("billing", "a1", "resolved")
    assert fact.first_response_s == 7200 and fact.resolution_s == 5 * 3600
    assert fact.reopens == 0 and fact.sla_met is None
    assert [(s.opened_at, s.closed_at) for s in spells] == [(T, T + timedelta(hours=5))]


def test_reopen_explicit_and_by_work_but_not_after_close() -> None:
    story = [
        ev(0, A.CREATED),
        ev(1, A.RESOLVED),
        ev(2, A.REPLIED),  # work on a resolved ticket reopens it
        ev(3, A.RESOLVED),
        ev(4, A.CLOSED),
        ev(5, A.ASSIGNED),  # a closed ticket stays closed
        ev(6, A.OTHER),
    ]
    fact, spells = fold_ticket(story)
    assert fact.reopens == 1 and fact.state == "closed"
    assert fact.resolved_at == T + timedelta(hours=3) and fact.closed_at == T + timedelta(hours=4)
    assert fact.first_response_at == T + timedelta(hours=2)  # the first reply, reopening it
    assert len(spells) == 2
    fact, spells = fold_ticket([*story, ev(7, A.REOPENED)])
    assert fact.state == "open" and fact.resolved_at is None and fact.resolution_s is None
    assert spells[-1].closed_at is None and fact.reopens == 2


def test_waiting_on_the_customer_is_on_hold_and_pauses_the_sla() -> None:
    rules = TicketRules(
        targets={("q", None): TicketTargets(response_s=3600, resolution_s=3 * 3600)}
    )
    story = [
        ev(0, A.CREATED, queue_id="q"),
        ev(0.5, A.REPLIED),
        ev(1, A.WAITING),
        ev(2, A.OTHER),  # the customer's note: still waiting
        ev(3, A.ASSIGNED),
        ev(4, A.RESOLVED),
    ]
    fact, _ = fold_ticket(story, rules)
    assert fact.on_hold_s == 2 * 3600 and fact.resolution_s == 4 * 3600
    assert fact.sla_met is True  # 4 h less 2 h on hold within 3 h
    late = [*story[:1], ev(1.5, A.REPLIED), *story[2:]]
    assert fold_ticket(late, rules)[0].sla_met is False


def test_the_source_verdict_counts_without_targets() -> None:
    fact, _ = fold_ticket([ev(0, A.CREATED), ev(1, A.RESOLVED, made_sla=False)])
    assert fact.sla_met is False
    fact, _ = fold_ticket([ev(0, A.CREATED, made_sla=True)])
    assert fact.sla_met is None  # not resolved yet


def test_business_time_of_the_queue() -> None:
    rules = TicketRules(clock=office)
    # created Monday 16:00, replied Tuesday 10:00: 1 h + 1 h of office time
    fact, _ = fold_ticket([ev(7, A.CREATED), ev(25, A.REPLIED), ev(26, A.RESOLVED)], rules)
    assert fact.first_response_s == 7200 and fact.first_response_wall_s == 18 * 3600
    assert fact.resolution_s == 3 * 3600


def test_no_created_activity_starts_at_the_first() -> None:
    fact, _ = fold_ticket([ev(3, A.RESOLVED), ev(1, A.ASSIGNED, queue_id="x")])
    assert fact.created_at == T + timedelta(hours=1) and fact.resolution_s == 7200


@pytest.mark.parametrize("seed", range(20))
def test_arrival_order_never_matters(seed: int) -> None:
    rng = random.Random(seed)
    kinds = list(A)
    story = [ev(0, A.CREATED)] + [
        ev(rng.uniform(0, 100), rng.choice(kinds), agent_id=rng.choice([None, "a", "b"]))
        for _ in range(12)
    ]
    expected = fold_ticket(story)
    shuffled = story[:]
    rng.shuffle(shuffled)
    assert fold_ticket(shuffled) == expected
    assert fold_ticket(shuffled + story[:4]) == expected  # repeated activities change nothing
