"""The user store on SQLite and PostgreSQL, and its in-memory fake: users, tokens and sessions
kept by hash, removed with their user; the audit log newest first. And ``bootstrap`` puts the
users in the operational store."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from tests.conftest import store_on

from carecenter.adapters.memory_users import InMemoryUserStore
from carecenter.adapters.settings import Settings
from carecenter.adapters.store.engine import make_engine, migrate
from carecenter.adapters.store.users_repo import SqlUserStore
from carecenter.domain.users import Role, User
from carecenter.services.bootstrap import bootstrap
from carecenter.services.ports import UserStore

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))
ANA = User("ana", Role.AGENT, agent_id="a001", team="red")
ROSA = User("rosa", Role.SUPERVISOR, team="red")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UserStore]:
    """The store on each backend, and the fake."""
    yield from store_on(request.param, tmp_path, SqlUserStore, InMemoryUserStore)


def test_users_round_trip_and_are_replaced(store: UserStore) -> None:
    assert store.get("ana") is None and store.users() == []
    store.save(ROSA, "hash-r", at=T0)
    store.save(ANA, "hash-1", at=T0)
    assert store.get("ana") == (ANA, "hash-1")
    assert store.users() == [ANA, ROSA]
    boss = User("ana", Role.ADMIN)
    store.save(boss, "hash-2", at=T0 + timedelta(days=1))
    assert store.get("ana") == (boss, "hash-2")
    assert len(store.users()) == 2
    assert store.set_disabled("ana", True)
    assert store.get("ana") == (User("ana", Role.ADMIN, disabled=True), "hash-2")
    assert store.set_disabled("ana", False)
    assert not store.set_disabled("nobody", True)
    assert store.remove("ana") and not store.remove("ana")
    assert store.users() == [ROSA]


def test_tokens_are_found_by_hash_and_note_their_use(store: UserStore) -> None:
    store.save(ANA, "h", at=T0)
    store.add_token(digest("cc_one"), "ana", "pbx", T0)
    store.add_token(digest("cc_two"), "ana", None, T0 + timedelta(seconds=1))
    assert store.user_for_token_hash(digest("cc_one"), T0 + timedelta(minutes=5)) == ANA
    assert store.user_for_token_hash(digest("cc_nope"), T0) is None
    store.user_for_token_hash(digest("cc_one"), T0 + timedelta(minutes=5, seconds=30))
    listed = store.tokens("ana")
    assert (
        listed
        == [
            {
                "token_id": digest("cc_one")[:12],
                "label": "pbx",
                "created_at": T0,
                "last_used_at": T0 + timedelta(minutes=5),  # the second use was within a minute
            },
            {
                "token_id": digest("cc_two")[:12],
                "label": None,
                "created_at": T0 + timedelta(seconds=1),
                "last_used_at": None,
            },
        ]
    )
    store.user_for_token_hash(digest("cc_one"), (T0 + timedelta(minutes=7)).astimezone(PARIS))
    assert store.tokens("ana")[0]["last_used_at"] == T0 + timedelta(minutes=7)
    store.set_disabled("ana", True)
    found = store.user_for_token_hash(digest("cc_two"), T0)
    assert found is not None and found.disabled  # the service refuses it
    assert store.revoke_tokens("ana", label="pbx") == 1
    assert store.user_for_token_hash(digest("cc_one"), T0) is None
    assert store.revoke_tokens("ana") == 1 and store.tokens("ana") == []


def test_sessions_expire_touch_and_end(store: UserStore) -> None:
    store.save(ROSA, "h", at=T0)
    store.save(ANA, "h", at=T0)
    later = T0 + timedelta(hours=12)
    store.add_session(digest("s1"), "rosa", "csrf-1", T0, later)
    store.add_session(digest("s2"), "rosa", "csrf-2", T0, T0 + timedelta(hours=1))
    store.add_session(digest("s3"), "ana", "csrf-3", T0, later)
    assert store.session(digest("s1")) == (ROSA, "csrf-1", later)
    assert store.session(digest("nope")) is None
    store.touch_session(digest("s1"), T0 + timedelta(hours=2), later + timedelta(hours=2))
    assert store.session(digest("s1")) == (ROSA, "csrf-1", later + timedelta(hours=2))
    assert store.purge_expired(T0 + timedelta(hours=1)) == 1  # s2: expired at that moment
    assert store.session(digest("s2")) is None and store.session(digest("s1")) is not None
    assert store.end_session(digest("s3")) and not store.end_session(digest("s3"))
    store.add_session(digest("s4"), "rosa", "csrf-4", T0, later)
    assert store.end_sessions("rosa") == 2
    assert store.session(digest("s1")) is None


def test_removing_a_user_removes_their_tokens_and_sessions(store: UserStore) -> None:
    store.save(ANA, "h", at=T0)
    store.save(ROSA, "h", at=T0)
    store.add_token(digest("cc_ana"), "ana", None, T0)
    store.add_token(digest("cc_rosa"), "rosa", None, T0)
    store.add_session(digest("s_ana"), "ana", "c", T0, T0 + timedelta(hours=12))
    store.remove("ana")
    assert store.user_for_token_hash(digest("cc_ana"), T0) is None
    assert store.session(digest("s_ana")) is None
    store.save(ANA, "h", at=T0)  # the name again: nothing of the old user comes back
    assert store.tokens("ana") == [] and store.session(digest("s_ana")) is None
    assert store.user_for_token_hash(digest("cc_rosa"), T0) == ROSA


def test_the_audit_log_is_newest_first(store: UserStore) -> None:
    for i in range(5):
        store.append_audit(
            T0 + timedelta(minutes=i), "cli", "user.added", f"u{i}", {"n": i, "team": None}
        )
    store.append_audit(T0.astimezone(PARIS), "rosa", "x", "y", {"at": T0})
    rows = store.audit()
    assert [r["subject"] for r in rows] == ["y", "u4", "u3", "u2", "u1", "u0"]
    assert rows[0]["at"] == T0 and rows[0]["detail"] == {"at": T0.isoformat()}
    assert rows[1] == {
        "id": rows[1]["id"],
        "at": T0 + timedelta(minutes=4),
        "actor": "cli",
        "action": "user.added",
        "subject": "u4",
        "detail": {"n": 4, "team": None},
    }
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert [r["subject"] for r in store.audit(limit=2)] == ["y", "u4"]
    assert [r["subject"] for r in store.audit(since=T0 + timedelta(minutes=3))] == ["u4", "u3"]


def test_naive_times_are_refused(store: UserStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.save(ANA, "h", at=datetime(2026, 12, 7, 9, 0))


def test_the_database_keeps_hashes_not_secrets(tmp_path: Path) -> None:
    """The plaintext token and session token are nowhere in the SQLite files."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    migrate(engine)
    store = SqlUserStore(engine)
    store.save(ANA, "argon-hash", at=T0)
    token, session = "cc_PLAINTEXT_TOKEN_0123456789", "PLAINTEXT_SESSION_0123456789"
    store.add_token(digest(token), "ana", None, T0)
    store.add_session(digest(session), "ana", "csrf", T0, T0 + timedelta(hours=1))
    engine.dispose()  # checkpoints the WAL into the file
    data = b"".join(p.read_bytes() for p in tmp_path.glob("store.db*"))
    assert digest(token).encode() in data
    assert token.encode() not in data and session.encode() not in data


def test_bootstrap_keeps_the_users_in_the_operational_store(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from carecenter.interfaces.cli.app import app

    assert CliRunner().invoke(app, ["init", str(tmp_path / "ws")]).exit_code == 0
    settings = Settings(workspace=tmp_path / "ws")
    with bootstrap(settings) as ws:
        assert isinstance(ws.users, SqlUserStore)
        ws.users.save(ROSA, "h", at=T0)
    with bootstrap(settings) as ws:
        assert ws.users.users() == [ROSA]
