"""Opening a DuckDB file that another process may hold.

DuckDB lets one process open a file for writing, or several processes open it read-only; a
conflicting open fails at once with an ``IOException`` that names the holder's PID. Here that
becomes a bounded wait with retries, then :class:`~carecenter.errors.WarehouseBusyError` with
one line saying which process holds the file (its command line from ``/proc`` when readable).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from carecenter.errors import StoreError, WarehouseBusyError, WorkspaceError

_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
_FIRST_DELAY_S = 0.05
_MAX_DELAY_S = 0.5
_COMMAND_CHARS = 80


@dataclass(frozen=True)
class LockHolder:
    """The process DuckDB says holds a conflicting lock."""

    pid: int
    program: str

    def describe(self) -> str:
        """``process 123 (carecenter import ...)``: its command line, else its program."""
        command = command_line(self.pid) or self.program
        return f"process {self.pid} ({command})" if command else f"process {self.pid}"


def lock_holder(message: str) -> LockHolder | None:
    """The holder named in a DuckDB lock-conflict message, ``None`` for other errors."""
    found = _HOLDER.search(message)
    if found is None:
        return None
    return LockHolder(int(found["pid"]), found["program"].strip())


def command_line(pid: int, proc: Path = Path("/proc")) -> str | None:
    """A short command line of process ``pid`` (``carecenter import ...``), ``None`` when it
    cannot be read (no ``/proc``, another user's process, gone)."""
    if pid == os.getpid():
        return "this process"
    try:
        raw = (proc / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    argv = [a.decode(errors="replace") for a in raw.split(b"\0") if a]
    if not argv:
        return None
    if Path(argv[0]).name.startswith("python") and len(argv) > 1:
        if argv[1] == "-m" and len(argv) > 2:
            argv = argv[2:]
        elif not argv[1].startswith("-"):
            argv = argv[1:]
    argv[0] = Path(argv[0]).name
    text = " ".join(" ".join(a.split()) for a in argv)
    return text if len(text) <= _COMMAND_CHARS else text[: _COMMAND_CHARS - 3] + "..."


def connect(
    path: str | Path, *, read_only: bool = False, timeout_s: float = 0.0
) -> duckdb.DuckDBPyConnection:
    """Open ``path``; while another process holds a conflicting lock, retry for up to
    ``timeout_s`` seconds, then raise :class:`WarehouseBusyError`."""
    name = str(path)
    if read_only and name != ":memory:" and not Path(name).exists():
        raise WorkspaceError(f"{name}: no warehouse here; run `carecenter upgrade` to create it")
    deadline = time.monotonic() + max(timeout_s, 0.0)
    delay = _FIRST_DELAY_S
    while True:
        try:
            return duckdb.connect(name, read_only=read_only)
        except duckdb.IOException as exc:
            holder = lock_holder(str(exc))
            if holder is None:
                raise StoreError(f"{name}: {_first_line(exc)}") from None
            left = deadline - time.monotonic()
            if left <= 0:
                raise WarehouseBusyError(
                    f"{name} is in use by {holder.describe()}; tried for {timeout_s:g} s"
                ) from None
            time.sleep(min(delay, left))
            delay = min(delay * 2, _MAX_DELAY_S)
        except duckdb.Error as exc:
            raise StoreError(f"{name}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
