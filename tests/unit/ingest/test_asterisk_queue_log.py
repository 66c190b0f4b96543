"""The Asterisk queue_log importer on a hand-written log whose facts were worked out by hand.

The fixture (tests/fixtures/import/asterisk/queue_log, T = 2025-12-01 09:00:00 UTC):

* c1: answered by Alice after 12 s, 100 s talk; c2: rings Bob without answer (15 s ring), then
  Bob answers after 35 s, 60 s talk;
* c3, c4, c5: abandon after 4 s (a short abandon), 5 s (at the 5 s threshold) and 6 s;
* c6: answered at exactly 20 s by Alice, blind-transferred to sales, answered there at 21 s;
* c7: times out of support after 30 s, enters sales, answered at 10 s, attended transfer;
* c8 leaves with a key after 12 s; c9 exits an empty queue after 1 s; c12 is still waiting;
* Alice pauses for lunch 500-800 s; Bob pauses all queues 600-700 s;
* three malformed lines and one unknown event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from carecenter.adapters.files import open_text
from carecenter.domain.enums import AgentStatus
from carecenter.domain.events import AgentStateChanged
from carecenter.errors import InputError
from carecenter.ingest.asterisk import AsteriskQueueLog
from carecenter.ingest.common import MemorySink
from carecenter.ingest.folding import EventFolder
from carecenter.ingest.queue_agents import CALL_END, CALL_START, AgentFold

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import" / "asterisk"
T = 1764579600

# contact, visit, queue, outcome, wait, conversation, offers, agent, in, out, enqueued, offered
EXPECTED_VISITS = [
    ("c1", 1, "support", "answered", 12, 100, 1, "Alice", False, False, 10, 20),
    ("c12", 1, "sales", "open", None, None, 0, None, False, False, 1300, None),
    ("c2", 1, "support", "answered", 35, 60, 2, "Bob", False, False, 30, 32),
    ("c3", 1, "sales", "abandoned", 4, None, 0, None, False, False, 140, None),
    ("c4", 1, "sales", "abandoned", 5, None, 0, None, False, False, 150, None),
    ("c5", 1, "sales", "abandoned", 6, None, 0, None, False, False, 160, None),
    ("c6", 1, "support", "answered", 20, 100, 1, "Alice", False, True, 200, 219),
    ("c6", 2, "sales", "answered", 21, 60, 1, "Bob", True, False, 321, 341),
    ("c7", 1, "support", "flowed_out", 30, None, 0, None, False, True, 410, None),
    ("c7", 2, "sales", "answered", 10, 80, 1, "Bob", True, True, 440, 449),
    ("c8", 1, "support", "exited", 12, None, 0, None, False, False, 700, None),
    ("c9", 1, "support", "flowed_out", 1, None, 0, None, False, True, 1100, None),
]
# agent, state, reason, start, end
EXPECTED_INTERVALS = [
    ("Alice", "available", None, 0, 22),
    ("Alice", "busy", None, 22, 122),
    ("Alice", "available", None, 122, 220),
    ("Alice", "busy", None, 220, 320),
    ("Alice", "available", None, 320, 500),
    ("Alice", "break", "lunch", 500, 800),
    ("Alice", "available", None, 800, 1000),
    ("Bob", "available", None, 0, 65),
    ("Bob", "busy", None, 65, 125),
    ("Bob", "available", None, 125, 342),
    ("Bob", "busy", None, 342, 402),
    ("Bob", "available", None, 402, 450),
    ("Bob", "busy", None, 450, 530),
    ("Bob", "available", None, 530, 600),
    ("Bob", "break", "meeting", 600, 700),
    ("Bob", "available", None, 700, 1000),
]


def _since(value: Any) -> float | None:
    return None if value is None else value.timestamp() - T


def run(path: Path, **options: Any) -> MemorySink:
    sink = MemorySink()
    importer = AsteriskQueueLog(**options)
    with open_text(path) as text:
        importer.read(text, sink)
    importer.finish(sink)
    return sink


def visit_table(sink: MemorySink) -> list[tuple[Any, ...]]:
    return [
        (
            v["contact_id"].removeprefix("asterisk:"),
            v["visit"],
            v["queue_id"],
            v["outcome"],
            v["wait_s"],
            v["conversation_s"],
            v["offers"],
            v["agent_id"],
            v["transferred_in"],
            v["transferred_out"],
            _since(v["enqueued_at"]),
            _since(v["offered_at"]),
        )
        for v in sink.visit_dicts()
    ]


def interval_table(sink: MemorySink) -> list[tuple[Any, ...]]:
    return [
        (i["agent_id"], i["state"], i["reason"], _since(i["start_at"]), _since(i["end_at"]))
        for i in sink.interval_dicts()
    ]


def test_pipe_file_gives_the_hand_worked_visits() -> None:
    sink = run(FIXTURES / "queue_log")
    assert visit_table(sink) == EXPECTED_VISITS


def test_a_callback_key_makes_an_exit_a_callback_request() -> None:
    """c8 pressed 1 (EXITWITHKEY|1|...): an exit by default, a callback when 1 is the key."""
    plain = {v["contact_id"]: v for v in run(FIXTURES / "queue_log").visit_dicts()}
    sink = run(FIXTURES / "queue_log", callback_keys=("1",))
    visits = {v["contact_id"]: v for v in sink.visit_dicts()}
    c8 = visits["asterisk:c8"]
    assert (plain["asterisk:c8"]["outcome"], c8["outcome"]) == ("exited", "callback")
    assert (c8["callback_requested"], c8["state"], c8["wait_s"]) == (
        True,
        "callback_requested",
        12.0,
    )
    assert {c["contact_id"]: c["state"] for c in sink.contact_dicts()}["asterisk:c8"] == (
        "callback_requested"
    )
    others = {k: v for k, v in visits.items() if k != "asterisk:c8"}
    assert others == {k: v for k, v in plain.items() if k != "asterisk:c8"}


def test_what_asterisk_does_not_log_is_unknown() -> None:
    """calltime includes hold, and there is no after-call work: talk, hold and ACW are None."""
    visits = run(FIXTURES / "queue_log").visit_dicts()
    assert {(v["talk_s"], v["hold_s"], v["acw_s"]) for v in visits} == {(None, None, None)}


def test_hand_worked_benchmarks() -> None:
    visits = run(FIXTURES / "queue_log").visit_dicts()
    answered = [v for v in visits if v["outcome"] == "answered"]
    abandoned = [v for v in visits if v["outcome"] == "abandoned"]
    assert len(answered) == 5
    assert len(abandoned) == 3
    assert sum(v["wait_s"] for v in answered) / len(answered) == pytest.approx(19.6)
    assert sum(v["conversation_s"] for v in answered) / len(answered) == pytest.approx(80.0)
    assert sum(1 for v in answered if v["wait_s"] <= 20) == 3  # 21 s is outside 20 s
    assert sum(1 for v in abandoned if v["wait_s"] < 5) == 1  # only the 4 s abandon is short


def test_agent_sessions_calls_and_pauses_become_intervals() -> None:
    sink = run(FIXTURES / "queue_log")
    assert interval_table(sink) == EXPECTED_INTERVALS
    durations = [i["duration_s"] for i in sink.interval_dicts()]
    assert durations[:2] == [22.0, 100.0]


def test_contacts_count_their_visits_and_keep_the_caller() -> None:
    contacts = {c["contact_id"]: c for c in run(FIXTURES / "queue_log").contact_dicts()}
    assert len(contacts) == 10
    assert contacts["asterisk:c6"]["visits"] == 2
    assert contacts["asterisk:c6"]["state"] == "ended"
    assert contacts["asterisk:c7"]["state"] == "transferred"
    assert contacts["asterisk:c12"]["state"] == "queued"
    assert contacts["asterisk:c5"]["customer_id"] == contacts["asterisk:c1"]["customer_id"]


def test_malformed_lines_are_quarantined_and_unknown_events_kept() -> None:
    sink = run(FIXTURES / "queue_log")
    assert [(q[1], q[2]) for q in sink.quarantined] == [
        (36, "fewer than 5 fields"),
        (37, "time: not a number: 'abc'"),
        (40, "CONNECT holdtime: not a number: 'soon'"),
    ]
    assert [(u[1], u[2]) for u in sink.unknowns] == [(43, "FANCYEVENT")]
    assert sink.counts.records == 44
    assert sink.counts.ignored == 1  # QUEUESTART


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("queue_log_table.csv", {"time_zone": "Europe/Paris"}),
        (
            "queue_log_freepbx.csv",
            {"mapping": {"time": "logged", "agent": "operator"}, "time_zone": "UTC"},
        ),
        ("queue_log_combined.tsv", {}),
    ],
)
def test_table_exports_give_the_same_facts(name: str, options: dict[str, Any]) -> None:
    sink = run(FIXTURES / name, **options)
    assert visit_table(sink) == EXPECTED_VISITS
    assert interval_table(sink) == EXPECTED_INTERVALS
    assert len(sink.quarantined) == 3
    assert sink.counts.unknown == 1


def test_a_call_spanning_two_files_is_joined(tmp_path: Path) -> None:
    lines = (FIXTURES / "queue_log").read_text().splitlines(keepends=True)
    first, second = tmp_path / "queue_log.1", tmp_path / "queue_log"
    first.write_text("".join(lines[:9]))  # c2 has entered and rung, not yet answered
    second.write_text("".join(lines[9:]))
    sink, importer = MemorySink(), AsteriskQueueLog()
    for path in (first, second):
        with open_text(path) as text:
            importer.read(text, sink)
    importer.finish(sink)
    assert visit_table(sink) == EXPECTED_VISITS


def test_a_call_met_without_its_enterqueue_is_rebuilt(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(f"{T + 100}|x1|support|Alice|COMPLETECALLER|15|60|1\n")
    visits = run(log).visit_dicts()
    assert len(visits) == 1
    v = visits[0]
    assert (v["outcome"], v["wait_s"], v["conversation_s"], v["agent_id"]) == (
        "answered",
        15,
        60,
        "Alice",
    )
    assert (_since(v["enqueued_at"]), _since(v["answered_at"])) == (25, 40)


def test_a_missing_column_names_the_map_option(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("stamp,callid,queuename,agent,event\n1,c,q,a,ENTERQUEUE\n")
    with pytest.raises(InputError, match=r"no column for time.*--map"):
        run(export)


def test_a_bad_map_option_is_one_line() -> None:
    with pytest.raises(InputError, match="unknown field 'colour'"):
        AsteriskQueueLog(mapping={"colour": "x"})


def test_blank_lines_keep_line_numbers_right(tmp_path: Path) -> None:
    lines = (FIXTURES / "queue_log").read_text().splitlines(keepends=True)
    log = tmp_path / "queue_log"
    log.write_text("".join(lines[:10]) + "\n\r\n" + "".join(lines[10:]))  # read in chunks
    sink = run(log)
    assert visit_table(sink) == EXPECTED_VISITS
    assert [q[1] for q in sink.quarantined] == [38, 39, 42]
    assert sink.counts.records == 44


@pytest.mark.parametrize(
    ("newline", "extra"), [("\r\n", b""), ("\n", b"1764581000|c99|support|NONE|INFO|caf\xff\n")]
)
def test_crlf_and_bad_bytes(tmp_path: Path, newline: str, extra: bytes) -> None:
    text = (FIXTURES / "queue_log").read_text().replace("\n", newline)
    log = tmp_path / "queue_log"
    log.write_bytes(text.encode() + extra)
    sink = run(log)
    assert visit_table(sink) == EXPECTED_VISITS
    assert [q[1] for q in sink.quarantined] == [36, 37, 40]
    assert sink.counts.records == 44 + bool(extra)


def test_the_sql_fold_has_the_warehouse_columns_in_order() -> None:
    from carecenter.adapters.warehouse import TABLES, columns
    from carecenter.ingest import queue_log as sql

    sink, importer = MemorySink(), AsteriskQueueLog()
    with open_text(FIXTURES / "queue_log") as text:
        importer.read(text, sink)
    db = sink.staging()
    for statement in sql.FOLD:
        params = {"prefix": "asterisk:", "callback_keys": []}
        db.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement} or None)
    for table, staged in (("contact_facts", sql.VISITS), ("contacts", sql.CONTACTS)):
        described = [row[0] for row in db.execute(f"DESCRIBE {staged}").fetchall()]
        assert described == [name for name, _ in columns(TABLES[table])]
    importer.close()


def fold_agents(events: list[tuple[float, str, str, str, str | None]]) -> MemorySink:
    """Agent events (seconds after T) through AgentFold and the one fold."""
    sink = MemorySink()
    out = EventFolder(sink)
    AgentFold(out).run(
        [(T + t, agent, queue, event, data) for t, agent, queue, event, data in events]
    )
    out.finish()
    return sink


def test_agent_states_are_events_with_the_state_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """The intervals come from agent.state_changed events; each names the state before it."""
    seen: list[AgentStateChanged] = []
    fold_event = EventFolder.event

    def keep(self: EventFolder, event: Any) -> None:
        seen.append(event)
        fold_event(self, event)

    monkeypatch.setattr(EventFolder, "event", keep)
    run(FIXTURES / "queue_log")
    assert all(isinstance(e, AgentStateChanged) for e in seen)
    now: dict[str, AgentStatus] = {}
    for e in seen:
        assert e.previous == now.get(e.agent_id, AgentStatus.LOGGED_OUT)
        assert e.state != e.previous or e.reason is not None
        now[e.agent_id] = e.state
    assert now == {"Alice": AgentStatus.LOGGED_OUT, "Bob": AgentStatus.LOGGED_OUT}
    assert [(e.state, e.reason) for e in seen if e.agent_id == "Alice"][5:] == [
        (AgentStatus.BREAK, "lunch"),
        (AgentStatus.AVAILABLE, None),
        (AgentStatus.LOGGED_OUT, None),
    ]


def test_the_interval_an_agent_is_in_when_the_log_ends_stays_open(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(
        f"{T}|NONE|support|Carol|ADDMEMBER|\n"
        f"{T + 10}|k1|support|NONE|ENTERQUEUE||5551001|1\n"
        f"{T + 20}|k1|support|Carol|CONNECT|10|k1-b|1\n"
    )
    sink = run(log)
    assert interval_table(sink) == [
        ("Carol", "available", None, 0, 20),
        ("Carol", "busy", None, 20, None),
    ]
    assert sink.interval_dicts()[-1]["duration_s"] is None


def test_changes_at_one_instant_leave_no_interval_of_no_length() -> None:
    """Log-in and pause in the same second: one break; a pause and log-off in one second, and
    a return to the same state in one second, write nothing of no length; a call that ends as
    the next one connects leaves one busy interval."""
    sink = fold_agents(
        [
            (0, "Dan", "q", "AGENTLOGIN", None),
            (0, "Dan", "q", "PAUSE", "training"),
            (60, "Dan", "q", "UNPAUSE", None),
            (100, "Dan", "", CALL_START, None),
            (100, "Dan", "", CALL_END, None),
            (120, "Dan", "", CALL_START, None),
            (150, "Dan", "", CALL_END, None),
            (150, "Dan", "", CALL_START, None),
            (170, "Dan", "", CALL_END, None),
            (200, "Dan", "q", "PAUSE", "lunch"),
            (200, "Dan", "q", "AGENTLOGOFF", None),
        ]
    )
    assert interval_table(sink) == [
        ("Dan", "break", "training", 0, 60),
        ("Dan", "available", None, 60, 120),
        ("Dan", "busy", None, 120, 170),
        ("Dan", "available", None, 170, 200),
    ]


def test_an_event_logged_before_the_last_change_counts_at_that_change() -> None:
    """The log is in line order: a pause stamped a second before the log-in counts at it."""
    sink = fold_agents(
        [
            (10, "Eve", "q", "AGENTLOGIN", None),
            (9, "Eve", "q", "PAUSE", "coffee"),
            (40, "Eve", "q", "AGENTLOGOFF", None),
        ]
    )
    assert interval_table(sink) == [("Eve", "break", "coffee", 10, 40)]


# The PBXware fixture (tests/fixtures/import/asterisk/queue_log_pbxware.csv): the same kind of
# calls in a PBXware table export, whose ``time`` column is the PBX's local time (Europe/Berlin,
# UTC+1 in December) and ``date_time`` the epoch; the agent is in ``type``, hold and talk
# seconds in ``htime`` and ``ttime``, the caller in ``param1``.
PBXWARE_VISITS = [
    ("1764579610.101", 1, "600", "answered", 12, 100, 1, "1127", False, False, 10, 22),
    ("1764579630.103", 1, "600", "answered", 35, 60, 2, "1128", False, False, 30, 30),
    ("1764579740.105", 1, "600", "abandoned", 6, None, 0, None, False, False, 140, None),
    ("1764579800.106", 1, "600", "answered", 20, 100, 1, "1127", False, True, 200, 220),
    ("1764579800.106", 2, "601", "answered", 21, 60, 1, "1128", True, True, 321, 342),
]


def test_a_pbxware_export_is_read_by_its_header_from_its_epoch_column() -> None:
    sink = run(FIXTURES / "queue_log_pbxware.csv")
    assert sink.quarantined == []
    assert visit_table(sink) == PBXWARE_VISITS
    customers = {c["contact_id"]: c["customer_id"] for c in sink.contact_dicts()}
    assert customers["asterisk:1764579610.101"] == "asterisk:38591555101"
    notes = sink.counts.notes
    assert notes["time from column 'date_time' (epoch seconds)"] == 1
    assert notes["PBXware layout (agent: type, hold: htime, talk: ttime)"] == 1
    assert ("1127", "break", "lunch", 500, 800) in interval_table(sink)


def test_local_times_are_read_in_the_workspace_zone_and_the_summary_says_so(
    tmp_path: Path,
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "time,callid,queuename,agent,event,data1,data2,data3\n"
        "2025-12-01 10:00:10,x1,support,NONE,ENTERQUEUE,,5551001,1\n"
        "2025-12-01 10:00:22,x1,support,Alice,CONNECT,12,x1-b,2\n"
        "2025-12-01 10:02:02,x1,support,Alice,COMPLETECALLER,12,100,1\n"
    )
    sink = run(export, center_time_zone="Europe/Berlin")
    (v,) = sink.visit_dicts()
    assert _since(v["enqueued_at"]) == 10
    assert sink.counts.notes == {
        "time from column 'time' (date-times; without a UTC offset read in Europe/Berlin, "
        "the workspace's time zone)": 1
    }
    sink = run(export, time_zone="UTC", center_time_zone="Europe/Berlin")
    assert _since(sink.visit_dicts()[0]["enqueued_at"]) == 3610
    assert "from --tz" in next(iter(sink.counts.notes))
