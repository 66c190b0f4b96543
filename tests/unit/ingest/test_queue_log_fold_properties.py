"""The Asterisk SQL fold gives the facts the one fold gives, on generated event streams.

The vectorised path (:mod:`carecenter.ingest.queue_log`) is kept for speed; it is checked here
against the reference: the domain fold (:func:`carecenter.domain.projection.fold`, what the
projector runs) of the same events. Each generated stream is rendered as the queue_log a PBX
would write (:class:`~carecenter.ingest.queue_log_render.QueueLogRenderer`), imported, and
every voice visit compared: queue, outcome, transfer flags, agent, wait and conversation (to the
second Asterisk logs), whether a call is still in progress (answered, not handled yet), and
``None`` for what Asterisk does not log (talk and hold apart, ACW). Streams are cut at a random
event, so calls are cut off at the end of the file at every stage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import event_streams

from carecenter.adapters.files import open_text, write_queue_log
from carecenter.domain.enums import Channel, Direction
from carecenter.domain.events import ContactArrived, ContactQueued, Event
from carecenter.domain.projection import ProjectionState, fold
from carecenter.ingest.asterisk import AsteriskQueueLog
from carecenter.ingest.common import MemorySink
from carecenter.ingest.queue_log_render import CALLBACK_KEY

SAME = (
    "queue_id",
    "direction",
    "outcome",
    "transferred_in",
    "transferred_out",
    "callback_requested",
)


def reference(events: list[Event]) -> dict[tuple[str, int], Any]:
    voice = {
        e.contact_id for e in events if isinstance(e, ContactArrived) and e.channel is Channel.VOICE
    }
    state = ProjectionState()
    for seq, event in enumerate(events, 1):
        fold(state, seq, event)
    return {k: v for k, v in state.touched_visits.items() if k[0] in voice}


def imported(events: list[Event], path: Path) -> dict[tuple[str, int], dict[str, Any]]:
    write_queue_log(events, path)
    sink, importer = MemorySink(), AsteriskQueueLog(callback_keys=(CALLBACK_KEY,))
    with open_text(path) as text:
        importer.read(text, sink)
    importer.finish(sink)
    assert sink.counts.quarantined == 0
    return {(v["contact_id"].removeprefix("asterisk:"), v["visit"]): v for v in sink.visit_dicts()}


def in_conversation(v: Any) -> bool:
    """The metrics' test (:func:`carecenter.metrics.classes.in_conversation`) on one row."""
    get = v.get if isinstance(v, dict) else lambda name: getattr(v, name)
    return bool(
        get("answered_at") is not None and get("ended_at") is None and get("talk_ended_at") is None
    )


def undialled_dropped(events: list[Event]) -> list[Event]:
    """``events`` without an outbound call cut off before it was dialled (arrived or queued,
    not yet offered to its agent): the PBX has not logged it."""
    outbound = {
        e.contact_id
        for e in events
        if isinstance(e, ContactArrived) and e.direction is Direction.OUTBOUND
    }
    while events and isinstance(events[-1], ContactArrived | ContactQueued):
        if events[-1].contact_id not in outbound:
            break
        events = events[:-1]
    return events


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1.0


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(event_streams(max_steps=80), st.floats(0.0, 1.0))
def test_sql_fold_equals_the_domain_fold(tmp_path: Path, events: list[Event], cut: float) -> None:
    events = undialled_dropped(events[: max(1, round(len(events) * cut))])  # the file ends here
    expected = reference(events)
    got = imported(events, tmp_path / "queue_log")
    assert set(got) == set(expected)
    for key, fact in expected.items():
        row = got[key]
        assert {f: row[f] for f in SAME} == {f: getattr(fact, f) for f in SAME}, key
        assert close(row["wait_s"], fact.wait_s), (key, row["wait_s"], fact.wait_s)
        assert close(row["conversation_s"], fact.conversation_s), key
        assert (row["talk_s"], row["hold_s"], row["acw_s"]) == (None, None, None), key
        assert in_conversation(row) == in_conversation(fact), key
        if fact.answered_at is not None:
            assert row["agent_id"] == fact.agent_id, key
