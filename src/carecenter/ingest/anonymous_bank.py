"""``anonymous-bank``: the call-by-call format of the Technion SEE lab "Anonymous Bank" data.

One tab-separated line per call with a header: ``vru+line, call_id, customer_id, priority,
type, date (yymmdd), vru_entry, vru_exit, vru_time, q_start, q_exit, q_time, outcome
(AGENT/HANG/PHANTOM), ser_start, ser_exit, ser_time, server``. Clock times are local
(``--tz``, default ``Asia/Jerusalem``); a time earlier than the call's VRU entry is on the next
day (calls that run past midnight).

The mapping (see docs/how-to/import.md):

* contact ``anonymous-bank:<date>-<vru+line>-<call_id>``; customer
  ``anonymous-bank:<customer_id>``, none when 0 (not identified);
* queue = the call type (PS, PE, IN, NE, NW, TT); tier = the priority: 0 ``unidentified``,
  1 ``regular``, 2 ``priority``;
* ``PHANTOM``: a virtual call the data's authors say to ignore: no row, counted as ignored;
* ``HANG`` that never queued (``q_start`` and ``q_exit`` 0:00:00, ``q_time`` 0): the caller
  hung up in the VRU; a contact with no visit (state ``ended``), not offered to the agents;
* ``HANG`` after queueing: an abandoned visit, wait = ``q_time``, abandoned at ``q_exit``;
* ``AGENT`` after queueing: answered at ``q_exit``, wait = ``q_time``, talk = ``ser_time``,
  ended ``ser_time`` after the answer (the file's ``ser_start`` is mostly a second or two
  before ``q_exit``, sometimes minutes; the published durations are kept as they are);
  ``AGENT`` that never queued was answered at once: entered the queue and answered at
  ``ser_start``, wait 0;
* ``server`` is the agent; ``NO_SERVER`` on an ``AGENT`` call (a few hundred calls a month,
  most with a few seconds of service) keeps the call answered with no agent.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from carecenter.domain.enums import ContactState, VisitOutcome
from carecenter.errors import InputError
from carecenter.ingest.common import (
    FactSink,
    Row,
    TextFile,
    V,
    contact_row,
    csv_rows,
    visit_row,
)
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
DAY = timedelta(days=1)


class AnonymousBank:
    """Importer of the Anonymous Bank call-by-call file."""

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
        counts = sink.counts
        for number, row in rows:
            counts.records += 1
            try:
                self._call(sink, [row[i] for i in cols])
            except (ValueError, IndexError) as exc:
                reason = str(exc) if isinstance(exc, ValueError) else "missing fields"
                sink.quarantine(number, reason, sep.join(row))

    def finish(self, sink: FactSink) -> None:
        return None

    def _call(self, sink: FactSink, f: list[str]) -> None:
        (line, call_id, customer, priority, ctype, day, vru_entry, vru_exit) = f[:8]
        q_start, q_exit, q_time, outcome, _, _, _, server = f[8:]
        if outcome not in ("AGENT", "HANG", "PHANTOM"):
            raise ValueError(f"outcome: not AGENT, HANG or PHANTOM: {outcome!r}")
        if priority not in TIERS:
            raise ValueError(f"priority: not 0, 1 or 2: {priority!r}")
        arrived = _moment(day, vru_entry, self.zone)
        if outcome == "PHANTOM":
            sink.counts.ignored += 1
            sink.counts.notes["ignored: PHANTOM (virtual call)"] += 1
            return
        contact_id = f"{self.source}:{day}-{line}-{call_id}"
        customer_id = None if customer.strip("0 ") == "" else f"{self.source}:{customer}"
        tier = TIERS[priority]
        queued = not (q_start == q_exit == NOT_QUEUED and q_time == "0")
        if outcome == "HANG" and not queued:
            ended = _after(arrived, vru_exit)
            sink.contact(
                contact_row(
                    contact_id,
                    customer_id=customer_id,
                    tier=tier,
                    arrived_at=arrived,
                    ended_at=ended,
                    state=ContactState.ENDED.value,
                )
            )
            sink.counts.notes["hung up in the VRU (no visit)"] += 1
            return
        visit = visit_row(
            contact_id,
            1,
            ctype,
            arrived,
            customer_id=customer_id,
            tier=tier,
            arrived_at=arrived,
        )
        if outcome == "HANG":
            self._abandoned(visit, arrived, q_start, q_exit, q_time)
        else:
            self._answered(visit, arrived, f)
            visit[V.AGENT_ID] = None if server == "NO_SERVER" else server
        sink.visit(visit)
        sink.contact(_contact_of(visit))

    def _abandoned(
        self, visit: Row, arrived: datetime, q_start: str, q_exit: str, q_time: str
    ) -> None:
        enqueued = _after(arrived, q_start)
        left = _after(enqueued, q_exit)
        visit[V.ENQUEUED_AT] = enqueued
        visit[V.ABANDONED_AT] = visit[V.ENDED_AT] = left
        visit[V.WAIT_S] = _seconds(q_time, "q_time")
        visit[V.OUTCOME] = VisitOutcome.ABANDONED.value
        visit[V.STATE] = ContactState.ABANDONED.value

    def _answered(self, visit: Row, arrived: datetime, f: list[str]) -> None:
        q_start, q_exit, q_time, _, ser_start, _, ser_time, _ = f[8:]
        if not (q_start == q_exit == NOT_QUEUED and q_time == "0"):
            enqueued = _after(arrived, q_start)
            answered = _after(enqueued, q_exit)
            wait = _seconds(q_time, "q_time")
        else:
            enqueued = answered = _after(arrived, ser_start)
            wait = 0.0
        visit[V.ENQUEUED_AT] = enqueued
        visit[V.OFFERED_AT] = visit[V.ANSWERED_AT] = answered
        visit[V.WAIT_S] = wait
        visit[V.TALK_S] = _seconds(ser_time, "ser_time")
        visit[V.ENDED_AT] = answered + timedelta(seconds=visit[V.TALK_S])
        visit[V.OFFERS] = 1
        visit[V.OUTCOME] = VisitOutcome.ANSWERED.value
        visit[V.STATE] = ContactState.ENDED.value


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


def _moment(day: str, clock: str, where: tzinfo) -> datetime:
    try:
        date = datetime.strptime(day, "%y%m%d")
    except ValueError:
        raise ValueError(f"date: not yymmdd: {day!r}") from None
    return (date + _clock(clock)).replace(tzinfo=where)


def _after(start: datetime, clock: str) -> datetime:
    """The first moment at ``clock`` from ``start`` on (a minute of clock skew allowed)."""
    local = start.replace(hour=0, minute=0, second=0, microsecond=0) + _clock(clock)
    return local + DAY if local < start - timedelta(seconds=60) else local


def _contact_of(visit: Row) -> Row:
    return contact_row(
        visit[0],
        customer_id=visit[V.CUSTOMER_ID],
        tier=visit[V.TIER],
        arrived_at=visit[V.ARRIVED_AT],
        ended_at=visit[V.ENDED_AT],
        state=visit[V.STATE],
        visits=1,
    )
