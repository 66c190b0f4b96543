"""The engine's timers: what becomes due at a given engine time.

A timer is only a reminder: when it fires, the engine checks that what it was set for still
holds (the same queue visit, the same offer, an open promise) and does nothing otherwise, so
stale timers are harmless and a rebuilt engine may carry some.
"""

from __future__ import annotations

import heapq
from enum import IntEnum


class Due(IntEnum):
    """What a timer is for."""

    LEVEL = 1
    """A waiting contact passes its queue's next wait threshold (a relaxation step, or an
    agent's delay)."""
    PREFERRED_END = 2
    """The preferred agent's window for a contact ends."""
    OFFER_TIMEOUT = 3
    """An offer rang out."""
    MISSED_END = 4
    """An agent's pause after a missed offer ends."""
    OVERFLOW = 5
    """A waiting contact overflows to another queue."""
    ANNOUNCE = 6
    """A hold treatment repeats (message, position, expected wait)."""
    PROMISE_DUE = 7
    """A promise falls due."""
    CALLBACK_ATTEMPT = 8
    """A booked callback (or its retry) is to be started."""


Timer = tuple[float, int, Due, str, int, str]
"""(due, sequence, what, subject id, token, detail)."""


class Timers:
    """A heap of timers, earliest first; equal times in the order they were set."""

    def __init__(self) -> None:
        self._heap: list[Timer] = []
        self._seq = 0

    def set(self, due: float, what: Due, subject: str, token: int = 0, detail: str = "") -> None:
        """Remind at engine time ``due`` of ``what`` for ``subject``."""
        self._seq += 1
        heapq.heappush(self._heap, (due, self._seq, what, subject, token, detail))

    def next_due(self) -> float | None:
        """The time of the earliest timer, ``None`` when there is none."""
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> Timer | None:
        """The earliest timer due at or before ``now`` (removed), else ``None``."""
        if self._heap and self._heap[0][0] <= now:
            return heapq.heappop(self._heap)
        return None

    def __len__(self) -> int:
        return len(self._heap)
