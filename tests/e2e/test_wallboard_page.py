"""The wallboard page (``interfaces/web/static``) in headless Chromium, against a fake server:
a tiny Starlette app that serves the static files, answers ``/api/me`` and pushes the boards the
test gives it over ``/ws/wallboard``. The page's clock is Playwright's fake clock, paused, so
running times, staleness, reconnection and TV rotation move only when a test says so.

``CARECENTER_UPDATE_SCREENSHOTS=1`` also writes the docs' screenshots of both layouts to
``docs/images/wallboard-desk.png`` and ``docs/images/wallboard-tv.png``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import json
import os
import struct
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.browser import chromium, require_chromium, serve

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import (  # noqa: E402
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route, WebSocketRoute  # noqa: E402
from starlette.staticfiles import StaticFiles  # noqa: E402
from starlette.types import ASGIApp, Message, Receive, Scope, Send  # noqa: E402
from starlette.websockets import WebSocket, WebSocketDisconnect  # noqa: E402

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "carecenter" / "interfaces" / "web" / "static"
IMAGES = ROOT / "docs" / "images"
AS_OF = "2026-12-07T10:15:03+01:00"
CLOCK_START = datetime.fromisoformat(AS_OF)


def later(iso: str, seconds: float) -> str:
    return (datetime.fromisoformat(iso) + timedelta(seconds=seconds)).isoformat()


# ---------------------------------------------------------------- the fake server

CSP = (  # the real server's policy: no inline script or style
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeaders:
    """Adds the server's Content-Security-Policy to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_csp(message: Message) -> None:
            if message["type"] == "http.response.start":
                header = (b"content-security-policy", CSP.encode())
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        return await self.app(scope, receive, send_with_csp)


class FakeServer:
    """The server side of the contract: /wallboard, /static, /signin, /signout, /api/me and the
    board socket, which sends the latest board on connect and every board pushed after."""

    def __init__(self) -> None:
        self.url = ""
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sockets: set[WebSocket] = set()
        self.reset()

    def reset(self) -> None:
        self.me_status = 200
        self.me: dict[str, Any] = {
            "name": "sue",
            "role": "supervisor",
            "team": "t1",
            "csrf_token": "tok-123",
        }
        self.latest: dict[str, Any] | None = None
        self.refuse = False
        self.attempts = 0
        self.socket_queries: list[dict[str, str]] = []
        self.signouts: list[dict[str, str]] = []

    def app(self) -> Starlette:
        return Starlette(
            middleware=[Middleware(SecurityHeaders)],
            routes=[
                Route("/wallboard", self.wallboard),
                Route("/signin", self.signin),
                Route("/signout", self.signout, methods=["POST"]),
                Route("/api/me", self.api_me),
                WebSocketRoute("/ws/wallboard", self.ws_wallboard),
                Mount("/static", StaticFiles(directory=STATIC), name="static"),
            ],
        )

    async def wallboard(self, request: Request) -> Response:
        return FileResponse(STATIC / "wallboard.html", headers={"Cache-Control": "no-store"})

    async def signin(self, request: Request) -> Response:
        page = (STATIC / "signin.html").read_text(encoding="utf-8")
        for name, value in {
            "csrf_token": "signin-tok",
            "next": request.query_params.get("next", "/wallboard"),
            "error": "",
        }.items():
            page = page.replace("{{" + name + "}}", html.escape(value))
        return HTMLResponse(page)

    async def signout(self, request: Request) -> Response:
        form = await request.form()
        self.signouts.append({k: str(v) for k, v in form.items()})
        return RedirectResponse("/signin", status_code=303)

    async def api_me(self, request: Request) -> Response:
        if self.me_status != 200:
            return JSONResponse({"detail": "not signed in"}, status_code=self.me_status)
        return JSONResponse(self.me, headers={"Cache-Control": "no-store"})

    async def ws_wallboard(self, websocket: WebSocket) -> None:
        self.loop = asyncio.get_running_loop()
        self.attempts += 1
        self.socket_queries.append(dict(websocket.query_params))
        if self.refuse:
            await websocket.close(code=1013)  # before accept: the handshake fails (HTTP 403)
            return
        await websocket.accept()
        self.sockets.add(websocket)
        try:
            if self.latest is not None:
                await websocket.send_text(json.dumps({"type": "board", "board": self.latest}))
            while True:
                await websocket.receive_text()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.sockets.discard(websocket)

    def _run(self, make: Callable[[], Any]) -> None:
        if self.loop is not None and self.sockets:
            asyncio.run_coroutine_threadsafe(make(), self.loop).result(timeout=5)

    def push(self, board: dict[str, Any]) -> None:
        """Make board the latest and send it to every open socket."""
        self.latest = copy.deepcopy(board)
        message = json.dumps({"type": "board", "board": self.latest})

        async def send() -> None:
            for ws in list(self.sockets):
                try:
                    await ws.send_text(message)
                except Exception:  # a socket closing meanwhile
                    self.sockets.discard(ws)

        self._run(send)

    def drop(self) -> None:
        """Close every open socket, as a restarting server would."""

        async def close() -> None:
            for ws in list(self.sockets):
                with contextlib.suppress(Exception):  # already closing
                    await ws.close(code=1012)
                self.sockets.discard(ws)

        self._run(close)


# ---------------------------------------------------------------- boards


def queue_row(queue_id: str, name: str, channel: str | None, **figures: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "queue_id": queue_id,
        "name": name,
        "channel": channel,
        "waiting": 0,
        "longest_wait_s": 0.0,
        "offered": 0,
        "answered": 0,
        "abandoned": 0,
        "service_level": None,
        "service_level_15m": None,
        "service_level_30m": None,
        "sl_target": 0.8,
        "sl_threshold_s": 20,
        "asa_s": None,
        "abandon_rate": None,
        "callbacks_pending": 0,
        "promises_due": 0,
        "forecast_so_far": None,
        "agents_staffed": 0,
        "agents_required": None,
        "agents": {"available": 0, "on_contact": 0, "after_call_work": 0, "break": 0, "missed": 0},
    }
    row.update(figures)
    return row


def contract_board() -> dict[str, Any]:
    """The brief's example board, with three more queues (one all unknown) to sort."""
    cards = queue_row(
        "cards",
        "Cards",
        "voice",
        waiting=3,
        longest_wait_s=42.0,
        offered=120,
        answered=110,
        abandoned=8,
        service_level=0.81,
        service_level_15m=0.7,
        service_level_30m=0.75,
        sl_target=0.8,
        sl_threshold_s=20,
        asa_s=14.2,
        abandon_rate=0.066,
        callbacks_pending=2,
        promises_due=1,
        forecast_so_far=130.0,
        agents_staffed=7,
        agents_required=8,
        agents={"available": 2, "on_contact": 4, "after_call_work": 1, "break": 0, "missed": 0},
    )
    loans = queue_row(
        "loans",
        "Loans",
        "voice",
        waiting=1,
        longest_wait_s=5.0,
        offered=40,
        answered=39,
        abandoned=1,
        service_level=0.95,
        service_level_15m=1.0,
        service_level_30m=0.97,
        asa_s=6.0,
        abandon_rate=0.025,
        forecast_so_far=35.0,
        agents_staffed=3,
        agents_required=3,
        agents={"available": 1, "on_contact": 1, "after_call_work": 0, "break": 1, "missed": 0},
    )
    chat = queue_row(
        "chat",
        "Web chat",
        "chat",
        waiting=7,
        longest_wait_s=95.0,
        offered=60,
        answered=50,
        abandoned=4,
        service_level=0.6,
        service_level_15m=0.5,
        service_level_30m=0.55,
        sl_target=0.7,
        sl_threshold_s=60,
        asa_s=40.0,
        abandon_rate=0.0667,
        forecast_so_far=50.0,
        agents_staffed=2,
        agents_required=4,
    )
    email = queue_row("email", "Email", "email", waiting=None, longest_wait_s=None)
    email.update({"offered": None, "answered": None, "abandoned": None, "sl_target": None})
    totals = queue_row(
        "(center)",
        "All queues",
        None,
        waiting=11,
        longest_wait_s=95.0,
        offered=220,
        answered=199,
        abandoned=13,
        service_level=0.78,
        service_level_15m=0.71,
        service_level_30m=0.74,
        asa_s=19.5,
        abandon_rate=0.059,
        callbacks_pending=2,
        promises_due=1,
        forecast_so_far=215.0,
        agents_staffed=12,
        agents_required=15,
        agents={"available": 3, "on_contact": 5, "after_call_work": 1, "break": 1, "missed": 0},
    )
    return {
        "as_of": AS_OF,
        "source": "carecenter engine",
        "center": {"name": "Demo Bank", "timezone": "Europe/Paris"},
        "totals": totals,
        "queues": [cards, loans, chat, email],
        "agents": [
            {
                "agent_id": "a001",
                "name": "Ann Lee",
                "team": "t1",
                "state": "on_contact",
                "reason": None,
                "since": "2026-12-07T10:13:00+01:00",
                "in_state_s": 123.0,
                "contacts_today": 14,
                "aht_s": 230.5,
                "queues": ["cards"],
            },
            {
                "agent_id": "a002",
                "name": "Bob Marsh",
                "team": "t1",
                "state": "break",
                "reason": "lunch",
                "since": "2026-12-07T10:05:03+01:00",
                "in_state_s": 600.0,
                "contacts_today": 9,
                "aht_s": 301.0,
                "queues": ["cards", "loans"],
            },
            {
                "agent_id": "a003",
                "name": "Cleo Diaz",
                "team": "t2",
                "state": "available",
                "reason": None,
                "since": "2026-12-07T10:14:58+01:00",
                "in_state_s": 5.0,
                "contacts_today": 21,
                "aht_s": None,
                "queues": ["loans"],
            },
            {
                "agent_id": "a004",
                "name": "Dev Patel",
                "team": "t2",
                "state": "logged_out",
                "reason": None,
                "since": "2026-12-07T08:15:03+01:00",
                "in_state_s": 7200.0,
                "contacts_today": 0,
                "aht_s": None,
                "queues": ["email"],
            },
        ],
        "contacts": [
            {
                "contact_id": "c-17",
                "queue_id": "cards",
                "tier": "vip",
                "customer_id": "cust9",
                "state": "waiting",
                "enqueued_at": "2026-12-07T10:14:20+01:00",
                "wait_s": 43.0,
                "agent_id": None,
            },
            {
                "contact_id": "c-18",
                "queue_id": "cards",
                "tier": "standard",
                "customer_id": "cust4",
                "state": "waiting",
                "enqueued_at": "2026-12-07T10:14:51+01:00",
                "wait_s": 12.0,
                "agent_id": None,
            },
            {
                "contact_id": "c-16",
                "queue_id": "cards",
                "tier": "standard",
                "customer_id": "cust2",
                "state": "on_contact",
                "enqueued_at": "2026-12-07T10:12:30+01:00",
                "wait_s": 30.0,
                "agent_id": "a001",
            },
            {
                "contact_id": "c-20",
                "queue_id": "loans",
                "tier": "standard",
                "customer_id": "cust7",
                "state": "waiting",
                "enqueued_at": "2026-12-07T10:14:58+01:00",
                "wait_s": 5.0,
                "agent_id": None,
            },
        ],
        "alerts": [
            {
                "alert_id": "sl-low:cards",
                "rule": "sl-low",
                "queue_id": "cards",
                "severity": "critical",
                "message": "Cards: service level 62% over the last 15 min (target 80%)",
                "since": "2026-12-07T10:10:00+01:00",
            }
        ],
    }


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture
def fake(server: FakeServer) -> FakeServer:
    server.reset()
    return server


@pytest.fixture
def page(browser: Browser, fake: FakeServer) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield pg
    context.close()
    assert not errors, errors


def open_board(page: Page, fake: FakeServer, query: str = "", board: dict[str, Any] | None = None):
    """Open /wallboard<query> on a paused clock and wait until the board is rendered."""
    board = board if board is not None else contract_board()
    fake.push(board)
    page.clock.install(time=CLOCK_START - timedelta(seconds=10))
    page.clock.pause_at(CLOCK_START)  # forward only: never before install's time
    page.goto(f"{fake.url}/wallboard{query}")
    expect(page.locator("body")).to_have_attribute("data-as-of", board["as_of"])
    return board


def column(page: Page, table: str, attr: str) -> list[str]:
    return page.locator(f"#{table} tbody tr").evaluate_all(
        f"rows => rows.map(r => r.getAttribute('data-{attr}'))"
    )


def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# ---------------------------------------------------------------- tests


def test_every_figure_is_in_its_cell(page: Page, fake: FakeServer) -> None:
    open_board(page, fake)
    cards = page.locator('[data-queue="cards"]')
    expected = {
        "name": "Cards",
        "channel": "voice",
        "waiting": "3",
        "longest_wait_s": "0:42",
        "service_level": "81.0%",
        "service_level_15m": "70.0%",
        "service_level_30m": "75.0%",
        "sl_target": "80%",
        "sl_threshold_s": "20 s",
        "asa_s": "0:14",
        "offered": "120",
        "forecast_so_far": "130",
        "answered": "110",
        "abandoned": "8",
        "abandon_rate": "6.6%",
        "callbacks_pending": "2",
        "promises_due": "1",
        "agents_staffed": "7",
        "agents_required": "8",
        "agents.available": "2",
        "agents.on_contact": "4",
        "agents.after_call_work": "1",
        "agents.break": "0",
        "agents.missed": "0",
    }
    for field, text in expected.items():
        expect(cards.locator(f'[data-field="{field}"]')).to_have_text(text)
    # the raw value sent, for tests that would rather not parse the display
    expect(cards.locator('[data-field="service_level"]')).to_have_attribute("data-value", "0.81")
    expect(cards.locator('[data-field="longest_wait_s"]')).to_have_attribute("data-value", "42")

    totals = page.locator('[data-queue="(center)"]')
    expect(totals.locator('[data-field="name"]')).to_have_text("All queues")
    expect(totals.locator('[data-field="waiting"]')).to_have_text("11")
    expect(totals.locator('[data-field="agents_required"]')).to_have_text("15")

    email = page.locator('[data-queue="email"]')  # unknowns show a dash
    for field in ("waiting", "longest_wait_s", "offered", "service_level", "asa_s", "sl_target"):
        expect(email.locator(f'[data-field="{field}"]')).to_have_text("–")
    expect(email.locator('[data-field="waiting"]')).to_have_attribute("data-value", "")

    ann = page.locator('[data-agent="a001"]')
    for field, text in {
        "name": "Ann Lee",
        "team": "t1",
        "state": "On contact",
        "in_state_s": "2:03",
        "contacts_today": "14",
        "aht_s": "3:51",
        "queues": "Cards",
    }.items():
        expect(ann.locator(f'[data-field="{field}"]')).to_have_text(text)
    expect(ann.locator('[data-field="state"]')).to_have_attribute("data-value", "on_contact")
    bob = page.locator('[data-agent="a002"]')
    expect(bob.locator('[data-field="state"]')).to_have_text("Break")
    expect(bob.locator('[data-field="reason"]')).to_have_text("lunch")
    expect(bob.locator('[data-field="in_state_s"]')).to_have_text("10:00")
    expect(page.locator('[data-agent="a004"] [data-field="in_state_s"]')).to_have_text("2:00:00")

    alert = page.locator('[data-alert="sl-low:cards"]')
    expect(alert).to_have_class("alert sev-critical")
    expect(alert.locator('[data-field="message"]')).to_have_text(
        "Cards: service level 62% over the last 15 min (target 80%)"
    )
    expect(alert.locator('[data-field="since"]')).to_have_text("10:10")
    expect(page.locator("#alert-list")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#center-name")).to_have_text("Demo Bank")
    expect(page.locator("#clock")).to_have_text("10:15:03")  # the center's time zone
    expect(page.locator("#user-name")).to_have_text("sue · supervisor · team t1")
    expect(page.locator("body")).to_have_attribute("data-connection", "open")
    expect(page.locator("#conn-banner")).to_be_hidden()
    expect(page.locator("#stale-marker")).to_be_hidden()
    # column headers are real header cells
    expect(page.locator("#queue-table thead th[scope=col]")).to_have_count(17)


def test_service_level_against_target_is_not_colour_alone(page: Page, fake: FakeServer) -> None:
    open_board(page, fake)
    cards = page.locator('[data-queue="cards"]')
    cell = {
        f: cards.locator(f'[data-field="{f}"]').locator("xpath=..")
        for f in ("service_level", "service_level_15m", "service_level_30m")
    }
    expect(cell["service_level"]).to_have_class("n sl sl-ok")  # 81% against 80%
    expect(cell["service_level"]).to_contain_text("▲")
    expect(cell["service_level"]).to_contain_text("at or above target")
    expect(cell["service_level_30m"]).to_have_class("n sl sl-warn")  # 75%: 5 points below
    expect(cell["service_level_30m"]).to_contain_text("▼")
    expect(cell["service_level_30m"]).to_contain_text("just below target")
    expect(cell["service_level_15m"]).to_have_class("n sl sl-bad")  # 70%
    expect(cell["service_level_15m"]).to_contain_text("below target")
    # short of staff and waiting past the threshold are said in text too
    chat = page.locator('[data-queue="chat"]')
    expect(chat.locator('[data-field="agents_staffed"]').locator("xpath=..")).to_contain_text("−2")
    expect(chat.locator('[data-field="longest_wait_s"]').locator("xpath=..")).to_contain_text(
        "over threshold"
    )


def test_a_new_board_updates_the_page(page: Page, fake: FakeServer) -> None:
    board = open_board(page, fake)
    nxt = copy.deepcopy(board)
    nxt["as_of"] = later(AS_OF, 2)
    cards = nxt["queues"][0]
    cards.update(waiting=5, offered=123, service_level=0.79)
    ann = nxt["agents"][0]
    ann.update(state="break", reason="coffee", in_state_s=0.0, since=nxt["as_of"])
    nxt["agents"].append(
        {
            "agent_id": "a005",
            "name": "Eve Stone",
            "team": "t1",
            "state": "available",
            "reason": None,
            "since": nxt["as_of"],
            "in_state_s": 0.0,
            "contacts_today": 0,
            "aht_s": None,
            "queues": ["cards"],
        }
    )
    del nxt["agents"][2]  # a003 leaves the board
    nxt["alerts"] = []
    fake.push(nxt)

    expect(page.locator("body")).to_have_attribute("data-as-of", nxt["as_of"])
    row = page.locator('[data-queue="cards"]')
    expect(row.locator('[data-field="waiting"]')).to_have_text("5")
    expect(row.locator('[data-field="offered"]')).to_have_text("123")
    expect(row.locator('[data-field="service_level"]')).to_have_text("79.0%")
    expect(row.locator('[data-field="service_level"]').locator("xpath=..")).to_have_class(
        "n sl sl-warn"
    )
    expect(page.locator('[data-agent="a001"] [data-field="state"]')).to_have_text("Break")
    expect(page.locator('[data-agent="a001"] [data-field="reason"]')).to_have_text("coffee")
    expect(page.locator('[data-agent="a005"] [data-field="name"]')).to_have_text("Eve Stone")
    expect(page.locator('[data-agent="a003"]')).to_have_count(0)
    expect(page.locator("[data-alert]")).to_have_count(0)
    expect(page.locator("#no-alerts")).to_be_visible()
    expect(page.locator("#clock")).to_have_text("10:15:05")


def test_running_times_tick_between_boards(page: Page, fake: FakeServer) -> None:
    open_board(page, fake, "?queue=cards")
    expect(page.locator('[data-contact="c-17"] [data-field="wait_s"]')).to_have_text("0:43")
    page.clock.run_for(3010)
    expect(page.locator('[data-agent="a001"] [data-field="in_state_s"]')).to_have_text("2:06")
    expect(page.locator('[data-agent="a002"] [data-field="in_state_s"]')).to_have_text("10:03")
    expect(page.locator('[data-contact="c-17"] [data-field="wait_s"]')).to_have_text("0:46")
    expect(page.locator('[data-contact="c-18"] [data-field="wait_s"]')).to_have_text("0:15")
    # a contact already answered waits no more; figures that are not times stay
    expect(page.locator('[data-contact="c-16"] [data-field="wait_s"]')).to_have_text("0:30")
    tiles = page.locator('#detail-tiles[data-queue="cards"]')
    expect(tiles.locator('[data-field="longest_wait_s"]')).to_have_text("0:45")
    expect(tiles.locator('[data-field="asa_s"]')).to_have_text("0:14")
    expect(page.locator("#clock")).to_have_text("10:15:06")
    # the raw values stay those of the board
    expect(page.locator('[data-agent="a001"] [data-field="in_state_s"]')).to_have_attribute(
        "data-value", "123"
    )


def test_tables_sort_by_a_header(page: Page, fake: FakeServer) -> None:
    open_board(page, fake)
    assert column(page, "queue-table", "queue") == ["cards", "loans", "chat", "email"]
    header = page.locator('#queue-table th[data-col="waiting"]')
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(header.locator(".arrow")).to_have_text("▲")
    assert column(page, "queue-table", "queue") == ["loans", "cards", "chat", "email"]
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(header.locator(".arrow")).to_have_text("▼")
    assert column(page, "queue-table", "queue") == ["chat", "cards", "loans", "email"]  # null last
    # another column: numbers compare as numbers (95 s > 42 s > 5 s), the old arrow goes
    page.locator('#queue-table th[data-col="longest_wait_s"] button').click()
    assert column(page, "queue-table", "queue") == ["loans", "cards", "chat", "email"]
    expect(header).to_have_attribute("aria-sort", "none")
    expect(header.locator(".arrow")).to_have_text("")
    # the totals row stays at the foot, unsorted
    expect(page.locator('#queue-table tfoot tr[data-queue="(center)"]')).to_have_count(1)
    # the order holds when the next board comes
    nxt = contract_board()
    nxt["as_of"] = later(AS_OF, 1)
    nxt["queues"][1]["longest_wait_s"] = 500.0
    fake.push(nxt)
    expect(page.locator("body")).to_have_attribute("data-as-of", nxt["as_of"])
    assert column(page, "queue-table", "queue") == ["cards", "chat", "loans", "email"]

    page.locator('#agent-table th[data-col="contacts_today"] button').click()
    assert column(page, "agent-table", "agent") == ["a004", "a002", "a001", "a003"]
    page.locator('#agent-table th[data-col="name"] button').click()
    page.locator('#agent-table th[data-col="name"] button').click()
    assert column(page, "agent-table", "agent") == ["a004", "a003", "a002", "a001"]


def test_drill_down_to_a_queue(page: Page, fake: FakeServer) -> None:
    open_board(page, fake, "?mode=desk")
    page.locator('[data-queue="cards"] [data-field="waiting"]').click()
    expect(page).to_have_url(f"{fake.url}/wallboard?mode=desk&queue=cards")
    expect(page.locator("body")).to_have_attribute("data-view", "queue")
    expect(page.locator("#detail-title")).to_have_text("Cards")
    tiles = page.locator('[data-queue="cards"]')
    expect(tiles).to_have_count(1)  # the queue table is gone: one element per queue
    expect(tiles.locator('[data-field="waiting"]')).to_have_text("3")
    expect(tiles.locator('[data-field="service_level"]')).to_have_text("81.0%")
    expect(tiles.locator('[data-field="agents_required"]')).to_have_text("8")
    # its contacts, longest wait first; the agents serving it
    assert column(page, "contact-table", "contact") == ["c-17", "c-16", "c-18"]
    expect(page.locator('[data-contact="c-17"] [data-field="tier"]')).to_have_text("vip")
    expect(page.locator('[data-contact="c-16"] [data-field="agent_id"]')).to_have_text("Ann Lee")
    assert column(page, "agent-table", "agent") == ["a001", "a002"]
    expect(page.locator("#agents-title")).to_contain_text("Agents serving Cards")

    page.reload()  # the URL keeps the queue
    expect(page.locator("body")).to_have_attribute("data-as-of", AS_OF)
    expect(page.locator("#detail-title")).to_have_text("Cards")
    assert column(page, "contact-table", "contact") == ["c-17", "c-16", "c-18"]

    page.get_by_role("link", name="← All queues").click()
    expect(page).to_have_url(f"{fake.url}/wallboard?mode=desk")
    expect(page.locator("body")).to_have_attribute("data-view", "overview")
    assert column(page, "queue-table", "queue") == ["cards", "loans", "chat", "email"]
    assert len(column(page, "agent-table", "agent")) == 4

    page.get_by_role("link", name="Loans").click()  # the queue's name is a link too
    expect(page.locator("#detail-title")).to_have_text("Loans")
    assert column(page, "contact-table", "contact") == ["c-20"]
    page.go_back()
    expect(page.locator("body")).to_have_attribute("data-view", "overview")

    page.goto(f"{fake.url}/wallboard?queue=nowhere")
    expect(page.locator("#detail-missing")).to_have_text("This queue is not on the board.")


def test_tv_mode_rotates_pages(page: Page, fake: FakeServer) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_board(page, fake, "?mode=tv&rotate=5")
    body = page.locator("body")
    expect(body).to_have_attribute("data-mode", "tv")
    expect(body).to_have_attribute("data-page", "(center)")
    expect(page.locator("#tv-title")).to_have_text("All queues")
    expect(page.locator('[data-queue="(center)"] [data-field="waiting"]')).to_have_text("11")
    expect(page.locator('[data-queue="(center)"] [data-field="service_level"]')).to_have_text("78%")
    expect(page.locator('[data-alert="sl-low:cards"]')).to_be_visible()
    expect(page.locator("#queue-table")).to_be_hidden()
    expect(page.locator("#signout")).to_be_hidden()
    expect(page.locator("[data-summary]")).to_have_count(4)  # every queue at a glance
    page.clock.run_for(4900)
    expect(body).to_have_attribute("data-page", "(center)")
    page.clock.run_for(200)
    expect(body).to_have_attribute("data-page", "cards")
    expect(page.locator("#tv-title")).to_have_text("Cards")
    expect(page.locator('[data-queue="cards"] [data-field="waiting"]')).to_have_text("3")
    expect(page.locator("#tv-page")).to_have_text("2 / 5")
    expect(page.locator("[data-summary]")).to_have_count(0)
    for expected in ("loans", "chat", "email", "(center)"):
        page.clock.run_for(5000)
        expect(body).to_have_attribute("data-page", expected)
    # big type on a wall
    size = page.locator('[data-queue="(center)"] [data-field="waiting"]').evaluate(
        "e => parseFloat(getComputedStyle(e.parentElement).fontSize)"
    )
    assert size > 100


def test_tv_mode_can_pin_one_queue(page: Page, fake: FakeServer) -> None:
    open_board(page, fake, "?mode=tv&rotate=2&queue=chat&team=t2")
    assert fake.socket_queries[-1] == {"team": "t2"}  # a team's board, when the URL names one
    expect(page.locator("body")).to_have_attribute("data-page", "chat")
    page.clock.run_for(6000)
    expect(page.locator("body")).to_have_attribute("data-page", "chat")
    expect(page.locator('[data-queue="chat"] [data-field="waiting"]')).to_have_text("7")


def test_stale_marker_after_five_seconds_without_a_board(page: Page, fake: FakeServer) -> None:
    open_board(page, fake)
    marker = page.locator("#stale-marker")
    page.clock.run_for(4500)
    expect(marker).to_be_hidden()
    page.clock.run_for(1600)
    expect(marker).to_be_visible()
    expect(marker).to_contain_text("Stale")
    expect(page.locator("body")).to_have_attribute("data-stale", "true")
    nxt = contract_board()
    nxt["as_of"] = later(AS_OF, 6)  # the as_of does not matter: the client's clock does
    fake.push(nxt)
    expect(page.locator("body")).to_have_attribute("data-as-of", nxt["as_of"])
    expect(marker).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-stale", "false")


def test_disconnected_banner_and_reconnect_with_backoff(page: Page, fake: FakeServer) -> None:
    open_board(page, fake)
    banner = page.locator("#conn-banner")
    expect(banner).to_be_hidden()
    fake.refuse = True
    before = fake.attempts
    fake.drop()
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Disconnected — reconnecting")
    expect(page.locator("body")).to_have_attribute("data-connection", "closed")

    def attempts_after(ms: int) -> int:
        page.clock.run_for(ms)
        time.sleep(0.3)  # let the browser reach the server, if it tries
        return fake.attempts - before

    assert attempts_after(900) == 0
    assert attempts_after(200) == 1  # after 1 s
    wait_until(lambda: page.locator("#conn-banner").is_visible())
    assert attempts_after(1800) == 1
    assert attempts_after(300) == 2  # then 2 s
    assert attempts_after(3800) == 2
    assert attempts_after(300) == 3  # then 4 s
    fake.refuse = False
    page.clock.run_for(8100)  # then 8 s: this one is let in and gets the latest board
    expect(banner).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-connection", "open")
    assert fake.attempts - before == 4


def test_signed_out_goes_to_the_signin_page(page: Page, fake: FakeServer) -> None:
    fake.me_status = 401
    page.goto(f"{fake.url}/wallboard?mode=tv&rotate=7")
    expect(page).to_have_url(f"{fake.url}/signin?next=%2Fwallboard%3Fmode%3Dtv%26rotate%3D7")
    form = page.locator('form[action="/signin"][method="post"]')
    expect(form.locator('input[name="next"]')).to_have_value("/wallboard?mode=tv&rotate=7")
    expect(form.locator('input[name="csrf_token"]')).to_have_value("signin-tok")
    expect(form.locator('input[name="name"]')).to_be_visible()
    expect(form.locator('input[name="password"]')).to_have_attribute("type", "password")
    expect(page.locator(".error")).to_be_hidden()  # no error: the empty placeholder hides


def test_signin_page_keeps_the_server_placeholders() -> None:
    page = (STATIC / "signin.html").read_text(encoding="utf-8")
    for placeholder in ("{{csrf_token}}", "{{next}}", "{{error}}"):
        assert page.count(placeholder) == 1, placeholder
    assert 'value="{{csrf_token}}"' in page
    assert 'value="{{next}}"' in page


def test_sign_out_posts_the_csrf_token(page: Page, fake: FakeServer) -> None:
    open_board(page, fake)
    expect(page.locator('#signout input[name="csrf_token"]')).to_have_value("tok-123")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{fake.url}/signin")
    assert fake.signouts == [{"csrf_token": "tok-123"}]


def test_server_text_is_shown_as_text(page: Page, fake: FakeServer) -> None:
    evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    board = contract_board()
    board["center"]["name"] = f"Bank {evil}"
    board["queues"][0]["name"] = f"Cards {evil}"
    board["queues"][0]["channel"] = evil
    board["agents"][1]["reason"] = evil
    board["agents"][0]["name"] = evil
    board["alerts"][0]["message"] = evil
    board["contacts"][0]["customer_id"] = evil
    open_board(page, fake, board=board)
    expect(page.locator("#center-name")).to_have_text(f"Bank {evil}")
    cards = page.locator('[data-queue="cards"]')
    expect(cards.locator('[data-field="name"]')).to_have_text(f"Cards {evil}")
    expect(cards.locator('[data-field="channel"]')).to_have_text(evil)
    expect(page.locator('[data-agent="a001"] [data-field="name"]')).to_have_text(evil)
    expect(page.locator('[data-agent="a002"] [data-field="reason"]')).to_have_text(evil)
    expect(page.locator('[data-alert="sl-low:cards"] [data-field="message"]')).to_have_text(evil)
    page.locator('[data-queue="cards"] [data-field="waiting"]').click()
    expect(page.locator('[data-contact="c-17"] [data-field="customer_id"]')).to_have_text(evil)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("main img, header img, #alerts img, main script").count() == 0


# ---------------------------------------------------------------- screenshots for the docs


def realistic_board() -> dict[str, Any]:
    """A mid-morning at a bank: 4 queues, 12 agents, a few contacts, one alert."""
    agents_spec = [
        ("a01", "Ann Lee", "t1", "on_contact", None, 123, 14, 230.5, ["cards"]),
        ("a02", "Bruno Costa", "t1", "available", None, 35, 11, 262.0, ["cards", "loans"]),
        ("a03", "Chloé Martin", "t1", "after_call_work", None, 48, 16, 214.0, ["cards"]),
        ("a04", "David Okafor", "t1", "on_contact", None, 312, 12, 251.0, ["cards", "loans"]),
        ("a05", "Emma Schulz", "t2", "break", "lunch", 1260, 9, 288.0, ["billing"]),
        ("a06", "Farid Haddad", "t2", "on_contact", None, 416, 13, 301.5, ["billing"]),
        ("a07", "Grace Kim", "t2", "on_contact", None, 77, 15, 245.0, ["billing", "cards"]),
        ("a08", "Hugo Lefèvre", "t2", "missed", None, 18, 10, 276.0, ["billing"]),
        ("a09", "Isabel Ruiz", "t3", "on_contact", None, 205, 22, 410.0, ["chat"]),
        ("a10", "Jonas Berg", "t3", "available", None, 12, 19, 395.0, ["chat"]),
        ("a11", "Keiko Sato", "t3", "on_contact", None, 540, 8, 612.0, ["loans"]),
        ("a12", "Liam O'Brien", "t3", "logged_out", None, 5400, 0, None, ["chat", "billing"]),
    ]
    as_of = datetime.fromisoformat(AS_OF)
    agents = [
        {
            "agent_id": aid,
            "name": name,
            "team": team,
            "state": st,
            "reason": reason,
            "since": (as_of - timedelta(seconds=secs)).isoformat(),
            "in_state_s": float(secs),
            "contacts_today": done,
            "aht_s": aht,
            "queues": queues,
        }
        for aid, name, team, st, reason, secs, done, aht, queues in agents_spec
    ]

    def by_state(queue_id: str) -> dict[str, int]:
        counts = dict.fromkeys(("available", "on_contact", "after_call_work", "break", "missed"), 0)
        for a in agents:
            if queue_id in a["queues"] and a["state"] in counts:
                counts[a["state"]] += 1
        return counts

    def row(queue_id: str, name: str, channel: str, required: int, **figs: Any) -> dict[str, Any]:
        counts = by_state(queue_id)
        return queue_row(
            queue_id,
            name,
            channel,
            agents=counts,
            agents_staffed=sum(counts.values()),
            agents_required=required,
            abandon_rate=round(figs["abandoned"] / figs["offered"], 4),
            **figs,
        )

    queues = [
        row(
            "cards",
            "Cards",
            "voice",
            5,
            waiting=2,
            longest_wait_s=38.0,
            offered=412,
            answered=395,
            abandoned=9,
            service_level=0.852,
            service_level_15m=0.81,
            service_level_30m=0.834,
            asa_s=13.6,
            callbacks_pending=1,
            promises_due=0,
            forecast_so_far=398.0,
        ),
        row(
            "loans",
            "Mortgages & loans",
            "voice",
            4,
            waiting=0,
            longest_wait_s=0.0,
            offered=96,
            answered=94,
            abandoned=2,
            service_level=0.906,
            service_level_15m=1.0,
            service_level_30m=0.95,
            sl_target=0.9,
            sl_threshold_s=30,
            asa_s=11.2,
            callbacks_pending=0,
            promises_due=1,
            forecast_so_far=104.0,
        ),
        row(
            "billing",
            "Billing",
            "voice",
            6,
            waiting=6,
            longest_wait_s=154.0,
            offered=288,
            answered=259,
            abandoned=24,
            service_level=0.771,
            service_level_15m=0.62,
            service_level_30m=0.688,
            asa_s=27.9,
            callbacks_pending=4,
            promises_due=2,
            forecast_so_far=251.0,
        ),
        row(
            "chat",
            "Web chat",
            "chat",
            3,
            waiting=1,
            longest_wait_s=22.0,
            offered=131,
            answered=127,
            abandoned=3,
            service_level=0.733,
            service_level_15m=0.75,
            service_level_30m=0.74,
            sl_target=0.75,
            sl_threshold_s=60,
            asa_s=24.5,
            callbacks_pending=0,
            promises_due=0,
            forecast_so_far=140.0,
        ),
    ]
    offered = sum(q["offered"] for q in queues)
    answered = sum(q["answered"] for q in queues)
    abandoned = sum(q["abandoned"] for q in queues)

    def weighted(field: str, weight: str) -> float:
        total = sum(q[weight] for q in queues)
        return round(sum(q[field] * q[weight] for q in queues) / total, 4)

    center_counts = dict.fromkeys(
        ("available", "on_contact", "after_call_work", "break", "missed"), 0
    )
    for a in agents:
        if a["state"] in center_counts:
            center_counts[a["state"]] += 1
    totals = queue_row(
        "(center)",
        "All queues",
        None,
        waiting=sum(q["waiting"] for q in queues),
        longest_wait_s=max(q["longest_wait_s"] for q in queues),
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        service_level=weighted("service_level", "offered"),
        service_level_15m=weighted("service_level_15m", "offered"),
        service_level_30m=weighted("service_level_30m", "offered"),
        asa_s=weighted("asa_s", "answered"),
        abandon_rate=round(abandoned / offered, 4),
        callbacks_pending=sum(q["callbacks_pending"] for q in queues),
        promises_due=sum(q["promises_due"] for q in queues),
        forecast_so_far=sum(q["forecast_so_far"] for q in queues),
        agents_staffed=sum(center_counts.values()),
        agents_required=12,
        agents=center_counts,
    )

    def contact(
        cid: str,
        queue_id: str,
        tier: str,
        cust: str,
        st: str,
        wait: float,
        agent: str | None = None,
    ) -> dict[str, Any]:
        return {
            "contact_id": cid,
            "queue_id": queue_id,
            "tier": tier,
            "customer_id": cust,
            "state": st,
            "enqueued_at": (as_of - timedelta(seconds=wait)).isoformat(),
            "wait_s": wait,
            "agent_id": agent,
        }

    contacts = [
        contact("c-2041", "billing", "standard", "cust-88412", "waiting", 154.0),
        contact("c-2044", "billing", "vip", "cust-10077", "waiting", 121.0),
        contact("c-2047", "billing", "standard", "cust-55120", "offered", 96.0, "a08"),
        contact("c-2049", "billing", "standard", "cust-30981", "waiting", 64.0),
        contact("c-2052", "cards", "vip", "cust-00912", "waiting", 38.0),
        contact("c-2053", "cards", "standard", "cust-47730", "waiting", 9.0),
        contact("c-2055", "chat", "standard", "cust-71204", "waiting", 22.0),
    ]
    return {
        "as_of": AS_OF,
        "source": "carecenter engine",
        "center": {"name": "Demo Bank — Lyon care center", "timezone": "Europe/Paris"},
        "totals": totals,
        "queues": queues,
        "agents": agents,
        "contacts": contacts,
        "alerts": [
            {
                "alert_id": "sl-low:billing",
                "rule": "sl-low",
                "queue_id": "billing",
                "severity": "critical",
                "message": "Billing: service level 62% over the last 15 min (target 80%)",
                "since": "2026-12-07T10:09:00+01:00",
            }
        ],
    }


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_screenshots_of_both_layouts(browser: Browser, fake: FakeServer, tmp_path: Path) -> None:
    """Renders the realistic board in both layouts (written to docs/images with
    CARECENTER_UPDATE_SCREENSHOTS=1)."""
    out = IMAGES if os.environ.get("CARECENTER_UPDATE_SCREENSHOTS") == "1" else tmp_path
    board = realistic_board()
    shots = {
        "desk": ("", {"width": 1600, "height": 1000}, 1),
        "tv": ("?mode=tv&rotate=15", {"width": 1920, "height": 1080}, 1),
    }
    for name, (query, viewport, scale) in shots.items():
        context = browser.new_context(viewport=viewport, device_scale_factor=scale)
        pg = context.new_page()
        try:
            open_board(pg, fake, query, board=board)
            if name == "tv":  # the first page: the totals and every queue at a glance
                expect(pg.locator("body")).to_have_attribute("data-page", "(center)")
                expect(pg.locator("[data-summary]")).to_have_count(4)
            else:  # busiest queue first
                pg.locator('#queue-table th[data-col="waiting"] button').click()
                pg.locator('#queue-table th[data-col="waiting"] button').click()
                expect(pg.locator("#queue-table tbody tr").first).to_have_attribute(
                    "data-queue", "billing"
                )
            path = out / f"wallboard-{name}.png"
            pg.screenshot(path=str(path), full_page=name == "desk", animations="disabled")
            width, height = png_size(path)
            assert width == viewport["width"] * scale
            assert height >= viewport["height"] * scale
        finally:
            context.close()
