"""The clocks: a fake one tests set and advance, and the event log stamping with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from tests.helpers import T0

from carecenter.adapters.clock import SystemClock
from carecenter.adapters.memory import FakeClock, InMemoryEventLog
from carecenter.domain.contact import Contact
from carecenter.domain.enums import Channel


def test_fake_clock_is_set_and_advanced_in_utc() -> None:
    clock = FakeClock(datetime(2026, 3, 29, 3, 0, tzinfo=timezone(timedelta(hours=2))))
    assert clock.now() == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.advance(90) == datetime(2026, 3, 29, 1, 1, 30, tzinfo=UTC)
    assert clock.advance(timedelta(hours=1)).hour == 2
    clock.set(T0)
    assert clock.now() == T0
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="forwards"):
        clock.advance(-1)


def test_the_event_log_stamps_events_with_its_clock() -> None:
    clock = FakeClock(T0)
    log = InMemoryEventLog(clock)
    _, arrived = Contact.arrive("c1", Channel.VOICE, T0)
    log.append([arrived])
    clock.advance(60)
    log.append([arrived])
    assert [e.recorded_at for e in log.read()] == [T0, T0 + timedelta(seconds=60)]


def test_the_system_clock_is_aware_utc() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.tzinfo is UTC and before <= now <= datetime.now(UTC)
