"""The projector: new events in the log become rows in the warehouse.

It reads only events after the warehouse checkpoint, in batches, loads just the rows those
events can touch (by contact, agent and promise id), folds the events
(:func:`carecenter.domain.projection.fold`) and writes the touched rows together with the
new checkpoint in one transaction. Running it twice adds nothing; running it after every
append or once at the end gives the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from carecenter.domain.events import subject_of
from carecenter.domain.projection import fold
from carecenter.domain.promise_facts import promise_id_of
from carecenter.services.ports import EventLog, Warehouse


@dataclass(frozen=True)
class ProjectionReport:
    """What one projector run did."""

    events: int
    batches: int
    checkpoint: int


def project(log: EventLog, warehouse: Warehouse, *, batch_size: int = 5000) -> ProjectionReport:
    """Project every event after the warehouse checkpoint; return what was done."""
    checkpoint = warehouse.checkpoint()
    events = batches = 0
    while batch := log.read(after=checkpoint, limit=batch_size):
        contacts: set[str] = set()
        agents: set[str] = set()
        promises: set[str] = set()
        for stored in batch:
            contact_id, agent_id = subject_of(stored.event)
            if contact_id is not None:
                contacts.add(contact_id)
            if agent_id is not None:
                agents.add(agent_id)
            if (promise_id := promise_id_of(stored.event)) is not None:
                promises.add(promise_id)
        state = warehouse.load_state(contacts, agents, promises)
        for stored in batch:
            fold(state, stored.seq, stored.event)
        checkpoint = batch[-1].seq
        warehouse.save_state(state, checkpoint)
        events += len(batch)
        batches += 1
    return ProjectionReport(events, batches, checkpoint)
