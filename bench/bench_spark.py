"""Benchmark: the metric catalog on Spark local mode beside DuckDB, on facts as Parquet.

Generates ``--facts`` contact facts (10 million) straight into a DuckDB warehouse with SQL:
a year of center days (52 weeks from Monday 2025-01-06, Europe/London, so both clock changes
are in it), a weekly pattern and two daily peaks, 10 queues of skewed size (7 voice, 2 chat,
1 e-mail), outcomes answered about 80 % / abandoned / flowed out / callback, skewed waits
(exponential, longer at the peaks; lognormal hours for e-mail), lognormal talk, some hold,
after-call work, transfers, 300 agents, repeat customers; and the agents' state intervals
(five shifts a week of 16 half hours, each busy, after-call work and available, the middle one
a break: 3.6 million rows whatever ``--facts``). Every random draw is a hash of the row
number, so a run is reproducible. The center file (``bench/out/spark-center.yaml``) has the
queues' service-level policies, the e-mail queue's opening hours, and the agents' teams,
sites and skills.

Then, in one run:

* ``export_facts`` of the whole warehouse to ``bench/out/spark-facts`` (a fresh directory):
  ``export_s``, ``export_facts_per_s``, ``parquet_mb``;
* the 30 min x queue report over the whole year (every metric, first-contact resolution and
  the percentiles, as ``carecenter report --facts DIR --interval 30m --by queue`` runs it) on
  DuckDB (``duckdb_s``) and on Spark local mode (``spark_s``; the session's start is
  ``spark_session_s``, apart);
* both reports compared row by row and value by value (``rows_equal``: same rows, same keys,
  every value equal by the rule of the project's backend-equality tests, 1e-9 relative or
  1e-6 absolute, a microsecond being the facts' resolution, nulls equal; ``rows_equal_strict``
  without the absolute part; the largest differences overall and in the percentile columns
  alone; ``differing_columns``: where values differ beyond 1e-9 relative, how many).

Prints one JSON object. ``python bench/bench_spark.py [--facts 10000000] [--reuse]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from carecenter.adapters.center_yaml import read_center_file
from carecenter.adapters.parquet_export import export_facts
from carecenter.adapters.parquet_facts import spark_session
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.metrics.spec import Report
from carecenter.services import reporting

OUT = Path(__file__).with_name("out")
TIMEZONE = "Europe/London"
FIRST_DAY = "2025-01-06"  # a Monday
WEEKS = 52
LAST_DAY = "2026-01-04"  # the Sunday of week 52
AGENTS = 300
SLOTS = 16  # half hours in an agent's shift
QUEUES: list[tuple[str, str, float, float]] = [
    # id, channel, share of the contacts, mean wait of answered contacts off-peak (s)
    ("billing", "voice", 0.22, 18.0),
    ("cards", "voice", 0.16, 10.0),
    ("general", "voice", 0.14, 25.0),
    ("mortgages", "voice", 0.08, 40.0),
    ("loans", "voice", 0.08, 30.0),
    ("fraud", "voice", 0.06, 8.0),
    ("retention", "voice", 0.06, 35.0),
    ("chat_support", "chat", 0.08, 30.0),
    ("chat_sales", "chat", 0.04, 20.0),
    ("email", "email", 0.08, 0.0),
]
THRESHOLD_S = {"voice": 20, "chat": 60, "email": 86400}
PER_QUEUE = AGENTS // len(QUEUES)
PERCENTILE_SUFFIXES = ("_p50_s", "_p90_s", "_p95_s")
REL_TOL = 1e-9
ABS_TOL = 1e-12
"""Two values are equal within ``REL_TOL`` relative (``ABS_TOL`` absolute, for zeros)."""
TESTS_ABS_TOL = 1e-6
"""The tests' rule also takes values within a microsecond (the facts' time resolution) as
equal: ``rows_equal``."""


def _u(k: int) -> str:
    """SQL for the ``k``-th uniform draw of row ``i``, in (0, 1): a hash of ``32 i + k`` (DuckDB's
    hash of several values is no good here: ``hash(i, 3)`` and ``hash(i, 4)`` correlate)."""
    return f"(((hash(i * 32 + {k}) >> 11)::DOUBLE + 0.5) / 9007199254740992.0)"


def _z(k: int) -> str:
    """SQL for a standard normal draw of row ``i`` (Box-Muller on draws ``k`` and ``k+1``)."""
    return f"(sqrt(-2 * ln({_u(k)})) * cos(2 * pi() * {_u(k + 1)}))"


def _queue_cases() -> tuple[str, str, str]:
    """SQL CASEs over ``uq`` picking the queue's index, channel and mean wait by share."""
    index, channel, mean, edge = [], [], [], 0.0
    for n, (_, ch, share, wait) in enumerate(QUEUES):
        edge += share
        cond = f"uq < {edge:.4f}" if n < len(QUEUES) - 1 else "TRUE"
        index.append(f"WHEN {cond} THEN {n}")
        channel.append(f"WHEN {cond} THEN '{ch}'")
        mean.append(f"WHEN {cond} THEN {wait}")
    return (
        f"CASE {' '.join(index)} END",
        f"CASE {' '.join(channel)} END",
        f"CASE {' '.join(mean)} END",
    )


def facts_sql() -> str:
    """The INSERT of ``?`` contact facts (see the module), in ``enqueued_at`` order."""
    qi, channel, mean = _queue_cases()
    names = "[" + ", ".join(f"'{q}'" for q, *_ in QUEUES) + "]"
    return f"""
INSERT INTO contact_facts BY NAME
WITH drawn AS (
  SELECT i, {_u(1)} AS uq, {_u(2)} AS uw, {_u(3)} AS ud, {_u(4)} AS uh, {_z(5)} AS zh,
         {_u(7)} AS uo, {_u(8)} AS uwait, {_z(9)} AS zt, {_u(11)} AS ua, {_u(12)} AS ux,
         {_u(13)} AS uc, {_u(14)} AS ut, {_z(15)} AS ze
  FROM range(?) r(i)
), placed AS (
  SELECT *, {qi} AS qi, {channel} AS channel, {mean} AS mean_wait,
    CASE WHEN ud < .19 THEN 0 WHEN ud < .36 THEN 1 WHEN ud < .52 THEN 2 WHEN ud < .68 THEN 3
         WHEN ud < .83 THEN 4 WHEN ud < .93 THEN 5 ELSE 6 END AS dow,
    least(19.95, greatest(8.0, CASE WHEN uh < .55 THEN 10.5 ELSE 14.5 END + 1.7 * zh)) AS hour
  FROM drawn
), timed AS (
  SELECT *, {names}[qi + 1] AS queue_id,
    timezone('{TIMEZONE}', DATE '{FIRST_DAY}' + (floor(uw * {WEEKS})::INT * 7 + dow)
      + to_seconds(hour * 3600)) AS enq,
    CASE channel
      WHEN 'email' THEN CASE WHEN uo < .97 THEN 'answered' ELSE 'flowed_out' END
      WHEN 'chat' THEN CASE WHEN uo < .85 THEN 'answered' WHEN uo < .98 THEN 'abandoned'
                            ELSE 'flowed_out' END
      ELSE CASE WHEN uo < .80 THEN 'answered' WHEN uo < .92 THEN 'abandoned'
                WHEN uo < .96 THEN 'flowed_out' ELSE 'callback' END
    END AS outcome,
    1 + 1.5 * exp(-0.5 * pow(hour - 10.5, 2)) + exp(-0.5 * pow(hour - 14.5, 2)) AS peak
  FROM placed
), measured AS (
  SELECT *, outcome = 'answered' AS ans,
    CASE WHEN outcome = 'answered' AND channel = 'email' THEN exp(ln(10800) + ze)
         WHEN outcome = 'answered' THEN -mean_wait * peak * ln(uwait)
         WHEN outcome = 'abandoned' THEN -45 * ln(uwait)
         WHEN outcome = 'flowed_out' AND channel = 'email' THEN 600 + 3000 * uwait
         WHEN outcome = 'flowed_out' THEN 120 + 60 * uwait
         ELSE 30 - 60 * ln(uwait) END AS wait,
    CASE WHEN outcome <> 'answered' THEN 0.0
         ELSE exp(ln(CASE channel WHEN 'voice' THEN 240 WHEN 'chat' THEN 480 ELSE 300 END)
                  - 0.18 + 0.6 * zt) END AS talk,
    CASE WHEN outcome = 'answered' AND channel = 'voice' AND ux < .2 THEN 15 + 75 * ua
         ELSE 0.0 END AS hold,
    CASE WHEN outcome <> 'answered' THEN 0.0 WHEN channel = 'email' THEN 30 + 90 * ua
         ELSE 10 + 50 * ua END AS acw,
    CASE WHEN outcome = 'answered' AND ux > .96 THEN
         CASE WHEN ua < .3 THEN 'escalation' WHEN ua < .6 THEN 'warm' ELSE 'blind' END END
      AS transfer_kind
  FROM timed
), visits AS (
  SELECT *, enq + to_seconds(wait) AS left_at FROM measured
)
SELECT
  'c' || i AS contact_id, 1 AS visit, queue_id, channel, 'inbound' AS direction,
  'k' || floor(pow(uc, 1.5) * 2000000)::BIGINT AS customer_id,
  CASE WHEN ut < .1 THEN 'vip' ELSE 'standard' END AS tier,
  queue_id || '_' || floor(ut * 4)::INT AS topic,
  CASE channel WHEN 'voice' THEN enq - to_seconds(20 + 40 * ua)
               WHEN 'chat' THEN enq - INTERVAL 5 SECOND ELSE enq END AS arrived_at,
  enq AS enqueued_at,
  CASE WHEN ans THEN 'a' || lpad((qi * {PER_QUEUE} + floor(ua * {PER_QUEUE})::INT)::VARCHAR, 3, '0')
       END AS agent_id,
  CASE WHEN ans AND channel = 'voice' THEN greatest(enq, left_at - to_seconds(4 + 6 * ux))
       WHEN ans THEN left_at END AS offered_at,
  CASE WHEN ans THEN left_at END AS answered_at,
  CASE WHEN outcome = 'abandoned' THEN left_at END AS abandoned_at,
  left_at + to_seconds(talk + hold) AS ended_at,
  wait AS wait_s, talk AS talk_s, hold AS hold_s, acw AS acw_s,
  CASE WHEN ans THEN 1 ELSE 0 END AS offers, outcome,
  false AS transferred_in, transfer_kind IS NOT NULL AS transferred_out,
  outcome = 'callback' AS callback_requested,
  CASE WHEN ans THEN uc < .85 END AS resolved, 'ended' AS state,
  CASE WHEN ans THEN left_at + to_seconds(talk + hold) END AS talk_ended_at,
  i AS last_seq,
  CASE WHEN ans THEN talk + hold END AS conversation_s,
  CASE WHEN channel = 'voice' THEN floor(ux * 3)::INT END AS relaxation_step,
  CASE WHEN channel = 'voice' THEN round(wait * (0.5 + ut), 1) END AS ewt_s,
  CASE WHEN channel = 'voice' THEN 'queue_length' END AS ewt_predictor,
  transfer_kind,
  CASE WHEN transfer_kind = 'escalation' THEN 'complex_case' END AS transfer_reason
FROM visits
ORDER BY enqueued_at
"""


def intervals_sql() -> str:
    """The INSERT of the agents' state intervals: five shifts a week of ``SLOTS`` half hours,
    from 08:00 to 11:30 (by agent), each half hour busy, after-call work and available, the
    middle one a break."""
    return f"""
INSERT INTO agent_state_intervals BY NAME
WITH slots AS (
  SELECT a, d, j, ((hash((a * 1000 + d) * 32 + j) >> 11)::DOUBLE + 0.5) / 9007199254740992.0 AS u,
    timezone('{TIMEZONE}', DATE '{FIRST_DAY}' + d::INT + INTERVAL 8 HOUR
      + to_seconds((a % 8) * 1800 + j * 1800)) AS t0
  FROM range({AGENTS}) ta(a), range({WEEKS * 7}) td(d), range({SLOTS}) tj(j)
  WHERE (d + a) % 7 < 5
), parts AS (
  SELECT a, d, j, t0, k,
    CASE WHEN j = {SLOTS // 2} THEN 'break'
         ELSE ['busy', 'after_call_work', 'available'][k + 1] END AS state,
    CASE k WHEN 0 THEN 0 WHEN 1 THEN 900 + 600 * u ELSE 1050 + 600 * u END AS o,
    CASE k WHEN 0 THEN 900 + 600 * u WHEN 1 THEN 150 ELSE 750 - 600 * u END AS len
  FROM slots, range(3) tk(k)
  WHERE j <> {SLOTS // 2} OR k = 0
)
SELECT 'a' || lpad(a::VARCHAR, 3, '0') AS agent_id, (d * 100 + j) * 3 + k AS start_seq, state,
  t0 + to_seconds(o) AS start_at, NULL AS reason,
  t0 + to_seconds(CASE WHEN state = 'break' THEN 1800 ELSE o + len END) AS end_at,
  CASE WHEN state = 'break' THEN 1800.0 ELSE len END AS duration_s
FROM parts
ORDER BY start_at
"""


def center_yaml() -> str:
    """The center file: the queues (a skill each), their policies, the e-mail queue's hours
    and the agents (``PER_QUEUE`` a queue, each also able to serve the next queue)."""
    lines = [
        "center:",
        "  name: Spark benchmark center",
        f"  timezone: {TIMEZONE}",
        "skills:",
        *(f"  {q}: {{name: {q}}}" for q, *_ in QUEUES),
        "sites:",
        "  Leeds: {name: Leeds}",
        "  Cardiff: {name: Cardiff}",
        "queues:",
    ]
    for n, (queue, channel, _, _) in enumerate(QUEUES):
        formula = ["answered_within_over_offered", "abandons_excluded", "abandons_within_met"]
        lines += [
            f"  {queue}:",
            f"    channel: {channel}",
            f"    skills: {{{queue}: 1}}",
            f"    service_level: {{threshold_s: {THRESHOLD_S[channel]}, target: 0.8, "
            f"formula: {formula[n % 3]}, short_abandon_s: 5, "
            f"exclude_short_abandons: {str(n % 2 == 0).lower()}, "
            f"include_flow_outs: {str(n % 4 == 0).lower()}}}",
        ]
        if channel == "email":
            lines.append('    hours: {mon-fri: "08:00-18:00", sat: "09:00-13:00"}')
    lines.append("agents:")
    for a in range(AGENTS):
        own, other = QUEUES[a // PER_QUEUE], QUEUES[(a // PER_QUEUE + 1) % len(QUEUES)]
        capacity = {own[1]: 3 if own[1] == "chat" else 1, other[1]: 1}
        caps = ", ".join(f"{ch}: {n}" for ch, n in capacity.items())
        lines.append(
            f"  a{a:03d}: {{name: Agent {a}, team: t{a // 15:02d}, "
            f"site: {['Leeds', 'Cardiff'][a % 2]}, "
            f"skills: {{{own[0]}: 3, {other[0]}: 2}}, capacity: {{{caps}}}, "
            f"hourly_cost: {20 + a % 10}.0}}"
        )
    return "\n".join(lines) + "\n"


def generate(path: Path, facts: int) -> dict[str, Any]:
    """Write the warehouse at ``path``; its row counts and the seconds it took."""
    t = time.perf_counter()
    wh = DuckDbWarehouse(path)
    con = wh.connection
    con.execute("SET enable_progress_bar = false")
    con.execute(facts_sql(), [facts])
    con.execute(intervals_sql())
    counts = wh.counts()
    wh.close()
    return {
        "facts": counts.contact_facts,
        "agent_intervals": counts.agent_state_intervals,
        "generate_s": round(time.perf_counter() - t, 2),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall seconds of one call of ``fn``, and its result."""
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    """A report row's key: its interval start as a UTC instant, and its queue."""
    start = row["interval_start"]
    return (start.timestamp() if isinstance(start, datetime) else start, row.get("queue"))


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _difference(a: Any, b: Any) -> tuple[bool, float | None]:
    """Whether two report values are equal (numbers within ``REL_TOL``, nulls and NaNs
    equal), and how far apart two numbers are (``None``: not two numbers)."""
    if not (_numeric(a) and _numeric(b)):
        return a == b, None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b), None
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL), abs(a - b)


def compare(ours: Report, theirs: Report) -> dict[str, Any]:
    """Row-by-row, value-by-value agreement of two reports of the same spec (see the
    module): ``rows_equal``, the largest absolute and relative numeric differences overall
    and in the percentile columns, and how many values differ (and in which columns)."""
    left = {_key(r): r for r in ours.rows}
    right = {_key(r): r for r in theirs.rows}
    common = left.keys() & right.keys()
    worst = {"all": [0.0, 0.0], "pct": [0.0, 0.0]}
    columns: dict[str, int] = {}
    coarse = 0
    for key in common:
        for column in ours.columns[1:]:  # after interval_start, part of the key
            a, b = left[key][column], right[key][column]
            equal, absolute = _difference(a, b)
            if not equal:
                columns[column] = columns.get(column, 0) + 1
                coarse += absolute is None or absolute > TESTS_ABS_TOL
            if absolute:
                relative = absolute / max(abs(a), abs(b))
                kinds = ("all", "pct") if column.endswith(PERCENTILE_SUFFIXES) else ("all",)
                for kind in kinds:
                    worst[kind] = [max(worst[kind][0], absolute), max(worst[kind][1], relative)]
    same_keys = left.keys() == right.keys() and len(ours.rows) == len(theirs.rows)
    differing = sum(columns.values())
    return {
        "rows_equal": same_keys and ours.columns == theirs.columns and coarse == 0,
        "rows_equal_strict": same_keys and ours.columns == theirs.columns and differing == 0,
        "same_keys": same_keys,
        "same_columns": ours.columns == theirs.columns,
        "max_abs_diff": worst["all"][0],
        "max_rel_diff": worst["all"][1],
        "percentile_max_abs_diff": worst["pct"][0],
        "percentile_max_rel_diff": worst["pct"][1],
        "differing_values": differing,
        "differing_columns": columns,
        "values_compared": len(common) * (len(ours.columns) - 1),
    }


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (from ``/proc``; empty where there is none)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def jvm_peak_mb() -> float | None:
    """The peak resident memory (VmHWM) of the Java processes this process started."""
    peaks = []
    for pid in _descendants(os.getpid()):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            if "java" not in Path(f"/proc/{pid}/comm").read_text():
                continue
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(sum(peaks), 1) if peaks else None


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(directory: Path, backend: str, config: Path) -> Report:
    """The 30 min x queue report of the whole year on ``backend``, every metric."""
    return reporting.facts_report(
        directory,
        backend=backend,
        config=config,
        interval="30m",
        by=("queue",),
        period=reporting.Period(FIRST_DAY, LAST_DAY),
    )


def export(warehouse: Path, directory: Path) -> tuple[float, list[Any]]:
    """Export the whole warehouse to a fresh ``directory``: seconds, and what was written."""
    shutil.rmtree(directory, ignore_errors=True)
    wh = DuckDbWarehouse(warehouse)
    try:
        return timed(lambda: export_facts(wh.connection, directory, zone=TIMEZONE))
    finally:
        wh.close()


def size_mb(directory: Path) -> float:
    """Bytes of every file under ``directory``, in MB."""
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=10_000_000)
    parser.add_argument(
        "--reuse", action="store_true", help="keep bench/out/spark-bench.duckdb if it is there"
    )
    parser.add_argument(
        "--spark-memory", default="8g", help="Spark's driver memory (local mode: all of it)"
    )
    args = parser.parse_args()
    os.environ.setdefault("CARECENTER_SPARK_DRIVER_MEMORY", args.spark_memory)
    begin = time.perf_counter()
    OUT.mkdir(exist_ok=True)
    warehouse, directory = OUT / "spark-bench.duckdb", OUT / "spark-facts"
    config = OUT / "spark-center.yaml"
    config.write_text(center_yaml(), encoding="utf-8")
    read_center_file(config)  # a mistake in it shows before the data is made
    out: dict[str, Any] = {"benchmark": "spark", "machine": platform.machine()}
    out["cores"] = os.cpu_count()
    if not (args.reuse and warehouse.exists()):
        warehouse.unlink(missing_ok=True)
        out["data"] = generate(warehouse, args.facts)
    else:
        out["data"] = {"reused": str(warehouse)}
    export_s, done = export(warehouse, directory)
    facts = sum(d.rows for d in done if d.table == "contact_facts")
    out["facts"] = facts
    out["days"] = sum(1 for d in done if d.table == "contact_facts")
    out["queues"] = len(QUEUES)
    out["export_s"] = round(export_s, 2)
    out["export_facts_per_s"] = round(facts / export_s)
    out["parquet_mb"] = round(size_mb(directory), 1)
    duckdb_s, on_duckdb = timed(lambda: report(directory, "duckdb", config))
    out["duckdb_s"] = round(duckdb_s, 2)
    out["rows"] = len(on_duckdb.rows)
    session_s, session = timed(spark_session)
    out["spark_session_s"] = round(session_s, 2)
    out["spark_version"] = session.version
    spark_s, on_spark = timed(lambda: report(directory, "spark", config))
    out["spark_s"] = round(spark_s, 2)
    out["spark_rows"] = len(on_spark.rows)
    out["jvm_peak_mb"] = jvm_peak_mb()
    session.stop()
    out.update(compare(on_duckdb, on_spark))
    out["peak_memory_mb"] = round(rss_mb(), 1)
    out["seconds"] = round(time.perf_counter() - begin, 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
