"""Every contact life-cycle transition, legal and illegal, checked against a hand-written table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from tests.helpers import T0

from carecenter.domain.contact import Contact
from carecenter.domain.enums import Channel, ContactState
from carecenter.domain.events import ContactAbandoned, ContactAnswered, ContactEvent
from carecenter.errors import DomainError, IllegalTransition

S = ContactState

Command = Callable[[Contact], ContactEvent]
COMMANDS: dict[str, Command] = {
    "queue": lambda c: c.queue("billing", T0),
    "offer": lambda c: c.offer("a1", T0),
    "reject": lambda c: c.reject_offer(T0),
    "answer": lambda c: c.answer("a1", T0),
    "hold": lambda c: c.hold(T0),
    "resume": lambda c: c.resume(T0),
    "transfer": lambda c: c.transfer(T0, to_queue_id="cards"),
    "wrap_up": lambda c: c.wrap_up(T0),
    "end": lambda c: c.end(T0),
    "abandon": lambda c: c.abandon(T0),
    "callback": lambda c: c.request_callback(T0, promise_id="p1", due_at=T0 + timedelta(hours=1)),
}

PATH_TO: dict[ContactState, list[str]] = {
    S.ARRIVED: [],
    S.QUEUED: ["queue"],
    S.OFFERED: ["queue", "offer"],
    S.ANSWERED: ["queue", "offer", "answer"],
    S.ON_HOLD: ["queue", "offer", "answer", "hold"],
    S.TRANSFERRED: ["queue", "offer", "answer", "transfer"],
    S.AFTER_CALL_WORK: ["queue", "offer", "answer", "wrap_up"],
    S.ENDED: ["queue", "offer", "answer", "wrap_up", "end"],
    S.ABANDONED: ["queue", "abandon"],
    S.CALLBACK_REQUESTED: ["queue", "callback"],
}

# Written by hand from the design, not derived from the code's table.
LEGAL: dict[ContactState, dict[str, ContactState]] = {
    S.ARRIVED: {"queue": S.QUEUED, "end": S.ENDED},
    S.QUEUED: {
        "offer": S.OFFERED,
        "answer": S.ANSWERED,
        "abandon": S.ABANDONED,
        "callback": S.CALLBACK_REQUESTED,
        "transfer": S.TRANSFERRED,
        "end": S.ENDED,
    },
    S.OFFERED: {
        "answer": S.ANSWERED,
        "reject": S.QUEUED,
        "abandon": S.ABANDONED,
        "transfer": S.TRANSFERRED,
        "end": S.ENDED,  # an outbound call that did not connect (busy, no answer...)
    },
    S.ANSWERED: {
        "hold": S.ON_HOLD,
        "transfer": S.TRANSFERRED,
        "wrap_up": S.AFTER_CALL_WORK,
        "end": S.ENDED,
    },
    S.ON_HOLD: {
        "resume": S.ANSWERED,
        "transfer": S.TRANSFERRED,
        "wrap_up": S.AFTER_CALL_WORK,
        "end": S.ENDED,
    },
    S.TRANSFERRED: {"queue": S.QUEUED, "end": S.ENDED},
    S.AFTER_CALL_WORK: {"end": S.ENDED},
    S.ENDED: {},
    S.ABANDONED: {},
    S.CALLBACK_REQUESTED: {},
}


def contact_in(state: ContactState) -> Contact:
    contact, _ = Contact.arrive("c1", Channel.VOICE, T0)
    for step in PATH_TO[state]:
        COMMANDS[step](contact)
    assert contact.state is state
    return contact


CASES = [(state, action) for state in ContactState for action in COMMANDS]


@pytest.mark.parametrize(("state", "action"), CASES, ids=[f"{s}-{a}" for s, a in CASES])
def test_every_transition(state: ContactState, action: str) -> None:
    contact = contact_in(state)
    history = len(contact.history)
    expected = LEGAL[state].get(action)
    if expected is None:
        with pytest.raises(IllegalTransition):
            COMMANDS[action](contact)
        assert contact.state is state
        assert len(contact.history) == history
    else:
        event = COMMANDS[action](contact)
        assert contact.state is expected
        assert contact.history[-1] is event
        assert event.contact_id == "c1"


def test_answering_an_abandoned_contact_is_a_domain_error() -> None:
    contact = contact_in(S.ABANDONED)
    with pytest.raises(IllegalTransition, match="contact c1: cannot answer when abandoned"):
        contact.answer("a1", T0)
    assert isinstance(IllegalTransition("contact", "c1", "x", "y"), DomainError)


def test_replay_rebuilds_state_and_checks_transitions() -> None:
    contact = contact_in(S.ENDED)
    again = Contact.replay(contact.history)
    assert again.state is S.ENDED and again.visits == 1 and again.agent_id == "a1"
    bad = [
        *contact.history[:2],
        ContactAnswered(occurred_at=T0, contact_id="c1", queue_id="billing", agent_id="a1"),
        ContactAbandoned(occurred_at=T0, contact_id="c1", queue_id="billing"),
    ]
    with pytest.raises(IllegalTransition):
        Contact.replay(bad)
    with pytest.raises(DomainError, match=r"must start with contact\.arrived"):
        Contact.replay(contact.history[1:])


def test_events_carry_queue_and_agent() -> None:
    contact = contact_in(S.QUEUED)
    offered = contact.offer("a7", T0)
    assert offered.as_dict()["agent_id"] == "a7" and offered.as_dict()["queue_id"] == "billing"
    rejected = contact.reject_offer(T0, reason="declined")
    assert rejected.as_dict()["agent_id"] == "a7" and contact.agent_id is None
    contact.transfer(T0, to_queue_id="cards")
    contact.queue("cards", T0)
    assert contact.visits == 2 and contact.queue_id == "cards"


def test_event_for_another_contact_is_rejected() -> None:
    contact = contact_in(S.QUEUED)
    with pytest.raises(DomainError, match="applied to c1"):
        contact.apply(ContactAbandoned(occurred_at=T0, contact_id="c2", queue_id="billing"))


def test_naive_timestamps_are_rejected() -> None:
    with pytest.raises(DomainError, match="timezone-aware"):
        Contact.arrive("c1", Channel.VOICE, T0.replace(tzinfo=None))
