"""The system clock: :class:`~carecenter.services.ports.Clock` on the machine's time."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The real time, timezone-aware, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
