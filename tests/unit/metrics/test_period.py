"""The period a report covers when none is given: the whole local days of the data, so that a
report over ``--interval all`` is labelled with the day it starts, not its first event."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.unit.metrics.builders import report, visit

LONDON = ZoneInfo("Europe/London")


def test_interval_all_is_labelled_with_the_local_day_the_data_starts() -> None:
    first = datetime(2026, 7, 1, 7, 3, 20, tzinfo=UTC)  # 08:03:20 in London (summer time)
    last = datetime(2026, 7, 2, 16, 0, tzinfo=UTC)
    visits = [visit("a", enqueued=first), visit("b", enqueued=last)]
    (row,) = report(visits, interval="all", timezone="Europe/London").rows
    assert row["interval_start"] == datetime(2026, 7, 1, tzinfo=LONDON)
    assert row["offered"] == 2


def test_a_given_start_labels_the_period() -> None:
    start = datetime(2026, 6, 30, 12, tzinfo=UTC)
    visits = [visit("a", enqueued=datetime(2026, 7, 1, 7, tzinfo=UTC))]
    (row,) = report(visits, interval="all", start=start).rows
    assert row["interval_start"] == start


def test_reports_group_by_topic() -> None:
    visits = [
        visit("a", topic="billing", wait=5.0),
        visit("b", topic="billing", outcome="abandoned", wait=50.0),
        visit("c", topic="fraud", wait=30.0),
        visit("d", topic=None),
    ]
    rows = {r["topic"]: r for r in report(visits, interval="all", by=("topic",)).rows}
    assert set(rows) == {"billing", "fraud", None}
    assert (rows["billing"]["offered"], rows["billing"]["answered"]) == (2, 1)
    assert rows["fraud"]["wait_p50_s"] == 30.0
