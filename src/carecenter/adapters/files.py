"""Opening input files for the translators in :mod:`carecenter.ingest`: streaming text with
progress, ``.gz`` decompressed on the fly, the encoding detected; and writing an Asterisk
``queue_log``.

Encoding: a byte order mark says UTF-8 or UTF-16; else the text is read as UTF-8, and a byte
sequence that is not UTF-8 is read as cp1252 (latin-1 for the five bytes cp1252 leaves
undefined), the usual encoding of legacy Windows exports. An encoding given by name is used as
it is. Either way nothing is replaced silently: the bytes read otherwise are counted
(:attr:`~carecenter.ingest.reading.TextFile.decoding`) for a warning."""

from __future__ import annotations

import codecs
import gzip
import io
import itertools
import typing
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from carecenter.domain.events import Event
from carecenter.errors import InputError
from carecenter.ingest.queue_log_render import QueueLogRenderer
from carecenter.ingest.reading import Decoding, Progress, TextFile, csv_rows

_HANDLERS = itertools.count()
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _legacy(data: bytes) -> str:
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


def _error_handler(decoding: Decoding) -> str:
    """Register a decoding error handler that counts what it meets: in the fallback (no
    encoding named) a sequence that is not UTF-8 is read as cp1252; with a named encoding it is
    replaced by U+FFFD. Its name."""

    def handle(exc: UnicodeError) -> tuple[str, int]:
        if not isinstance(exc, UnicodeDecodeError):
            raise exc
        bad = exc.object[exc.start : exc.end]
        decoding.undecoded += len(bad)
        if decoding.fallback is not None:
            return _legacy(bad), exc.end
        return "\ufffd" * len(bad), exc.end

    name = f"carecenter-import-{next(_HANDLERS)}"
    codecs.register_error(name, handle)
    return name


class _Text(io.TextIOWrapper):
    """A text stream whose count of undecoded bytes starts again when it is read again from
    the start (a translator may read the first lines twice)."""

    decoding: Decoding

    def seek(self, cookie: int, whence: int = 0, /) -> int:
        if cookie == 0 and whence == 0:
            self.decoding.undecoded = 0
        return super().seek(cookie, whence)


@contextmanager
def open_text(
    path: Path, progress: Progress | None = None, encoding: str | None = None
) -> Iterator[TextFile]:
    """Open ``path`` (``.gz`` is decompressed) as text, streaming, in ``encoding`` or the one
    detected (see the module docstring); bytes that could not be decoded are counted in the
    file's :attr:`~carecenter.ingest.reading.TextFile.decoding`."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    with raw:
        size = path.stat().st_size
        binary: BinaryIO = raw
        if path.suffix == ".gz":
            binary = typing.cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb"))
        decoding = Decoding(encoding or "utf-8", None if encoding else "cp1252")
        if encoding is None:
            head = typing.cast(Any, binary).peek(4)
            for bom, name in BOMS:
                if head.startswith(bom):
                    decoding.encoding = name
                    break
        stream = _Text(
            typing.cast(Any, binary),
            encoding=decoding.encoding,
            errors=_error_handler(decoding),
            newline="",
        )
        stream.decoding = decoding
        yield TextFile(path, stream, size, raw, progress, decoding)


def write_queue_log(events: Iterable[Event], path: Path) -> int:
    """Write ``events`` as a queue_log file at ``path``; return the number of lines."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for line in QueueLogRenderer().lines(events):
            out.write(line + "\n")
            count += 1
    return count


def read_csv_table(
    path: Path, required: Sequence[str] = (), encoding: str | None = None
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows of a small CSV file a command is handed (a call list, labelled
    messages, a theme summary, a peers file): read as :func:`open_text` reads (``.gz``, the
    encoding detected) and split by :func:`~carecenter.ingest.reading.csv_rows`; each row is
    its line number and column -> cell (a short row's missing cells empty). A ``required``
    column missing from the header is an :class:`InputError` naming the file, line 1 and the
    column; without ``encoding``, bytes that are neither UTF-8 nor UTF-16 with its byte order
    mark are one too (these commands take no ``--encoding``: nothing is read as cp1252 behind
    the user's back)."""
    with open_text(path, encoding=encoding) as file:
        header, _, found = csv_rows(file)
        for name in required:
            if name not in header:
                columns = ", ".join(header) or "none"
                raise InputError(
                    f"missing column (the columns: {columns})", file=str(path), line=1, field=name
                )
        rows = [
            (line, {h: cells[i] if i < len(cells) else "" for i, h in enumerate(header)})
            for line, cells in found
        ]
        undecoded = file.decoding.undecoded if file.decoding is not None else 0
        if undecoded and encoding is None:
            raise InputError(
                f"not UTF-8: {undecoded} bytes are not (save the file as UTF-8)", file=str(path)
            )
    return header, rows
