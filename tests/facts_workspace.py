"""A workspace of imported Asterisk calls (:func:`tests.queue_logs.calls`), made through the CLI,
for the tests of ``carecenter report --facts`` on DuckDB, Spark and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import T0
from tests.queue_logs import calls
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

CENTER = """\
center: {name: Facts test, timezone: ZONE}
skills: {sales: {}, support: {}}
queues:
  sales: {skills: {sales: 1}, service_level: {threshold_s: 15}}
  support: {skills: {support: 1}}
agents:
  "1001": {name: Ann, skills: {sales: 3, support: 1}, team: red}
  "1002": {name: Bob, skills: {sales: 1, support: 3}, team: blue}
  "2001": {name: Cy, skills: {support: 2}, team: blue}
"""


def cli(*args: str) -> tuple[int, str, str]:
    """Run ``carecenter ARGS`` in this process: exit code, standard output and error."""
    result = CliRunner().invoke(app, list(args), env={"CARECENTER_WORKSPACE": None})
    return result.exit_code, result.stdout, result.stderr


def calls_workspace(root: Path, *, zone: str, count: int, spacing: int) -> Path:
    """``root/ws``: a center in ``zone`` that imported ``count`` calls from ``T0``, one every
    ``spacing`` seconds or so."""
    ws = root / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "center.yaml").write_text(CENTER.replace("ZONE", zone))
    code, _, err = cli("config", "apply", "-w", str(ws))
    assert code == 0, err
    log = root / "queue_log"
    log.write_text("\n".join(calls(int(T0.timestamp()), count, spacing=spacing)) + "\n")
    code, _, err = cli("import", "asterisk-queue-log", str(log), "-w", str(ws))
    assert code == 0, err
    return ws


def export(ws: Path, target: str) -> str:
    """``carecenter export facts -w WS --to TARGET``; its standard error."""
    code, _, err = cli("export", "facts", "-w", str(ws), "--to", target)
    assert code == 0, err
    return err
