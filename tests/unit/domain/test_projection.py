"""Facts from hand-written scenarios; the expected numbers are worked out by hand."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.helpers import T0

from carecenter.adapters.memory import InMemoryEventLog, InMemoryWarehouse
from carecenter.domain.agent_state import AgentSession
from carecenter.domain.contact import Contact
from carecenter.domain.enums import AgentStatus, Channel
from carecenter.domain.events import ContactEnded, Event, SurveyAnswered
from carecenter.domain.projection import SurveyAnswerRow
from carecenter.services.projector import project


def run(events: list[Event]) -> InMemoryWarehouse:
    log, warehouse = InMemoryEventLog(), InMemoryWarehouse()
    log.append(events)
    project(log, warehouse)
    return warehouse


def s(x: float):
    return T0 + timedelta(seconds=x)


def test_ring_no_answer_hold_transfer_and_after_call_work() -> None:
    c, arrived = Contact.arrive(
        "c1", Channel.VOICE, s(0), customer_id="u1", tier="vip", topic="billing"
    )
    events = [
        arrived,
        c.queue("billing", s(5)),
        c.offer("a1", s(20)),
        c.reject_offer(s(32)),
        c.offer("a2", s(40)),
        c.answer("a2", s(45)),
        c.hold(s(120)),
        c.resume(s(150)),
        c.transfer(s(240), to_queue_id="cards", kind="attended"),
        c.queue("cards", s(240)),
        c.answer("a3", s(270)),
        c.wrap_up(s(450)),
        c.end(s(480), resolved=True),
    ]
    wh = run(events)
    first, second = wh.contact_facts[("c1", 1)], wh.contact_facts[("c1", 2)]
    assert (first.queue_id, first.agent_id, first.offers, first.offered_at) == (
        "billing",
        "a2",
        2,
        s(20),
    )
    assert (first.wait_s, first.talk_s, first.hold_s, first.acw_s) == (40.0, 165.0, 30.0, 0.0)
    assert (first.outcome, first.transferred_in, first.transferred_out) == ("answered", False, True)
    assert first.ended_at == s(240) and first.tier == "vip" and first.customer_id == "u1"
    assert (second.queue_id, second.agent_id, second.wait_s, second.talk_s, second.acw_s) == (
        "cards",
        "a3",
        30.0,
        180.0,
        30.0,
    )
    assert (second.transferred_in, second.transferred_out, second.resolved) == (True, False, True)
    contact = wh.contacts["c1"]
    assert (contact.visits, contact.state, contact.ended_at, contact.resolved) == (
        2,
        "ended",
        s(480),
        True,
    )


def test_unanswered_outcomes() -> None:
    events: list[Event] = []
    for cid, finish in [
        ("short", "abandon4"),
        ("long", "abandon90"),
        ("cb", "callback"),
        ("flow", "flow"),
        ("exit", "exit"),
        ("open", "none"),
    ]:
        c, arrived = Contact.arrive(cid, Channel.VOICE, s(0))
        events += [arrived, c.queue("billing", s(0))]
        if finish.startswith("abandon"):
            events.append(c.abandon(s(int(finish[7:]))))
        elif finish == "callback":
            events.append(c.request_callback(s(60), promise_id="p", due_at=s(3600)))
        elif finish == "flow":
            events += [
                c.transfer(s(30), to_queue_id="overflow"),
                c.queue("overflow", s(30)),
                c.answer("a9", s(35)),
                c.end(s(100)),
            ]
        elif finish == "exit":
            events.append(c.end(s(300), ended_by="system", reason="timeout"))
    wh = run(events)
    f = wh.contact_facts
    assert (f[("short", 1)].outcome, f[("short", 1)].wait_s) == ("abandoned", 4.0)
    assert (f[("long", 1)].outcome, f[("long", 1)].abandoned_at) == ("abandoned", s(90))
    assert (f[("cb", 1)].outcome, f[("cb", 1)].callback_requested) == ("callback", True)
    assert (f[("flow", 1)].outcome, f[("flow", 1)].wait_s, f[("flow", 1)].transferred_out) == (
        "flowed_out",
        30.0,
        True,
    )
    assert (f[("flow", 2)].outcome, f[("flow", 2)].wait_s, f[("flow", 2)].talk_s) == (
        "answered",
        5.0,
        65.0,
    )
    assert (f[("exit", 1)].outcome, f[("exit", 1)].wait_s) == ("exited", 300.0)
    assert (f[("open", 1)].outcome, f[("open", 1)].wait_s, f[("open", 1)].ended_at) == (
        "open",
        None,
        None,
    )
    assert wh.contacts["cb"].state == "callback_requested"
    assert wh.contacts["short"].state == "abandoned"


def test_agent_state_intervals() -> None:
    a = AgentSession("a1")
    h = 3600
    events: list[Event] = [
        a.log_in(s(-h)),
        a.change(AgentStatus.BUSY, s(0)),
        a.change(AgentStatus.AFTER_CALL_WORK, s(300)),
        a.make_available(s(360)),
        a.take_break(s(3 * h), "lunch"),
        a.make_available(s(3.5 * h)),
        a.log_out(s(8 * h)),
    ]
    wh = run(events)
    rows = sorted(wh.agent_state_intervals.values(), key=lambda r: r.start_seq)
    assert [(r.state, r.duration_s, r.reason) for r in rows] == [
        ("available", 3600.0, None),
        ("busy", 300.0, None),
        ("after_call_work", 60.0, None),
        ("available", 10440.0, None),
        ("break", 1800.0, "lunch"),
        ("available", 16200.0, None),
    ]
    assert all(r.end_at is not None for r in rows)


def test_projection_can_stop_anywhere_and_resume() -> None:
    c, arrived = Contact.arrive("c1", Channel.CHAT, s(0))
    events = [
        arrived,
        c.queue("chat", s(1)),
        c.answer("a1", s(11)),
        c.hold(s(20)),
        c.resume(s(50)),
        c.end(s(100)),
    ]
    log, wh = InMemoryEventLog(), InMemoryWarehouse()
    for event in events:
        log.append([event])
        project(log, wh, batch_size=1)
    fact = wh.contact_facts[("c1", 1)]
    assert (fact.wait_s, fact.talk_s, fact.hold_s, fact.channel) == (10.0, 59.0, 30.0, "chat")
    assert project(log, wh).events == 0


def test_survey_answers_become_rows_and_a_later_answer_replaces_an_earlier_one() -> None:
    _, arrived = Contact.arrive("c1", Channel.CHAT, s(0), customer_id="u1")

    def answer(at: float, survey: str, question: str, score: int, **more: Any) -> Event:
        return SurveyAnswered(
            occurred_at=s(at), survey_id=survey, question=question, score=score, **more
        )

    mine = {"contact_id": "c1", "customer_id": "u1"}
    events: list[Event] = [
        arrived,
        answer(60, "s1", "csat", 2, **mine),
        answer(70, "s1", "nps", 9, scale_max=10, **mine),
        answer(90, "s1", "csat", 4, **mine),
        answer(95, "s2", "csat", 5),
    ]
    wh = run(events)
    assert wh.survey_answers == {
        ("s1", "csat"): SurveyAnswerRow("s1", "csat", 4, 5, s(90), "c1", "u1", 4),
        ("s1", "nps"): SurveyAnswerRow("s1", "nps", 9, 10, s(70), "c1", "u1", 3),
        ("s2", "csat"): SurveyAnswerRow("s2", "csat", 5, 5, s(95), None, None, 5),
    }
    assert wh.contacts["c1"].last_seq == 1  # an answer does not touch its contact


def test_the_wrap_up_code_note_and_survey_comment_reach_their_rows() -> None:
    c, arrived = Contact.arrive("c1", Channel.VOICE, s(0), customer_id="u1")
    quiet, arrived_too = Contact.arrive("c2", Channel.VOICE, s(1))
    events: list[Event] = [
        arrived,
        c.queue("billing", s(5)),
        c.answer("a1", s(15)),
        ContactEnded(
            occurred_at=s(100),
            contact_id="c1",
            ended_by="agent",
            resolved=False,
            disposition="Complaint",
            note="Charged twice for one order.",
        ),
        arrived_too,
        quiet.end(s(30)),
        SurveyAnswered(
            occurred_at=s(200), survey_id="s1", question="csat", score=1, comment="Rude agent."
        ),
    ]
    wh = run(events)
    one, two = wh.contacts["c1"], wh.contacts["c2"]
    assert (one.resolved, one.disposition, one.note, one.ended_at) == (
        False,
        "Complaint",  # kept as given; `voc themes` compares it lower-cased
        "Charged twice for one order.",
        s(100),
    )
    assert (two.disposition, two.note) == (None, None)
    assert wh.contact_facts[("c1", 1)].resolved is False
    assert wh.survey_answers[("s1", "csat")] == SurveyAnswerRow(
        "s1", "csat", 1, 5, s(200), None, None, 7, "Rude agent."
    )
    # the in-memory warehouse's readers of complaint contacts and comments
    assert wh.disposed_contacts(("complaint",), None, None) == [(one, "billing")]
    assert wh.disposed_contacts(("complaint",), s(0), s(100)) == []  # ended at s(100)
    assert wh.disposed_contacts(("sales",), None, None) == []
    assert wh.commented_answers(s(200), s(201)) == [(wh.survey_answers[("s1", "csat")], None)]
    assert wh.commented_answers(None, s(200)) == []
