"""``complaints``: complaint records (CSV) into the warehouse table ``complaints``.

Without a mapping file the columns are those of the CFPB Consumer Complaint Database export
(:data:`CFPB_COLUMNS`). A mapping file (YAML) names other columns, and may say what the
center handles (``scope:``)::

    source: helpdesk                 # complaint ids become helpdesk:<complaint_id>
                                     # (default: cfpb without a mapping file, else complaints)
    time_format: auto                # auto (default): ISO 8601, YYYY/MM/DD, MM/DD/YYYY or
                                     # MM/DD/YY; or iso, epoch or a strptime format
    time_zone: Europe/Paris          # zone of times without a UTC offset (default UTC)
    delimiter: ";"                   # default: guessed from the header
    columns:                         # field: column (default: the CFPB export's)
      complaint_id: Ticket
      received_at: Created
      text: Description
      product: Product
      queue_id: Queue
      customer_id: Customer
    defaults:                        # optional: a value for a field without a column
      channel: email
    scope:                           # optional: what the center handles
      products: [Mortgage, Debt collection]    # only these (default: every product)
      exclude_products: [Student loan]
      exclude_keywords: [job application, unsubscribe]

``complaint_id``, ``received_at`` and ``text`` are needed. A row without an id or with a time
that does not read is quarantined with the reason. Every other row is written, kept or set
aside by the reasonable-complaint filter (:mod:`carecenter.domain.complaints`: no text, spam,
out of scope, duplicate) with the reason; a file is screened in order of time received, and a
duplicate of a complaint kept from an earlier file of the same run is set aside too. The
counts of the run's notes say how many were kept and set aside, by reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from carecenter.domain.complaints import Complaint, Scope, Screen
from carecenter.ingest.common import FactSink, TextFile
from carecenter.ingest.mapping_file import MappingDocument, mapped_rows, read_document, time_parser
from carecenter.ingest.timezones import zone

FIELDS = (
    "complaint_id",
    "received_at",
    "text",
    "product",
    "issue",
    "customer_id",
    "contact_id",
    "queue_id",
    "channel",
)
NEEDED = ("complaint_id", "received_at", "text")
CFPB_COLUMNS = {
    "complaint_id": "Complaint ID",
    "received_at": "Date received",
    "text": "Consumer complaint narrative",
    "product": "Product",
    "issue": "Issue",
    "channel": "Submitted via",
}
"""The CFPB export's columns: the mapping without a mapping file."""
AUTO_FORMATS = ("%Y/%m/%d", "%m/%d/%Y", "%m/%d/%y")
"""What ``time_format: auto`` tries after ISO 8601."""
_SETTINGS = {"source", "time_format", "time_zone", "delimiter", "columns", "defaults", "scope"}
_SCOPE = {"products", "exclude_products", "exclude_keywords"}


@dataclass(frozen=True)
class ComplaintsMapping:
    """A validated complaints mapping (the CFPB export's when there is no mapping file)."""

    source: str = "cfpb"
    columns: dict[str, str] = field(default_factory=lambda: dict(CFPB_COLUMNS))
    time_format: str = "auto"
    time_zone: tzinfo | None = None
    delimiter: str | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    scope: Scope = field(default_factory=Scope)


def read_complaints_mapping(path: Path | None, time_zone: str | None = None) -> ComplaintsMapping:
    """The mapping of file ``path`` (``None``: the CFPB export's); ``--tz`` (``time_zone``)
    overrides its zone."""
    if path is None:
        return ComplaintsMapping(
            time_zone=zone(time_zone, field="time_zone") if time_zone else None
        )
    doc = read_document(path)
    data = doc.data
    doc.check_settings(_SETTINGS)
    raw_columns = data.get("columns")
    if raw_columns is None:
        columns = dict(CFPB_COLUMNS)
    elif isinstance(raw_columns, dict) and raw_columns:
        columns = {str(k): str(v) for k, v in raw_columns.items()}
    else:
        raise doc.fail("a mapping of field: column is needed", "columns")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise doc.fail("a mapping of field: value is needed", "defaults")
    for name in [*columns, *defaults]:
        if name not in FIELDS:
            raise doc.fail(f"unknown field {name!r}; fields are {', '.join(FIELDS)}", "columns")
    for needed in NEEDED:
        if needed not in columns:
            raise doc.fail(f"no column for {needed}", "columns")
    zone_name = time_zone or data.get("time_zone")
    return ComplaintsMapping(
        source=str(data.get("source") or "complaints"),
        columns=columns,
        time_format=str(data.get("time_format") or "auto"),
        time_zone=zone(str(zone_name), field="time_zone") if zone_name else None,
        delimiter=data.get("delimiter"),
        defaults={str(k): str(v) for k, v in defaults.items()},
        scope=_scope(doc),
    )


def _scope(doc: MappingDocument) -> Scope:
    raw = doc.data.get("scope")
    if raw is None:
        return Scope()
    if not isinstance(raw, dict):
        raise doc.fail("a mapping of products, exclude_products, exclude_keywords", "scope")
    unknown = sorted(set(raw) - _SCOPE)
    if unknown:
        raise doc.fail(f"unknown setting {unknown[0]!r}; use {', '.join(sorted(_SCOPE))}", "scope")
    lists: dict[str, list[str]] = {}
    for name in _SCOPE:
        value = raw.get(name) or []
        if isinstance(value, str) or not isinstance(value, list):
            raise doc.fail(f"{name}: a list is needed", "scope")
        lists[name] = [str(v) for v in value]
    return Scope(
        frozenset(lists["products"]),
        frozenset(lists["exclude_products"]),
        tuple(lists["exclude_keywords"]),
    )


def auto_time(where: tzinfo | None) -> Callable[[str], datetime]:
    """Text -> aware datetime: ISO 8601, else one of :data:`AUTO_FORMATS`; times without a UTC
    offset are in ``where`` (UTC when ``None``)."""
    local = where or UTC

    def parse(text: str) -> datetime:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            for fmt in AUTO_FORMATS:
                try:
                    moment = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=local)

    return parse


class ComplaintsFile:
    """Translator of a complaints CSV described by a :class:`ComplaintsMapping`."""

    def __init__(self, mapping: ComplaintsMapping) -> None:
        self.mapping = mapping
        self.source = mapping.source
        self._parse_time = (
            auto_time(mapping.time_zone)
            if mapping.time_format == "auto"
            else time_parser(mapping.time_format, mapping.time_zone)
        )
        self._screen = Screen(mapping.scope)

    def read(self, file: TextFile, sink: FactSink) -> None:
        m = self.mapping
        batch: list[Complaint] = []
        for number, raw, text in mapped_rows(file, m.columns, m.delimiter, sink):
            try:
                batch.append(self._complaint(raw))
            except ValueError as exc:
                sink.quarantine(number, str(exc), text)
        for c in self._screen.batch(batch):
            sink.record("complaints", _row(c))
            kind = "complaints kept" if c.reason is None else f"set aside: {_kind(c.reason)}"
            sink.counts.notes[kind] += 1

    def finish(self, sink: FactSink) -> None:
        return None

    def _complaint(self, raw: Mapping[str, str]) -> Complaint:
        values = dict(self.mapping.defaults)
        values.update({k: v for k, v in raw.items() if v != ""})
        ident = values.get("complaint_id")
        if not ident:
            raise ValueError("complaint_id: empty")
        when = values.get("received_at", "")
        try:
            received = self._parse_time(when)
        except (ValueError, OverflowError):
            fmt = self.mapping.time_format
            raise ValueError(f"received_at: not a time in format {fmt}: {when!r}") from None
        return Complaint(
            complaint_id=f"{self.source}:{ident}",
            received_at=received.astimezone(UTC),
            text=raw.get("text", ""),
            product=values.get("product"),
            issue=values.get("issue"),
            customer_id=_namespaced(self.source, values.get("customer_id")),
            contact_id=_namespaced(self.source, values.get("contact_id")),
            queue_id=values.get("queue_id"),
            channel=values.get("channel"),
            source=self.source,
        )


def _namespaced(source: str, value: str | None) -> str | None:
    return f"{source}:{value}" if value else None


def _kind(reason: str) -> str:
    return reason.split(":")[0] if not reason.startswith("duplicate") else "duplicate"


def _row(c: Complaint) -> dict[str, Any]:
    return {
        "complaint_id": c.complaint_id,
        "received_at": c.received_at.isoformat(),
        "product": c.product,
        "issue": c.issue,
        "text": c.text,
        "customer_id": c.customer_id,
        "contact_id": c.contact_id,
        "queue_id": c.queue_id,
        "channel": c.channel,
        "source": c.source,
        "status": c.status,
        "reason": c.reason,
    }
