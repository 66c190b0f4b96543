"""``amazon-connect-ctr``: Amazon Connect contact trace records (JSON lines, arrays, or objects
one after another as Kinesis Firehose writes them).

Each CTR is one contact ``amazon-connect:<ContactId>``. A transfer makes a new CTR whose
``PreviousContactId`` names the one before: it becomes the contact's ``parent_contact_id``,
its visit is ``transferred_in``, and the earlier contact's visit is ``transferred_out`` (it
has a ``NextContactId`` or a ``TransferCompletedTimestamp``).

Delivery is at least once: a ContactId seen again replaces the earlier record only when its
``LastUpdateTimestamp`` is later; the others are counted as duplicates.

A CTR with a ``Queue`` gives one visit: entered at ``Queue.EnqueueTimestamp``; answered at
``Agent.ConnectedToAgentTimestamp`` by ``Agent.Username``, wait = ``Queue.Duration``, talk =
``Agent.AgentInteractionDuration``, hold = ``Agent.CustomerHoldDuration``, after-call work =
``Agent.AfterContactWorkDuration``; offers = ``AgentConnectionAttempts`` (else 1 when
answered). Not answered: flowed out when it was transferred on, abandoned otherwise (at
``Queue.DequeueTimestamp``, else the disconnect). A CTR without a queue is a contact with no
visit (self-service, outbound dials).
"""

from __future__ import annotations

from typing import Any

from carecenter.domain.enums import Channel, ContactState, Direction, VisitOutcome
from carecenter.ingest.common import (
    FactSink,
    TextFile,
    contact_row,
    parse_time,
    seconds_between,
    visit_row,
)
from carecenter.ingest.reading import read_json_records

CHANNELS = {"VOICE": Channel.VOICE.value, "CHAT": Channel.CHAT.value, "EMAIL": "email"}
OUTBOUND = ("OUTBOUND", "CALLBACK", "API")
TRANSFERRED_IN = ("TRANSFER", "QUEUE_TRANSFER", "EXTERNAL_OUTBOUND")


def _get(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


class AmazonConnectCtr:
    """Importer of Amazon Connect CTRs."""

    source = "amazon-connect"

    def __init__(self) -> None:
        self._latest: dict[str, float] = {}

    def read(self, file: TextFile, sink: FactSink) -> None:
        read_json_records(file, sink, lambda _line, record, _raw: self._record(sink, record))

    def finish(self, sink: FactSink) -> None:
        self._latest.clear()

    def _record(self, sink: FactSink, record: Any) -> None:
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        contact = record.get("ContactId")
        if not isinstance(contact, str) or not contact:
            raise ValueError("ContactId: missing")
        stamp = parse_time(record.get("LastUpdateTimestamp"), "LastUpdateTimestamp")
        updated = stamp.timestamp() if stamp is not None else float("-inf")
        seen = self._latest.get(contact)
        if seen is not None and seen >= updated:
            sink.counts.duplicates += 1
            return
        if seen is not None:
            sink.counts.notes["CTRs replaced by a later update"] += 1
        self._latest[contact] = updated
        ts = {
            name: parse_time(_get(record, name), name)
            for name in (
                "InitiationTimestamp",
                "DisconnectTimestamp",
                "TransferCompletedTimestamp",
                "Queue.EnqueueTimestamp",
                "Queue.DequeueTimestamp",
                "Agent.ConnectedToAgentTimestamp",
                "Agent.AfterContactWorkEndTimestamp",
            )
        }
        method = str(record.get("InitiationMethod") or "INBOUND")
        channel = CHANNELS.get(str(record.get("Channel") or "VOICE"), "task")
        if method == "CALLBACK" and channel == Channel.VOICE.value:
            channel = Channel.CALLBACK.value
        direction = Direction.OUTBOUND.value if method in OUTBOUND else Direction.INBOUND.value
        cid = f"{self.source}:{contact}"
        previous = record.get("PreviousContactId")
        address = _get(record, "CustomerEndpoint.Address")
        customer = f"{self.source}:{address}" if address else None
        arrived = ts["InitiationTimestamp"] or ts["Queue.EnqueueTimestamp"]
        ended = ts["Agent.AfterContactWorkEndTimestamp"] or ts["DisconnectTimestamp"]
        transferred_out = bool(record.get("NextContactId") or ts["TransferCompletedTimestamp"])
        common = {
            "channel": channel,
            "direction": direction,
            "customer_id": customer,
            "arrived_at": arrived,
        }
        queue = _get(record, "Queue.Name")
        enqueued = ts["Queue.EnqueueTimestamp"]
        if not queue or enqueued is None:
            sink.contact(
                contact_row(
                    cid,
                    **common,
                    parent_contact_id=previous and f"{self.source}:{previous}",
                    ended_at=ended,
                    state=ContactState.ENDED.value if ended else ContactState.ARRIVED.value,
                )
            )
            return
        visit = self._visit(record, ts, enqueued, transferred_out, common)
        visit_values = dict(zip(("outcome", "state", "ended_at"), visit[1], strict=True))
        visit_values["transferred_in"] = method in TRANSFERRED_IN or bool(previous)
        row = visit_row(cid, 1, str(queue), enqueued, **visit[0], **visit_values)
        sink.visit(row)
        sink.contact(
            contact_row(
                cid,
                **common,
                parent_contact_id=previous and f"{self.source}:{previous}",
                ended_at=visit_values["ended_at"],
                state=visit_values["state"],
                visits=1,
            )
        )

    def _visit(
        self,
        record: dict[str, Any],
        ts: dict[str, Any],
        enqueued: Any,
        transferred_out: bool,
        common: dict[str, Any],
    ) -> tuple[dict[str, Any], tuple[str, str, Any]]:
        answered = ts["Agent.ConnectedToAgentTimestamp"]
        dequeued = ts["Queue.DequeueTimestamp"]
        duration = _get(record, "Queue.Duration")
        wait = float(duration) if isinstance(duration, int | float) else None
        ended = ts["Agent.AfterContactWorkEndTimestamp"] or ts["DisconnectTimestamp"]
        values: dict[str, Any] = {**common, "transferred_out": transferred_out}
        attempts = record.get("AgentConnectionAttempts")
        if answered is not None:
            values.update(
                agent_id=_get(record, "Agent.Username"),
                offered_at=answered,
                answered_at=answered,
                wait_s=wait if wait is not None else seconds_between(enqueued, answered),
                talk_s=float(_get(record, "Agent.AgentInteractionDuration") or 0),
                hold_s=float(_get(record, "Agent.CustomerHoldDuration") or 0),
                acw_s=float(_get(record, "Agent.AfterContactWorkDuration") or 0),
                offers=int(attempts) if isinstance(attempts, int) and attempts else 1,
            )
            state = ContactState.TRANSFERRED if transferred_out else ContactState.ENDED
            return values, (VisitOutcome.ANSWERED.value, state.value, ended)
        left = dequeued or ts["DisconnectTimestamp"]
        values.update(
            wait_s=wait if wait is not None else seconds_between(enqueued, left),
            offers=int(attempts) if isinstance(attempts, int) else 0,
        )
        if transferred_out:
            state_ = ContactState.TRANSFERRED.value
            return values, (VisitOutcome.FLOWED_OUT.value, state_, left)
        if left is None:
            return values, (VisitOutcome.OPEN.value, ContactState.QUEUED.value, None)
        values["abandoned_at"] = left
        return values, (VisitOutcome.ABANDONED.value, ContactState.ABANDONED.value, left)
