"""A small cache of compiled SQL in files: one file per key under a directory per version of
the metric catalog.

Used for the metric catalog's compiled reports (:mod:`carecenter.metrics.compiled`). Entries
live under :func:`catalog_version`, so a changed catalog (or Ibis, sqlglot, DuckDB, pyarrow)
never reads what another version compiled. A cache that cannot be read or written (a read-only
workspace, a full disk) is simply a cache that misses: the report is compiled again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import carecenter.metrics

PACKAGES = ("ibis-framework", "sqlglot", "duckdb", "pyarrow")
"""Packages whose version changes the compiled SQL or how its result is read."""
MAX_FILES = 200
"""Beyond this many entries the oldest are removed when a new one is written."""


@cache
def catalog_version() -> str:
    """A digest of the catalog's code (every module of :mod:`carecenter.metrics` and the
    domain modules it reads) and of the versions of :data:`PACKAGES`."""
    digest = hashlib.sha256()
    metrics = Path(carecenter.metrics.__file__).resolve().parent
    domain = metrics.parent / "domain"
    for path in [*sorted(metrics.glob("*.py")), domain / "enums.py", domain / "durations.py"]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for package in PACKAGES:
        try:
            digest.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()


class FileSqlCache:
    """:class:`~carecenter.metrics.compiled.SqlCache` in the directory ``base``, under the
    catalog's version (``version``: :func:`catalog_version`)."""

    def __init__(self, base: Path, version: str | None = None) -> None:
        self.root = base / (version if version is not None else catalog_version())[:16]

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
        for other in self.root.parent.iterdir():  # what older catalogs compiled
            if other != self.root and other.is_dir():
                for stale in other.glob("*.json"):
                    stale.unlink(missing_ok=True)
                other.rmdir()
