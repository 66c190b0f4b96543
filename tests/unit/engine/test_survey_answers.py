"""The post-contact survey of a live contact (``ContactEngine.answer_survey``): one
``survey.answered`` per score, on the scales of :mod:`carecenter.domain.surveys`, the customer
of an identified contact, the comment on the first answer (csat, ces, nps)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from tests.unit.engine.builders import T0, Run, agent, center, queue

from carecenter.domain.enums import Channel
from carecenter.domain.events import SurveyAnswered
from carecenter.domain.projection import ProjectionState, fold
from carecenter.engine.engine import ContactEngine
from carecenter.errors import DomainError


def answered_run() -> Run:
    """ann answers c1 of customer 10001 at 10 s; c2 (no customer) waits."""
    run = Run(center([queue("q")], [agent("ann")]))
    run.do("sign_in", "ann")
    run.do("arrive", "c1", Channel.VOICE, "q", customer_id="10001")
    run.at(10).do("accept", "c1", "ann")
    run.do("arrive", "c2", Channel.VOICE, "q")
    return run


def answers(events: Sequence[object]) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for e in events:
        assert isinstance(e, SurveyAnswered)
        out.append(
            (e.survey_id, e.question, e.score, e.scale_max, e.contact_id, e.customer_id, e.comment)
        )
    return out


def test_each_score_is_one_event_in_the_order_csat_ces_nps_with_the_comment_on_the_first() -> None:
    run = answered_run()
    out = run.at(95).do(
        "answer_survey", "c1", {"nps": 9, "ces": 2, "csat": 4}, comment="  Quick and kind.  "
    )
    assert answers(out) == [
        ("post-contact:c1", "csat", 4, 5, "c1", "10001", "Quick and kind."),
        ("post-contact:c1", "ces", 2, 7, "c1", "10001", None),
        ("post-contact:c1", "nps", 9, 10, "c1", "10001", None),
    ]
    assert {e.occurred_at for e in out} == {T0 + timedelta(seconds=95)}
    assert [e.name for e in out] == ["survey.answered"] * 3


def test_without_csat_the_comment_goes_on_the_effort_answer_then_on_nps() -> None:
    run = answered_run()
    out = run.do("answer_survey", "c1", {"nps": 3, "ces": 6}, comment="Three transfers.")
    assert [(a[1], a[6]) for a in answers(out)] == [("ces", "Three transfers."), ("nps", None)]
    out = run.do("answer_survey", "c1", {"nps": 0}, comment="Never again.", survey_id="ivr-7")
    assert answers(out) == [("ivr-7", "nps", 0, 10, "c1", "10001", "Never again.")]
    blank = run.do("answer_survey", "c1", {"csat": 1}, comment="   ", survey_id="  ")
    assert answers(blank) == [("post-contact:c1", "csat", 1, 5, "c1", "10001", None)]


def test_an_ended_or_never_seen_contact_is_answered_without_a_customer() -> None:
    run = answered_run()
    run.at(60).do("end", "c1", resolved=True)
    out = run.at(120).do("answer_survey", "c1", {"csat": 5})
    assert answers(out) == [("post-contact:c1", "csat", 5, 5, "c1", None, None)]
    waiting = run.do("answer_survey", "c2", {"csat": 2})  # live, not identified
    assert answers(waiting) == [("post-contact:c2", "csat", 2, 5, "c2", None, None)]
    stranger = run.do("answer_survey", "mail-77", {"ces": 7})
    assert answers(stranger) == [("post-contact:mail-77", "ces", 7, 7, "mail-77", None, None)]


@pytest.mark.parametrize(
    ("question", "score"),
    [("csat", 1), ("csat", 5), ("ces", 1), ("ces", 7), ("nps", 0), ("nps", 10)],
)
def test_the_ends_of_each_scale_are_accepted(question: str, score: int) -> None:
    (event,) = answered_run().do("answer_survey", "c1", {question: score})
    assert isinstance(event, SurveyAnswered)
    assert (event.question, event.score) == (question, score)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"csat": 0}, "csat score 0 is not on its scale 1..5"),
        ({"csat": 6}, "csat score 6 is not on its scale 1..5"),
        ({"ces": 0}, "ces score 0 is not on its scale 1..7"),
        ({"ces": 8}, "ces score 8 is not on its scale 1..7"),
        ({"nps": -1}, "nps score -1 is not on its scale 0..10"),
        ({"csat": 4, "nps": 11}, "nps score 11 is not on its scale 0..10"),
        ({"csat": 4, "effort": 2}, "unknown survey question 'effort' (questions: csat, ces, nps)"),
        ({}, "a survey answer needs a score for csat, ces or nps"),
    ],
)
def test_a_score_off_its_scale_or_an_unknown_question_is_refused_whole(
    given: dict[str, int], message: str
) -> None:
    run = answered_run()
    with pytest.raises(DomainError) as refused:
        run.do("answer_survey", "c1", given)
    assert str(refused.value) == message
    assert run.engine.advance() == []  # nothing half-told: not the valid csat either


def test_a_blank_contact_id_is_refused() -> None:
    with pytest.raises(DomainError, match="needs the contact"):
        answered_run().do("answer_survey", " ", {"csat": 3})


def test_a_later_answer_to_the_same_question_replaces_the_earlier_in_the_warehouse() -> None:
    run = answered_run()
    first = run.at(100).do("answer_survey", "c1", {"csat": 2, "nps": 5}, comment="Slow.")
    later = run.at(200).do("answer_survey", "c1", {"csat": 4})
    state = ProjectionState()
    for seq, event in enumerate([*first, *later], start=1):
        fold(state, seq, event)
    rows = {k: (r.score, r.comment, r.last_seq) for k, r in state.survey_answers.items()}
    # the comment went with the replaced csat answer: the later answer gave none
    assert rows == {
        ("post-contact:c1", "csat"): (4, None, 3),
        ("post-contact:c1", "nps"): (5, None, 2),
    }


def test_an_engine_replayed_over_survey_answers_is_the_same_engine() -> None:
    run = answered_run()
    run.at(30).do("answer_survey", "c1", {"csat": 5, "ces": 1})
    run.at(60).do("end", "c1")
    run.at(90).do("answer_survey", "c1", {"nps": 10})
    rebuilt = ContactEngine.replay(run.engine.center, run.events, run.clock)
    assert rebuilt.snapshot() == run.engine.snapshot()
    assert rebuilt.is_waiting("c2")
