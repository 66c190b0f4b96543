"""Contact metrics on hand-built facts, with the expected values worked out by hand."""

from __future__ import annotations

import pytest
from tests.helpers import T0
from tests.unit.metrics.builders import at, one, report, visit

from carecenter.domain.center import ServiceLevelPolicy
from carecenter.domain.enums import ServiceLevelFormula as F

# threshold 20 s, short abandons below 5 s: waits at and around both limits
AROUND = [
    visit("ans-19.999", wait=19.999),
    visit("ans-20", wait=20.0),
    visit("ans-20.001", wait=20.001),
    visit("ab-4.999", outcome="abandoned", wait=4.999),
    visit("ab-5", outcome="abandoned", wait=5.0),
    visit("ab-30", outcome="abandoned", wait=30.0),
]


def _policy(**kw: object) -> dict[str, ServiceLevelPolicy]:
    return {"q": ServiceLevelPolicy(threshold_s=20.0, short_abandon_s=5.0, **kw)}  # type: ignore[arg-type]


def test_threshold_and_short_abandon_limits_default_formula() -> None:
    row = report(AROUND, policies=_policy(), interval="all").rows[0]
    # answered 3; within 20 s: 19.999 and exactly 20 -> 2
    assert (row["answered"], row["answered_within"]) == (3, 2)
    # abandoned 4.999 s is short (< 5) and excluded; exactly 5 s is not short
    assert (row["short_abandoned"], row["abandoned"]) == (1, 2)
    assert row["offered"] == 5
    assert row["abandoned_within"] == 1  # the 5 s abandon; the short one is not counted
    assert row["service_level"] == pytest.approx(2 / 5)
    assert row["abandon_rate"] == pytest.approx(2 / 5)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        (F.ANSWERED_WITHIN_OVER_OFFERED, 2 / 5),
        (F.ABANDONS_EXCLUDED, 2 / 3),
        (F.ABANDONS_WITHIN_MET, (2 + 1) / 5),
    ],
)
def test_each_service_level_formula(formula: F, expected: float) -> None:
    row = report(AROUND, policies=_policy(formula=formula), interval="all").rows[0]
    assert row["service_level"] == pytest.approx(expected)


def test_short_abandons_kept_when_not_excluded() -> None:
    row = report(AROUND, policies=_policy(exclude_short_abandons=False), interval="all").rows[0]
    assert (row["abandoned"], row["short_abandoned"], row["offered"]) == (3, 1, 6)
    assert row["service_level"] == pytest.approx(2 / 6)
    # a short abandon at 4.999 s is also within the threshold for abandons_within_met
    met = report(
        AROUND,
        policies=_policy(exclude_short_abandons=False, formula=F.ABANDONS_WITHIN_MET),
        interval="all",
    ).rows[0]
    assert met["service_level"] == pytest.approx((2 + 2) / 6)


def test_other_short_abandon_limit_and_threshold() -> None:
    policies = {"q": ServiceLevelPolicy(threshold_s=10.0, short_abandon_s=10.0)}
    visits = [
        visit("a", wait=10.0),
        visit("b", outcome="abandoned", wait=9.99),
        visit("c", outcome="abandoned", wait=10.0),
    ]
    row = report(visits, policies=policies, interval="all").rows[0]
    assert (row["short_abandoned"], row["abandoned"], row["offered"]) == (1, 1, 2)
    assert row["service_level"] == pytest.approx(1 / 2)


FLOWS = [
    visit("ans", wait=5.0),
    visit("flow", outcome="flowed_out", wait=40.0),
    visit("cb", outcome="callback", wait=90.0),
    visit("exit", outcome="exited", wait=12.0),
    visit("open", outcome="open", wait=None),
]


@pytest.mark.parametrize(("include", "offered"), [(False, 1), (True, 2)])
def test_flow_outs_included_or_excluded(include: bool, offered: int) -> None:
    policies = {"q": ServiceLevelPolicy(include_flow_outs=include)}
    row = report(FLOWS, policies=policies, interval="all").rows[0]
    assert row["flowed_out"] == 1
    assert row["flowed_out_offered"] == (1 if include else 0)
    assert row["offered"] == offered
    assert (row["callbacks"], row["exited"]) == (1, 1)
    assert row["service_level"] == pytest.approx(1 / offered)


def test_unknown_queue_uses_the_default_policy() -> None:
    row = report(AROUND, policies={}, interval="all").rows[0]
    assert row["offered"] == 5  # default: threshold 20 s, short 5 s, excluded


def test_policies_differ_per_queue_and_aggregate_by_their_own_rules() -> None:
    visits = [
        visit("x1", queue="x", wait=15.0),
        visit("x2", queue="x", outcome="abandoned", wait=8.0),
        visit("y1", queue="y", wait=15.0),
        visit("y2", queue="y", outcome="abandoned", wait=8.0),
    ]
    policies = {
        "x": ServiceLevelPolicy(threshold_s=20.0),
        "y": ServiceLevelPolicy(threshold_s=10.0, formula=F.ABANDONS_EXCLUDED),
    }
    by_queue = report(visits, policies=policies, interval="all", by=("queue",))
    assert one(by_queue, queue="x")["service_level"] == pytest.approx(1 / 2)
    assert one(by_queue, queue="y")["service_level"] == pytest.approx(0 / 1)
    total = report(visits, policies=policies, interval="all").rows[0]
    assert (total["sl_numerator"], total["sl_denominator"]) == (1, 3)


def test_asa_aht_transfers_and_averages() -> None:
    visits = [
        visit("a", wait=10.0, talk=100.0, hold=20.0, acw=30.0),
        visit("b", wait=30.0, talk=200.0, hold=0.0, acw=10.0, transferred_out=True),
        visit("c", outcome="abandoned", wait=50.0),
    ]
    row = report(visits, interval="all").rows[0]
    assert row["asa_s"] == pytest.approx(20.0)  # abandons do not count
    assert row["aht_s"] == pytest.approx((150 + 210) / 2)
    assert (row["avg_talk_s"], row["avg_hold_s"], row["avg_acw_s"]) == (150.0, 10.0, 20.0)
    assert row["transfer_rate"] == pytest.approx(1 / 2)
    assert row["abandon_rate"] == pytest.approx(1 / 3)


def test_counted_in_the_interval_of_enqueued_at() -> None:
    visits = [
        visit("a", enqueued=at(29 * 60 + 59.999), wait=600.0),  # 09:29:59.999 -> 09:00
        visit("b", enqueued=at(30 * 60)),  # 09:30 -> 09:30
        visit("c", enqueued=at(-0.001)),  # 08:59:59.999 -> 08:30
    ]
    result = report(visits, interval="30m")
    starts = [(r["interval_start"].strftime("%H:%M"), r["offered"]) for r in result.rows]
    assert starts == [("08:30", 1), ("09:00", 1), ("09:30", 1)]


def test_period_bounds_include_start_and_exclude_end() -> None:
    visits = [visit("a", enqueued=at(0)), visit("b", enqueued=at(3600))]
    result = report(visits, interval="1h", start=T0, end=at(3600))
    assert [r["offered"] for r in result.rows] == [1]


def test_email_response_turnaround() -> None:
    visits = [
        visit("m1", channel="email", arrived=at(-600), wait=3000.0),  # reply 3600 s after arrival
        visit("m2", channel="email", arrived=at(0), wait=1800.0),
        visit("m3", channel="email", wait=10.0, transferred_in=True, number=2),
        visit("v", channel="voice", wait=5.0),
    ]
    row = report(visits, interval="all").rows[0]
    assert row["email_replied"] == 2
    assert row["email_response_s"] == pytest.approx((3600 + 1800) / 2)


def test_tier_and_channel_dimensions() -> None:
    visits = [
        visit("a", tier="vip", channel="chat"),
        visit("b", tier="standard", channel="chat"),
        visit("c", tier="vip", channel="voice", outcome="abandoned", wait=60.0),
    ]
    result = report(visits, interval="all", by=("channel", "tier"))
    assert one(result, channel="chat", tier="vip")["offered"] == 1
    assert one(result, channel="voice", tier="vip")["abandon_rate"] == 1.0
    assert one(result, channel="chat", tier="vip")["occupancy"] is None  # no agent time by tier
