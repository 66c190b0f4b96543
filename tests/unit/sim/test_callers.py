"""Simulated callers in the entry flows: every caller is counted once, shares and seeds are
kept, and a dead end shows as one."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from carecenter.adapters.center_yaml import parse_center, template
from carecenter.engine.flow import Outcome
from carecenter.errors import DomainError
from carecenter.sim.callers import CallerBehaviour, send_callers

CENTER = parse_center(template())


def test_every_caller_is_counted_once_and_the_same_seed_repeats() -> None:
    counts = send_callers(CENTER, 2000, seed=3)
    assert sum(c.callers for c in counts) == 2000
    assert counts == send_callers(CENTER, 2000, seed=3)
    assert counts != send_callers(CENTER, 2000, seed=4)


def test_uniform_keys_and_the_self_service_share() -> None:
    counts = send_callers(CENTER, 6000, seed=1)
    cards = sum(c.callers for c in counts if c.queue_id == "cards")
    served = sum(c.callers for c in counts if c.outcome is Outcome.SELF_SERVICE)
    # a third press each key; 70 % of those who ask for their balance end there
    assert cards / 6000 == pytest.approx(1 / 3, abs=0.02)
    assert served / 6000 == pytest.approx(0.7 / 3, abs=0.02)


def test_menu_shares_steer_the_callers() -> None:
    how = {"main_line": CallerBehaviour(MappingProxyType({"menu": {"1": 1.0}}))}
    [only] = send_callers(CENTER, 300, seed=1, behaviour=how)
    assert only.queue_id == "cards"
    assert only.callers == 300


def test_callers_who_hang_up_or_give_no_input() -> None:
    how = {"main_line": CallerBehaviour(MappingProxyType({"menu": {"hangup": 1.0}}))}
    [only] = send_callers(CENTER, 50, seed=1, behaviour=how)
    assert only.outcome is Outcome.HUNG_UP
    silent = {"main_line": CallerBehaviour(MappingProxyType({"menu": {"": 1.0}}))}
    [routed] = send_callers(CENTER, 50, seed=1, behaviour=silent)
    assert routed.queue_id == "billing"  # the menu's invalid route after its retries
    assert routed.path.count("menu") == 3


def test_bad_behaviour_is_refused() -> None:
    with pytest.raises(DomainError):
        CallerBehaviour(identified=1.5)
    with pytest.raises(DomainError):
        CallerBehaviour(MappingProxyType({"menu": {"1": -1.0}}))
