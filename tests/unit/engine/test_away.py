"""An agent asks for a break or to sign out while holding a contact ("not ready after this
call"): nothing new is offered to them, and they go when the contact is over."""

from __future__ import annotations

import pytest
from tests.unit.engine.builders import Run, agent, center, queue

from carecenter.adapters.memory import FakeClock
from carecenter.domain.enums import Channel
from carecenter.engine.engine import ContactEngine
from carecenter.errors import IllegalTransition

NAMES = ("contact.offered", "agent.state_changed", "agent.away_requested", "contact.answered")


def busy_run() -> Run:
    run = Run(center([queue("q")], [agent("ann"), agent("bob")]))
    run.do("sign_in", "ann")
    run.do("arrive", "c1", Channel.VOICE, "q")
    run.do("accept", "c1", "ann")
    return run


def test_a_break_asked_for_during_a_call_starts_when_the_call_ends() -> None:
    run = busy_run()
    run.at(60).do("start_break", "ann", "lunch", when_free=True)
    run.at(70).do("arrive", "c2", Channel.VOICE, "q")  # waits: ann is going away
    run.at(120).do("end", "c1")
    assert run.lines(NAMES)[-1] == "120 agent.state_changed agent_id=ann state=break reason=lunch"
    assert "60 agent.away_requested agent_id=ann state=break reason=lunch" in run.lines(NAMES)
    assert not any("contact_id=c2" in line for line in run.lines(["contact.offered"]))
    run.at(130).do("sign_in", "bob")
    assert (
        run.lines(["contact.offered"])[-1]
        == "130 contact.offered contact_id=c2 agent_id=bob queue_id=q"
    )


def test_signing_out_during_a_call_waits_for_its_end() -> None:
    run = busy_run()
    run.at(30).do("sign_out", "ann", when_free=True)
    assert run.engine.is_signed_in("ann")
    run.at(90).do("end", "c1")
    assert run.lines(["agent.state_changed"])[-1] == (
        "90 agent.state_changed agent_id=ann state=logged_out"
    )
    assert not run.engine.is_signed_in("ann")


def test_a_break_called_off_before_it_began_leaves_the_agent_working() -> None:
    run = busy_run()
    run.at(10).do("start_break", "ann", when_free=True)
    assert run.engine.is_going_on_break("ann")
    run.at(20).do("end_break", "ann")
    assert not run.engine.is_going_on_break("ann")
    run.at(30).do("arrive", "c2", Channel.VOICE, "q")
    run.at(40).do("end", "c1")
    assert (
        run.lines(["contact.offered"])[-1]
        == "40 contact.offered contact_id=c2 agent_id=ann queue_id=q"
    )


def test_without_when_free_an_agent_holding_a_contact_cannot_leave() -> None:
    run = busy_run()
    with pytest.raises(IllegalTransition):
        run.do("start_break", "ann")
    with pytest.raises(IllegalTransition):
        run.do("sign_out", "ann")


def test_a_pending_break_is_rebuilt_by_replay() -> None:
    run = busy_run()
    run.at(60).do("start_break", "ann", when_free=True)
    rebuilt = ContactEngine.replay(run.engine.center, run.events, FakeClock(run.clock.now()))
    assert rebuilt.snapshot() == run.engine.snapshot()
    assert rebuilt.is_going_on_break("ann")
