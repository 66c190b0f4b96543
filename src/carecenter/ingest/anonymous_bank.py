"""``anonymous-bank``: the call-by-call format of the Technion SEE lab "Anonymous Bank" data,
translated into domain events.

One tab-separated line per call with a header: ``vru+line, call_id, customer_id, priority,
type, date (yymmdd), vru_entry, vru_exit, vru_time, q_start, q_exit, q_time, outcome
(AGENT/HANG/PHANTOM), ser_start, ser_exit, ser_time, server``. Clock times are local
(``--tz``, default ``Asia/Jerusalem``); a time earlier than the call's VRU entry is on the next
day (calls that run past midnight).

Each line is the whole story of one contact, folded by the one fold
(:mod:`carecenter.ingest.folding`), which decides outcomes, waits and states (see
docs/how-to/import.md):

=============================  ================================================================
line                           events
=============================  ================================================================
every call                     ``contact.arrived`` at ``vru_entry``: contact
                               ``anonymous-bank:<date>-<vru+line>-<call_id>``, customer
                               ``anonymous-bank:<customer_id>`` (none when 0: not identified),
                               tier from the priority: 0 ``unidentified``, 1 ``regular``,
                               2 ``priority``
``PHANTOM``                    none: a virtual call the data's authors say to ignore; counted
                               as ignored
``HANG``, never queued         ``contact.ended`` at ``vru_exit``: the caller hung up in the VRU
(``q_start`` and ``q_exit``    (a contact with no visit, never offered to the agents)
0:00:00, ``q_time`` 0)
``HANG`` after queueing        ``contact.queued`` in the call type (PS, PE, IN, NE, NW, TT) at
                               ``q_start``, ``contact.abandoned`` at ``q_exit``
``AGENT`` after queueing       ``contact.queued`` at ``q_start``; ``contact.offered`` and
                               ``contact.answered`` by ``server`` at ``q_exit``;
                               ``contact.ended`` ``ser_time`` after the answer
``AGENT``, never queued        answered at once: queued, offered and answered at ``ser_start``
=============================  ================================================================

The file's ``q_time`` is ``q_exit`` less ``q_start`` (on every line of February 1999), so
the fold's wait is the published queue time. ``ser_start`` is mostly a second or two before
``q_exit``, sometimes minutes: the published service time is kept, as the conversation from
the answer. ``NO_SERVER`` on an ``AGENT`` call (a few hundred calls a month, most with a few
seconds of service) keeps the call answered, by an agent the file does not name (``""`` in the
event, ``None`` in the fact).
The file does not record hold or after-call work: ``hold_s`` and ``acw_s`` are unknown
(``None``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from carecenter.domain.enums import Channel
from carecenter.domain.events import (
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactEvent,
    ContactOffered,
    ContactQueued,
)
from carecenter.errors import InputError
from carecenter.ingest.common import FactSink, TextFile, csv_rows
from carecenter.ingest.folding import EventFolder
from carecenter.ingest.timezones import zone

COLUMNS = (
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
TIERS = {"0": "unidentified", "1": "regular", "2": "priority"}
NOT_QUEUED = "0:00:00"
NO_SERVER = "NO_SERVER"
DAY = timedelta(days=1)
UNKNOWN = ("hold_s", "acw_s")
"""What the file does not record."""


class AnonymousBank:
    """Translator of the Anonymous Bank call-by-call file into domain events."""

    source = "anonymous-bank"

    def __init__(self, time_zone: str = "Asia/Jerusalem") -> None:
        self.zone: tzinfo = zone(time_zone)

    def read(self, file: TextFile, sink: FactSink) -> None:
        header, sep, rows = csv_rows(file, "\t")
        index = {name.lower(): i for i, name in enumerate(header)}
        missing = [c for c in COLUMNS if c not in index]
        if header and missing:
            raise InputError(
                f"not an Anonymous Bank file: no column {', '.join(missing)}",
                file=str(file.path),
                line=1,
            )
        cols = [index[c] for c in COLUMNS] if header else []
        out = EventFolder(sink, unknown=UNKNOWN)
        counts = sink.counts
        for number, row in rows:
            counts.records += 1
            try:
                story = self.story([row[i] for i in cols])
            except (ValueError, IndexError) as exc:
                reason = str(exc) if isinstance(exc, ValueError) else "missing fields"
                sink.quarantine(number, reason, sep.join(row))
                continue
            if story is None:
                counts.ignored += 1
                counts.notes["ignored: PHANTOM (virtual call)"] += 1
                continue
            if not any(isinstance(e, ContactQueued) for e in story):
                counts.notes["hung up in the VRU (no visit)"] += 1
            out.contact(story)

    def finish(self, sink: FactSink) -> None:
        return None

    def story(self, f: list[str]) -> list[ContactEvent] | None:
        """The events of one call (the fields in :data:`COLUMNS` order); ``None`` for a
        phantom call. Raises ``ValueError`` for a malformed line."""
        (line, call_id, customer, priority, ctype, day, vru_entry, vru_exit) = f[:8]
        q_start, q_exit, q_time, outcome, ser_start, _, ser_time, server = f[8:]
        if outcome not in ("AGENT", "HANG", "PHANTOM"):
            raise ValueError(f"outcome: not AGENT, HANG or PHANTOM: {outcome!r}")
        if priority not in TIERS:
            raise ValueError(f"priority: not 0, 1 or 2: {priority!r}")
        arrived = _moment(day, vru_entry, self.zone)
        if outcome == "PHANTOM":
            return None
        cid = f"{self.source}:{day}-{line}-{call_id}"
        story: list[ContactEvent] = [
            ContactArrived(
                occurred_at=arrived,
                contact_id=cid,
                channel=Channel.VOICE,
                customer_id=None if customer.strip("0 ") == "" else f"{self.source}:{customer}",
                tier=TIERS[priority],
            )
        ]
        queued = not (q_start == q_exit == NOT_QUEUED and q_time == "0")
        if outcome == "HANG" and not queued:
            ended = _after(arrived, vru_exit)
            return [*story, ContactEnded(occurred_at=ended, contact_id=cid)]
        if queued:
            enqueued = _after(arrived, q_start)
            left = _after(enqueued, q_exit)
            _seconds(q_time, "q_time")
        else:
            enqueued = left = _after(arrived, ser_start)
        story.append(ContactQueued(occurred_at=enqueued, contact_id=cid, queue_id=ctype))
        if outcome == "HANG":
            return [*story, ContactAbandoned(occurred_at=left, contact_id=cid, queue_id=ctype)]
        agent = "" if server == NO_SERVER else server
        served = timedelta(seconds=_seconds(ser_time, "ser_time"))
        return [
            *story,
            ContactOffered(occurred_at=left, contact_id=cid, queue_id=ctype, agent_id=agent),
            ContactAnswered(occurred_at=left, contact_id=cid, queue_id=ctype, agent_id=agent),
            ContactEnded(occurred_at=left + served, contact_id=cid),
        ]


def _seconds(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}: not a number of seconds: {text!r}") from None
    if value < 0:
        raise ValueError(f"{name}: negative: {text!r}")
    return value


def _clock(text: str) -> timedelta:
    try:
        h, m, s = (int(x) for x in text.split(":"))
    except ValueError:
        raise ValueError(f"time: not H:MM:SS: {text!r}") from None
    if not (0 <= h < 24 and 0 <= m < 60 and 0 <= s < 60):
        raise ValueError(f"time: not H:MM:SS: {text!r}")
    return timedelta(hours=h, minutes=m, seconds=s)


@lru_cache(maxsize=1024)
def _date(day: str) -> datetime:
    try:
        return datetime.strptime(day, "%y%m%d")
    except ValueError:
        raise ValueError(f"date: not yymmdd: {day!r}") from None


def _moment(day: str, clock: str, where: tzinfo) -> datetime:
    return (_date(day) + _clock(clock)).replace(tzinfo=where)


def _after(start: datetime, clock: str) -> datetime:
    """The first moment at ``clock`` from ``start`` on (a minute of clock skew allowed)."""
    local = start.replace(hour=0, minute=0, second=0, microsecond=0) + _clock(clock)
    return local + DAY if local < start - timedelta(seconds=60) else local
