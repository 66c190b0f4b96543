"""An import killed at any moment leaves either nothing of a file or all of it.

A real ``carecenter import`` process is killed with SIGKILL at seeded random moments over the
time an import of a generated queue_log takes; each time the workspace is opened again and
must hold either nothing of the file (no contact, visit, interval, quarantined or unknown
record, no ``import_log`` row) or exactly what a whole import writes.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

import carecenter
from carecenter.adapters.settings import Settings
from carecenter.services.workspace import init_workspace

SRC = str(Path(carecenter.__file__).resolve().parents[1])
CALLS = 70_000
KILLS = 8
TABLES = (
    "contacts",
    "contact_facts",
    "agent_state_intervals",
    "import_quarantine",
    "import_unknown",
    "import_log",
)


def generate(path: Path, calls: int, seed: int) -> None:
    """A time-ordered queue_log: agents, answered and abandoned calls, pauses, and a few bad
    and unknown records."""
    rng = random.Random(seed)
    agents = [f"Agent/{i}" for i in range(1, 401)]
    t0 = 1_764_579_600
    lines = [f"{t0}|NONE|NONE|{a}|AGENTLOGIN|SIP/{a[6:]}" for a in agents]
    events: list[tuple[int, int, str]] = []
    at = t0 + 1
    for n in range(calls):
        at += rng.choice((0, 1, 1, 2))
        callid, queue, agent = f"{at}.{n}", ("support", "sales")[n % 2], agents[n % 400]
        wait = int(rng.expovariate(1 / 30))
        events.append((at, 3 * n, f"{at}|{callid}|{queue}|NONE|ENTERQUEUE||06{n:08d}|1"))
        if rng.random() < 0.85:
            talk = int(rng.expovariate(1 / 180)) + 1
            answer, end = at + wait, at + wait + talk
            events.append(
                (answer, 3 * n + 1, f"{answer}|{callid}|{queue}|{agent}|CONNECT|{wait}|x|2")
            )
            events.append(
                (end, 3 * n + 2, f"{end}|{callid}|{queue}|{agent}|COMPLETECALLER|{wait}|{talk}|1")
            )
            for pause, back in ((1, 3), (5, 8)):  # short breaks after the call
                events.append((end + pause, 3 * n + 2, f"{end + pause}|NONE|NONE|{agent}|PAUSE|"))
                events.append((end + back, 3 * n + 2, f"{end + back}|NONE|NONE|{agent}|UNPAUSE|"))
        else:
            events.append(
                (at + wait, 3 * n + 1, f"{at + wait}|{callid}|{queue}|NONE|ABANDON|1|1|{wait}")
            )
        if n % 5000 == 0:
            events.append((at, 3 * n, f"{at}|{callid}|{queue}|NONE|CONNECT|soon|x|2"))
            events.append((at, 3 * n, f"{at}|{callid}|{queue}|NONE|WHISPER|1"))
    events.sort()
    lines.extend(text for _, _, text in events)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def counts(workspace: Path) -> dict[str, int]:
    """Rows of each table, the workspace opened again as a new process would."""
    with duckdb.connect(str(workspace / "warehouse.duckdb")) as conn:
        have = {r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        return {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
            if table in have
            else 0
            for table in TABLES
        }


def start(workspace: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC}
    command = [sys.executable, "-m", "carecenter", "import", "asterisk-queue-log"]
    return subprocess.Popen(
        [*command, str(log), "-w", str(workspace), "--no-progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_killed_import_leaves_all_or_nothing_of_the_file(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    generate(log, CALLS, seed=11)
    template = tmp_path / "empty"
    init_workspace(Settings(workspace=template))
    empty = counts(template)
    assert set(empty.values()) == {0}

    reference_ws = tmp_path / "reference"
    shutil.copytree(template, reference_ws)
    began = time.monotonic()
    assert start(reference_ws, log).wait() == 3  # 3: some records were quarantined
    duration = time.monotonic() - began
    reference = counts(reference_ws)
    assert reference["import_log"] == 1
    assert all(reference[t] > 0 for t in TABLES), reference

    rng = random.Random(8)
    seen = {"nothing": 0, "all": 0}
    workspace = tmp_path / "killed"
    for _ in range(KILLS):
        shutil.rmtree(workspace, ignore_errors=True)
        shutil.copytree(template, workspace)
        child = start(workspace, log)
        time.sleep(rng.uniform(0.3, 1.05) * duration)
        child.send_signal(signal.SIGKILL)
        child.wait()
        found = counts(workspace)
        assert found in (empty, reference), (found, reference)
        seen["nothing" if found == empty else "all"] += 1

    before = counts(workspace)["import_log"]
    assert start(workspace, log).wait() == 3
    assert counts(workspace) == reference | {"import_log": before + 1}
    assert seen["nothing"] > 0, seen
