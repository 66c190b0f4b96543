"""``Warehouse.customer_visits`` and ``Warehouse.customer_answers`` (what ``carecenter voc
sample`` reads), on DuckDB and in the in-memory fake, with the same answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from carecenter.adapters.memory import InMemoryWarehouse
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.projection import ContactRow, ProjectionState, SurveyAnswerRow, VisitFact
from carecenter.services.ports import Warehouse


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def visit(cid: str, n: int, customer: str | None, when: datetime) -> VisitFact:
    return VisitFact(cid, n, "billing", "voice", "inbound", customer, "standard", None, when, when)


VISITS = [
    visit("k1", 1, "c1", at(2)),
    visit("k1", 2, "c1", at(2, 10)),  # the second visit of a transferred contact
    visit("k2", 1, None, at(3)),  # no customer
    visit("k3", 1, "c2", at(1, 0)),  # at the start: in
    visit("k4", 1, "c3", at(5)),  # at the end: out
]
CONTACTS = [ContactRow("k1", customer_id="c1"), ContactRow("k2")]
ANSWERS = [
    SurveyAnswerRow("s1", "csat", 4, 5, at(2), customer_id="c9"),
    SurveyAnswerRow("s2", "csat", 2, 5, at(3), contact_id="k1"),  # c1, through the contact
    SurveyAnswerRow("s3", "csat", 5, 5, at(3), contact_id="k2"),  # a contact with no customer
    SurveyAnswerRow("s4", "nps", 9, 10, at(4), customer_id="c2"),
    SurveyAnswerRow("s5", "csat", 1, 5, at(5), customer_id="c2"),  # at the end: out
]


@pytest.fixture(params=["duckdb", "memory"])
def warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    wh: Warehouse = (
        DuckDbWarehouse(":memory:") if request.param == "duckdb" else InMemoryWarehouse()
    )
    state = ProjectionState()
    state.touched_visits.update({(v.contact_id, v.visit): v for v in VISITS})
    state.contacts.update({c.contact_id: c for c in CONTACTS})
    state.touched_contacts.update(c.contact_id for c in CONTACTS)
    state.survey_answers.update({(a.survey_id, a.question): a for a in ANSWERS})
    wh.save_state(state, 5)
    yield wh
    close = getattr(wh, "close", None)
    if close is not None:
        close()


def test_the_visits_of_known_customers_in_the_window(warehouse: Warehouse) -> None:
    found = warehouse.customer_visits(at(1, 0), at(5))
    assert [(v.contact_id, v.visit, v.customer_id) for v in found] == [
        ("k3", 1, "c2"),
        ("k1", 1, "c1"),
        ("k1", 2, "c1"),
    ]


def test_the_answers_with_their_customers(warehouse: Warehouse) -> None:
    found = warehouse.customer_answers(at(5))
    assert [(a.survey_id, a.customer_id, a.score) for a in found] == [
        ("s1", "c9", 4),
        ("s2", "c1", 2),
        ("s4", "c2", 9),
    ]
