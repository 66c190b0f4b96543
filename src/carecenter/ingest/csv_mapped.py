"""``csv``: any CSV with one row per contact (or per visit), described by a mapping file.

The mapping file (YAML) names the CSV column of each field, how times are written and in which
zone, and optionally translates values and gives defaults::

    source: helpdesk                 # contact ids become helpdesk:<contact_id>
    time_format: "%d/%m/%Y %H:%M"    # strptime format, or iso (default) or epoch
    time_zone: Europe/Paris          # zone of times without a UTC offset (default UTC)
    delimiter: ";"                   # default: guessed from the header
    columns:                         # field: column
      contact_id: Ticket
      queue_id: Queue
      enqueued_at: Queued
      answered_at: Answered
      ended_at: Closed
    values:                          # optional: column value -> field value
      outcome: {ANS: answered, ABN: abandoned}
    defaults:                        # optional: a value for a field without a column
      channel: voice

Fields are the ``contact_facts`` columns (see :data:`FIELDS`). ``contact_id``, ``queue_id``
and ``enqueued_at`` are needed (``queue_id`` may come from ``defaults``; ``enqueued_at`` falls
back to ``arrived_at``). What is not given is derived: the outcome (answered when there is an
answer time, abandoned when there is an abandon time or an end without an answer, open
otherwise), the wait (answer or abandon time less queue time), talk (end less answer, hold and
after-call work) and the end (answer plus talk, hold and after-call work). Durations are
seconds or ``[H:]MM:SS``; flags are true/false, yes/no, y/n or 1/0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import yaml

from carecenter.domain.enums import Channel, Direction, VisitOutcome
from carecenter.errors import InputError
from carecenter.ingest.common import (
    STATE_OF_OUTCOME,
    FactSink,
    TextFile,
    V,
    contact_row,
    csv_rows,
    visit_row,
)
from carecenter.ingest.timezones import zone

TIMES = ("arrived_at", "enqueued_at", "offered_at", "answered_at", "abandoned_at", "ended_at")
DURATIONS = ("wait_s", "talk_s", "hold_s", "acw_s")
FLAGS = ("transferred_in", "transferred_out", "callback_requested", "resolved")
TEXTS = ("contact_id", "queue_id", "channel", "direction", "customer_id", "tier", "topic")
FIELDS = (*TEXTS, "agent_id", "outcome", "visit", "offers", *TIMES, *DURATIONS, *FLAGS)
_CHOICES = {
    "outcome": {o.value for o in VisitOutcome},
    "channel": {c.value for c in Channel},
    "direction": {d.value for d in Direction},
}
_TRUE, _FALSE = {"true", "yes", "y", "1", "t"}, {"false", "no", "n", "0", "f", ""}


@dataclass(frozen=True)
class CsvMapping:
    """A validated mapping file."""

    source: str
    columns: dict[str, str]
    time_format: str = "iso"
    time_zone: tzinfo | None = None
    delimiter: str | None = None
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)


def read_mapping(path: Path, time_zone: str | None = None) -> CsvMapping:
    """Read and check a mapping file; ``--tz`` (``time_zone``) overrides its zone."""
    where = str(path)
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=where) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(
            f"not YAML: {getattr(exc, 'problem', exc)}", file=where, line=line
        ) from None
    if not isinstance(node, yaml.MappingNode):
        raise InputError("expected a mapping of settings", file=where, line=1)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}

    def fail(message: str, key: str) -> InputError:
        return InputError(message, file=where, line=lines.get(key.split(".")[0]), field=key)

    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise fail("a mapping of field: column is needed", "columns")
    for name in [*columns, *(data.get("defaults") or {}), *(data.get("values") or {})]:
        if name not in FIELDS:
            raise fail(f"unknown field {name!r}; fields are {', '.join(FIELDS)}", "columns")
    defaults = {str(k): str(v) for k, v in (data.get("defaults") or {}).items()}
    for needed in ("contact_id", "queue_id"):
        if needed not in columns and needed not in defaults:
            raise fail(f"no column for {needed}", "columns")
    if "enqueued_at" not in columns and "arrived_at" not in columns:
        raise fail("no column for enqueued_at (or arrived_at)", "columns")
    unknown = sorted(
        set(data)
        - {"source", "time_format", "time_zone", "delimiter", "columns", "values", "defaults"}
    )
    if unknown:
        raise fail("unknown setting", unknown[0])
    zone_name = time_zone or data.get("time_zone")
    return CsvMapping(
        source=str(data.get("source") or "csv"),
        columns={str(k): str(v) for k, v in columns.items()},
        time_format=str(data.get("time_format") or "iso"),
        time_zone=zone(str(zone_name), field="time_zone") if zone_name else None,
        delimiter=data.get("delimiter"),
        values={
            str(k): {str(a): str(b) for a, b in v.items()}
            for k, v in (data.get("values") or {}).items()
        },
        defaults=defaults,
    )


class MappedCsv:
    """Importer of a per-contact CSV described by a :class:`CsvMapping`."""

    def __init__(self, mapping: CsvMapping) -> None:
        self.mapping = mapping
        self.source = mapping.source
        self._parse_time = _time_parser(mapping.time_format, mapping.time_zone)

    def read(self, file: TextFile, sink: FactSink) -> None:
        header, sep, rows = csv_rows(file, self.mapping.delimiter)
        names = {h: i for i, h in enumerate(header)}
        missing = [c for c in self.mapping.columns.values() if c not in names]
        if missing:
            raise InputError(
                f"no column {missing[0]!r} (the header has {', '.join(header)})",
                file=str(file.path),
                line=1,
            )
        index = {f: names[c] for f, c in self.mapping.columns.items()}
        seen: set[tuple[str, int]] = set()
        for number, row in rows:
            sink.counts.records += 1
            try:
                raw = {f: row[i].strip() for f, i in index.items()}
                values = self._values(raw)
                key = (values["contact_id"], int(values.get("visit") or 1))
                if key in seen:
                    sink.counts.duplicates += 1
                seen.add(key)
                self._write(sink, values)
            except ValueError as exc:
                sink.quarantine(number, str(exc), sep.join(row))
            except IndexError:
                sink.quarantine(number, "fewer columns than the header", sep.join(row))

    def finish(self, sink: FactSink) -> None:
        return None

    def _values(self, raw: Mapping[str, str]) -> dict[str, str]:
        values = dict(self.mapping.defaults)
        for name, text in raw.items():
            table = self.mapping.values.get(name)
            if table is not None and text in table:
                text = table[text]
            if text != "":
                values[name] = text
        for name, choices in _CHOICES.items():
            if name in values and values[name] not in choices:
                raise ValueError(f"{name}: {values[name]!r} is not one of {sorted(choices)}")
        if not values.get("contact_id"):
            raise ValueError("contact_id: empty")
        return values

    def _write(self, sink: FactSink, values: dict[str, str]) -> None:
        t: dict[str, datetime | None] = {n: self._time(values, n) for n in TIMES}
        d: dict[str, float | None] = {n: _duration(values, n) for n in DURATIONS}
        enqueued = t["enqueued_at"] or t["arrived_at"]
        if enqueued is None:
            raise ValueError("enqueued_at: empty")
        outcome = values.get("outcome") or _outcome(t)
        hold, acw = d["hold_s"] or 0.0, d["acw_s"] or 0.0
        answered = t["answered_at"]
        if answered is None and outcome == "answered" and d["wait_s"] is not None:
            answered = enqueued + timedelta(seconds=d["wait_s"])
        talk = d["talk_s"]
        if talk is None:
            talk = 0.0
            if answered is not None and t["ended_at"] is not None:
                talk = max(0.0, (t["ended_at"] - answered).total_seconds() - hold - acw)
        ended = t["ended_at"]
        if ended is None and answered is not None:
            ended = answered + timedelta(seconds=talk + hold + acw)
        abandoned = t["abandoned_at"]
        if abandoned is None and outcome == "abandoned":
            abandoned = ended or (
                enqueued + timedelta(seconds=d["wait_s"]) if d["wait_s"] is not None else None
            )
        left = answered if outcome == "answered" else abandoned or ended
        wait = d["wait_s"]
        if wait is None and left is not None:
            wait = max(0.0, (left - enqueued).total_seconds())
        if ended is None and outcome != "open":
            ended = left
        contact_id = f"{self.source}:{values['contact_id']}"
        customer = values.get("customer_id")
        visit = visit_row(
            contact_id,
            int(values.get("visit") or 1),
            values.get("queue_id") or "",
            enqueued,
            channel=values.get("channel", Channel.VOICE.value),
            direction=values.get("direction", Direction.INBOUND.value),
            customer_id=customer and f"{self.source}:{customer}",
            tier=values.get("tier", "standard"),
            topic=values.get("topic"),
            arrived_at=t["arrived_at"] or enqueued,
            agent_id=values.get("agent_id"),
            offered_at=t["offered_at"] or answered,
            answered_at=answered,
            abandoned_at=abandoned,
            ended_at=ended,
            wait_s=wait,
            talk_s=talk,
            hold_s=hold,
            acw_s=acw,
            offers=int(values.get("offers") or (1 if answered else 0)),
            outcome=outcome,
            transferred_in=_flag(values, "transferred_in"),
            transferred_out=_flag(values, "transferred_out"),
            callback_requested=_flag(values, "callback_requested"),
            resolved=_flag(values, "resolved") if "resolved" in values else None,
            state=STATE_OF_OUTCOME[outcome],
        )
        sink.visit(visit)
        sink.contact(
            contact_row(
                contact_id,
                channel=visit[V.CHANNEL],
                direction=visit[V.DIRECTION],
                customer_id=visit[V.CUSTOMER_ID],
                tier=visit[V.TIER],
                topic=visit[V.TOPIC],
                arrived_at=visit[V.ARRIVED_AT],
                ended_at=ended,
                state=visit[V.STATE],
                visits=visit[V.VISIT],
                resolved=visit[V.RESOLVED],
            )
        )

    def _time(self, values: Mapping[str, str], name: str) -> datetime | None:
        text = values.get(name)
        if not text:
            return None
        try:
            return self._parse_time(text)
        except (ValueError, OverflowError):
            raise ValueError(
                f"{name}: not a time in format {self.mapping.time_format}: {text!r}"
            ) from None


def _outcome(t: Mapping[str, datetime | None]) -> str:
    if t["answered_at"] is not None:
        return VisitOutcome.ANSWERED.value
    if t["abandoned_at"] is not None or t["ended_at"] is not None:
        return VisitOutcome.ABANDONED.value
    return VisitOutcome.OPEN.value


def _time_parser(fmt: str, where: tzinfo | None) -> Callable[[str], datetime]:
    from datetime import UTC

    local = where or UTC

    def aware(moment: datetime) -> datetime:
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=local)

    if fmt == "epoch":
        return lambda text: datetime.fromtimestamp(float(text), UTC)
    if fmt == "iso":
        return lambda text: aware(datetime.fromisoformat(text))
    return lambda text: aware(datetime.strptime(text, fmt))


def _duration(values: Mapping[str, str], name: str) -> float | None:
    text = values.get(name)
    if not text:
        return None
    try:
        if ":" in text:
            parts = [float(p) for p in text.split(":")]
            seconds = 0.0
            for p in parts:
                seconds = seconds * 60 + p
            return seconds
        return float(text)
    except ValueError:
        raise ValueError(f"{name}: not seconds or [H:]MM:SS: {text!r}") from None


def _flag(values: Mapping[str, str], name: str) -> bool:
    text = values.get(name, "").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name}: not true or false: {values[name]!r}")
