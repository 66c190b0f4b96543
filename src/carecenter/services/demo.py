"""The demo: a workspace with the example center and a few scripted days of events."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from carecenter.adapters.settings import Settings
from carecenter.services.projector import project
from carecenter.services.workspace import init_workspace, open_workspace, workspace_info
from carecenter.sim.demo_day import scripted_day

DEMO_START = date(2026, 11, 16)  # a Monday


def run_demo(
    settings: Settings, *, days: int = 5, seed: int = 7, calls_per_hour: float = 12.0
) -> dict[str, Any]:
    """Create the workspace, fill an empty event log with ``days`` scripted days from
    :data:`DEMO_START`, project, and summarise. A workspace that has events keeps them, so
    running the demo twice gives the same workspace."""
    report = init_workspace(settings)
    rng = random.Random(seed)
    with open_workspace(settings) as ws:
        if ws.events.count() == 0:
            for n in range(days):
                day = DEMO_START + timedelta(days=n)
                ws.events.append(
                    scripted_day(
                        report.center, day, rng, calls_per_hour=calls_per_hour, prefix="demo-"
                    )
                )
        project(ws.events, ws.warehouse)
    return workspace_info(settings)
