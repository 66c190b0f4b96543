"""What a history without agent states shows of its agents: when they were at work
(stretches between long pauses), which queues they served, when they were not free although a
customer waited, and the after-call work hidden in their pauses. Hand-made histories whose
answers can be worked out on paper."""

from __future__ import annotations

from datetime import datetime

import pytest

from carecenter.errors import DomainError
from carecenter.sim.calibration import (
    MIN_QUEUE_SHARE,
    away_spells,
    busy_pauses,
    rosters,
    served_queues,
    slot_exposure,
)


def test_a_pause_longer_than_the_gap_ends_a_stretch_at_work() -> None:
    services = [
        ("ann", "PS", 150.0, 200.0),
        ("ann", "PS", 0.0, 100.0),  # out of order: sorted per agent
        ("ann", "PS", 2000.0, 2100.0),  # 1,800 s free before it: a new stretch
        ("bob", "NE", 50.0, 50.0),  # a contact of 0 s: at work for a second
    ]
    assert rosters(services, gap_s=900) == {
        "ann": ((0.0, 200.0), (2000.0, 2100.0)),
        "bob": ((50.0, 51.0),),
    }
    assert rosters(services, gap_s=1800) == {"ann": ((0.0, 2100.0),), "bob": ((50.0, 51.0),)}


def test_a_contact_inside_a_longer_one_does_not_end_the_stretch() -> None:
    # an agent answering a second contact while on the first (e.g. a consult): still at work
    services = [("ann", "PS", 0.0, 500.0), ("ann", "PS", 100.0, 200.0), ("ann", "PS", 1300, 1400)]
    assert rosters(services, gap_s=900) == {"ann": ((0.0, 1400.0),)}


def test_the_gap_cannot_be_negative() -> None:
    with pytest.raises(DomainError):
        rosters([], gap_s=-1)


def test_an_agent_serves_the_queues_of_at_least_one_percent_of_their_contacts() -> None:
    assert MIN_QUEUE_SHARE == 0.01
    services = [("ann", "PS", 0.0, 1.0)] * 99 + [("ann", "NE", 0.0, 1.0)]
    services += [("bob", "PS", 0.0, 1.0)] * 200 + [("bob", "NE", 0.0, 1.0)]
    assert served_queues(services) == {
        "ann": frozenset({"PS", "NE"}),  # 1 of 100: just enough
        "bob": frozenset({"PS"}),  # 1 of 201: a stray contact
    }


def test_an_agent_between_contacts_is_away_while_a_customer_of_their_queues_waits() -> None:
    services = [("ann", "PS", 0.0, 100.0), ("ann", "PS", 300.0, 400.0)]
    waits = [
        ("PS", 150.0, 250.0),  # somebody else answered (or it was abandoned) at 250
        ("PS", 280.0, 300.0),  # ann answered this one at 300: it rang 20 s
        ("NE", 120.0, 130.0),  # not ann's queue
        ("PS", 40.0, 60.0),  # while ann was busy
        ("PS", 500.0, 600.0),  # after her stretch
    ]
    queues = {"ann": frozenset({"PS"})}
    away = away_spells(services, waits, queues, {"ann": ((0.0, 400.0),)})
    assert away == {"ann": ((150.0, 250.0), (280.0, 300.0))}
    # overlapping waits make one spell; a wait already going on when she is free counts from then
    waits = [("PS", 90.0, 200.0), ("PS", 180.0, 260.0)]
    away = away_spells(services, waits, queues, {"ann": ((0.0, 400.0),)})
    assert away == {"ann": ((100.0, 260.0),)}
    # a pause between two stretches at work is time away, not a spell within a stretch
    away = away_spells(services, waits, queues, {"ann": ((0.0, 100.0), (300.0, 400.0))})
    assert away == {"ann": ()}


def test_after_call_work_is_a_pause_while_customers_waited_all_along() -> None:
    services = [
        ("ann", "PS", 0.0, 100.0),
        ("ann", "NE", 112.0, 200.0),  # 12 s after a PS contact, a PS customer waited all along
        ("ann", "PS", 260.0, 300.0),  # 60 s after an NE contact, nobody waited from 200 to 230
        ("ann", "PS", 2000.0, 2100.0),  # after a pause longer than the gap
    ]
    waits = [("PS", 90.0, 112.0), ("NE", 230.0, 260.0), ("PS", 300.0, 2000.0)]
    queues = {"ann": frozenset({"PS", "NE"})}
    assert busy_pauses(services, waits, queues, gap_s=900) == {"PS": [12.0]}
    assert busy_pauses(services, waits, queues, gap_s=1800) == {"PS": [12.0, 1700.0]}


def test_arrival_rates_are_over_the_slots_the_history_covers() -> None:
    # the Anonymous Bank month: from 06:57 on Monday 1 February 1999 to a call at 00:00:00 on
    # Monday 1 March: Mondays' first slots once more than four times, not a fifth Monday
    seen = slot_exposure(datetime(1999, 2, 1, 6, 57), datetime(1999, 3, 1, 0, 0), 1800)
    assert seen[(0, 0)] == 4  # Monday 00:00-00:30: 8, 15, 22 February and 1 March
    assert seen[(0, 1)] == 3  # Monday 00:30-01:00: 8, 15, 22 February
    assert seen[(0, 13)] == 4  # Monday 06:30-07:00: from the first arrival's slot on
    assert seen[(0, 12)] == 3
    assert seen[(6, 47)] == 4  # Sunday 23:30
    assert sum(seen.values()) == 27 * 48 + 48 - 13 + 1
    with pytest.raises(DomainError):
        slot_exposure(datetime(1999, 2, 1), datetime(1999, 2, 2), 7 * 60)
