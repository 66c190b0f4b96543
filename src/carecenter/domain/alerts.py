"""Service-level alerts: rules, their state with hysteresis, and the events they make.

A rule (``center.yaml`` ``alerts.rules``) watches one figure of every queue (or every agent)
and fires when the figure passes its threshold, for at least ``for_s`` seconds. It clears
only when the figure is back past its ``clear`` value (hysteresis: an SL hovering around the
target does not fire and clear every second). While it fires it is notified again every
``repeat_s`` seconds, if set. :class:`AlertBook` keeps the state of every (rule, subject)
and turns readings into changes; it is pure: time and readings are given.

=================  =========================================================  ===========
metric             the figure of each queue (or agent)                        fires when
=================  =========================================================  ===========
``service_level``  service level over the last ``window_s`` seconds            below
``abandon_rate``   abandonment over the last ``window_s`` seconds              above
``waiting``        contacts waiting now                                        above
``longest_wait``   seconds the longest-waiting contact has waited              above
``agent_state``    seconds an agent has been in ``state`` (and ``reason``)     above
``promise_due``    open promises due within ``within_s`` seconds or overdue    above
``understaffed``   agents the plan requires now less the agents staffed        above
=================  =========================================================  ===========
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar

from carecenter.domain.events import Event


class AlertMetric(StrEnum):
    """The figure a rule watches (see the module's table)."""

    SERVICE_LEVEL = "service_level"
    ABANDON_RATE = "abandon_rate"
    WAITING = "waiting"
    LONGEST_WAIT = "longest_wait"
    AGENT_STATE = "agent_state"
    PROMISE_DUE = "promise_due"
    UNDERSTAFFED = "understaffed"


BELOW = frozenset({AlertMetric.SERVICE_LEVEL})
"""Metrics whose rule fires below its threshold (the others fire above)."""
WINDOWED = frozenset({AlertMetric.SERVICE_LEVEL, AlertMetric.ABANDON_RATE})
"""Metrics measured over the last ``window_s`` seconds."""
AGENT_METRICS = frozenset({AlertMetric.AGENT_STATE})
"""Metrics of agents (the others are of queues)."""


class Severity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class AlertRule:
    """One rule. ``threshold`` ``None``: each queue's own service-level target
    (``service_level`` only). ``clear`` ``None``: the threshold itself. ``queues`` empty: every
    queue (for an agent rule: agents serving any queue). ``notify``: names of the
    notification channels (webhooks, e-mail) to tell."""

    rule_id: str
    metric: AlertMetric
    threshold: float | None = None
    clear: float | None = None
    window_s: float = 900.0
    for_s: float = 0.0
    repeat_s: float | None = None
    queues: frozenset[str] = frozenset()
    state: str | None = None
    reason: str | None = None
    within_s: float = 900.0
    severity: Severity = Severity.WARNING
    notify: tuple[str, ...] = ()

    @property
    def below(self) -> bool:
        """Whether the rule fires when the figure is below its threshold."""
        return self.metric in BELOW

    def breached(self, value: float, threshold: float) -> bool:
        """Whether ``value`` is past ``threshold`` on the bad side."""
        return value < threshold if self.below else value > threshold

    def recovered(self, value: float, clear: float) -> bool:
        """Whether ``value`` is back at or past ``clear`` on the good side."""
        return value >= clear if self.below else value <= clear


@dataclass(frozen=True)
class Webhook:
    """A URL alerts are posted to as JSON, signed with HMAC-SHA256 of the body when the
    environment variable ``secret_env`` holds a secret."""

    name: str
    url: str
    secret_env: str | None = None


@dataclass(frozen=True)
class MailChannel:
    """Addresses alerts are e-mailed to, through an SMTP relay. The password is read from the
    environment variable ``password_env`` (never written in ``center.yaml``)."""

    name: str
    to: tuple[str, ...]
    sender: str
    host: str
    port: int = 25
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None


@dataclass(frozen=True)
class AlertSettings:
    """The ``alerts`` section of ``center.yaml``: rules and where to tell."""

    rules: tuple[AlertRule, ...] = ()
    webhooks: Mapping[str, Webhook] = field(default_factory=lambda: MappingProxyType({}))
    mail: Mapping[str, MailChannel] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Reading:
    """The figure of one subject (a queue or an agent) for one rule now. ``value`` ``None``:
    nothing to measure (no contact in the window, the agent is in another state)."""

    rule_id: str
    subject: str
    value: float | None
    threshold: float
    clear: float
    label: str
    queue_id: str | None = None


@dataclass(frozen=True)
class Alert:
    """A firing alert: ``alert_id`` is ``<rule>:<subject>``."""

    alert_id: str
    rule_id: str
    subject: str
    queue_id: str | None
    severity: Severity
    value: float
    threshold: float
    message: str
    since: datetime


@dataclass(frozen=True)
class AlertChange:
    """An alert that ``fired``, ``cleared`` or is ``repeated`` (notified again)."""

    kind: str
    alert: Alert
    notify: tuple[str, ...]


@dataclass
class _Track:
    breached_since: datetime | None = None
    alert: Alert | None = None
    notified_at: datetime | None = None


@dataclass
class AlertBook:
    """Every rule's state per subject: readings in, changes out."""

    rules: dict[str, AlertRule]
    _tracks: dict[tuple[str, str], _Track] = field(default_factory=dict)

    def update(self, now: datetime, readings: Iterable[Reading]) -> list[AlertChange]:
        """Take this moment's readings; return what fired, cleared or is due again. A subject
        that has no reading any more (an agent signed out) clears."""
        changes: list[AlertChange] = []
        seen: set[tuple[str, str]] = set()
        for reading in readings:
            rule = self.rules.get(reading.rule_id)
            if rule is None:
                continue
            key = (reading.rule_id, reading.subject)
            seen.add(key)
            track = self._tracks.setdefault(key, _Track())
            change = self._step(rule, track, reading, now)
            if change is not None:
                changes.append(change)
        for key, track in list(self._tracks.items()):
            if key not in seen and track.alert is not None:
                changes.append(self._clear(self.rules[key[0]], track, None, now))
            if key not in seen:
                del self._tracks[key]
        return changes

    def _step(
        self, rule: AlertRule, track: _Track, reading: Reading, now: datetime
    ) -> AlertChange | None:
        value = reading.value
        if track.alert is not None:
            if value is None or rule.recovered(value, reading.clear):
                return self._clear(rule, track, value, now)
            last, every = track.notified_at, rule.repeat_s
            if every is not None and last is not None and (now - last).total_seconds() >= every:
                track.notified_at = now
                since = track.alert.since
                return AlertChange("repeated", _alert(rule, reading, since), rule.notify)
            return None
        if value is None or not rule.breached(value, reading.threshold):
            track.breached_since = None
            return None
        track.breached_since = track.breached_since or now
        if (now - track.breached_since).total_seconds() < rule.for_s:
            return None
        track.alert = _alert(rule, reading, track.breached_since)
        track.notified_at = now
        return AlertChange("fired", track.alert, rule.notify)

    def _clear(
        self, rule: AlertRule, track: _Track, value: float | None, now: datetime
    ) -> AlertChange:
        alert = track.alert
        assert alert is not None
        track.alert, track.breached_since, track.notified_at = None, None, None
        shown = "no longer measured" if value is None else _shown(rule, value)
        cleared = Alert(
            alert.alert_id,
            alert.rule_id,
            alert.subject,
            alert.queue_id,
            alert.severity,
            alert.value if value is None else value,
            alert.threshold,
            f"cleared: {alert.message.split(':', 1)[0]}: {shown}",
            alert.since,
        )
        return AlertChange("cleared", cleared, rule.notify)

    def active(self) -> list[Alert]:
        """The alerts firing now, critical first, oldest first."""
        firing = [t.alert for t in self._tracks.values() if t.alert is not None]
        return sorted(firing, key=lambda a: (a.severity != Severity.CRITICAL, a.since, a.alert_id))


def _shown(rule: AlertRule, value: float) -> str:
    if rule.metric in (AlertMetric.SERVICE_LEVEL, AlertMetric.ABANDON_RATE):
        return f"{value:.0%}"
    if rule.metric in (AlertMetric.LONGEST_WAIT, AlertMetric.AGENT_STATE):
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes}:{seconds:02d}"
    return f"{value:g}"


def _alert(rule: AlertRule, reading: Reading, since: datetime) -> Alert:
    value, threshold = reading.value, reading.threshold
    assert value is not None
    return Alert(
        f"{rule.rule_id}:{reading.subject}",
        rule.rule_id,
        reading.subject,
        reading.queue_id,
        rule.severity,
        value,
        threshold,
        f"{reading.label}: {describe(rule, value, threshold)}",
        since,
    )


def describe(rule: AlertRule, value: float, threshold: float) -> str:
    """What the rule sees, in words: ``service level 62% over the last 15 min (target 80%)``."""
    shown, limit = _shown(rule, value), _shown(rule, threshold)
    window = f"the last {rule.window_s / 60:g} min"
    match rule.metric:
        case AlertMetric.SERVICE_LEVEL:
            return f"service level {shown} over {window} (target {limit})"
        case AlertMetric.ABANDON_RATE:
            return f"abandonment {shown} over {window} (limit {limit})"
        case AlertMetric.WAITING:
            return f"{shown} contacts waiting (limit {limit})"
        case AlertMetric.LONGEST_WAIT:
            return f"a contact has waited {shown} (limit {limit})"
        case AlertMetric.AGENT_STATE:
            what = rule.state or "state"
            if rule.reason:
                what = f"{what} ({rule.reason})"
            return f"{what} for {shown} (limit {limit})"
        case AlertMetric.PROMISE_DUE:
            return f"{shown} promises due within {rule.within_s / 60:g} min and not kept"
        case AlertMetric.UNDERSTAFFED:
            return f"{shown} agents short of the plan (limit {limit})"
    return shown


@dataclass(frozen=True, kw_only=True)
class AlertFired(Event):
    """An alert rule fired for a queue or an agent: ``value`` passed ``threshold``
    (``alert_id`` is ``<rule>:<subject>``)."""

    name: ClassVar[str] = "alert.fired"
    alert_id: str
    rule_id: str
    subject: str
    queue_id: str | None = None
    severity: str = Severity.WARNING.value
    value: float = 0.0
    threshold: float = 0.0
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class AlertCleared(Event):
    """A firing alert cleared: its figure is back past the rule's ``clear`` value, or no
    longer measured."""

    name: ClassVar[str] = "alert.cleared"
    alert_id: str
    rule_id: str
    subject: str
    message: str = ""


def event_of(change: AlertChange, at: datetime) -> Event | None:
    """The event of a change (a repeated notification is none)."""
    a = change.alert
    if change.kind == "fired":
        return AlertFired(
            occurred_at=at,
            alert_id=a.alert_id,
            rule_id=a.rule_id,
            subject=a.subject,
            queue_id=a.queue_id,
            severity=a.severity.value,
            value=a.value,
            threshold=a.threshold,
            message=a.message,
        )
    if change.kind == "cleared":
        return AlertCleared(
            occurred_at=at,
            alert_id=a.alert_id,
            rule_id=a.rule_id,
            subject=a.subject,
            message=a.message,
        )
    return None
