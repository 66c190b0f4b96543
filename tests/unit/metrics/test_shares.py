"""Which metrics are shares is said once, by the catalog's units; both renderers ask it."""

from __future__ import annotations

from carecenter.interfaces.cli.report import _table_rows
from carecenter.interfaces.reports.report_html import format_value
from carecenter.metrics.engine import metric_columns
from carecenter.metrics.registry import CATALOG, shares
from carecenter.metrics.ticket_engine import ticket_columns


def test_the_catalog_units_say_which_metrics_are_shares() -> None:
    assert shares() == {
        "service_level",
        "abandon_rate",
        "transfer_rate",
        "fcr",
        "long_call_rate",
        "occupancy",
        "utilization",
        "csat",
        "nps",
        "reopen_rate",
        "sla_met_rate",
        "ewt_within_30s",
        "ewt_not_exceeded",
        "escalation_rate",
        "promise_kept_rate",
        "p_wait",
    }
    assert all(CATALOG[k].unit.startswith("share") for k in shares())
    assert shares() <= {*metric_columns(), *ticket_columns()}


def test_the_terminal_table_shows_shares_as_percent() -> None:
    rows = [{"nps": 0.25, "csat": 0.8, "aht_s": 100.04, "offered": 3}]
    assert _table_rows(rows, ["nps", "csat", "aht_s", "offered"]) == [
        {"nps_%": 25.0, "csat_%": 80.0, "aht_s": 100.0, "offered": 3}
    ]


def test_the_html_page_shows_shares_as_percent() -> None:
    assert format_value(0.5, "csat") == ("50.0%", "n")
    assert format_value(0.125, "long_call_rate") == ("12.5%", "n")
    assert format_value(1234.5, "cost_per_contact") == ("1,234.5", "n")
