"""The alert settings as JSON text in the operational store (``center_settings`` key
``alerts``), written with sorted keys and read back exactly."""

from __future__ import annotations

import json
from dataclasses import asdict
from types import MappingProxyType
from typing import Any

from carecenter.domain.alerts import (
    AlertMetric,
    AlertRule,
    AlertSettings,
    MailChannel,
    Severity,
    Webhook,
)


def alerts_to_json(settings: AlertSettings) -> str:
    """``settings`` as JSON text."""
    rules = []
    for rule in settings.rules:
        row: dict[str, Any] = asdict(rule)
        row["queues"] = sorted(rule.queues)
        row["notify"] = list(rule.notify)
        rules.append(row)
    data = {
        "rules": rules,
        "webhooks": [asdict(w) for w in settings.webhooks.values()],
        "mail": [{**asdict(m), "to": list(m.to)} for m in settings.mail.values()],
    }
    return json.dumps(data, sort_keys=True)


def alerts_from_json(text: str | None) -> AlertSettings:
    """The settings :func:`alerts_to_json` wrote (none: no alerts)."""
    if not text:
        return AlertSettings()
    data = json.loads(text)
    rules = tuple(
        AlertRule(
            **{
                **row,
                "metric": AlertMetric(row["metric"]),
                "severity": Severity(row["severity"]),
                "queues": frozenset(row["queues"]),
                "notify": tuple(row["notify"]),
            }
        )
        for row in data.get("rules", [])
    )
    webhooks = {w["name"]: Webhook(**w) for w in data.get("webhooks", [])}
    mail = {m["name"]: MailChannel(**{**m, "to": tuple(m["to"])}) for m in data.get("mail", [])}
    return AlertSettings(rules, MappingProxyType(webhooks), MappingProxyType(mail))
