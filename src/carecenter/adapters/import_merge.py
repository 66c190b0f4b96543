"""Which copy of a contact is further along: the rule that makes imported facts only move
forward.

An older, shorter copy of a log (or an older version of a record) never undoes what a later
event said. "Further along" compares what the facts carry, in this order: ``last_seq`` (the
event log's sequence number); the source's own record version where it has one
(``contact_versions``, e.g. a Connect CTR's ``LastUpdateTimestamp``); whether the contact has
ended; its number of visits; and the latest time its contact and visit rows hold. Ties go to
the incoming copy. :class:`~carecenter.adapters.import_sink.WarehouseSink` applies it to the
contacts it has staged (``_pending_contacts``, ``_pending_contact_facts``,
``_pending_versions``) before it merges them; the in-memory fake
(:class:`~carecenter.adapters.memory.MemoryImportSink`) runs the same statement on its rows.
"""

from __future__ import annotations

REACHED = "greatest(enqueued_at, offered_at, answered_at, abandoned_at, ended_at, talk_ended_at)"
"""The latest time a visit row holds (times a later event never clears)."""

_PROGRESS = """[
        c.last_seq, coalesce(n.updated_us, -1), (c.ended_at IS NOT NULL)::BIGINT, c.visits,
        coalesce(epoch_us(greatest(c.arrived_at, c.ended_at, v.reached)), -1)
    ]"""
"""How far along a contact ``c`` is (its version ``n``, its visits' latest time ``v``): a list
compared element by element, in the order of the module docstring."""

BEHIND = f"""
CREATE OR REPLACE TEMP TABLE _import_behind AS
WITH inc_v AS (
    SELECT contact_id, max({REACHED}) AS reached FROM _pending_contact_facts GROUP BY contact_id
), old_v AS (
    SELECT contact_id, max({REACHED}) AS reached
    FROM contact_facts SEMI JOIN _pending_contacts USING (contact_id) GROUP BY contact_id
), inc AS (
    SELECT c.contact_id, {_PROGRESS} AS k
    FROM _pending_contacts c LEFT JOIN inc_v v USING (contact_id)
    LEFT JOIN _pending_versions n USING (contact_id)
), old AS (
    SELECT c.contact_id, {_PROGRESS} AS k
    FROM contacts c SEMI JOIN _pending_contacts USING (contact_id)
    LEFT JOIN old_v v USING (contact_id)
    LEFT JOIN contact_versions n USING (contact_id)
)
SELECT contact_id FROM inc JOIN old USING (contact_id) WHERE old.k > inc.k
"""
"""``_import_behind``: the incoming contacts the warehouse holds further along."""
