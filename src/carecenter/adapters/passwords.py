"""Password hashing with argon2id (argon2-cffi): the real
:class:`~carecenter.services.ports.PasswordHasher`.

A hash is a self-describing string (``$argon2id$v=19$m=...,t=...,p=...$salt$hash``): it keeps
the parameters it was made with, so a stored hash still verifies after the defaults grow, and
:meth:`Argon2Hasher.needs_rehash` says when to replace it (at the next successful sign-in).
"""

from __future__ import annotations

import argon2
from argon2.exceptions import Argon2Error, InvalidHashError


class Argon2Hasher:
    """argon2id with argon2-cffi's default parameters (RFC 9106's low-memory choice), or
    those of the ``hasher`` given (e.g. cheaper ones)."""

    def __init__(self, hasher: argon2.PasswordHasher | None = None) -> None:
        self._hasher = hasher if hasher is not None else argon2.PasswordHasher()

    def hash(self, password: str) -> str:
        """A new salted argon2id hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``; a malformed hash is no match."""
        try:
            return self._hasher.verify(password_hash, password)
        except (Argon2Error, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether ``password_hash`` was made with other parameters than this hasher's (or is
        no argon2 hash at all)."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except (Argon2Error, ValueError):
            return True
