"""Outbound calls have their own metrics and are in no inbound one."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.metrics.builders import report, visit

INBOUND = ("offered", "answered", "abandoned", "handled", "exited", "answered_within")


def _outbound(contact_id: str, outcome: str, **kw: float) -> object:
    return replace(visit(contact_id, outcome=outcome, **kw), direction="outbound")


def test_outbound_calls_are_counted_apart_from_inbound_ones() -> None:
    inbound = [visit("in1", wait=5.0, talk=100.0), visit("in2", outcome="abandoned", wait=30.0)]
    outbound = [
        _outbound("out1", "answered", wait=12.0, talk=200.0, hold=10.0),
        _outbound("out2", "exited", wait=25.0),
        _outbound("out3", "open", wait=None),
    ]
    alone = report(inbound, interval="all").rows[0]
    both = report([*inbound, *outbound], interval="all").rows[0]  # type: ignore[list-item]
    for name in (*INBOUND, "service_level", "asa_s", "aht_s", "abandon_rate"):
        assert both[name] == alone[name], name
    assert (both["outbound_attempts"], both["outbound_connected"]) == (3, 1)
    assert both["outbound_talk_s"] == pytest.approx(210.0)
    assert (alone["outbound_attempts"], alone["outbound_connected"]) == (0, 0)
    assert alone["outbound_talk_s"] == 0


def test_a_report_knows_whether_any_visit_is_outbound() -> None:
    from tests.unit.metrics.builders import warehouse

    from carecenter.metrics.engine import contents, quiet_backend

    inbound = warehouse([visit("in1")])
    mixed = warehouse([visit("in1"), _outbound("out1", "answered")])  # type: ignore[list-item]
    with quiet_backend():
        assert contents(inbound.backend(), span=False).outbound is False
        assert contents(mixed.backend(), span=False).outbound is True
