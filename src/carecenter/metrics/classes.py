"""How a report classifies visits before it sums them (see :mod:`~carecenter.metrics.catalog`).

Each visit (a row of ``contact_facts`` joined with its queue's service-level policy) is put in a
class by its outcome, ``transferred_out`` and the flags below; visits of one interval, group
and class are counted (``n``) and their durations summed (:data:`SUMS`). The catalog's visit
metrics are expressions over such class rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis  # type: ignore[import-untyped]

from carecenter.domain.enums import Channel, VisitOutcome


def is_outcome(v: Any, outcome: VisitOutcome) -> Any:
    """Whether the visit (or class) ``v`` ended with ``outcome``."""
    return v.outcome == outcome.value


FCR_DAYS = 7
"""Days within which a contact from the same customer on the same topic is a repeat."""
LONG_CALL_QUANTILE = 0.9
"""A handled contact is a long call above this quantile of its queue's handle times."""


def handle_s(v: Any) -> Any:
    """Handle time of one visit: the conversation (talk + hold) + after-call work (seconds);
    after-call work a source does not log counts as none (see ``acw_logged``)."""
    return v.conversation_s.fill_null(0) + v.acw_s.fill_null(0)


CLASSES: dict[str, Callable[[Any], Any]] = {
    "within": lambda v: v.wait_s <= v.threshold_s,
    "short": lambda v: is_outcome(v, VisitOutcome.ABANDONED) & (v.wait_s < v.short_abandon_s),
    "first_reply": lambda v: (
        (v.channel == Channel.EMAIL.value)
        & is_outcome(v, VisitOutcome.ANSWERED)
        & ~v.transferred_in
        & v.arrived_at.notnull()
    ),
}
"""Per-visit flags a visit is classified by (with ``outcome`` and ``transferred_out``):
``within`` waited at most the queue's ``threshold_s``; ``short`` is an abandon that waited
less than its ``short_abandon_s``; ``first_reply`` is an answered e-mail not transferred in.
A flag is only set where a metric reads it: every flag more splits the classes further."""
PEER_CLASSES: dict[str, Callable[[Any], Any]] = {
    "long": lambda v: handle_s(v) > v.long_threshold_s,
}
"""With ``--by agent/team/site``: ``long`` handle time above the queue's 90th percentile."""
FCR_CLASSES: dict[str, Callable[[Any], Any]] = {
    "known": lambda v: v.customer_id.notnull() & v.topic.notnull(),
    "repeated": lambda v: v.repeated,
}
"""For first-contact resolution: ``known`` customer and topic; ``repeated`` by a later
contact (see :func:`carecenter.metrics.frames.with_repeats`)."""
SUMS: dict[str, Callable[[Any], Any]] = {
    "wait_s": lambda v: v.wait_s,
    "conversation_s": lambda v: v.conversation_s,
    "talk_s": lambda v: v.talk_s,
    "hold_s": lambda v: v.hold_s,
    "acw_s": lambda v: v.acw_s,
    "response_s": lambda v: v.answered_epoch_s - v.arrived_epoch_s,
    "talk_logged": lambda v: ibis.ifelse(v.talk_s.notnull(), 1, 0).cast("float64"),
    "acw_logged": lambda v: ibis.ifelse(v.acw_s.notnull(), 1, 0).cast("float64"),
}
"""Durations summed per class (seconds); ``response_s`` runs from arrival to answer;
``talk_logged`` and ``acw_logged`` count the visits whose source records talk and hold
separately, and after-call work (the others have ``None`` there)."""
