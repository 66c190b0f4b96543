"""Ratio metrics: computed from summed metrics of the same row, so they aggregate correctly.

Each receives ``a``, a row of summed visit and agent metrics. A ratio whose denominator is 0
(or whose parts were not computed for this grouping) is empty (``null``).

CSAT and NPS are in :mod:`~carecenter.metrics.survey_catalog`.
"""

from __future__ import annotations

from typing import Any

from carecenter.metrics.registry import ratio_metric
from carecenter.metrics.sums import divide as _div


@ratio_metric("sl_numerator", "sl_denominator")
def service_level(a: Any) -> Any:
    """Share of contacts answered within the threshold, by each queue's formula.

    Formula: sl_numerator / sl_denominator. The queue's policy picks the formula:
      ``answered_within_over_offered`` (default) answered within / offered;
      ``abandons_excluded`` answered within / answered;
      ``abandons_within_met`` (answered within + abandoned within) / offered.
    Unit: share, 0-1.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.sl_numerator, a.sl_denominator)


@ratio_metric("wait_answered_total_s", "answered")
def asa_s(a: Any) -> Any:
    """Average speed of answer: how long answered contacts waited on average.

    Formula: wait_answered_total_s / answered.
    Unit: seconds.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.wait_answered_total_s, a.answered)


@ratio_metric("waited", "offered")
def p_wait(a: Any) -> Any:
    """Probability of waiting: the share of offered contacts that were not answered the
    moment they entered the queue (Erlang C's and Erlang A's P(wait)).

    Formula: waited / offered.
    Unit: share, 0-1.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.waited, a.offered)


@ratio_metric("abandoned", "offered")
def abandon_rate(a: Any) -> Any:
    """Abandonment: the share of offered contacts that gave up waiting.

    Formula: abandoned / offered.
    Unit: share, 0-1.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.abandoned, a.offered)


@ratio_metric("handle_total_s", "handled")
def aht_s(a: Any) -> Any:
    """Average handle time.

    Formula: (conversation + after-call work) / handled = handle_total_s / handled, where the
    conversation is talk + hold (after-call work a source does not record counts as none).
    Unit: seconds.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.handle_total_s, a.handled)


@ratio_metric("talk_total_s", "talk_logged")
def avg_talk_s(a: Any) -> Any:
    """Average talk time, over the handled contacts whose source records it.

    Formula: talk_total_s / talk_logged.
    Unit: seconds.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.talk_total_s, a.talk_logged)


@ratio_metric("hold_total_s", "talk_logged")
def avg_hold_s(a: Any) -> Any:
    """Average hold time, over the handled contacts whose source records it.

    Formula: hold_total_s / talk_logged.
    Unit: seconds.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.hold_total_s, a.talk_logged)


@ratio_metric("acw_total_s", "acw_logged")
def avg_acw_s(a: Any) -> Any:
    """Average after-call work, over the handled contacts whose source records it.

    Formula: acw_total_s / acw_logged.
    Unit: seconds.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.acw_total_s, a.acw_logged)


@ratio_metric("transferred", "answered")
def transfer_rate(a: Any) -> Any:
    """Share of answered contacts transferred on.

    Formula: transferred / answered.
    Unit: share, 0-1.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.transferred, a.answered)


@ratio_metric("fcr_resolved", "fcr_eligible")
def fcr(a: Any) -> Any:
    """First-contact resolution.

    Formula: fcr_resolved / fcr_eligible (no repeat contact from the same customer on the
      same topic within 7 days).
    Unit: share, 0-1.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.fcr_resolved, a.fcr_eligible)


@ratio_metric("email_response_total_s", "email_replied")
def email_response_s(a: Any) -> Any:
    """E-mail response turnaround: from arrival to the first agent reply.

    Formula: email_response_total_s / email_replied (business hours of the queue).
    Unit: seconds.
    Interval: the interval in which the visits entered the queue (``enqueued_at``).
    """
    return _div(a.email_response_total_s, a.email_replied)


@ratio_metric("long_calls", "handled")
def long_call_rate(a: Any) -> Any:
    """Share of handled contacts that were long calls against the agent's peers.

    Formula: long_calls / handled (about 0.10 for a typical agent; well above flags coaching).
    Unit: share, 0-1.
    Interval: the interval in which the visits entered the queue (``enqueued_at``); only
      with ``--by agent``, ``team`` or ``site``.
    """
    return _div(a.long_calls, a.handled)


@ratio_metric("busy_total_s", "acw_state_total_s", "available_total_s")
def occupancy(a: Any) -> Any:
    """Occupancy: the share of ready time agents spent handling contacts.

    Formula: (busy + after-call work) / (busy + after-call work + available), from agent
      states.
    Unit: share, 0-1.
    Interval: agent-state time cut at interval boundaries. By queue: the time of the agents
      able to serve the queue (``center.yaml``; an agent of several queues counts in each);
      empty when grouped by channel, tier or topic, or by queue with other dimensions.
    """
    handling = a.busy_total_s + a.acw_state_total_s
    return _div(handling, handling + a.available_total_s)


@ratio_metric("busy_total_s", "acw_state_total_s", "logged_in_total_s")
def utilization(a: Any) -> Any:
    """Utilization: the share of logged-in time spent handling contacts (breaks count).

    Formula: (busy + after-call work) / logged-in time.
    Unit: share, 0-1.
    Interval: agent-state time cut at interval boundaries. By queue: the time of the agents
      able to serve the queue (``center.yaml``; an agent of several queues counts in each);
      empty when grouped by channel, tier or topic, or by queue with other dimensions.
    """
    return _div(a.busy_total_s + a.acw_state_total_s, a.logged_in_total_s)


@ratio_metric("logged_in_total_s")
def staffed_hours(a: Any) -> Any:
    """Agent hours logged in.

    Formula: logged_in_total_s / 3600.
    Unit: hours.
    Interval: agent-state time cut at interval boundaries. By queue: the time of the agents
      able to serve the queue (``center.yaml``; an agent of several queues counts in each);
      empty when grouped by channel, tier or topic, or by queue with other dimensions.
    """
    return a.logged_in_total_s.cast("float64") / 3600.0


@ratio_metric("staff_cost", "outsourced_cost", "handled")
def cost_per_contact(a: Any) -> Any:
    """Staff cost per handled contact.

    Formula: (staff_cost + outsourced_cost) / handled (logged-in hours × hourly cost, and
      each contact handled by an outsourcer paid per contact at its price, over contacts
      handled).
    Unit: currency of ``hourly_cost`` per contact.
    Interval: staff time cut at interval boundaries, contacts by ``enqueued_at``. Empty by
      queue (an agent who serves several queues has their cost split between them by
      handling time: ``carecenter plan compare --by queue``), channel, tier or topic.
    """
    return _div(a.staff_cost + a.outsourced_cost.fill_null(0.0), a.handled)
