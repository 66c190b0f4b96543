"""``carecenter upgrade``: commands check the store's schema, only init and upgrade migrate."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from carecenter.adapters.store.engine import MIGRATIONS, head_revision, script_revisions
from carecenter.interfaces.cli.app import app

runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_head_is_alembics_head() -> None:
    scripts = ScriptDirectory(str(MIGRATIONS))
    assert head_revision() == scripts.get_current_head()
    assert script_revisions()[0] == {s.revision for s in scripts.walk_revisions()}


def test_an_unmigrated_store_asks_for_upgrade(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "carecenter.db").unlink()
    for command in (["info"], ["report"], ["config", "apply"], ["project"]):
        code, out, err = cli(*command, "-w", str(ws))
        assert code == 2, command
        assert err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith("error: sqlite:///") and err.rstrip().endswith(
            "the operational store has no schema; run `carecenter upgrade`"
        )
    code, out, _ = cli("upgrade", "-w", str(ws))
    assert code == 0 and out.strip().endswith(f"from schema (none) to {head_revision()}")
    code, out, _ = cli("upgrade", "-w", str(ws))
    assert code == 0 and out.strip().endswith("nothing to upgrade")
    assert cli("config", "apply", "-w", str(ws))[0] == 0
    assert cli("info", "-w", str(ws))[0] == 0


def test_a_store_from_a_newer_carecenter_is_not_touched(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    with sqlite3.connect(ws / "carecenter.db") as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    code, _, err = cli("info", "-w", str(ws))
    assert code == 2 and err.count("\n") == 1
    assert "schema revision 9999, which this carecenter does not know" in err


def test_upgrade_needs_a_workspace_and_creates_a_missing_warehouse(tmp_path: Path) -> None:
    code, _, err = cli("upgrade", "-w", str(tmp_path / "nowhere"))
    assert code == 2 and "not a carecenter workspace" in err
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "warehouse.duckdb").unlink()
    code, _, err = cli("info", "-w", str(ws))
    assert code == 2 and "no warehouse here; run `carecenter upgrade`" in err
    assert cli("upgrade", "-w", str(ws))[0] == 0
    assert cli("info", "-w", str(ws))[0] == 0


def test_upgrade_takes_a_0002_store_to_routing_and_flows(tmp_path: Path) -> None:
    from carecenter.adapters.store.center_repo import SqlCenterRepository
    from carecenter.adapters.store.engine import make_engine, migrate
    from carecenter.domain.routing_policy import QueueRouting

    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "center.yaml").write_text("center: {name: Old}\n")
    url = f"sqlite:///{ws / 'carecenter.db'}"
    engine = make_engine(url)
    migrate(engine, "0002")
    engine.dispose()
    with sqlite3.connect(ws / "carecenter.db") as db:
        db.executescript(
            """
            INSERT INTO center_settings VALUES ('name', 'Old'), ('timezone', 'UTC');
            INSERT INTO queues (queue_id, name, channel, priority, sl_threshold_s, sl_target,
                sl_formula, short_abandon_s, exclude_short_abandons, include_flow_outs,
                timezone, hours)
            VALUES ('q1', 'Q1', 'voice', 0, 20, 0.8, 'answered_within_over_offered', 5, 1, 0,
                'UTC', '{"timezone": "UTC", "weekly": {}}');
            INSERT INTO agents VALUES ('a1', 'Ana', '', '', 20.0, '{"voice": 1}');
            INSERT INTO customers VALUES ('c1', 'standard', 10.0);
            """
        )
    code, out, _ = cli("upgrade", "-w", str(ws))
    assert code == 0 and out.strip().endswith(f"from schema 0002 to {head_revision()}"), out
    engine = make_engine(url)
    loaded = SqlCenterRepository(engine).load()
    engine.dispose()
    assert loaded is not None
    assert loaded.queues["q1"].routing == QueueRouting()
    assert not loaded.agents["a1"].queues and not loaded.agents["a1"].call_blocks_chat
    customer = loaded.customers["c1"]
    assert (customer.account_value, customer.owner_agent_id, customer.account_number) == (
        10.0,
        None,
        None,
    )
    assert dict(loaded.flows) == {}


def downgrade(url: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from carecenter.adapters.store.engine import make_engine

    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
    engine.dispose()


def test_upgrade_takes_a_0003_store_to_plans(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    downgrade(f"sqlite:///{ws / 'carecenter.db'}", "0003")  # the configuration stays
    with sqlite3.connect(ws / "carecenter.db") as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "plan_rows" not in tables and "plan_versions" not in tables and "queues" in tables
    code, _, err = cli("plan", "show", "-w", str(ws))
    assert code == 2 and "schema revision 0003, older than this carecenter's 0009" in err
    code, out, _ = cli("upgrade", "-w", str(ws))
    assert code == 0 and out.strip().endswith("from schema 0003 to 0009"), out
    volumes = tmp_path / "volumes.csv"
    volumes.write_text("queue,interval_start,calls,aht_s\nbilling,2026-12-07T09:00,100,300\n")
    code, _, err = cli("staff", "--volumes", str(volumes), "--save", "-w", str(ws))
    assert code == 0 and "saved staff plan version 1: 1 row," in err
    code, out, _ = cli("plan", "show", "-w", str(ws), "--format", "json")
    assert code == 0 and json.loads(out)[0]["agents"] == 21
