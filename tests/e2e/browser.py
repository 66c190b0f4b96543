"""Headless Chromium for the browser tests, and a real HTTP server for it to talk to.

The browser is Debian's ``/usr/bin/chromium`` driven by Playwright's sync API; Playwright never
downloads a browser of its own. A test module calls :func:`require_chromium` at import time: it
skips the module when Chromium (or Playwright) is missing, or fails it when
``CARECENTER_REQUIRE_BROWSER=1``. Then::

    with chromium() as browser, serve(app) as base_url:
        page = browser.new_page()
        page.goto(f"{base_url}/wallboard")

:func:`serve` runs any ASGI app (FastAPI or Starlette) with uvicorn in a background thread on a
free port of 127.0.0.1, WebSockets included, and stops it on exit.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
REQUIRE_ENV = "CARECENTER_REQUIRE_BROWSER"


def browser_required() -> bool:
    return os.environ.get(REQUIRE_ENV) == "1"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright; no browser download needed)"
    return None


def require_chromium() -> None:
    """Skip the calling test module when the browser is missing; fail it when it is required."""
    reason = missing()
    if reason is None:
        return
    if browser_required():
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


@contextmanager
def chromium(**launch_options: Any) -> Iterator[Browser]:
    """A headless Chromium (Debian's, never a downloaded one), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=list(CHROMIUM_ARGS),
            headless=True,
            **launch_options,
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serve(app: Any, *, host: str = "127.0.0.1", lifespan: str = "auto") -> Iterator[str]:
    """Serve the ASGI app with uvicorn in a background thread; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan=lifespan,
        ws="websockets-sansio",
        ws_ping_interval=None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-test", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
