"""Events are frozen dataclasses with one-step construction: the same behaviour as the
``__init__`` that ``dataclasses`` writes, at half the cost."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytest

from carecenter.domain.enums import Channel, Direction
from carecenter.domain.events import EVENT_TYPES, ContactArrived, ContactOffered, Event
from carecenter.errors import DomainError

AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("cls", sorted(EVENT_TYPES.values(), key=lambda c: c.name))
def test_every_event_takes_its_fields_by_keyword_with_their_defaults(cls: type[Event]) -> None:
    params = inspect.signature(cls).parameters
    fields = dataclasses.fields(cls)
    assert list(params) == [f.name for f in fields]
    for f in fields:
        p = params[f.name]
        assert p.kind is inspect.Parameter.KEYWORD_ONLY
        assert p.default == (
            inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        )
    assert typing.get_type_hints(cls.__init__)["occurred_at"] is datetime


def test_an_event_is_the_frozen_dataclass_it_declares() -> None:
    e = ContactArrived(occurred_at=AT, contact_id="c1", channel=Channel.VOICE)
    assert e.direction is Direction.INBOUND and e.tier == "standard" and e.promise_id is None
    same = ContactArrived(occurred_at=AT, contact_id="c1", channel=Channel.VOICE)
    assert e == same and hash(e) == hash(same) and e is not same
    assert e != dataclasses.replace(e, tier="vip")
    assert repr(e).startswith("ContactArrived(occurred_at=datetime.datetime(2026, 11, 2, 8, 0")
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.contact_id = "c2"  # type: ignore[misc]
    assert e.as_dict()["contact_id"] == "c1" and e.name == "contact.arrived"


def test_a_missing_or_unknown_field_is_refused_like_any_keyword() -> None:
    with pytest.raises(TypeError, match="agent_id"):
        ContactOffered(occurred_at=AT, contact_id="c1", queue_id="q1")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="colour"):
        ContactOffered(occurred_at=AT, contact_id="c1", queue_id="q", agent_id="a", colour=1)  # type: ignore[call-arg]


class _NoOffset(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None


@pytest.mark.parametrize(
    "at", [datetime(2026, 11, 2, 8, 0), datetime(2026, 11, 2, tzinfo=_NoOffset())]
)
def test_a_naive_time_is_refused(at: datetime) -> None:
    with pytest.raises(DomainError, match=r"contact\.offered: occurred_at must be timezone-aware"):
        ContactOffered(occurred_at=at, contact_id="c1", queue_id="q1", agent_id="a1")


def test_any_aware_zone_is_taken() -> None:
    paris = timezone(timedelta(hours=1))
    e = ContactOffered(occurred_at=AT.astimezone(paris), contact_id="c", queue_id="q", agent_id="a")
    assert e.occurred_at == AT
