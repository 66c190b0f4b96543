"""Use case ``import``: read files another system exported into the workspace warehouse.

Each file is streamed through the importer of its format; facts are written in large batches,
replacing rows with the same key, so importing a file twice adds nothing. Malformed records go
to the ``import_quarantine`` table and are counted; they never stop the import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from carecenter.adapters.files import open_text
from carecenter.domain.tickets import TicketRules
from carecenter.errors import InputError, StoreError
from carecenter.ingest import FORMATS, ImportOptions, make_importer
from carecenter.ingest.common import FileCounts, Importer
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.services.ports import ImportTarget

EXIT_QUARANTINED = 3
"""Exit code of an import that quarantined records (the others were imported)."""

FileProgress = Callable[[str, int, int], None]
"""Called with (file, bytes read, bytes in the file) while files are read."""


@dataclass(frozen=True)
class ImportSummary:
    """What one import run did, file by file."""

    format: str
    files: list[FileCounts]

    def total(self) -> FileCounts:
        """The counts of all files added up."""
        total = FileCounts(self.files[0].source if self.files else "", "total")
        notes: Counter[str] = Counter()
        for counts in self.files:
            for f in fields(FileCounts):
                value = getattr(counts, f.name)
                if isinstance(value, int):
                    setattr(total, f.name, getattr(total, f.name) + value)
            notes.update(counts.notes)
            total.warnings.extend(counts.warnings)
        total.notes = notes
        return total

    @property
    def exit_code(self) -> int:
        """0 when every record was imported, 3 when some were quarantined."""
        return EXIT_QUARANTINED if self.total().quarantined else 0

    def rows(self) -> list[dict[str, Any]]:
        """One row per file, and a total row when there are several files."""
        files = self.files + ([self.total()] if len(self.files) > 1 else [])
        return [
            {
                "file": c.file if c.file == "total" else Path(c.file).name,
                "records": c.records,
                "contacts": c.contacts,
                "new": c.contacts_new,
                "updated": c.contacts_updated,
                "unchanged": c.unchanged,
                "quarantined": c.quarantined,
                "unknown": c.unknown,
                "ignored": c.ignored,
                "intervals": c.intervals,
            }
            for c in files
        ]


def formats() -> dict[str, str]:
    """Format name -> what it reads."""
    return dict(FORMATS)


def import_files(
    source: WorkspaceSource,
    fmt: str,
    paths: Sequence[Path],
    options: ImportOptions | None = None,
    progress: FileProgress | None = None,
    *,
    names: Sequence[str] | None = None,
    log: bool = True,
) -> ImportSummary:
    """Import ``paths`` (in order; a call spanning two of them is joined) in format ``fmt``.

    ``names``: what the files are called in the import's records (the quarantine, the
    counts), instead of their paths; ``log``: whether to add each file's row to the import
    log (a live source imported again every second is not logged)."""
    options = options or ImportOptions()
    importer = make_importer(fmt, options)
    if not paths:
        raise InputError("no file to import")
    for path in paths:
        _check_file(path)
    if all(path.stat().st_size == 0 for path in paths):
        raise InputError("the file is empty; nothing to import", file=str(paths[0]))
    done: list[FileCounts] = []
    with opened(source) as ws:
        target = ws.warehouse
        if not isinstance(target, ImportTarget):
            raise StoreError(f"{type(target).__name__}: this warehouse does not take imports")
        center = ws.center.load()
        if center is not None:
            options = replace(
                options,
                center_time_zone=center.timezone,
                agent_aliases={**center.agent_aliases, **options.agent_aliases},
                ticket_rules=TicketRules.of_center(center, importer.source),
            )
            importer = make_importer(fmt, options)
        sink = target.import_sink(importer.source)
        try:
            labels = list(names) if names is not None else [str(p.resolve()) for p in paths]
            _import_each(
                importer,
                sink,
                fmt,
                list(zip(paths, labels, strict=True)),
                options,
                progress,
                done,
                log,
            )
        except BaseException as error:
            abort = getattr(sink, "abort_file", None)
            if abort is not None:
                abort()  # nothing of the file being read stays
            explain = getattr(sink, "explain", None)
            explained = explain(error) if explain is not None else None
            if explained is not None:
                raise explained from error
            raise
    return ImportSummary(fmt, done)


def _import_each(
    importer: Importer,
    sink: Any,
    fmt: str,
    files: Sequence[tuple[Path, str]],
    options: ImportOptions,
    progress: FileProgress | None,
    done: list[FileCounts],
    log: bool,
) -> None:
    """Import each file of ``files`` (path, name) in turn (one transaction each), adding its
    counts to ``done``; the last file's end folds what the files staged."""
    for i, (path, name) in enumerate(files):
        sink.start_file(name)
        report = None
        if progress is not None:

            def report(read: int, size: int, _name: str = name) -> None:
                progress(_name, read, size)

        with open_text(path, report, options.encoding) as text:
            importer.read(text, sink)
            decoding = text.decoding
        if decoding is not None and decoding.undecoded:
            sink.counts.undecoded += decoding.undecoded
            sink.counts.warnings.append(f"{path}: {decoding.warning()}")
        _check_read(path, fmt, sink.counts)
        if path.stat().st_size == 0:
            sink.counts.notes[f"empty file: {path.name}"] += 1
        if i == len(files) - 1:
            importer.finish(sink)
        done.append(sink.end_file(log=log))


def _check_file(path: Path) -> None:
    """``InputError`` unless ``path`` is a file that can be read."""
    if path.is_dir():
        raise InputError("a directory, not a file", file=str(path))
    if not path.exists():
        raise InputError("no such file", file=str(path))
    if not path.is_file():
        raise InputError("not a regular file", file=str(path))


def _check_read(path: Path, fmt: str, counts: FileCounts) -> None:
    """``InputError`` when nothing at all in ``path`` could be read as ``fmt``: it has several
    records and every one was quarantined (a wrong format), so no fact and no quarantine row
    of it is written. A single bad record is quarantined as usual."""
    if counts.records < 2 or counts.quarantined < counts.records or counts.unknown:
        return
    raise InputError(
        f"{path} does not look like {_article(fmt)} {fmt} file (first line: "
        f"{_first_line(path)!r}); nothing was imported from it"
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _first_line(path: Path, limit: int = 80) -> str:
    with open_text(path) as text:
        for _, line in text.lines():
            if line.strip():
                return line[:limit] + ("..." if len(line) > limit else "")
    return ""
