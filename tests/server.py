"""A real carecenter server for the tests: a workspace with a small center and users, and
uvicorn serving :func:`carecenter.interfaces.api.app.create_app` on a free loopback port in a
background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from carecenter.adapters.settings import Settings
from carecenter.interfaces.api.app import create_app
from carecenter.services.serving import Server, open_server
from carecenter.services.users import add_user, issue_token
from carecenter.services.workspace import apply_config, init_workspace

CENTER_YAML = """\
center:
  name: Test Care Center
  timezone: UTC
skills:
  sales: {name: Sales}
  support: {name: Support}
queues:
  sales:
    name: Sales
    channel: voice
    skills: {sales: 1}
    service_level: {threshold_s: 20, target: 0.8}
    routing: {offer_timeout_s: 600}
  support:
    name: Support
    channel: voice
    skills: {support: 1}
    service_level: {threshold_s: 30, target: 0.9}
    routing: {offer_timeout_s: 600}
agents:
  a1: {name: Amy Red, team: red, skills: {sales: 3}}
  a2: {name: Abe Red, team: red, skills: {sales: 2}}
  b1: {name: Bea Blue, team: blue, skills: {support: 3}}
"""
"""Two always-open voice queues: sales (team red's agents a1, a2) and support (team blue's
agent b1)."""

PASSWORD = "correct horse battery"
USERS = {
    "ada": ("admin", None, None),
    "sue": ("supervisor", None, None),
    "rob": ("supervisor", None, "red"),
    "amy": ("agent", "a1", None),
    "bea": ("agent", "b1", None),
}
"""name -> (role, agent, team): an admin, a supervisor of every team, team red's supervisor,
and an agent of each team."""


def make_workspace(root: Path, center_yaml: str = CENTER_YAML) -> Settings:
    """A workspace with the test center applied and the :data:`USERS` added."""
    settings = Settings(workspace=root)
    init_workspace(settings)
    settings.config_path.write_text(center_yaml, encoding="utf-8")
    apply_config(settings)
    for name, (role, agent, team) in USERS.items():
        add_user(settings, name, role, PASSWORD, agent_id=agent, team=team)
    return settings


def token(settings: Settings, name: str) -> str:
    """A new API token of ``name``."""
    return issue_token(settings, name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Running:
    """A server running in this process."""

    url: str
    server: Server
    settings: Settings
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, name: str | None = None) -> httpx.Client:
        """An HTTP client (closed with the server); with ``name``, signed in through the
        sign-in form."""
        client = httpx.Client(base_url=self.url, timeout=10)
        self.clients.append(client)
        if name is not None:
            sign_in(client, name)
        return client

    def bearer(self, name: str) -> httpx.Client:
        """An HTTP client sending an API token of ``name``."""
        headers = {"Authorization": f"Bearer {token(self.settings, name)}"}
        client = httpx.Client(base_url=self.url, timeout=10, headers=headers)
        self.clients.append(client)
        return client

    def board(self, client: httpx.Client, **params: Any) -> dict[str, Any]:
        response = client.get("/api/board", params=params)
        response.raise_for_status()
        board: dict[str, Any] = response.json()
        return board


def sign_in(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    """Sign ``client`` in as a browser does: get the form, post it with its CSRF token."""
    form = client.get("/signin")
    csrf = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client.post(
        "/signin",
        data={"name": name, "password": password, "csrf_token": csrf, "next": "/wallboard"},
    )


@contextmanager
def running(settings: Settings, **options: Any) -> Iterator[Running]:
    """Serve ``settings``' workspace (``options``: of :func:`open_server`) until the block
    ends."""
    options.setdefault("period", 0.2)
    server = open_server(settings, **options)
    port = free_port()
    config = uvicorn.Config(
        create_app(server), host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
    )
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not web.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    served = Running(f"http://127.0.0.1:{port}", server, settings)
    try:
        yield served
    finally:
        for client in served.clients:
            client.close()
        web.should_exit = True
        thread.join(15)
        server.close()


def wait_for(check: Any, timeout: float = 10.0, every: float = 0.05) -> Any:
    """Call ``check`` until it returns something true; that value (AssertionError on time-out)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"not true within {timeout} s (last: {last!r})")
