"""The expectation register and its evaluation table: what customers expect, the evidence for
it, and a score that ranks what to do first.

Pure functions used by ``carecenter voc table`` (:mod:`carecenter.services.voc_table`).

An :class:`Expectation` is a statement ("reach a person within a minute") linked to complaint
themes, survey attributes, peer mystery-shopping metrics and service features, with the
manager's estimates: effort and impact (1-5), an owner and, optionally, a class:

* ``now``: achievable now with few resources;
* ``medium`` / ``long``: achievable in the medium or the long term;
* ``guide``: not achievable: guide the customer instead (set accurate expectations).

Its :class:`Evidence` (:func:`gather`): the complaints of the linked themes (count and share of
all complaints), the survey gap (expectation - perception, SERVQUAL style) of the linked
attributes, their driver importance, and the gap to the peers (mystery-shopping figures and
features the peers offer that the center does not).

The score (:func:`score`)::

    score = impact x importance x gap x weight / effort

* ``impact``, ``effort``: the manager's estimates, 1-5 (default 3 each);
* ``importance``: the sum of the driver importances of the linked attributes (at most 1); when
  none of them is in the drivers, ``default_importance``: 1 / (number of attributes in the
  drivers), or 1 without drivers;
* ``gap``, 0-1: the largest of the survey gap as a share of the scale (``max(0, E - P) /
  (scale max - scale min)``, averaged over the linked attributes), the peer gap and the feature
  gap; 0.5 when there is none of the three;
* ``weight``: ``(1 + m) / 5 + c``, with ``m`` the kinds of evidence found (0-4: complaints,
  a survey gap, a driver importance, a peer comparison) and ``c`` the linked themes' share of
  all complaints (0-1).

The ranking (:func:`rank`): score, highest first; ties by impact (highest first), effort
(lowest first), then the expectation id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Klass = Literal["now", "medium", "long", "guide"]
CLASSES: tuple[Klass, ...] = ("now", "medium", "long", "guide")

MYSTERY_METRICS: dict[str, int] = {"connection_rate": 1, "wait_s": -1, "ease_of_use": 1}
"""Mystery-shopping metrics of the peers file: +1 higher is better, -1 lower is better."""

UNKNOWN_GAP = 0.5
"""The gap factor of an expectation without a survey, peer or feature gap."""
SCORE_DIGITS = 9
"""Scores equal to this many decimals are a tie."""


@dataclass(frozen=True)
class Expectation:
    """One line of the register (see the module)."""

    expectation_id: str
    statement: str
    themes: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    klass: Klass | None = None
    effort: int = 3
    impact: int = 3
    owner: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Theme:
    """A row of the complaint theme summary."""

    theme_id: str
    theme: str
    complaints: int
    share: float


@dataclass(frozen=True)
class Driver:
    """A row of the driver analysis: an attribute's importance (the importances add up to 1)
    and its mean (perception) score."""

    attribute: str
    importance: float
    mean_score: float | None = None


@dataclass(frozen=True)
class SurveyScore:
    """An attribute's mean expectation and perception scores (``None``: not asked)."""

    attribute: str
    expectation: float
    perception: float | None = None


@dataclass(frozen=True)
class Peers:
    """The peers' mystery-shopping figures and features, and the center's own."""

    figures: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """Peer -> metric -> value."""
    features: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Peer -> the features it offers."""
    ours: Mapping[str, float] = field(default_factory=dict)
    """Metric -> the center's own value."""
    own_features: frozenset[str] = frozenset()

    def offered(self) -> dict[str, list[str]]:
        """Feature -> the peers offering it (sorted)."""
        out: dict[str, list[str]] = {}
        for peer in sorted(self.features):
            for feature in sorted(self.features[peer]):
                out.setdefault(feature, []).append(peer)
        return out

    def missing(self) -> dict[str, list[str]]:
        """The features some peer offers and the center does not -> those peers."""
        return {f: p for f, p in self.offered().items() if f not in self.own_features}


@dataclass(frozen=True)
class Evidence:
    """What supports an expectation (``None``: no such evidence)."""

    complaints: int = 0
    complaint_share: float | None = None
    survey_gap: float | None = None
    """Mean expectation - perception over the linked attributes, in scale points."""
    survey_range: float = 1.0
    """Scale maximum - minimum of the survey scores."""
    importance: float | None = None
    peer_gap: float | None = None
    feature_gap: float | None = None
    missing_features: tuple[str, ...] = ()

    @property
    def kinds(self) -> int:
        """How many kinds of evidence were found (0-4)."""
        peer = self.peer_gap is not None or self.feature_gap is not None
        return sum(
            (self.complaints > 0, self.survey_gap is not None, self.importance is not None, peer)
        )


@dataclass(frozen=True)
class Register:
    """The register: the expectations in the manager's order, the features the center
    offers, and the survey's expectation and perception scores per attribute on the scale
    ``scale_min`` to ``scale_max``."""

    expectations: tuple[Expectation, ...] = ()
    center_features: frozenset[str] = frozenset()
    survey: Mapping[str, SurveyScore] = field(default_factory=dict)
    scale_min: float = 1.0
    scale_max: float = 5.0

    def get(self, expectation_id: str) -> Expectation | None:
        """The expectation with this id (``None``: not in the register)."""
        return next((e for e in self.expectations if e.expectation_id == expectation_id), None)


@dataclass(frozen=True)
class Source:
    """An input the table was last evaluated with, as the store keeps it: ``kind`` (``themes``,
    ``drivers``, ``peers``), the file's name, when it was saved, and its rows as JSON values."""

    kind: str
    name: str
    saved_at: datetime
    content: Any


@dataclass(frozen=True)
class Scored:
    """An expectation with its evidence, score factors, suggested and final class."""

    expectation: Expectation
    evidence: Evidence
    importance: float
    gap: float
    weight: float
    score: float
    suggested: Klass
    rank: int = 0

    @property
    def klass(self) -> Klass:
        """The manager's class, else the suggested one."""
        return self.expectation.klass or self.suggested


def shortfall(metric: str, ours: float, theirs: float) -> float:
    """How far the center falls short of ``theirs`` on ``metric`` (0: as good or better), as a
    share, at most 1: ``(theirs - ours) / theirs`` for a metric where higher is better,
    ``(ours - theirs) / ours`` for one where lower is better; below ``10 ** -SCORE_DIGITS``
    it is 0 (a mean of the peers that equals the center's figure is no shortfall)."""
    if MYSTERY_METRICS[metric] > 0:
        short = (theirs - ours) / theirs if theirs > 0 else 0.0
    else:
        short = (ours - theirs) / ours if ours > 0 else 0.0
    if abs(short) < 10**-SCORE_DIGITS:
        return 0.0
    return min(1.0, max(0.0, short))


def peer_mean(peers: Peers, metric: str) -> float | None:
    """The mean of the peers' values of ``metric`` (``None``: no peer has it)."""
    values = [v[metric] for v in peers.figures.values() if metric in v]
    return sum(values) / len(values) if values else None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _complaints(e: Expectation, themes: Sequence[Theme]) -> tuple[int, float | None]:
    linked = [t for t in themes if t.theme in e.themes or t.theme_id in e.themes]
    if not linked:
        return 0, None
    return sum(t.complaints for t in linked), sum(t.share for t in linked)


def _survey_gap(
    e: Expectation, survey: Mapping[str, SurveyScore], drivers: Mapping[str, Driver]
) -> float | None:
    gaps = []
    for a in e.attributes:
        s = survey.get(a)
        if s is None:
            continue
        perception = s.perception
        if perception is None and a in drivers:
            perception = drivers[a].mean_score
        if perception is not None:
            gaps.append(s.expectation - perception)
    return _mean(gaps)


def _peer_gap(e: Expectation, peers: Peers) -> float | None:
    shorts = []
    for m in e.metrics:
        theirs = peer_mean(peers, m)
        if theirs is not None and m in peers.ours:
            shorts.append(shortfall(m, peers.ours[m], theirs))
    return _mean(shorts)


def _feature_gap(e: Expectation, peers: Peers) -> tuple[float | None, tuple[str, ...]]:
    offered = peers.offered()
    compared = [f for f in e.features if f in offered]
    if not compared:
        return None, ()
    missing = tuple(f for f in compared if f not in peers.own_features)
    return len(missing) / len(compared), missing


def gather(
    e: Expectation,
    *,
    themes: Sequence[Theme] = (),
    drivers: Mapping[str, Driver] | None = None,
    survey: Mapping[str, SurveyScore] | None = None,
    survey_range: float = 1.0,
    peers: Peers | None = None,
) -> Evidence:
    """The evidence for ``e``: the complaints of its themes (by theme name or id), the survey
    gap of its attributes (a perception missing from the survey is the driver's mean score),
    their driver importance, the peer gap of its metrics and the feature gap of its features."""
    drivers = drivers or {}
    complaints, share = _complaints(e, themes)
    importances = [drivers[a].importance for a in e.attributes if a in drivers]
    peer_gap, (feature_gap, missing) = (
        (_peer_gap(e, peers), _feature_gap(e, peers)) if peers is not None else (None, (None, ()))
    )
    return Evidence(
        complaints=complaints,
        complaint_share=share,
        survey_gap=_survey_gap(e, survey or {}, drivers),
        survey_range=survey_range,
        importance=min(1.0, sum(importances)) if importances else None,
        peer_gap=peer_gap,
        feature_gap=feature_gap,
        missing_features=missing,
    )


def gap_factor(ev: Evidence) -> float:
    """The largest of the survey gap (share of the scale, 0 when perception meets the
    expectation), the peer gap and the feature gap; :data:`UNKNOWN_GAP` without any."""
    gaps = [g for g in (ev.peer_gap, ev.feature_gap) if g is not None]
    if ev.survey_gap is not None:
        gaps.append(min(1.0, max(0.0, ev.survey_gap) / ev.survey_range))
    return max(gaps) if gaps else UNKNOWN_GAP


def weight_factor(ev: Evidence) -> float:
    """``(1 + kinds of evidence) / 5 + the linked themes' share of complaints``."""
    return (1 + ev.kinds) / 5 + (ev.complaint_share or 0.0)


def suggest(e: Expectation, ev: Evidence) -> Klass:
    """The class the figures suggest: ``guide`` when the effort is 5 for an impact of 2 or less,
    or when the center matches or beats its peers on every compared figure and feature and
    customers still expect more than they perceive; else by effort: ``now`` (1-2), ``medium``
    (3), ``long`` (4-5)."""
    if e.effort >= 5 and e.impact <= 2:
        return "guide"
    compared = [g for g in (ev.peer_gap, ev.feature_gap) if g is not None]
    if compared and max(compared) == 0 and (ev.survey_gap or 0.0) > 0:
        return "guide"
    if e.effort <= 2:
        return "now"
    return "medium" if e.effort == 3 else "long"


def score(e: Expectation, ev: Evidence, default_importance: float = 1.0) -> Scored:
    """``e`` scored (see the module)."""
    importance = ev.importance if ev.importance is not None else default_importance
    gap, weight = gap_factor(ev), weight_factor(ev)
    value = e.impact * importance * gap * weight / e.effort
    return Scored(e, ev, importance, gap, weight, value, suggest(e, ev))


def rank(scored: Sequence[Scored]) -> list[Scored]:
    """Highest score first (ties: impact highest, effort lowest, then id), numbered from 1."""
    ordered = sorted(
        scored,
        key=lambda s: (
            -round(s.score, SCORE_DIGITS),
            -s.expectation.impact,
            s.expectation.effort,
            s.expectation.expectation_id,
        ),
    )
    return [
        Scored(s.expectation, s.evidence, s.importance, s.gap, s.weight, s.score, s.suggested, n)
        for n, s in enumerate(ordered, start=1)
    ]


def default_importance(drivers: Mapping[str, Driver]) -> float:
    """The importance of an expectation none of whose attributes is in the drivers: that of
    an average attribute (1 / their number), or 1 without drivers."""
    return 1 / len(drivers) if drivers else 1.0


__all__ = [
    "CLASSES",
    "MYSTERY_METRICS",
    "Driver",
    "Evidence",
    "Expectation",
    "Klass",
    "Peers",
    "Register",
    "Scored",
    "Source",
    "SurveyScore",
    "Theme",
    "default_importance",
    "gap_factor",
    "gather",
    "peer_mean",
    "rank",
    "score",
    "shortfall",
    "suggest",
    "weight_factor",
]
