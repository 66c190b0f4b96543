"""The ``alerts`` section of ``center.yaml`` (pydantic) and its conversion to
:class:`~carecenter.domain.alerts.AlertSettings`.

.. code-block:: yaml

    alerts:
      rules:
        sl-low: {metric: service_level, window_s: 900, clear: 0.85, for_s: 60,
                 repeat_s: 1800, severity: critical, notify: [ops, floor]}
        queue-long: {metric: waiting, threshold: 10, clear: 5}
        long-break: {metric: agent_state, state: break, threshold: 1200}
      webhooks:
        ops: {url: "https://hooks.example.com/carecenter", secret_env: CARECENTER_HOOK_SECRET}
      mail:
        floor: {to: [floor@example.com], sender: carecenter@example.com,
                host: smtp.example.com, port: 587, starttls: true, username: carecenter,
                password_env: CARECENTER_SMTP_PASSWORD}
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Annotated

from pydantic import AfterValidator, Field

from carecenter.adapters.routing_schema import Positive, Seconds, Strict
from carecenter.domain.alerts import (
    AGENT_METRICS,
    WINDOWED,
    AlertMetric,
    AlertRule,
    AlertSettings,
    MailChannel,
    Severity,
    Webhook,
)

STATES = ("available", "on_contact", "after_call_work", "break", "missed")
"""The agent states a rule can watch (as the wallboard names them)."""
SHARES = frozenset({AlertMetric.SERVICE_LEVEL, AlertMetric.ABANDON_RATE})


def _env_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ValueError(f"{value!r} is not the name of an environment variable")
    return value


def _address(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def _url(value: str) -> str:
    if not re.match(r"https?://[^\s/]+", value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


EnvName = Annotated[str, AfterValidator(_env_name)]
Address = Annotated[str, AfterValidator(_address)]
Url = Annotated[str, AfterValidator(_url)]


class RuleSection(Strict):
    metric: AlertMetric
    """What the rule watches: service_level (fires below), abandon_rate, waiting,
    longest_wait, agent_state, promise_due, understaffed (fire above)."""
    threshold: float | None = None
    """Where it fires: a share for service_level and abandon_rate, contacts for waiting,
    seconds for longest_wait and agent_state, promises for promise_due (default 0), agents
    short for understaffed (default 0); service_level defaults to each queue's target."""
    clear: float | None = None
    """Where a firing alert clears (hysteresis; default: the threshold): above it for
    service_level, below it for the others."""
    window_s: Positive = 900.0
    """service_level and abandon_rate: measured over the last so many seconds (whole minutes)."""
    for_s: Seconds = 0.0
    """Fire only when the threshold has been passed this long."""
    repeat_s: Positive | None = None
    """While firing, notify again this often (default: once)."""
    queues: list[str] = Field(default_factory=list)
    """The queues watched (default: every queue); for agent_state, agents serving them."""
    state: str | None = None
    """agent_state: the state watched (available, on_contact, after_call_work, break,
    missed)."""
    reason: str | None = None
    """agent_state: only breaks with this reason (e.g. lunch)."""
    within_s: Positive = 900.0
    """promise_due: promises due within so many seconds (or overdue) and not kept."""
    severity: Severity = Severity.WARNING
    """warning or critical (critical alerts come first on the wallboard)."""
    notify: list[str] = Field(default_factory=list)
    """Names of webhooks and mail channels (below) told when it fires, clears or repeats."""

    def problems(self, queues: set[str], channels: set[str]) -> list[tuple[str, str]]:
        """(field, message) for every mistake across fields and sections."""
        out = []
        for queue in self.queues:
            if queue not in queues:
                out.append(("queues", f"unknown queue {queue!r}"))
        for name in self.notify:
            if name not in channels:
                known = ", ".join(sorted(channels)) or "none"
                out.append(
                    ("notify", f"unknown webhook or mail channel {name!r} (defined: {known})")
                )
        if self.metric in AGENT_METRICS:
            if self.state is None:
                out.append(("state", f"give the agent state to watch ({', '.join(STATES)})"))
            elif self.state not in STATES:
                out.append(("state", f"unknown state {self.state!r} ({', '.join(STATES)})"))
        elif self.state is not None or self.reason is not None:
            out.append(("state", "only an agent_state rule watches a state"))
        needs = self.metric not in (
            AlertMetric.SERVICE_LEVEL,
            AlertMetric.PROMISE_DUE,
            AlertMetric.UNDERSTAFFED,
        )
        if self.threshold is None and needs:
            out.append(("threshold", f"a rule on {self.metric} needs a threshold"))
        for name, value in (("threshold", self.threshold), ("clear", self.clear)):
            if value is not None and self.metric in SHARES and not 0 <= value <= 1:
                out.append((name, f"must be a share between 0 and 1, got {value:g}"))
            if value is not None and value < 0:
                out.append((name, f"must be at least 0, got {value:g}"))
        if self.threshold is not None and self.clear is not None:
            below = self.metric is AlertMetric.SERVICE_LEVEL
            if (self.clear < self.threshold) if below else (self.clear > self.threshold):
                side = "at or above" if below else "at or below"
                out.append(("clear", f"must be {side} the threshold ({self.threshold:g})"))
        if self.metric in WINDOWED and self.window_s % 60:
            out.append(("window_s", "give whole minutes (a multiple of 60)"))
        return out

    def domain(self, rule_id: str) -> AlertRule:
        threshold = self.threshold
        if threshold is None and self.metric is not AlertMetric.SERVICE_LEVEL:
            threshold = 0.0
        return AlertRule(
            rule_id=rule_id,
            metric=self.metric,
            threshold=threshold,
            clear=self.clear,
            window_s=self.window_s,
            for_s=self.for_s,
            repeat_s=self.repeat_s,
            queues=frozenset(self.queues),
            state=self.state,
            reason=self.reason,
            within_s=self.within_s,
            severity=self.severity,
            notify=tuple(self.notify),
        )


class WebhookSection(Strict):
    url: Url
    """Where alerts are posted (JSON)."""
    secret_env: EnvName | None = None
    """Environment variable holding the HMAC secret; the signature is sent as
    `X-Carecenter-Signature: sha256=<hex>`."""


class MailSection(Strict):
    to: list[Address] = Field(min_length=1)
    """Who gets the alerts."""
    sender: Address
    """The From address."""
    host: str
    """The SMTP relay."""
    port: int = Field(25, ge=1, le=65535)
    """The relay's port (587 for submission with STARTTLS)."""
    starttls: bool = False
    """Upgrade the connection with STARTTLS before sending."""
    username: str | None = None
    """Sign in to the relay as this user (with the password below)."""
    password_env: EnvName | None = None
    """Environment variable holding the relay's password."""


class AlertsSection(Strict):
    rules: dict[str, RuleSection] = Field(default_factory=dict)
    """Rule id -> rule."""
    webhooks: dict[str, WebhookSection] = Field(default_factory=dict)
    """Name -> webhook."""
    mail: dict[str, MailSection] = Field(default_factory=dict)
    """Name -> mail channel."""

    def problems(self, queues: set[str]) -> list[tuple[str, str]]:
        """(path, message) for every mistake, paths under ``alerts``."""
        channels = set(self.webhooks) | set(self.mail)
        out = [
            (f"alerts.mail.{name}", "a webhook has this name too")
            for name in set(self.mail) & set(self.webhooks)
        ]
        for rule_id, rule in self.rules.items():
            out += [(f"alerts.rules.{rule_id}.{f}", m) for f, m in rule.problems(queues, channels)]
        return out

    def domain(self) -> AlertSettings:
        return AlertSettings(
            rules=tuple(r.domain(rid) for rid, r in self.rules.items()),
            webhooks=MappingProxyType(
                {n: Webhook(n, w.url, w.secret_env) for n, w in self.webhooks.items()}
            ),
            mail=MappingProxyType(
                {
                    n: MailChannel(
                        n,
                        tuple(m.to),
                        m.sender,
                        m.host,
                        m.port,
                        m.starttls,
                        m.username,
                        m.password_env,
                    )
                    for n, m in self.mail.items()
                }
            ),
        )
