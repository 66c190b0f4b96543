"""The server's live loop: the single writer of the warehouse while the server runs.

One warehouse step (:meth:`LiveLoop.step`) opens the warehouse for writing, brings in what
is new — lines of a followed queue_log (:class:`~carecenter.services.live_feed.QueueLogFeed`),
events the hosted engine appended to the event log (the projector) — reads the wallboard's
inputs and closes the warehouse again. Holding it only for the step lets ``carecenter
import``, ``report`` and ``info`` work on the workspace while the server runs: they wait for
the step to end as for any other writer (``docs/explanation/concurrency.md``); a step that
finds the warehouse taken is skipped and the board says since when it is behind.

When the board's events all come through the event log (the hosted engine, no followed
queue_log), what is going on now does not wait for the warehouse: the loop keeps the open
rows in memory (:class:`~carecenter.domain.live_rows.LiveRows`, the projection's own fold,
seeded from the warehouse and seeded again every :data:`RESEED_S` seconds) and publishes a
board as soon as new events are in the log, with the catalog's figures of the last warehouse
step, which runs in a thread of its own about every second. Under a busy center's load a
warehouse step takes a second or more; a new contact still shows on the wallboard within a
few tenths of a second.

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
from carecenter.domain.live_rows import LiveRows
from carecenter.errors import CareCenterError
from carecenter.services.bootstrap import Workspace, bootstrap
from carecenter.services.live_feed import QueueLogFeed
from carecenter.services.live_rows import advance, seed
from carecenter.services.projector import project
from carecenter.services.wallboard import OPEN_SINCE, BoardInputs, Wallboard, now_inputs

RECENT_STEPS = 100
GAP_S = 0.1
POLL_S = 0.1
"""How often a followed queue_log is read between steps."""
CATALOG_EVERY_S = 1.0
STEP_LOCK_TIMEOUT_S = 2.0
"""How long a step waits for a warehouse another process holds before it is skipped."""
NOW_GAP_S = 0.05
"""Boards from the in-memory rows are published at most this often."""
RESEED_S = 60.0
"""How often the in-memory rows are seeded again from the warehouse (they forget what
cannot change any more, and what the warehouse was told by a route other than the log)."""


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
    boards: int = 0
    """Boards published from the in-memory rows."""
    seeds: int = 0
    """Times the in-memory rows were seeded from the warehouse."""
    recent_now: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT_STEPS))
    """How long the last boards from the in-memory rows took to read and publish."""


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
        self.in_memory = project_events and not self.feeds
        """What is going on now comes from in-memory rows (the log is the only source)."""
        self.rows: LiveRows | None = None
        self._seed_at = -1e9
        self._lock = threading.Lock()
        self._fresh: LiveRows | None = None
        """Rows seeded by the last warehouse step, for the board thread to take up."""

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
            phases[name] = round(max(0.0, time.perf_counter() - started - sum(phases.values())), 4)

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
                if self.in_memory and time.monotonic() - self._seed_at >= RESEED_S:
                    fresh = seed(ws.warehouse, now - OPEN_SINCE)
                    self._seed_at = time.monotonic()
                    with self._lock:
                        self._fresh = fresh
                    self.status.seeds += 1
                    lap("seed")
                if self.in_memory:  # the open rows come from memory: only the catalog here
                    center = self.wallboard.center_of(ws, self.center)
                    inputs = now_inputs(center, now, self.latest, [], [], [])
                else:
                    inputs = self.wallboard.read_now(ws, now, self.center, self.latest)
                lap("now")
                if publish is not None and self.latest is not None:
                    publish(inputs)  # what is going on now, before the slower catalog
                    lap("publish_now")
                due = time.monotonic() - self._catalog_at >= self.catalog_every
                if self.latest is None or due or self.in_memory:
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
        if self.in_memory:
            self._run_in_memory(publish)
            return
        poller = threading.Thread(target=self._poll_feeds, name="live-feeds", daemon=True)
        poller.start()
        while not self._stop.is_set():
            self._wake.clear()
            self.step(publish)
            self._stop.wait(self.gap)
            self._idle(time.monotonic() + max(0.0, self.period - self.gap))
        poller.join()

    def _poll_feeds(self) -> None:
        """Read the followed sources every :data:`POLL_S` seconds, whatever the warehouse
        step is doing; new lines wake the loop."""
        while not self._stop.is_set():
            if any(feed.take() for feed in self.feeds):
                self._wake.set()
            self._stop.wait(POLL_S)

    def _idle(self, until: float) -> None:
        """Wait until ``until``, a wake-up or a stop."""
        while not self._stop.is_set() and not self._wake.is_set():
            left = until - time.monotonic()
            if left <= 0:
                return
            self._wake.wait(min(POLL_S, left))

    def _run_in_memory(self, publish: Publisher) -> None:
        """The warehouse steps in a thread of their own (each hands its inputs over and wakes
        this one); this thread publishes a board from the in-memory rows whenever events
        were appended, at most every :data:`NOW_GAP_S` seconds."""
        worker = threading.Thread(target=self._warehouse_steps, name="live-warehouse", daemon=True)
        worker.start()
        while not self._stop.is_set():
            self._wake.clear()
            self.publish_now(publish)
            self._stop.wait(NOW_GAP_S)
            self._idle(time.monotonic() + max(0.0, self.period - NOW_GAP_S))
        worker.join()

    def _warehouse_steps(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                if self.step() is not None:
                    self._wake.set()
            except Exception as error:  # the thread must outlive one bad step
                self.status.skipped += 1
                self.status.last_error = f"{type(error).__name__}: {error}"
            spent = time.monotonic() - began
            self._stop.wait(max(self.gap, self.catalog_every - spent))

    def publish_now(self, publish: Publisher) -> BoardInputs | None:
        """Publish the board of now from the in-memory rows moved up to the end of the log,
        with the catalog's figures of the last warehouse step (nothing before the first)."""
        started = time.perf_counter()
        with self._lock:
            fresh, self._fresh = self._fresh, None
        if fresh is not None:
            self.rows = fresh
        before, rows = self.latest, self.rows
        if before is None or rows is None or self.center is None:
            return None
        advance(rows, self.base.events)
        now = self.base.clock.now()
        inputs = now_inputs(self.center, now, before, *rows.rows(now - OPEN_SINCE))
        publish(inputs)
        self.status.boards += 1
        self.status.recent_now.append(time.perf_counter() - started)
        return inputs

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
            "in_memory": self.in_memory,
            "boards_now": s.boards,
            "seeds": s.seeds,
            "now_p50_s": round(statistics.median(s.recent_now), 4) if s.recent_now else None,
            "now_max_s": round(max(s.recent_now), 4) if s.recent_now else None,
            "feeds": [
                {
                    "name": f.status.name,
                    "lines": f.status.lines,
                    "imported_lines": f.status.imported_lines,
                    "imports": f.status.imports,
                    "contacts": f.status.contacts,
                    "quarantined": f.status.quarantined,
                    "last_error": f.status.last_error,
                }
                for f in self.feeds
            ],
        }
