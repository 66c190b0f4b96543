"""Reading input files: streaming text with line numbers and progress, CSV rows, JSON records,
and the time formats the importers meet."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from carecenter.errors import InputError

Progress = Callable[[int, int], None]
"""Called with (bytes read, bytes in the file) while a file is read."""

CSV_FIELD_LIMIT = 16 * 1024 * 1024
"""The longest CSV field read (characters): exports hold long texts (ticket comments, chat
transcripts) beyond the :mod:`csv` module's default of 128 KiB, and a limit still stops a stray
quote from reading a whole file into one field."""


def allow_large_csv_fields() -> None:
    """Raise the :mod:`csv` module's field limit (global to the process) to
    :data:`CSV_FIELD_LIMIT`; a higher limit set by the program is kept."""
    import csv

    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)


@dataclass
class Decoding:
    """How a file's bytes are decoded, and how many could not be in that encoding."""

    encoding: str
    """The encoding read (named, or detected: a byte order mark, else UTF-8)."""
    fallback: str | None = None
    """The encoding of byte sequences that are not ``encoding`` (``None``: they are replaced
    by U+FFFD)."""
    undecoded: int = 0
    """Bytes that were not ``encoding``: read in ``fallback``, or replaced."""

    def warning(self) -> str | None:
        """One line saying what was not decoded, or ``None``."""
        if not self.undecoded:
            return None
        done = f"read as {self.fallback}" if self.fallback else "replaced by U+FFFD"
        return (
            f"{self.undecoded} bytes are not {self.encoding}; {done} "
            "(name the encoding with --encoding)"
        )


@dataclass
class TextFile:
    """An open input file: its text stream and how far into the file reading has got."""

    path: Path
    stream: io.TextIOWrapper
    size: int
    raw: BinaryIO
    progress: Progress | None = None
    decoding: Decoding | None = None
    """The file's encoding and the bytes that could not be decoded in it."""

    def __post_init__(self) -> None:
        allow_large_csv_fields()  # every translator reading text may parse CSV

    def position(self) -> int:
        """Bytes of the file read so far."""
        return self.raw.tell()

    def report(self) -> None:
        """Tell the progress callback how far reading has got."""
        if self.progress is not None:
            self.progress(self.position(), self.size)

    def lines(self, every: int = 65536) -> Iterator[tuple[int, str]]:
        """(line number from 1, line without its end) for each line; reports progress."""
        report, stream = self.report, self.stream
        for number, line in enumerate(stream, 1):
            if not number % every:
                report()
            yield number, line.rstrip("\r\n")
        report()


def csv_rows(
    file: TextFile, delimiter: str | None = None
) -> tuple[list[str], str, Iterator[tuple[int, list[str]]]]:
    """(header, delimiter, rows with their line numbers) of a CSV file; blank lines skipped;
    text that is not CSV raises :class:`~carecenter.errors.InputError` naming file and line.

    Without ``delimiter`` the header decides: the most frequent of ``,`` ``;`` tab ``|``.
    """
    import csv

    lines = file.lines()
    first = next(((n, s) for n, s in lines if s.strip()), None)
    if first is None:
        return [], delimiter or ",", iter(())
    sep = delimiter or max(",;\t|", key=first[1].count)
    where = [first[0]]
    try:
        header = [h.strip() for h in next(csv.reader([first[1]], delimiter=sep))]
    except csv.Error as exc:
        raise InputError(
            f"not a valid CSV file: {exc}", file=str(file.path), line=first[0]
        ) from None

    def texts() -> Iterator[str]:
        for number, line in lines:
            where[0] = number
            yield line

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in csv.reader(texts(), delimiter=sep):
                if row and (len(row) > 1 or row[0].strip()):
                    yield where[0], row
        except csv.Error as exc:
            message = f"not a valid CSV file: {exc}"
            raise InputError(message, file=str(file.path), line=where[0]) from None

    return header, sep, rows()


def json_records(file: TextFile, block: int = 1 << 20) -> Iterator[tuple[int, Any, str]]:
    """(line, object or ValueError, raw text) for each JSON object of a file of JSON lines,
    JSON arrays (a page with an array under one key is left to the caller) or objects one
    after another. A malformed object yields a ``ValueError`` and reading resumes at the next
    line."""
    import json

    decoder = json.JSONDecoder()
    buffer, line, eof = "", 1, False
    while True:
        pos = 0
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n,[]":
                if buffer[pos] == "\n":
                    line += 1
                pos += 1
            if pos >= len(buffer) or (not eof and len(buffer) - pos < block // 2):
                break
            try:
                obj, end = decoder.raw_decode(buffer, pos)
            except ValueError as exc:
                if not eof and "Unterminated" in str(exc):
                    break
                stop = buffer.find("\n", pos)
                stop = len(buffer) if stop < 0 else stop
                yield line, ValueError(f"not JSON: {exc.args[0].split(':')[0]}"), buffer[pos:stop]
                pos = stop
                continue
            yield line, obj, buffer[pos:end]
            line += buffer.count("\n", pos, end)
            pos = end
        buffer = buffer[pos:]
        if eof:
            return
        more = file.stream.read(block)
        file.report()
        if not more:
            eof = True
        buffer += more


def parse_time(text: Any, where: str) -> datetime | None:
    """An ISO 8601 time (``Z`` allowed) or epoch milliseconds/seconds; ``None`` for null."""
    if text is None or text == "":
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = text / 1000 if text > 1e11 else text
        return datetime.fromtimestamp(seconds, UTC)
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{where}: not a time: {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
