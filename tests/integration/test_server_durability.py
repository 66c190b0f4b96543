"""``kill -9`` of ``carecenter serve`` while contacts stream in: after a restart every
acknowledged event is in the log once, the engine is rebuilt from it, and each contact is
counted once on the board and in the warehouse."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest
from tests.server import free_port, make_workspace, token, wait_for

from carecenter.services.bootstrap import bootstrap

pytestmark = pytest.mark.slow


def serve(workspace: Path, port: int) -> subprocess.Popen[bytes]:
    with (workspace / "serve.log").open("ab") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "carecenter",
                "serve",
                "-w",
                str(workspace),
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=log,
        )


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_nothing_acknowledged_is_lost_or_counted_twice(tmp_path: Path) -> None:
    settings = make_workspace(tmp_path / "ws")
    headers = {"Authorization": f"Bearer {token(settings, 'sue')}"}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = serve(settings.workspace, port)
    acked: list[str] = []
    seqs: list[int] = []
    stop = threading.Event()

    def stream() -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=5) as client:
            n = 0
            while not stop.is_set():
                n += 1
                contact = f"d{n}"
                try:
                    response = client.post(
                        "/api/contacts", json={"contact_id": contact, "queue_id": "support"}
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if response.status_code == 201:
                    acked.append(contact)
                    seqs.extend(e["seq"] for e in response.json()["events"])

    try:
        wait_for(lambda: healthy(url), timeout=30)
        writer = threading.Thread(target=stream)
        writer.start()
        wait_for(lambda: len(acked) >= 40, timeout=30)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(10)
        stop.set()
        writer.join(10)
    finally:
        if server.poll() is None:
            server.kill()
    assert acked
    with bootstrap(settings) as ws:
        stored = ws.events.read(after=0)
    by_seq = {s.seq: s for s in stored}
    assert set(seqs) <= set(by_seq), "an acknowledged event is missing"
    arrivals = Counter(s.event.contact_id for s in stored if s.event.name == "contact.arrived")
    assert all(arrivals[c] == 1 for c in acked)
    assert max(arrivals.values()) == 1
    restarted = serve(settings.workspace, port)
    try:
        wait_for(lambda: healthy(url), timeout=30)
        with httpx.Client(base_url=url, headers=headers, timeout=5) as client:

            def board_waiting() -> int | None:
                response = client.get("/api/board")
                if response.status_code != 200:
                    return None
                rows = {q["queue_id"]: q for q in response.json()["queues"]}
                return int(rows["support"]["waiting"]) or None

            waiting = wait_for(board_waiting, timeout=30)
            assert waiting == len(arrivals)  # each logged contact once, still waiting
            # the rebuilt engine knows them: an agent signing in is offered the first one
            signed = client.post("/api/agents/b1/sign-in")
            assert signed.status_code == 200, signed.text
            offered = [e for e in signed.json()["events"] if e["name"] == "contact.offered"]
            assert offered
            assert offered[0]["contact_id"] == "d1"
    finally:
        restarted.send_signal(signal.SIGTERM)
        try:
            restarted.wait(15)
        except subprocess.TimeoutExpired:
            restarted.kill()
    with bootstrap(settings, read_only=True) as ws:
        assert ws.warehouse.counts().contacts == len(arrivals)
