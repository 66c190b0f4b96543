"""The contact engine on a workspace: its center, its clock and its plan.

:func:`planned_agents` answers the engine's question "how many agents are planned for this
queue in the slot starting then" from the workspace's current staffing plan (``carecenter
staff --save``): the ``agents`` of the plan row whose interval contains that moment (the agents
on contacts; ``scheduled_agents`` adds the shrinkage, time not on contacts), ``None`` when the
plan has no row for it (the engine then counts the agents signed in). :func:`open_engine`
builds the engine with it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from carecenter.domain.plans import PlanIndex, PlanKind
from carecenter.engine import ContactEngine
from carecenter.services.bootstrap import Workspace
from carecenter.services.ports import PlanStore

CHUNK = timedelta(days=7)
"""How much of the plan is read at once: the engine asks about the slots around a booking
(up to two weeks ahead when it looks for the earliest free one)."""
_ORIGIN = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday


class PlannedCapacity:
    """The engine's ``planned_agents``: (queue id, aware time) -> agents planned, or ``None``.

    The current staffing plan is read a week at a time, on first need, and kept;
    :meth:`reload` forgets what was read (after a new plan was saved)."""

    def __init__(self, store: PlanStore) -> None:
        self._store = store
        self._weeks: dict[int, PlanIndex] = {}

    def __call__(self, queue_id: str, at: datetime) -> float | None:
        if at.tzinfo is None:
            raise ValueError(f"{at.isoformat()}: give a timezone-aware time")
        week = (at - _ORIGIN) // CHUNK
        index = self._weeks.get(week)
        if index is None:
            start = _ORIGIN + week * CHUNK
            stored = self._store.rows(PlanKind.STAFF, start=start, end=start + CHUNK)
            index = self._weeks[week] = PlanIndex(s.row for s in stored)
        row = index.row_at(queue_id, at)
        return None if row is None or row.agents is None else float(row.agents)

    def reload(self) -> None:
        """Read the plan again on next need."""
        self._weeks.clear()


def planned_agents(workspace: Workspace) -> PlannedCapacity:
    """The planned agents of the workspace's current staffing plan, for the contact engine."""
    return PlannedCapacity(workspace.plans)


def open_engine(workspace: Workspace) -> ContactEngine:
    """A contact engine for the workspace's center (as applied to its store), on its clock,
    whose callback capacity comes from its staffing plan (:func:`planned_agents`).

    The engine starts empty: nothing of the event log is replayed."""
    center = workspace.applied_center()
    return ContactEngine(center, workspace.clock, planned_agents=planned_agents(workspace))
