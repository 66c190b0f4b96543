"""Opening input files for the translators in :mod:`carecenter.ingest`: streaming UTF-8 text
with progress, ``.gz`` decompressed on the fly; and writing an Asterisk ``queue_log``."""

from __future__ import annotations

import gzip
import io
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from carecenter.domain.events import Event
from carecenter.errors import InputError
from carecenter.ingest.queue_log_render import QueueLogRenderer
from carecenter.ingest.reading import Progress, TextFile


@contextmanager
def open_text(path: Path, progress: Progress | None = None) -> Iterator[TextFile]:
    """Open ``path`` (``.gz`` is decompressed) as UTF-8 text, streaming; bad bytes are replaced."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    with raw:
        size = path.stat().st_size
        binary: BinaryIO = raw
        if path.suffix == ".gz":
            binary = typing.cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb"))
        stream = io.TextIOWrapper(
            typing.cast(Any, binary), encoding="utf-8-sig", errors="replace", newline=""
        )
        yield TextFile(path, stream, size, raw, progress)


def write_queue_log(events: Iterable[Event], path: Path) -> int:
    """Write ``events`` as a queue_log file at ``path``; return the number of lines."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for line in QueueLogRenderer().lines(events):
            out.write(line + "\n")
            count += 1
    return count
