"""``carecenter import ticket-events`` and ``report --tickets``: against the truth of generated
ticket logs, in any file order, and on the real Helpdesk event log."""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.helpers import SHARED_DATA
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
MAPPING = """\
source: desk
time_format: "%Y-%m-%d %H:%M:%S"
columns: {ticket_id: Case, activity: Step, occurred_at: When, agent_id: Who, queue_id: Team}
activities: {created: [open], replied: [answer], waiting: [pending], resolved: [solve],
             reopened: [reopen], closed: [close]}
"""
T0 = datetime(2026, 3, 2, tzinfo=UTC)
HELPDESK = SHARED_DATA / "ticket_eventlogs" / "helpdesk.csv"


def cli(*args: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(app, [*args, "-f", "json"])
    rows = json.loads(result.stdout) if result.stdout.strip() else []
    return result.exit_code, rows, result.stderr


def generate(seed: int = 7, n: int = 120) -> tuple[list[list[str]], dict[str, dict[str, object]]]:
    """Rows of a ticket log, and each ticket's truth as the generator made it."""
    rng = random.Random(seed)
    rows, truth = [], {}
    for k in range(n):
        case, team = (
            f"c{k}",
            rng.choice(["desk-a", "desk-b"]),
        )  # not queues of center.yaml: open 24x7
        t = T0 + timedelta(seconds=rng.randrange(0, 6 * 86400))
        created, steps = t, [("open", t)]
        t += timedelta(seconds=rng.randrange(60, 20000))
        steps.append(("answer", t))
        first = t
        reopened = rng.random() < 0.2
        resolved: datetime | None = None
        for spell in range(2 if reopened else 1):
            if spell:
                t += timedelta(seconds=rng.randrange(60, 9000))
                steps.append(("reopen", t))
            t += timedelta(seconds=rng.randrange(600, 3 * 86400))
            resolved = t
            steps.append(("solve", t))
        if rng.random() < 0.15:  # still open at the end of the log
            t += timedelta(seconds=60)
            steps.append(("reopen", t))
            resolved = None
        for step, at in steps:
            rows.append([case, step, at.strftime("%Y-%m-%d %H:%M:%S"), "a1", team])
        truth[f"desk:{case}"] = {
            "created": created,
            "first": (first - created).total_seconds(),
            "resolution": None if resolved is None else (resolved - created).total_seconds(),
            "reopened": reopened,
            "team": team,
            "spells": _spells(steps),
        }
    rng.shuffle(rows)
    return rows, truth


def _spells(steps: list[tuple[str, datetime]]) -> list[tuple[datetime, datetime | None]]:
    out: list[tuple[datetime, datetime | None]] = []
    for step, at in steps:
        if step in ("open", "reopen"):
            out.append((at, None))
        elif step == "solve":
            out[-1] = (out[-1][0], at)
    return out


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Case", "Step", "When", "Who", "Team"])
        w.writerows(rows)
    return path


def test_report_matches_the_truth_whatever_the_file_order(tmp_path: Path) -> None:
    rows, truth = generate()
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    whole = write(tmp_path / "all.csv", rows)
    first = write(tmp_path / "a.csv", rows[: len(rows) // 2])
    second = write(tmp_path / "b.csv", rows[len(rows) // 2 :])
    reports = []
    for files in ([whole], [second, first]):
        ws = tmp_path / f"ws{len(files)}"
        assert CliRunner().invoke(app, ["init", "--workspace", str(ws)]).exit_code == 0
        code, _counts, err = cli(
            "import",
            "ticket-events",
            *map(str, files),
            "--mapping",
            str(mapping),
            "--workspace",
            str(ws),
        )
        assert code == 0, err
        code, report, err = cli(
            "report",
            "--tickets",
            "-w",
            str(ws),
            "--by",
            "queue",
            "--interval",
            "1d",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-15",
        )
        assert code == 0, err
        reports.append(report)
    assert reports[0] == reports[1]
    code, again, _ = cli(
        "import",
        "ticket-events",
        str(whole),
        "--mapping",
        str(mapping),
        "--workspace",
        str(tmp_path / "ws1"),
    )
    assert again[0]["unchanged"] == len(truth) and again[0]["new"] == again[0]["updated"] == 0

    by_day: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for _tid, t in truth.items():
        day = t["created"].date().isoformat()  # type: ignore[attr-defined]
        by_day[(day, str(t["team"]))].append(t)
    for row in reports[0]:
        day = str(row["interval_start"])[:10]
        mine = by_day.get((day, str(row["queue"])), [])
        assert row["tickets_created"] == len(mine)
        done = [t for t in mine if t["resolution"] is not None]
        assert row["tickets_resolved"] == len(done)
        assert row["tickets_reopened"] == sum(bool(t["reopened"]) for t in done)
        if done:
            mean = sum(float(t["resolution"]) for t in done) / len(done)  # type: ignore[arg-type]
            assert row["resolution_s"] == pytest.approx(mean)
        if mine:
            mean = sum(float(t["first"]) for t in mine) / len(mine)  # type: ignore[arg-type]
            assert row["first_response_s"] == pytest.approx(mean)
        end = datetime.fromisoformat(str(row["interval_start"])) + timedelta(days=1)
        open_at_end = sum(
            1
            for t in truth.values()
            if t["team"] == row["queue"]
            for a, b in t["spells"]  # type: ignore[attr-defined]
            if a <= end and (b is None or b > end)
        )
        assert row["backlog"] == open_at_end, row["interval_start"]


@pytest.mark.skipif(not HELPDESK.exists(), reason="no ../shared/data beside the checkout")
def test_the_real_helpdesk_log(tmp_path: Path) -> None:
    mapping = ROOT / "docs" / "examples" / "helpdesk-ticket-events.yaml"
    ws = str(tmp_path / "ws")
    assert CliRunner().invoke(app, ["init", "--workspace", ws]).exit_code == 0
    code, counts, err = cli(
        "import", "ticket-events", str(HELPDESK), "--mapping", str(mapping), "--workspace", ws
    )
    assert code == 0, err
    assert counts[0]["records"] == 13710 and counts[0]["new"] == 3804
    code, report, err = cli("report", "--tickets", "-w", ws, "--interval", "all")
    assert code == 0, err
    (row,) = report
    # an independent reading of the log: per case, in time order
    cases: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with HELPDESK.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cases[r["CaseID"]].append((r["CompleteTimestamp"], r["ActivityID"]))
    reopened, total = 0, 0.0
    for steps in cases.values():
        steps.sort(key=lambda s: (s[0], {"1": 0, "3": 0, "8": 2, "9": 3, "6": 4}.get(s[1], 7)))
        start = next((t for t, a in steps if a in "13"), steps[0][0])
        is_open, again, end = True, False, ""
        for t, a in steps:
            if t < start:
                continue
            if a == "6" and is_open:
                is_open, end = False, t  # resolved (a repeated 6 resolves nothing more)
            elif a in "89" and not is_open:
                is_open, again = True, True  # work on a resolved ticket reopens it
        reopened += again
        fmt = "%Y-%m-%d %H:%M:%S"
        total += (datetime.strptime(end, fmt) - datetime.strptime(start, fmt)).total_seconds()
    assert row["tickets_created"] == row["tickets_resolved"] == len(cases) == 3804
    assert row["tickets_reopened"] == reopened
    assert row["backlog"] == 0
    # Europe/Rome local times: the summer-time changes inside a ticket make the real
    # elapsed time differ from the naive difference by whole hours only
    assert abs(row["resolution_total_s"] - total) % 3600 == 0
    assert row["resolution_total_s"] == pytest.approx(total, rel=1e-3)


def test_activities_that_differ_only_in_who_are_both_kept(tmp_path: Path) -> None:
    """Two agents' replies in the same second, in different files: the warehouse keeps both,
    so a later file folds the ticket as one file with every row would."""
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    rows = [
        ["c1", "open", "2026-03-02 09:00:00", "", "desk-a"],
        ["c1", "answer", "2026-03-02 09:05:00", "ann", "desk-a"],
        ["c1", "answer", "2026-03-02 09:05:00", "bob", "desk-a"],
        ["c1", "solve", "2026-03-02 10:00:00", "", "desk-a"],
    ]
    files = [write(tmp_path / f"{n}.csv", [row]) for n, row in enumerate(rows)]
    reports = []
    for name, parts in (("split", files), ("whole", [write(tmp_path / "all.csv", rows)])):
        ws = str(tmp_path / name)
        assert CliRunner().invoke(app, ["init", "--workspace", ws]).exit_code == 0
        for part in parts:
            code, _, err = cli(
                "import", "ticket-events", str(part), "--mapping", str(mapping), "-w", ws
            )
            assert code == 0, err
        code, report, err = cli("report", "--tickets", "-w", ws, "--by", "agent", "-i", "all")
        assert code == 0, err
        reports.append(report)
    assert reports[0] == reports[1]
    assert [r["agent"] for r in reports[0]] == ["bob"]
