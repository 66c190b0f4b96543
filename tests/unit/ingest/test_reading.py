"""CSV reading for the translators: long fields and text that is not CSV (issue 8)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from carecenter.adapters.files import open_text
from carecenter.errors import InputError
from carecenter.ingest.reading import CSV_FIELD_LIMIT, csv_rows


def test_a_field_over_128_kib_is_read(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    comment = "word " * 60_000  # 300,000 characters, over the csv module's default limit
    path.write_text(f'id,comment\n1,"{comment}"\n2,short\n')
    with open_text(path) as text:
        header, _, rows = csv_rows(text)
        assert header == ["id", "comment"]
        assert [(line, row[0], len(row[1])) for line, row in rows] == [
            (2, "1", len(comment)),
            (3, "2", 5),
        ]
    assert csv.field_size_limit() >= CSV_FIELD_LIMIT


def test_text_that_is_not_csv_is_an_input_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('id,comment\n1,ok\n2,"' + "x" * 100 + '"\n')
    before = csv.field_size_limit()
    try:
        with open_text(path) as text:
            _, _, rows = csv_rows(text)
            csv.field_size_limit(50)  # as if the field were over the (raised) limit
            with pytest.raises(InputError) as caught:
                list(rows)
    finally:
        csv.field_size_limit(before)
    assert caught.value.file == str(path)
    assert caught.value.line == 3
    assert "field larger than field limit" in str(caught.value)
