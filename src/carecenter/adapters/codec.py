"""Events to JSON and back, exactly.

Timestamps keep their UTC offset and microseconds (ISO 8601); enums are stored by value.
Decoding is driven by the event class's type hints, so a new event needs no codec change.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields
from datetime import datetime
from enum import Enum
from typing import Any

from carecenter.domain.events import EVENT_TYPES, Event
from carecenter.errors import StoreError


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_encode_value(v) for v in value]
    return value


def encode(event: Event) -> str:
    """The event's fields as canonical JSON (sorted keys, no spaces)."""
    payload = {f.name: _encode_value(getattr(event, f.name)) for f in fields(event)}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


_HINTS: dict[str, dict[str, Any]] = {}


def _hints(cls: type[Event]) -> dict[str, Any]:
    hints = _HINTS.get(cls.name)
    if hints is None:
        hints = _HINTS[cls.name] = typing.get_type_hints(cls)
    return hints


def _decode_value(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decode_value(options[0], value) if len(options) == 1 else value
    if hint is datetime:
        return datetime.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if origin is tuple:
        (item, *_) = typing.get_args(hint)
        return tuple(_decode_value(item, v) for v in value)
    if hint is float and isinstance(value, int):
        return float(value)
    return value


def decode(name: str, payload: str) -> Event:
    """Rebuild the event called ``name`` from its JSON payload."""
    cls = EVENT_TYPES.get(name)
    if cls is None:
        raise StoreError(f"unknown event name {name!r} in the event log")
    data = json.loads(payload)
    hints = _hints(cls)
    kwargs = {
        f.name: _decode_value(hints[f.name], data.get(f.name))
        for f in fields(cls)
        if f.name in data
    }
    return cls(**kwargs)
