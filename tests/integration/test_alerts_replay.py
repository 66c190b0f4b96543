"""``carecenter alerts replay``: the rules run minute by minute over an imported day, with
answers worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

from tests.server import CENTER_YAML, make_workspace
from typer.testing import CliRunner, Result

from carecenter.interfaces.cli.app import app
from carecenter.services.importing import import_files

E = 1764579600  # 2025-12-01 09:00:00 UTC
LOG = [
    f"{E}|c1|support|NONE|ENTERQUEUE||5551001|1",
    f"{E + 30}|c2|support|NONE|ENTERQUEUE||5551002|1",
    f"{E + 200}|c2|support|NONE|ABANDON|1|1|170",
    f"{E + 310}|c1|support|Agent/b1|CONNECT|310|u1|1",
    f"{E + 400}|c1|support|Agent/b1|COMPLETECALLER|310|90|1",
]
RULES = """alerts:
  rules:
    two-waiting: {metric: waiting, threshold: 1, queues: [support]}
    long-wait: {metric: longest_wait, threshold: 240, queues: [support], severity: critical}
    sl-low: {metric: service_level, window_s: 900, queues: [support]}
"""


def replay(workspace: Path, *more: str) -> Result:
    """``carecenter alerts replay`` of 1 December 2025 on ``workspace``."""
    args = ["alerts", "replay", "--from", "2025-12-01", "--to", "2025-12-01"]
    return CliRunner().invoke(app, [*args, "-w", str(workspace), *more])


def test_the_rules_fire_as_worked_out_by_hand(tmp_path: Path) -> None:
    settings = make_workspace(tmp_path / "ws", CENTER_YAML + RULES)
    log = tmp_path / "queue_log"
    log.write_text("".join(f"{line}\n" for line in LOG))
    import_files(settings, "asterisk-queue-log", [log])
    result = replay(settings.workspace, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["rule"]: r for r in json.loads(result.stdout)}
    # two contacts wait from 09:00:30 until c2 gives up at 09:03:20: seen at 09:01, 09:02 and
    # 09:03; one at 09:04, which clears it (back to the threshold)
    assert rows["two-waiting"]["fired"] == 1
    assert rows["two-waiting"]["firing_s"] == 180
    assert rows["two-waiting"]["first_fired_at"].startswith("2025-12-01T09:01:00")
    # c1 has waited 300 s at 09:05 (over 240 s); answered at 09:05:10, nobody waits at 09:06
    assert rows["long-wait"]["fired"] == 1
    assert rows["long-wait"]["firing_s"] == 60
    assert rows["long-wait"]["severity"] == "critical"
    # both contacts of the 09:00 minute missed the 30 s threshold: SL 0 over every 15-minute
    # window that holds that minute, from 09:01 until the window has passed it (09:16)
    assert rows["sl-low"]["fired"] == 1
    assert rows["sl-low"]["firing_s"] == 900
    assert {r["subject"] for r in rows.values()} == {"support"}


def test_a_center_without_rules_says_so(tmp_path: Path) -> None:
    settings = make_workspace(tmp_path / "ws")
    result = replay(settings.workspace)
    assert result.exit_code == 2
    assert "no alert rules" in result.output
