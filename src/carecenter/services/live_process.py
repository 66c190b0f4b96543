"""The live loop in a process of its own, beside the server.

The server's request threads (the engine's commands, the API, the WebSockets) and the live
loop (projection, imports, the catalog) would share one interpreter lock; under a busy
center's load the loop's many short calls into DuckDB then wait for it again and again, and
a step of a tenth of a second takes seconds. So the loop runs in a child process
(:class:`LiveProcess`): the server tells it when events were appended (``wake``), which
teams' boards are watched (``teams``) and when the configuration changed (``reload``); the
child sends back each board, as the JSON text the wallboards receive, with its health.

The child opens the workspace itself (its own store connections and warehouse); it is the
only process of the server that writes the warehouse.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from carecenter.adapters.settings import Settings

REPORT_S = 0.1
"""How often the child tells the lines it took from a followed source."""
Texts = dict[str | None, str]
"""Team (``None``: the whole center) -> the board message, JSON text."""
Sink = Callable[[Texts], None]


class LiveProcess:
    """A child process running :class:`~carecenter.services.live.LiveLoop`."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        """What the child builds its loop with: ``follow``, ``project_events``, ``period``,
        ``source``."""
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._send_lock = threading.Lock()
        self._health: dict[str, Any] = {"steps": 0, "skipped": 0, "last_error": None, "feeds": []}
        self._teams: set[str | None] = {None}
        self.boards = 0
        """Boards received from the child."""

    def start(self, sink: Sink) -> None:
        """Start the child; ``sink`` gets each board's texts (in a reader thread)."""
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._conn = parent
        self._process = context.Process(
            target=_child,
            args=(self.settings, self.options, child, self._teams),
            name="carecenter-live",
            daemon=True,
        )
        self._process.start()
        child.close()
        threading.Thread(target=self._read, args=(parent, sink), daemon=True).start()

    def _read(self, conn: Connection, sink: Sink) -> None:
        while True:
            try:
                kind, texts, health = conn.recv()
            except (EOFError, OSError):
                return
            if kind == "boards":
                self.boards += 1
                if texts:
                    sink(texts)
            self._health = health

    def _send(self, message: Any) -> None:
        conn = self._conn
        if conn is None:
            return
        with self._send_lock, contextlib.suppress(OSError):
            conn.send(message)

    def wake(self) -> None:
        """Events were appended: step now."""
        self._send(("wake", None))

    def want(self, team: str | None) -> None:
        """Build the boards of ``team`` too from now on."""
        if team not in self._teams:
            self._teams.add(team)
            self._send(("teams", set(self._teams)))

    def reload_center(self) -> None:
        """The center configuration was applied again."""
        self._send(("reload", None))

    def health(self) -> dict[str, Any]:
        """The child's last report: steps, phases, feeds."""
        alive = self._process is not None and self._process.is_alive()
        return {**self._health, "live_process": alive}

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the child after the step under way."""
        process = self._process
        if process is None:
            return
        self._send(("stop", None))
        process.join(timeout)
        if process.is_alive():
            process.terminate()
            process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._conn = self._process = None


def _child(
    settings: Settings, options: dict[str, Any], conn: Connection, teams: set[str | None]
) -> None:
    """The child process: build the loop, step until told to stop, send every board."""
    from carecenter.services.board import message
    from carecenter.services.bootstrap import bootstrap
    from carecenter.services.live import LiveLoop
    from carecenter.services.serving import feed_for
    from carecenter.services.wallboard import BoardInputs, Wallboard

    ws = bootstrap(settings, long_lived=True)
    watched = set(teams)
    send_lock = threading.Lock()
    try:
        center = ws.center.load()
        follow = options.get("follow")
        feeds = [] if follow is None or center is None else [feed_for(settings, follow, center)]
        wallboard = Wallboard(options["source"])
        loop = LiveLoop(
            ws,
            wallboard=wallboard,
            feeds=feeds,
            project_events=options["project_events"],
            period=options["period"],
        )

        alerting = [_alerting(center, ws)]

        def publish(inputs: BoardInputs) -> None:
            rules = alerting[0]
            center_board = wallboard.board(inputs)
            rules.run(inputs.now, inputs.minutes, center_board, inputs.promises)
            alerts = rules.active()
            texts = {team: message(wallboard.board(inputs, team, alerts)) for team in set(watched)}
            with send_lock:
                conn.send(("boards", texts, {**loop.health(), "alerts": rules.status()}))

        def listen() -> None:
            while True:
                try:
                    kind, value = conn.recv()
                except (EOFError, OSError):
                    loop.stop()
                    return
                if kind == "wake":
                    loop.wake()
                elif kind == "teams":
                    watched.clear()
                    watched.update(value)
                    loop.wake()
                elif kind == "reload":
                    loop.reload_center()
                    alerting[0].close()
                    alerting[0] = _alerting(loop.center, ws)
                    loop.wake()
                elif kind == "stop":
                    loop.stop()
                    return

        def report() -> None:
            """Lines taken from a followed source show in the health at once, not only with
            the next board (a warehouse step can take a while)."""
            last = -1
            while not stopped.wait(REPORT_S):
                taken = sum(feed.status.lines for feed in feeds)
                if taken != last:
                    last = taken
                    health = {**loop.health(), "alerts": alerting[0].status()}
                    with send_lock, contextlib.suppress(OSError, ValueError):
                        conn.send(("health", {}, health))

        stopped = threading.Event()
        threading.Thread(target=listen, daemon=True).start()
        if feeds:
            threading.Thread(target=report, daemon=True).start()
        loop.run(publish)
        stopped.set()
        for feed in feeds:
            feed.close()
        alerting[0].close()
        with send_lock:
            conn.send(("health", {}, loop.health()))
    finally:
        ws.close()
        conn.close()


def _alerting(center: Any, ws: Any) -> Any:
    """The center's alert rules, logging to the workspace's event log and telling their
    webhooks and mail channels."""
    from carecenter.adapters.notify import ChannelNotifier
    from carecenter.services.alerting import Alerting

    if center is None:
        return Alerting.none()
    notifier = ChannelNotifier(center.alerts) if center.alerts.rules else None
    return Alerting(center, ws.events, notifier)
