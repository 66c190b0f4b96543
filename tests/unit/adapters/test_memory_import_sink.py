"""The in-memory warehouse takes imports as the DuckDB one does: facts only move forward."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import COMPLETED_CALLS, T0, connect_ctr

from carecenter.adapters.memory import (
    FakeClock,
    InMemoryCenterRepository,
    InMemoryEventLog,
    InMemoryWarehouse,
)
from carecenter.adapters.settings import Settings
from carecenter.domain.projection import row_values
from carecenter.services.bootstrap import Workspace, bootstrap
from carecenter.services.importing import import_files


def workspace(root: Path, warehouse: InMemoryWarehouse) -> Workspace:
    clock = FakeClock(T0)
    return bootstrap(
        Settings(workspace=root),
        event_log=InMemoryEventLog(clock),
        center_repo=InMemoryCenterRepository(),
        warehouse=warehouse,
        clock=clock,
    )


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def imported(root: Path, warehouse: InMemoryWarehouse, fmt: str, path: Path) -> tuple[int, ...]:
    with workspace(root, warehouse) as ws:
        total = import_files(ws, fmt, [path]).total()
    return total.contacts_new, total.contacts_updated, total.unchanged


def facts(warehouse: InMemoryWarehouse) -> list[tuple[object, ...]]:
    held = warehouse.contact_facts
    return [tuple(row_values(held[k])) for k in sorted(held)]


def test_an_older_shorter_log_does_not_undo_a_completed_call(tmp_path: Path) -> None:
    memory = InMemoryWarehouse()
    whole = write(tmp_path / "q", COMPLETED_CALLS)
    assert imported(tmp_path, memory, "asterisk-queue-log", whole) == (2, 0, 0)
    before, contacts = facts(memory), dict(memory.contacts)
    older = write(tmp_path / "q.old", COMPLETED_CALLS[:2] + COMPLETED_CALLS[3:])  # c1 still talking
    assert imported(tmp_path, memory, "asterisk-queue-log", older) == (0, 0, 2)
    assert facts(memory) == before and memory.contacts == contacts
    c1 = memory.contact_facts[("asterisk:c1", 1)]
    assert (c1.state, c1.conversation_s) == ("ended", 309.0)

    # a shorter copy first: the whole log then moves c1 forward
    other = InMemoryWarehouse()
    imported(tmp_path, other, "asterisk-queue-log", older)
    assert imported(tmp_path, other, "asterisk-queue-log", whole) == (0, 1, 1)
    assert facts(other) == before


def test_an_older_ctr_version_does_not_replace_a_newer_one(tmp_path: Path) -> None:
    memory = InMemoryWarehouse()
    runs = [("newer", "09:30", 900), ("older", "09:20", 847), ("latest", "09:40", 950)]
    paths = {
        name: write(tmp_path / f"{name}.jsonl", [connect_ctr(f"2025-12-01T{at}:00Z", talk)])
        for name, at, talk in runs
    }
    ended = ("amazon-connect:abc", 1)
    assert imported(tmp_path, memory, "amazon-connect-ctr", paths["newer"]) == (1, 0, 0)
    assert imported(tmp_path, memory, "amazon-connect-ctr", paths["older"]) == (0, 0, 1)
    end = memory.contact_facts[ended].ended_at
    assert end is not None and str(end.time()) == "09:15:00"
    assert imported(tmp_path, memory, "amazon-connect-ctr", paths["latest"]) == (0, 1, 0)
    end = memory.contact_facts[ended].ended_at
    assert end is not None and str(end.time()) == "09:15:50"
