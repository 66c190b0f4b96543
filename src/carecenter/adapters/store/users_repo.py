"""Users, API tokens, web sessions and the audit log in the operational store (``users``,
``api_tokens``, ``web_sessions``, ``audit_log``).

Tokens and sessions are kept by the SHA-256 hex digest of their secret; the secret itself is
never stored. Removing a user removes their tokens and sessions (``ON DELETE CASCADE``). Times
are stored in UTC and come back timezone-aware.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, delete, func, insert, select, update

from carecenter.adapters.store.engine import reading
from carecenter.adapters.store.tables import api_tokens, audit_log, users, web_sessions
from carecenter.domain.users import Role, User, canonical_json

TOKEN_ID = 12
"""How many hex digits of a token's hash name it in listings (not a secret: a hash)."""
USE_NOTED_EVERY = timedelta(minutes=1)
"""How often a token's ``last_used_at`` is written at most (a client calls many times a
minute; one write a minute is enough to see which tokens are still used)."""


class SqlUserStore:
    """:class:`~carecenter.services.ports.UserStore` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, user: User, password_hash: str, *, at: datetime) -> None:
        values = {
            "role": user.role.value,
            "agent_id": user.agent_id,
            "team": user.team,
            "password_hash": password_hash,
            "disabled": user.disabled,
        }
        with self._engine.begin() as conn:
            changed = conn.execute(
                update(users).where(users.c.name == user.name).values(**values)
            ).rowcount
            if not changed:
                conn.execute(insert(users).values(name=user.name, created_at=_utc(at), **values))

    def get(self, name: str) -> tuple[User, str] | None:
        with reading(self._engine) as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        return None if row is None else (_user(row), str(row.password_hash))

    def users(self) -> list[User]:
        with reading(self._engine) as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]

    def remove(self, name: str) -> bool:
        with self._engine.begin() as conn:
            # the cascade, spelled out too: a store whose foreign keys are off loses nothing
            conn.execute(delete(api_tokens).where(api_tokens.c.user_name == name))
            conn.execute(delete(web_sessions).where(web_sessions.c.user_name == name))
            return bool(conn.execute(delete(users).where(users.c.name == name)).rowcount)

    def set_disabled(self, name: str, disabled: bool) -> bool:
        with self._engine.begin() as conn:
            found = conn.execute(
                update(users).where(users.c.name == name).values(disabled=disabled)
            )
            return bool(found.rowcount)

    def add_token(self, token_hash: str, name: str, label: str | None, at: datetime) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(api_tokens).values(
                    token_hash=token_hash,
                    user_name=name,
                    created_at=_utc(at),
                    label=label,
                    last_used_at=None,
                )
            )

    def user_for_token_hash(self, token_hash: str, at: datetime) -> User | None:
        query = (
            select(users, api_tokens.c.last_used_at)
            .join(api_tokens, api_tokens.c.user_name == users.c.name)
            .where(api_tokens.c.token_hash == token_hash)
        )
        with self._engine.begin() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            last = row.last_used_at
            if last is None or _aware(last) + USE_NOTED_EVERY <= at:
                conn.execute(
                    update(api_tokens)
                    .where(api_tokens.c.token_hash == token_hash)
                    .values(last_used_at=_utc(at))
                )
        return _user(row)

    def tokens(self, name: str) -> list[dict[str, Any]]:
        c = api_tokens.c
        query = select(api_tokens).where(c.user_name == name).order_by(c.created_at, c.token_hash)
        with reading(self._engine) as conn:
            return [
                {
                    "token_id": r.token_hash[:TOKEN_ID],
                    "label": r.label,
                    "created_at": _aware(r.created_at),
                    "last_used_at": None if r.last_used_at is None else _aware(r.last_used_at),
                }
                for r in conn.execute(query)
            ]

    def revoke_tokens(self, name: str, label: str | None = None) -> int:
        query = delete(api_tokens).where(api_tokens.c.user_name == name)
        if label is not None:
            query = query.where(api_tokens.c.label == label)
        with self._engine.begin() as conn:
            return int(conn.execute(query).rowcount)

    def add_session(
        self, token_hash: str, name: str, csrf_token: str, at: datetime, expires_at: datetime
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(web_sessions).values(
                    token_hash=token_hash,
                    user_name=name,
                    csrf_token=csrf_token,
                    created_at=_utc(at),
                    last_seen_at=_utc(at),
                    expires_at=_utc(expires_at),
                )
            )

    def session(self, token_hash: str) -> tuple[User, str, datetime] | None:
        query = (
            select(users, web_sessions.c.csrf_token, web_sessions.c.expires_at)
            .join(web_sessions, web_sessions.c.user_name == users.c.name)
            .where(web_sessions.c.token_hash == token_hash)
        )
        with reading(self._engine) as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return _user(row), str(row.csrf_token), _aware(row.expires_at)

    def touch_session(self, token_hash: str, at: datetime, expires_at: datetime) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(web_sessions)
                .where(web_sessions.c.token_hash == token_hash)
                .values(last_seen_at=_utc(at), expires_at=_utc(expires_at))
            )

    def end_session(self, token_hash: str) -> bool:
        query = delete(web_sessions).where(web_sessions.c.token_hash == token_hash)
        with self._engine.begin() as conn:
            return bool(conn.execute(query).rowcount)

    def end_sessions(self, name: str) -> int:
        query = delete(web_sessions).where(web_sessions.c.user_name == name)
        with self._engine.begin() as conn:
            return int(conn.execute(query).rowcount)

    def purge_expired(self, now: datetime) -> int:
        query = delete(web_sessions).where(web_sessions.c.expires_at <= _utc(now))
        with self._engine.begin() as conn:
            return int(conn.execute(query).rowcount)

    def append_audit(
        self, at: datetime, actor: str, action: str, subject: str, detail: Mapping[str, Any]
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(audit_log).values(
                    at=_utc(at),
                    actor=actor,
                    action=action,
                    subject=subject,
                    detail=canonical_json(detail),
                )
            )

    def audit(self, limit: int = 100, since: datetime | None = None) -> list[dict[str, Any]]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if since is not None:
            query = query.where(audit_log.c.at >= _utc(since))
        with reading(self._engine) as conn:
            return [
                {
                    "id": int(r.id),
                    "at": _aware(r.at),
                    "actor": r.actor,
                    "action": r.action,
                    "subject": r.subject,
                    "detail": json.loads(r.detail),
                }
                for r in conn.execute(query)
            ]

    def count(self, table: str) -> int:
        """How many rows ``table`` (``users``, ``api_tokens``, ``web_sessions``,
        ``audit_log``) holds."""
        chosen = {t.name: t for t in (users, api_tokens, web_sessions, audit_log)}[table]
        with reading(self._engine) as conn:
            return int(conn.execute(select(func.count()).select_from(chosen)).scalar_one())


def _user(row: Row[Any]) -> User:
    return User(
        name=row.name,
        role=Role(row.role),
        agent_id=row.agent_id,
        team=row.team,
        disabled=bool(row.disabled),
    )


def _utc(when: datetime) -> datetime:
    """``when`` in UTC; a naive time is refused (the store compares times)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{when.isoformat()}: give a timezone-aware time")
    return when.astimezone(UTC)


def _aware(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; the store holds UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
