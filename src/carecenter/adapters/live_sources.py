"""Followed queue_logs as line sources whose state the caller keeps.

The monitor keeps where a source was read up to in its journal's state, written in the same
atomic step as the lines (:mod:`carecenter.adapters.journal`), so the followers' own state
files are only handed the journal's state when they start: the journal is the one record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from carecenter.adapters.follow import FileFollower
from carecenter.adapters.follow_state import write_json_atomic


class FollowedFile:
    """A :class:`~carecenter.adapters.follow.FileFollower` as a line source."""

    def __init__(self, follower: FileFollower) -> None:
        self.follower = follower

    def poll(self) -> list[str]:
        return self.follower.poll()

    def state(self) -> Any:
        return self.follower.state()

    def close(self) -> None:
        """Nothing to close: the file is opened at each poll."""


def followed_file(
    path: Path, saved: Any, state_path: Path, *, start: str = "beginning"
) -> FollowedFile:
    """Follow the file ``path`` from the ``saved`` state (``None``: a first run, starting at
    the file's ``start``: ``beginning`` or ``end``)."""
    if saved is not None:
        write_json_atomic(state_path, saved)
    elif state_path.exists():
        state_path.unlink()
    where: Literal["beginning", "end"] = "end" if start == "end" else "beginning"
    return FollowedFile(FileFollower(path, state_path, start=where))


def followed_table(
    url: str, table: str, saved: Any, state_path: Path, *, time_zone: str = "UTC"
) -> Any:
    """Follow the queue_log table ``table`` of the database ``url`` from the ``saved``
    state (``None``: from its first row)."""
    from carecenter.adapters.queue_log_table import TableFollower

    if saved is not None:
        write_json_atomic(state_path, saved)
    elif state_path.exists():
        state_path.unlink()
    follower = TableFollower(url, table, state_path, time_zone=time_zone)
    return FollowedTable(follower, state_path)


class FollowedTable:
    """A table follower as a line source."""

    def __init__(self, follower: Any, state_path: Path) -> None:
        self.follower = follower
        self.state_path = state_path

    def poll(self) -> list[str]:
        lines: list[str] = self.follower.poll()
        return lines

    def state(self) -> Any:
        return self.follower.state()

    def close(self) -> None:
        """Close the database connections."""
        self.follower.close()
