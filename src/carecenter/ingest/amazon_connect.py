"""``amazon-connect-ctr``: Amazon Connect contact trace records (JSON lines, arrays, or objects
one after another as Kinesis Firehose writes them), translated into domain events.

Each CTR is one contact ``amazon-connect:<ContactId>``; its events are folded by the one fold
(:mod:`carecenter.ingest.folding`). A transfer makes a new CTR whose ``PreviousContactId``
names the one before: it becomes the contact's ``parent_contact_id`` and arrives
``transferred_in`` (or when ``InitiationMethod`` is a transfer); the earlier contact's visit is
transferred out (it has a ``NextContactId`` or a ``TransferCompletedTimestamp``).

Delivery is at least once: a ContactId seen again replaces the earlier record only when its
``LastUpdateTimestamp`` is later; the others are counted as unchanged. Across runs the same
holds: the ``LastUpdateTimestamp`` is kept as the contact's version (``contact_versions``) and
the warehouse keeps the facts of the latest version.

=================================  ===========================================================
CTR                                events
=================================  ===========================================================
``InitiationTimestamp``            ``contact.arrived`` (else at the enqueue)
``Queue.EnqueueTimestamp``         ``contact.queued`` in ``Queue.Name``; no queue: the contact
                                   ends at ``DisconnectTimestamp`` (self-service, outbound)
``AgentConnectionAttempts`` n      n - 1 offers the agent did not take, at the answer
``Agent.ConnectedToAgentTimestamp``  ``contact.offered`` and ``contact.answered`` by
                                   ``Agent.Username``
``Agent.CustomerHoldDuration``     ``contact.held`` / ``contact.resumed`` ending when the
                                   conversation ends (the CTR gives the total, not the times)
``TransferCompletedTimestamp``     answered: ``contact.transferred`` then (the conversation ends)
``DisconnectTimestamp``            the conversation ends; with after-call work
                                   (``Agent.AfterContactWorkDuration`` > 0 or an
                                   ``AfterContactWorkEndTimestamp``) ``contact.wrap_up_started``,
                                   then ``contact.ended`` at the ACW end; else ``contact.ended``
not answered                       ``contact.transferred`` (flow-out) when transferred on,
                                   else ``contact.abandoned`` at ``Queue.DequeueTimestamp``
                                   (else the disconnect); no end: still waiting
=================================  ===========================================================

Talk time is the fold's: the conversation (connected to disconnect or transfer) less hold.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from carecenter.domain.enums import Channel, Direction
from carecenter.domain.events import (
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactEvent,
    ContactHeld,
    ContactOffered,
    ContactOfferRejected,
    ContactQueued,
    ContactResumed,
    ContactTransferred,
    ContactWrapUpStarted,
)
from carecenter.ingest.common import FactSink, TextFile, parse_time, read_json_records
from carecenter.ingest.folding import EventFolder

CHANNELS = {"VOICE": Channel.VOICE, "CHAT": Channel.CHAT, "EMAIL": Channel.EMAIL}
OUTBOUND = ("OUTBOUND", "CALLBACK", "API")
TRANSFERRED_IN = ("TRANSFER", "QUEUE_TRANSFER", "EXTERNAL_OUTBOUND")
TIMES = (
    "InitiationTimestamp",
    "DisconnectTimestamp",
    "TransferCompletedTimestamp",
    "Queue.EnqueueTimestamp",
    "Queue.DequeueTimestamp",
    "Agent.ConnectedToAgentTimestamp",
    "Agent.AfterContactWorkEndTimestamp",
)


def _get(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _micros(moment: datetime) -> int:
    return round(moment.timestamp() * 1_000_000)


def _seconds(record: dict[str, Any], path: str) -> float:
    value = _get(record, path)
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{path}: not a duration: {value!r}")
    return float(value)


class AmazonConnectCtr:
    """Translator of Amazon Connect CTRs into domain events."""

    source = "amazon-connect"

    def __init__(self) -> None:
        self._latest: dict[str, float] = {}

    def read(self, file: TextFile, sink: FactSink) -> None:
        out = EventFolder(sink)
        read_json_records(file, sink, lambda _line, record, _raw: self._record(out, record))

    def finish(self, sink: FactSink) -> None:
        self._latest.clear()

    def _record(self, out: EventFolder, record: Any) -> None:
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        contact = record.get("ContactId")
        if not isinstance(contact, str) or not contact:
            raise ValueError("ContactId: missing")
        stamp = parse_time(record.get("LastUpdateTimestamp"), "LastUpdateTimestamp")
        updated = stamp.timestamp() if stamp is not None else float("-inf")
        seen = self._latest.get(contact)
        if seen is not None and seen >= updated:
            out.counts.unchanged += 1
            return
        events = CtrStory(self.source, contact, record).events()
        if seen is not None:
            out.counts.notes["CTRs replaced by a later update"] += 1
        self._latest[contact] = updated
        out.contact(events)
        if stamp is not None:  # after the contact's rows: written with them
            version = {"contact_id": f"{self.source}:{contact}", "updated_us": _micros(stamp)}
            out.sink.record("contact_versions", version)


class CtrStory:
    """The events one CTR tells (see the module's table)."""

    def __init__(self, source: str, contact: str, record: dict[str, Any]) -> None:
        self.record = record
        self.cid = f"{source}:{contact}"
        self.ts: dict[str, datetime | None] = {n: parse_time(_get(record, n), n) for n in TIMES}
        self.queue = _get(record, "Queue.Name")
        self.source = source

    def events(self) -> list[ContactEvent]:
        """The contact's events, in order."""
        r, ts, cid = self.record, self.ts, self.cid
        method = str(r.get("InitiationMethod") or "INBOUND")
        channel = CHANNELS.get(str(r.get("Channel") or "VOICE"))
        if channel is None:
            raise ValueError(f"Channel: not a channel carecenter knows: {r.get('Channel')!r}")
        if method == "CALLBACK" and channel is Channel.VOICE:
            channel = Channel.CALLBACK
        previous = r.get("PreviousContactId")
        address = _get(r, "CustomerEndpoint.Address")
        enqueued = ts["Queue.EnqueueTimestamp"]
        arrived = ts["InitiationTimestamp"] or enqueued
        if arrived is None:
            raise ValueError("InitiationTimestamp: missing")
        story: list[ContactEvent] = [
            ContactArrived(
                occurred_at=arrived,
                contact_id=cid,
                channel=channel,
                direction=Direction.OUTBOUND if method in OUTBOUND else Direction.INBOUND,
                customer_id=f"{self.source}:{address}" if address else None,
                parent_contact_id=f"{self.source}:{previous}" if previous else None,
                transferred_in=method in TRANSFERRED_IN or bool(previous),
            )
        ]
        if not self.queue or enqueued is None:
            end = ts["Agent.AfterContactWorkEndTimestamp"] or ts["DisconnectTimestamp"]
            if end is not None:
                story.append(ContactEnded(occurred_at=end, contact_id=cid, ended_by="system"))
            return story
        queue = str(self.queue)
        story.append(ContactQueued(occurred_at=enqueued, contact_id=cid, queue_id=queue))
        answered = ts["Agent.ConnectedToAgentTimestamp"]
        if answered is None:
            return story + self._unanswered(queue)
        return story + self._conversation(queue, answered)

    def _transferred_out(self) -> bool:
        return bool(self.record.get("NextContactId") or self.ts["TransferCompletedTimestamp"])

    def _unanswered(self, queue: str) -> list[ContactEvent]:
        left = self.ts["Queue.DequeueTimestamp"] or self.ts["DisconnectTimestamp"]
        if left is None:
            return []  # still waiting
        if self._transferred_out():
            return [ContactTransferred(occurred_at=left, contact_id=self.cid, from_queue_id=queue)]
        return [ContactAbandoned(occurred_at=left, contact_id=self.cid, queue_id=queue)]

    def _conversation(self, queue: str, answered: datetime) -> list[ContactEvent]:
        r, ts, cid = self.record, self.ts, self.cid
        agent = str(_get(r, "Agent.Username") or "")
        attempts = r.get("AgentConnectionAttempts")
        tries = attempts if isinstance(attempts, int) and attempts > 0 else 1
        story: list[ContactEvent] = []
        for _ in range(tries - 1):
            story.append(
                ContactOffered(occurred_at=answered, contact_id=cid, queue_id=queue, agent_id="")
            )
            story.append(
                ContactOfferRejected(
                    occurred_at=answered, contact_id=cid, queue_id=queue, agent_id=""
                )
            )
        story.append(
            ContactOffered(occurred_at=answered, contact_id=cid, queue_id=queue, agent_id=agent)
        )
        story.append(
            ContactAnswered(occurred_at=answered, contact_id=cid, queue_id=queue, agent_id=agent)
        )
        talk = _seconds(r, "Agent.AgentInteractionDuration")
        hold = _seconds(r, "Agent.CustomerHoldDuration")
        transfer = ts["TransferCompletedTimestamp"]
        spoken = answered + timedelta(seconds=talk + hold)
        end = transfer or ts["DisconnectTimestamp"] or spoken
        end = max(end, answered)
        if hold:
            held = max(answered, end - timedelta(seconds=hold))
            story.append(ContactHeld(occurred_at=held, contact_id=cid, agent_id=agent))
            story.append(ContactResumed(occurred_at=end, contact_id=cid, agent_id=agent))
        if self._transferred_out():
            story.append(
                ContactTransferred(
                    occurred_at=end, contact_id=cid, from_queue_id=queue, agent_id=agent
                )
            )
            return story
        acw = _seconds(r, "Agent.AfterContactWorkDuration")
        acw_end = ts["Agent.AfterContactWorkEndTimestamp"]
        if acw or acw_end is not None:
            story.append(ContactWrapUpStarted(occurred_at=end, contact_id=cid, agent_id=agent))
            end = max(end, acw_end or end + timedelta(seconds=acw))
        story.append(ContactEnded(occurred_at=end, contact_id=cid, ended_by="agent"))
        return story
