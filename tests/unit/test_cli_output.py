"""``--format json`` and ``csv``: what the fast renderers print for every kind of value."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from enum import Enum

from carecenter.interfaces.cli.output import render


class Colour(Enum):
    RED = "red"


ROWS = [
    {
        "at": datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        "day": date(2026, 3, 2),
        "queue": "sales",
        "n": 3,
        "share": 0.25,
        "mixed": None,
        "ok": True,
        "colour": Colour.RED,
        "nan": float("nan"),
        "text": 'a,"b"\né',
    },
    {
        "at": datetime(2026, 3, 2, 10, tzinfo=UTC),
        "day": None,
        "queue": None,
        "n": None,
        "share": float("inf"),
        "mixed": 2,
        "ok": False,
        "colour": None,
        "nan": 0.5,
        "text": "",
    },
]
PLAIN = [
    {
        "at": "2026-03-02T09:30:00+00:00",
        "day": "2026-03-02",
        "queue": "sales",
        "n": 3,
        "share": 0.25,
        "mixed": None,
        "ok": True,
        "colour": "red",
        "nan": None,
        "text": 'a,"b"\né',
    },
    {
        "at": "2026-03-02T10:00:00+00:00",
        "day": None,
        "queue": None,
        "n": None,
        "share": None,
        "mixed": 2,
        "ok": False,
        "colour": None,
        "nan": 0.5,
        "text": "",
    },
]


def test_json_is_a_list_of_row_objects_one_per_line() -> None:
    text = render(ROWS, "json")
    assert json.loads(text) == PLAIN
    lines = text.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == len(ROWS) + 2
    assert [json.loads(line.rstrip(",")) for line in lines[1:-1]] == PLAIN


def test_json_columns_pick_and_fill() -> None:
    assert json.loads(render(ROWS, "json", columns=["queue", "absent"])) == [
        {"queue": "sales", "absent": None},
        {"queue": None, "absent": None},
    ]
    assert json.loads(render([], "json", columns=["a"])) == []


def test_csv_writes_plain_values_and_empty_fields() -> None:
    text = render(ROWS, "csv")
    read = list(csv.reader(io.StringIO(text)))
    assert read[0] == list(PLAIN[0])
    assert read[1] == [
        "2026-03-02T09:30:00+00:00", "2026-03-02", "sales", "3", "0.25", "", "True", "red", "",
        'a,"b"\né',
    ]  # fmt: skip
    assert read[2] == [
        "2026-03-02T10:00:00+00:00", "", "", "", "", "2", "False", "", "0.5", "",
    ]  # fmt: skip
    assert render([], "csv", columns=["a", "b"]) == "a,b"
