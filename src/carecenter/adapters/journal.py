"""A journal of followed lines: the day's lines of a live source, kept in the workspace.

``carecenter monitor`` imports a followed queue_log again and again as it grows, the way
``carecenter import`` reads a whole file, so live and imported figures are the same. The
journal is what it imports: the lines of the current day, in one file
(``<name>.lines``), with a state file (``<name>.state.json``) holding how many bytes of the
journal are good and where the source was read up to.

Lines are appended and flushed to disk *before* the state moves, and the state is replaced
atomically; on open the journal is cut back to the length the state names. So a process
killed at any moment loses nothing it acknowledged and keeps nothing twice: the lines after
the last state are read again from the source.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class LineJournal:
    """The journal ``<directory>/<name>.lines`` and its state."""

    def __init__(self, directory: Path, name: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{name}.lines"
        self._state_path = directory / f"{name}.state.json"
        state = self._read_state()
        self.position: Any = state.get("position")
        """Where the source was read up to (as the follower gave it), ``None`` at first."""
        self.day: str | None = state.get("day")
        """The local day the journal's lines are of (``YYYY-MM-DD``), ``None`` when empty."""
        self.size = int(state.get("bytes", 0))
        with self.path.open("ab") as handle:
            handle.truncate(self.size)

    def _read_state(self) -> dict[str, Any]:
        try:
            loaded = json.loads(self._state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def append(self, lines: Sequence[str], position: Any, day: str | None) -> None:
        """Add ``lines`` (without their newlines), then record ``position`` and ``day``."""
        if lines:
            data = "".join(f"{line}\n" for line in lines).encode("utf-8")
            with self.path.open("ab") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            self.size += len(data)
        self.position, self.day = position, day
        self._write_state()

    def restart(self, lines: Sequence[str], day: str | None) -> None:
        """Replace the journal with ``lines`` (a new day: what is carried over)."""
        data = "".join(f"{line}\n" for line in lines).encode("utf-8")
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".journal-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        self.size, self.day = len(data), day
        self._write_state()

    def lines(self) -> list[str]:
        """The journal's lines."""
        with self.path.open("rb") as handle:
            data = handle.read(self.size)
        return data.decode("utf-8", errors="replace").splitlines()

    def _write_state(self) -> None:
        state = {"position": self.position, "bytes": self.size, "day": self.day}
        fd, tmp = tempfile.mkstemp(dir=self._state_path.parent, prefix=".state-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self._state_path)
