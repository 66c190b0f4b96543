"""The expectation store on SQLite and PostgreSQL, and its in-memory fake: a saved register
comes back in the manager's order, a save replaces it, an edit changes one expectation, and
the evidence sources are kept one per kind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import store_on

from carecenter.adapters.memory_expectations import InMemoryExpectationStore
from carecenter.adapters.store.expectation_repo import SqlExpectationStore
from carecenter.domain.expectations import Expectation, Register, Source, SurveyScore
from carecenter.services.ports import ExpectationStore

AT = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
REGISTER = Register(
    (
        Expectation(
            "E2",
            "Reach a person within a minute",
            themes=("waiting", "T4"),
            attributes=("waiting",),
            metrics=("wait_s", "connection_rate"),
            features=("callback",),
            klass="now",
            effort=2,
            impact=5,
            owner="Operations",
            notes="callback pilot in Q1",
        ),
        Expectation("E1", "Fees explained up front", themes=("fees",)),
    ),
    center_features=frozenset({"chat", "ivr_balance"}),
    survey={"waiting": SurveyScore("waiting", 8.5, 6.25), "staff": SurveyScore("staff", 7.0)},
    scale_min=1.0,
    scale_max=10.0,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ExpectationStore]:
    yield from store_on(request.param, tmp_path, SqlExpectationStore, InMemoryExpectationStore)


def test_nothing_saved(store: ExpectationStore) -> None:
    assert store.load_register() is None
    assert store.sources() == {}


def test_the_register_round_trips_in_order(store: ExpectationStore) -> None:
    store.save_register(REGISTER, name="expectations.yaml", saved_at=AT)
    loaded = store.load_register()
    assert loaded == REGISTER
    assert loaded is not None and [e.expectation_id for e in loaded.expectations] == ["E2", "E1"]


def test_a_save_replaces_the_register(store: ExpectationStore) -> None:
    store.save_register(REGISTER, name="a.yaml", saved_at=AT)
    smaller = Register((Expectation("E9", "Only this"),), scale_max=5.0)
    store.save_register(smaller, name="b.yaml", saved_at=AT)
    assert store.load_register() == smaller


def test_an_edit_changes_one_expectation(store: ExpectationStore) -> None:
    store.save_register(REGISTER, name="expectations.yaml", saved_at=AT)
    edited = replace(REGISTER.expectations[1], klass="guide", effort=5, impact=1, owner="Legal")
    assert store.update(edited, saved_at=AT)
    assert not store.update(Expectation("nope", "x"), saved_at=AT)
    loaded = store.load_register()
    assert loaded is not None
    assert loaded.expectations == (REGISTER.expectations[0], edited)
    cleared = replace(edited, klass=None)
    assert store.update(cleared, saved_at=AT)
    again = store.load_register()
    assert again is not None and again.expectations[1].klass is None


def test_sources_one_per_kind(store: ExpectationStore) -> None:
    themes = [{"theme_id": "T0", "theme": "waiting", "complaints": 40, "share": 0.4}]
    store.save_source(Source("themes", "themes.csv", AT, themes))
    store.save_source(Source("drivers", "drivers.csv", AT, [{"attribute": "waiting"}]))
    store.save_source(Source("themes", "themes2.csv", AT, []))
    store.save_register(REGISTER, name="expectations.yaml", saved_at=AT)
    found = store.sources()
    assert sorted(found) == ["drivers", "themes"]
    assert found["themes"] == Source("themes", "themes2.csv", AT, [])
    assert found["drivers"].content == [{"attribute": "waiting"}]
    assert found["drivers"].saved_at == AT
