"""``carecenter import FORMAT FILE... --to-parquet DIR``: an import's facts written straight
into an export directory through a scratch workspace — the same rows as an import into a
workspace and ``export facts``, the rows DIR held for the import's days kept, a re-import
changing nothing, quarantined records appended to ``DIR/_import_quarantine.csv``, and the
workspace named by ``-w`` lending its center file only."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from carecenter.adapters.parquet_export import DAY_OF, MANIFEST, schema_columns
from carecenter.adapters.parquet_merge import QUARANTINE_COLUMNS
from carecenter.interfaces.cli.app import app
from carecenter.services.parquet_import import QUARANTINE_FILE

CENTER = """\
center: {name: Lake test, timezone: Europe/Paris}
skills: {billing: {}}
queues:
  billing: {skills: {billing: 1}}
agents:
  a1: {name: Ann, skills: {billing: 3}}
  a2: {name: Bob, skills: {billing: 3}}
"""


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def at(day: int, hour: int, minute: int = 0) -> int:
    """Epoch seconds of December ``day``, 2026, ``hour:minute`` UTC (Paris is UTC+1)."""
    return int(datetime(2026, 12, day, hour, minute, tzinfo=UTC).timestamp())


def call(agent: str, n: int, start: int) -> list[str]:
    callid = f"{start}.{n}"
    return [
        f"{start}|{callid}|billing|NONE|ENTERQUEUE||0600000{n}|1",
        f"{start + 20}|{callid}|billing|Agent/{agent}|CONNECT|20|x|2",
        f"{start + 120}|{callid}|billing|Agent/{agent}|COMPLETECALLER|20|100|1",
    ]


def shift(agent: str, day: int, calls: list[tuple[int, int]]) -> list[str]:
    """``agent`` logged in 08:00-22:00 UTC of ``day`` answering ``calls`` (n, start)."""
    lines = [f"{at(day, 8)}|NONE|NONE|Agent/{agent}|AGENTLOGIN|SIP/{agent}"]
    for n, start in calls:
        lines += call(agent, n, start)
    lines.append(f"{at(day, 22)}|NONE|NONE|Agent/{agent}|AGENTLOGOFF|SIP/{agent}|1")
    return lines


def write_log(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(sorted(lines, key=lambda s: int(s.split("|")[0]))) + "\n")
    return path


@pytest.fixture
def logs(tmp_path: Path) -> tuple[Path, Path]:
    """Two queue_logs: Ann's calls on the 14th and the 15th, and a call abandoned at 23:30 UTC
    on the 14th (00:30 on the 15th in Paris); Bob's calls on the 15th and the 16th. Both cover
    the Paris day of the 15th."""
    first = shift("a1", 14, [(1, at(14, 10))]) + call("a1", 2, at(14, 21, 30))
    first += [f"{at(14, 23, 30)}|late.9|billing|NONE|ENTERQUEUE||06000009|1"]
    first += [f"{at(14, 23, 31)}|late.9|billing|NONE|ABANDON|1|1|60"]
    first += shift("a1", 15, [(3, at(15, 9))])
    second = shift("a2", 15, [(4, at(15, 11))]) + shift("a2", 16, [(5, at(16, 12))])
    return write_log(tmp_path / "a.log", first), write_log(tmp_path / "b.log", second)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace whose center is in Paris, with no facts."""
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "center.yaml").write_text(CENTER)
    code, _, err = cli("config", "apply", "-w", str(ws))
    assert code == 0, err
    return ws


def to_parquet(ws: Path, lake: Path, *files: Path, code: int = 0) -> tuple[list[Any], str]:
    """``import asterisk-queue-log FILES --to-parquet LAKE -w WS -f json``: its rows and
    stderr."""
    args = ["import", "asterisk-queue-log", *map(str, files), "--to-parquet", str(lake)]
    got, out, err = cli(*args, "-w", str(ws), "-f", "json")
    assert got == code, err
    return json.loads(out), err


def lake_rows(lake: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Per exported table, its rows with their day, sorted."""
    rows = {}
    with duckdb.connect() as conn:
        conn.execute("SET TimeZone='UTC'")
        for table in DAY_OF:
            if not list(lake.glob(f"{table}/*/*.parquet")):
                rows[table] = []
                continue
            names = ", ".join(c["name"] for c in schema_columns(table))
            rows[table] = sorted(
                conn.execute(
                    f"SELECT CAST(day AS VARCHAR), {names} FROM read_parquet("
                    f"'{lake}/{table}/*/*.parquet', hive_partitioning = true)"
                ).fetchall(),
                key=repr,
            )
    return rows


def days(lake: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((lake / MANIFEST).read_text())
    return {t: manifest["tables"][t]["days"] for t in DAY_OF}


def mtimes(lake: Path) -> dict[str, int]:
    return {
        p.relative_to(lake).as_posix(): p.stat().st_mtime_ns for p in lake.rglob("*") if p.is_file()
    }


def facts_in(ws: Path) -> int:
    with duckdb.connect(str(ws / "warehouse.duckdb"), read_only=True) as conn:
        found = conn.execute("SELECT count(*) FROM contact_facts").fetchall()
    return int(found[0][0])


def test_the_rows_are_those_of_an_import_and_an_export(
    ws: Path, logs: tuple[Path, Path], tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    rows, err = to_parquet(ws, lake, logs[0])
    assert [(r["file"], r["contacts"], r["quarantined"]) for r in rows] == [("a.log", 4, 0)]
    assert err.strip().splitlines()[-1] == (
        "contact_facts: 2 days written, 0 unchanged, 0 removed; "
        "agent_state_intervals: 2 days written, 0 unchanged, 0 removed"
    )
    assert facts_in(ws) == 0  # -w only lent its center file: nothing imported into it
    assert sorted(p.name for p in lake.iterdir()) == [
        MANIFEST,
        "agent_state_intervals",
        "contact_facts",
    ]  # the scratch workspace is gone, no quarantine file
    # the same file imported into the workspace, then exported
    code, _, err = cli("import", "asterisk-queue-log", str(logs[0]), "-w", str(ws))
    assert code == 0, err
    code, _, err = cli("export", "facts", "-w", str(ws), "--to", str(tmp_path / "exported"))
    assert code == 0, err
    exported = lake_rows(tmp_path / "exported")
    assert lake_rows(lake) == exported
    assert days(lake) == days(tmp_path / "exported")
    # the abandoned call entered its queue at 00:30 on the 15th in Paris
    assert [r[0] for r in exported["contact_facts"]] == ["2026-12-14"] * 2 + ["2026-12-15"] * 2
    assert len(exported["agent_state_intervals"]) > 0


def test_two_imports_of_overlapping_days_keep_both_files_rows(
    ws: Path, logs: tuple[Path, Path], tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    to_parquet(ws, lake, logs[0])
    before = lake_rows(lake)
    _, err = to_parquet(ws, lake, logs[1])
    assert err.strip().splitlines()[-1] == (
        "contact_facts: 2 days written, 0 unchanged, 0 removed; "
        "agent_state_intervals: 2 days written, 0 unchanged, 0 removed"
    )
    after = lake_rows(lake)
    for table, kept in before.items():
        assert set(kept) <= set(after[table])  # the 15th of the first file is still there
    assert [r[0] for r in after["contact_facts"]] == sorted(
        ["2026-12-14"] * 2 + ["2026-12-15"] * 3 + ["2026-12-16"]
    )
    # what the two files imported into one workspace, one after the other, export
    for log in logs:
        assert cli("import", "asterisk-queue-log", str(log), "-w", str(ws))[0] == 0
    code, _, err = cli("export", "facts", "-w", str(ws), "--to", str(tmp_path / "exported"))
    assert code == 0, err
    assert after == lake_rows(tmp_path / "exported")


def test_importing_the_same_file_again_changes_nothing(
    ws: Path, logs: tuple[Path, Path], tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    to_parquet(ws, lake, logs[0])
    to_parquet(ws, lake, logs[1])
    rows, before = lake_rows(lake), mtimes(lake)
    _, err = to_parquet(ws, lake, logs[0])
    assert err.strip().splitlines()[-1] == (
        "contact_facts: 0 days written, 2 unchanged, 0 removed; "
        "agent_state_intervals: 0 days written, 2 unchanged, 0 removed"
    )
    assert lake_rows(lake) == rows
    assert mtimes(lake) == before  # not one file rewritten, the manifest neither


def test_a_quarantined_record_lands_in_the_csv_with_exit_code_3(
    logs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no workspace at all: the current directory has no center.yaml, days are UTC days
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARECENTER_WORKSPACE", raising=False)
    lines = logs[0].read_text().splitlines()
    bad = write_log(tmp_path / "bad.log", lines)
    bad.write_text(bad.read_text() + "not a queue_log line\n")
    line = str(len(lines) + 1)
    args = ["import", "asterisk-queue-log", str(bad), "--to-parquet", "lake", "-f", "csv"]
    code, out, err = cli(*args)
    assert code == 3, err
    assert out.splitlines()[1].split(",")[6] == "1"  # the quarantined count
    assert "1 records quarantined (file, line and reason were appended to " in err
    assert "note: no center.yaml: center days in UTC, no agent aliases" in err
    quarantine = tmp_path / "lake" / QUARANTINE_FILE
    with quarantine.open(newline="") as handle:
        found = list(csv.DictReader(handle))
    assert list(found[0]) == list(QUARANTINE_COLUMNS)
    assert [(r["source"], r["file"], r["line"], r["raw"]) for r in found] == [
        ("asterisk", str(bad.resolve()), line, "not a queue_log line")
    ]
    assert found[0]["reason"] and found[0]["imported_at"].endswith("+00:00")
    # the call abandoned at 23:30 UTC is on the 14th in UTC; the rest was imported
    assert sorted(days(tmp_path / "lake")["contact_facts"]) == ["2026-12-14", "2026-12-15"]
    assert cli(*args)[0] == 3  # a second import appends its own record
    with quarantine.open(newline="") as handle:
        assert [r["line"] for r in csv.DictReader(handle)] == [line, line]


def test_a_bad_directory_is_a_one_line_error(
    ws: Path, logs: tuple[Path, Path], tmp_path: Path
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    code, out, err = cli(
        "import", "asterisk-queue-log", str(logs[0]), "--to-parquet", str(afile), "-w", str(ws)
    )
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [f"error: --to-parquet: {afile}: not a directory"]
    # an export in another time zone is refused before anything is imported
    utc = tmp_path / "utc"
    utc.mkdir()
    (utc / MANIFEST).write_text(json.dumps({"schema": 2, "timezone": "UTC", "tables": {}}))
    code, _, err = cli(
        "import", "asterisk-queue-log", str(logs[0]), "--to-parquet", str(utc), "-w", str(ws)
    )
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "error: --to-parquet: " in err and "time zone UTC" in err
    assert sorted(p.name for p in utc.iterdir()) == [MANIFEST]
    # a failed import leaves no directory it created, nor a scratch workspace
    missing = tmp_path / "lake"
    code, _, err = cli(
        "import", "asterisk-queue-log", str(tmp_path / "nope.log"), "--to-parquet", str(missing)
    )
    assert code == 2 and "no such file" in err
    assert not missing.exists()
