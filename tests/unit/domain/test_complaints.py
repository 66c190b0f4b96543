"""The reasonable-complaint filter: each rule on hand-made texts, the order of the rules, and
duplicates by time received and customer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from carecenter.domain.complaints import (
    KEPT,
    SET_ASIDE,
    Complaint,
    Scope,
    Screen,
    dissatisfied,
    gathered,
    normalise,
    screen,
    spam_reason,
    unmasked,
)
from carecenter.domain.projection import ContactRow, SurveyAnswerRow


def day(d: int) -> datetime:
    return datetime(2026, 3, d, 9, tzinfo=UTC)


def complaint(ident: str, text: str, d: int = 1, **more: str) -> Complaint:
    return Complaint(ident, day(d), text, **more)


def test_masks_and_normalised_text() -> None:
    assert unmasked("On XX/XX/XXXX I paid XXXX XXXX").split() == ["On", "I", "paid"]
    # an X inside a word is not a mask
    assert unmasked("Exxon and XXX") == "Exxon and  "
    assert normalise("  The ＢＡＮＫ charged me —  TWICE!!  ") == "the bank charged me twice"
    assert normalise("On XX/XX/2019, I called.") == normalise("on 2019 i called")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12345 678", "spam: no letters"),
        ("!!!! ????", "spam: no letters"),
        ("XXXX 1234", "spam: no letters"),
        ("http://cheap.example/pills www.x.example buy", "spam: mostly links"),
        ("aaaaaaaaaaaaaaaaaaaa hello", "spam: repeated characters"),
        ("help!!!!!!!!!!!!!!!!!!!!", "spam: repeated characters"),
        ("test", "spam: too short"),
        ("XXXX refund", "spam: too short"),
        ("Inaccurate information", None),
        ("XXXX XXXX gas card is not mine", None),
        ("See https://bank.example/statement: they charged me twice for one purchase", None),
        ("I was charged twice!!!!!! Please refund the second payment to my account.", None),
    ],
)
def test_spam_rules(text: str, reason: str | None) -> None:
    assert spam_reason(text) == reason


def test_scope() -> None:
    scope = Scope(
        products=frozenset({"Mortgage", "Credit card"}),
        exclude_keywords=("job application", "unsubscribe"),
    )
    assert scope.reason("Student loan", "x") == "out of scope: product 'Student loan'"
    assert scope.reason(None, "x") == "out of scope: product '(none)'"
    assert scope.reason("Mortgage", "About my JOB-application, sent in May") == (
        "out of scope: keyword 'job application'"
    )
    # whole words only: "unsubscribed" is not "unsubscribe"
    assert scope.reason("Mortgage", "I unsubscribed from the emails") is None
    no = Scope(exclude_products=frozenset({"Student loan"}))
    assert no.reason("Student loan", "x") == "out of scope: product 'Student loan'"
    assert no.reason(None, "x") is None


def test_rules_in_order_and_nothing_deleted() -> None:
    scope = Scope(exclude_products=frozenset({"Student loan"}))
    given = [
        complaint("a", "   "),
        complaint("b", "XXXX XX/XX/XXXX"),
        complaint("c", "cheap", product="Student loan"),  # spam before out of scope
        complaint("d", "They keep calling me about a loan", product="Student loan"),
        complaint("e", "They keep calling me about a debt I do not owe"),
    ]
    out = Screen(scope).batch(given)
    assert [(c.complaint_id, c.status, c.reason) for c in out] == [
        ("a", SET_ASIDE, "no text"),
        ("b", SET_ASIDE, "no text"),
        ("c", SET_ASIDE, "spam: too short"),
        ("d", SET_ASIDE, "out of scope: product 'Student loan'"),
        ("e", KEPT, None),
    ]
    assert [c.text for c in out] == [c.text for c in given]


def test_duplicates_by_time_received_and_customer() -> None:
    text = "The bank charged me twice for the same purchase."
    out = screen(
        [
            complaint("late", text, 5),
            complaint("early", "the bank charged me TWICE for the same purchase", 2),
            complaint("other-customer", text, 6, customer_id="crm:c2"),
            complaint("same-customer", text + "  ", 7, customer_id="crm:c2"),
            complaint("reimport", text, 9),
        ]
    )
    got = {c.complaint_id: c.reason for c in out}
    assert [c.complaint_id for c in out] == [
        "early",
        "late",
        "other-customer",
        "same-customer",
        "reimport",
    ]
    assert got == {
        "early": None,
        "late": "duplicate of early",
        "other-customer": None,  # a known customer is not the unknown one
        "same-customer": "duplicate of other-customer",
        "reimport": "duplicate of early",
    }


def test_batches_remember_what_was_kept() -> None:
    s = Screen()
    first = s.batch([complaint("f1", "My card was declined at the store", 4)])
    second = s.batch(
        [
            complaint("f2", "My card was declined at the store", 1),  # earlier, later file
            complaint("f1", "My card was declined at the store", 4),  # the same complaint again
        ]
    )
    assert first[0].status == KEPT
    assert [(c.complaint_id, c.reason) for c in second] == [
        ("f2", "duplicate of f1"),
        ("f1", None),
    ]


def test_queue_is_the_queue_else_the_product() -> None:
    assert complaint("a", "t", queue_id="billing", product="Mortgage").queue == "billing"
    assert complaint("a", "t", product="Mortgage").queue == "Mortgage"


@pytest.mark.parametrize(
    ("question", "scale_max", "low"),
    [
        ("csat", 5, {1, 2, 3}),  # below CSAT_SATISFIED (4)
        ("CSAT ", 5, {1, 2, 3}),
        ("nps", 10, {0, 1, 2, 3, 4, 5, 6}),  # detractors (at most 6)
        ("ces", 7, {5, 6, 7}),  # above the middle (4) of 1..7: hard
        ("ces", 5, {4, 5}),
        ("overall", 5, {1, 2}),  # below the middle (3) of 1..5
        ("overall", 10, {0, 1, 2, 3, 4, 5}),  # below 5.5
        ("agree", 7, {1, 2, 3}),
        ("csat", 7, {1, 2, 3}),  # off its usual scale: the lower half
    ],
)
def test_dissatisfied_answers(question: str, scale_max: int, low: set[int]) -> None:
    scores = range(0 if scale_max == 10 else 1, scale_max + 1)
    assert {x for x in scores if dissatisfied(question, x, scale_max)} == low


def test_the_three_sources_are_screened_together_and_counted() -> None:
    def ended(cid: str, d: int, note: str | None, topic: str | None = None) -> ContactRow:
        return ContactRow(cid, customer_id="u1", topic=topic, ended_at=day(d), note=note)

    def answer(sid: str, question: str, score: int, top: int, text: str) -> SurveyAnswerRow:
        return SurveyAnswerRow(sid, question, score, top, day(6), "k1", "u2", comment=text)

    imported = [complaint("cfpb:1", "The bank closed my account without notice", 1)]
    contacts = [
        (ended("k1", 2, "Charged twice for the same order"), "billing"),
        (ended("k2", 3, None, topic="cards"), None),  # no note: counted, not themed
        (ended("k3", 4, "  ", topic="cards"), None),  # only spaces: no note either
        (ended("k4", 5, "charged twice for the same order!"), "billing"),  # same customer
    ]
    answers = [
        (answer("s1", "csat", 2, 5, "Nobody called me back"), "billing"),
        (answer("s1", "nps", 3, 10, "Nobody called me back"), "billing"),  # same survey
        (answer("s2", "csat", 5, 5, "Lovely people, thank you"), None),  # satisfied
        (answer("s3", "ces", 7, 7, "!!!!"), None),  # hard, but spam
    ]
    found = gathered(imported, contacts, answers)
    assert [(c.complaint_id, c.text, c.queue) for c in found.kept] == [
        ("cfpb:1", "The bank closed my account without notice", None),
        ("contact:k1", "Charged twice for the same order", "billing"),
        ("survey:s1", "Nobody called me back", "billing"),
    ]
    assert found.notes == [
        "complaints: 3 (1 imported, 1 from contacts with disposition complaint, "
        "1 from dissatisfied survey comments)",
        "2 complaint contacts without a note: counted, not themed",
        "1 complaints from contacts set aside: duplicate",
        "1 complaints from survey comments set aside: spam: no letters",
    ]
