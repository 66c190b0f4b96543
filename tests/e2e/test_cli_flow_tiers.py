"""``carecenter flow check``'s tier communication check through the CLI: a VIP-only message
behind a ``tier`` branch passes; one a standard caller can reach is a row with its path, and
the exit code is 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

CENTER = """\
center: {name: Tiers, timezone: UTC}
skills: {billing: {}}
tiers:
  standard: {}
  vip: {name: Premier, priority: 100}
queues:
  billing: {skills: {billing: 1}}
  premier: {skills: {billing: 1}}
agents:
  a1: {name: Ana, skills: {billing: 2}}
customers:
  c1: {tier: vip, account_number: "10001"}
flows:
  main:
    entry: "+441000"
    nodes:
      welcome: {kind: announcement, text: Welcome to Example Bank, next: who}
      who: {kind: identify, found: by_tier, not_found: menu}
      by_tier: {kind: tier, branches: {vip: vip_line}, otherwise: menu}
      vip_line: {kind: announcement, text: Welcome to your Premier line, next: to_premier}
      menu:
        kind: menu
        prompt: Press 1 for billing
        choices: {1: to_billing}
      to_billing: {kind: route, queue: billing}
      to_premier: {kind: route, queue: premier}
"""


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "center.yaml"
    path.write_text(CENTER)
    return path


def test_a_vip_message_behind_the_tier_branch_passes(config: Path) -> None:
    code, out, err = cli("flow", "check", "-c", str(config))
    assert code == 0 and out == f"{config}: no problems (1 flows, 7 nodes)\n", out + err


def test_a_vip_offer_a_standard_caller_hears_is_reported(config: Path) -> None:
    config.write_text(
        CENTER.replace(
            "Press 1 for billing", "Press 1 for billing or 9 for the priority line"
        ).replace("choices: {1: to_billing}", "choices: {1: to_billing, 9: to_premier}")
    )
    code, out, _ = cli("flow", "check", "-c", str(config), "--format", "json")
    assert code == 1
    assert json.loads(out) == [
        {
            "flow": "main",
            "node": "menu",
            "problem": "tier_leak",
            "detail": "mentions 'priority line': meant for vip, but a standard caller hears "
            "it: welcome > who [not_found] > menu",
        }
    ]


def test_vip_words_and_the_walk(config: Path) -> None:
    config.write_text(CENTER.replace("Welcome to Example Bank", "Welcome to Example Bank Gold"))
    code, _, _ = cli("flow", "check", "-c", str(config))
    assert code == 0
    code, out, _ = cli("flow", "check", "-c", str(config), "--vip-words", "gold", "-f", "json")
    assert code == 1 and [r["node"] for r in json.loads(out)] == ["welcome"]
    code, _, err = cli("flow", "check", "-c", str(config), "--vip-words", " , ")
    assert code == 2 and err == "error: --vip-words: name at least one word\n"
    code, out, _ = cli(
        "flow", "walk", "+441000", "-c", str(config), "--account", "10001", "-f", "json"
    )
    assert code == 0
    steps = json.loads(out)
    assert [s["node"] for s in steps] == [
        "welcome",
        "who",
        "by_tier",
        "vip_line",
        "to_premier",
        "routed",
    ]
    assert steps[2] == {"step": 3, "node": "by_tier", "kind": "tier", "choice": None,
                        "detail": "tier vip -> vip_line"}  # fmt: skip
