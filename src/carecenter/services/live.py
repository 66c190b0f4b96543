"""The server's live loop: the single writer of the warehouse while the server runs.

One :meth:`LiveLoop.step` opens the warehouse for writing, brings in what is new — lines of
a followed queue_log (:class:`~carecenter.services.live_feed.QueueLogFeed`), events the
hosted engine appended to the event log (the projector) — reads the wallboard's inputs and
closes the warehouse again. Holding it only for the step (a few hundred milliseconds) lets
``carecenter import``, ``report`` and ``info`` work on the workspace while the server runs:
they wait for the step to end as for any other writer (``docs/explanation/concurrency.md``);
a step that finds the warehouse taken is skipped and the board says since when it is behind.

:meth:`LiveLoop.run` steps whenever something new may have come (:meth:`LiveLoop.wake`, or
every ``period`` seconds) and hands every board to a publisher.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from carecenter.adapters.settings import Settings
from carecenter.domain.center import Center
from carecenter.errors import CareCenterError
from carecenter.services.bootstrap import Workspace, bootstrap
from carecenter.services.live_feed import QueueLogFeed
from carecenter.services.projector import project
from carecenter.services.wallboard import BoardInputs, Wallboard

RECENT_STEPS = 100
GAP_S = 0.1
POLL_S = 0.1
"""How often a followed queue_log is read between steps."""
CATALOG_EVERY_S = 1.0
STEP_LOCK_TIMEOUT_S = 2.0
"""How long a step waits for a warehouse another process holds before it is skipped."""


@dataclass
class LiveStatus:
    """How the live loop is doing."""

    steps: int = 0
    skipped: int = 0
    last_step_s: float = 0.0
    last_board_at: datetime | None = None
    last_error: str | None = None
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds the last step spent in each of its phases."""
    slowest: dict[str, float] = field(default_factory=dict)
    """The phases of the slowest of the last :data:`RECENT_STEPS` steps."""
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT_STEPS))
    """How long the last steps took (seconds)."""


Publisher = Callable[[BoardInputs], None]


class LiveLoop:
    """Moves what is new into the warehouse and reads the board, one step at a time."""

    def __init__(
        self,
        base: Workspace,
        *,
        wallboard: Wallboard,
        feeds: Sequence[QueueLogFeed] = (),
        project_events: bool = True,
        period: float = 1.0,
        gap: float = GAP_S,
        catalog_every: float = CATALOG_EVERY_S,
    ) -> None:
        self.base = base
        """The long-lived workspace: event log, center and plans (its warehouse unused)."""
        self.settings: Settings = base.settings.model_copy(
            update={"lock_timeout": STEP_LOCK_TIMEOUT_S, "warehouse_threads": 1}
        )
        self.wallboard = wallboard
        self.feeds = list(feeds)
        self.project_events = project_events
        self.period = period
        self.gap = gap
        """The warehouse stays closed at least this long between steps (for other processes)."""
        self.catalog_every = catalog_every
        """The catalog's figures are read again at most this often (what is going on now, at
        every step)."""
        self._catalog_at = -1e9
        self.status = LiveStatus()
        self.center: Center | None = base.center.load()
        self.latest: BoardInputs | None = None
        """The inputs of the last complete step."""
        self._wake = threading.Event()
        self._stop = threading.Event()

    def reload_center(self) -> None:
        """Read the center configuration again (after ``config apply``)."""
        self.center = self.base.center.load()

    def step(self, publish: Publisher | None = None) -> BoardInputs | None:
        """One step; the board's inputs, or ``None`` when the warehouse was busy. With
        ``publish``, what is going on now is published as soon as it is read; the catalog's
        figures (which take longer) are read again, and published, when the last reading is
        :attr:`catalog_every` old."""
        started = time.perf_counter()
        phases: dict[str, float] = {}

        def lap(name: str) -> None:
            phases[name] = round(time.perf_counter() - started - sum(phases.values()), 4)

        try:
            with self._open() as ws:
                ws.warehouse.checkpoint()
                lap("open")
                for feed in self.feeds:
                    feed.pull(ws)
                lap("feeds")
                if self.project_events:
                    project(ws.events, ws.warehouse)
                lap("project")
                now = ws.clock.now()
                inputs = self.wallboard.read_now(ws, now, self.center, self.latest)
                lap("now")
                if publish is not None and self.latest is not None:
                    publish(inputs)  # what is going on now, before the slower catalog
                    lap("publish_now")
                due = time.monotonic() - self._catalog_at >= self.catalog_every
                if self.latest is None or due:
                    inputs = self.wallboard.read_catalog(ws, inputs)
                    self._catalog_at = time.monotonic()
                    lap("catalog")
                    if publish is not None:
                        publish(inputs)
                    lap("publish")
        except CareCenterError as error:
            self.status.skipped += 1
            self.status.last_error = str(error)
            return None
        self.latest = inputs
        self.status.steps += 1
        self.status.last_step_s = time.perf_counter() - started
        self.status.last_board_at = inputs.now
        self.status.last_error = None
        self.status.phases = phases
        if not self.status.recent or self.status.last_step_s >= max(self.status.recent):
            self.status.slowest = phases
        self.status.recent.append(self.status.last_step_s)
        return inputs

    def _open(self) -> Workspace:
        base = self.base
        return bootstrap(
            self.settings,
            event_log=base.events,
            center_repo=base.center,
            plan_store=base.plans,
            clock=base.clock,
        )

    def wake(self) -> None:
        """Something new came (an event appended): step now."""
        self._wake.set()

    def stop(self) -> None:
        """Make :meth:`run` return after the step under way."""
        self._stop.set()
        self._wake.set()

    def run(self, publish: Publisher) -> None:
        """Step until :meth:`stop`: at once when woken, else every ``period`` seconds."""
        while not self._stop.is_set():
            self._wake.clear()
            self.step(publish)
            self._stop.wait(self.gap)
            self._idle(time.monotonic() + max(0.0, self.period - self.gap))

    def _idle(self, until: float) -> None:
        """Wait until ``until``, a wake-up or a stop; a followed source is read every
        :data:`POLL_S` seconds meanwhile, and new lines end the wait."""
        while not self._stop.is_set() and not self._wake.is_set():
            left = until - time.monotonic()
            if left <= 0:
                return
            if any(feed.take() for feed in self.feeds):
                return
            self._wake.wait(min(POLL_S, left))

    def health(self) -> dict[str, Any]:
        """The loop's and the feeds' status, for ``/healthz``."""
        s = self.status
        return {
            "steps": s.steps,
            "skipped": s.skipped,
            "last_step_s": round(s.last_step_s, 3),
            "last_board_at": s.last_board_at.isoformat() if s.last_board_at else None,
            "last_error": s.last_error,
            "phases": s.phases,
            "slowest_phases": s.slowest,
            "step_p50_s": round(statistics.median(s.recent), 3) if s.recent else None,
            "step_max_s": round(max(s.recent), 3) if s.recent else None,
            "feeds": [
                {
                    "name": f.status.name,
                    "lines": f.status.lines,
                    "imports": f.status.imports,
                    "contacts": f.status.contacts,
                    "quarantined": f.status.quarantined,
                    "last_error": f.status.last_error,
                }
                for f in self.feeds
            ],
        }
