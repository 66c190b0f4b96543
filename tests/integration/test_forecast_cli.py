"""``carecenter forecast`` end to end on small synthetic CSV histories."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

COLUMNS = ["queue", "interval_start", "calls", "calls_lo", "calls_hi", "aht_s", "interval_s"]
MONDAY = date(2024, 1, 1)
NEXT_MONDAY = date(2024, 2, 12)  # after six weeks of history
SLOTS = 8  # 08:00 - 11:30, every 30 min
AHT = {"billing": 240.0, "sales": 300.0}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["forecast", *args])
    return result.exit_code, result.stdout, result.stderr


def write_history(path: Path, *, weeks: int = 6, seed: int = 11) -> Path:
    """Mon-Fri, two queues, 30-minute intervals with calls and AHT."""
    rng = np.random.default_rng(seed)
    weekday = [1.3, 1.0, 1.0, 0.9, 0.8]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["interval_start", "queue", "calls", "aht_s"])
        for day in (MONDAY + timedelta(i) for i in range(7 * weeks)):
            if day.weekday() >= 5:
                continue
            for k in range(SLOTS):
                start = datetime(day.year, day.month, day.day, 8) + timedelta(minutes=30 * k)
                for queue, base in (("billing", 40), ("sales", 25)):
                    mean = base * weekday[day.weekday()] * (1 + 0.5 * np.sin(np.pi * k / SLOTS))
                    aht = AHT[queue] + rng.normal(0, 10)
                    writer.writerow([start.isoformat(), queue, rng.poisson(mean), f"{aht:.1f}"])
    return path


@pytest.fixture
def history(tmp_path: Path) -> Path:
    return write_history(tmp_path / "history.csv")


def read_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_forecast_csv_has_the_exchange_format(history: Path) -> None:
    code, out, err = run("--history", str(history), "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[0] == ",".join(COLUMNS)
    rows = read_rows(out)
    assert len(rows) == 2 * 5 * SLOTS
    assert {r["queue"] for r in rows} == {"billing", "sales"}
    assert rows[0]["interval_start"] == f"{NEXT_MONDAY}T08:00:00"
    assert {r["interval_s"] for r in rows} == {"1800"}
    for row in rows:
        assert float(row["calls_lo"]) <= float(row["calls"]) <= float(row["calls_hi"])
        assert abs(float(row["aht_s"]) - AHT[row["queue"]]) < 15
    assert "model" in err


def test_output_file_is_readable_by_the_staff_command(history: Path, tmp_path: Path) -> None:
    target = tmp_path / "forecast.csv"
    code, out, err = run("--history", str(history), "--output", str(target), "--horizon", "2w")
    assert code == 0, err
    assert out == ""
    assert f"wrote {2 * 10 * SLOTS} forecast rows" in err
    with target.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        volumes = [(r["queue"], r["interval_start"], r["calls"], r["aht_s"]) for r in reader]
    assert len(volumes) == 2 * 10 * SLOTS
    assert all(float(calls) >= 0 and float(aht) > 0 for _, _, calls, aht in volumes)


def test_backtest_table_scores_every_model(history: Path) -> None:
    code, out, err = run("--history", str(history), "--backtest", "--origins", "3", "-f", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 2 * 5  # two queues x five models
    for queue in ("billing", "sales"):
        mine = [r for r in rows if r["queue"] == queue]
        assert {r["model"] for r in mine} == {
            "seasonal-naive",
            "profile",
            "weekday-mean",
            "daily-shape",
            "harmonic",
        }
        assert sum(r["chosen"] == "yes" for r in mine) == 1
        chosen = next(r for r in mine if r["chosen"])
        assert chosen["wape"] == min(r["wape"] for r in mine)
        assert all(r["origins"] == 3 and 0 < r["wape"] < 1 and r["mase"] > 0 for r in mine)
        assert all(f"wape_d{h}" in r for r in mine for h in range(1, 6))


def test_named_model_and_aggregation_to_hours(history: Path) -> None:
    code, out, err = run("--history", str(history), "--model", "profile", "-f", "csv")
    assert code == 0, err
    half_hours = read_rows(out)
    code, out, err = run(
        "--history", str(history), "--model", "profile", "--interval", "1h", "-f", "csv"
    )
    assert code == 0, err
    hours = read_rows(out)
    assert len(hours) == len(half_hours) // 2
    assert {r["interval_s"] for r in hours} == {"3600"}
    first_hour = sum(float(r["calls"]) for r in half_hours[:2])
    assert float(hours[0]["calls"]) == pytest.approx(first_hour, abs=0.02)


def test_special_days_are_excluded_and_scaled(history: Path, tmp_path: Path) -> None:
    holidays = tmp_path / "holidays.csv"
    holidays.write_text("date,name,factor\n2024-01-15,MLK day\n2024-02-14,closed,0\n")
    code, out, err = run(
        "--history",
        str(history),
        "--holidays",
        str(holidays),
        "--exclude-date",
        "2024-01-16",
        "-f",
        "json",
    )
    assert code == 0, err
    assert "2 special day(s) excluded" in err
    rows = json.loads(out)
    closed = [r for r in rows if r["interval_start"].startswith("2024-02-14")]
    assert len(closed) == 2 * SLOTS
    assert all(r["calls"] == r["calls_hi"] == 0 for r in closed)


def test_history_without_queue_or_aht(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    with path.open("w") as handle:
        handle.write("interval_start,calls\n")
        for day in range(14):
            start = datetime(2024, 3, 4) + timedelta(days=day)
            handle.write(f"{start.isoformat()},{10 + day % 7}\n")
    code, out, err = run("--history", str(path), "--format", "csv")
    assert code == 0, err
    rows = read_rows(out)
    assert len(rows) == 7  # a 7-day week, one daily interval
    assert {r["queue"] for r in rows} == {"all"}
    assert {r["aht_s"] for r in rows} == {""}
    assert {r["interval_s"] for r in rows} == {"86400"}


def test_day_index_layout(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    lines = ["weekday_index,interval_start,calls"]
    lines += [f"{d},{h:02d}:00,{20 + h + d % 5}" for d in range(15) for h in (9, 10)]
    path.write_text("\n".join(lines) + "\n")
    code, out, err = run("--history", str(path), "--model", "seasonal-naive", "-f", "csv")
    assert code == 0, err
    rows = read_rows(out)
    assert rows[0]["interval_start"] == "2003-03-24T09:00:00"  # day 15 after 3 March 2003
    assert [float(r["calls"]) for r in rows[:2]] == [29.0, 30.0]
    code, out, _ = run("--history", str(path), "--day-origin", "2024-01-01", "-f", "csv")
    assert read_rows(out)[0]["interval_start"] == "2024-01-22T09:00:00"


def test_table_format(history: Path) -> None:
    code, out, err = run("--history", str(history), "--horizon", "1d")
    assert code == 0, err
    assert "calls_hi" in out
    assert "billing" in out


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("2024-01-01T08:00:00,billing,abc,240", "history.csv:3: calls: not a number: 'abc'"),
        ("2024-01-01T08:00:00,billing,-1,240", "history.csv:3: calls: must be a finite number"),
        ("2024-13-01T08:00:00,billing,1,240", "history.csv:3: interval_start: not an ISO"),
        ("2024-01-01T08:00:00,billing,1,x", "history.csv:3: aht_s: not a number"),
        ("2024-01-01T08:00:00,,1,240", "history.csv:3: queue: empty queue name"),
        ("2024-01-01T08:00:00,billing,1", "history.csv:3: expected 4 fields, found 3"),
        ("2024-01-01T07:30:00,billing,1,240", "history.csv:3: interval_start: duplicate interval"),
    ],
)
def test_bad_rows_are_one_line_errors(tmp_path: Path, row: str, where: str) -> None:
    path = tmp_path / "history.csv"
    path.write_text(f"interval_start,queue,calls,aht_s\n2024-01-01T07:30:00,billing,1,240\n{row}\n")
    code, out, err = run("--history", str(path))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert where in err
    assert out == ""


def test_missing_column_and_bad_options(history: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("start,calls\n2024-01-01T08:00:00,3\n")
    code, _, err = run("--history", str(path))
    assert code == 2
    assert "bad.csv:1: interval_start: missing column" in err
    code, _, err = run("--history", str(history), "--model", "arima")
    assert code == 2
    assert "unknown model 'arima'" in err
    code, _, err = run("--history", str(history), "--interval", "20m")
    assert code == 2
    assert "cannot aggregate 30 min intervals to 20 min" in err
    code, _, err = run("--history", str(history), "--interval", "soon")
    assert code == 2
    assert "error: --interval: not a duration: 'soon'" in err
    code, _, err = run("--history", str(history), "--interval", "7m")
    assert code == 2
    assert "error: --interval: intervals of 7m do not divide a day" in err
    code, _, err = run("--history", str(history), "--horizon", "36h")
    assert code == 2
    assert "error: --horizon: use whole days (7d) or weeks (2w), not '36h'" in err
    code, _, err = run("--history", str(history), "--exclude-date", "tomorrow")
    assert code == 2
    assert "not a date" in err


def test_history_that_is_not_utf8_or_not_csv_is_one_line(tmp_path: Path) -> None:
    # issue 8: UnicodeDecodeError and csv.Error tracebacks
    path = tmp_path / "latin1.csv"
    starts = (
        datetime(2024, 1, 1, 8) + timedelta(days=k // 20, minutes=30 * (k % 20)) for k in range(600)
    )
    rows = "".join(f"{start.isoformat()},q,1,240\n" for start in starts)
    path.write_bytes(b"interval_start,queue,calls,aht_s\n" + rows.encode() + b"caf\xe9\n")
    code, out, err = run("--history", str(path))
    assert (code, out) == (2, "")
    assert err == f"error: {path}:602: not UTF-8 text\n"
    long = tmp_path / "long.csv"
    long.write_text(
        f'interval_start,queue,calls,aht_s\n2024-01-01T08:00:00,"{"q" * 200_000}",1,240\n'
    )
    code, _, err = run("--history", str(long), "--format", "json")
    assert code == 0, err  # a field over the csv module's default 128 KiB is read


def test_a_long_gap_in_the_history_forecasts_with_every_model(tmp_path: Path) -> None:
    # issue 8: old and new history in one file: harmonic raised NotEnoughHistoryError
    path = write_history(tmp_path / "old.csv", weeks=3)
    with path.open("a") as handle:
        for k in range(SLOTS):
            handle.write(f"2024-06-03T{8 + k // 2:02d}:{30 * (k % 2):02d}:00,billing,5,240\n")
    for model in ("auto", "harmonic", "daily-shape"):
        code, out, err = run("--history", str(path), "--model", model, "--format", "json")
        assert code == 0, err
        assert json.loads(out)
