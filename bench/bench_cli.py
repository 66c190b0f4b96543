"""Benchmark: the wall time of ``carecenter report`` run as a command, beside bare DuckDB.

What a user waits for is the whole command: starting Python, imports, opening the workspace,
building and compiling the query, running it and printing. Times, each the median of
``--repeat`` runs of a fresh process, in the same run:

* ``small_report``: ``carecenter report -w WS`` on a one-day demo workspace (a few hundred
  contacts), every metric by day;
* ``report_2m``: ``carecenter report -w WS --interval 30m --by queue --no-fcr -f csv`` on a
  workspace of ``--rows`` synthetic calls (the facts of ``bench_report.py``): about 22,000
  rows of 56 columns printed; ``report_2m_json`` the same as JSON;
* the peer, ``bare_*``: a Python process that opens the same warehouse with DuckDB and runs
  the plain ``GROUP BY`` of ``bench_report.py`` (per day, or per 30 minutes and queue);
* ``*_cold``: the same report with the workspace's cache of compiled SQL emptied before each
  run (the first report of its shape, period and center; the others reuse the SQL).

Prints one JSON object. ``python bench/bench_cli.py [--rows 2000000] [--repeat 5] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import BARE_SQL, generate

BARE_DAY_SQL = BARE_SQL.replace("INTERVAL 30 MINUTE", "INTERVAL 1 DAY").replace(", queue_id", "")
PEER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("SET TimeZone='UTC'")
print(len(con.execute(sys.argv[2]).fetchall()))
"""
LIMITS = {"small_report_s": 0.8, "report_2m_s": 2.0}


def carecenter(*args: str) -> list[str]:
    """The command line of ``carecenter ARGS`` with this interpreter."""
    return [sys.executable, "-m", "carecenter", *args]


def timed(command: list[str], repeat: int, cold: Path | None = None) -> dict[str, Any]:
    """Median and all wall times (seconds) of ``repeat`` runs of ``command`` (``cold``: a
    workspace whose cache is removed before each run)."""
    times = []
    for _ in range(repeat):
        if cold is not None:
            shutil.rmtree(cold / ".cache", ignore_errors=True)
        t = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=os.environ.copy())
        times.append(time.perf_counter() - t)
    return {"median_s": round(statistics.median(times), 3), "runs_s": [round(x, 3) for x in times]}


def small_workspace(root: Path) -> Path:
    """A demo workspace of one live day and no imported history."""
    ws = root / "small"
    if not (ws / "center.yaml").exists():
        demo = ["demo", "-w", str(ws), "--days", "1", "--history-days", "0", "-f", "json"]
        subprocess.run(carecenter(*demo), check=True, stdout=subprocess.DEVNULL)
    return ws


def large_workspace(root: Path, rows: int) -> tuple[Path, dict[str, Any]]:
    """A fresh workspace whose warehouse holds ``rows`` synthetic calls."""
    ws = root / f"calls{rows}"
    if (ws / "center.yaml").exists():
        return ws, {"reused": str(ws)}
    subprocess.run(carecenter("init", str(ws)), check=True, stdout=subprocess.DEVNULL)
    return ws, generate(ws / "warehouse.duckdb", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="directory for the workspaces, to reuse")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    root = args.keep or Path(tmp.name)
    root.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {
        "benchmark": "cli",
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    small = small_workspace(root)
    large, out["data"] = large_workspace(root, args.rows)
    peer = [sys.executable, "-c", PEER]
    report_2m = ["report", "-w", str(large), "-i", "30m", "--by", "queue", "--no-fcr", "-f"]
    runs = {
        "small_report": carecenter("report", "-w", str(small)),
        "bare_small": [*peer, str(small / "warehouse.duckdb"), BARE_DAY_SQL],
        "report_2m": carecenter(*report_2m, "csv"),
        "report_2m_json": carecenter(*report_2m, "json"),
        "bare_2m": [*peer, str(large / "warehouse.duckdb"), BARE_SQL],
        "python_startup": [sys.executable, "-c", "pass"],
    }
    out["timings"] = {name: timed(command, args.repeat) for name, command in runs.items()}
    out["timings"]["small_report_cold"] = timed(runs["small_report"], args.repeat, cold=small)
    out["timings"]["report_2m_cold"] = timed(runs["report_2m"], args.repeat, cold=large)
    medians = {name: t["median_s"] for name, t in out["timings"].items()}
    out["small_report_s"] = medians["small_report"]
    out["report_2m_s"] = medians["report_2m"]
    out["ratio_small_report_to_bare"] = round(medians["small_report"] / medians["bare_small"], 2)
    out["ratio_report_2m_to_bare"] = round(medians["report_2m"] / medians["bare_2m"], 2)
    out["limits"] = LIMITS
    out["within_limits"] = all(out[key] <= limit for key, limit in LIMITS.items())
    tmp.cleanup()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
