"""Promise realism on hand-built ledgers: every figure computed by hand below.

Callbacks of queue billing, each promised within 30 min (1800 s): seven kept after 4, 8, 12,
16, 20, 24 and 28 min, three done late after 35, 42 and 49 min, one broken overdue (never
kept), one open not yet due and one cancelled (both left out). The eleven counted, sorted:
240 480 720 960 1200 1440 1680 2100 2520 2940 inf (the never-kept one sorts last).
Linear interpolation at h = (n - 1) q = 10 q: p50 h = 5 -> 1440; p90 h = 9 -> 2940;
p95 h = 9.5 -> between 2940 and inf: unknown.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from carecenter.domain.promise_facts import PromiseRow
from carecenter.domain.promise_realism import outcome, promise_realism, quantile, round_up

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def row(
    pid: str,
    status: str,
    *,
    after_s: float | None,
    promised_s: float = 1800,
    kind: str = "callback",
    queue: str | None = "billing",
    reason: str | None = None,
) -> PromiseRow:
    return PromiseRow(
        pid,
        kind=kind,
        queue_id=queue,
        made_at=T0,
        due_at=T0 + timedelta(seconds=promised_s),
        status=status,
        closed_at=None if after_s is None else T0 + timedelta(seconds=after_s),
        reason=reason,
    )


def ledger() -> list[PromiseRow]:
    rows = [row(f"k{m}", "kept", after_s=m * 60) for m in (4, 8, 12, 16, 20, 24, 28)]
    rows += [row(f"l{m}", "broken", after_s=m * 60, reason="late") for m in (35, 42, 49)]
    rows += [
        row("o1", "broken", after_s=1800, reason="overdue"),
        row("p1", "open", after_s=None, promised_s=86400 * 2),  # due after NOW: left out
        row("c1", "cancelled", after_s=600),
    ]
    # replies, no queue, promised within 4 h: 1, 2, 3 h kept, 5 h late
    rows += [
        row(f"r{h}", "kept" if h < 5 else "broken", after_s=h * 3600, promised_s=14400,
            kind="reply", queue=None, reason=None if h < 5 else "late")
        for h in (1, 2, 3, 5)
    ]  # fmt: skip
    return rows


def test_callbacks_by_hand() -> None:
    callbacks, replies = promise_realism(ledger(), NOW)
    assert (callbacks.kind, callbacks.queue_id) == ("callback", "billing")
    assert (callbacks.promises, callbacks.kept, callbacks.late, callbacks.never_kept) == (
        11,
        7,
        3,
        1,
    )
    assert callbacks.left_out == 2
    assert callbacks.kept_share == 7 / 11
    assert callbacks.promised_p50_s == 1800
    assert (callbacks.realised_p50_s, callbacks.realised_p90_s) == (1440, 2940)
    assert callbacks.realised_p95_s is None
    # 2940 s rounds up to 5 minutes: 3000 s (50 min); 10 of the 11 took at most that
    assert callbacks.recommended_s == 3000
    assert callbacks.margin_s == 3000 - 1440
    assert callbacks.kept_share_recommended == 10 / 11
    # replies: 3600 7200 10800 18000; h = 3 q: p50 1.5 -> 9000; p90 2.7 -> 10800 + 0.7 x 7200
    assert (replies.kind, replies.queue_id, replies.promises) == ("reply", None, 4)
    assert replies.realised_p50_s == 9000
    assert replies.realised_p90_s == pytest.approx(15840)
    assert replies.realised_p95_s == pytest.approx(16920)
    assert replies.recommended_s == 18000  # whole hours: 5 h
    assert (replies.kept_share, replies.kept_share_recommended) == (0.75, 1.0)
    assert replies.margin_s == 9000


def test_other_percentiles() -> None:
    eighty = promise_realism(ledger(), NOW, 80)[0]
    # h = 8 -> 2520 s -> 2700 s (45 min): 9 of 11 within it
    assert (eighty.recommended_s, eighty.kept_share_recommended) == (2700, 9 / 11)
    # the 95th percentile falls among the never-kept: no promise keeps 95 %
    ninety_five = promise_realism(ledger(), NOW, 95)[0]
    assert ninety_five.recommended_s is None
    assert ninety_five.margin_s is None and ninety_five.kept_share_recommended is None
    with pytest.raises(ValueError, match="percentile"):
        promise_realism(ledger(), NOW, 100)


def test_outcomes() -> None:
    late_open = row("x", "open", after_s=None)  # due 09:30, NOW is the next day
    assert outcome(late_open, NOW) is not None
    assert outcome(late_open, NOW).realised_s is None  # type: ignore[union-attr]
    assert outcome(late_open, T0) is None  # not yet due: left out
    assert outcome(PromiseRow("y", status="kept"), NOW) is None  # no promise.made
    kept = outcome(row("z", "kept", after_s=90), NOW)
    assert kept is not None and (kept.promised_s, kept.realised_s, kept.kept) == (1800, 90, True)


@pytest.mark.parametrize(
    ("seconds", "rounded"),
    [
        (0, 0),
        (59, 60),
        (60, 60),
        (599.5, 600),
        (600, 600),
        (601, 900),
        (7199, 7200),
        (7201, 10800),
        (172799, 172800),
        (172801, 259200),
    ],
)
def test_round_up(seconds: float, rounded: float) -> None:
    assert round_up(seconds) == rounded


def test_quantile_is_duckdbs_quantile_cont() -> None:
    """The same definition as the metrics' percentiles (DuckDB ``quantile_cont``)."""
    rng = random.Random(3)
    values = [rng.expovariate(1 / 600) for _ in range(37)]
    con = duckdb.connect()
    for q in (0.5, 0.9, 0.95):
        (expected,) = con.execute(
            "SELECT quantile_cont(v, ?) FROM unnest(?) t(v)", [q, values]
        ).fetchone() or (None,)
        assert quantile(values, q) == pytest.approx(expected, rel=1e-12)
    assert quantile([], 0.5) is None
    assert quantile([1.0, math.inf], 0.5) is None
    assert quantile([1.0, 3.0, math.inf], 0.5) == 3.0
