"""Use case: the alert rules of ``center.yaml`` run on the live figures.

:func:`readings` turns one moment's figures — the catalog's rows per minute (service level and
abandonment over a rule's window, added up by :func:`~carecenter.metrics.regroup.regroup`),
the board's queue and agent rows (waiting, longest wait, agents in a state, staffed against
required) and the open promises — into a :class:`~carecenter.domain.alerts.Reading` per rule
and subject. :class:`Alerting` keeps an :class:`~carecenter.domain.alerts.AlertBook`, and for
every change appends its event to the event log (``alert.fired``, ``alert.cleared``) and hands
it to the notifier (webhooks, e-mail). ``carecenter alerts replay`` feeds the same book with
the readings of past minutes (:mod:`carecenter.services.alert_replay`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from carecenter.domain.alerts import (
    Alert,
    AlertBook,
    AlertChange,
    AlertMetric,
    AlertRule,
    Reading,
    event_of,
)
from carecenter.domain.center import Center
from carecenter.domain.promise_facts import PromiseRow
from carecenter.metrics.regroup import needed, regroup
from carecenter.services.board import recent
from carecenter.services.ports import EventLog

WINDOW_FIGURES = {
    AlertMetric.SERVICE_LEVEL: "service_level",
    AlertMetric.ABANDON_RATE: "abandon_rate",
}
"""The catalog metric of each windowed rule."""
QUEUE_FIGURES = {
    AlertMetric.WAITING: "waiting",
    AlertMetric.LONGEST_WAIT: "longest_wait_s",
}
"""The board's queue figure of each rule on what is going on now."""


class Notifier(Protocol):
    """Tells the channels of a rule about a change (webhooks, e-mail)."""

    def tell(self, change: AlertChange, center: str) -> None:
        """Queue the change for the channels it names; never blocks on the network."""
        ...

    def close(self, timeout: float = 30.0) -> None:
        """Send what is queued, then stop."""
        ...


def windowed(
    minutes: Sequence[Mapping[str, Any]], now: datetime, window_s: float
) -> dict[str, dict[str, Any]]:
    """Queue -> the catalog's service level and abandonment over the last ``window_s``
    seconds (whole minutes, the current one included)."""
    keep = ["queue", *sorted(needed(tuple(WINDOW_FIGURES.values())))]
    rows = [{k: r.get(k) for k in keep} for r in recent(minutes, now, max(1, round(window_s / 60)))]
    return {str(r["queue"]): r for r in regroup(rows, ["queue"]) if r["queue"] is not None}


Window = Callable[[float], Mapping[str, Mapping[str, Any]]]
"""window_s -> queue -> the catalog's figures over the last ``window_s`` seconds."""


def readings(
    rules: Sequence[AlertRule],
    now: datetime,
    board: Mapping[str, Any],
    promises: Sequence[PromiseRow],
    window: Window,
) -> list[Reading]:
    """Every rule's reading of every subject it watches at ``now``: from the ``board``'s
    queue and agent rows, the open ``promises`` and the catalog's figures over a rule's
    window (``window``)."""
    queues = {q["queue_id"]: q for q in board["queues"]}
    out: list[Reading] = []
    for rule in rules:
        watched = sorted(rule.queues or queues)
        if rule.metric is AlertMetric.AGENT_STATE:
            out += _agent_readings(rule, board, watched)
            continue
        for queue_id in watched:
            row = queues.get(queue_id)
            if row is None:
                continue
            threshold = rule.threshold
            if threshold is None:  # service level: the queue's own target
                threshold = row.get("sl_target")
                if threshold is None:
                    continue
            value: float | None
            if rule.metric in WINDOW_FIGURES:
                figures = window(rule.window_s).get(queue_id, {})
                value = figures.get(WINDOW_FIGURES[rule.metric])
            elif rule.metric in QUEUE_FIGURES:
                value = row.get(QUEUE_FIGURES[rule.metric])
                if rule.metric is AlertMetric.WAITING:
                    value = value or 0
            elif rule.metric is AlertMetric.UNDERSTAFFED:
                need = row.get("agents_required")
                value = None if need is None else need - row["agents_staffed"]
            else:
                value = float(_due(promises, queue_id, now, rule.within_s))
            clear = rule.clear if rule.clear is not None else threshold
            label = row.get("name") or queue_id
            out.append(Reading(rule.rule_id, queue_id, value, threshold, clear, label, queue_id))
    return out


def _due(promises: Sequence[PromiseRow], queue_id: str, now: datetime, within_s: float) -> int:
    """Open promises of ``queue_id`` due within ``within_s`` seconds of ``now`` or overdue."""
    by = now + timedelta(seconds=within_s)
    return sum(
        1
        for p in promises
        if p.queue_id == queue_id and p.status == "open" and p.due_at is not None and p.due_at <= by
    )


def _agent_readings(rule: AlertRule, board: Mapping[str, Any], watched: list[str]) -> list[Reading]:
    threshold = rule.threshold or 0.0
    clear = rule.clear if rule.clear is not None else threshold
    out = []
    for agent in board["agents"]:
        if rule.queues and not set(agent["queues"]) & set(watched):
            continue
        if agent["state"] != rule.state or (rule.reason and agent.get("reason") != rule.reason):
            continue  # no reading: an alert on this agent clears
        out.append(
            Reading(
                rule.rule_id,
                agent["agent_id"],
                agent["in_state_s"],
                threshold,
                clear,
                agent["name"],
            )
        )
    return out


class Alerting:
    """The alert rules of a center, run on each moment's figures."""

    def __init__(
        self, center: Center | None, log: EventLog | None, notifier: Notifier | None
    ) -> None:
        self.center = center or Center(name="none")
        self.book = AlertBook({r.rule_id: r for r in self.center.alerts.rules})
        self.log = log
        self.notifier = notifier
        self.fired = self.cleared = 0

    def run(
        self,
        now: datetime,
        minutes: Sequence[Mapping[str, Any]],
        board: Mapping[str, Any],
        promises: Sequence[PromiseRow],
    ) -> list[AlertChange]:
        """Evaluate every rule at ``now``; log and tell what changed."""
        rules = self.center.alerts.rules
        if not rules:
            return []
        cache: dict[float, Mapping[str, Mapping[str, Any]]] = {}

        def window(seconds: float) -> Mapping[str, Mapping[str, Any]]:
            if seconds not in cache:
                cache[seconds] = windowed(minutes, now, seconds)
            return cache[seconds]

        changes = self.book.update(now, readings(rules, now, board, promises, window))
        events = [e for c in changes if (e := event_of(c, now)) is not None]
        if events and self.log is not None:
            self.log.append(events)
        for change in changes:
            self.fired += change.kind == "fired"
            self.cleared += change.kind == "cleared"
            if self.notifier is not None and change.notify:
                self.notifier.tell(change, self.center.name)
        return changes

    def active(self) -> list[dict[str, Any]]:
        """The alerts firing now, as the wallboard shows them."""
        return [board_alert(a, self.center) for a in self.book.active()]

    @classmethod
    def none(cls) -> Alerting:
        """No rules (a workspace without a center configuration)."""
        return cls(None, None, None)

    def status(self) -> dict[str, Any]:
        """How many alerts fired and cleared, and how the notifications went."""
        sent = getattr(self.notifier, "status", None)
        return {
            "rules": len(self.center.alerts.rules),
            "firing": len(self.book.active()),
            "fired": self.fired,
            "cleared": self.cleared,
            "notified": getattr(sent, "sent", 0),
            "notify_failed": getattr(sent, "failed", 0),
            "notify_error": getattr(sent, "last_error", None),
        }

    def close(self) -> None:
        """Send the notifications queued, then stop."""
        if self.notifier is not None:
            self.notifier.close()


def board_alert(alert: Alert, center: Center) -> dict[str, Any]:
    """An alert as a row of the board's ``alerts``."""
    from zoneinfo import ZoneInfo

    agent = alert.subject if alert.queue_id is None else None
    return {
        "alert_id": alert.alert_id,
        "rule": alert.rule_id,
        "queue_id": alert.queue_id,
        "agent_id": agent,
        "severity": alert.severity.value,
        "message": alert.message,
        "value": alert.value,
        "threshold": alert.threshold,
        "since": alert.since.astimezone(ZoneInfo(center.timezone)).isoformat(),
    }
