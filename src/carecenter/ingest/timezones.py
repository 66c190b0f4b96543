"""Time zones by name, as the importers' options and mapping files give them."""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from carecenter.errors import InputError


def zone(name: str, *, field: str = "time_zone") -> tzinfo:
    """The zone called ``name`` (an IANA name such as ``Europe/Paris``, or ``UTC``)."""
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {name!r}", field=field) from None
