"""The one duration parser: examples, errors and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carecenter.domain.durations import (
    DAY_S,
    UNITS,
    divides_day,
    format_duration,
    parse_duration,
    parse_whole_seconds,
)
from carecenter.errors import InputError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("45m", 2700.0),
        ("1.5h", 5400.0),
        ("7d", 604_800.0),
        ("30s", 30.0),
        ("1w", 604_800.0),
        ("90", 90.0),
        ("15min", 900.0),
        ("2W", 1_209_600.0),
        (" 30 m ", 1800.0),
        (".5h", 1800.0),
        ("1800.", 1800.0),
    ],
)
def test_examples(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", " ", "m", "30x", "-5m", "0", "0m", "1e3", "3y", "1h30m"])
def test_nonsense_is_an_input_error_on_the_given_field(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_duration(text, field="horizon")
    assert info.value.field == "horizon"
    assert "\n" not in str(info.value)


def test_whole_seconds() -> None:
    assert parse_whole_seconds("1.5h") == 5400
    with pytest.raises(InputError, match="whole number of seconds") as info:
        parse_whole_seconds("2.5s", field="interval")
    assert info.value.field == "interval"


def test_divides_day() -> None:
    assert [s for s in (300, 2700, 3600, DAY_S) if divides_day(s)] == [300, 2700, 3600, DAY_S]
    assert not any(divides_day(s) for s in (0, -60, 420, 2 * DAY_S))


units = st.sampled_from(sorted(UNITS))


@given(st.integers(min_value=1, max_value=10**9), units, st.booleans())
def test_a_whole_number_and_a_unit(n: int, unit: str, upper: bool) -> None:
    text = f"{n}{unit.upper() if upper else unit}"
    assert parse_duration(text) == n * UNITS[unit]
    assert parse_whole_seconds(text) == n * UNITS[unit]


@given(st.floats(min_value=1e-3, max_value=1e9, allow_nan=False), units)
def test_a_decimal_and_a_unit(x: float, unit: str) -> None:
    text = f"{x:.3f}{unit}"
    assert math.isclose(parse_duration(text), float(f"{x:.3f}") * UNITS[unit])


@given(st.text(max_size=12))
def test_any_text_is_seconds_or_an_input_error(text: str) -> None:
    failed: InputError | None = None
    try:
        seconds = parse_duration(text, field="f")
    except InputError as error:
        failed = error
    if failed is not None:
        assert failed.field == "f"
    else:
        assert math.isfinite(seconds) and seconds > 0


@given(st.integers(min_value=1, max_value=10**8))
def test_format_round_trips(seconds: int) -> None:
    name = format_duration(seconds)
    assert parse_whole_seconds(name) == seconds
    assert len(name) <= len(f"{seconds}s")
