"""The value types of the configuration files' schemas (pydantic): bounded numbers, time
zones, dates, and weekly hours such as ``{mon-fri: "08:00-18:00"}``, shared by
``center.yaml``'s sections and the scenario files'."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from carecenter.domain.center import WEEKDAYS


def _between(low: float, high: float) -> AfterValidator:
    def check(value: float) -> float:
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}, got {value:g}")
        return value

    return AfterValidator(check)


def _at_least(low: float) -> AfterValidator:
    def check(value: float) -> float:
        if value < low:
            raise ValueError(f"must be at least {low:g}, got {value:g}")
        return value

    return AfterValidator(check)


Fraction = Annotated[float, _between(0, 1)]
Seconds = Annotated[float, _at_least(0)]
Proficiency = Annotated[int, _between(1, 5)]
Capacity = Annotated[int, _between(0, 100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


TimeZoneName = Annotated[str, AfterValidator(_timezone)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _holiday(value: Any) -> date:
    """A YAML date (``2026-12-25``) or the same text quoted; nothing else."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    shown = value.isoformat(" ") if isinstance(value, datetime) else repr(value)
    raise ValueError(f"must be a date like 2026-12-25, got {shown}")


Holiday = Annotated[date, BeforeValidator(_holiday)]


Spans = tuple[tuple[time, time], ...]


def parse_span(text: str, what: str = "opening hours") -> tuple[time, time]:
    """``"08:00-18:00"`` as (start, end); an end of ``24:00`` is midnight (``time(0)``)."""
    try:
        start, end = (part.strip() for part in text.split("-"))
        open_at = time.fromisoformat(start)
        close_at = time(0) if end == "24:00" else time.fromisoformat(end)
    except ValueError:
        raise ValueError(f"{what} must look like '08:00-18:00', got {text!r}") from None
    if close_at != time(0) and close_at <= open_at:
        problem = "close before they open" if what == "opening hours" else "ends before it starts"
        raise ValueError(f"{what} {problem}: {text!r}")
    return open_at, close_at


def parse_days(key: str) -> list[str]:
    """``"mon-fri"``, ``"sat,sun"``... as the weekday names it covers."""
    days: list[str] = []
    for part in key.lower().split(","):
        first, _, last = part.strip().partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"weekdays must be like mon, mon-fri or sat,sun, got {key!r}")
        i, j = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days.extend(WEEKDAYS[i : j + 1] if i <= j else WEEKDAYS[i:] + WEEKDAYS[: j + 1])
    return days


def parse_hours(raw: dict[str, str | list[str]]) -> dict[str, Spans]:
    """``{"mon-fri": "08:00-20:00", "sat": ["09:00-12:00", "13:00-16:00"]}`` to weekly spans."""
    weekly: dict[str, Spans] = {}
    for key, value in raw.items():
        texts = [value] if isinstance(value, str) else value
        spans = () if texts == ["closed"] else tuple(parse_span(t) for t in texts)
        for day in parse_days(key):
            weekly[day] = spans
    return weekly
