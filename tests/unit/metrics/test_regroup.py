"""Report rows added up again (an hour of the day over a month's days, a replication's days)
give what one report over the merged intervals gives: counts summed, ratios of the sums."""

from __future__ import annotations

import pytest
from tests.unit.metrics.builders import at, report, visit

from carecenter.metrics.regroup import regroup

VISITS = [
    visit("a", wait=5.0, enqueued=at(0)),
    visit("b", wait=50.0, enqueued=at(600)),
    visit("c", outcome="abandoned", wait=30.0, enqueued=at(1200)),
    visit("d", wait=10.0, enqueued=at(3600 + 60)),  # the next hour
    visit("e", wait=90.0, enqueued=at(3600 + 120), queue="r"),
]


def test_rows_added_up_equal_one_report_over_the_merged_intervals() -> None:
    hourly = report(VISITS, interval="1h", by=("queue",)).rows
    assert len(hourly) == 3
    merged = regroup(hourly, ("queue",))
    whole = {r["queue"]: r for r in report(VISITS, interval="all", by=("queue",)).rows}
    assert [r["queue"] for r in merged] == ["q", "r"]
    for row in merged:
        expected = whole[row["queue"]]
        for name in ("offered", "answered", "abandoned", "sl_numerator", "waited"):
            assert row[name] == expected[name]
        for name in ("service_level", "asa_s", "abandon_rate", "p_wait"):
            assert row[name] == pytest.approx(expected[name])
    q = merged[0]
    # a ratio of the sums, not a mean of the hours' ratios: (5 + 50 + 10) / 3 answered
    assert q["asa_s"] == pytest.approx(65 / 3)
    assert q["abandon_rate"] == pytest.approx(1 / 4)
    # every row together
    (everything,) = regroup([dict(r, all=1) for r in hourly], ("all",))
    assert everything["offered"] == 5
    assert everything["asa_s"] == pytest.approx((5 + 50 + 10 + 90) / 4)


def test_no_rows_give_no_rows() -> None:
    assert regroup([], ("queue",)) == []
