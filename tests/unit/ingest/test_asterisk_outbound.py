"""Outbound calls in a queue_log (OUTDIAL, OUTANSWER, OUT<DIALSTATUS>) become outbound visits."""

from __future__ import annotations

from pathlib import Path

from carecenter.adapters.files import open_text
from carecenter.ingest.asterisk import AsteriskQueueLog
from carecenter.ingest.common import MemorySink

T = 1764579600
LOG = f"""{T}|NONE|sales|SIP/1127|AGENTLOGIN|SIP/1127
{T + 10}|o1|sales|SIP/1127|OUTDIAL|5551001
{T + 25}|o1|sales|SIP/1127|OUTANSWER|5551001
{T + 145}|o1|sales|SIP/1127|OUTCOMPLETE|5551001
{T + 150}|o2|sales|SIP/1127|OUTDIAL|5551002
{T + 160}|o2|sales|SIP/1127|OUTBUSY|5551002
{T + 170}|o3|sales|SIP/1127|OUTDIAL|5551003
{T + 200}|o3|sales|SIP/1127|OUTNOANSWER|5551003
{T + 210}|o4|sales|SIP/1127|OUTDIAL|5551004
{T + 212}|o4|sales|SIP/1127|OUTANSWER|5551004
{T + 272}|o4|sales|SIP/1127|COMPLETEAGENT|2|60|1
{T + 300}|o5|sales|SIP/1127|OUTDIAL|5551005
{T + 400}|NONE|sales|SIP/1127|AGENTLOGOFF|SIP/1127|400
"""


def test_outbound_calls_are_outbound_visits(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(LOG)
    sink, importer = MemorySink(), AsteriskQueueLog()
    with open_text(path) as text:
        importer.read(text, sink)
    importer.finish(sink)
    assert sink.counts.unknown == 0 and sink.counts.quarantined == 0
    assert "calls met without ENTERQUEUE" not in sink.counts.notes
    visits = {
        v["contact_id"]: (
            v["direction"],
            v["queue_id"],
            v["outcome"],
            v["agent_id"],
            v["wait_s"],
            v["conversation_s"],
            v["customer_id"],
        )
        for v in sink.visit_dicts()
    }
    assert visits == {
        "asterisk:o1": ("outbound", "sales", "answered", "1127", 15, 120, "asterisk:5551001"),
        "asterisk:o2": ("outbound", "sales", "exited", "1127", 10, None, "asterisk:5551002"),
        "asterisk:o3": ("outbound", "sales", "exited", "1127", 30, None, "asterisk:5551003"),
        "asterisk:o4": ("outbound", "sales", "answered", "1127", 2, 60, "asterisk:5551004"),
        "asterisk:o5": ("outbound", "sales", "open", "1127", None, None, "asterisk:5551005"),
    }
    assert {c["direction"] for c in sink.contact_dicts()} == {"outbound"}
    busy = [
        (i["start_at"].timestamp() - T, i["end_at"].timestamp() - T)
        for i in sink.interval_dicts()
        if i["state"] == "busy"
    ]
    assert busy == [(10, 145), (150, 160), (170, 200), (210, 272), (300, 400)]
