"""Customer satisfaction: CSAT and NPS from ``survey_answers`` (DESIGN.md §3).

Each survey metric receives ``a``, one survey answer (columns ``question``, ``score``,
``scale_max``) with the dimensions of its contact. An answer counts in the interval in which it
was given (``answered_at``). Grouped by queue, channel, tier, topic, agent, team or site, an
answer belongs to its contact's *last* queue visit in ``contact_facts`` (the queue it ended in
and the agent who had it last); an answer without a contact, or whose contact has no visit, counts
only under the empty group.

* CSAT reads answers to question ``csat`` on a 1-5 scale (``scale_max`` 5): satisfied is a
  score of 4 or 5.
* NPS reads answers to question ``nps`` on a 0-10 scale (``scale_max`` 10): promoters score 9
  or 10, detractors 0 to 6, passives 7 or 8. NPS is a share from -1 to 1 (the usual NPS
  points are 100 times it: 0.25 is an NPS of 25).

Answers on other scales or to other questions are stored but counted by no metric.
"""

from __future__ import annotations

from typing import Any

from carecenter.domain.surveys import (
    CSAT_QUESTION,
    CSAT_SATISFIED,
    CSAT_SCALE,
    NPS_DETRACTOR,
    NPS_PROMOTER,
    NPS_QUESTION,
    NPS_SCALE,
)
from carecenter.metrics.registry import ratio_metric, survey_metric
from carecenter.metrics.sums import count_if as _count
from carecenter.metrics.sums import divide as _div


def _csat(a: Any) -> Any:
    return (a.question == CSAT_QUESTION) & (a.scale_max == CSAT_SCALE)


def _nps(a: Any) -> Any:
    return (a.question == NPS_QUESTION) & (a.scale_max == NPS_SCALE)


@survey_metric()
def csat_answers(a: Any) -> Any:
    """Answers to the CSAT question.

    Formula: answers with question ``csat`` and ``scale_max`` 5.
    Unit: answers.
    Interval: the interval in which the answer was given (``answered_at``).
    """
    return _count(_csat(a))


@survey_metric()
def csat_satisfied(a: Any) -> Any:
    """CSAT answers that were satisfied.

    Formula: ``csat_answers`` with score 4 or 5.
    Unit: answers.
    Interval: the interval in which the answer was given (``answered_at``).
    """
    return _count(_csat(a) & (a.score >= CSAT_SATISFIED))


@survey_metric()
def nps_answers(a: Any) -> Any:
    """Answers to the net-promoter question.

    Formula: answers with question ``nps`` and ``scale_max`` 10.
    Unit: answers.
    Interval: the interval in which the answer was given (``answered_at``).
    """
    return _count(_nps(a))


@survey_metric()
def nps_promoters(a: Any) -> Any:
    """NPS answers from promoters.

    Formula: ``nps_answers`` with score 9 or 10.
    Unit: answers.
    Interval: the interval in which the answer was given (``answered_at``).
    """
    return _count(_nps(a) & (a.score >= NPS_PROMOTER))


@survey_metric()
def nps_detractors(a: Any) -> Any:
    """NPS answers from detractors.

    Formula: ``nps_answers`` with score 0 to 6.
    Unit: answers.
    Interval: the interval in which the answer was given (``answered_at``).
    """
    return _count(_nps(a) & (a.score <= NPS_DETRACTOR))


@ratio_metric("csat_satisfied", "csat_answers")
def csat(r: Any) -> Any:
    """Customer satisfaction: the share of CSAT answers that were 4 or 5 on the 1-5 scale.

    Formula: csat_satisfied / csat_answers. By queue, channel, tier, topic, agent, team or site
      an answer counts with its contact's last queue visit.
    Unit: share, 0-1.
    Interval: the interval in which the answer was given (``answered_at``).
    """
    return _div(r.csat_satisfied, r.csat_answers)


@ratio_metric("nps_promoters", "nps_detractors", "nps_answers")
def nps(r: Any) -> Any:
    """Net promoter score: % promoters (9-10) less % detractors (0-6) on the 0-10 scale.

    Formula: (nps_promoters - nps_detractors) / nps_answers. By queue, channel, tier, topic,
      agent, team or site an answer counts with its contact's last queue visit.
    Unit: share, -1 to 1 (NPS points / 100).
    Interval: the interval in which the answer was given (``answered_at``).
    """
    return _div(r.nps_promoters - r.nps_detractors, r.nps_answers)
