"""``carecenter staff --format html``: a forecast CSV to one offline page with a chart per queue.

The forecast CSV is written by ``carecenter forecast --output`` from a small synthetic history
in which one queue has handle times and the other has none (its ``aht_s`` stays empty, so the
plan needs ``--aht``).
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

MONDAY = date(2026, 11, 2)
SLOTS = 6  # 09:00 - 11:30
PLAN = ("--target-sl", "0.8", "--threshold", "20", "--shrinkage", "0.3", "--aht", "300")
NEWPLOT = re.compile(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*")
REMOTE = r"""\s*=\s*["']?\s*(?:https?:)?//"""
REMOTE_SRC = re.compile(r"\bsrc" + REMOTE, re.IGNORECASE)
REMOTE_HREF = re.compile(r"\bhref" + REMOTE, re.IGNORECASE)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def forecast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("staff-html")
    history = root / "history.csv"
    rng = np.random.default_rng(5)
    with history.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["interval_start", "queue", "calls", "aht_s"])
        for day in (MONDAY + timedelta(i) for i in range(21)):
            if day.weekday() >= 5:
                continue
            for k in range(SLOTS):
                start = datetime(day.year, day.month, day.day, 9) + timedelta(minutes=30 * k)
                aht = f"{240 + rng.normal(0, 15):.1f}"
                writer.writerow([start.isoformat(), "billing", rng.poisson(30 + 4 * k), aht])
                writer.writerow([start.isoformat(), "sales", rng.poisson(12), ""])
    output = root / "forecast.csv"
    code, _, err = invoke(
        "forecast", "--history", str(history), "--horizon", "5d", "-o", str(output)
    )
    assert code == 0, err
    return output


class Tables(HTMLParser):
    """The rows of the ``plan`` tables: (header, cell text, cell title) per cell."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, tuple[str, str | None]]] = []
        self._in_plan = False
        self._header: list[str] = []
        self._cells: list[tuple[str, str | None]] = []
        self._text: list[str] | None = None
        self._title: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._in_plan = ("class", "plan") in attrs
            self._header = []
        elif self._in_plan and tag == "tr":
            self._cells = []
        elif self._in_plan and tag in ("td", "th"):
            self._text, self._title = [], dict(attrs).get("title")

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self._in_plan:
            return
        if tag in ("td", "th") and self._text is not None:
            self._cells.append(("".join(self._text), self._title))
            self._text = None
        elif tag == "tr" and self._cells:
            if not self._header:
                self._header = [text for text, _ in self._cells]
            else:
                self.rows.append(dict(zip(self._header, self._cells, strict=True)))
        elif tag == "table":
            self._in_plan = False


def figures(page: str) -> list[list[dict[str, Any]]]:
    """The data (list of traces) of every ``Plotly.newPlot`` call of the page."""
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(page, m.end())[0] for m in NEWPLOT.finditer(page)]


def test_html_plan_is_offline_and_has_a_chart_per_queue(forecast: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.html"
    code, stdout, err = invoke(
        "staff", "--volumes", str(forecast), *PLAN, "--format", "html", "--output", str(out)
    )
    assert code == 0, err
    assert stdout.strip() == f"wrote {out} (2 queues, {2 * 5 * SLOTS} intervals)"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not REMOTE_SRC.search(page)  # anywhere, plotly's inlined JS included
    assert not REMOTE_HREF.search(page.split("</head>", 1)[1])  # (the JS links to plotly.com)
    assert "<script src" not in page
    charts = figures(page)
    assert len(charts) == 2
    for traces in charts:
        kinds = [(t["type"], t.get("yaxis", "y"), t.get("name")) for t in traces]
        assert ("bar", "y", "forecast calls") in kinds
        assert ("scatter", "y2", "required agents") in kinds
        assert ("scatter", "y2", "scheduled agents") in kinds
        band = [t for t in traces if t.get("fill") == "tonexty"]
        assert len(band) == 1
        bar = next(t for t in traces if t["type"] == "bar")
        assert len(bar["x"]) == 5 * SLOTS


def test_table_numbers_equal_the_json_plan(forecast: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.html"
    code, _, err = invoke("staff", "--volumes", str(forecast), *PLAN, "-f", "html", "-o", str(out))
    assert code == 0, err
    code, stdout, err = invoke("staff", "--volumes", str(forecast), *PLAN, "--format", "json")
    assert code == 0, err
    plan = json.loads(stdout)
    parser = Tables()
    parser.feed(out.read_text(encoding="utf-8"))
    assert len(parser.rows) == len(plan) == 2 * 5 * SLOTS
    with forecast.open(newline="") as handle:
        bands = {(r["queue"], r["interval_start"]): r for r in csv.DictReader(handle)}
    for want, got in zip(plan, parser.rows, strict=True):
        assert set(want) <= set(got)
        for key, value in want.items():
            text, title = got[key]
            if value is None:
                assert text in ("", "∞"), (key, text)
            elif isinstance(value, str):
                assert text == value
            elif isinstance(value, int):
                assert int(text) == value
            else:
                assert title is not None and float(title) == value, (key, title, value)
                decimals = len(text.partition(".")[2])
                assert abs(float(text) - value) <= 0.5 * 10**-decimals + 1e-12, (key, text)
        source = bands[(want["queue"], want["interval_start"])]
        for key in ("calls_lo", "calls_hi"):
            assert float(got[key][1] or "nan") == float(source[key])


def test_empty_aht_needs_a_default(forecast: Path) -> None:
    with forecast.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    line = 2 + next(i for i, r in enumerate(rows) if not r["aht_s"])
    assert rows[line - 2]["queue"] == "sales"
    code, stdout, err = invoke("staff", "--volumes", str(forecast), "--format", "json")
    assert code == 2
    assert stdout == ""
    assert err.strip().splitlines() == [
        f"error: {forecast}:{line}: aht_s: is empty "
        "(give --aht SECONDS for intervals without a handle time)"
    ]
    code, stdout, _ = invoke("staff", "--volumes", str(forecast), "--aht", "300", "-f", "json")
    assert code == 0
    assert {r["aht_s"] for r in json.loads(stdout) if r["queue"] == "sales"} == {300.0}


def test_volumes_without_a_band_and_html_needs_a_file(tmp_path: Path) -> None:
    volumes = tmp_path / "volumes.csv"
    volumes.write_text(
        "queue,interval_start,calls,aht_s\n"
        "billing,2026-11-23T09:00,360,240\n"
        "billing,2026-11-23T09:30,410,240\n",
        encoding="utf-8",
    )
    code, _, err = invoke("staff", "--volumes", str(volumes), "--format", "html")
    assert code == 2
    assert err.strip() == "error: --output: --format html writes a file: give --output FILE"
    out = tmp_path / "plan.html"
    code, _, err = invoke("staff", "--volumes", str(volumes), "-f", "html", "-o", str(out))
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    (traces,) = figures(page)
    assert not [t for t in traces if t.get("fill")]
    assert "calls_lo" not in page
