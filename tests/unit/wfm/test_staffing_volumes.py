"""Reading volume CSV files: good files, and bad rows named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecenter.adapters.volumes_csv import CsvVolumes, VolumeRow
from carecenter.errors import InputError

HEADER = "queue,interval_start,calls,aht_s,interval_s,patience_s\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "volumes.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_rows_with_defaults(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "\ufeffqueue,interval_start,calls,aht_s,patience_s\n"
        "billing,2026-11-23T09:00,360,240,\n"
        "cards, 2026-11-23T09:00 ,12.5,300,90\n",
    )
    rows = CsvVolumes(path).rows()
    assert rows == [
        VolumeRow("billing", "2026-11-23T09:00", 360.0, 240.0, 1800.0, None, line=2),
        VolumeRow("cards", "2026-11-23T09:00", 12.5, 300.0, 1800.0, 90.0, line=3),
    ]


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        ("billing,t0,abc,240,900,", "calls", "not a number"),
        ("billing,t0,-1,240,900,", "calls", ">= 0"),
        ("billing,t0,10,0,900,", "aht_s", "positive"),
        ("billing,t0,10,240,0,", "interval_s", "positive"),
        ("billing,t0,10,240,900,-5", "patience_s", ">= 0"),
        ("billing,t0,10,inf,900,", "aht_s", "positive"),
        (",t0,10,240,900,", "queue", "empty"),
        ("billing,,10,240,900,", "interval_start", "empty"),
        ("billing,t0,,240,900,", "calls", "empty"),
    ],
)
def test_bad_row_names_file_line_and_field(
    tmp_path: Path, row: str, field: str, fragment: str
) -> None:
    path = _write(tmp_path, HEADER + "ok,t0,10,240,900,\n" + row + "\n")
    with pytest.raises(InputError) as info:
        CsvVolumes(path).rows()
    error = info.value
    assert (error.file, error.line, error.field) == (str(path), 3, field)
    assert fragment in error.message
    assert str(error).startswith(f"{path}:3: {field}: ")


def test_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "queue,interval_start,calls\nq,t0,1\n")
    with pytest.raises(InputError) as info:
        CsvVolumes(path).rows()
    assert info.value.field == "aht_s"
    assert info.value.line == 1


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no data rows"):
        CsvVolumes(_write(tmp_path, HEADER)).rows()
    with pytest.raises(InputError, match="cannot read"):
        CsvVolumes(tmp_path / "nope.csv").rows()


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(InputError, match="UTF-8"):
        CsvVolumes(path).rows()
