"""Alert rules on a running server: a queue that goes wrong fires an alert that shows on the
board, is logged as an event and is posted, signed, to a real webhook; it clears when the
queue recovers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from tests.server import CENTER_YAML, make_workspace, running, wait_for

from carecenter.adapters.notify import signature
from carecenter.services.bootstrap import bootstrap

pytestmark = pytest.mark.slow
SECRET = "hook secret"


class Hook:
    """A webhook receiver on loopback that answers 503 to the first ``fail`` posts."""

    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.posts: list[tuple[dict[str, str], bytes]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.posts.append((dict(self.headers), body))
                code = 503 if len(hook.posts) <= hook.fail else 204
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.posts]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook(fail=1)
    yield receiver
    receiver.close()


def center_with_alerts(url: str) -> str:
    return (
        CENTER_YAML
        + f"""alerts:
  rules:
    queue-long:
      metric: waiting
      threshold: 1
      clear: 0
      queues: [support]
      severity: critical
      notify: [ops]
  webhooks:
    ops: {{url: "{url}", secret_env: CARECENTER_TEST_HOOK_SECRET}}
"""
    )


def test_an_alert_fires_shows_is_posted_and_clears(
    tmp_path: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARECENTER_TEST_HOOK_SECRET", SECRET)
    settings = make_workspace(tmp_path / "ws", center_with_alerts(hook.url))
    with running(settings) as served:
        api = served.bearer("sue")
        for n in range(2):
            assert (
                api.post(
                    "/api/contacts", json={"contact_id": f"k{n}", "queue_id": "support"}
                ).status_code
                == 201
            )

        def firing() -> list[dict[str, Any]]:
            return [a for a in served.board(api)["alerts"] if a["alert_id"] == "queue-long:support"]

        [alert] = wait_for(firing)
        assert alert["severity"] == "critical"
        assert "2 contacts waiting" in alert["message"]
        blue = served.bearer("bea")  # team blue's agent: the support queue
        assert [a["alert_id"] for a in served.board(blue)["alerts"]] == ["queue-long:support"]
        red = served.bearer("rob")  # team red: not theirs
        assert served.board(red)["alerts"] == []
        for n in range(2):
            assert api.post(f"/api/contacts/k{n}/abandon").status_code == 200
        wait_for(lambda: not firing())
        wait_for(lambda: len(hook.delivered()) >= 2, timeout=20)
    with bootstrap(settings) as ws:
        names = [s.event.name for s in ws.events.read() if s.event.name.startswith("alert.")]
    assert names == ["alert.fired", "alert.cleared"]
    fired, cleared = hook.delivered()[-2:]
    assert fired["event"] == "alert.fired"
    assert cleared["event"] == "alert.cleared"
    assert len(hook.posts) == 3  # the first post was refused (503) and tried again
    headers, body = hook.posts[1]
    assert headers["X-Carecenter-Signature"] == signature(SECRET, body)
    assert headers["X-Carecenter-Delivery"] == hook.posts[0][0]["X-Carecenter-Delivery"]
