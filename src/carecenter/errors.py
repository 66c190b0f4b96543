"""One exception hierarchy for carecenter.

Every error a user can meet derives from :class:`CareCenterError`. The command line turns one
into a single line on stderr (``str(error)``) and exits with ``error.exit_code``; it never shows
a traceback for these.
"""

from __future__ import annotations


class CareCenterError(Exception):
    """Base of every error carecenter raises on purpose."""

    exit_code: int = 1


class DomainError(CareCenterError):
    """A business rule was broken (e.g. an illegal state change)."""


class IllegalTransition(DomainError):
    """A contact, agent or promise was asked to make a state change its life cycle forbids."""

    def __init__(self, entity: str, entity_id: str, state: str, action: str) -> None:
        self.entity = entity
        self.entity_id = entity_id
        self.state = state
        self.action = action
        super().__init__(f"{entity} {entity_id}: cannot {action} when {state}")


class InputError(CareCenterError):
    """Bad input from a user: a file, a line and a field, and what was wrong there."""

    exit_code = 2

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None, field: str = ""
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


def not_utf8(error: UnicodeDecodeError, file: str) -> InputError:
    """The :class:`InputError` for a file whose whole bytes were decoded at once (``error``
    holds them): the line of the first byte that is not UTF-8."""
    line = error.object[: error.start].count(b"\n") + 1
    return InputError(
        f"not UTF-8 text (byte 0x{error.object[error.start]:02x})", file=file, line=line
    )


class ConfigError(InputError):
    """The center configuration (``center.yaml``) is invalid.

    ``problems`` lists every mistake found (this one first), so a user can fix them all at once.
    """

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None, field: str = ""
    ) -> None:
        super().__init__(message, file=file, line=line, field=field)
        self.problems: list[ConfigError] = [self]


class WorkspaceError(CareCenterError):
    """The workspace is missing, incomplete or cannot be opened."""

    exit_code = 2


class StoreError(CareCenterError):
    """The operational store or the warehouse could not do what was asked."""


class StoreUnavailableError(StoreError):
    """The operational store cannot be reached: a database URL that cannot be used (malformed,
    an unknown or missing driver), a server that does not answer or refuses the login, a
    database file that cannot be opened. Exit code 69 (``EX_UNAVAILABLE``)."""

    exit_code = 69


class WarehouseBusyError(StoreError):
    """Another process held the warehouse for longer than the lock timeout
    (``CARECENTER_LOCK_TIMEOUT``). Exit code 75 (``EX_TEMPFAIL``): try again later."""

    exit_code = 75


class SignInRefused(CareCenterError):
    """A sign-in was refused: a wrong user name or password (one message for both, so it
    does not tell which names exist), a disabled user, or too many failed attempts, when
    ``retry_after_s`` says how long to wait. Exit code 77 (``EX_NOPERM``)."""

    exit_code = 77

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message)

    @property
    def rate_limited(self) -> bool:
        """Whether the attempt was refused for too many failures (not checked at all)."""
        return self.retry_after_s is not None
