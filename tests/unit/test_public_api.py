"""The public surface of ``import carecenter`` is curated and cheap to import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import carecenter

EXPECTED = {
    "Agent",
    "ContactEngine",
    "FakeClock",
    "QueueRouting",
    "Strategy",
    "AgentSession",
    "AgentStatus",
    "CareCenterError",
    "Center",
    "Channel",
    "ConfigError",
    "Contact",
    "ContactState",
    "Customer",
    "Direction",
    "DomainError",
    "IllegalTransition",
    "InMemoryEventLog",
    "InMemoryWarehouse",
    "InputError",
    "OpeningHours",
    "Promise",
    "Queue",
    "ServiceLevelFormula",
    "ServiceLevelPolicy",
    "Settings",
    "Skill",
    "Tier",
    "__version__",
    "events",
    "project",
}


def test_all_is_exactly_the_curated_surface() -> None:
    assert set(carecenter.__all__) == EXPECTED
    for name in carecenter.__all__:
        assert getattr(carecenter, name) is not None


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nothing"):
        carecenter.nothing  # type: ignore[attr-defined]  # noqa: B018


def run_python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_nothing_heavy_happens_at_import_time() -> None:
    heavy = ["sqlalchemy", "duckdb", "numpy", "scipy", "pyarrow", "alembic", "pydantic"]
    code = (
        "import sys, carecenter, carecenter.interfaces.cli.app; "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    assert run_python(code) == "[]"


def test_in_memory_fakes_work_end_to_end() -> None:
    from datetime import UTC, datetime

    contact, arrived = carecenter.Contact.arrive(
        "c1", carecenter.Channel.CHAT, datetime(2026, 1, 1, tzinfo=UTC)
    )
    log, warehouse = carecenter.InMemoryEventLog(), carecenter.InMemoryWarehouse()
    log.append([arrived, contact.queue("chat", arrived.occurred_at)])
    assert carecenter.project(log, warehouse).events == 2
    assert warehouse.counts().contact_facts == 1


def test_every_export_is_lazily_resolvable() -> None:
    from carecenter import _EXPORTS

    assert set(_EXPORTS) | {"__version__"} == set(carecenter.__all__)
