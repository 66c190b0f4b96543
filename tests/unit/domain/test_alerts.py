"""Alert rules' state (:class:`carecenter.domain.alerts.AlertBook`): firing after ``for_s``,
hysteresis, repeats, clearing, and the words of the messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from carecenter.domain.alerts import (
    AlertBook,
    AlertMetric,
    AlertRule,
    Reading,
    Severity,
    describe,
    event_of,
)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
SL = AlertRule("sl", AlertMetric.SERVICE_LEVEL, 0.8, clear=0.85, for_s=60, repeat_s=600)
WAIT = AlertRule("wait", AlertMetric.WAITING, 5, severity=Severity.CRITICAL)


def sl(value: float | None, subject: str = "billing") -> Reading:
    return Reading("sl", subject, value, 0.8, 0.85, subject.title(), subject)


def run(book: AlertBook, *steps: tuple[int, list[Reading]]) -> list[tuple[int, str, str]]:
    """(second, kind, alert id) of every change over the steps (second, readings)."""
    out = []
    for second, readings in steps:
        for change in book.update(T0 + timedelta(seconds=second), readings):
            out.append((second, change.kind, change.alert.alert_id))
    return out


def test_a_rule_fires_only_after_its_threshold_held_for_long_enough() -> None:
    book = AlertBook({"sl": SL})
    changes = run(book, (0, [sl(0.7)]), (30, [sl(0.75)]), (59, [sl(0.7)]), (60, [sl(0.7)]))
    assert changes == [(60, "fired", "sl:billing")]
    [alert] = book.active()
    assert alert.since == T0
    assert alert.message == "Billing: service level 70% over the last 15 min (target 80%)"


def test_a_dip_shorter_than_for_s_never_fires() -> None:
    book = AlertBook({"sl": SL})
    assert run(book, (0, [sl(0.7)]), (50, [sl(0.9)]), (100, [sl(0.7)]), (150, [sl(0.9)])) == []


def test_hysteresis_keeps_it_firing_until_the_clear_value() -> None:
    book = AlertBook({"sl": SL})
    changes = run(
        book,
        (0, [sl(0.7)]),
        (60, [sl(0.7)]),
        (120, [sl(0.82)]),  # above the threshold, below the clear value: still firing
        (180, [sl(0.84)]),
        (240, [sl(0.85)]),
    )
    assert changes == [(60, "fired", "sl:billing"), (240, "cleared", "sl:billing")]
    assert book.active() == []


def test_a_firing_rule_repeats_every_repeat_s() -> None:
    book = AlertBook({"sl": SL})
    steps = [(s, [sl(0.5)]) for s in (0, 60, 300, 659, 660, 1000, 1260)]
    assert run(book, *steps) == [
        (60, "fired", "sl:billing"),
        (660, "repeated", "sl:billing"),
        (1260, "repeated", "sl:billing"),
    ]


def test_no_reading_clears_and_subjects_are_apart() -> None:
    book = AlertBook({"sl": SL})
    changes = run(
        book,
        (0, [sl(0.5), sl(0.5, "cards")]),
        (60, [sl(0.5), sl(0.9, "cards")]),
        (70, [sl(None)]),  # nothing measured now; cards is gone
    )
    assert changes == [(60, "fired", "sl:billing"), (70, "cleared", "sl:billing")]


def test_above_rules_fire_above_and_critical_comes_first() -> None:
    book = AlertBook({"sl": SL, "wait": WAIT})
    waiting = Reading("wait", "billing", 6, 5, 5, "Billing", "billing")
    run(book, (0, [sl(0.5)]), (60, [sl(0.5), waiting]))
    assert [a.rule_id for a in book.active()] == ["wait", "sl"]
    assert book.active()[0].message == "Billing: 6 contacts waiting (limit 5)"
    calm = Reading("wait", "billing", 5, 5, 5, "Billing", "billing")
    assert run(book, (61, [sl(0.5), calm])) == [(61, "cleared", "wait:billing")]


def test_events_of_changes() -> None:
    book = AlertBook({"wait": WAIT})
    [fired] = book.update(T0, [Reading("wait", "billing", 9, 5, 5, "Billing", "billing")])
    event = event_of(fired, T0)
    assert event is not None
    assert event.name == "alert.fired"
    assert event.as_dict()["value"] == 9


@pytest.mark.parametrize(
    ("rule", "value", "threshold", "words"),
    [
        (
            AlertRule("a", AlertMetric.LONGEST_WAIT, 120),
            185,
            120,
            "a contact has waited 3:05 (limit 2:00)",
        ),
        (
            AlertRule("b", AlertMetric.AGENT_STATE, 600, state="break", reason="lunch"),
            1800,
            600,
            "break (lunch) for 30:00 (limit 10:00)",
        ),
        (
            AlertRule("c", AlertMetric.ABANDON_RATE, 0.1, window_s=1800),
            0.125,
            0.1,
            "abandonment 12% over the last 30 min (limit 10%)",
        ),
        (AlertRule("d", AlertMetric.UNDERSTAFFED, 0), 3, 0, "3 agents short of the plan (limit 0)"),
    ],
)
def test_messages(rule: AlertRule, value: float, threshold: float, words: str) -> None:
    assert describe(rule, value, threshold) == words
