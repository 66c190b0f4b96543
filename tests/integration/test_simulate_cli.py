"""``carecenter simulate`` end to end: the example scenarios against Erlang C and Erlang A
(values computed outside the simulator: ``carecenter.wfm``, checked against published tables),
the JSON shape, common random numbers in ``--compare``, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app
from carecenter.wfm.erlang import erlang_c
from carecenter.wfm.erlang_a import erlang_a

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def simulate(*args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["simulate", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def half(row: dict[str, object], name: str) -> float:
    return float(row[f"{name}_half_width"])  # type: ignore[arg-type]


def covers(row: dict[str, object], name: str, value: float) -> bool:
    mean, half = float(row[name]), float(row[f"{name}_half_width"])  # type: ignore[arg-type]
    return abs(mean - value) <= half


@pytest.mark.reference
def test_mmc_covers_erlang_c() -> None:
    # the example as it is: its replications bring the half-widths within 0.01 and 1 s
    [row] = simulate(str(EXAMPLES / "mmc.yaml"), "--seed", "1")
    assert row["queue"] == "support"
    assert row["replications"] == 60
    erlang_c = {"service_level": 0.8459, "asa_s": 8.18, "p_wait": 0.2387, "occupancy": 0.8727}
    for name, value in erlang_c.items():
        assert covers(row, name, value), (name, row[name], row[f"{name}_half_width"], value)
    assert half(row, "service_level") <= 0.01
    assert half(row, "asa_s") <= 1.0
    assert row["abandon_rate"] == 0.0
    assert int(row["events"]) > 60 * 17000 * 7  # type: ignore[call-overload]


@pytest.mark.reference
def test_mmcm_covers_erlang_a() -> None:
    [row] = simulate(str(EXAMPLES / "mmcm.yaml"))
    erlang_a = {
        "p_wait": 0.6863,
        "abandon_rate": 0.04289,
        "service_level": 0.9365,
        "asa_s": 5.117,
        "occupancy": 0.9762,
    }
    for name, value in erlang_a.items():
        assert covers(row, name, value), (name, row[name], row[f"{name}_half_width"], value)
    assert half(row, "service_level") <= 0.01
    assert half(row, "asa_s") <= 1.0


def test_the_reference_values_are_erlang_c_and_a() -> None:
    """The values above are the published ones (the issue's), and carecenter's own Erlang C
    and A (checked against published tables in tests/unit/wfm) agree with them."""
    c = erlang_c(720.0, 240.0, 55, interval=3600.0, threshold=15.0)
    # each as many decimals as published
    assert (round(float(c.service_level), 4), round(float(c.asa_s), 2)) == (0.8459, 8.18)
    assert (round(float(c.p_wait), 4), round(float(c.occupancy), 4)) == (0.2387, 0.8727)
    a = erlang_a(6120.0, 60.0, 100, 120.0, interval=3600.0, threshold=20.0)
    assert (round(float(a.p_wait), 4), round(float(a.p_abandon), 5)) == (0.6863, 0.04289)
    assert (round(float(a.service_level), 4), round(float(a.asa_s), 3)) == (0.9365, 5.117)
    assert round(float(a.occupancy), 4) == 0.9762


SMALL = """\
center:
  center: {name: small, timezone: Europe/Amsterdam}
  queues:
    sales:
      channel: voice
      service_level: {short_abandon_s: 0}
      routing: {strategy: longest_idle}
staff:
  - {count: 4, prefix: s}
arrivals:
  sales: {per_hour: 40}
handle_time:
  sales: {distribution: lognormal, mean: 4m, sd: 2m}
patience:
  sales: {distribution: exponential, mean: 3m}
horizon: 3h
replications: 3
"""


def test_json_rows_carry_each_measure_and_its_half_width(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    [row] = simulate(str(path))
    for name in ("service_level", "asa_s", "p_wait", "abandon_rate", "occupancy"):
        assert name in row
        assert f"{name}_half_width" in row
    assert row["queue"] == "sales"
    assert row["replications"] == 3
    assert int(row["events"]) > 0  # type: ignore[call-overload]
    assert float(row["offered"]) > 0  # type: ignore[arg-type]


def test_the_same_scenario_compared_with_itself_differs_by_nothing(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    rows = simulate("--compare", str(path), str(path))
    assert {r["measure"] for r in rows} >= {"service_level", "asa_s", "abandon_rate"}
    for r in rows:
        assert set(r) >= {"queue", "measure", "base", "change", "difference"}
        assert r["difference"] in (0.0, None)
        assert r["difference_half_width"] in (0.0, None)


def test_more_agents_help_on_the_same_random_numbers(tmp_path: Path) -> None:
    base, change = tmp_path / "base.yaml", tmp_path / "change.yaml"
    base.write_text(SMALL)
    change.write_text(SMALL.replace("count: 4", "count: 6"))
    rows = {r["measure"]: r for r in simulate("--compare", str(base), str(change))}
    assert rows["offered"]["difference"] == 0.0  # the same callers (every abandon counts)
    assert float(rows["asa_s"]["difference"]) < 0  # type: ignore[arg-type]


def test_a_mistake_in_the_scenario_is_one_line_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SMALL.replace("  sales: {per_hour: 40}", "  billing: {per_hour: 40}"))
    result = CliRunner().invoke(app, ["simulate", str(path)])
    assert result.exit_code != 0
    assert f"{path}:11: arrivals.billing: unknown queue or entry flow 'billing'" in result.output
    assert "Traceback" not in result.output


def test_compare_takes_exactly_two_files(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    result = CliRunner().invoke(app, ["simulate", "--compare", str(path)])
    assert result.exit_code != 0
    assert "exactly two" in result.output


def test_a_workspace_records_the_simulated_days_for_report(tmp_path: Path) -> None:
    path, workspace = tmp_path / "small.yaml", tmp_path / "twin"
    path.write_text(SMALL)
    [row] = simulate(str(path), "--workspace", str(workspace))
    assert (workspace / "center.yaml").exists()
    result = CliRunner().invoke(
        app, ["report", "-w", str(workspace), "--by", "queue", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    days = json.loads(result.stdout)
    assert len(days) == 3  # one simulated day per replication, each on its own date
    offered = sum(int(d["offered"]) for d in days) / 3
    assert offered == pytest.approx(float(row["offered"]))  # type: ignore[arg-type]
    again = CliRunner().invoke(app, ["simulate", str(path), "--workspace", str(workspace)])
    assert again.exit_code != 0
    assert "holds events already" in again.output


def test_without_a_workspace_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    monkeypatch.chdir(tmp_path)
    simulate(str(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.yaml"]


ROUND_TRIP = (
    SMALL.replace("Europe/Amsterdam", "UTC")
    .replace("count: 4", "count: 18")
    .replace("per_hour: 40", "per_hour: 1200")
    .replace(
        "{distribution: lognormal, mean: 4m, sd: 2m}", "{distribution: exponential, mean: 60s}"
    )
    .replace("mean: 3m}", "mean: 2m}")
    .replace("horizon: 3h\nreplications: 3", "horizon: 6h\nreplications: 1")
)


def test_calibrating_from_a_simulated_history_recovers_its_parameters(tmp_path: Path) -> None:
    path, history = tmp_path / "truth.yaml", tmp_path / "history"
    path.write_text(ROUND_TRIP)
    simulate(str(path), "--workspace", str(history))
    bare = tmp_path / "bare.yaml"
    bare.write_text(ROUND_TRIP.split("arrivals:")[0] + "horizon: 6h\nreplications: 2\n")
    result = CliRunner().invoke(
        app, ["simulate", str(bare), "--calibrate-from", str(history), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    note = result.stderr
    assert note.startswith("calibrated sales from 0.2 days: ")
    from carecenter.adapters.scenario_yaml import read_scenario
    from carecenter.interfaces.cli.options import settings_for
    from carecenter.services.calibration import calibrate

    fitted, [row] = calibrate(settings_for(history), read_scenario(bare))
    assert row["days"] == 0.25  # the half hours from the first arrival's to the last one's
    assert row["arrivals"] == pytest.approx(6 * 1200, rel=0.05)
    assert row["handle_mean_s"] == pytest.approx(60, rel=0.05)
    assert row["patience_exponential_mean_s"] == pytest.approx(120, rel=0.15)
    assert row["abandons"] > 100
    behaviour = fitted.behaviour["sales"]
    assert behaviour.patience is not None
    assert behaviour.patience.mean_s == pytest.approx(120, rel=0.15)


def test_the_html_page_shows_each_measure_with_its_interval(tmp_path: Path) -> None:
    path, page = tmp_path / "small.yaml", tmp_path / "sim.html"
    path.write_text(SMALL)
    result = CliRunner().invoke(app, ["simulate", str(path), "-f", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    text = page.read_text()
    assert text.count('class="plotly-graph-div"') == 4
    assert "<h2>Service level</h2>" in text
    assert "% ± " in text  # a share and its half-width in the table
    assert "https://" not in text.split("<script")[0]  # nothing from the network


def test_a_seeded_run_pins_its_numbers_whatever_the_processes(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    alone, [row] = simulate(str(path), "--jobs", "1"), simulate(str(path), "--jobs", "2")
    assert alone == [row]
    assert row["events"] == 3013
    assert row["offered"] == pytest.approx(376 / 3, abs=1e-12)
    assert row["service_level"] == pytest.approx(0.8056781749480176, abs=1e-12)
    assert row["asa_s"] == pytest.approx(9.993956166604052, abs=1e-9)
