"""Following a text file as a program writes it (``tail -F``), for ``carecenter monitor``
on an Asterisk ``queue_log``.

:class:`FileFollower` hands out the complete new lines of a file at each :meth:`~FileFollower.poll`
and remembers how far it got in a small JSON state file at each :meth:`~FileFollower.commit`:

- **Partial lines.** A line is handed out when its newline has been written; the bytes after the
  last newline wait for it, however long that takes (a line the writer never finishes is never
  handed out; Asterisk writes a whole line at once and flushes it).
- **Rotation** (logrotate's rename and a new file, or Asterisk's own ``logger rotate``): when
  the path names another file, the old one is kept open and read to its end first, then the new
  one from its start. The old file stays open, and is read, until the new one has data (so the
  lines a writer adds to the old file before it reopens the path are not lost); an unfinished
  last line of the old file is then dropped (counted in :attr:`~FileFollower.dropped`).
- **Truncation** (``copytruncate``, ``> queue_log``): the same file shrinking, or its first
  bytes changing, starts it again from offset 0. For ``copytruncate``, the lines written between
  the last poll and the copy are in the copy: a file in the same directory whose name starts
  with the log's name (``queue_log.1``, ``queue_log-20240301``; not compressed) and that begins
  with the bytes already seen is read from the offset reached first (best effort).
- **A missing file** (not created yet, or renamed away while its successor is not there yet):
  :meth:`~FileFollower.poll` returns nothing and tries again next time.
- **Restarts.** The state file holds, for each file still open, a :class:`FollowPosition`
  (device, inode, offset, fingerprint of the first bytes consumed). On start the path's file
  is resumed at the offset when it is the same file (same device and inode, or the same first
  bytes) and at least that long; else it is a new file, read from offset 0, and the file of the
  saved position, when it is found in the same directory (by inode, else by its first bytes:
  ``queue_log.1`` after a rotation, the copy after a ``copytruncate``), is read to its end
  first. A saved file that is found nowhere (deleted, compressed) is counted in
  :attr:`~FileFollower.lost`.

Delivery is at least once: :meth:`~FileFollower.commit` is called after the lines of a poll have
been stored, so a crash in between hands them out again after the restart, and the consumer's
import, which is idempotent, counts them once.

Limits: a file that is rotated twice between two polls (or while the follower is stopped, after
its last commit) has its middle file missed; ``copytruncate`` loses the lines written between
the copy and the truncation when no copy holds them, as it does for every reader; with no state
file, the file the path names at the first poll is where following starts (``start="end"``:
at its end).
"""

from __future__ import annotations

import contextlib
import glob
import io
import os
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Literal

from carecenter.adapters.follow_state import (
    HEAD_BYTES,
    FollowPosition,
    fingerprint,
    read_json_state,
    write_json_atomic,
)
from carecenter.errors import InputError

_COMPRESSED = (".gz", ".bz2", ".xz", ".zst", ".lz4", ".zip")
_CHUNK = 1 << 20


def _open(path: Path) -> io.FileIO | None:
    try:
        return io.FileIO(path, "r")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except PermissionError:
        raise InputError("permission denied: cannot read the file", file=str(path)) from None


def _read_at(file: io.FileIO, offset: int, size: int) -> bytes:
    file.seek(offset)
    parts: list[bytes] = []
    while size > 0:
        chunk = file.read(size)
        if not chunk:
            break
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _size(file: io.FileIO) -> int:
    return os.fstat(file.fileno()).st_size


def _matches(file: io.FileIO, position: FollowPosition) -> bool:
    """Whether ``file`` is at least ``position.offset`` long and starts with the bytes the
    position's fingerprint covers."""
    head = _read_at(file, 0, min(HEAD_BYTES, position.offset))
    return _size(file) >= position.offset and fingerprint(head) == position.fingerprint


class _Tail:
    """One open file, how far it has been consumed, and its first bytes seen."""

    def __init__(self, file: io.FileIO, offset: int = 0) -> None:
        stat = os.fstat(file.fileno())
        self.file, self.key = file, (stat.st_dev, stat.st_ino)
        self.offset, self.size_seen = offset, stat.st_size
        self.head = _read_at(file, 0, HEAD_BYTES)

    def position(self) -> FollowPosition:
        mark = fingerprint(self.head[: min(HEAD_BYTES, self.offset)])
        return FollowPosition(*self.key, self.offset, mark, self.size_seen)

    def size(self) -> int:
        return _size(self.file)

    def intact(self) -> bool:
        """Not truncated nor rewritten in place since it was read (Asterisk only appends)."""
        if self.size() < max(self.offset, self.size_seen):
            return False
        return _read_at(self.file, 0, len(self.head)) == self.head

    def restart(self) -> None:
        self.offset, self.size_seen = 0, self.size()
        self.head = _read_at(self.file, 0, HEAD_BYTES)

    def read(self, budget: int) -> tuple[bytes, bool]:
        """The complete lines after the offset, about ``budget`` bytes (more when one line is
        longer), each with its newline, and whether the end of the file was reached; the
        offset is not moved."""
        want = max(budget, 1)
        data = bytearray(_read_at(self.file, self.offset, want))
        at_end = len(data) < want
        end = data.rfind(b"\n")
        while end < 0 and not at_end:  # one line longer than the budget: read to its end
            more = _read_at(self.file, self.offset + len(data), _CHUNK)
            at_end = len(more) < _CHUNK
            found = more.find(b"\n")
            end = -1 if found < 0 else len(data) + found
            data += more
        self.size_seen = max(self.size_seen, self.offset + len(data))
        if len(self.head) < HEAD_BYTES:
            self.head = _read_at(self.file, 0, HEAD_BYTES)
        return bytes(data[: end + 1]), at_end

    def close(self) -> None:
        self.file.close()


class FileFollower:
    """Follows the text file ``path`` as it grows, across rotations, truncations and restarts
    (see the module's documentation), remembering its position in ``state_path`` (JSON).

    ``start`` says where a first run (no state file) begins in the file found at ``path``:
    at its ``"beginning"`` or at its ``"end"`` (only lines written afterwards are handed out). A
    file that appears later, and any new file after a rotation, is read from its beginning.

    Counters for status output: :attr:`lines` and :attr:`bytes` handed out, :attr:`rotations`,
    :attr:`truncations`, :attr:`undecoded` (bytes that are not UTF-8, handed out as U+FFFD),
    :attr:`dropped` (bytes of an unfinished last line of a rotated file, never handed out) and
    :attr:`lost` (files of the state file found nowhere on start).
    """

    def __init__(
        self,
        path: Path,
        state_path: Path | None = None,
        *,
        start: Literal["beginning", "end"] = "beginning",
    ) -> None:
        self.path = Path(path)
        self.state_path = state_path
        self.start = start
        self.lines = self.bytes = self.rotations = self.truncations = 0
        self.undecoded = self.dropped = self.lost = 0
        self._current: _Tail | None = None
        self._old: list[_Tail] = []
        self._saved = self._load()
        self._started = self._closed = False

    # -- public --------------------------------------------------------------------------
    @property
    def position(self) -> FollowPosition | None:
        """The position in the file the path names (``None`` before it has been opened)."""
        return self._current.position() if self._current is not None else None

    @property
    def positions(self) -> tuple[FollowPosition, ...]:
        """The positions in every open file, rotated ones still being read first: what
        :meth:`commit` stores."""
        return tuple(t.position() for t in self._tails())

    def poll(self, max_bytes: int = 4 << 20) -> list[str]:
        """The complete lines written since the last poll, in file order, without their
        newline (nor a ``\\r`` before it), decoded as UTF-8. At most about ``max_bytes`` bytes
        are read (at least one line, however long): call again until it returns nothing."""
        if self._closed:
            raise ValueError("the follower is closed")
        if not self._started:
            self._begin()
        self._check_path()
        out: list[str] = []
        budget = max_bytes
        index = 0
        while index < len(self._old):
            tail = self._old[index]
            newer = self._tails()[index + 1 :]
            moved_on = any(t.size() > 0 for t in newer)  # the writer writes to a newer file
            taken, at_end = self._take(tail, budget, out)
            budget -= taken
            if not at_end or budget <= 0:
                return out
            if moved_on:  # read to its end after the writer moved on: done with it
                self.dropped += max(0, tail.size() - tail.offset)
                tail.close()
                del self._old[index]
            else:
                index += 1
        if self._current is not None and budget > 0:
            self._take(self._current, budget, out)
        return out

    def state(self) -> dict[str, Any] | None:
        """What :meth:`commit` stores: ``{"path": ..., "files": [positions]}``; before the first
        poll the state it started from (``None`` on a first run)."""
        if not self._started:
            saved = self._saved
            return None if saved is None else self._state(saved)
        return self._state(self.positions)

    def commit(self) -> None:
        """Store the positions reached by the last poll in the state file (atomically); call it
        after the lines handed out have been stored. Nothing happens without a state file or
        before the first poll."""
        if self.state_path is not None and self._started and not self._closed:
            write_json_atomic(self.state_path, self._state(self.positions))

    def _state(self, positions: Sequence[FollowPosition]) -> dict[str, Any]:
        return {"path": str(self.path), "files": [p.to_json() for p in positions]}

    def close(self) -> None:
        """Close the files; the follower cannot poll any more."""
        for tail in self._tails():
            tail.close()
        self._old, self._current, self._closed = [], None, True

    def __enter__(self) -> FileFollower:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------
    def _take(self, tail: _Tail, budget: int, out: list[str]) -> tuple[int, bool]:
        """Hand out the complete lines of ``tail`` (about ``budget`` bytes): the bytes taken
        and whether its end was reached."""
        block, at_end = tail.read(budget)
        if block:
            lines = self._decode(block)
            tail.offset += len(block)
            self.lines += len(lines)
            self.bytes += len(block)
            out.extend(lines)
        return len(block), at_end

    def _decode(self, block: bytes) -> list[str]:
        try:
            lines = block.decode("utf-8").split("\n")
        except UnicodeDecodeError:  # line by line, so that a bad byte spoils one line only
            lines = [raw.decode("utf-8", "replace") for raw in block.split(b"\n")]
            self.undecoded += len(block) - len(block.decode("utf-8", "ignore").encode())
        lines.pop()  # the empty text after the last newline
        return [line[:-1] if line.endswith("\r") else line for line in lines]

    # -- which files -----------------------------------------------------------------------
    def _check_path(self) -> None:
        """Notice a truncation of the current file, or the path naming another file."""
        current = self._current
        if current is not None and not current.intact():
            self._truncated(current)
        try:
            stat = os.stat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            return
        if current is not None and (stat.st_dev, stat.st_ino) == current.key:
            return
        file = _open(self.path)
        if file is None:
            return
        if current is not None:
            self.rotations += 1
            self._old.append(current)
            self._current = None
        self._adopt(file)

    def _adopt(self, file: io.FileIO) -> None:
        """Make ``file`` the current file; a file already open as a rotated one is resumed."""
        tail = _Tail(file)
        for index, old in enumerate(self._old):
            if old.key == tail.key:
                file.close()
                self._current = self._old.pop(index)
                return
        self._current = tail

    def _truncated(self, tail: _Tail) -> None:
        self.truncations += 1
        head, size = tail.head, tail.offset + 1

        def fits(file: io.FileIO) -> bool:  # a copy with lines after the offset
            return _size(file) >= size and _read_at(file, 0, len(head)) == head

        copy = self._find(fits) if head else None
        if copy is not None:
            self._old.append(_Tail(copy, tail.offset))
        tail.restart()

    def _siblings(self) -> list[Path]:
        """Files next to the path whose name starts with its name (rotated copies), newest
        first."""
        found: list[tuple[float, Path]] = []
        name = self.path.name
        with contextlib.suppress(OSError):
            for p in self.path.parent.glob(glob.escape(name) + "?*"):
                with contextlib.suppress(OSError):
                    if not p.name.endswith(_COMPRESSED) and p.is_file():
                        found.append((p.stat().st_mtime, p))
        return [p for _, p in sorted(found, key=lambda f: f[0], reverse=True)]

    def _tails(self) -> list[_Tail]:
        return [*self._old, *([self._current] if self._current is not None else [])]

    def _find(
        self, fits: Callable[[io.FileIO], bool], key: tuple[int, int] | None = None
    ) -> io.FileIO | None:
        """A file not open yet, the path or a rotated copy, that ``fits``: the one with the
        device and inode ``key`` if there is one, else (without ``key``) the newest."""
        found: io.FileIO | None = None
        for candidate in [self.path, *self._siblings()]:
            file = _open(candidate)
            if file is None:
                continue
            stat = os.fstat(file.fileno())
            this = (stat.st_dev, stat.st_ino)
            if this not in {t.key for t in self._tails()} and fits(file):
                if this == key:
                    if found is not None:
                        found.close()
                    return file
                if found is None and key is None:
                    found = file
                    continue
            file.close()
        return found

    # -- state -----------------------------------------------------------------------------
    def _load(self) -> list[FollowPosition] | None:
        if self.state_path is None:
            return None
        data = read_json_state(self.state_path)
        if data is None:
            return None
        try:
            return [FollowPosition.from_json(f) for f in data["files"]]
        except (TypeError, KeyError, ValueError, AttributeError) as exc:
            message = f"not a follow state file ({exc}); delete it to start over"
            raise InputError(message, file=str(self.state_path)) from None

    def _begin(self) -> None:
        """Open the files of the saved positions (or the path's file on a first run)."""
        self._started = True
        saved = self._saved
        if saved is None:
            file = _open(self.path)
            if file is not None:
                self._adopt(file)
                if self.start == "end" and self._current is not None:
                    self._current.offset = _last_line_end(file)
            return
        for position in saved:  # by inode, else by first bytes when some were consumed
            file = self._find(partial(_matches, position=position), position.key)
            if file is None and position.offset > 0:
                file = self._find(partial(_matches, position=position))
            if file is None:
                self.lost += 1
            else:
                self._old.append(_Tail(file, position.offset))
        if self._old:  # the last one is current when the path names it
            last = self._old[-1]
            with contextlib.suppress(OSError):
                stat = os.stat(self.path)
                if (stat.st_dev, stat.st_ino) == last.key:
                    self._current = self._old.pop()


def _last_line_end(file: io.FileIO) -> int:
    """The offset after the last newline of ``file`` (0 when it has none)."""
    end = _size(file)
    while end > 0:
        start = max(0, end - _CHUNK)
        found = _read_at(file, start, end - start).rfind(b"\n")
        if found >= 0:
            return start + found + 1
        end = start
    return 0
