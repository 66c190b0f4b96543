"""Translators: what other contact-center systems export, said as domain events.

One module per input format; :func:`make_importer` builds the translator a format name names.
Each turns its vendor's records into domain events, which :mod:`~carecenter.ingest.folding`
folds with the one fold (:func:`carecenter.domain.projection.fold`) into fact rows; the
Asterisk queue_log folds in DuckDB SQL for speed (:mod:`~carecenter.ingest.queue_log`),
checked against the one fold by property tests. Shared machinery is in
:mod:`~carecenter.ingest.common` (sink protocol, counts, reader); the DuckDB side is
:mod:`carecenter.adapters.import_sink`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from carecenter.domain.tickets import TicketRules
from carecenter.errors import InputError
from carecenter.ingest.common import FileCounts, Importer

FORMATS: dict[str, str] = {
    "asterisk-queue-log": "Asterisk queue_log: pipe file or database export (CSV)",
    "amazon-connect-ctr": "Amazon Connect contact trace records (JSON lines or arrays)",
    "twilio-taskrouter": "Twilio TaskRouter event stream (JSON lines or arrays)",
    "zendesk-tickets": "Zendesk incremental ticket export with ticket metrics (JSON)",
    "anonymous-bank": "Technion 'Anonymous Bank' call-by-call file (tab-separated)",
    "csv": "any per-contact CSV, described by a mapping file (--mapping)",
    "ticket-events": "a ticket system's event log (CSV), described by a mapping file (--mapping)",
    "servicenow-incidents": "ServiceNow incident event log: one row per update (CSV)",
    "survey": "a survey's answers (CSV, one row per respondent), described by a mapping file",
    "complaints": "complaints (CSV: the CFPB's export, or any other described by --mapping)",
}
"""Format name -> what it reads."""

MAPPED_FORMATS = ("csv", "ticket-events", "survey", "complaints")
"""The formats a mapping file (``--mapping``) describes."""


@dataclass(frozen=True, kw_only=True)
class ImportOptions:
    """Options of one import run."""

    mapping: Mapping[str, str] = field(default_factory=dict)
    """FIELD -> COLUMN for formats with columns (``--map``)."""
    time_zone: str | None = None
    """Zone of times without a UTC offset (``--tz``); each format has its default."""
    mapping_file: Path | None = None
    """The mapping file of the ``csv`` format (``--mapping``)."""
    callback_keys: tuple[str, ...] = ()
    """Keys a caller presses to ask for a callback (``asterisk-queue-log``: an EXITWITHKEY with
    one of them is a callback request, not an exit)."""
    center_time_zone: str | None = None
    """The workspace's time zone (``center.yaml``): ``asterisk-queue-log`` reads local times in
    it when ``--tz`` is not given (a PBX logs its local time)."""
    agent_aliases: Mapping[str, str] = field(default_factory=dict)
    """Agent name -> agent id (``center.yaml`` ``agent_aliases``): ``asterisk-queue-log``
    gives a logged agent name its id by it before its own rules."""
    ticket_rules: TicketRules | None = None
    """Business hours and ticket targets of the center's queues (``ticket-events``); ``None``:
    every queue open all the time, no targets."""
    encoding: str | None = None
    """The files' text encoding (``--encoding``); ``None``: detected (a byte order mark, else
    UTF-8 with legacy cp1252 bytes read as such and counted)."""


def make_importer(fmt: str, options: ImportOptions) -> Importer:
    """The importer of format ``fmt``; ``InputError`` for an unknown format or bad options."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; formats are {', '.join(FORMATS)}")
    if options.mapping and fmt != "asterisk-queue-log":
        raise InputError(f"--map is for asterisk-queue-log, not {fmt}", field="map")
    if options.callback_keys and fmt != "asterisk-queue-log":
        raise InputError(
            f"--callback-key is for asterisk-queue-log, not {fmt}", field="callback_keys"
        )
    if options.mapping_file is not None and fmt not in MAPPED_FORMATS:
        raise InputError(
            f"--mapping is for the {', '.join(MAPPED_FORMATS[:-1])} and {MAPPED_FORMATS[-1]} "
            f"formats, not {fmt}",
            field="mapping",
        )
    if options.encoding is not None:
        import codecs

        try:
            codecs.lookup(options.encoding)
        except LookupError:
            raise InputError(f"unknown encoding {options.encoding!r}", field="encoding") from None
    if fmt == "asterisk-queue-log":
        from carecenter.ingest.asterisk import AsteriskQueueLog

        return AsteriskQueueLog(
            options.mapping,
            options.time_zone,
            options.callback_keys,
            options.center_time_zone,
            options.agent_aliases,
        )
    if fmt == "anonymous-bank":
        from carecenter.ingest.anonymous_bank import AnonymousBank

        return AnonymousBank(options.time_zone or "Asia/Jerusalem")
    if fmt == "csv":
        from carecenter.ingest.csv_mapped import MappedCsv, read_mapping

        if options.mapping_file is None:
            raise InputError("the csv format needs a mapping file (--mapping FILE)")
        return MappedCsv(read_mapping(options.mapping_file, options.time_zone))
    if fmt == "ticket-events":
        from carecenter.ingest.ticket_events import TicketEventLog, read_ticket_mapping

        if options.mapping_file is None:
            raise InputError("the ticket-events format needs a mapping file (--mapping FILE)")
        mapping = read_ticket_mapping(options.mapping_file, options.time_zone)
        return TicketEventLog(mapping, options.ticket_rules)
    if fmt == "survey":
        from carecenter.ingest.survey_file import SurveyFile, read_survey_mapping

        if options.mapping_file is None:
            raise InputError("the survey format needs a mapping file (--mapping FILE)")
        return SurveyFile(read_survey_mapping(options.mapping_file, options.time_zone))
    if fmt == "complaints":
        from carecenter.ingest.complaints import ComplaintsFile, read_complaints_mapping

        return ComplaintsFile(read_complaints_mapping(options.mapping_file, options.time_zone))
    if fmt == "servicenow-incidents":
        from carecenter.ingest.ticket_snapshots import ServiceNowIncidents

        return ServiceNowIncidents(
            options.ticket_rules, options.time_zone, options.center_time_zone
        )
    if fmt == "amazon-connect-ctr":
        from carecenter.ingest.amazon_connect import AmazonConnectCtr

        return AmazonConnectCtr()
    if fmt == "twilio-taskrouter":
        from carecenter.ingest.twilio import TwilioTaskRouter

        return TwilioTaskRouter()
    from carecenter.ingest.zendesk import ZendeskTickets

    return ZendeskTickets()


__all__ = ["FORMATS", "FileCounts", "ImportOptions", "Importer", "make_importer"]
