"""The clock port: pure code is given the time, it never reads it.

Implementations: :class:`carecenter.adapters.clock.SystemClock` (the machine's time) and
:class:`carecenter.adapters.memory.FakeClock` (set and advanced by tests).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Where the time comes from."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...
