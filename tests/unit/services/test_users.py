"""The users' use cases on the in-memory fakes: adding users tied to the center's agents and
teams, tokens kept as hashes, sign-in with its rate limit, sessions that expire, the audit log."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from tests.helpers import T0

from carecenter.adapters.center_yaml import parse_center, template
from carecenter.adapters.memory import (
    FakeClock,
    InMemoryCenterRepository,
    InMemoryEventLog,
    InMemoryWarehouse,
)
from carecenter.adapters.memory_users import FastHasher, InMemoryUserStore
from carecenter.adapters.passwords import Argon2Hasher
from carecenter.adapters.settings import Settings
from carecenter.domain.users import Role, SignInLimiter, User
from carecenter.errors import InputError, SignInRefused, WorkspaceError
from carecenter.services import users
from carecenter.services.bootstrap import Workspace, bootstrap

PASSWORD = "correct horse"
HASHER = FastHasher()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def ws(tmp_path: Path, clock: FakeClock) -> Iterator[Workspace]:
    """A workspace of fakes holding the example center (teams red and blue)."""
    center = InMemoryCenterRepository()
    center.save(parse_center(template()))
    with bootstrap(
        Settings(workspace=tmp_path),
        event_log=InMemoryEventLog(clock),
        center_repo=center,
        warehouse=InMemoryWarehouse(),
        clock=clock,
    ) as workspace:
        yield workspace


def add(
    ws: Workspace,
    name: str,
    role: str = "supervisor",
    *,
    agent_id: str | None = None,
    team: str | None = None,
) -> User:
    return users.add_user(ws, name, role, PASSWORD, agent_id=agent_id, team=team, hasher=HASHER)


def actions(ws: Workspace) -> list[tuple[str, str, str]]:
    return [(r["actor"], r["action"], r["subject"]) for r in reversed(users.audit_log(ws))]


def test_fakes_keep_the_users_in_memory(ws: Workspace) -> None:
    assert isinstance(ws.users, InMemoryUserStore)


def test_an_agent_user_is_tied_to_an_agent_and_gets_its_team(ws: Workspace) -> None:
    ana = add(ws, "ana", "agent", agent_id="a001")
    assert ana == User("ana", Role.AGENT, agent_id="a001", team="red")
    chloe = add(ws, "chloe", "agent", agent_id="a003", team="blue")
    assert chloe.team == "blue"
    assert users.get_user(ws, "ana") == ana
    assert [u.name for u in users.list_users(ws)] == ["ana", "chloe"]


@pytest.mark.parametrize(
    ("name", "role", "kwargs", "field", "message"),
    [
        ("ana", "agent", {}, "agent", "an agent user needs an agent of center.yaml"),
        ("ana", "agent", {"agent_id": "a999"}, "agent", "unknown agent 'a999'"),
        ("ana", "agent", {"agent_id": "a001", "team": "blue"}, "team", "is in team red"),
        ("rosa", "supervisor", {"team": "green"}, "team", "are in blue, red"),
        ("rosa", "boss", {}, "role", "unknown role 'boss'; choose agent, supervisor, admin"),
        ("ro sa", "admin", {}, "name", "must be 1 to 64"),
        ("", "admin", {}, "name", "must be 1 to 64"),
    ],
)
def test_bad_users_are_input_errors_naming_the_field(
    ws: Workspace, name: str, role: str, kwargs: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        add(ws, name, role, **kwargs)
    assert caught.value.field == field
    assert users.list_users(ws) == []
    assert users.audit_log(ws) == []


def test_a_short_password_is_refused_without_being_shown(ws: Workspace) -> None:
    with pytest.raises(InputError) as caught:
        users.add_user(ws, "rosa", "admin", "secret7", hasher=HASHER)
    assert caught.value.field == "password" and "secret7" not in str(caught.value)


def test_a_center_is_needed_only_to_check_an_agent_or_team(tmp_path: Path) -> None:
    with bootstrap(
        Settings(workspace=tmp_path),
        event_log=InMemoryEventLog(),
        center_repo=InMemoryCenterRepository(),  # nothing saved
        warehouse=InMemoryWarehouse(),
    ) as bare:
        assert add(bare, "root", "admin").team is None
        with pytest.raises(WorkspaceError, match="config apply"):
            add(bare, "rosa", team="red")


def test_an_existing_name_is_replaced_only_when_asked(ws: Workspace, clock: FakeClock) -> None:
    add(ws, "rosa")
    session = users.sign_in(
        ws, "rosa", PASSWORD, client="c", now=clock.now(), limiter=SignInLimiter(), hasher=HASHER
    )
    with pytest.raises(InputError, match="user 'rosa' exists") as caught:
        add(ws, "rosa", "admin")
    assert caught.value.field == "name"
    assert users.get_user(ws, "rosa") == User("rosa", Role.SUPERVISOR)
    users.add_user(ws, "rosa", "admin", "a new password", replace=True, hasher=HASHER)
    assert users.get_user(ws, "rosa") == User("rosa", Role.ADMIN)
    assert users.session_user(ws, session.token, now=clock.now()) is None  # signed out
    limiter = SignInLimiter()
    with pytest.raises(SignInRefused):
        users.sign_in(ws, "rosa", PASSWORD, client="c", now=clock.now(), limiter=limiter)
    assert (
        users.sign_in(
            ws,
            "rosa",
            "a new password",
            client="c",
            now=clock.now(),
            limiter=limiter,
            hasher=HASHER,
        ).user.role
        is Role.ADMIN
    )
    assert ("cli", "user.replaced", "rosa") in actions(ws)


def test_a_token_is_returned_once_and_kept_as_its_hash(ws: Workspace, clock: FakeClock) -> None:
    add(ws, "pbx", "admin")
    token = users.issue_token(ws, "pbx", label="asterisk")
    assert token.startswith("cc_") and len(token) == 3 + 43
    clock.advance(1)
    assert users.issue_token(ws, "pbx") != token
    assert users.token_user(ws, token) == User("pbx", Role.ADMIN)
    store = ws.users
    assert isinstance(store, InMemoryUserStore)
    assert token not in repr(vars(store))
    assert hashlib.sha256(token.encode()).hexdigest() in store._tokens
    assert users.token_user(ws, token + "x") is None
    assert users.token_user(ws, token[3:]) is None  # no prefix: not even looked up
    assert users.token_user(ws, "cc_" + "x" * 1000) is None
    listed = users.user_tokens(ws, "pbx")
    assert [t["label"] for t in listed] == ["asterisk", None]
    assert listed[0]["last_used_at"] == T0 + timedelta(seconds=1)
    assert listed[1]["last_used_at"] is None
    detail = [r["detail"] for r in users.audit_log(ws) if r["action"] == "token.issued"]
    assert detail == [{"label": None}, {"label": "asterisk"}]
    assert token not in str(users.audit_log(ws))


def test_revoked_disabled_and_removed_users_tokens_stop_working(ws: Workspace) -> None:
    add(ws, "pbx", "admin")
    pbx, script = users.issue_token(ws, "pbx", label="pbx"), users.issue_token(ws, "pbx")
    assert users.revoke_tokens(ws, "pbx", label="pbx") == 1
    assert users.token_user(ws, pbx) is None and users.token_user(ws, script) is not None
    users.set_disabled(ws, "pbx")
    assert users.token_user(ws, script) is None
    with pytest.raises(InputError, match="disabled"):
        users.issue_token(ws, "pbx")
    users.set_disabled(ws, "pbx", False)
    assert users.token_user(ws, script) is not None
    users.remove_user(ws, "pbx")
    assert users.token_user(ws, script) is None
    assert users.list_users(ws) == []
    for call in (
        lambda: users.remove_user(ws, "pbx"),
        lambda: users.issue_token(ws, "pbx"),
        lambda: users.revoke_tokens(ws, "pbx"),
        lambda: users.set_disabled(ws, "pbx"),
    ):
        with pytest.raises(InputError, match="no user 'pbx'"):
            call()
    assert [a for _, a, _ in actions(ws)] == [
        "user.added",
        "token.issued",
        "token.issued",
        "token.revoked",
        "user.disabled",
        "user.enabled",
        "user.removed",
    ]


@pytest.mark.parametrize("label", ["", "   ", "x" * 129, "a\nb"])
def test_bad_labels(ws: Workspace, label: str) -> None:
    add(ws, "pbx", "admin")
    with pytest.raises(InputError) as caught:
        users.issue_token(ws, "pbx", label=label)
    assert caught.value.field == "label"


def sign_in(
    ws: Workspace, clock: FakeClock, password: str, limiter: SignInLimiter, **kw: str
) -> users.WebSession:
    return users.sign_in(
        ws,
        kw.get("name", "rosa"),
        password,
        client=kw.get("client", "10.0.0.1"),
        now=clock.now(),
        limiter=limiter,
        hasher=HASHER,
    )


def test_a_wrong_password_and_an_unknown_user_get_one_message(
    ws: Workspace, clock: FakeClock
) -> None:
    add(ws, "rosa", team="red")
    limiter = SignInLimiter()
    with pytest.raises(SignInRefused) as wrong:
        sign_in(ws, clock, "not the password", limiter)
    with pytest.raises(SignInRefused) as unknown:
        sign_in(ws, clock, PASSWORD, limiter, name="nobody")
    assert str(wrong.value) == str(unknown.value) == "wrong user name or password"
    assert not wrong.value.rate_limited and wrong.value.exit_code == 77
    session = sign_in(ws, clock, PASSWORD, limiter)
    assert session.user == User("rosa", Role.SUPERVISOR, team="red")
    assert session.expires_at == T0 + timedelta(hours=12)
    assert len(session.csrf_token) <= 64 and session.csrf_token != session.token
    failed = [r for r in users.audit_log(ws) if r["action"] == "signin.failed"]
    assert [(r["actor"], r["subject"], r["detail"]) for r in reversed(failed)] == [
        ("10.0.0.1", "rosa", {"reason": "wrong password"}),
        ("10.0.0.1", "nobody", {"reason": "unknown user"}),
    ]
    assert PASSWORD not in str(users.audit_log(ws))


def test_a_disabled_user_cannot_sign_in_and_loses_their_sessions(
    ws: Workspace, clock: FakeClock
) -> None:
    add(ws, "rosa")
    limiter = SignInLimiter()
    session = sign_in(ws, clock, PASSWORD, limiter)
    users.set_disabled(ws, "rosa")
    assert users.session_user(ws, session.token, now=clock.now()) is None
    with pytest.raises(SignInRefused, match="wrong user name or password"):
        sign_in(ws, clock, PASSWORD, limiter)


def test_sign_in_is_refused_after_five_failures_until_the_window_passes(
    ws: Workspace, clock: FakeClock
) -> None:
    add(ws, "rosa")
    limiter = SignInLimiter(max_failures=5, window_s=300)
    for _ in range(5):
        with pytest.raises(SignInRefused, match="wrong user name"):
            sign_in(ws, clock, "guess", limiter)
        clock.advance(10)
    with pytest.raises(SignInRefused, match=r"too many failed sign-ins; wait 2\d\d s") as caught:
        sign_in(ws, clock, PASSWORD, limiter)  # even the right password
    assert caught.value.rate_limited and caught.value.retry_after_s == pytest.approx(250)
    assert sign_in(ws, clock, PASSWORD, limiter, client="10.0.0.2").user.name == "rosa"
    clock.advance(250)
    assert sign_in(ws, clock, PASSWORD, limiter).user.name == "rosa"
    assert len(users.audit_log(ws, limit=1000)) == 1 + 5 + 2  # refused ones are not checked


def test_a_session_expires_after_twelve_idle_hours(ws: Workspace, clock: FakeClock) -> None:
    add(ws, "rosa")
    session = sign_in(ws, clock, PASSWORD, SignInLimiter())
    clock.advance(timedelta(hours=11, minutes=59))
    seen = users.session_user(ws, session.token, now=clock.now())
    assert seen is not None and seen.csrf_token == session.csrf_token
    assert seen.expires_at == clock.now() + timedelta(hours=12)  # moved forward
    clock.advance(timedelta(seconds=30))
    again = users.session_user(ws, session.token, now=clock.now())
    assert again is not None and again.expires_at == seen.expires_at  # not within a minute
    clock.advance(timedelta(hours=12))
    assert users.session_user(ws, session.token, now=clock.now()) is None
    assert ws.users.session(users.token_hash(session.token)) is None  # deleted
    assert users.session_user(ws, "", now=clock.now()) is None


def test_sign_out_ends_the_session(ws: Workspace, clock: FakeClock) -> None:
    add(ws, "rosa")
    session = sign_in(ws, clock, PASSWORD, SignInLimiter())
    assert users.sign_out(ws, session.token)
    assert users.session_user(ws, session.token, now=clock.now()) is None
    assert not users.sign_out(ws, session.token)
    assert actions(ws)[-1] == ("rosa", "signout", "rosa")


def test_sign_in_purges_expired_sessions(ws: Workspace, clock: FakeClock) -> None:
    add(ws, "rosa")
    old = sign_in(ws, clock, PASSWORD, SignInLimiter())
    clock.advance(timedelta(days=1))
    sign_in(ws, clock, PASSWORD, SignInLimiter())
    assert ws.users.session(users.token_hash(old.token)) is None


def test_an_outdated_hash_is_replaced_at_sign_in(ws: Workspace, clock: FakeClock) -> None:
    users.add_user(ws, "rosa", "admin", PASSWORD, hasher=FastHasher(version=1))
    newer = FastHasher(version=2)
    once = SignInLimiter()
    users.sign_in(ws, "rosa", PASSWORD, client="c", now=clock.now(), limiter=once, hasher=newer)
    found = ws.users.get("rosa")
    assert found is not None and found[1].startswith("fast2$")
    assert newer.verify(found[1], PASSWORD)


def test_the_real_argon2_hasher(ws: Workspace, clock: FakeClock) -> None:
    import argon2

    cheap = Argon2Hasher(argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    real = Argon2Hasher()
    users.add_user(ws, "rosa", "admin", PASSWORD, hasher=cheap)
    found = ws.users.get("rosa")
    assert found is not None and found[1].startswith("$argon2id$") and PASSWORD not in found[1]
    assert real.needs_rehash(found[1]) and not cheap.needs_rehash(found[1])
    limiter, now = SignInLimiter(), clock.now()
    with pytest.raises(SignInRefused):
        users.sign_in(
            ws, "rosa", "correct horsE", client="c", now=now, limiter=limiter, hasher=real
        )
    users.sign_in(ws, "rosa", PASSWORD, client="c", now=now, limiter=limiter, hasher=real)
    found = ws.users.get("rosa")
    assert found is not None and not real.needs_rehash(found[1])  # rehashed with the defaults
    assert real.verify(found[1], PASSWORD) and not real.verify(found[1], "correct horsE")
    assert not real.verify("not a hash", PASSWORD) and real.needs_rehash("not a hash")


def test_the_audit_log_hides_secrets_and_limits(ws: Workspace, clock: FakeClock) -> None:
    users.audit(ws, "rosa", "config.applied", "center.yaml", {"queues": 4, "password": "x"})
    clock.advance(60)
    users.audit(ws, "rosa", "queue.paused", "billing", {"token": "cc_abc", "why": "storm"})
    rows = users.audit_log(ws, limit=1)
    assert len(rows) == 1 and rows[0]["action"] == "queue.paused"
    assert rows[0]["detail"] == {"why": "storm"} and rows[0]["at"] == T0 + timedelta(seconds=60)
    assert users.audit_log(ws)[1]["detail"] == {"queues": 4}
    assert len(users.audit_log(ws, since=T0 + timedelta(seconds=1))) == 1
    with pytest.raises(InputError) as caught:
        users.audit_log(ws, limit=0)
    assert caught.value.field == "limit"
    with pytest.raises(InputError):
        users.audit(ws, "rosa", "", "x")
