"""Use case: ``carecenter import FORMAT FILE... --to-parquet DIR`` — an import's facts written
straight into an export directory (:mod:`carecenter.adapters.parquet_export`), for sources too
big for one workspace.

1. The files are imported (:func:`carecenter.services.importing.import_files`) into a scratch
   workspace: a DuckDB warehouse in a temporary directory ``DIR/.import-*`` (same disk as
   ``DIR``; a name DuckDB globs and Spark skip), with no operational store. It is given the
   center file (``center.yaml``) of the workspace the settings name, when there is one, so
   its time zone, agent aliases and ticket rules apply; otherwise times are UTC. That
   workspace itself is neither opened nor written.
2. For the center days the import's rows cover (the first to the last), the rows ``DIR``
   already holds for those days, in each exported table, whose key
   (:data:`~carecenter.adapters.warehouse_schema.KEYS`) the import did not write are loaded
   into the scratch tables: nothing exported before is lost, and a row the import wrote again
   replaces the exported one (importing the same file twice changes nothing).
3. Those days are exported (:func:`~carecenter.adapters.parquet_export.export_facts`).
4. The quarantined records are appended to ``DIR/_import_quarantine.csv`` (the columns of the
   ``import_quarantine`` table; ``imported_at`` is the import's time).

The scratch directory is removed at the end, also on error.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carecenter.adapters.parquet_export import DayExport, read_manifest
from carecenter.adapters.parquet_merge import append_quarantine, export_import
from carecenter.adapters.settings import WAREHOUSE_FILE, Settings
from carecenter.domain.center import Center
from carecenter.errors import InputError
from carecenter.ingest import ImportOptions
from carecenter.services.bootstrap import Workspace
from carecenter.services.importing import FileProgress, ImportSummary, import_files

QUARANTINE_FILE = "_import_quarantine.csv"
"""The file in the export directory the quarantined records of its imports are appended to."""
FIELD = "to_parquet"
"""The field errors about the export directory name (the flag ``--to-parquet``)."""


@dataclass(frozen=True)
class ParquetImport:
    """What an import into an export directory did: the import's counts, what was done to
    each table's day, and how many quarantined records were appended to ``quarantine``."""

    summary: ImportSummary
    exported: list[DayExport]
    quarantine: Path
    quarantined: int
    center: str | None
    """The center whose file the import used (``None``: none, times in UTC)."""


def import_to_parquet(
    settings: Settings,
    fmt: str,
    paths: Sequence[Path],
    directory: Path,
    options: ImportOptions | None = None,
    progress: FileProgress | None = None,
) -> ParquetImport:
    """Import ``paths`` in format ``fmt`` and export their center days to ``directory`` (see
    the module); ``settings`` name the workspace whose center file applies."""
    center = _center(settings)
    zone = center.timezone if center is not None else "UTC"
    _check_directory(directory, zone)
    created = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with _scratch(directory, settings, center) as (ws, conn):
            summary = import_files(ws, fmt, paths, options, progress)
            exported = export_import(conn, directory, zone)
            quarantined = append_quarantine(conn, directory / QUARANTINE_FILE)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):  # not empty: an earlier file is kept
                directory.rmdir()
        raise
    name = center.name if center is not None else None
    return ParquetImport(summary, exported, directory / QUARANTINE_FILE, quarantined, name)


def _center(settings: Settings) -> Center | None:
    """The center of the workspace's ``center.yaml`` (validated), ``None`` when it has none."""
    from carecenter.adapters.center_yaml import read_center_file

    path = settings.config_path
    return read_center_file(path) if path.is_file() else None


def _check_directory(directory: Path, zone: str) -> None:
    """An :class:`InputError` naming ``--to-parquet`` when ``directory`` is no directory or
    holds an export that cannot take this one (another schema, another time zone), before
    anything is imported."""
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}: not a directory", field=FIELD)
    if not directory.exists():
        return
    try:
        read_manifest(directory, zone)
    except InputError as error:
        raise InputError(error.message, field=FIELD) from None


@contextlib.contextmanager
def _scratch(
    directory: Path, settings: Settings, center: Center | None
) -> Iterator[tuple[Workspace, Any]]:
    """A workspace in a new temporary directory inside ``directory`` (a DuckDB warehouse, the
    center in memory, no operational store) and its warehouse's connection; closed and
    removed with its directory on leaving."""
    from carecenter.adapters.clock import SystemClock
    from carecenter.adapters.memory import InMemoryCenterRepository, InMemoryEventLog
    from carecenter.adapters.warehouse import DuckDbWarehouse

    root = Path(tempfile.mkdtemp(prefix=".import-", dir=directory))
    try:
        warehouse = DuckDbWarehouse(
            root / WAREHOUSE_FILE,
            import_memory=settings.import_memory,
            threads=settings.warehouse_threads,
        )
        try:
            repo = InMemoryCenterRepository()
            if center is not None:
                repo.save(center)
            scratch = settings.model_copy(
                update={"workspace": root, "database_url": None, "warehouse": None}
            )
            ws = Workspace(
                scratch,
                events=InMemoryEventLog(),
                center=repo,
                clock=SystemClock(),
                warehouse=warehouse,
            )
            yield ws, warehouse.connection
        finally:
            warehouse.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
