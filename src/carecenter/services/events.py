"""Event-log use cases: project new events into the warehouse."""

from __future__ import annotations

from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.services.projector import ProjectionReport, project


def project_workspace(source: WorkspaceSource, *, batch_size: int = 5000) -> ProjectionReport:
    """Project every event not yet in the workspace's warehouse."""
    with opened(source) as ws:
        return project(ws.events, ws.warehouse, batch_size=batch_size)
