"""The users of ``carecenter serve``: adding and removing them, API tokens for machine clients,
browser sessions, and the audit log (``carecenter users``, the server's sign-in).

Secrets are never stored: a password as its argon2id hash, an API token and a session token as
their SHA-256 digest. A token is shown once, when it is issued. Every change is written to the
audit log, without a password or a token. Each use case takes settings or an open workspace
(the server passes one per request); those the server calls on every request
(:func:`token_user`, :func:`session_user`) are one query, and a write at most once a minute.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from carecenter.domain.users import (
    NAME_MAX,
    PASSWORD_MAX,
    Role,
    SignInLimiter,
    User,
    name_problem,
    password_problem,
    placement,
)
from carecenter.errors import InputError, SignInRefused
from carecenter.services.bootstrap import Workspace, WorkspaceSource, opened
from carecenter.services.ports import PasswordHasher

SESSION_IDLE = timedelta(hours=12)
"""A web session ends after this long without a request."""
TOUCH_EVERY = timedelta(minutes=1)
"""A session's expiry moves forward at most this often (a request writes at most once a
minute)."""
TOKEN_PREFIX = "cc_"
"""The start of every API token, so that one is recognised in a file or a log."""
TOKEN_MAX = 256
"""Longer presented tokens are refused without hashing them."""
LABEL_MAX = 128
"""The longest token label (characters)."""
WRONG_CREDENTIALS = "wrong user name or password"
"""The one message of a refused sign-in: it does not tell whether the name exists."""
HIDDEN_KEYS = frozenset({"password", "password_hash", "token", "csrf_token", "secret"})
"""Keys dropped from an audit entry's detail: secrets never reach the audit log."""
ACTOR_MAX = 128
SUBJECT_MAX = 256
"""Longer actors and subjects are cut in the audit log (a failed sign-in's name is anything)."""
USER_COLUMNS = ("name", "role", "agent_id", "team", "disabled")
TOKEN_COLUMNS = ("token_id", "label", "created_at", "last_used_at")
AUDIT_COLUMNS = ("id", "at", "actor", "action", "subject", "detail")


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser: the session ``token`` (the cookie's value, shown only here), the
    ``csrf_token`` every changing request must repeat, the ``user`` and when the session
    expires unless used."""

    token: str
    csrf_token: str
    user: User
    expires_at: datetime


_HASHERS: dict[str, PasswordHasher] = {}


def default_hasher() -> PasswordHasher:
    """The argon2id hasher with default parameters (built once)."""
    if "argon2" not in _HASHERS:
        from carecenter.adapters.passwords import Argon2Hasher

        _HASHERS["argon2"] = Argon2Hasher()
    return _HASHERS["argon2"]


def token_hash(token: str) -> str:
    """The SHA-256 hex digest of a token: what the store keeps."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def add_user(
    source: WorkspaceSource,
    name: str,
    role: Role | str,
    password: str,
    *,
    agent_id: str | None = None,
    team: str | None = None,
    replace: bool = False,
    actor: str = "cli",
    hasher: PasswordHasher | None = None,
) -> User:
    """Add user ``name`` with ``role`` and ``password`` (or, with ``replace``, change the role,
    agent, team and password of an existing one and end their web sessions).

    An agent user names an agent of the center (``agent_id``) and gets that agent's team; a
    ``team`` must be the team of some agent. Bad input is an
    :class:`~carecenter.errors.InputError` naming the field.
    """
    _check(name_problem(name), "name")
    chosen = _role(role)
    _check(password_problem(password), "password")
    with opened(source) as ws:
        existing = ws.users.get(name)
        if existing is not None and not replace:
            raise InputError(
                f"user {name!r} exists (replace it to change its role and password)", field="name"
            )
        center = ws.applied_center() if agent_id is not None or team is not None else None
        agent_id, team = placement(chosen, agent_id, team, center)
        disabled = existing is not None and existing[0].disabled
        user = User(name, chosen, agent_id=agent_id, team=team, disabled=disabled)
        now = ws.clock.now()
        ws.users.save(user, (hasher or default_hasher()).hash(password), at=now)
        if existing is not None:
            ws.users.end_sessions(name)
        action = "user.replaced" if existing is not None else "user.added"
        detail = {"role": chosen.value, "agent_id": agent_id, "team": team}
        _audit(ws, now, actor, action, name, detail)
    return user


def _check(problem: str | None, field: str) -> None:
    if problem is not None:
        raise InputError(problem, field=field)


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InputError(f"unknown role {role!r}; choose {roles}", field="role") from None


def get_user(source: WorkspaceSource, name: str) -> User | None:
    """The user called ``name``, or ``None``."""
    with opened(source) as ws:
        found = ws.users.get(name)
    return None if found is None else found[0]


def list_users(source: WorkspaceSource) -> list[User]:
    """Every user, in order of name."""
    with opened(source) as ws:
        return ws.users.users()


def user_row(user: User) -> dict[str, Any]:
    """``user`` as a row of :data:`USER_COLUMNS` (for listings)."""
    return {
        "name": user.name,
        "role": user.role.value,
        "agent_id": user.agent_id,
        "team": user.team,
        "disabled": user.disabled,
    }


def remove_user(source: WorkspaceSource, name: str, *, actor: str = "cli") -> None:
    """Remove user ``name`` with their API tokens and web sessions."""
    with opened(source) as ws:
        if not ws.users.remove(name):
            raise InputError(f"no user {name!r}", field="name")
        _audit(ws, ws.clock.now(), actor, "user.removed", name, {})


def set_disabled(
    source: WorkspaceSource, name: str, disabled: bool = True, *, actor: str = "cli"
) -> None:
    """Disable user ``name`` (their sign-in, sessions and tokens stop working; their sessions
    end) or enable them again."""
    with opened(source) as ws:
        if not ws.users.set_disabled(name, disabled):
            raise InputError(f"no user {name!r}", field="name")
        if disabled:
            ws.users.end_sessions(name)
        action = "user.disabled" if disabled else "user.enabled"
        _audit(ws, ws.clock.now(), actor, action, name, {})


def issue_token(
    source: WorkspaceSource, name: str, *, label: str | None = None, actor: str = "cli"
) -> str:
    """A new API token of user ``name`` (for a PBX, a script): ``cc_`` and 43 random URL-safe
    characters. Only its hash is stored; the token is returned this once."""
    if label is not None and (
        not label.strip() or len(label) > LABEL_MAX or not label.isprintable()
    ):
        raise InputError(f"give 1 to {LABEL_MAX} printable characters", field="label")
    with opened(source) as ws:
        user = _existing(ws, name)
        if user.disabled:
            raise InputError(f"user {name!r} is disabled", field="name")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = ws.clock.now()
        ws.users.add_token(token_hash(token), name, label, now)
        _audit(ws, now, actor, "token.issued", name, {"label": label})
    return token


def _existing(ws: Workspace, name: str) -> User:
    found = ws.users.get(name)
    if found is None:
        raise InputError(f"no user {name!r}", field="name")
    return found[0]


def user_tokens(source: WorkspaceSource, name: str) -> list[dict[str, Any]]:
    """The API tokens of user ``name`` (never the tokens themselves): ``token_id``, ``label``,
    ``created_at``, ``last_used_at``."""
    with opened(source) as ws:
        _existing(ws, name)
        return ws.users.tokens(name)


def revoke_tokens(
    source: WorkspaceSource, name: str, *, label: str | None = None, actor: str = "cli"
) -> int:
    """Revoke the API tokens of user ``name`` (only those labelled ``label`` when given);
    how many."""
    with opened(source) as ws:
        _existing(ws, name)
        count = ws.users.revoke_tokens(name, label)
        _audit(ws, ws.clock.now(), actor, "token.revoked", name, {"label": label, "count": count})
    return count


def token_user(source: WorkspaceSource, token: str) -> User | None:
    """The user an API token belongs to; ``None`` for an unknown or malformed token and for a
    disabled user."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_MAX:
        return None
    with opened(source) as ws:
        user = ws.users.user_for_token_hash(token_hash(token), ws.clock.now())
    return None if user is None or user.disabled else user


def sign_in(
    source: WorkspaceSource,
    name: str,
    password: str,
    *,
    client: str,
    now: datetime,
    limiter: SignInLimiter,
    hasher: PasswordHasher | None = None,
) -> WebSession:
    """Sign user ``name`` in from ``client`` (e.g. the client's address): a new web session.

    Raises :class:`~carecenter.errors.SignInRefused`: with one message for an unknown name,
    a wrong password and a disabled user, and with another (and ``retry_after_s``) when
    ``limiter`` has seen too many failures of this name and client. A hash made with older
    parameters is replaced by a new one.
    """
    hasher = hasher or default_hasher()
    key = f"{name[: NAME_MAX + 1].casefold()}|{client}"
    wait = limiter.retry_after(key, now.timestamp())
    if wait > 0:
        raise SignInRefused(
            f"too many failed sign-ins; wait {math.ceil(wait)} s and try again",
            retry_after_s=wait,
        )
    with opened(source) as ws:
        found = ws.users.get(name) if name_problem(name) is None else None
        reason = _refusal(found, password, hasher)
        if reason is not None or found is None:
            limiter.failed(key, now.timestamp())
            _audit(ws, now, client, "signin.failed", name, {"reason": reason})
            raise SignInRefused(WRONG_CREDENTIALS)
        limiter.succeeded(key)
        user, stored = found
        if hasher.needs_rehash(stored):
            ws.users.save(user, hasher.hash(password), at=now)
        ws.users.purge_expired(now)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + SESSION_IDLE
        ws.users.add_session(token_hash(token), name, csrf, now, expires)
        _audit(ws, now, name, "signin", name, {"client": client})
    return WebSession(token, csrf, user, expires)


_DUMMY: dict[type, str] = {}


def _refusal(found: tuple[User, str] | None, password: str, hasher: PasswordHasher) -> str | None:
    """Why a sign-in fails (``None``: it does not). An unknown name costs a hash check too, so
    the time taken does not tell which names exist."""
    if len(password) > PASSWORD_MAX:
        return "password too long"
    if found is None:
        dummy = _DUMMY.setdefault(type(hasher), hasher.hash("not a password"))
        hasher.verify(dummy, password)
        return "unknown user"
    user, stored = found
    if not hasher.verify(stored, password):
        return "wrong password"
    return "disabled" if user.disabled else None


def session_user(source: WorkspaceSource, token: str, *, now: datetime) -> WebSession | None:
    """The web session of a session token at ``now``; ``None`` when it is unknown, expired
    (then it is deleted) or its user is disabled. A session used again moves its expiry
    forward (:data:`SESSION_IDLE` from now), at most once every :data:`TOUCH_EVERY`."""
    if not token or len(token) > TOKEN_MAX:
        return None
    digest = token_hash(token)
    with opened(source) as ws:
        found = ws.users.session(digest)
        if found is None:
            return None
        user, csrf, expires = found
        if expires <= now:
            ws.users.end_session(digest)
            return None
        if user.disabled:
            return None
        if expires - SESSION_IDLE + TOUCH_EVERY <= now:
            expires = now + SESSION_IDLE
            ws.users.touch_session(digest, now, expires)
    return WebSession(token, csrf, user, expires)


def sign_out(source: WorkspaceSource, token: str) -> bool:
    """End the web session of a session token; whether there was one."""
    if not token or len(token) > TOKEN_MAX:
        return False
    digest = token_hash(token)
    with opened(source) as ws:
        found = ws.users.session(digest)
        if found is None or not ws.users.end_session(digest):
            return False
        name = found[0].name
        _audit(ws, ws.clock.now(), name, "signout", name, {})
    return True


def audit(
    source: WorkspaceSource,
    actor: str,
    action: str,
    subject: str,
    detail: Mapping[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """Write an entry to the audit log: ``actor`` did ``action`` (e.g. ``config.applied``) to
    ``subject``, with ``detail`` (JSON values; keys naming secrets, such as ``password`` or
    ``token``, are dropped). ``at`` defaults to the workspace clock's now."""
    if not action or len(action) > 64:
        raise InputError("an audit action has 1 to 64 characters", field="action")
    with opened(source) as ws:
        _audit(ws, at or ws.clock.now(), actor, action, subject, detail or {})


def _audit(
    ws: Workspace,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    detail: Mapping[str, Any],
) -> None:
    kept = {k: v for k, v in detail.items() if k not in HIDDEN_KEYS}
    ws.users.append_audit(at, actor[:ACTOR_MAX], action, subject[:SUBJECT_MAX], kept)


def audit_log(
    source: WorkspaceSource, *, limit: int = 100, since: datetime | None = None
) -> list[dict[str, Any]]:
    """The newest ``limit`` entries of the audit log (since ``since`` when given), newest
    first, as rows of :data:`AUDIT_COLUMNS` (``detail`` a dict)."""
    if limit < 1:
        raise InputError("give a number of entries of at least 1", field="limit")
    with opened(source) as ws:
        return ws.users.audit(limit, since)
