"""A small cache of compiled SQL in files: one file per key under a directory.

Used for the metric catalog's compiled reports (:mod:`carecenter.metrics.compiled`). A cache
that cannot be read or written (a read-only workspace, a full disk) is simply a cache that
misses: the report is compiled again.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

MAX_FILES = 200
"""Beyond this many entries the oldest are removed when a new one is written."""


class FileSqlCache:
    """:class:`~carecenter.metrics.compiled.SqlCache` in the directory ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def get(self, key: str) -> str | None:
        try:
            return self._path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, value: str) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(value)
            os.replace(tmp, self._path(key))
            self._trim()
        except OSError:
            return

    def _trim(self) -> None:
        files = sorted(self.root.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - MAX_FILES)]:
            old.unlink(missing_ok=True)
