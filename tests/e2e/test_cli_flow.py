"""``carecenter flow check`` and ``carecenter flow walk``: output, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from tests.flows import ROUTED
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "center.yaml"
    path.write_text(ROUTED)
    return path


def test_a_clean_file_has_no_problems(config: Path) -> None:
    code, out, err = cli("flow", "check", "--config", str(config))
    assert code == 0 and out == f"{config}: no problems (1 flows, 6 nodes)\n" and not err
    code, out, err = cli("flow", "check", "--config", str(config), "--format", "json")
    assert code == 0 and json.loads(out) == [] and "no problems" in err


def test_problems_are_rows_and_exit_code_1(config: Path) -> None:
    config.write_text(
        ROUTED.replace("      closed: {action: message, message: We are closed}\n", "")
        + "      spare: {kind: announcement, text: Bye}\n"
    )
    code, out, _ = cli("flow", "check", "-c", str(config), "-f", "csv")
    assert code == 1
    assert list(csv.DictReader(io.StringIO(out))) == [
        {
            "flow": "main",
            "node": "to_billing",
            "problem": "closed_no_action",
            "detail": "queue billing has opening hours but no routing.closed action",
        },
        {
            "flow": "main",
            "node": "spare",
            "problem": "unreachable",
            "detail": "no path from the start (welcome) leads here",
        },
    ]
    code, out, _ = cli("flow", "check", "-c", str(config))
    assert code == 1 and "closed_no_action" in out and "unreachable" in out


def test_a_bad_center_file_is_one_line(config: Path) -> None:
    config.write_text(ROUTED.replace("invalid: to_general", "invalid: nowhere"))
    code, out, err = cli("flow", "check", "-c", str(config))
    assert code == 2 and not out
    assert err == "error: center.yaml:39: flows.main.nodes.menu.invalid: unknown node 'nowhere'\n"


def test_the_workspace_center_file_is_checked(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    code, out, _ = cli("flow", "check", "--workspace", str(ws))
    assert code == 0 and out.startswith(f"{ws / 'center.yaml'}: no problems (")
    code, _, err = cli("flow", "check", "-w", str(ws), "-c", str(ws / "center.yaml"))
    assert code == 2 and err == "error: --config: give --workspace or --config, not both\n"


def test_walk_prints_the_path_and_the_outcome(config: Path) -> None:
    args = ["flow", "walk", "+442079460000", "--choices", "1", "--account", "12345"]
    code, out, _ = cli(*args, "-c", str(config), "-f", "json")
    assert code == 0
    rows = json.loads(out)
    assert [(r["step"], r["node"], r["kind"], r["choice"]) for r in rows] == [
        (1, "welcome", "announcement", None),
        (2, "menu", "menu", "1"),
        (3, "who", "identify", None),
        (4, "to_billing", "route", None),
        (None, "routed", "outcome", None),
    ]
    assert rows[-1]["detail"] == (
        "joined queue billing with topic billing; customer c1 (tier vip, value 120000)"
    )
    code, out, _ = cli(*args, "-c", str(config))
    assert code == 0 and "joined queue billing with topic billing" in out


def test_walk_self_service_retries_and_hanging_up(config: Path) -> None:
    def outcome(*args: str) -> str:
        code, out, err = cli("flow", "walk", "main", *args, "-c", str(config), "-f", "json")
        assert code == 0, err
        return str(json.loads(out)[-1]["detail"])

    assert outcome("--choices", "2", "--self-service", "yes") == "ended in self-service"
    assert outcome("--choices", "2", "--self-service", "no") == "joined queue general"
    assert outcome("--choices", "9,9,9") == "joined queue general"
    assert outcome("--choices", "hangup") == "the caller hung up"
    seeded = {outcome("--choices", "2", "--seed", str(seed)) for seed in range(5)}
    assert seeded == {"ended in self-service", "joined queue general"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "error: entry: no flow starts at 'nope' (flows: main (+442079460000))\n"),
        (
            ["main", "--self-service", "maybe"],
            "error: --self-service: answer yes or no for each self-service step, got 'maybe'\n",
        ),
        (
            ["main", "--self-service", "y", "--seed", "1"],
            "error: --seed: give --self-service or --seed, not both\n",
        ),
    ],
)
def test_walk_mistakes_are_one_line(config: Path, args: list[str], message: str) -> None:
    code, out, err = cli("flow", "walk", *args, "-c", str(config))
    assert code == 2 and not out and err == message


def test_flow_test_counts_each_path(tmp_path: Path) -> None:
    from carecenter.adapters.center_yaml import template

    config = tmp_path / "center.yaml"
    config.write_text(template())
    result = CliRunner().invoke(
        app, ["flow", "test", "-c", str(config), "--callers", "400", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert set(rows[0]) == {"flow", "path", "outcome", "queue", "callers", "share"}
    assert sum(r["callers"] for r in rows) == 400
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)
    assert {r["outcome"] for r in rows} >= {"routed", "self_service"}


def test_flow_test_takes_the_callers_shares_of_a_scenario(tmp_path: Path) -> None:
    from carecenter.adapters.center_yaml import template

    (tmp_path / "center.yaml").write_text(template())
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "center: center.yaml\n"
        "callers:\n"
        "  main_line:\n"
        "    menus: {menu: {'1': 0.25, '2': 0.75}}\n"
        "    identified: 0.5\n"
    )
    result = CliRunner().invoke(
        app, ["flow", "test", "--scenario", str(scenario), "--callers", "2000", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = {r["queue"]: r["share"] for r in json.loads(result.stdout)}
    assert set(rows) == {"cards", "billing"}  # nobody presses 3 (balance): no self-service
    assert rows["cards"] == pytest.approx(0.25, abs=0.03)
    assert rows["billing"] == pytest.approx(0.75, abs=0.03)
    both = CliRunner().invoke(
        app, ["flow", "test", "--scenario", str(scenario), "-c", str(tmp_path / "center.yaml")]
    )
    assert both.exit_code == 2
    assert "--scenario names the center" in both.output
