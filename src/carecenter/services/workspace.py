"""Workspace use cases: create one, upgrade one, check and apply its configuration, summarise it.

A workspace is a directory with ``center.yaml``, the operational store (``carecenter.db``
unless ``CARECENTER_DATABASE_URL`` names another database) and the warehouse
(``warehouse.duckdb``). ``init`` and ``upgrade`` migrate the store and create the warehouse
tables; every other command opens the workspace through
:func:`~carecenter.services.bootstrap.bootstrap`, which only checks the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carecenter.adapters.center_yaml import read_center_file, template
from carecenter.adapters.settings import Settings
from carecenter.adapters.store.engine import make_engine, migrate, safe_url, stored_revisions
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.center import Center
from carecenter.errors import WorkspaceError
from carecenter.services.bootstrap import WorkspaceSource, bootstrap, opened


@dataclass(frozen=True)
class UpgradeReport:
    """What ``upgrade`` did: the store's schema revision before and after."""

    store: str
    before: str | None
    after: str | None
    warehouse: Path

    @property
    def changed(self) -> bool:
        """Whether a migration ran."""
        return self.before != self.after


def upgrade_workspace(settings: Settings, *, create: bool = False) -> UpgradeReport:
    """Migrate the operational store to the newest schema and create missing warehouse
    tables (``create``: the workspace may have no ``center.yaml`` yet)."""
    if not create and not settings.config_path.exists():
        raise WorkspaceError(
            f"{settings.workspace}: not a carecenter workspace (no center.yaml); "
            "run `carecenter init` there first"
        )
    settings.workspace.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.store_url)
    try:
        before = _revision(engine)
        migrate(engine)
        after = _revision(engine)
    finally:
        engine.dispose()
    DuckDbWarehouse(settings.warehouse_path, lock_timeout_s=settings.lock_timeout).close()
    return UpgradeReport(safe_url(settings.store_url), before, after, settings.warehouse_path)


def _revision(engine: Any) -> str | None:
    return ", ".join(sorted(stored_revisions(engine))) or None


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
    upgrade_workspace(settings, create=True)
    with bootstrap(settings) as ws:
        ws.center.save(center)
    return InitReport(root, written, center)


def check_config(path: Path) -> Center:
    """Validate a center file; raises :class:`~carecenter.errors.ConfigError`."""
    return read_center_file(path)


def apply_config(source: WorkspaceSource) -> Center:
    """Validate the workspace's ``center.yaml`` and load it into the store."""
    settings = source if isinstance(source, Settings) else source.settings
    center = read_center_file(settings.config_path)
    with opened(source) as ws:
        ws.center.save(center)
    return center


def workspace_info(source: WorkspaceSource) -> dict[str, Any]:
    """A summary of the workspace: configuration, event and fact counts."""
    with opened(source, read_only=True) as ws:
        settings = ws.settings
        center = ws.center.load()
        counts = ws.warehouse.counts()
        events = ws.events.count()
        last = ws.events.last_seq()
        revision = ws.schema_revision
    return {
        "workspace": str(settings.workspace.resolve()),
        "center": center.name if center else None,
        "store": safe_url(settings.store_url),
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
        "tickets": counts.tickets,
        "events_not_projected": last - counts.checkpoint,
    }
