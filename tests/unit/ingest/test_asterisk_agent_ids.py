"""One agent, one id: the channel names a PBX logs for an agent are normalised
(:mod:`carecenter.ingest.agent_ids`), on call events and on session events alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from carecenter.adapters.files import open_text
from carecenter.ingest.agent_ids import agent_id, agent_ids
from carecenter.ingest.asterisk import AsteriskQueueLog
from carecenter.ingest.common import MemorySink

T = 1764579600


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Agent/1127", "1127"),
        ("Local/1127@callback-agent", "1127"),
        ("Local/1127@from-queue/n", "1127"),
        ("SIP/1127", "1127"),
        ("PJSIP/1127-0000a1b2", "1127"),
        ("IAX2/1127", "1127"),
        ("Ann", "Ann"),
        ("Ann Smith", "Ann Smith"),
        ("ann-deadbeef", "ann-deadbeef"),
        ("SIP/", "SIP/"),
    ],
)
def test_channel_names_are_normalised(name: str, expected: str) -> None:
    assert agent_id(name) == expected


def test_aliases_come_before_the_rules_and_after_them() -> None:
    aliases = {"SIP/1127": "ann", "1128": "bob"}
    assert agent_id("SIP/1127", aliases) == "ann"
    assert agent_id("Agent/1127", aliases) == "1127"
    assert agent_id("PJSIP/1128-0000a1b2", aliases) == "bob"


def test_merged_names_are_noted_once_per_id() -> None:
    ids, notes = agent_ids(["Agent/1127", "Local/1127@callback-agent", "Ann", "SIP/7"])
    assert ids["Local/1127@callback-agent"] == "1127"
    assert notes == {
        "agents 'Agent/1127', 'Local/1127@callback-agent' counted as '1127'": 1,
        "agent names counted by their id, e.g. 'SIP/7' as '7'": 1,
    }


def _import(text: str, tmp_path: Path, **options: Any) -> MemorySink:
    path = tmp_path / "queue_log"
    path.write_text(text)
    sink, importer = MemorySink(), AsteriskQueueLog(**options)
    with open_text(path) as file:
        importer.read(file, sink)
    importer.finish(sink)
    return sink


LOG = f"""{T}|NONE|600|Agent/1127|AGENTLOGIN|Local/1127@callback-agent
{T}|NONE|600|Local/1127@callback-agent|ADDMEMBER|
{T + 10}|c1|600|NONE|ENTERQUEUE||5551001|1
{T + 20}|c1|600|PJSIP/1127-0000a1b2|CONNECT|10|c1.2|2
{T + 120}|c1|600|PJSIP/1127-0000a1b2|COMPLETECALLER|10|100|1
{T + 200}|c2|600|NONE|ENTERQUEUE||5551002|1
{T + 205}|c2|600|IAX2/1127|CONNECT|5|c2.2|1
{T + 265}|c2|600|SIP/1127|COMPLETEAGENT|5|60|1
{T + 400}|NONE|600|Local/1127@callback-agent|REMOVEMEMBER|
{T + 400}|NONE|600|Agent/1127|AGENTLOGOFF|Local/1127@callback-agent|400
"""


def test_one_agent_logged_under_several_channels_is_one_agent(tmp_path: Path) -> None:
    sink = _import(LOG, tmp_path)
    assert {v["agent_id"] for v in sink.visit_dicts()} == {"1127"}
    intervals = [
        (i["agent_id"], i["state"], i["start_at"].timestamp() - T, i["end_at"].timestamp() - T)
        for i in sink.interval_dicts()
        if i["state"] != "logged_out"
    ]
    assert intervals == [
        ("1127", "available", 0, 20),
        ("1127", "busy", 20, 120),
        ("1127", "available", 120, 205),
        ("1127", "busy", 205, 265),
        ("1127", "available", 265, 400),
    ]
    staffed = sum(end - start for _, _, start, end in intervals)
    assert staffed == 400  # not 800: one person, logged in once
    merged = (
        "agents 'Agent/1127', 'IAX2/1127', 'Local/1127@callback-agent', "
        "'PJSIP/1127-0000a1b2', 'SIP/1127' counted as '1127'"
    )
    assert sink.counts.notes[merged] == 1


def test_center_aliases_name_the_agent(tmp_path: Path) -> None:
    sink = _import(LOG, tmp_path, agent_aliases={"1127": "ann"})
    assert {v["agent_id"] for v in sink.visit_dicts()} == {"ann"}
    assert {i["agent_id"] for i in sink.interval_dicts()} == {"ann"}
