"""The metric catalog: every service benchmark of DESIGN.md §3, once, as an Ibis expression.

A report sums visits in two steps. First each visit (a row of ``contact_facts`` with its
queue's threshold and short-abandon limit) is *classified* (:mod:`~carecenter.metrics.classes`):
by its outcome, ``transferred_out`` and the flags in its ``CLASSES`` (a short wait, a first
e-mail reply, a long call, a repeat contact); the visits of one interval, group and class are
counted (``n``, and ``n_within`` the threshold) and their durations summed (``MEASURES``).
Then every visit metric
below is one expression over such a class row ``v`` (with the queue policy columns ``formula``,
``exclude_short``, ``include_flow_outs``), summed over the classes of the interval and group.
Summing classes equals summing visits, and the first step is what lets a 10-million-visit report
run near the speed of a bare ``GROUP BY``.

Agent metrics are in :mod:`~carecenter.metrics.agent_catalog`, the metrics that compare a visit
with others (first-contact resolution, long calls) in :mod:`~carecenter.metrics.comparison_catalog`,
ratios in :mod:`~carecenter.metrics.ratios`. At the threshold: a contact answered after exactly
``threshold_s`` seconds is within it; an abandon after exactly ``short_abandon_s`` is not short.
"""

from __future__ import annotations

from typing import Any

import ibis  # type: ignore[import-untyped]

from carecenter.domain.enums import ServiceLevelFormula, VisitOutcome
from carecenter.metrics.classes import OUTBOUND_CONNECTED, OUTBOUND_UNCONNECTED, handle_s
from carecenter.metrics.classes import is_outcome as _is
from carecenter.metrics.registry import visit_metric
from carecenter.metrics.sums import class_count as _count


def _total(v: Any, condition: Any, column: str) -> Any:
    return ibis.ifelse(condition, v[column].fill_null(0.0), 0.0)


def _short(v: Any) -> Any:
    return _is(v, VisitOutcome.ABANDONED) & v.short


def _counted_abandon(v: Any) -> Any:
    return _is(v, VisitOutcome.ABANDONED) & ~(v.short & v.exclude_short)


def _counted_flow_out(v: Any) -> Any:
    return _is(v, VisitOutcome.FLOWED_OUT) & v.include_flow_outs


def _handled(v: Any) -> Any:
    return _is(v, VisitOutcome.ANSWERED) & ~v.in_conversation


def _offered(v: Any) -> Any:
    return _is(v, VisitOutcome.ANSWERED) | _counted_abandon(v) | _counted_flow_out(v)


@visit_metric()
def offered(v: Any) -> Any:
    """Contacts offered to the queue.

    Formula: answered + abandoned + flowed_out_offered (short abandons are in ``abandoned``
      unless the queue's policy excludes them; flow-outs count only when the policy includes them).
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _offered(v))


@visit_metric()
def answered(v: Any) -> Any:
    """Contacts an agent answered.

    Formula: visits with outcome ``answered``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _is(v, VisitOutcome.ANSWERED))


@visit_metric()
def abandoned(v: Any) -> Any:
    """Contacts that hung up or left while waiting, as counted in offered.

    Formula: visits with outcome ``abandoned``, less short abandons when the queue's policy
      ``exclude_short_abandons`` is on.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _counted_abandon(v))


@visit_metric()
def short_abandoned(v: Any) -> Any:
    """Abandons so quick they are usually misdials or callers who changed their mind.

    Formula: visits with outcome ``abandoned`` and ``wait_s < short_abandon_s`` (queue policy,
      default 5 s), whether or not the policy excludes them from offered.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _short(v))


@visit_metric()
def flowed_out(v: Any) -> Any:
    """Contacts transferred elsewhere before an agent answered (overflow).

    Formula: visits with outcome ``flowed_out``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _is(v, VisitOutcome.FLOWED_OUT))


@visit_metric()
def flowed_out_offered(v: Any) -> Any:
    """Flow-outs that count as offered under the queue's policy.

    Formula: ``flowed_out`` when the queue's ``include_flow_outs`` is on, else 0.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _counted_flow_out(v))


@visit_metric()
def callbacks(v: Any) -> Any:
    """Waiting contacts that asked to be called back instead (not in offered).

    Formula: visits with outcome ``callback``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _is(v, VisitOutcome.CALLBACK))


@visit_metric()
def exited(v: Any) -> Any:
    """Contacts that left the queue unanswered in another way, e.g. the center closed
    them (not in offered).

    Formula: visits with outcome ``exited``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _is(v, VisitOutcome.EXITED))


@visit_metric()
def answered_within(v: Any) -> Any:
    """Contacts answered within the queue's service-level threshold.

    Formula: answered visits with ``wait_s <= threshold_s``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _is(v, VisitOutcome.ANSWERED), "n_within")


@visit_metric()
def waited(v: Any) -> Any:
    """Offered contacts that had to wait: not answered the moment they entered the queue.

    Formula: visits counted in ``offered`` with ``wait_s > 0``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _offered(v), "n_waited")


@visit_metric()
def abandoned_within(v: Any) -> Any:
    """Counted abandons that gave up within the service-level threshold.

    Formula: visits counted in ``abandoned`` with ``wait_s <= threshold_s``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _counted_abandon(v), "n_within")


@visit_metric()
def sl_numerator(v: Any) -> Any:
    """Contacts that met the service level under their queue's formula.

    Formula: ``answered_within``, plus ``abandoned_within`` for queues whose formula is
      ``abandons_within_met``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    met_by_abandon = v.formula == ServiceLevelFormula.ABANDONS_WITHIN_MET.value
    return answered_within.expr(v) + ibis.ifelse(met_by_abandon, abandoned_within.expr(v), 0)


@visit_metric()
def sl_denominator(v: Any) -> Any:
    """Contacts the service level is measured against under their queue's formula.

    Formula: ``answered`` for queues whose formula is ``abandons_excluded``, else ``offered``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    excluded = v.formula == ServiceLevelFormula.ABANDONS_EXCLUDED.value
    return ibis.ifelse(excluded, answered.expr(v), offered.expr(v))


@visit_metric()
def wait_answered_total_s(v: Any) -> Any:
    """Total time answered contacts waited.

    Formula: sum of ``wait_s`` over answered visits.
    Unit: seconds.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _total(v, _is(v, VisitOutcome.ANSWERED), "wait_s")


@visit_metric()
def handled(v: Any) -> Any:
    """Contacts an agent handled (answered, talked to, wrapped up).

    Formula: visits with outcome ``answered`` whose conversation is over (the fold ended the
      conversation or the visit): ``answered`` less the calls still in progress (a call
      connected but not completed when an imported log ends is answered, not handled, until a
      later import completes it); by agent, team and site it is the agent's work.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _handled(v))


@visit_metric()
def talk_logged(v: Any) -> Any:
    """Handled contacts whose source records talk and hold time separately (an Asterisk
    queue_log does not: it logs the whole conversation).

    Formula: handled visits with ``talk_s`` known.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _total(v, _handled(v), "talk_logged")


@visit_metric()
def acw_logged(v: Any) -> Any:
    """Handled contacts whose source records after-call work (an Asterisk queue_log does not).

    Formula: handled visits with ``acw_s`` known.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _total(v, _handled(v), "acw_logged")


@visit_metric()
def talk_total_s(v: Any) -> Any:
    """Total talk time of handled contacts (hold excluded).

    Formula: sum of ``talk_s`` over handled visits (where the source records it).
    Unit: seconds.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _total(v, _is(v, VisitOutcome.ANSWERED), "talk_s")


@visit_metric()
def hold_total_s(v: Any) -> Any:
    """Total hold time of handled contacts.

    Formula: sum of ``hold_s`` over handled visits (where the source records it).
    Unit: seconds.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _total(v, _is(v, VisitOutcome.ANSWERED), "hold_s")


@visit_metric()
def acw_total_s(v: Any) -> Any:
    """Total after-call work of handled contacts.

    Formula: sum of ``acw_s`` over handled visits (where the source records it).
    Unit: seconds.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _total(v, _is(v, VisitOutcome.ANSWERED), "acw_s")


@visit_metric()
def outsourced_cost(v: Any) -> Any:
    """What the contacts handled by outsourcers paid per contact cost.

    Formula: sum over handled visits of the handling agent's site's ``cost_per_contact``
    (``center.yaml`` ``sites``; 0 for agents of sites paid by the hour or of no site).
    Unit: currency of ``cost_per_contact``.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _total(v, _is(v, VisitOutcome.ANSWERED), "fee")


@visit_metric()
def handle_total_s(v: Any) -> Any:
    """Total handle time.

    Formula: sum of ``conversation_s + acw_s`` over handled visits (the conversation is talk +
    hold; after-call work a source does not record counts as none: see ``acw_logged``).
    Unit: seconds.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return ibis.ifelse(_is(v, VisitOutcome.ANSWERED), handle_s(v), 0.0)


@visit_metric()
def transferred(v: Any) -> Any:
    """Answered contacts the agent transferred to another queue.

    Formula: answered visits with ``transferred_out``.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, _is(v, VisitOutcome.ANSWERED) & v.transferred_out)


@visit_metric()
def email_replied(v: Any) -> Any:
    """E-mails that received a first agent reply.

    Formula: answered visits of channel ``email`` that were not transferred in.
    Unit: contacts.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _count(v, v.first_reply)


@visit_metric()
def email_response_total_s(v: Any) -> Any:
    """Total e-mail response time, in business hours of the queue.

    Formula: sum of ``answered_at - arrived_at`` over ``email_replied`` visits, counting only
      the open hours of the visit's queue (``hours`` and ``holidays`` in center.yaml).
    Unit: seconds.
    Interval: the interval in which the visit entered the queue (``enqueued_at``).
    """
    return _total(v, v.first_reply, "response_s")


def _outbound(v: Any) -> Any:
    return (v.outcome == OUTBOUND_CONNECTED) | (v.outcome == OUTBOUND_UNCONNECTED)


@visit_metric()
def outbound_attempts(v: Any) -> Any:
    """Outbound calls dialled (an agent's call out, e.g. a campaign or a callback), connected
    or not; no inbound metric counts them.

    Formula: visits with direction ``outbound``, whatever their outcome (connected, not
      connected: busy, no answer, cancelled, failed; or still ringing when the log ended).
    Unit: calls.
    Interval: the interval in which the call was dialled (the visit's ``enqueued_at``).
    """
    return _count(v, _outbound(v))


@visit_metric()
def outbound_connected(v: Any) -> Any:
    """Outbound calls the called party answered.

    Formula: visits with direction ``outbound`` and outcome ``answered``.
    Unit: calls.
    Interval: the interval in which the call was dialled (the visit's ``enqueued_at``).
    """
    return _count(v, v.outcome == OUTBOUND_CONNECTED)


@visit_metric()
def outbound_talk_s(v: Any) -> Any:
    """Total conversation time of connected outbound calls.

    Formula: sum of ``conversation_s`` (talk + hold, from the answer to the end of the
      conversation) over ``outbound_connected`` visits; a call still in conversation when the
      log ended adds nothing yet.
    Unit: seconds.
    Interval: the interval in which the call was dialled (the visit's ``enqueued_at``).
    """
    return _total(v, v.outcome == OUTBOUND_CONNECTED, "conversation_s")
