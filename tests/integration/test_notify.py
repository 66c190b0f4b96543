"""Alert notifications over real protocols: e-mail through an SMTP server (aiosmtpd, with
AUTH), webhooks that refuse for good (4xx: not retried) or for now (5xx: retried)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from tests.integration.test_alerts_live import Hook
from tests.server import free_port, wait_for

from carecenter.adapters.notify import ChannelNotifier
from carecenter.domain.alerts import (
    Alert,
    AlertChange,
    AlertSettings,
    MailChannel,
    Severity,
    Webhook,
)

ALERT = Alert(
    "sl:billing",
    "sl",
    "billing",
    "billing",
    Severity.CRITICAL,
    0.62,
    0.8,
    "Billing: service level 62% over the last 15 min (target 80%)",
    datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> AuthResult:
    ok = isinstance(auth, LoginPassword) and auth.login == b"cc" and auth.password == b"relay pw"
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_an_alert_is_mailed_through_the_relay(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    channel = MailChannel(
        "floor",
        ("floor@example.com", "lead@example.com"),
        "cc@example.com",
        "127.0.0.1",
        port,
        username="cc",
        password_env="RELAY_PASSWORD",
    )
    notifier = ChannelNotifier(
        AlertSettings(mail={"floor": channel}), env={"RELAY_PASSWORD": "relay pw"}
    )
    notifier.tell(AlertChange("fired", ALERT, ("floor",)), "Demo Bank")
    notifier.close()
    assert notifier.status.failed == 0, notifier.status.last_error
    [(sender, to, content)] = inbox.messages
    assert sender == "cc@example.com"
    assert to == ["floor@example.com", "lead@example.com"]
    mail = message_from_bytes(content)
    assert " ".join(str(mail["Subject"]).split()) == (
        "[Demo Bank] CRITICAL: Billing: service level 62% over the last 15 min (target 80%)"
    )
    assert "rule: sl" in mail.get_payload()


def test_a_wrong_relay_password_is_a_failure_not_a_crash(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    channel = MailChannel(
        "floor",
        ("f@example.com",),
        "cc@example.com",
        "127.0.0.1",
        port,
        username="cc",
        password_env="RELAY_PASSWORD",
    )
    notifier = ChannelNotifier(
        AlertSettings(mail={"floor": channel}), env={"RELAY_PASSWORD": "nope"}, backoff_s=0.01
    )
    notifier.tell(AlertChange("fired", ALERT, ("floor",)), "Demo Bank")
    notifier.close()
    assert notifier.status.failed == 1
    assert "floor" in (notifier.status.last_error or "")
    assert inbox.messages == []


@pytest.mark.parametrize(("fail", "posts", "failed"), [(2, 3, 0), (9, 4, 1)])
def test_webhook_retries(fail: int, posts: int, failed: int) -> None:
    hook = Hook(fail=fail)
    try:
        sleeps: list[float] = []
        notifier = ChannelNotifier(
            AlertSettings(webhooks={"ops": Webhook("ops", hook.url)}), env={}, sleep=sleeps.append
        )
        notifier.tell(AlertChange("fired", ALERT, ("ops",)), "Demo Bank")
        notifier.close()
        assert len(hook.posts) == posts
        assert notifier.status.failed == failed
        assert sleeps == [1.0, 2.0, 4.0][: posts - 1]
        assert "X-Carecenter-Signature" not in hook.posts[0][0]  # no secret: not signed
    finally:
        hook.close()


def test_a_refused_webhook_is_not_retried() -> None:
    hook = Hook()
    hook.server.RequestHandlerClass.do_POST = _refuse  # type: ignore[attr-defined]
    try:
        notifier = ChannelNotifier(
            AlertSettings(webhooks={"ops": Webhook("ops", hook.url)}), env={}, sleep=lambda s: None
        )
        notifier.tell(AlertChange("fired", ALERT, ("ops",)), "Demo Bank")
        notifier.close()
        wait_for(lambda: notifier.status.failed == 1)
        time.sleep(0.1)
        assert notifier.status.sent == 0
    finally:
        hook.close()


def _refuse(self: Any) -> None:
    self.rfile.read(int(self.headers["Content-Length"]))
    self.send_response(404)
    self.end_headers()
