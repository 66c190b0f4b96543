"""The twin against a history: ``carecenter simulate`` with ``replay:`` and
``--calibrate-from WS --validate`` plays the workspace's arrivals and agents back and sets
the twin's service level, ASA and abandonment per hour of the day beside the history's.

First on a history the twin itself wrote (every arrival comes back, the figures agree), then
on the real Anonymous Bank month (February 1999, ``../shared/data``; skipped without it), where
the tolerance is the history's own day-to-day spread (see docs/how-to/simulate.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.helpers import ANONYMOUS_BANK
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BANK = ANONYMOUS_BANK

CENTER = """\
center:
  center: {name: small, timezone: Europe/Amsterdam}
  tiers:
    standard: {priority: 0}
    gold: {priority: 30}
  queues:
    sales:
      channel: voice
      service_level: {short_abandon_s: 0}
"""
HISTORY = (
    CENTER
    + """\
staff:
  - {count: 5, prefix: s, shift: "11:30-18:30"}
arrivals:
  sales:
    weekdays: {mon-sun: [0, 0, 0, 0, 60, 50, 0, 0]}
    interval: 3h
    tiers: {standard: 0.8, gold: 0.2}
handle_time:
  sales: {distribution: lognormal, mean: 4m, sd: 2m}
patience:
  sales: {distribution: exponential, mean: 3m}
start: 2026-11-02
horizon: 1d
replications: 3
"""
)
REPLAY = (
    CENTER
    + """\
replay: {gap: 15m}
start: 2026-11-02
horizon: 15d
replications: 4
"""
)


def run(*args: str) -> tuple[list[dict[str, object]], str]:
    result = CliRunner().invoke(app, ["simulate", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three simulated days (2, 9 and 16 November 2026), recorded in a workspace."""
    folder = tmp_path_factory.mktemp("history")
    scenario = folder / "history.yaml"
    scenario.write_text(HISTORY)
    run(str(scenario), "--workspace", str(folder / "ws"))
    return folder / "ws"


def test_the_twin_replaying_its_own_history_gives_its_figures_back(
    history: Path, tmp_path: Path
) -> None:
    path = tmp_path / "replay.yaml"
    path.write_text(REPLAY)
    rows, note = run(str(path), "--calibrate-from", str(history), "--validate")
    assert "replayed sales: " in note
    assert "5 agents at work" in note
    assert [r["hour"] for r in rows] == [f"{h}:00" for h in range(12, 18)] + ["all"]
    for row in rows:
        # every recorded arrival comes back, in every replication
        assert row["twin_offered"] == row["offered"]
        assert row["twin_offered_half_width"] == 0.0
        for name in ("service_level", "asa_s", "p_wait", "abandon_rate"):
            assert set(row) >= {name, f"twin_{name}", f"twin_{name}_half_width"}
            assert set(row) >= {f"{name}_error", f"{name}_day_sd"}
    everything = rows[-1]
    assert everything["offered"] == 978
    for name in ("service_level", "asa_s", "abandon_rate"):
        error, spread = float(everything[f"{name}_error"]), float(everything[f"{name}_day_sd"])
        assert abs(error) <= spread / 4, (name, error, spread)
    # seeded: the same numbers on every machine
    assert everything["twin_service_level"] == pytest.approx(PINNED_SL, abs=1e-12)


PINNED_SL = 0.7643149284253579


def test_validate_needs_a_replayed_history(history: Path, tmp_path: Path) -> None:
    path = tmp_path / "replay.yaml"
    path.write_text(REPLAY)
    result = CliRunner().invoke(app, ["simulate", str(path)])
    assert result.exit_code != 0
    assert "give it with --calibrate-from WORKSPACE" in result.output
    drawn = tmp_path / "drawn.yaml"
    drawn.write_text(HISTORY)
    result = CliRunner().invoke(
        app, ["simulate", str(drawn), "--calibrate-from", str(history), "--validate"]
    )
    assert result.exit_code != 0
    assert "--validate compares a replayed history" in result.output
    empty = tmp_path / "empty.yaml"
    empty.write_text(REPLAY.replace("start: 2026-11-02", "start: 2025-11-03"))
    result = CliRunner().invoke(app, ["simulate", str(empty), "--calibrate-from", str(history)])
    assert result.exit_code != 0
    assert "no inbound visits from 2025-11-03 00:00 to 2025-11-18 00:00" in result.output
    assert "Traceback" not in result.output


def test_only_a_replay_runs_longer_than_a_week(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(HISTORY.replace("horizon: 1d", "horizon: 8d"))
    result = CliRunner().invoke(app, ["simulate", str(path)])
    assert result.exit_code != 0
    assert "horizon: a drawn scenario runs at most a week (7d); a replay runs longer" in (
        result.output
    )
    path.write_text(REPLAY.replace("horizon: 15d", "horizon: 93d"))
    result = CliRunner().invoke(app, ["simulate", str(path)])
    assert "a replay runs at most 92 days" in result.output


@pytest.mark.reference
@pytest.mark.skipif(not BANK.exists(), reason=f"{BANK} is absent")
def test_the_anonymous_bank_month_replayed_stays_within_its_day_to_day_spread(
    tmp_path: Path,
) -> None:
    workspace = tmp_path / "bank"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(workspace)]).exit_code == 0
    (workspace / "center.yaml").write_text(
        (EXAMPLES / "anonymous-bank" / "center.yaml").read_text()
    )
    assert runner.invoke(app, ["config", "apply", "-w", str(workspace)]).exit_code == 0
    imported = runner.invoke(app, ["import", "anonymous-bank", str(BANK), "-w", str(workspace)])
    assert imported.exit_code == 0, imported.output
    rows, _ = run(
        str(EXAMPLES / "anonymous-bank" / "replay.yaml"),
        "--calibrate-from",
        str(workspace),
        "--validate",
    )
    by_hour = {r["hour"]: r for r in rows}
    everything = by_hour["all"]
    assert everything["offered"] == 30905  # docs/how-to/import.md
    assert everything["twin_service_level_half_width"] <= 0.01
    assert everything["twin_asa_s_half_width"] <= 1.0
    checked = [h for h, r in by_hour.items() if r["offered"] >= 500]
    assert len(checked) == 18  # 07:00 to 23:00, and the whole day
    for hour in checked:
        row = by_hour[hour]
        for name in ("service_level", "asa_s", "abandon_rate"):
            error, spread = float(row[f"{name}_error"]), float(row[f"{name}_day_sd"])
            assert abs(error) <= spread / 2, (hour, name, error, spread)
