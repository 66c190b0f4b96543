"""A live Asterisk queue_log: followed, journaled, imported as ``carecenter import`` would.

:class:`QueueLogFeed` takes the new lines a follower hands it (a file Asterisk writes,
:class:`~carecenter.adapters.follow.FileFollower`, or the queue_log table Asterisk realtime
writes, :class:`~carecenter.adapters.queue_log_table.TableFollower`), adds them to the day's
journal (:class:`~carecenter.adapters.journal.LineJournal`) and imports the journal with the
``asterisk-queue-log`` importer — the same translation and the same fold as ``carecenter
import``, so the live figures and an import of the same log agree, and importing again only
moves facts forward (a call counted once, however often it is imported).

The journal holds the lines of the current local day of the center. When a line of a new day
comes, the journal starts again with the last hour's lines and the other lines of the calls
in them (a call across midnight stays whole); facts of the day before stay in the warehouse.
An agent whose last event is more than an hour before midnight shows again at their next
event.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from carecenter.adapters.journal import LineJournal
from carecenter.errors import CareCenterError
from carecenter.ingest import ImportOptions
from carecenter.services.bootstrap import Workspace
from carecenter.services.importing import import_files

FORMAT = "asterisk-queue-log"
CARRY_S = 3600.0
"""At midnight the journal keeps the last so many seconds of lines (and their calls)."""


class LineSource(Protocol):
    """Hands out new complete lines of a queue_log (a followed file or table)."""

    def poll(self) -> list[str]:
        """The lines written since the last poll."""
        ...

    def state(self) -> Any:
        """Where the source was read up to (JSON), to resume from after a restart."""
        ...

    def close(self) -> None:
        """Let go of what the source holds (database connections)."""
        ...


@dataclass
class FeedStatus:
    """What a feed has done (shown by ``/healthz`` and the monitor's log)."""

    name: str
    lines: int = 0
    """Lines taken from the source (journaled)."""
    imported_lines: int = 0
    """Lines taken that the last import had (the facts include them)."""
    imports: int = 0
    contacts: int = 0
    quarantined: int = 0
    last_line_at: datetime | None = None
    last_error: str | None = None
    notes: dict[str, int] = field(default_factory=dict)


def line_time(line: str) -> float | None:
    """The epoch seconds a classic ``epoch|callid|...`` queue_log line starts with."""
    head = line.split("|", 1)[0].strip()
    try:
        return float(head)
    except ValueError:
        return None


def _callid(line: str) -> str | None:
    parts = line.split("|", 2)
    return parts[1] if len(parts) > 2 and parts[1] not in ("", "NONE") else None


def carried(lines: Sequence[str], cut: float) -> list[str]:
    """What a new day keeps of the old day's ``lines``: those at or after ``cut`` (epoch
    seconds) and every line of the calls among them."""
    recent = [line for line in lines if (line_time(line) or 0.0) >= cut]
    calls = {c for line in recent if (c := _callid(line)) is not None}
    return [line for line in lines if (line_time(line) or 0.0) >= cut or (_callid(line) in calls)]


class QueueLogFeed:
    """Brings a live queue_log into a workspace's warehouse."""

    def __init__(
        self,
        name: str,
        source: LineSource,
        journal: LineJournal,
        timezone: str,
        options: ImportOptions | None = None,
        label: str | None = None,
    ) -> None:
        self.source = source
        self.journal = journal
        self.zone = ZoneInfo(timezone)
        self.options = options or ImportOptions()
        self.label = label or name
        """The name the journal is imported under (the followed file or table)."""
        self.status = FeedStatus(name)
        self._pending = journal.size > 0
        """The journal has lines not imported since this process started."""
        self._lock = threading.Lock()
        """Taking lines (a poller thread) and snapshotting the journal (the import) take
        turns."""
        self._snapshot = journal.path.with_name(journal.path.name + ".importing")

    def _day(self, epoch: float) -> str:
        return datetime.fromtimestamp(epoch, UTC).astimezone(self.zone).date().isoformat()

    def take(self) -> int:
        """Read what the source has written since; add it to the journal. The count of lines."""
        taken = 0
        with self._lock:
            while lines := self.source.poll():
                self._journal(lines)
                taken += len(lines)
        return taken

    def _journal(self, lines: list[str]) -> None:
        times = [t for line in lines if (t := line_time(line)) is not None]
        day = self._day(max(times)) if times else self.journal.day
        if self.journal.day is not None and day is not None and day > self.journal.day:
            first_new = next(
                i for i, line in enumerate(lines) if (t := line_time(line)) and self._day(t) == day
            )
            old = [*self.journal.lines(), *lines[:first_new]]
            cut = (line_time(lines[first_new]) or 0.0) - CARRY_S
            self.journal.restart(carried(old, cut), day)
            lines = lines[first_new:]
        self.journal.append(lines, self.source.state(), day or self.journal.day)
        self.status.lines += len(lines)
        if times:
            self.status.last_line_at = datetime.fromtimestamp(max(times), UTC)
        self._pending = True

    def close(self) -> None:
        """Close the source."""
        self.source.close()

    def pull(self, ws: Workspace) -> bool:
        """Take the new lines and, when there are any, import the journal into ``ws``'s
        warehouse; True when facts may have changed. An import error is kept in
        :attr:`status` (the feed goes on)."""
        self.take()
        with self._lock:  # a copy of the journal as it is now: lines taken meanwhile wait
            if not self._pending or self.journal.size == 0:
                return False
            shutil.copyfile(self.journal.path, self._snapshot)
            self._pending = False
            lines = self.status.lines
        try:
            summary = import_files(
                ws,
                FORMAT,
                [self._snapshot],
                self.options,
                names=[self.label],
                log=False,
            )
        except CareCenterError as error:
            self.status.last_error = str(error)
            return False
        total = summary.total()
        self.status.imports += 1
        self.status.contacts = total.contacts
        self.status.quarantined = total.quarantined
        self.status.notes = dict(total.notes)
        self.status.imported_lines = lines
        self.status.last_error = None
        return True
