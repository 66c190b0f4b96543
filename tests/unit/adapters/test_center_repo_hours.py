"""Opening hours survive the store's JSON column, holidays included."""

from __future__ import annotations

from datetime import date, time
from types import MappingProxyType

from carecenter.adapters.store.center_repo import hours_from_json, hours_to_json
from carecenter.domain.center import OpeningHours


def test_opening_hours_round_trip_with_their_holidays() -> None:
    hours = OpeningHours(
        timezone="Europe/Berlin",
        weekly=MappingProxyType({"mon": ((time(8), time(18)),), "sat": ()}),
        closed_on=frozenset({date(2026, 12, 26), date(2026, 12, 25)}),
    )
    raw = hours_to_json(hours)
    assert '"closed_on": ["2026-12-25", "2026-12-26"]' in raw
    got = hours_from_json(raw)
    assert (got.timezone, dict(got.weekly), got.closed_on) == (
        hours.timezone,
        dict(hours.weekly),
        hours.closed_on,
    )


def test_hours_without_holidays_keep_their_old_json() -> None:
    raw = hours_to_json(OpeningHours(weekly=MappingProxyType({"mon": ((time(8), time(18)),)})))
    assert raw == '{"timezone": "UTC", "weekly": {"mon": [["08:00", "18:00"]]}}'
    assert hours_from_json(raw).closed_on == frozenset()
