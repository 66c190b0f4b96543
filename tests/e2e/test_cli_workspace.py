"""The command line end to end on a real workspace (SQLite store, DuckDB warehouse)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_init_info_check_apply(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    code, out, _ = cli("init", str(ws))
    assert code == 0 and "wrote center.yaml: 4 queues, 6 agents" in out
    assert {p.name for p in ws.iterdir()} >= {"center.yaml", "carecenter.db", "warehouse.duckdb"}
    code, out, _ = cli("init", str(ws))
    assert code == 0 and "kept center.yaml" in out
    code, out, _ = cli("info", "--workspace", str(ws), "--format", "json")
    info = json.loads(out)[0]
    assert (info["queues"], info["agents"], info["skills"], info["tiers"], info["events"]) == (
        4,
        6,
        4,
        2,
        0,
    )
    assert info["schema_revision"] == "0009"
    code, out, _ = cli("config", "check", "-w", str(ws))
    assert code == 0 and out.strip().endswith("ok (4 queues, 6 agents, 4 skills, 2 tiers)")
    config = ws / "center.yaml"
    text = config.read_text()
    config.write_text(text.replace("target: 0.8                  #", "target: 80  #", 1))
    code, out, err = cli("config", "check", "-w", str(ws))
    assert code == 2
    assert err.strip() == (
        "error: center.yaml:31: queues.billing.service_level.target: "
        "must be between 0 and 1, got 80"
    )
    code, _, err = cli("config", "apply", "-w", str(ws))
    assert code == 2 and "Traceback" not in err
    config.write_text(
        text.replace("  a006:", "  a007: {name: New Agent, skills: {cards: 2}}\n  a006:", 1)
    )
    code, out, _ = cli("config", "apply", "-w", str(ws))
    assert code == 0 and "7 agents" in out


def test_demo_projects_and_is_repeatable(tmp_path: Path) -> None:
    ws = tmp_path / "demo"
    args = ["--days", "1", "--history-days", "2", "--format", "json"]
    code, out, _ = cli("demo", "-w", str(ws), *args)
    assert code == 0
    first = json.loads(out)[0]
    assert first["events"] > 1000 and first["contact_facts"] > 100
    assert first["events_not_projected"] == 0 and first["agent_state_intervals"] > 50
    assert Path(first["queue_log"]).stat().st_size > 10_000
    # next week planned down to who works which shift: the six agents rostered
    assert first["schedule"].endswith("rostered to 6 agents")
    html = Path(first["report"]).read_text()
    assert "Plotly.newPlot" in html
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?https?:""", html)
    code, out, _ = cli("demo", "-w", str(ws), *args)
    assert json.loads(out)[0] == first
    code, out, _ = cli("project", "-w", str(ws))
    assert code == 0 and out.startswith("projected 0 events")
    # seeded: another workspace with the same seed gets the same numbers
    code, out, _ = cli("demo", "-w", str(tmp_path / "again"), *args)
    again = json.loads(out)[0]
    for key in ("events", "contacts", "contact_facts", "agent_state_intervals"):
        assert again[key] == first[key]


def test_workspace_errors_are_one_line(tmp_path: Path) -> None:
    code, _, err = cli("info", "-w", str(tmp_path / "nowhere"))
    assert code == 2
    assert err.count("\n") == 1 and "not a carecenter workspace" in err
    code, _, err = cli("config", "check", str(tmp_path / "missing.yaml"))
    assert code == 2 and "missing.yaml: no such file" in err


def test_workspace_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECENTER_WORKSPACE", str(tmp_path))
    assert cli("init")[0] == 0
    code, out, _ = cli("info", "-f", "csv")
    assert code == 0 and out.splitlines()[0].startswith("workspace,center,store")


def test_console_script_help_and_failure_exit_codes(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("carecenter")
    env = {**os.environ, "CARECENTER_WORKSPACE": str(tmp_path)}
    done = subprocess.run([str(exe), "--help"], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "init" in done.stdout and "demo" in done.stdout
    done = subprocess.run([str(exe), "info"], capture_output=True, text=True, env=env)
    assert done.returncode == 2 and "Traceback" not in done.stderr
