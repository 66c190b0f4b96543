"""shifts.yaml: templates in intervals of the requirement; mistakes name file, line and field."""

from __future__ import annotations

import pytest

from carecenter.adapters.shifts_yaml import parse_shifts
from carecenter.errors import ConfigError

TEXT = """\
contracts:
  ft: {days_per_week: 4, consecutive_days_off: false}
shifts:
  early:
    length: 8.5h
    starts: {from: "06:00", to: "07:00", every: 30m}
    cost_per_hour: 18.5
    contract: ft
    max_per_day: 40
    breaks:
      - {name: rest, length: 15m, paid: true, from: 1h, to: 2h}
      - {name: meal, length: 30m, from: 3h, to: 5h}
  late:
    length: 4h
    starts: ["17:00", "16:00", "17:00"]
    cost_per_hour: 20
"""


def test_a_file_in_quarter_hours() -> None:
    settings = parse_shifts(TEXT, 900)
    early, late = settings.templates
    assert (early.length, early.starts, early.max_per_day, early.contract) == (
        34,
        (24, 26, 28),
        40,
        "ft",
    )
    rest, meal = early.breaks
    assert (rest.length, rest.earliest, rest.latest, rest.paid) == (1, 4, 8, True)
    assert (meal.length, meal.earliest, meal.latest, meal.paid) == (2, 12, 20, False)
    assert early.paid_intervals() == 32  # the unpaid meal is not paid
    assert late.starts == (64, 68)  # sorted, once each
    [ft] = settings.contracts
    assert (ft.days_per_week, ft.consecutive_days_off, len(ft.patterns())) == (4, False, 35)
    # by default a missing agent costs 5 times the dearest hour, for a quarter hour
    assert settings.under_penalty == pytest.approx(5 * 20 * 0.25)
    assert settings.over_penalty == 0


def test_the_same_file_in_half_hours_refuses_a_quarter_hour() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_shifts(TEXT, 1800)
    error = caught.value
    assert (error.line, error.field) == (11, "shifts.early.breaks.0.length")
    assert "whole number of 30-minute intervals" in str(error)


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (("days_per_week: 4", "days_per_week: 8"), 2, "contracts.ft.days_per_week"),
        (('from: "06:00"', 'from: "6am"'), 6, "shifts.early.starts.from"),
        (('to: "07:00"', 'to: "05:00"'), 6, "shifts.early.starts"),
        (("from: 3h, to: 5h", "from: 1.5h, to: 5h"), 10, "shifts.early.breaks"),
        (("cost_per_hour: 20", "cost_per_hour: 0"), 16, "shifts.late.cost_per_hour"),
        (('["17:00", "16:00", "17:00"]', "[]"), 15, "shifts.late.starts"),
    ],
)
def test_mistakes_name_line_and_field(change: tuple[str, str], line: int, field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_shifts(TEXT.replace(*change), 900, "shifts.yaml")
    assert (caught.value.line, caught.value.field) == (line, field), str(caught.value)
    assert str(caught.value).startswith(f"shifts.yaml:{line}:")
