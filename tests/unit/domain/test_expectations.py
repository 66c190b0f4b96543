"""The evaluation table on a hand-built register gives the hand-computed scores and ranking.

Evidence (scale 1-10, range 9):

* themes: waiting (T0) 40 complaints, share 0.4; fees (T1) 30, 0.3; app (T2) 20, 0.2;
* drivers: waiting importance 0.5 (mean 6.0), staff 0.3 (8.0), app 0.2 (7.0): 3 attributes, so
  an expectation without one has importance 1/3;
* survey: waiting expected 8.7 (perceived: the driver mean 6.0, gap 2.7 = 0.3 of the scale),
  staff 7.5 / 8.0 (gap -0.5: met, 0), app 8.0 / 6.2 (gap 1.8 = 0.2);
* peers: bank-a connects 0.9 of mystery calls after 30 s and offers callback and chat, bank-b
  0.8 after 50 s and offers callback; the center 0.85 after 60 s and offers chat. Peer means:
  connection 0.85 (no shortfall), wait 40 s (shortfall (60 - 40) / 60 = 1/3).

score = impact x importance x gap x weight / effort, weight = (1 + kinds) / 5 + share:

* E1 (waiting; wait_s and connection_rate; callback), impact 5, effort 2: importance 0.5;
  gap max(0.3, (1/3 + 0) / 2, callback missing 1) = 1; kinds 4, weight 1 + 0.4 = 1.4:
  5 x 0.5 x 1 x 1.4 / 2 = 1.75; suggested now (effort 2).
* E5 and A6 (waiting; callback), impact 5, effort 2: importance 1/3; gap 1; kinds 2
  (complaints, peers), weight 0.6 + 0.4 = 1: 5/6 = 0.8333; a tie, A6 first by id.
* E2 (fees), impact 4, effort 4: importance 1/3; gap unknown 0.5; weight 0.4 + 0.3 = 0.7:
  4 x 1/3 x 0.5 x 0.7 / 4 = 0.11667; suggested long.
* E4 (T2 by id; app; connection_rate), impact 3, effort 5: importance 0.2; gap max(0.2, 0) =
  0.2; weight 1 + 0.2 = 1.2: 3 x 0.2 x 0.2 x 1.2 / 5 = 0.0288; suggested guide: as good as the
  peers, yet customers expect more.
* E3 (staff; chat), impact 3, effort 3: importance 0.3; gap max(0, 0) = 0: score 0.
"""

from __future__ import annotations

import pytest

from carecenter.domain.expectations import (
    Driver,
    Evidence,
    Expectation,
    Peers,
    SurveyScore,
    Theme,
    default_importance,
    gather,
    rank,
    score,
    shortfall,
    suggest,
)

THEMES = [
    Theme("T0", "waiting", 40, 0.4),
    Theme("T1", "fees", 30, 0.3),
    Theme("T2", "app", 20, 0.2),
    Theme("T3", "other", 10, 0.1),
]
DRIVERS = {
    "waiting": Driver("waiting", 0.5, 6.0),
    "staff": Driver("staff", 0.3, 8.0),
    "app": Driver("app", 0.2, 7.0),
}
SURVEY = {
    "waiting": SurveyScore("waiting", 8.7),
    "staff": SurveyScore("staff", 7.5, 8.0),
    "app": SurveyScore("app", 8.0, 6.2),
}
PEERS = Peers(
    figures={
        "bank-a": {"connection_rate": 0.9, "wait_s": 30.0},
        "bank-b": {"connection_rate": 0.8, "wait_s": 50.0},
    },
    features={"bank-a": frozenset({"callback", "chat"}), "bank-b": frozenset({"callback"})},
    ours={"connection_rate": 0.85, "wait_s": 60.0},
    own_features=frozenset({"chat"}),
)
REGISTER = [
    Expectation(
        "E1",
        "Reach a person fast",
        themes=("waiting",),
        attributes=("waiting",),
        metrics=("wait_s", "connection_rate"),
        features=("callback",),
        effort=2,
        impact=5,
    ),
    Expectation("E2", "Fees explained", themes=("fees",), effort=4, impact=4),
    Expectation(
        "E3", "Staff who know", attributes=("staff",), features=("chat",), effort=3, impact=3
    ),
    Expectation(
        "E4",
        "A human in 10 seconds",
        themes=("T2",),
        attributes=("app",),
        metrics=("connection_rate",),
        effort=5,
        impact=3,
    ),
    Expectation(
        "E5",
        "Call me back",
        themes=("waiting",),
        features=("callback",),
        klass="medium",
        effort=2,
        impact=5,
    ),
    Expectation(
        "A6", "Call me back too", themes=("waiting",), features=("callback",), effort=2, impact=5
    ),
]


def table() -> list[tuple[str, float, str, str]]:
    base = default_importance(DRIVERS)
    scored = [
        score(
            e,
            gather(e, themes=THEMES, drivers=DRIVERS, survey=SURVEY, survey_range=9, peers=PEERS),
            base,
        )
        for e in REGISTER
    ]
    return [(s.expectation.expectation_id, s.score, s.suggested, s.klass) for s in rank(scored)]


def test_hand_computed_ranking() -> None:
    got = table()
    assert [g[0] for g in got] == ["E1", "A6", "E5", "E2", "E4", "E3"]
    assert [g[1] for g in got] == pytest.approx(
        [1.75, 5 / 6, 5 / 6, 4 * (1 / 3) * 0.5 * 0.7 / 4, 0.0288, 0.0], rel=1e-12, abs=1e-15
    )
    assert [g[2] for g in got] == ["now", "now", "now", "long", "guide", "medium"]
    assert [g[3] for g in got] == ["now", "now", "medium", "long", "guide", "medium"]


def test_evidence_of_e1() -> None:
    ev = gather(
        REGISTER[0], themes=THEMES, drivers=DRIVERS, survey=SURVEY, survey_range=9, peers=PEERS
    )
    assert ev.complaints == 40 and ev.complaint_share == 0.4
    assert ev.survey_gap == pytest.approx(2.7) and ev.importance == 0.5
    assert ev.peer_gap == pytest.approx(1 / 6) and ev.feature_gap == 1.0
    assert ev.missing_features == ("callback",) and ev.kinds == 4
    scored = score(REGISTER[0], ev)
    assert (scored.importance, scored.gap, scored.weight) == (0.5, 1.0, pytest.approx(1.4))


def test_the_missing_features_and_shortfalls() -> None:
    assert PEERS.missing() == {"callback": ["bank-a", "bank-b"]}
    assert PEERS.offered() == {"callback": ["bank-a", "bank-b"], "chat": ["bank-a"]}
    assert shortfall("wait_s", 60, 40) == pytest.approx(1 / 3)
    assert shortfall("wait_s", 30, 40) == 0.0
    assert shortfall("connection_rate", 0.6, 0.8) == pytest.approx(0.25)
    assert shortfall("ease_of_use", 4.5, 4.0) == 0.0


def test_ties_break_by_impact_then_effort_then_id() -> None:
    # no evidence: importance 1, gap 0.5, weight 0.2: impact x 0.1 / effort
    a = Expectation("a", "x", impact=2, effort=1)  # 0.2
    b = Expectation("b", "y", impact=4, effort=2)  # 0.2, higher impact
    c = Expectation("c", "z", impact=1, effort=1)  # 0.1
    d = Expectation("d", "w", impact=1, effort=1)  # 0.1, same as c: by id
    ranked = rank([score(e, Evidence()) for e in (d, c, a, b)])
    assert [(s.expectation.expectation_id, s.rank) for s in ranked] == [
        ("b", 1),
        ("a", 2),
        ("c", 3),
        ("d", 4),
    ]
    assert ranked[0].score == pytest.approx(0.2) and ranked[2].score == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("effort", "impact", "klass"),
    [
        (1, 1, "now"),
        (2, 5, "now"),
        (3, 3, "medium"),
        (4, 2, "long"),
        (5, 3, "long"),
        (5, 2, "guide"),
    ],
)
def test_suggested_class_by_effort(effort: int, impact: int, klass: str) -> None:
    assert suggest(Expectation("x", "x", effort=effort, impact=impact), Evidence()) == klass


def test_no_guide_without_a_peer_comparison() -> None:
    # customers expect more, but nobody compared the center with its peers: by effort
    ev = Evidence(survey_gap=1.0)
    assert suggest(Expectation("x", "x", effort=2), ev) == "now"
    assert suggest(Expectation("x", "x", effort=2), Evidence(survey_gap=1.0, peer_gap=0.0)) == (
        "guide"
    )
