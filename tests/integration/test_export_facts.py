"""``carecenter export facts``: contact facts, agent-state intervals, survey answers and
promises as Parquet, one file per table and center day (Hive-style ``day=YYYY-MM-DD``), read
back equal to the warehouse, incremental (only changed days rewritten) and idempotent, an
export of schema 1 upgraded in place, and refusing to mix schemas."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from carecenter.adapters.parquet_export import MANIFEST, SCHEMA_VERSION, schema_columns
from carecenter.adapters.warehouse import KEYS
from carecenter.adapters.warehouse_schema import arrow_table
from carecenter.domain.promise_facts import PromiseRow
from carecenter.interfaces.cli.app import app

PARIS = ZoneInfo("Europe/Paris")
CENTER = """\
center: {name: Export test, timezone: Europe/Paris}
skills: {billing: {}}
queues:
  billing: {skills: {billing: 1}}
agents:
  a1: {name: Ann, skills: {billing: 3}}
"""
TABLES = ("contact_facts", "agent_state_intervals", "survey_answers", "promises")
SURVEY_MAPPING = """\
survey: post-call
respondent: id
answered_at: when
time_format: "%Y-%m-%d %H:%M"
time_zone: UTC
questions:
  q_csat: {question: csat, scale: [1, 5]}
  q_ces: {question: ces, scale: [1, 7]}
"""


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def at(day: int, hour: int, minute: int = 0) -> int:
    """Epoch seconds of December ``day``, 2026, ``hour:minute`` UTC (Paris is UTC+1)."""
    return int(datetime(2026, 12, day, hour, minute, tzinfo=UTC).timestamp())


def call(n: int, start: int, wait: int = 20, talk: int = 100) -> list[str]:
    callid = f"{start}.{n}"
    return [
        f"{start}|{callid}|billing|NONE|ENTERQUEUE||0600000{n}|1",
        f"{start + wait}|{callid}|billing|Agent/a1|CONNECT|{wait}|x|2",
        f"{start + wait + talk}|{callid}|billing|Agent/a1|COMPLETECALLER|{wait}|{talk}|1",
    ]


def shift(day: int, calls: list[tuple[int, int]]) -> list[str]:
    """Agent a1 logged in 08:00-22:00 UTC of ``day`` answering ``calls`` (n, start)."""
    lines = [f"{at(day, 8)}|NONE|NONE|Agent/a1|AGENTLOGIN|SIP/a1"]
    for n, start in calls:
        lines += call(n, start)
    lines.append(f"{at(day, 22)}|NONE|NONE|Agent/a1|AGENTLOGOFF|SIP/a1|1")
    return lines


def import_log(ws: Path, name: str, lines: list[str]) -> None:
    log = ws.parent / name
    log.write_text("\n".join(sorted(lines, key=lambda s: int(s.split("|")[0]))) + "\n")
    code, _, err = cli("import", "asterisk-queue-log", str(log), "-w", str(ws))
    assert code == 0, err


def add_answers_and_promises(ws: Path) -> None:
    """Survey answers (imported) and promises (written into the warehouse) at 10:30 UTC on
    the 14th and at 23:30 UTC on the 14th (00:30 on the 15th in Paris); two promises without
    ``made_at`` (its ``promise.made`` not in the log)."""
    (ws.parent / "map.yaml").write_text(SURVEY_MAPPING)
    survey = ws.parent / "survey.csv"
    survey.write_text("id,when,q_csat,q_ces\nr1,2026-12-14 10:30,5,2\nr2,2026-12-14 23:30,2,\n")
    code, _, err = cli(
        "import", "survey", str(survey), "--mapping", str(ws.parent / "map.yaml"), "-w", str(ws)
    )
    assert code == 0, err
    first, late = (datetime.fromtimestamp(at(14, h, m), UTC) for h, m in ((10, 30), (23, 30)))
    promises = [
        PromiseRow("p1", kind="callback", queue_id="billing", made_at=first, due_at=first),
        PromiseRow("p2", kind="reply", made_at=late, due_at=late, status="kept"),
        PromiseRow("p3", status="cancelled"),
        PromiseRow("p4", kind="reply", due_at=late, status="broken", closed_at=late),
    ]
    with duckdb.connect(str(ws / "warehouse.duckdb")) as conn:
        conn.register("new_promises", arrow_table(PromiseRow, promises))
        conn.execute("INSERT INTO promises SELECT * FROM new_promises")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """Calls on 14, 15 and 16 December: on the 14th at 10:00 UTC and at 23:30 UTC, which is
    00:30 on the 15th in Paris; on the 15th at 09:00 and on the 16th at 12:00."""
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "center.yaml").write_text(CENTER)
    code, _, err = cli("config", "apply", "-w", str(ws))
    assert code == 0, err
    lines = shift(14, [(1, at(14, 10))]) + call(2, at(14, 23, 30))
    lines += shift(15, [(3, at(15, 9))]) + shift(16, [(4, at(16, 12))])
    import_log(ws, "first.log", lines)
    return ws


def export(ws: Path, *args: str) -> list[dict[str, Any]]:
    code, out, err = cli("export", "facts", "-w", str(ws), "-f", "json", *args)
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def warehouse_rows(ws: Path, table: str) -> list[tuple[Any, ...]]:
    names = ", ".join(c["name"] for c in schema_columns(table))
    order = ", ".join(KEYS[table])
    with duckdb.connect(str(ws / "warehouse.duckdb"), read_only=True) as conn:
        conn.execute("SET TimeZone='UTC'")
        return conn.execute(f"SELECT {names} FROM {table} ORDER BY {order}").fetchall()


def parquet_rows(out: Path, table: str) -> list[tuple[Any, ...]]:
    """The exported rows with their day (from the path) first, in day then file order."""
    names = ", ".join(c["name"] for c in schema_columns(table))
    with duckdb.connect() as conn:
        conn.execute("SET TimeZone='UTC'")
        return conn.execute(
            f"SELECT CAST(day AS VARCHAR), {names} FROM read_parquet("
            f"'{out}/{table}/*/*.parquet', hive_partitioning = true, file_row_number = true) "
            "ORDER BY day, file_row_number"
        ).fetchall()


def mtimes(out: Path) -> dict[str, int]:
    """The modification times of the files under ``out``."""
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()
    }


def test_the_files_hold_the_warehouse_rows_by_center_day(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    done = export(ws, "--to", str(out))
    facts = [(r["day"], r["rows"], r["action"]) for r in done if r["table"] == "contact_facts"]
    # the 23:30 UTC call of the 14th entered its queue at 00:30 on the 15th in Paris
    assert facts == [
        ("2026-12-14", 1, "written"),
        ("2026-12-15", 2, "written"),
        ("2026-12-16", 1, "written"),
    ]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.parquet"))[:3] == [
        "agent_state_intervals/day=2026-12-14/part-0.parquet",
        "agent_state_intervals/day=2026-12-15/part-0.parquet",
        "agent_state_intervals/day=2026-12-16/part-0.parquet",
    ]
    for table in ("contact_facts", "agent_state_intervals"):
        stored = warehouse_rows(ws, table)
        exported = parquet_rows(out, table)
        assert len(stored) == len(exported) > 0
        assert sorted(r[1:] for r in exported) == sorted(stored)  # the same rows, value by value
        per_day = {r["day"]: r["rows"] for r in done if r["table"] == table}
        assert sum(per_day.values()) == len(stored)
    by_contact = {r[1]: r[0] for r in parquet_rows(out, "contact_facts")}
    assert sorted(by_contact.values()) == ["2026-12-14", "2026-12-15", "2026-12-15", "2026-12-16"]
    # each interval's day is the Paris day of its start; each file is in key order
    names = [c["name"] for c in schema_columns("agent_state_intervals")]
    exported = parquet_rows(out, "agent_state_intervals")
    for row in exported:
        assert row[1 + names.index("start_at")].astimezone(PARIS).date().isoformat() == row[0]
    keys = [
        (r[0], r[1 + names.index("agent_id")], r[1 + names.index("start_seq")]) for r in exported
    ]
    assert keys == sorted(keys)


def test_a_second_export_rewrites_nothing(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    first = export(ws, "--to", str(out))
    before = mtimes(out)
    again = export(ws, "--to", str(out))
    assert {r["action"] for r in again} == {"unchanged"}
    assert [(r["table"], r["day"], r["rows"]) for r in again] == [
        (r["table"], r["day"], r["rows"]) for r in first
    ]
    assert mtimes(out) == before  # not one file touched, the manifest neither


def test_only_the_changed_day_is_rewritten(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    export(ws, "--to", str(out))
    before = mtimes(out)
    # a call abandoned on the 16th (a day already exported), and a shift on the 17th
    late = at(16, 20)
    abandoned = [
        f"{late}|{late}.6|billing|NONE|ENTERQUEUE||06000006|1",
        f"{late + 45}|{late}.6|billing|NONE|ABANDON|1|1|45",
    ]
    import_log(ws, "more.log", abandoned + shift(17, [(5, at(17, 9))]))
    changed = export(ws, "--to", str(out))
    written = [(r["table"], r["day"], r["rows"]) for r in changed if r["action"] == "written"]
    assert written == [
        ("contact_facts", "2026-12-16", 2),
        ("contact_facts", "2026-12-17", 1),
        ("agent_state_intervals", "2026-12-17", written[-1][2]),
    ]
    after = mtimes(out)
    files = [k for k in before if k.endswith(".parquet")]
    rewritten = sorted(k for k in files if after[k] != before[k])
    assert rewritten == ["contact_facts/day=2026-12-16/part-0.parquet"]
    assert len(files) == 6 and after[MANIFEST] != before[MANIFEST]
    assert len(parquet_rows(out, "contact_facts")) == 6
    assert sorted(r[1:] for r in parquet_rows(out, "contact_facts")) == sorted(
        warehouse_rows(ws, "contact_facts")
    )


def test_the_period_limits_what_is_written_and_removed(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    # the spelling: --to DIR and --to DAY, either order
    done = export(ws, "--to", "2026-12-15", "--from", "2026-12-15", "--to", str(out))
    assert {(r["table"], r["day"]) for r in done} == {
        ("contact_facts", "2026-12-15"),
        ("agent_state_intervals", "2026-12-15"),
    }
    assert [p.name for p in sorted((out / "contact_facts").iterdir())] == ["day=2026-12-15"]
    export(ws, "--to", str(out))  # the 14th and the 16th join, the 15th is unchanged
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["tables"]["contact_facts"]["days"]) == [
        "2026-12-14",
        "2026-12-15",
        "2026-12-16",
    ]
    # a day of the period that has no rows any more is removed; days outside are kept
    del manifest["tables"]["contact_facts"]["days"]["2026-12-16"]
    manifest["tables"]["contact_facts"]["days"]["2026-12-13"] = {"rows": 1, "fingerprint": "0"}
    manifest["tables"]["contact_facts"]["days"]["2026-12-10"] = {"rows": 1, "fingerprint": "0"}
    (out / "contact_facts" / "day=2026-12-13").mkdir()
    (out / "contact_facts" / "day=2026-12-13" / "part-0.parquet").write_bytes(b"stale")
    (out / MANIFEST).write_text(json.dumps(manifest))
    done = export(ws, "--from", "2026-12-12", "--to", str(out))
    facts = {r["day"]: (r["rows"], r["action"]) for r in done if r["table"] == "contact_facts"}
    assert facts == {
        "2026-12-13": (0, "removed"),
        "2026-12-14": (1, "unchanged"),
        "2026-12-15": (2, "unchanged"),
        "2026-12-16": (1, "written"),  # its file was there, the manifest did not know it
    }
    assert not (out / "contact_facts" / "day=2026-12-13").exists()
    kept = json.loads((out / MANIFEST).read_text())["tables"]["contact_facts"]["days"]
    assert "2026-12-10" in kept and "2026-12-13" not in kept


def test_the_schema_is_versioned_and_another_version_is_refused(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    export(ws, "--to", str(out))
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["schema"] == SCHEMA_VERSION == 2
    assert manifest["timezone"] == "Europe/Paris"
    assert sorted(manifest["tables"]) == sorted(TABLES)
    assert {t: manifest["tables"][t]["partition"] for t in TABLES} == {
        "contact_facts": "day of enqueued_at (Europe/Paris)",
        "agent_state_intervals": "day of start_at (Europe/Paris)",
        "survey_answers": "day of answered_at (Europe/Paris)",
        "promises": "day of coalesce(made_at, closed_at) (Europe/Paris)",
    }
    # schema 2: adding, removing or retyping a column needs a new SCHEMA_VERSION
    assert manifest["tables"]["agent_state_intervals"]["columns"] == [
        {"name": "agent_id", "type": "VARCHAR"},
        {"name": "start_seq", "type": "BIGINT"},
        {"name": "state", "type": "VARCHAR"},
        {"name": "start_at", "type": "TIMESTAMPTZ"},
        {"name": "reason", "type": "VARCHAR"},
        {"name": "end_at", "type": "TIMESTAMPTZ"},
        {"name": "duration_s", "type": "DOUBLE"},
    ]
    answers = manifest["tables"]["survey_answers"]["columns"]
    assert " ".join(f"{c['name']}:{c['type']}" for c in answers) == (
        "survey_id:VARCHAR question:VARCHAR score:BIGINT scale_max:BIGINT "
        "answered_at:TIMESTAMPTZ contact_id:VARCHAR customer_id:VARCHAR last_seq:BIGINT "
        "comment:VARCHAR"
    )
    promises = manifest["tables"]["promises"]["columns"]
    assert " ".join(f"{c['name']}:{c['type']}" for c in promises) == (
        "promise_id:VARCHAR kind:VARCHAR customer_id:VARCHAR contact_id:VARCHAR "
        "queue_id:VARCHAR agent_id:VARCHAR kept_by_agent_id:VARCHAR kept_contact_id:VARCHAR "
        "made_at:TIMESTAMPTZ window_start:TIMESTAMPTZ due_at:TIMESTAMPTZ status:VARCHAR "
        "closed_at:TIMESTAMPTZ reason:VARCHAR description:VARCHAR last_seq:BIGINT"
    )
    facts = manifest["tables"]["contact_facts"]["columns"]
    assert " ".join(f"{c['name']}:{c['type']}" for c in facts) == (
        "contact_id:VARCHAR visit:BIGINT queue_id:VARCHAR channel:VARCHAR direction:VARCHAR "
        "customer_id:VARCHAR tier:VARCHAR topic:VARCHAR arrived_at:TIMESTAMPTZ "
        "enqueued_at:TIMESTAMPTZ agent_id:VARCHAR offered_at:TIMESTAMPTZ "
        "answered_at:TIMESTAMPTZ abandoned_at:TIMESTAMPTZ ended_at:TIMESTAMPTZ wait_s:DOUBLE "
        "talk_s:DOUBLE hold_s:DOUBLE acw_s:DOUBLE offers:BIGINT outcome:VARCHAR "
        "transferred_in:BOOLEAN transferred_out:BOOLEAN callback_requested:BOOLEAN "
        "resolved:BOOLEAN state:VARCHAR hold_started_at:TIMESTAMPTZ talk_ended_at:TIMESTAMPTZ "
        "last_seq:BIGINT conversation_s:DOUBLE relaxation_step:BIGINT ewt_s:DOUBLE "
        "ewt_predictor:VARCHAR transfer_kind:VARCHAR transfer_reason:VARCHAR"
    )
    # the Parquet files carry the same columns (no day: it is in the path), times as UTC
    schema = pq.read_schema(out / "contact_facts" / "day=2026-12-14" / "part-0.parquet")
    arrow = {"VARCHAR": "string", "BIGINT": "int64", "DOUBLE": "double", "BOOLEAN": "bool"}
    assert [(f.name, str(f.type)) for f in schema] == [
        (c["name"], arrow.get(c["type"], "timestamp[us, tz=UTC]")) for c in facts
    ]
    manifest["schema"] = 3
    (out / MANIFEST).write_text(json.dumps(manifest))
    code, out_text, err = cli("export", "facts", "-w", str(ws), "--to", str(out))
    assert code == 2 and out_text == ""
    assert err.strip().splitlines() == [
        f"error: --to: {out}: written with export schema 3; this version writes 2; "
        "export to a new directory"
    ]
    bare = tmp_path / "bare"
    (bare / "contact_facts").mkdir(parents=True)
    code, _, err = cli("export", "facts", "-w", str(ws), "--to", str(bare))
    assert code == 2 and f"holds contact_facts/ but no {MANIFEST}" in err


def test_survey_answers_and_promises_are_exported_by_their_day(ws: Path, tmp_path: Path) -> None:
    add_answers_and_promises(ws)
    out = tmp_path / "lake"
    done = export(ws, "--to", str(out))
    by_table = {
        t: [(r["day"], r["rows"], r["action"]) for r in done if r["table"] == t]
        for t in ("survey_answers", "promises")
    }
    # answered (made) at 23:30 UTC on the 14th: 00:30 on the 15th in Paris
    assert by_table == {
        "survey_answers": [("2026-12-14", 2, "written"), ("2026-12-15", 1, "written")],
        "promises": [("2026-12-14", 1, "written"), ("2026-12-15", 2, "written")],
    }
    answers = parquet_rows(out, "survey_answers")
    assert sorted(r[1:] for r in answers) == sorted(warehouse_rows(ws, "survey_answers"))
    assert [(r[0], r[1], r[2]) for r in answers] == [
        ("2026-12-14", "post-call:r1", "ces"),
        ("2026-12-14", "post-call:r1", "csat"),
        ("2026-12-15", "post-call:r2", "csat"),
    ]
    # a promise without made_at (its promise.made not in the log) belongs to the day it was
    # closed; one never closed either counts in no metric and has no day: not exported
    promises = parquet_rows(out, "promises")
    assert [(r[0], r[1]) for r in promises] == [
        ("2026-12-14", "p1"),
        ("2026-12-15", "p2"),
        ("2026-12-15", "p4"),
    ]
    assert sorted(r[1:] for r in promises) == [
        r for r in warehouse_rows(ws, "promises") if r[0] != "p3"
    ]
    assert {r["action"] for r in export(ws, "--to", str(out))} == {"unchanged"}


def test_an_export_of_schema_1_is_upgraded_in_place(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    export(ws, "--to", str(out))
    # what schema 1 wrote: the same two tables and columns, no survey answers nor promises
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["schema"] = 1
    for table in ("survey_answers", "promises"):
        del manifest["tables"][table]
    (out / MANIFEST).write_text(json.dumps(manifest))
    old = manifest["tables"]
    before = mtimes(out)
    add_answers_and_promises(ws)
    done = export(ws, "--to", str(out))
    # its days are kept and not rewritten (their rows are unchanged), the new tables added
    assert {(r["table"], r["action"]) for r in done} == {
        ("contact_facts", "unchanged"),
        ("agent_state_intervals", "unchanged"),
        ("survey_answers", "written"),
        ("promises", "written"),
    }
    after = mtimes(out)
    assert {k: after[k] for k in before if k != MANIFEST} == {
        k: v for k, v in before.items() if k != MANIFEST
    }
    upgraded = json.loads((out / MANIFEST).read_text())
    assert upgraded["schema"] == SCHEMA_VERSION == 2
    assert {t: upgraded["tables"][t]["days"] for t in old} == {t: old[t]["days"] for t in old}
    assert sorted(upgraded["tables"]["promises"]["days"]) == ["2026-12-14", "2026-12-15"]
    assert len(parquet_rows(out, "survey_answers")) == 3


def test_an_upgrade_with_nothing_new_still_rewrites_the_manifest(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    export(ws, "--to", str(out))
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["schema"] = 1
    for table in ("survey_answers", "promises"):
        del manifest["tables"][table]
    (out / MANIFEST).write_text(json.dumps(manifest))
    assert {r["action"] for r in export(ws, "--to", str(out))} == {"unchanged"}
    upgraded = json.loads((out / MANIFEST).read_text())
    assert upgraded["schema"] == 2 and sorted(upgraded["tables"]) == sorted(TABLES)


def test_a_warehouse_without_a_promises_table_exports_the_rest(ws: Path, tmp_path: Path) -> None:
    add_answers_and_promises(ws)
    with duckdb.connect(str(ws / "warehouse.duckdb")) as conn:
        conn.execute("DROP TABLE promises")  # a warehouse written before promises
    out = tmp_path / "lake"
    done = export(ws, "--to", str(out))
    assert {r["table"] for r in done} == {
        "contact_facts",
        "agent_state_intervals",
        "survey_answers",
    }
    assert not (out / "promises").exists()
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["tables"]["promises"]["days"] == {}
    assert len(parquet_rows(out, "survey_answers")) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "2026-12-15"], "--to: give the output directory exactly once (got 0)"),
        (["--to", "a", "--to", "b"], "--to: give the output directory exactly once (got 2)"),
        (["--to", "a", "--to", "2026-12-15", "--to", "2026-12-16"], "at most one last day"),
        (["--to", "a", "--to", "2026-13-01"], "--to: '2026-13-01' is not a day YYYY-MM-DD"),
        (["--to", "a", "--from", "15/12/2026"], "--from: '15/12/2026' is not a day"),
        (["--to", "a", "--from", "2026-12-16", "--to", "2026-12-15"], "is after the last day"),
    ],
)
def test_bad_options_are_one_line_errors(
    ws: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    code, out, err = cli("export", "facts", "-w", str(ws), *args)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err
