"""Event-log use cases: project new events into the warehouse."""

from __future__ import annotations

from carecenter.adapters.settings import Settings
from carecenter.services.projector import ProjectionReport, project
from carecenter.services.workspace import open_workspace


def project_workspace(settings: Settings, *, batch_size: int = 5000) -> ProjectionReport:
    """Project every event not yet in the workspace's warehouse."""
    with open_workspace(settings) as ws:
        return project(ws.events, ws.warehouse, batch_size=batch_size)
