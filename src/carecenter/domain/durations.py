"""Durations as people write them: ``45m``, ``1.5h``, ``7d``, ``30s``, ``1w`` or ``90`` (seconds).

The one parser of every duration the program reads (a reporting or forecast interval, a
horizon, an Erlang interval). A number, optionally followed by a unit: ``s``, ``m`` or ``min``,
``h``, ``d``, ``w`` (case and blanks around the parts do not matter). A bad duration is an
:class:`~carecenter.errors.InputError` naming the field it was given for.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, tzinfo

from carecenter.errors import InputError

HOUR_S = 3600
DAY_S = 24 * HOUR_S
WEEK_S = 7 * DAY_S
UNITS: dict[str, int] = {"": 1, "s": 1, "m": 60, "min": 60, "h": HOUR_S, "d": DAY_S, "w": WEEK_S}
"""Seconds per unit; no unit means seconds."""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$", re.IGNORECASE | re.ASCII)
_HINT = "use seconds or a number with s, m, h, d or w, e.g. 30s, 45m, 1.5h, 7d, 1w"


def parse_duration(text: str, *, field: str = "duration", allow_zero: bool = False) -> float:
    """Seconds in ``text`` (positive, or zero with ``allow_zero``, and finite);
    :class:`InputError` on ``field`` otherwise."""
    match = _DURATION.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in UNITS:
        raise InputError(f"not a duration: {text!r} ({_HINT})", field=field)
    seconds = float(match.group(1)) * UNITS[unit]
    if not math.isfinite(seconds):
        raise InputError(f"too long: {text!r}", field=field)
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise InputError(f"must be longer than 0: {text!r}", field=field)
    return seconds


def parse_whole_seconds(text: str, *, field: str = "duration") -> int:
    """:func:`parse_duration` for a duration of whole seconds (``1.5h`` yes, ``2.5s`` no)."""
    seconds = parse_duration(text, field=field)
    if not seconds.is_integer():
        raise InputError(f"not a whole number of seconds: {text!r}", field=field)
    return int(seconds)


def format_duration(seconds: int) -> str:
    """The shortest name of a positive whole number of seconds: ``45m``, ``1h``, ``1w``, ``90s``."""
    for unit in ("w", "d", "h", "m"):
        if seconds % UNITS[unit] == 0:
            return f"{seconds // UNITS[unit]}{unit}"
    return f"{seconds}s"


def divides_day(seconds: int) -> bool:
    """Whether intervals of ``seconds`` tile a day, so they align to midnight."""
    return 0 < seconds <= DAY_S and DAY_S % seconds == 0


def elapsed_s(start: datetime, end: datetime) -> float:
    """Seconds from ``start`` to ``end`` (aware datetimes): real elapsed time, also when both
    are in one zone with a daylight-saving change between them (Python subtracts two times of
    the same zone as wall-clock times)."""
    zone = start.tzinfo
    if zone is end.tzinfo and zone is not None and zone is not UTC:
        start, end = start.astimezone(UTC), end.astimezone(UTC)
    return (end - start).total_seconds()


def wall_s(moment: datetime, first_day: date, zone: tzinfo) -> float:
    """Wall-clock seconds of ``moment`` (aware) in ``zone`` after midnight of ``first_day``:
    the clock's reading, as shifts and schedules count, not the elapsed time (see
    :func:`elapsed_s`)."""
    local = moment.astimezone(zone).replace(tzinfo=None)
    return (local - datetime.combine(first_day, time(0))).total_seconds()
