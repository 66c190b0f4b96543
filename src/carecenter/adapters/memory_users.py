"""In-memory fakes of the users' ports: :class:`InMemoryUserStore` (a
:class:`~carecenter.services.ports.UserStore`) and :class:`FastHasher` (a
:class:`~carecenter.services.ports.PasswordHasher` that is quick and not for production).

They behave as the SQL store and the argon2 hasher do, for tests and library users (see
:mod:`carecenter.adapters.memory` for the other ports).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from carecenter.domain.users import User, canonical_json

TOKEN_ID = 12
USE_NOTED_EVERY = timedelta(minutes=1)


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{when.isoformat()}: give a timezone-aware time")
    return when.astimezone(UTC)


@dataclass
class _Token:
    name: str
    label: str | None
    created_at: datetime
    last_used_at: datetime | None = None


@dataclass
class _Session:
    name: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


class InMemoryUserStore:
    """Users, tokens, sessions and the audit log in dictionaries; thread-safe. Removing a user
    removes their tokens and sessions, as the SQL store's foreign keys do."""

    def __init__(self) -> None:
        self._users: dict[str, tuple[User, str]] = {}
        self._tokens: dict[str, _Token] = {}
        self._sessions: dict[str, _Session] = {}
        self._audit: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def save(self, user: User, password_hash: str, *, at: datetime) -> None:
        _utc(at)
        with self._lock:
            self._users[user.name] = (user, password_hash)

    def get(self, name: str) -> tuple[User, str] | None:
        with self._lock:
            return self._users.get(name)

    def users(self) -> list[User]:
        with self._lock:
            return [self._users[n][0] for n in sorted(self._users)]

    def remove(self, name: str) -> bool:
        with self._lock:
            if self._users.pop(name, None) is None:
                return False
            self._tokens = {h: t for h, t in self._tokens.items() if t.name != name}
            self._sessions = {h: s for h, s in self._sessions.items() if s.name != name}
            return True

    def set_disabled(self, name: str, disabled: bool) -> bool:
        with self._lock:
            found = self._users.get(name)
            if found is None:
                return False
            self._users[name] = (replace(found[0], disabled=disabled), found[1])
            return True

    def add_token(self, token_hash: str, name: str, label: str | None, at: datetime) -> None:
        with self._lock:
            if name not in self._users:
                raise KeyError(f"no user {name}")
            if token_hash in self._tokens:
                raise KeyError(f"token {token_hash[:TOKEN_ID]} exists")
            self._tokens[token_hash] = _Token(name, label, _utc(at))

    def user_for_token_hash(self, token_hash: str, at: datetime) -> User | None:
        with self._lock:
            token = self._tokens.get(token_hash)
            if token is None:
                return None
            if token.last_used_at is None or token.last_used_at + USE_NOTED_EVERY <= at:
                token.last_used_at = _utc(at)
            return self._users[token.name][0]

    def tokens(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            mine = sorted(
                ((t.created_at, h, t) for h, t in self._tokens.items() if t.name == name),
                key=lambda x: (x[0], x[1]),
            )
            return [
                {
                    "token_id": h[:TOKEN_ID],
                    "label": t.label,
                    "created_at": t.created_at,
                    "last_used_at": t.last_used_at,
                }
                for _, h, t in mine
            ]

    def revoke_tokens(self, name: str, label: str | None = None) -> int:
        with self._lock:
            gone = [
                h
                for h, t in self._tokens.items()
                if t.name == name and (label is None or t.label == label)
            ]
            for h in gone:
                del self._tokens[h]
            return len(gone)

    def add_session(
        self, token_hash: str, name: str, csrf_token: str, at: datetime, expires_at: datetime
    ) -> None:
        with self._lock:
            if name not in self._users:
                raise KeyError(f"no user {name}")
            self._sessions[token_hash] = _Session(
                name, csrf_token, _utc(at), _utc(at), _utc(expires_at)
            )

    def session(self, token_hash: str) -> tuple[User, str, datetime] | None:
        with self._lock:
            found = self._sessions.get(token_hash)
            if found is None:
                return None
            return self._users[found.name][0], found.csrf_token, found.expires_at

    def touch_session(self, token_hash: str, at: datetime, expires_at: datetime) -> None:
        with self._lock:
            found = self._sessions.get(token_hash)
            if found is not None:
                found.last_seen_at = _utc(at)
                found.expires_at = _utc(expires_at)

    def end_session(self, token_hash: str) -> bool:
        with self._lock:
            return self._sessions.pop(token_hash, None) is not None

    def end_sessions(self, name: str) -> int:
        with self._lock:
            gone = [h for h, s in self._sessions.items() if s.name == name]
            for h in gone:
                del self._sessions[h]
            return len(gone)

    def purge_expired(self, now: datetime) -> int:
        with self._lock:
            gone = [h for h, s in self._sessions.items() if s.expires_at <= now]
            for h in gone:
                del self._sessions[h]
            return len(gone)

    def append_audit(
        self, at: datetime, actor: str, action: str, subject: str, detail: Mapping[str, Any]
    ) -> None:
        canonical = canonical_json(detail)
        with self._lock:
            self._audit.append(
                {
                    "id": len(self._audit) + 1,
                    "at": _utc(at),
                    "actor": actor,
                    "action": action,
                    "subject": subject,
                    "detail": canonical,
                }
            )

    def audit(self, limit: int = 100, since: datetime | None = None) -> list[dict[str, Any]]:
        with self._lock:
            rows = [r for r in reversed(self._audit) if since is None or r["at"] >= since]
        return [{**r, "detail": json.loads(r["detail"])} for r in rows[:limit]]


class FastHasher:
    """A quick salted SHA-256 :class:`~carecenter.services.ports.PasswordHasher` for tests:
    never for real passwords. Hashes made by another ``version`` need a rehash, as argon2
    hashes made with older parameters do."""

    def __init__(self, version: int = 1) -> None:
        self.version = version

    def hash(self, password: str) -> str:
        """``fast<version>$<salt>$<sha256 of salt and password>``."""
        salt = secrets.token_hex(8)
        return f"fast{self.version}${salt}${self._digest(salt, password)}"

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash`` (any version)."""
        parts = password_hash.split("$")
        if len(parts) != 3 or not parts[0].startswith("fast"):
            return False
        return hmac.compare_digest(parts[2], self._digest(parts[1], password))

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether ``password_hash`` was made by another version."""
        return not password_hash.startswith(f"fast{self.version}$")

    @staticmethod
    def _digest(salt: str, password: str) -> str:
        return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()
