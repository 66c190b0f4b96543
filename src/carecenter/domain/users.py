"""The people who sign in to ``carecenter serve``, what each may see and change, and the rule
that slows down password guessing.

Three roles: an **agent** works contacts and sees their own; a **supervisor** sees the agents
and queues of their team (every team when they have none); an **admin** sees everything and
changes the configuration and the users. The rules are pure: the server asks them with the
user of the request and the thing asked for.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any

from carecenter.domain.center import Center
from carecenter.errors import InputError


class Role(StrEnum):
    """What a user may do: ``agent`` < ``supervisor`` < ``admin``."""

    AGENT = "agent"
    """Works contacts; sees their own contacts and state."""
    SUPERVISOR = "supervisor"
    """Watches and steers a team (or the whole center when given no team)."""
    ADMIN = "admin"
    """Everything, including the configuration and the users."""


NAME_MAX = 64
"""The longest user name (characters)."""
PASSWORD_MIN = 8
"""The shortest password (characters)."""
PASSWORD_MAX = 1024
"""The longest password (characters): longer input is refused before it is hashed."""
_NAME = re.compile(rf"[A-Za-z0-9._@-]{{1,{NAME_MAX}}}")


def name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a user name (``None``: nothing): 1 to 64 ASCII letters,
    digits, ``.``, ``_``, ``-`` or ``@``."""
    if _NAME.fullmatch(name) is None:
        return f"must be 1 to {NAME_MAX} letters, digits, '.', '_', '-' or '@'"
    return None


def password_problem(password: str) -> str | None:
    """What is wrong with ``password`` (``None``: nothing): 8 to 1024 characters, none of them
    a control character. The message never repeats the password."""
    if len(password) < PASSWORD_MIN:
        return f"must have at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"must have at most {PASSWORD_MAX} characters"
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in password):
        return "must not hold control characters"
    return None


def placement(
    role: Role, agent_id: str | None, team: str | None, center: Center | None
) -> tuple[str | None, str | None]:
    """(agent id, team) of a new user, checked against the center's agents and teams
    (``center`` is needed only when an agent or a team is given).

    An agent user names an agent of the center and is in that agent's team (their team when
    none is given); any user's team must be the team of some agent. A mistake is an
    :class:`~carecenter.errors.InputError` on the field ``agent``, ``team``.
    """
    if role is Role.AGENT and agent_id is None:
        raise InputError("an agent user needs an agent of center.yaml", field="agent")
    if agent_id is None and team is None:
        return None, None
    if center is None:
        raise ValueError("a center is needed to check an agent or a team")
    if agent_id is not None:
        agent = center.agents.get(agent_id)
        if agent is None:
            known = _listing(center.agents)
            raise InputError(f"unknown agent {agent_id!r}; center.yaml has {known}", field="agent")
        own = agent.team or None
        if team is None:
            team = own
        elif role is Role.AGENT and team != own:
            where = f"team {own}" if own else "no team"
            raise InputError(f"agent {agent_id} is in {where}, not {team!r}", field="team")
    teams = {a.team for a in center.agents.values() if a.team}
    if team is not None and team not in teams:
        raise InputError(
            f"unknown team {team!r}; the agents of center.yaml are in {_listing(teams)}",
            field="team",
        )
    return agent_id, team


def _listing(names: Mapping[str, Any] | set[str], most: int = 10) -> str:
    ordered = sorted(names)
    if not ordered:
        return "none"
    more = f" and {len(ordered) - most} more" if len(ordered) > most else ""
    return ", ".join(ordered[:most]) + more


def canonical_json(detail: Mapping[str, Any]) -> str:
    """The detail of an audit entry as canonical JSON (sorted keys, no spaces): times and dates
    in ISO 8601, enums by value, anything else JSON lacks as its text."""
    return json.dumps(dict(detail), sort_keys=True, separators=(",", ":"), default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return str(value)


@dataclass(frozen=True)
class User:
    """A person (or a machine client such as a PBX) who signs in.

    ``agent_id`` ties the user to an agent of ``center.yaml`` (required for the agent role);
    ``team`` limits what a supervisor or agent sees to that team (``None``: no team). A
    ``disabled`` user keeps their record and audit trail but cannot sign in, and their
    sessions and API tokens stop working.
    """

    name: str
    role: Role
    agent_id: str | None = None
    team: str | None = None
    disabled: bool = False

    def may_change_config(self) -> bool:
        """Whether the user may change the center's configuration: admins only."""
        return self.role is Role.ADMIN

    def may_manage_users(self) -> bool:
        """Whether the user may add, change and remove users and issue tokens: admins only."""
        return self.role is Role.ADMIN

    def may_supervise(self) -> bool:
        """Whether the user watches others' work (wallboard, reports): supervisors and admins."""
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    def may_see_team(self, team: str | None) -> bool:
        """Whether the user may see the figures of ``team`` (``None``: the whole center).

        An admin sees every team and the whole center; so does a supervisor without a team. A
        supervisor or an agent with a team sees only that team; an agent without one sees no
        team's figures (only their own, see :meth:`may_see_agent`).
        """
        if self.role is Role.ADMIN or (self.role is Role.SUPERVISOR and self.team is None):
            return True
        return self.team is not None and team == self.team

    def may_see_agent(self, agent_id: str, agent_team: str | None) -> bool:
        """Whether the user may see agent ``agent_id`` (of team ``agent_team``) and their
        contacts.

        An admin sees every agent; a supervisor the agents of their team, or every agent when
        they have no team; an agent only themselves.
        """
        if self.role is Role.ADMIN:
            return True
        if self.role is Role.SUPERVISOR:
            return self.team is None or agent_team == self.team
        return self.agent_id is not None and agent_id == self.agent_id


class SignInLimiter:
    """Refuses sign-ins after too many failures: per key (e.g. ``"name|client-ip"``), at most
    ``max_failures`` failed attempts within ``window_s`` seconds; then every attempt is refused
    until the oldest of those failures is ``window_s`` old.

    Time is given (seconds, e.g. ``datetime.timestamp()``); the limiter never reads a clock.
    A success clears the key. Keys without recent failures are forgotten, so memory stays
    bounded by the failures of one window. Safe to share between threads.
    """

    def __init__(self, max_failures: int = 5, window_s: float = 300.0) -> None:
        if max_failures < 1 or window_s <= 0:
            raise ValueError("a sign-in limiter needs max_failures >= 1 and window_s > 0")
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._pruned_at = float("-inf")

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again at ``now``; 0 when it may try now."""
        with self._lock:
            recent = self._recent(key, now)
            if recent is None or len(recent) < self.max_failures:
                return 0.0
            return max(0.0, recent[-self.max_failures] + self.window_s - now)

    def allowed(self, key: str, now: float) -> bool:
        """Whether ``key`` may try to sign in at ``now``."""
        return self.retry_after(key, now) == 0.0

    def failed(self, key: str, now: float) -> None:
        """Count a failed attempt of ``key`` at ``now``."""
        with self._lock:
            self._prune(now)
            recent = self._recent(key, now)
            if recent is None:
                recent = self._failures[key] = deque()
            recent.append(now)
            while len(recent) > self.max_failures:  # older ones no longer matter
                recent.popleft()

    def succeeded(self, key: str) -> None:
        """Forget the failures of ``key`` (it signed in)."""
        with self._lock:
            self._failures.pop(key, None)

    def __len__(self) -> int:
        """How many keys have failures on record."""
        return len(self._failures)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        """The failures of ``key`` within the window before ``now`` (older ones dropped)."""
        recent = self._failures.get(key)
        if recent is None:
            return None
        while recent and recent[0] <= now - self.window_s:
            recent.popleft()
        if not recent:
            del self._failures[key]
            return None
        return recent

    def _prune(self, now: float) -> None:
        """Forget every key whose failures are all older than the window (once a window)."""
        if now - self._pruned_at < self.window_s:
            return
        self._pruned_at = now
        for key in [k for k, times in self._failures.items() if times[-1] <= now - self.window_s]:
            del self._failures[key]
