"""Facts a source does not record are unknown (None) and the catalog says so.

An Asterisk queue_log logs the conversation (talk + hold) but not hold apart, nor after-call
work; a Connect CTR logs all three. Mixed in one report: AHT is conversation + the after-call
work that is known; average talk, hold and ACW are over the contacts whose source records them,
and ``talk_logged`` / ``acw_logged`` say how many those are.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.metrics.builders import report, visit


def test_averages_are_over_the_contacts_whose_source_records_them() -> None:
    full = visit("connect", talk=100.0, hold=20.0, acw=30.0)
    pbx = replace(
        visit("pbx", talk=0.0), conversation_s=200.0, talk_s=None, hold_s=None, acw_s=None
    )
    row = report([full, pbx], interval="all").rows[0]
    assert (row["handled"], row["talk_logged"], row["acw_logged"]) == (2, 1, 1)
    assert row["aht_s"] == pytest.approx((120 + 30 + 200) / 2)
    assert (row["avg_talk_s"], row["avg_hold_s"], row["avg_acw_s"]) == (100.0, 20.0, 30.0)
    assert row["handle_total_s"] == pytest.approx(350.0)


def test_nothing_recorded_gives_no_average() -> None:
    pbx = replace(visit("pbx"), conversation_s=90.0, talk_s=None, hold_s=None, acw_s=None)
    row = report([pbx], interval="all").rows[0]
    assert row["aht_s"] == pytest.approx(90.0)
    assert (row["talk_logged"], row["acw_logged"]) == (0, 0)
    assert (row["avg_talk_s"], row["avg_hold_s"], row["avg_acw_s"]) == (None, None, None)


def test_a_call_still_in_progress_is_answered_but_not_handled() -> None:
    done = replace(visit("done"), conversation_s=300.0, talk_s=None, hold_s=None, acw_s=None)
    going = replace(
        visit("going"), ended_at=None, conversation_s=None, talk_s=None, hold_s=None, acw_s=None
    )
    live = replace(visit("live", talk=0.0, acw=0.0), ended_at=None)  # the projector's, in a call
    row = report([done, going, live], interval="all").rows[0]
    assert (row["answered"], row["offered"], row["handled"]) == (3, 3, 1)
    assert row["aht_s"] == pytest.approx(300.0)
    assert (row["talk_logged"], row["acw_logged"]) == (0, 0)
