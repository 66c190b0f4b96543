"""WebSocket fan-out: boards to wallboards, offers to agents.

The live loop runs in its own process and builds the board of every team watched (and the
whole center's) as JSON text; :meth:`BoardHub.publish` receives them and hands the sending
to the server's event loop. A wallboard that does not take
a board within :data:`SEND_TIMEOUT_S` is dropped (it reconnects), so one slow screen never
holds the others back.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from fastapi import WebSocket

from carecenter.services.board import clean
from carecenter.services.live_process import LiveProcess, Texts

SEND_TIMEOUT_S = 2.0
BOARD_WAIT_S = 5.0
"""How long a request for a team's first board waits for the live loop to build it."""


def dumps(message: dict[str, Any]) -> str:
    """A message as JSON text."""
    return json.dumps(clean(message), default=str, separators=(",", ":"))


class BoardHub:
    """The open wallboards, each with the team whose board it shows (``None``: all), and the
    latest board message of each team the live loop builds."""

    def __init__(self, live: LiveProcess) -> None:
        self.live = live
        self.loop: asyncio.AbstractEventLoop | None = None
        self._sockets: dict[WebSocket, str | None] = {}
        self._lock = threading.Lock()
        self._texts: Texts = {}
        self._parsed: dict[str | None, dict[str, Any]] = {}
        self._changed = threading.Condition(self._lock)
        self.sent = 0

    def text(self, team: str | None, wait: float = 0.0) -> str | None:
        """The latest board message of ``team``; asks the live loop for the team's boards and
        waits up to ``wait`` seconds for the first one."""
        self.live.want(team)
        with self._changed:
            self._changed.wait_for(lambda: team in self._texts, timeout=wait)
            return self._texts.get(team)

    def board(self, team: str | None, wait: float = BOARD_WAIT_S) -> dict[str, Any] | None:
        """The latest board of ``team`` (``None`` when none came within ``wait`` seconds)."""
        text = self.text(team, wait)
        if text is None:
            return None
        with self._lock:
            parsed = self._parsed.get(team)
            if parsed is None:
                parsed = json.loads(text)["board"]
                self._parsed[team] = parsed
        return parsed

    async def join(self, websocket: WebSocket, team: str | None) -> None:
        """Add an accepted wallboard; send it the latest board at once."""
        with self._lock:
            self._sockets[websocket] = team
        text = await asyncio.to_thread(self.text, team, BOARD_WAIT_S)
        if text is not None:
            await self._send(websocket, text)

    def leave(self, websocket: WebSocket) -> None:
        with self._lock:
            self._sockets.pop(websocket, None)

    @property
    def count(self) -> int:
        """How many wallboards are open."""
        return len(self._sockets)

    def publish(self, texts: Texts) -> None:
        """New boards from the live loop (in the live process's reader thread): keep them and
        send each wallboard its team's."""
        with self._changed:
            self._texts = {**self._texts, **texts}
            self._parsed = {k: v for k, v in self._parsed.items() if k not in texts}
            self._changed.notify_all()
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(lambda: loop.create_task(self._broadcast(texts)))

    async def _broadcast(self, texts: Texts) -> None:
        with self._lock:
            targets = list(self._sockets.items())
        await asyncio.gather(
            *(self._send(ws, texts[team]) for ws, team in targets if team in texts)
        )

    async def _send(self, websocket: WebSocket, text: str) -> None:
        try:
            await asyncio.wait_for(websocket.send_text(text), SEND_TIMEOUT_S)
            self.sent += 1
        except Exception:  # a closed or stuck socket: forget it (the page reconnects)
            self.leave(websocket)


class AgentHub:
    """Agents' open desktops: each hears of the offers ringing at them."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._sockets: dict[WebSocket, str] = {}
        self._lock = threading.Lock()

    def join(self, websocket: WebSocket, agent_id: str) -> None:
        with self._lock:
            self._sockets[websocket] = agent_id

    def leave(self, websocket: WebSocket) -> None:
        with self._lock:
            self._sockets.pop(websocket, None)

    def agents(self) -> set[str]:
        """The agents with a desktop open."""
        with self._lock:
            return set(self._sockets.values())

    def push(self, agent_id: str, message: dict[str, Any]) -> None:
        """Send ``message`` to ``agent_id``'s desktops (from any thread)."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        with self._lock:
            targets = [ws for ws, a in self._sockets.items() if a == agent_id]
        text = dumps(message)

        def send_all() -> None:
            for ws in targets:
                loop.create_task(self._send(ws, text))

        loop.call_soon_threadsafe(send_all)

    async def _send(self, websocket: WebSocket, text: str) -> None:
        try:
            await asyncio.wait_for(websocket.send_text(text), SEND_TIMEOUT_S)
        except Exception:
            self.leave(websocket)
