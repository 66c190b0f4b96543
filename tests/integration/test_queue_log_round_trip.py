"""Events rendered as an Asterisk queue_log and imported give the facts the projector gives.

Two independent paths to the same facts: the projector folds the domain events; the importer
folds the queue_log a PBX would have written for the same calls. Outcomes are equal (a callback
request is an EXITWITHKEY with the callback key), and so are waits and conversations to the
second Asterisk logs. Asterisk does not log hold apart from talk, nor after-call work: those
facts are unknown (``None``) on the imported side, never a number with another meaning.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from carecenter.adapters.center_yaml import parse_center, template
from carecenter.adapters.files import write_queue_log
from carecenter.adapters.memory import InMemoryEventLog, InMemoryWarehouse
from carecenter.adapters.settings import Settings
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.ingest import ImportOptions
from carecenter.ingest.queue_log_render import CALLBACK_KEY
from carecenter.services.importing import import_files
from carecenter.services.projector import project
from carecenter.services.workspace import init_workspace
from carecenter.sim.demo_day import scripted_day


def test_imported_queue_log_matches_projected_events(tmp_path: Path) -> None:
    center = parse_center(template())
    events = scripted_day(center, date(2026, 11, 10), random.Random(11), calls_per_hour=15)
    log, memory = InMemoryEventLog(), InMemoryWarehouse()
    log.append(events)
    project(log, memory)
    projected = {cid: f for (cid, _), f in memory.contact_facts.items() if f.channel == "voice"}

    path = tmp_path / "queue_log"
    lines = write_queue_log(events, path)
    settings = Settings(workspace=tmp_path / "ws")
    init_workspace(settings)
    options = ImportOptions(callback_keys=(CALLBACK_KEY,))
    summary = import_files(settings, "asterisk-queue-log", [path], options)
    assert sum(f.quarantined for f in summary.files) == 0
    assert sum(f.records for f in summary.files) == lines

    warehouse = DuckDbWarehouse(settings.warehouse_path)
    try:
        rows = warehouse.connection.execute(
            "SELECT contact_id, queue_id, outcome, wait_s, conversation_s, talk_s, hold_s, "
            "acw_s, agent_id "
            "FROM contact_facts ORDER BY contact_id"
        ).fetchall()
    finally:
        warehouse.close()
    imported = {cid.removeprefix("asterisk:"): rest for cid, *rest in rows}
    assert set(imported) == set(projected)
    assert len(projected) > 100
    outcomes = {fact.outcome for fact in projected.values()}
    assert {"answered", "abandoned", "callback"} <= outcomes
    for cid, fact in projected.items():
        queue, outcome, wait, conversation, talk, hold, acw, agent = imported[cid]
        assert (queue, outcome) == (fact.queue_id, fact.outcome), cid
        assert fact.wait_s is not None
        assert abs(wait - fact.wait_s) <= 1.0, cid
        assert (talk, hold, acw) == (None, None, None), cid
        if fact.outcome == "answered":
            assert agent == fact.agent_id
            assert fact.conversation_s is not None
            assert abs(conversation - fact.conversation_s) <= 1.0, cid
        else:
            assert conversation is None, cid
