"""Benchmark: import an Asterisk queue_log of 1 million calls end to end.

Generates a time-ordered queue_log (ENTERQUEUE, RINGNOANSWER, CONNECT, COMPLETE*, TRANSFER,
ABANDON, EXITWITHTIMEOUT, agent logins and pauses) into a temporary file, then times
``carecenter.services.importing.import_files`` into a fresh workspace: reading, folding and
writing the facts into DuckDB. The import runs in a child process, whose peak resident memory
is reported (``peak_rss_mb``: it must not grow with the file). Prints one JSON object.

The peer, run in the same process tree when a Python with pandas is found (``--peer-python``,
``$CARECENTER_BENCH_PEER_PYTHON`` or ``bench/out/venv-peer``), is a plain
``pandas.read_csv(sep="|")`` of the same file: parsing only, no facts, no database.

    python bench/bench_import.py [--calls 1000000] [--seed 7]   # try --calls 2000000 too
    python bench/bench_import.py --import-memory 256MB   # DuckDB's limit (CARECENTER_IMPORT_MEMORY)
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_LINES_PER_S = 300_000
QUEUES = ("support", "sales", "billing", "vip")
PEER = """
import sys, time
import pandas as pd
t = time.perf_counter()
frame = pd.read_csv(sys.argv[1], sep="|", header=None, names=range(10), dtype=str,
                    engine="c", on_bad_lines="skip")
print(len(frame), time.perf_counter() - t, pd.__version__)
"""


def generate(path: Path, calls: int, seed: int) -> int:
    """Write a queue_log of ``calls`` calls; return its number of lines."""
    rng = random.Random(seed)
    agents = [f"Agent/{i}" for i in range(1, 81)]
    t0 = 1_764_579_600
    pending: list[tuple[int, int, str]] = []
    seq = 0
    lines = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for agent in agents:
            out.write(f"{t0}|NONE|NONE|{agent}|AGENTLOGIN|SIP/{agent[6:]}\n")
            lines += 1

        def push(at: int, text: str) -> None:
            nonlocal seq
            seq += 1
            heapq.heappush(pending, (at, seq, text))

        arrival = t0 + 1
        for n in range(calls):
            arrival += rng.choice((0, 0, 1, 1, 2))
            while pending and pending[0][0] <= arrival:
                out.write(heapq.heappop(pending)[2])
                lines += 1
            callid = f"{arrival}.{n}"
            queue = QUEUES[n % 4]
            out.write(f"{arrival}|{callid}|{queue}|NONE|ENTERQUEUE||0600{n % 100000:05d}|1\n")
            lines += 1
            wait = int(rng.expovariate(1 / 30))
            agent = agents[n % len(agents)]
            roll = rng.random()
            at = arrival
            if roll < 0.2:
                at += min(wait, 15)
                push(at, f"{at}|{callid}|{queue}|{agent}|RINGNOANSWER|15000\n")
            if roll < 0.85:
                answer = arrival + wait
                talk = int(rng.expovariate(1 / 180)) + 1
                push(answer, f"{answer}|{callid}|{queue}|{agent}|CONNECT|{wait}|x{n}|2\n")
                end = answer + talk
                kind = ("COMPLETECALLER", "COMPLETEAGENT")[n % 2]
                if roll < 0.05:
                    push(
                        end,
                        f"{end}|{callid}|{queue}|{agent}|BLINDTRANSFER|500|ctx|{wait}|{talk}|1\n",
                    )
                else:
                    push(end, f"{end}|{callid}|{queue}|{agent}|{kind}|{wait}|{talk}|1\n")
            elif roll < 0.97:
                push(arrival + wait, f"{arrival + wait}|{callid}|{queue}|NONE|ABANDON|1|1|{wait}\n")
            else:
                push(arrival + 60, f"{arrival + 60}|{callid}|{queue}|NONE|EXITWITHTIMEOUT|1|1|60\n")
            if n % 500 == 0:
                who = agents[rng.randrange(len(agents))]
                push(arrival, f"{arrival}|NONE|NONE|{who}|PAUSE|break\n")
                push(arrival + 300, f"{arrival + 300}|NONE|NONE|{who}|UNPAUSE|\n")
        while pending:
            out.write(heapq.heappop(pending)[2])
            lines += 1
    return lines


def peer_python(explicit: str | None) -> str | None:
    candidates = [explicit, os.environ.get("CARECENTER_BENCH_PEER_PYTHON")]
    candidates.append(str(Path(__file__).parent / "out" / "venv-peer" / "bin" / "python"))
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            check = subprocess.run(
                [candidate, "-c", "import pandas"], capture_output=True, check=False
            )
            if check.returncode == 0:
                return candidate
    return None


def run_peer(python: str, path: Path) -> dict[str, object]:
    done = subprocess.run(
        [python, "-c", PEER, str(path)], capture_output=True, text=True, check=True
    )
    rows, seconds, version = done.stdout.split()
    return {
        "name": f"pandas {version} read_csv (parse only)",
        "rows": int(rows),
        "seconds": round(float(seconds), 3),
        "lines_per_s": round(int(rows) / float(seconds)),
    }


def child(log: Path, workspace: Path) -> None:
    """The import itself (in a child process): prints its seconds and counts as JSON."""
    from carecenter.adapters.settings import Settings
    from carecenter.services.importing import import_files
    from carecenter.services.workspace import init_workspace

    settings = Settings(workspace=workspace)
    init_workspace(settings)
    t = time.perf_counter()
    summary = import_files(settings, "asterisk-queue-log", [log])
    seconds = time.perf_counter() - t
    total = summary.total()
    counts = {
        "seconds": seconds,
        "contacts": total.contacts,
        "visits": total.visits,
        "intervals": total.intervals,
        "quarantined": total.quarantined,
    }
    print(json.dumps(counts))


def run_import(log: Path, workspace: Path, memory: str | None) -> tuple[dict[str, Any], float]:
    """The child's counts and its peak resident memory in MB."""
    env = dict(os.environ)
    if memory:
        env["CARECENTER_IMPORT_MEMORY"] = memory
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(log), str(workspace)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return json.loads(done.stdout), peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--peer-python", default=None)
    parser.add_argument("--import-memory", default=None, help="CARECENTER_IMPORT_MEMORY")
    parser.add_argument("--child", nargs=2, metavar=("LOG", "WORKSPACE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    from carecenter.adapters.settings import IMPORT_MEMORY_LIMIT

    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return

    with tempfile.TemporaryDirectory(prefix="cc-bench-import-") as tmp:
        log = Path(tmp) / "queue_log"
        t = time.perf_counter()
        lines = generate(log, args.calls, args.seed)
        generate_s = time.perf_counter() - t
        counts, peak_rss_mb = run_import(log, Path(tmp) / "ws", args.import_memory)
        seconds = counts["seconds"]
        peer_exe = peer_python(args.peer_python)
        peer = run_peer(peer_exe, log) if peer_exe else None
        result = {
            "benchmark": "import asterisk-queue-log",
            "calls": args.calls,
            "lines": lines,
            "bytes": log.stat().st_size,
            "generate_s": round(generate_s, 2),
            "seconds": round(seconds, 3),
            "lines_per_s": round(lines / seconds),
            "target_lines_per_s": TARGET_LINES_PER_S,
            "meets_target": lines / seconds >= TARGET_LINES_PER_S,
            "peak_rss_mb": round(peak_rss_mb, 1),
            "import_memory": args.import_memory
            or os.environ.get("CARECENTER_IMPORT_MEMORY", IMPORT_MEMORY_LIMIT),
            "contacts": counts["contacts"],
            "visits": counts["visits"],
            "intervals": counts["intervals"],
            "quarantined": counts["quarantined"],
            "peer": peer,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        }
    print(json.dumps(result, indent=2))
    sys.exit(0)


if __name__ == "__main__":
    main()
