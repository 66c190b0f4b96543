"""The services on the in-memory fakes: bootstrap wires what it is given, builds nothing else."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from tests.helpers import T0

from carecenter.adapters.center_yaml import parse_center, template
from carecenter.adapters.memory import (
    FakeClock,
    InMemoryCenterRepository,
    InMemoryEventLog,
    InMemoryWarehouse,
)
from carecenter.adapters.settings import Settings
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.projection import row_values
from carecenter.errors import WorkspaceError
from carecenter.services.bootstrap import Workspace, bootstrap
from carecenter.services.events import project_workspace
from carecenter.services.importing import import_files
from carecenter.services.ports import EventLog, Warehouse
from carecenter.services.reporting import metrics_report
from carecenter.services.workspace import apply_config, workspace_info
from carecenter.sim.demo_day import scripted_day


class ClosingWarehouse(InMemoryWarehouse):
    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    def close(self) -> None:
        self.closed = True


def fake_workspace(
    root: Path, *, warehouse: Warehouse | None = None, log: EventLog | None = None
) -> Workspace:
    clock = FakeClock(T0)
    center = InMemoryCenterRepository()
    if (root / "center.yaml").exists():
        center.save(parse_center((root / "center.yaml").read_text()))
    return bootstrap(
        Settings(workspace=root),
        event_log=log or InMemoryEventLog(clock),
        center_repo=center,
        warehouse=warehouse or ClosingWarehouse(),
        clock=clock,
    )


def test_fakes_need_no_workspace_files_and_are_not_closed(tmp_path: Path) -> None:
    ws = fake_workspace(tmp_path)
    warehouse = ws.warehouse
    with ws:
        info = workspace_info(ws)
    assert isinstance(warehouse, ClosingWarehouse) and not warehouse.closed
    assert (info["center"], info["events"], info["contact_facts"]) == (None, 0, 0)
    assert info["schema_revision"] is None
    assert list(tmp_path.iterdir()) == []  # no store, no warehouse file


def test_real_adapters_need_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not a carecenter workspace"):
        bootstrap(Settings(workspace=tmp_path), event_log=InMemoryEventLog())


def test_apply_project_info_and_report_on_fakes(tmp_path: Path) -> None:
    (tmp_path / "center.yaml").write_text(template(), encoding="utf-8")
    ws = fake_workspace(tmp_path)
    center = apply_config(ws)
    assert ws.center.load() == center
    events = scripted_day(center, date(2026, 11, 16), random.Random(3), calls_per_hour=6)
    ws.events.append(events)
    assert workspace_info(ws)["events_not_projected"] == len(events)

    done = project_workspace(ws, batch_size=500)
    assert (done.events, done.checkpoint) == (len(events), len(events))
    assert done.batches == -(-len(events) // 500)
    info = workspace_info(ws)
    assert info["events_not_projected"] == 0 and info["queues"] == len(center.queues)
    facts = ws.warehouse.contact_facts  # type: ignore[attr-defined]
    assert info["contact_facts"] == len(facts) > 20

    report = metrics_report(ws, interval="1d", by=("queue",))
    assert {r["queue"] for r in report.rows} == set(center.queues)
    assert sum(r["offered"] for r in report.rows) > 20
    # the same report on the real warehouse, projected from the same log, is the same
    duck = DuckDbWarehouse(":memory:")
    try:
        project_workspace(fake_workspace(tmp_path, warehouse=duck, log=ws.events))
        same = metrics_report(
            fake_workspace(tmp_path, warehouse=duck), interval="1d", by=("queue",)
        )
    finally:
        duck.close()
    # the same up to the order DuckDB's threads add floats in
    close = [
        {k: pytest.approx(v) if isinstance(v, float) else v for k, v in r.items()}
        for r in same.rows
    ]
    assert close == report.rows


def test_imports_run_on_the_in_memory_warehouse(tmp_path: Path) -> None:
    """The import service on the fakes gives the facts the DuckDB warehouse gets."""
    fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "import"
    files = {
        "asterisk-queue-log": fixtures / "asterisk" / "queue_log",
        "amazon-connect-ctr": fixtures / "amazon_connect" / "ctr.jsonl",
    }
    memory = InMemoryWarehouse()
    with fake_workspace(tmp_path, warehouse=memory) as ws:
        first = {fmt: import_files(ws, fmt, [path]).total() for fmt, path in files.items()}
        again = {fmt: import_files(ws, fmt, [path]).total() for fmt, path in files.items()}
    real = tmp_path / "real"
    (real / "center.yaml").parent.mkdir()
    duck = DuckDbWarehouse(real / "warehouse.duckdb")
    try:
        with fake_workspace(real, warehouse=duck) as ws:
            for fmt, path in files.items():
                import_files(ws, fmt, [path])
        stored = duck.rows("contact_facts")
    finally:
        duck.close()
    assert [tuple(row_values(memory.contact_facts[k])) for k in sorted(memory.contact_facts)] == (
        stored
    )
    assert first["amazon-connect-ctr"].contacts_new == 6
    assert first["asterisk-queue-log"].quarantined == 3
    assert all(c.contacts == 0 and c.unchanged > 0 for c in again.values())
