"""Users' roles and what each may see, the name and password rules, and the sign-in limiter."""

from __future__ import annotations

import pytest

from carecenter.domain.center import Agent, Center
from carecenter.domain.users import (
    Role,
    SignInLimiter,
    User,
    name_problem,
    password_problem,
    placement,
)
from carecenter.errors import InputError

ADMIN = User("root", Role.ADMIN)
BOSS = User("boss", Role.SUPERVISOR)
RED_LEAD = User("rosa", Role.SUPERVISOR, team="red")
ANA = User("ana", Role.AGENT, agent_id="a001", team="red")
LONER = User("lone", Role.AGENT, agent_id="a009")


def test_roles_are_their_values() -> None:
    assert [r.value for r in Role] == ["agent", "supervisor", "admin"]
    assert Role("supervisor") is Role.SUPERVISOR
    assert f"{Role.ADMIN}" == "admin"


def test_only_admins_change_the_configuration_and_the_users() -> None:
    assert ADMIN.may_change_config() and ADMIN.may_manage_users()
    for user in (BOSS, RED_LEAD, ANA):
        assert not user.may_change_config()
        assert not user.may_manage_users()
    assert BOSS.may_supervise() and ADMIN.may_supervise() and not ANA.may_supervise()


@pytest.mark.parametrize(
    ("user", "team", "allowed"),
    [
        (ADMIN, "red", True),
        (ADMIN, None, True),
        (BOSS, "blue", True),
        (BOSS, None, True),
        (RED_LEAD, "red", True),
        (RED_LEAD, "blue", False),
        (RED_LEAD, None, False),
        (ANA, "red", True),
        (ANA, "blue", False),
        (ANA, None, False),
        (LONER, "red", False),
        (LONER, None, False),
    ],
)
def test_who_sees_a_team(user: User, team: str | None, allowed: bool) -> None:
    assert user.may_see_team(team) is allowed


@pytest.mark.parametrize(
    ("user", "agent", "team", "allowed"),
    [
        (ADMIN, "a003", "blue", True),
        (BOSS, "a003", "blue", True),
        (BOSS, "a003", None, True),
        (RED_LEAD, "a002", "red", True),
        (RED_LEAD, "a003", "blue", False),
        (RED_LEAD, "a007", None, False),
        (ANA, "a001", "red", True),
        (ANA, "a002", "red", False),  # a teammate's contacts are not hers
        (User("nobody", Role.AGENT), "a001", "red", False),  # no agent: sees no agent
    ],
)
def test_who_sees_an_agent(user: User, agent: str, team: str | None, allowed: bool) -> None:
    assert user.may_see_agent(agent, team) is allowed


@pytest.mark.parametrize("name", ["ana", "a.b-c_d@example.org", "X" * 64, "007"])
def test_good_names(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize("name", ["", "x" * 65, "a b", "ana\n", "é", "a/b", "a:b", "<x>"])
def test_bad_names(name: str) -> None:
    assert name_problem(name) == "must be 1 to 64 letters, digits, '.', '_', '-' or '@'"


def test_password_rules_never_repeat_the_password() -> None:
    assert password_problem("12345678") is None
    assert password_problem("correct horse battery") is None
    assert password_problem("secret1") == "must have at least 8 characters"
    assert password_problem("s" * 1025) == "must have at most 1024 characters"
    assert password_problem("secret\x00secret") == "must not hold control characters"
    assert password_problem("secret\x7fsecret") == "must not hold control characters"


def test_the_limiter_refuses_after_n_failures_until_the_window_passes() -> None:
    limiter = SignInLimiter(max_failures=3, window_s=60.0)
    key = "ana|10.0.0.1"
    for t in (0.0, 10.0, 20.0):
        assert limiter.allowed(key, t)
        limiter.failed(key, t)
    assert not limiter.allowed(key, 20.0)
    assert limiter.retry_after(key, 30.0) == pytest.approx(30.0)  # the first failure ages out
    assert not limiter.allowed(key, 59.9)
    assert limiter.allowed(key, 60.0)
    limiter.failed(key, 60.0)  # failures at 10, 20, 60: refused until 10 + 60
    assert not limiter.allowed(key, 65.0)
    assert limiter.retry_after(key, 65.0) == pytest.approx(5.0)
    assert limiter.allowed(key, 70.0)


def test_keys_are_counted_apart_and_a_success_clears_one() -> None:
    limiter = SignInLimiter()  # 5 in 300 s
    for t in range(5):
        limiter.failed("ana|10.0.0.1", float(t))
    assert not limiter.allowed("ana|10.0.0.1", 5.0)
    assert limiter.allowed("ana|10.0.0.2", 5.0)
    assert limiter.allowed("ben|10.0.0.1", 5.0)
    assert not limiter.allowed("ana|10.0.0.1", 299.0)
    limiter.succeeded("ana|10.0.0.1")
    assert limiter.allowed("ana|10.0.0.1", 6.0)


def test_four_failures_are_not_enough_to_be_refused() -> None:
    limiter = SignInLimiter()
    for t in range(4):
        limiter.failed("k", float(t))
    assert limiter.allowed("k", 4.0) and limiter.retry_after("k", 4.0) == 0.0


def test_old_keys_are_forgotten() -> None:
    limiter = SignInLimiter(max_failures=2, window_s=10.0)
    for i in range(100):
        limiter.failed(f"guess{i}|10.0.0.1", 0.0)
    assert len(limiter) == 100
    limiter.failed("late|10.0.0.1", 11.0)
    assert len(limiter) == 1  # the old keys went on the next failure after their window


@pytest.mark.parametrize(("n", "window"), [(0, 300.0), (5, 0.0), (5, -1.0)])
def test_a_limiter_needs_a_positive_limit_and_window(n: int, window: float) -> None:
    with pytest.raises(ValueError, match="max_failures"):
        SignInLimiter(n, window)


CENTER = Center(
    name="c",
    agents={"a1": Agent("a1", "Ana", team="red"), "a2": Agent("a2", "Bo")},  # Bo: no team
)


@pytest.mark.parametrize(
    ("role", "agent", "team", "placed"),
    [
        (Role.AGENT, "a1", None, ("a1", "red")),
        (Role.AGENT, "a1", "red", ("a1", "red")),
        (Role.AGENT, "a2", None, ("a2", None)),
        (Role.SUPERVISOR, None, "red", (None, "red")),
        (Role.SUPERVISOR, "a2", "red", ("a2", "red")),  # a supervisor who takes calls too
        (Role.ADMIN, None, None, (None, None)),
    ],
)
def test_a_user_is_placed_at_an_agent_and_a_team(
    role: Role, agent: str | None, team: str | None, placed: tuple[str | None, str | None]
) -> None:
    assert placement(role, agent, team, CENTER) == placed


@pytest.mark.parametrize(
    ("role", "agent", "team", "field", "message"),
    [
        (Role.AGENT, None, None, "agent", "an agent user needs an agent of center.yaml"),
        (Role.AGENT, None, "red", "agent", "an agent user needs an agent"),
        (Role.AGENT, "a9", None, "agent", "unknown agent 'a9'; center.yaml has a1, a2"),
        (Role.AGENT, "a1", "blue", "team", "agent a1 is in team red, not 'blue'"),
        (Role.AGENT, "a2", "red", "team", "agent a2 is in no team, not 'red'"),
        (Role.SUPERVISOR, None, "blue", "team", "unknown team 'blue'; .* are in red"),
        (Role.SUPERVISOR, None, "", "team", "unknown team ''"),
    ],
)
def test_a_misplaced_user_is_an_input_error(
    role: Role, agent: str | None, team: str | None, field: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        placement(role, agent, team, CENTER)
    assert caught.value.field == field


def test_no_center_is_needed_without_an_agent_or_a_team() -> None:
    assert placement(Role.SUPERVISOR, None, None, None) == (None, None)
    with pytest.raises(ValueError, match="a center is needed"):
        placement(Role.SUPERVISOR, None, "red", None)
