"""``carecenter report`` on a demo workspace, in every format."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--workspace", str(root), "--days", "1"])
    assert result.exit_code == 0, result.output
    return root


def _run(workspace: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["report", "--workspace", str(workspace), *args])
    return result.exit_code, result.stdout, result.stderr


def test_table_is_readable_in_a_terminal(workspace: Path) -> None:
    code, out, err = _run(workspace, "--interval", "1h", "--by", "queue")
    assert code == 0, err
    assert "service report" in out
    assert "service_level_%" in out and "asa_s" in out
    assert "billing" in out
    assert max(len(line) for line in out.splitlines()) <= 200


def test_json_rows_have_stable_snake_case_keys(workspace: Path) -> None:
    code, out, err = _run(workspace, "--interval", "1h", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows
    keys = list(rows[0])
    assert keys[:10] == [
        "interval_start",
        "offered",
        "answered",
        "abandoned",
        "short_abandoned",
        "service_level",
        "asa_s",
        "abandon_rate",
        "aht_s",
        "occupancy",
    ]
    assert all(list(r) == keys for r in rows)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys)
    for r in rows:
        assert r["offered"] == r["answered"] + r["abandoned"] + r["flowed_out_offered"]
    total = sum(r["offered"] for r in rows)
    code, out, _ = _run(workspace, "--interval", "all", "--format", "json")
    assert json.loads(out)[0]["offered"] == total


def test_csv_by_agent_and_site(workspace: Path, tmp_path: Path) -> None:
    target = tmp_path / "agents.csv"
    code, _, err = _run(
        workspace, "--interval", "1d", "--by", "agent", "--format", "csv", "--output", str(target)
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    agents = {r["agent"] for r in rows}
    assert {"a001", "a002"} <= agents
    assert all(r["occupancy"] for r in rows if r["agent"])
    code, out, err = _run(workspace, "--interval", "all", "--by", "site", "--format", "csv")
    assert code == 0, err
    assert {r["site"] for r in csv.DictReader(io.StringIO(out))} >= {"Leeds", "Cardiff"}


def test_gap_table_with_targets_and_peers(workspace: Path, tmp_path: Path) -> None:
    peers = tmp_path / "peers.csv"
    peers.write_text("metric,value,queue\nservice_level,0.8,\nasa_s,28,billing\n")
    code, out, err = _run(workspace, "--gaps", "--peers", str(peers), "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert list(rows[0]) == ["queue", "metric", "ours", "target", "peer", "gap", "peer_gap", "met"]
    billing_asa = next(r for r in rows if r["queue"] == "billing" and r["metric"] == "asa_s")
    assert (billing_asa["target"], billing_asa["peer"]) == (30.0, 28.0)
    assert billing_asa["gap"] == pytest.approx(billing_asa["ours"] - 30.0)
    center_sl = next(r for r in rows if r["queue"] == "(center)")
    assert center_sl["peer"] == 0.8


def test_html_is_one_offline_file_with_charts(workspace: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, _, err = _run(workspace, "--interval", "1h", "--format", "html", "--output", str(target))
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\ssrc=", text)
    assert not re.search(r"<link[^>]*\shref=", text)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text.split("</head>")[1])
    assert text.count('class="plotly-graph-div"') == 6
    # the demo planned its live week: the staffing plan, schedule and roster beside who was
    # there, for the whole center and per queue
    assert "<h2>Required, scheduled and actual staff</h2>" in text
    assert "<h2>Staff and cost per contact by queue</h2>" in text
    for title in ("Contacts per interval", "Service level against target", "weekday"):
        assert title in text
    assert "<h2>Agents</h2>" in text and "a001" in text
    assert "<h2>Targets and peers</h2>" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--interval", "7m"], "error: --interval: a report cannot use intervals of '7m': use "),
        (["--interval", "2d"], "a divisor of a day (e.g. 15m, 30m, 1h), 1d, 1w or all"),
        (["--interval", "soon"], "error: --interval: not a duration: 'soon'"),
        (["--by", "planet"], "error: --by: unknown dimension 'planet'"),
        (["--from", "yesterday"], "error: --from: 'yesterday' is not a date"),
        (["--from", "2026-11-20", "--to", "2026-11-19"], "error: --from: the period is empty"),
        (["--format", "html"], "error: --output: --format html writes a file"),
        (["--format", "xml"], "error: --format: unknown format"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    workspace: Path, args: list[str], message: str
) -> None:
    code, _, err = _run(workspace, *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_any_interval_dividing_a_day_is_a_report_interval(workspace: Path) -> None:
    code, out, err = _run(workspace, "--interval", "45m", "--format", "json")
    assert code == 0, err
    starts = [datetime.fromisoformat(r["interval_start"]) for r in json.loads(out)]
    assert starts
    assert all((s.hour * 60 + s.minute) % 45 == 0 for s in starts)
    counts = []
    for interval in ("1h", "60m", "3600"):
        code, out, err = _run(workspace, "--interval", interval, "--format", "json")
        assert code == 0, err
        counts.append([(r["interval_start"], r["offered"], r["answered"]) for r in json.loads(out)])
    assert counts[0] and counts[0] == counts[1] == counts[2]


def test_bad_peer_file_names_file_line_and_field(workspace: Path, tmp_path: Path) -> None:
    peers = tmp_path / "peers.csv"
    peers.write_text("metric,value\nservice_level,0.8\nasa_s,fast\n")
    code, _, err = _run(workspace, "--gaps", "--peers", str(peers))
    assert code == 2
    assert f"{peers}:3: value: 'fast' is not a number" in err


def test_empty_workspace_reports_no_rows(tmp_path: Path) -> None:
    init = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert init.exit_code == 0, init.output
    code, out, err = _run(tmp_path, "--format", "json")
    assert code == 0, err
    assert json.loads(out) == []


def test_the_report_says_which_durations_are_not_recorded(workspace: Path) -> None:
    """The demo's history is an Asterisk queue_log (no hold apart, no after-call work): the
    report says for how many handled contacts, counted independently here."""
    import duckdb

    with duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True) as con:
        row = con.execute(
            "SELECT count(*), count(*) FILTER (acw_s IS NULL) FROM contact_facts "
            "WHERE outcome = 'answered'"
        ).fetchone()
    assert row is not None
    handled, no_acw = row
    assert 0 < no_acw < handled
    code, _, err = _run(workspace, "--interval", "all", "--format", "json")
    assert code == 0, err
    assert f"after-call work is not recorded for {no_acw} of {handled} handled contacts" in err
