"""Benchmark: carecenter forecasting vs statsmodels on the US bank 5-minute call counts.

Rolling-origin backtest, one week (5 business days) ahead, over the last 9 weeks of the shared
file (9 weekly origins), at 30-minute intervals (with the peer) and at the file's own 5 minutes
(carecenter only). Reports WAPE and the coverage of the 50/80/95 % prediction intervals per
model, the model ``auto`` chooses and its improvement over the two baselines (fractions).
carecenter's models run in this process; the peer (statsmodels MSTL decomposition +
simple exponential smoothing of the seasonally adjusted series, and Holt-Winters with a weekly
season) runs in a separate virtual environment, ``bench/.venv-peer-forecast``, created on the
first run (statsmodels is never a project dependency). Prints one JSON document.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_forecast.py [--no-peer]

One BLAS thread gives stable timings on a busy machine (numpy and statsmodels alike).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

import numpy as np

from carecenter.adapters.interval_csv import iter_interval_rows
from carecenter.services.forecasting import build_series
from carecenter.wfm.forecast import (
    BASELINES,
    BacktestResult,
    DayMatrix,
    backtest,
    best_model,
    make_model,
    model_names,
    rolling_origins,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "callcenter" / "us_bank_calls_5min_2003.csv"
PEER_VENV = ROOT / "bench" / ".venv-peer-forecast"
INTERVAL_S = 1800
HORIZON = 5
ORIGINS = 9

PEER_CODE = r"""
import json, sys, time, warnings
import numpy as np
import statsmodels
from statsmodels.tsa.holtwinters import ExponentialSmoothing, SimpleExpSmoothing
from statsmodels.tsa.seasonal import MSTL

warnings.simplefilter("ignore")
values = np.load(sys.argv[1])
origins = json.loads(sys.argv[2])
horizon = int(sys.argv[3])
slots = values.shape[1]
week = 5 * slots
steps = horizon * slots

def mstl_ses(train):
    y = train[-8 * 5:].ravel()
    fit = MSTL(y, periods=(slots, week)).fit()
    seasonal = fit.seasonal.sum(axis=1)
    level = SimpleExpSmoothing(y - seasonal, initialization_method="estimated").fit()
    return level.forecast(steps) + seasonal[-week:][:steps]

def holt_winters(train):
    y = train[-8 * 5:].ravel()
    fit = ExponentialSmoothing(
        y, seasonal="mul", seasonal_periods=week, initialization_method="estimated"
    ).fit()
    return fit.forecast(steps)

out = []
for name, model in (("MSTL+SES", mstl_ses), ("Holt-Winters (weekly season)", holt_winters)):
    start = time.perf_counter()
    err = vol = 0.0
    for o in origins:
        forecast = np.maximum(model(values[:o]), 0).reshape(horizon, slots)
        actual = values[o:o + horizon]
        err += float(np.abs(actual - forecast).sum())
        vol += float(actual.sum())
    seconds = time.perf_counter() - start
    impl = f"statsmodels {statsmodels.__version__}"
    wape = round(err / vol, 4)
    out.append({"impl": impl, "model": name, "wape": wape, "seconds": round(seconds, 3)})
print(json.dumps(out))
"""


def load(interval_s: int | None = INTERVAL_S) -> DayMatrix:
    (series,) = build_series(iter_interval_rows(DATA), interval_s, source=str(DATA))
    return series.calls


def ours(history: DayMatrix, origins: list[int]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per model: WAPE, coverage and seconds; and the ``auto`` choice against the baselines."""
    results = []
    scored: list[BacktestResult] = []
    for name in model_names():
        start = time.perf_counter()
        result = backtest(history, make_model(name), HORIZON, origins)
        seconds = time.perf_counter() - start
        scored.append(result)
        row: dict[str, Any] = {"impl": "carecenter", "model": name, "wape": round(result.wape, 4)}
        for level, share in sorted(result.coverage.items()):
            row[f"coverage_{round(level * 100)}"] = round(share, 4)
        row["seconds"] = round(seconds, 3)
        results.append(row)
    chosen = best_model(scored)
    by_name = {r.model: r for r in scored}
    summary: dict[str, Any] = {"chosen": chosen.model, "wape": round(chosen.wape, 4)}
    for baseline in BASELINES:
        key = "improvement_vs_" + baseline.replace("-", "_")
        summary[key] = round(1 - chosen.wape / by_name[baseline].wape, 4)
    for level, share in sorted(chosen.coverage.items()):
        summary[f"coverage_{round(level * 100)}"] = round(share, 4)
    return results, summary


def peer_python() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        venv.create(PEER_VENV, with_pip=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "statsmodels"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return python


def peer(history: DayMatrix, origins: list[int]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        matrix = Path(tmp) / "calls.npy"
        np.save(matrix, history.values)
        done = subprocess.run(
            [str(peer_python()), "-c", PEER_CODE, str(matrix), json.dumps(origins), str(HORIZON)],
            check=True,
            capture_output=True,
            text=True,
        )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def main(argv: list[str]) -> int:
    if not DATA.exists():
        print(json.dumps({"benchmark": "forecast", "skipped": f"{DATA} is absent"}))
        return 0
    history = load()
    origins = rolling_origins(history.days, HORIZON, history.week_length, ORIGINS, 10)
    results, summary = ours(history, origins)
    if "--no-peer" not in argv:
        results += peer(history, origins)
    five = load(None)
    five_results, five_summary = ours(five, origins)
    report = {
        "benchmark": "forecast",
        "data": DATA.name,
        "interval_s": INTERVAL_S,
        "horizon_days": HORIZON,
        "origins": len(origins),
        "metric": "WAPE pooled over all origins; coverage = share of actual counts inside the "
        "prediction interval; improvements are 1 - WAPE / baseline WAPE; seconds = whole backtest",
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "chosen_30min": summary,
        "results": results,
        "chosen_5min": five_summary,
        "results_5min": five_results,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
