"""Workspace use cases: create one, open one, check and apply its configuration, summarise it.

A workspace is a directory with ``center.yaml``, the operational store (``carecenter.db``
unless ``CARECENTER_DATABASE_URL`` names another database) and the warehouse
(``warehouse.duckdb``). This module is the composition root: it builds the adapters from
:class:`~carecenter.adapters.settings.Settings`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from carecenter.adapters.center_yaml import read_center_file, template
from carecenter.adapters.settings import Settings
from carecenter.adapters.store.center_repo import SqlCenterRepository
from carecenter.adapters.store.engine import current_revision, make_engine, migrate
from carecenter.adapters.store.event_log import SqlEventLog
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.center import Center
from carecenter.errors import WorkspaceError


@dataclass
class Workspace:
    """The open adapters of one workspace."""

    settings: Settings
    engine: Engine
    events: SqlEventLog
    center: SqlCenterRepository
    warehouse: DuckDbWarehouse


@contextmanager
def open_workspace(settings: Settings, *, create: bool = False) -> Iterator[Workspace]:
    """Open the workspace's store and warehouse (migrating the store to the newest schema)."""
    root = settings.workspace
    if not create and not settings.config_path.exists():
        raise WorkspaceError(
            f"{root}: not a carecenter workspace (no center.yaml); "
            "run `carecenter init` there first"
        )
    root.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.store_url)
    warehouse = None
    try:
        migrate(engine)
        warehouse = DuckDbWarehouse(settings.warehouse_path)
        yield Workspace(
            settings, engine, SqlEventLog(engine), SqlCenterRepository(engine), warehouse
        )
    finally:
        if warehouse is not None:
            warehouse.close()
        engine.dispose()


@dataclass(frozen=True)
class InitReport:
    """What ``init`` created."""

    workspace: Path
    config_written: bool
    center: Center


def init_workspace(settings: Settings) -> InitReport:
    """Create the workspace: example ``center.yaml`` (kept if present), store and warehouse."""
    root = settings.workspace
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"{root}: exists and is not a directory")
    root.mkdir(parents=True, exist_ok=True)
    written = not settings.config_path.exists()
    if written:
        settings.config_path.write_text(template(), encoding="utf-8")
    center = read_center_file(settings.config_path)
    with open_workspace(settings, create=True) as ws:
        ws.center.save(center)
    return InitReport(root, written, center)


def check_config(path: Path) -> Center:
    """Validate a center file; raises :class:`~carecenter.errors.ConfigError`."""
    return read_center_file(path)


def apply_config(settings: Settings) -> Center:
    """Validate the workspace's ``center.yaml`` and load it into the store."""
    center = read_center_file(settings.config_path)
    with open_workspace(settings) as ws:
        ws.center.save(center)
    return center


def workspace_info(settings: Settings) -> dict[str, Any]:
    """A summary of the workspace: configuration, event and fact counts."""
    with open_workspace(settings) as ws:
        center = ws.center.load()
        counts = ws.warehouse.counts()
        events = ws.events.count()
        last = ws.events.last_seq()
        revision = current_revision(ws.engine)
    return {
        "workspace": str(settings.workspace.resolve()),
        "center": center.name if center else None,
        "store": _safe_url(settings.store_url),
        "schema_revision": revision,
        "warehouse": str(settings.warehouse_path),
        "queues": len(center.queues) if center else 0,
        "agents": len(center.agents) if center else 0,
        "skills": len(center.skills) if center else 0,
        "tiers": len(center.tiers) if center else 0,
        "events": events,
        "contacts": counts.contacts,
        "contact_facts": counts.contact_facts,
        "agent_state_intervals": counts.agent_state_intervals,
        "events_not_projected": last - counts.checkpoint,
    }


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
