"""Benchmark: the metric catalog on 10 million contact facts, beside bare DuckDB and pandas.

Generates synthetic facts straight into a DuckDB file (six weeks, 20 queues of skewed size,
two daily peaks and a weekly pattern, exponential waits, lognormal talk, ~5% abandons), then
times in the same run:

* ``bare``: DuckDB's plain ``count``/``sum ... GROUP BY time_bucket, queue_id``;
* ``catalog``: the full report (every contact metric of the catalog, with per-queue policies
  joined in) at 30 minutes × queue without percentiles, as ``carecenter report`` runs it: from
  the SQL the catalog compiled into the workspace's cache (:mod:`carecenter.metrics.compiled`)
  on a report's first run (``catalog_..._first_run``: Ibis builds and compiles the expression,
  about 0.1 s whatever the data) and runs again on the next; with first-contact resolution or
  the percentiles (each on its own, first runs);
* ``catalog_agents``: the report by interval only, which adds the agent-state metrics;
* ``catalog_..._business_hours``: the report again with opening hours (weekdays 08:00-20:00,
  Saturday mornings, Good Friday closed) on the e-mail queues, so the e-mail response time
  counts business hours (:mod:`carecenter.metrics.business_time`), from cached SQL;
* ``pandas``: the standard metrics written plainly in pandas on the same data.

Prints one JSON object: timings (best of ``--repeat``), ratios and peak RSS.
``python bench/bench_report.py [--rows 10000000] [--repeat 3] [--keep FILE]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

import duckdb
import ibis

from carecenter.adapters.sql_cache import FileSqlCache
from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.center import OpeningHours, ServiceLevelPolicy
from carecenter.domain.enums import ServiceLevelFormula
from carecenter.metrics import compiled
from carecenter.metrics.dims import Dimensions
from carecenter.metrics.engine import ReportSpec, run

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday; the period crosses the UK clock change
WEEKS = 6
QUEUES = 20
AGENTS = 400
TIMEZONE = "Europe/London"

FACTS_SQL = f"""
INSERT INTO contact_facts
WITH u AS (
  SELECT i, random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5,
         random() AS u6, random() AS u7, random() AS u8, random() AS u9, random() AS u10
  FROM range(?) t(i)
), shaped AS (
  SELECT *,
    1 + least({QUEUES - 1}, floor({QUEUES} * pow(u1, 1.8)))::INT AS q,
    floor(u2 * {WEEKS})::INT AS week,
    CASE WHEN u3 < .22 THEN 0 WHEN u3 < .41 THEN 1 WHEN u3 < .59 THEN 2 WHEN u3 < .76 THEN 3
         WHEN u3 < .91 THEN 4 WHEN u3 < .97 THEN 5 ELSE 6 END AS dow,
    least(20.9, greatest(7.0, CASE WHEN u4 < .55 THEN 10.5 ELSE 14.5 END
        + 1.7 * sqrt(-2 * ln(u5)) * cos(2 * pi() * u6))) AS hour,
    sqrt(-2 * ln(u7)) * cos(2 * pi() * u8) AS z
  FROM u
), timed AS (
  SELECT *,
    CASE WHEN q <= 14 THEN 'voice' WHEN q <= 17 THEN 'chat' ELSE 'email' END AS channel,
    TIMESTAMPTZ '{START.isoformat()}' + to_seconds((week * 7 + dow) * 86400 + hour * 3600)
      AS enq,
    CASE WHEN u9 < .05 THEN 'abandoned' WHEN u9 < .06 THEN 'flowed_out'
         WHEN u9 < .07 THEN 'callback' WHEN u9 < .075 THEN 'exited' ELSE 'answered' END
      AS outcome
  FROM shaped
), measured AS (
  SELECT *,
    CASE WHEN outcome = 'abandoned' THEN -40 * ln(u10)
         WHEN channel = 'email' THEN -3600 * ln(u10) ELSE -25 * ln(u10) END AS wait,
    CASE WHEN outcome = 'answered' THEN exp(ln(CASE channel WHEN 'voice' THEN 240
         WHEN 'chat' THEN 540 ELSE 360 END) - 0.18 + 0.6 * z) ELSE 0 END AS talk,
    CASE WHEN outcome = 'answered' AND u6 < .2 THEN 15 + 75 * u5 ELSE 0 END AS hold,
    CASE WHEN outcome = 'answered' THEN 10 + 50 * u4 ELSE 0 END AS acw
  FROM timed
)
SELECT
  'c' || i, 1, printf('q%02d', q), channel, 'inbound',
  'cust' || floor(pow(u2 * u3, 1.2) * 3000000)::BIGINT,
  CASE WHEN u8 < .1 THEN 'vip' ELSE 'standard' END, printf('t%02d', q),
  enq - INTERVAL 15 SECOND, enq,
  CASE WHEN outcome = 'answered' THEN printf('a%03d', ((q - 1) * 20 + floor(u5 * 20))::INT)
  END,
  CASE WHEN outcome = 'answered' THEN enq + to_seconds(wait) END,
  CASE WHEN outcome = 'answered' THEN enq + to_seconds(wait) END,
  CASE WHEN outcome = 'abandoned' THEN enq + to_seconds(wait) END,
  enq + to_seconds(wait + talk + hold + acw),
  wait, talk, hold, acw,
  CASE WHEN outcome = 'answered' THEN 1 ELSE 0 END, outcome,
  false, outcome = 'answered' AND u7 < .03, outcome = 'callback',
  CASE WHEN outcome = 'answered' THEN u1 < .8 END, 'ended', NULL,
  CASE WHEN outcome = 'answered' THEN enq + to_seconds(wait + talk + hold) END, i,
  CASE WHEN outcome = 'answered' THEN talk + hold END,
  CASE WHEN channel = 'voice' THEN (u9 * 40)::INT % 3 END,
  CASE WHEN channel = 'voice' THEN round(wait * (0.5 + u2), 1) END,
  CASE WHEN channel = 'voice' THEN 'queue_length' END,
  CASE WHEN outcome = 'answered' AND u7 < .03 THEN
       CASE WHEN u6 < .3 THEN 'escalation' ELSE 'blind' END END,
  NULL
FROM measured
"""

INTERVALS_SQL = f"""
INSERT INTO agent_state_intervals
WITH slots AS (
  SELECT a, d, j, random() AS u
  FROM range({AGENTS}) ta(a), range({WEEKS * 7}) td(d), range(86) tj(j)
  WHERE d % 7 < 5 OR a % 4 = 0
), shaped AS (
  SELECT *, TIMESTAMPTZ '{START.isoformat()}' + to_seconds(d * 86400 + 8 * 3600 + (a % 8) * 900
         + j * 335) AS t0, 180 + 120 * u AS busy
  FROM slots
)
SELECT printf('a%03d', a), (a * 100000 + d * 1000 + j) * 3 + k,
       ['busy', 'after_call_work', 'available'][k + 1], t0 + to_seconds(o), NULL,
       t0 + to_seconds(o + len), len
FROM shaped, LATERAL (SELECT k,
    CASE k WHEN 0 THEN 0 WHEN 1 THEN busy ELSE busy + 30 END AS o,
    CASE k WHEN 0 THEN busy WHEN 1 THEN 30 ELSE 335 - busy - 30 END AS len
  FROM range(3) tk(k))
"""

BARE_SQL = """
SELECT time_bucket(INTERVAL 30 MINUTE, enqueued_at) AS interval, queue_id, count(*) AS n,
       sum(wait_s), sum(talk_s), sum(hold_s), sum(acw_s)
FROM contact_facts GROUP BY ALL
"""


def dimensions() -> Dimensions:
    """20 queues with a mix of the three service-level formulas; 400 agents."""
    formulas = list(ServiceLevelFormula)
    policies = {
        f"q{q:02d}": ServiceLevelPolicy(
            threshold_s=[20.0, 30.0, 60.0, 86400.0][q % 4 if q <= 17 else 3],
            formula=formulas[q % 3],
            exclude_short_abandons=q % 2 == 0,
            include_flow_outs=q % 5 == 0,
        )
        for q in range(1, QUEUES + 1)
    }
    agents = {f"a{a:03d}": (f"team{a // 25}", f"site{a % 3}", 20.0 + a % 10) for a in range(400)}
    return Dimensions(policies, agents)


EMAIL_QUEUES = [f"q{q:02d}" for q in range(18, QUEUES + 1)]
"""The e-mail queues of the generated facts (:func:`generate`)."""


def with_hours(dims: Dimensions) -> Dimensions:
    """``dims`` with opening hours on the e-mail queues, as ``Dimensions.from_center`` gives
    a center whose e-mail queues have ``hours``."""
    weekday = ((time_of_day(8), time_of_day(20)),)
    hours = OpeningHours(
        TIMEZONE,
        {
            **dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), weekday),
            "sat": ((time_of_day(9), time_of_day(13)),),
        },
        frozenset({date(2026, 4, 3)}),
    )
    return replace(dims, hours=dict.fromkeys(EMAIL_QUEUES, hours))


def generate(path: Path, rows: int) -> dict[str, Any]:
    """Write the synthetic warehouse; return its row counts and the seconds it took."""
    t = time.perf_counter()
    wh = DuckDbWarehouse(path)
    con = wh.connection
    con.execute("SELECT setseed(0.42)")
    con.execute(FACTS_SQL, [rows])
    con.execute(INTERVALS_SQL)
    counts = wh.counts()
    wh.close()
    return {
        "facts": counts.contact_facts,
        "agent_intervals": counts.agent_state_intervals,
        "generate_s": round(time.perf_counter() - t, 2),
    }


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def pandas_report(con: duckdb.DuckDBPyConnection, dims: Dimensions) -> tuple[float, float, Any]:
    """The standard metrics in plain pandas: (read seconds, compute seconds, result frame)."""
    import pandas as pd

    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3 deprecations inside DuckDB's .df()
        df = con.execute(
            "SELECT queue_id, enqueued_at, outcome, wait_s, talk_s, hold_s, acw_s, "
            "transferred_out FROM contact_facts"
        ).df()
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    pol = pd.DataFrame(
        [
            {
                "queue_id": q,
                "thr": p.threshold_s,
                "short": p.short_abandon_s,
                "excl": p.exclude_short_abandons,
                "flow": p.include_flow_outs,
                "formula": p.formula.value,
            }
            for q, p in dims.policies.items()
        ]
    )
    df = df.merge(pol, on="queue_id", how="left")
    local = df["enqueued_at"].dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    df["interval"] = local.dt.floor("30min")
    ans = df["outcome"] == "answered"
    aband = df["outcome"] == "abandoned"
    short = aband & (df["wait_s"] < df["short"])
    counted = aband & ~(short & df["excl"])
    flow = (df["outcome"] == "flowed_out") & df["flow"]
    offered = ans | counted | flow
    within = ans & (df["wait_s"] <= df["thr"])
    ab_within = counted & (df["wait_s"] <= df["thr"])
    met = within | (ab_within & (df["formula"] == "abandons_within_met"))
    den = (ans & (df["formula"] == "abandons_excluded")) | (
        offered & (df["formula"] != "abandons_excluded")
    )
    cols = pd.DataFrame(
        {
            "interval": df["interval"],
            "queue_id": df["queue_id"],
            "offered": offered,
            "answered": ans,
            "abandoned": counted,
            "short_abandoned": short,
            "sl_num": met,
            "sl_den": den,
            "wait": df["wait_s"].where(ans, 0.0),
            "handle": (df["talk_s"] + df["hold_s"] + df["acw_s"]).where(ans, 0.0),
            "transferred": ans & df["transferred_out"],
        }
    )
    g = cols.groupby(["interval", "queue_id"], sort=True).sum()
    g["service_level"] = g["sl_num"] / g["sl_den"].where(g["sl_den"] > 0)
    g["asa_s"] = g["wait"] / g["answered"].where(g["answered"] > 0)
    g["abandon_rate"] = g["abandoned"] / g["offered"].where(g["offered"] > 0)
    g["aht_s"] = g["handle"] / g["answered"].where(g["answered"] > 0)
    g["transfer_rate"] = g["transferred"] / g["answered"].where(g["answered"] > 0)
    return read_s, time.perf_counter() - t, g


def agreement(rows: list[dict[str, Any]], frame: Any) -> dict[str, Any]:
    """Do pandas and the catalog agree, row by row (interval, queue)?"""
    ours = {(r["interval_start"].replace(tzinfo=None), r["queue"]): r for r in rows}
    worst = 0.0
    same_counts = len(ours) == len(frame)
    for key, p in zip(frame.index, frame.to_dict("records"), strict=True):
        r = ours.get((key[0].to_pydatetime(), key[1]))
        if r is None:
            same_counts = False
            continue
        same_counts &= (r["offered"], r["answered"], r["abandoned"]) == (
            p["offered"],
            p["answered"],
            p["abandoned"],
        )
        for metric in ("service_level", "asa_s", "aht_s"):
            a, b = r[metric], p[metric]
            if a is not None and b == b:  # b == b: not NaN
                worst = max(worst, abs(a - b))
    return {"counts_equal": same_counts, "max_abs_diff_sl_asa_aht": worst}


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="DuckDB file to reuse / keep")
    parser.add_argument("--no-pandas", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = args.keep or Path(tmp.name) / "bench.duckdb"
    out: dict[str, Any] = {"benchmark": "report", "machine": platform.machine()}
    out["data"] = generate(path, args.rows) if not path.exists() else {"reused": str(path)}
    wh = DuckDbWarehouse(path)
    con = ibis.duckdb.from_connection(wh.connection)
    dims = dimensions()
    end = START + timedelta(weeks=WEEKS)
    spec = ReportSpec("30m", ("queue",), START, end, fcr=False, percentiles=False)
    bare_s, bare = best(lambda: wh.connection.execute(BARE_SQL).fetchall(), args.repeat)

    def first_run() -> Any:
        cache = FileSqlCache(Path(tempfile.mkdtemp(dir=tmp.name)))
        return compiled.run(wh, spec, dims, TIMEZONE, cache)

    first_s, _ = best(first_run, args.repeat)
    cache = FileSqlCache(Path(tmp.name) / "report-sql")
    compiled.run(wh, spec, dims, TIMEZONE, cache)
    cat_s, report = best(lambda: compiled.run(wh, spec, dims, TIMEZONE, cache), args.repeat)
    hours = with_hours(dims)
    compiled.run(wh, spec, hours, TIMEZONE, cache)
    hours_s, _ = best(lambda: compiled.run(wh, spec, hours, TIMEZONE, cache), args.repeat)
    fcr_spec = ReportSpec("30m", ("queue",), START, end, fcr=True, percentiles=False)
    fcr_s, _ = best(lambda: run(con, fcr_spec, dims, TIMEZONE), 1)
    pct_spec = ReportSpec("30m", ("queue",), START, end, fcr=False, percentiles=True)
    pct_s, _ = best(lambda: run(con, pct_spec, dims, TIMEZONE), 1)
    agent_spec = ReportSpec("30m", (), START, end, fcr=False, percentiles=False)
    agents_s, agents = best(lambda: run(con, agent_spec, dims, TIMEZONE), 1)
    out["timings_s"] = {
        "bare_duckdb_group_by": round(bare_s, 3),
        "catalog_interval_x_queue": round(cat_s, 3),
        "catalog_interval_x_queue_first_run": round(first_s, 3),
        "catalog_interval_x_queue_business_hours": round(hours_s, 3),
        "catalog_interval_x_queue_with_fcr": round(fcr_s, 3),
        "catalog_interval_x_queue_with_percentiles": round(pct_s, 3),
        "catalog_interval_with_agent_metrics": round(agents_s, 3),
    }
    out["rows"] = {"bare": len(bare), "catalog": len(report.rows), "agents": len(agents.rows)}
    out["ratio_catalog_to_bare"] = round(cat_s / bare_s, 2)
    out["ratio_catalog_first_run_to_bare"] = round(first_s / bare_s, 2)
    out["peak_rss_mb_after_catalog"] = round(rss_mb(), 1)
    out["limits"] = {"catalog_s": 10, "ratio_to_bare": 4, "rss_mb": 4096}
    out["within_limits"] = cat_s <= 10 and cat_s / bare_s <= 4 and rss_mb() < 4096
    if not args.no_pandas:
        read_s, pandas_s, frame = pandas_report(wh.connection, dims)
        out["timings_s"]["pandas_read"] = round(read_s, 3)
        out["timings_s"]["pandas_metrics"] = round(pandas_s, 3)
        out["rows"]["pandas"] = len(frame)
        out["pandas_agrees"] = agreement(report.rows, frame)
        out["ratio_pandas_to_catalog"] = round((read_s + pandas_s) / cat_s, 2)
        out["ratio_pandas_metrics_only_to_catalog"] = round(pandas_s / cat_s, 2)
    out["peak_rss_mb"] = round(rss_mb(), 1)
    wh.close()
    tmp.cleanup()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
