"""``carecenter serve`` over real HTTP and WebSocket: sign-in, roles, the engine's commands
acknowledged after they are in the event log, the board following them, and the board's
figures equal to ``carecenter report`` over the same events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from tests.server import Running, make_workspace, running, sign_in, wait_for

from carecenter.domain.events import ContactEnded
from carecenter.services.bootstrap import bootstrap
from carecenter.services.reporting import Period, metrics_report

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    settings = make_workspace(tmp_path_factory.mktemp("served"))
    with running(settings) as served:
        yield served


def test_healthz_is_open_and_the_rest_is_not(live: Running) -> None:
    anonymous = live.client()
    health = anonymous.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert health.json()["engine"] is True
    for path in ("/api/board", "/api/me", "/openapi.json", "/api/users", "/api/agents/a1/offers"):
        assert anonymous.get(path).status_code == 401, path
    assert anonymous.post("/api/contacts", json={"queue_id": "sales"}).status_code == 401
    page = anonymous.get("/wallboard")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/signin?next=")


def test_sign_in_sets_a_safe_cookie_and_a_wrong_password_is_refused(live: Running) -> None:
    client = live.client()
    refused = sign_in(client, "sue", "not the password")
    assert refused.status_code == 401
    assert "cc_session" not in client.cookies
    done = sign_in(client, "sue")
    assert done.status_code == 303
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    me = client.get("/api/me").json()
    assert me["role"] == "supervisor"
    assert me["csrf_token"]
    assert client.get("/wallboard").status_code == 200


def test_sign_in_without_the_form_token_is_refused(live: Running) -> None:
    client = live.client()
    response = client.post("/signin", data={"name": "sue", "password": "correct horse battery"})
    assert response.status_code == 403
    assert "cc_session" not in client.cookies


def test_a_browser_change_needs_the_csrf_token(live: Running) -> None:
    client = live.client("sue")
    refused = client.post("/api/agents/a2/sign-in")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    csrf = client.get("/api/me").json()["csrf_token"]
    done = client.post("/api/agents/a2/sign-in", headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200, done.text
    assert client.post("/api/agents/a2/sign-out", headers={"X-CSRF-Token": csrf}).status_code == 200


def test_sign_in_attempts_are_rate_limited(live: Running) -> None:
    client = live.client()
    codes = [sign_in(client, "rob", "wrong password!").status_code for _ in range(6)]
    assert codes[:5] == [401] * 5
    assert codes[5] == 429
    assert sign_in(client, "rob").status_code == 429  # even the right password, for a while


def test_sign_out_ends_the_session(live: Running) -> None:
    client = live.client("ada")
    csrf = client.get("/api/me").json()["csrf_token"]
    session = client.cookies["cc_session"]
    assert client.post("/signout", data={"csrf_token": csrf}).status_code == 303
    again = live.client()
    again.cookies.set("cc_session", session)
    assert again.get("/api/me").status_code == 401


def test_roles_limit_what_a_caller_sees_and_changes(live: Running) -> None:
    amy = live.bearer("amy")  # an agent of team red
    assert amy.get("/api/board", params={"team": "blue"}).status_code == 403
    assert amy.post("/api/config/apply").status_code == 403
    assert amy.get("/api/users").status_code == 403
    assert amy.post("/api/agents/b1/sign-in").status_code == 403
    assert amy.post("/api/contacts", json={"queue_id": "sales"}).status_code == 403
    rob = live.bearer("rob")  # team red's supervisor
    assert rob.get("/api/board", params={"team": "blue"}).status_code == 403
    red = wait_for(
        lambda: rob.get("/api/board").json() if rob.get("/api/board").status_code == 200 else None
    )
    assert {q["queue_id"] for q in red["queues"]} == {"sales"}
    assert {a["agent_id"] for a in red["agents"]} == {"a1", "a2"}
    ada = live.bearer("ada")
    applied = ada.post("/api/config/apply")
    assert applied.status_code == 200, applied.text
    actions = [(e["actor"], e["action"]) for e in ada.get("/api/audit").json()]
    assert ("ada", "config.applied") in actions


def test_openapi_documents_the_engine_commands(live: Running) -> None:
    schema = live.bearer("sue").get("/openapi.json").json()
    paths = schema["paths"]
    assert "/api/contacts" in paths
    assert "/api/agents/{agent_id}/offers/{contact_id}/accept" in paths
    assert "/api/board" in paths
    ending = schema["components"]["schemas"]["Ending"]["properties"]
    assert {"resolved", "reason", "disposition", "note"} <= set(ending)
    docs = live.client("sue").get("/docs")
    assert docs.status_code == 200
    assert "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert live.client().get("/docs-assets/swagger-ui-bundle.js").status_code == 200


def _seqs(response: Any) -> list[int]:
    assert response.status_code in (200, 201), response.text
    return [e["seq"] for e in response.json()["events"]]


def test_commands_are_in_the_log_when_acknowledged_and_the_board_follows(live: Running) -> None:
    sue = live.bearer("sue")
    amy = live.bearer("amy")
    _seqs(sue.post("/api/agents/b1/sign-in"))
    arrived = _seqs(sue.post("/api/contacts", json={"contact_id": "k1", "queue_id": "support"}))
    with bootstrap(live.settings) as ws:
        stored = {s.seq: s.event.name for s in ws.events.read(after=0)}
    assert all(seq in stored for seq in arrived)
    assert "contact.queued" in [stored[s] for s in arrived]
    offers = sue.get("/api/agents/b1/offers").json()
    assert [o["contact_id"] for o in offers] == ["k1"]
    assert amy.post("/api/contacts/k1/hold").status_code == 403  # not her contact
    _seqs(sue.post("/api/agents/b1/offers/k1/accept"))
    board = wait_for(
        lambda: next(
            (
                c
                for c in live.board(sue)["contacts"]
                if c["contact_id"] == "k1" and c["state"] == "on_contact"
            ),
            None,
        )
    )
    assert board["agent_id"] == "b1"
    wrap_up = {"resolved": True, "disposition": "complaint", "note": "Billed twice in May."}
    ended = sue.post("/api/contacts/k1/end", json=wrap_up)
    _seqs(ended)
    (end,) = [e for e in ended.json()["events"] if e["name"] == "contact.ended"]
    assert {k: end[k] for k in wrap_up} == wrap_up
    with bootstrap(live.settings) as ws:
        (stored,) = [s.event for s in ws.events.read(after=0) if s.event.name == "contact.ended"]
    assert isinstance(stored, ContactEnded)
    assert (stored.disposition, stored.note) == ("complaint", "Billed twice in May.")
    refused = sue.post("/api/contacts/k1/hold")
    assert refused.status_code == 409


def test_the_board_equals_the_report_over_the_same_events(live: Running) -> None:
    sue = live.bearer("sue")
    _seqs(sue.post("/api/agents/a1/sign-in"))
    for n in range(3):
        _seqs(sue.post("/api/contacts", json={"contact_id": f"s{n}", "queue_id": "sales"}))
    _seqs(sue.post("/api/agents/a1/offers/s0/accept"))
    _seqs(sue.post("/api/contacts/s1/abandon"))
    _seqs(sue.post("/api/contacts/s0/end"))

    def settled() -> dict[str, Any] | None:
        board = live.board(sue)
        sales = next(q for q in board["queues"] if q["queue_id"] == "sales")
        waiting = {c["contact_id"] for c in board["contacts"]}
        return board if sales["answered"] >= 1 and not waiting & {"s0", "s1"} else None

    board = wait_for(settled)
    day = board["as_of"][:10]
    report = metrics_report(live.settings, period=Period(day, day), interval="1d", by=("queue",))
    rows = {r["queue"]: r for r in report.rows}
    sales = next(q for q in board["queues"] if q["queue_id"] == "sales")
    assert sales["answered"] == 1
    for key in ("offered", "answered", "abandoned", "service_level", "asa_s", "abandon_rate"):
        assert sales[key] == pytest.approx(rows["sales"][key]), key
    waiting = [c["contact_id"] for c in board["contacts"] if c["state"] == "offered"]
    assert "s2" in waiting


def test_wallboard_socket_pushes_boards_and_refuses_strangers(tmp_path: Path) -> None:
    settings = make_workspace(tmp_path / "ws")
    with running(settings) as served:
        token = served.bearer("sue").headers["Authorization"]
        url = served.url.replace("http", "ws") + "/ws/wallboard"

        async def talk() -> tuple[dict[str, Any], dict[str, Any]]:
            async with websockets.connect(url, additional_headers={"Authorization": token}) as ws:
                first = json.loads(await asyncio.wait_for(ws.recv(), 10))
                served.bearer("sue").post("/api/agents/a2/sign-in")
                while True:
                    later = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    agents = {a["agent_id"]: a["state"] for a in later["board"]["agents"]}
                    if agents.get("a2") == "available":
                        return first, later

        first, later = asyncio.run(talk())
        assert first["type"] == "board"
        assert later["board"]["as_of"] >= first["board"]["as_of"]

        async def stranger() -> int:
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with websockets.connect(url):
                    pass
            return refused.value.response.status_code

        assert asyncio.run(stranger()) == 403


def test_an_agent_desktop_is_pushed_its_offers(tmp_path: Path) -> None:
    settings = make_workspace(tmp_path / "ws")
    with running(settings) as served:
        agent = served.bearer("bea").headers["Authorization"]
        url = served.url.replace("http", "ws") + "/ws/agent"

        async def desk() -> list[dict[str, Any]]:
            async with websockets.connect(url, additional_headers={"Authorization": agent}) as ws:
                first = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert first == {"type": "offers", "offers": []}
                sue = served.bearer("sue")
                assert sue.post("/api/agents/b1/sign-in").status_code == 200
                arrived = sue.post(
                    "/api/contacts", json={"contact_id": "p1", "queue_id": "support"}
                )
                assert arrived.status_code == 201
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if message["offers"]:
                        offers: list[dict[str, Any]] = message["offers"]
                        return offers

        [offer] = asyncio.run(desk())
        assert offer["contact_id"] == "p1"
        assert offer["queue_id"] == "support"
        assert offer["agent_id"] == "b1"
