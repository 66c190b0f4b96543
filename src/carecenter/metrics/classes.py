"""How a report classifies visits before it sums them (see :mod:`~carecenter.metrics.catalog`).

Each visit (a row of ``contact_facts`` with its queue's service-level threshold and
short-abandon limit) is put in a class by its outcome, ``transferred_out`` and the flags below;
per interval, group and class the visits are measured (:data:`MEASURES`: counted, counted
within the threshold, their durations summed). The catalog's visit metrics are expressions over
such class rows.

What a row only needs to be *measured* by is a measure, not a flag: every flag more splits the
classes, and the size of the ``GROUP BY`` is most of a report's cost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from carecenter.domain.enums import Channel, VisitOutcome


def is_outcome(v: Any, outcome: VisitOutcome) -> Any:
    """Whether the visit (or class) ``v`` ended with ``outcome``."""
    return v.outcome == outcome.value


OUTBOUND_CONNECTED = "outbound_connected"
OUTBOUND_UNCONNECTED = "outbound_unconnected"
"""The outcomes the metrics give outbound visits (direction ``outbound``, e.g. an agent's
dialled call): ``outbound_connected`` when the called party answered, else
``outbound_unconnected`` (busy, no answer, failed, or still ringing when the log ended). So
no inbound metric, which reads the outcomes of :class:`VisitOutcome`, counts them."""


ESCALATION = "escalation"
"""The ``transfer_kind`` of a transfer to an expert queue or agent."""
EWT_CLOSE_S = 30.0
"""An expected wait within this many seconds of the real wait is close (``ewt_within_30s``)."""


def ewt_error_s(v: Any) -> Any:
    """How far the real wait of the visit ``v`` was from the wait it was told on entry
    (seconds, ``|wait_s - ewt_s|``; null without an estimate)."""
    return (v.wait_s - v.ewt_s).abs()


FCR_DAYS = 7
"""Days within which a contact from the same customer on the same topic is a repeat."""
LONG_CALL_QUANTILE = 0.9
"""A handled contact is a long call above this quantile of its queue's handle times."""


def handle_s(v: Any) -> Any:
    """Handle time of one visit: the conversation (talk + hold) + after-call work (seconds);
    after-call work a source does not log counts as none (see ``acw_logged``)."""
    return v.conversation_s.fill_null(0) + v.acw_s.fill_null(0)


def in_conversation(v: Any) -> Any:
    """Whether the visit ``v`` is answered and its conversation still going on: the fold has
    neither ended the conversation (``talk_ended_at``) nor the visit (``ended_at``). Such a
    visit is answered but not handled yet (a call still in progress at the end of an imported
    log, a live call); a later event or import that ends it makes it handled."""
    return is_outcome(v, VisitOutcome.ANSWERED) & _conversation_on(v)


def _conversation_on(v: Any) -> Any:
    return v.answered_at.notnull() & v.ended_at.isnull() & v.talk_ended_at.isnull()


Flag = tuple[VisitOutcome, Callable[[Any], Any]]
"""A class flag: the outcome whose visits it is set on, and its condition on a visit."""

CLASSES: dict[str, Flag] = {
    "short": (VisitOutcome.ABANDONED, lambda v: v.wait_s < v.short_abandon_s),
    "first_reply": (
        VisitOutcome.ANSWERED,
        lambda v: (v.channel == Channel.EMAIL.value) & ~v.transferred_in & v.arrived_at.notnull(),
    ),
    "in_conversation": (VisitOutcome.ANSWERED, _conversation_on),
    "escalated": (VisitOutcome.ANSWERED, lambda v: v.transfer_kind == ESCALATION),
}
"""Per-visit flags a visit is classified by (with ``outcome``, and ``transferred_out`` for
answered visits): ``short`` is an abandon that waited less than its ``short_abandon_s``;
``first_reply`` is an answered e-mail not transferred in; ``in_conversation`` an answered visit
whose conversation is still going on (:func:`in_conversation`: rare, so it hardly splits);
``escalated`` an answered visit transferred out as an escalation (rare too).
A flag is only set on the outcome whose metrics read it: every flag more splits the classes."""
PEER_CLASSES: dict[str, Flag] = {
    "long": (VisitOutcome.ANSWERED, lambda v: handle_s(v) > v.long_threshold_s),
}
"""With ``--by agent/team/site``: ``long`` handle time above the queue's 90th percentile."""
FCR_CLASSES: dict[str, Flag] = {
    "known": (VisitOutcome.ANSWERED, lambda v: v.customer_id.notnull() & v.topic.notnull()),
    "repeated": (VisitOutcome.ANSWERED, lambda v: v.repeated),
}
"""For first-contact resolution: ``known`` customer and topic; ``repeated`` by a later
contact (see :func:`carecenter.metrics.frames.with_repeats`)."""
MEASURES: dict[str, Callable[[Any], Any]] = {
    "n": lambda v: v.count(),
    "n_within": lambda v: v.count(where=v.wait_s <= v.threshold_s),
    "n_waited": lambda v: v.count(where=v.wait_s > 0),
    "wait_s": lambda v: v.wait_s.sum(),
    "conversation_s": lambda v: v.conversation_s.sum(),
    "talk_s": lambda v: v.talk_s.sum(),
    "hold_s": lambda v: v.hold_s.sum(),
    "acw_s": lambda v: v.acw_s.sum(),
    "fee": lambda v: v.contact_fee.sum(),
    "response_s": lambda v: v.response_s.sum(),
    "talk_logged": lambda v: v.talk_s.count().cast("float64"),
    "acw_logged": lambda v: v.acw_s.count().cast("float64"),
    "ewt_n": lambda v: v.ewt_s.count(),
    "ewt_error_s": lambda v: ewt_error_s(v).sum(),
    "ewt_close": lambda v: v.ewt_s.count(where=ewt_error_s(v) <= EWT_CLOSE_S),
    "ewt_met": lambda v: v.ewt_s.count(where=v.wait_s <= v.ewt_s),
}
"""What each class row holds of its visits: ``n`` visits, ``n_within`` of them waited at most
the queue's ``threshold_s``, ``n_waited`` of them waited at all (``wait_s > 0``); durations
summed (seconds; ``response_s``, from arrival to answer, is only kept for e-mail);
``talk_logged`` and ``acw_logged`` count the visits whose source records talk and hold
separately, and after-call work (the others have ``None`` there);
``ewt_n`` counts the visits told an expected wait on entry (``ewt_s``), ``ewt_error_s`` sums
:func:`ewt_error_s`, ``ewt_close`` counts the estimates within :data:`EWT_CLOSE_S` of the real
wait and ``ewt_met`` those the real wait did not exceed."""
