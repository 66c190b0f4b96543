"""A long event stream hands its closed agent intervals over as it goes (memory stays flat)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from carecenter.domain.enums import AgentStatus
from carecenter.domain.events import AgentStateChanged
from carecenter.ingest.common import MemorySink
from carecenter.ingest.folding import HAND_OVER_EVENTS, EventFolder

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
STATES = (AgentStatus.AVAILABLE, AgentStatus.BUSY)


def stream(n: int) -> list[AgentStateChanged]:
    return [
        AgentStateChanged(
            occurred_at=T0 + timedelta(seconds=i),
            agent_id="a1",
            state=STATES[i % 2],
            previous=STATES[(i + 1) % 2] if i else AgentStatus.LOGGED_OUT,
        )
        for i in range(n)
    ]


def test_closed_intervals_are_handed_over_before_the_stream_ends() -> None:
    sink = MemorySink()
    folder = EventFolder(sink)
    events = stream(2 * HAND_OVER_EVENTS + 5)
    for event in events[: 2 * HAND_OVER_EVENTS]:
        folder.event(event)
    assert len(sink.intervals) == 2 * HAND_OVER_EVENTS - 1  # all but the open one
    assert all(row[5] is not None for row in sink.intervals.values())  # each one closed
    for event in events[2 * HAND_OVER_EVENTS :]:
        folder.event(event)
    folder.finish()
    assert len(sink.intervals) == len(events)
    assert [row[5] is None for row in sink.intervals.values()].count(True) == 1  # still open
