"""The catalog documents itself: every metric has a formula, a unit and an interval, and the
committed reference page is the one generated from the docstrings."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecenter.metrics.engine import HEADLINE, metric_columns
from carecenter.metrics.reference import PAGE, metrics_reference
from carecenter.metrics.registry import CATALOG, RATIO
from carecenter.metrics.ticket_engine import ticket_columns
from carecenter.services.reference_docs import main

DOCS = Path(__file__).resolve().parents[3] / "docs" / "reference"


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_metric_documents_formula_unit_and_interval(key: str) -> None:
    metric = CATALOG[key]
    assert metric.summary, key
    assert metric.formula, key
    assert metric.unit, key
    assert metric.interval, key


def test_ratios_name_metrics_of_the_catalog() -> None:
    for metric in CATALOG.values():
        if metric.kind == RATIO:
            assert set(metric.needs) <= set(CATALOG), metric.key


def test_report_columns_are_stable_snake_case_keys() -> None:
    columns = metric_columns()
    assert columns[: len(HEADLINE)] == list(HEADLINE)
    tickets = ticket_columns()  # the ticket report's: no contact report column
    assert not set(columns) & set(tickets)
    assert sorted([*columns, *tickets]) == sorted(CATALOG)
    assert all(c.isidentifier() and c == c.lower() for c in columns)


def test_committed_page_is_generated_from_the_catalog() -> None:
    committed = (DOCS / PAGE).read_text(encoding="utf-8")
    assert committed == metrics_reference(), f"docs/reference/{PAGE} is stale: run `make docs`"


def test_generator_writes_the_page(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 0
    assert (tmp_path / PAGE).read_text(encoding="utf-8") == metrics_reference()
