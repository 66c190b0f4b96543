"""Telling people about alerts: JSON posted to webhooks (signed) and e-mail through an SMTP
relay, sent by a background thread with retries so the live loop never waits on a network.

A webhook gets ``POST`` with a JSON body (:func:`payload`) and the headers
``X-Carecenter-Event`` (``alert.fired``, ``alert.cleared``, ``alert.repeated``),
``X-Carecenter-Delivery`` (a unique id, the same on every retry) and, when the webhook has a
secret, ``X-Carecenter-Signature: sha256=<hex>``: the HMAC-SHA256 of the body with the
secret, as GitHub signs its webhooks. A receiver checks it with :func:`signature`. A failed
delivery (no connection, a 5xx or 429 answer) is tried again after 1, 2 and 4 seconds; other
4xx answers are not retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import smtplib
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import httpx

from carecenter.domain.alerts import AlertChange, AlertSettings, MailChannel, Webhook

ATTEMPTS = 4
BACKOFF_S = 1.0
TIMEOUT_S = 10.0


def payload(change: AlertChange, center: str, at: datetime) -> dict[str, Any]:
    """The JSON object a webhook receives."""
    a = change.alert
    return {
        "event": f"alert.{change.kind}",
        "center": center,
        "alert_id": a.alert_id,
        "rule": a.rule_id,
        "subject": a.subject,
        "queue_id": a.queue_id,
        "severity": a.severity.value,
        "message": a.message,
        "value": a.value,
        "threshold": a.threshold,
        "since": a.since.isoformat(),
        "at": at.isoformat(),
    }


def signature(secret: str, body: bytes) -> str:
    """The ``X-Carecenter-Signature`` of ``body``: ``sha256=`` and the hex HMAC."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    """One message for one channel."""

    channel: str
    change: AlertChange
    center: str
    at: datetime
    delivery_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class NotifyStatus:
    sent: int = 0
    failed: int = 0
    last_error: str | None = None


class ChannelNotifier:
    """Sends each change to the webhooks and mail channels its rule names, in a thread."""

    def __init__(
        self,
        settings: AlertSettings,
        env: Mapping[str, str] | None = None,
        *,
        backoff_s: float = BACKOFF_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.env = dict(os.environ if env is None else env)
        self.backoff_s = backoff_s
        self.sleep = sleep
        self.status = NotifyStatus()
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="notify", daemon=True)
        self._thread.start()

    def tell(self, change: AlertChange, center: str) -> None:
        at = datetime.now(UTC)
        for name in change.notify:
            self._queue.put(Delivery(name, change, center, at))

    def close(self, timeout: float = 30.0) -> None:
        """Send what is queued (waiting at most ``timeout`` seconds), then stop."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _work(self) -> None:
        while (delivery := self._queue.get()) is not None:
            try:
                self._deliver(delivery)
                self.status.sent += 1
            except Exception as error:  # a channel that cannot be reached: noted, not raised
                self.status.failed += 1
                self.status.last_error = f"{delivery.channel}: {error}"

    def _deliver(self, delivery: Delivery) -> None:
        hook = self.settings.webhooks.get(delivery.channel)
        mail = self.settings.mail.get(delivery.channel)
        for attempt in range(ATTEMPTS):
            try:
                if hook is not None:
                    self._post(hook, delivery)
                elif mail is not None:
                    self._mail(mail, delivery)
                return
            except _Permanent:
                raise
            except Exception:
                if attempt == ATTEMPTS - 1:
                    raise
                self.sleep(self.backoff_s * 2**attempt)

    def _post(self, hook: Webhook, delivery: Delivery) -> None:
        body = json.dumps(
            payload(delivery.change, delivery.center, delivery.at), sort_keys=True
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "carecenter",
            "X-Carecenter-Event": f"alert.{delivery.change.kind}",
            "X-Carecenter-Delivery": delivery.delivery_id,
        }
        secret = self.env.get(hook.secret_env) if hook.secret_env else None
        if secret:
            headers["X-Carecenter-Signature"] = signature(secret, body)
        response = httpx.post(hook.url, content=body, headers=headers, timeout=TIMEOUT_S)
        if response.status_code >= 500 or response.status_code == 429:
            raise RuntimeError(f"{hook.url} answered {response.status_code}")
        if response.status_code >= 400:
            raise _Permanent(f"{hook.url} answered {response.status_code}")

    def _mail(self, channel: MailChannel, delivery: Delivery) -> None:
        a = delivery.change.alert
        message = EmailMessage()
        state = {"fired": a.severity.value.upper(), "repeated": "STILL", "cleared": "CLEARED"}
        message["Subject"] = f"[{delivery.center}] {state[delivery.change.kind]}: {a.message}"
        message["From"] = channel.sender
        message["To"] = ", ".join(channel.to)
        message["Message-ID"] = f"<{delivery.delivery_id}@carecenter>"
        message.set_content(
            f"{a.message}\n\nrule: {a.rule_id}\nsubject: {a.subject}\nsince: "
            f"{a.since.isoformat()}\nvalue: {a.value:g} (threshold {a.threshold:g})\n"
        )
        password = self.env.get(channel.password_env) if channel.password_env else None
        with smtplib.SMTP(channel.host, channel.port, timeout=TIMEOUT_S) as smtp:
            if channel.starttls:
                smtp.starttls()
            if channel.username and password:
                smtp.login(channel.username, password)
            smtp.send_message(message)


class _Permanent(Exception):
    """A delivery that trying again cannot fix (a 4xx answer)."""


class RecordingNotifier:
    """A notifier that keeps what it is told (for tests and library users)."""

    def __init__(self) -> None:
        self.told: list[tuple[AlertChange, str]] = []

    def tell(self, change: AlertChange, center: str) -> None:
        self.told.append((change, center))

    def close(self, timeout: float = 0.0) -> None:
        """Nothing is sent: nothing to wait for."""
