"""Forecast use cases: interval history in, volume and AHT forecast per queue and interval out.

``forecast_from_csv`` loads a history, aggregates it to the chosen interval, excludes special
days, backtests the models on rolling origins, picks the best by WAPE (``model="auto"``) and
forecasts the next days with prediction intervals from the backtest residuals.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from carecenter.adapters.interval_csv import (
    DEFAULT_DAY_ORIGIN,
    FORECAST_COLUMNS,
    IntervalRow,
    SpecialDay,
    iter_interval_rows,
    read_special_days,
    write_forecast_csv,
)
from carecenter.errors import InputError
from carecenter.wfm.forecast import (
    BacktestResult,
    DayMatrix,
    NotEnoughHistoryError,
    OpenWeek,
    SlotGrid,
    aht_profile,
    backtest,
    best_model,
    make_model,
    model_names,
    poisson_interval,
    residual_interval,
    rolling_origins,
)
from carecenter.wfm.forecast.calendar import base_interval, second_of_day
from carecenter.wfm.forecast.series import FloatArray

__all__ = [
    "FORECAST_COLUMNS",
    "ForecastOptions",
    "ForecastReport",
    "build_series",
    "forecast_from_csv",
    "forecast_queue",
    "special_days",
    "write_forecast",
]

AUTO = "auto"
MIN_TRAIN_WEEKS = 2


@dataclass(frozen=True)
class ForecastOptions:
    """What to forecast and how; ``interval_s=None`` keeps the history's own interval."""

    interval_s: int | None = None
    horizon_days: int = 7
    model: str = AUTO
    origins: int = 12
    level: float = 0.8
    special_days: tuple[SpecialDay, ...] = ()
    day_origin: date | None = None
    """Date of day 0 of a day-index history [default: 3 March 2003, the US bank series]."""
    compare_all: bool = False
    """Backtest every model even when ``model`` names one (for the backtest table)."""


@dataclass(frozen=True)
class QueueSeries:
    """The history of one queue on its grid of open days x slots."""

    queue: str
    days: list[date]
    week: OpenWeek
    grid: SlotGrid
    calls: DayMatrix
    aht_calls: DayMatrix | None
    """Calls whose handle time is known (the weights of the AHT profile)."""
    handle_s: FloatArray | None
    excluded: list[date]
    missing: list[date]
    partial_slots: int


@dataclass(frozen=True)
class QueueForecast:
    queue: str
    model: str
    rows: list[dict[str, Any]]
    backtests: list[BacktestResult]


@dataclass(frozen=True)
class ForecastReport:
    forecasts: list[QueueForecast]
    notes: list[str] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """Forecast rows: queue, interval_start, calls, calls_lo, calls_hi, aht_s, interval_s."""
        return [row for f in self.forecasts for row in f.rows]

    def backtest_rows(self) -> list[dict[str, Any]]:
        """One row per queue and model: WAPE, MASE and WAPE per horizon day."""
        return [_backtest_row(f, r) for f in self.forecasts for r in f.backtests]


def check_model(name: str) -> str:
    if name != AUTO and name not in model_names():
        choices = ", ".join((AUTO, *model_names()))
        raise InputError(f"unknown model {name!r}; choose one of {choices}", field="--model")
    return name


def forecast_from_csv(path: Path, options: ForecastOptions) -> ForecastReport:
    """The ``carecenter forecast`` use case on a CSV history."""
    check_model(options.model)
    rows = iter_interval_rows(path, day_origin=options.day_origin or DEFAULT_DAY_ORIGIN)
    series = build_series(rows, options.interval_s, options.special_days, source=str(path))
    forecasts: list[QueueForecast] = []
    notes: list[str] = []
    for one in series:
        notes.extend(_series_notes(one))
        forecast, more = forecast_queue(one, options)
        forecasts.append(forecast)
        notes.extend(more)
    return ForecastReport(forecasts, notes)


def special_days(holidays: Path | None, dates: Iterable[date] = ()) -> tuple[SpecialDay, ...]:
    """Special days from a holidays file and from single dates."""
    days = [SpecialDay(d) for d in dates]
    if holidays is not None:
        days.extend(read_special_days(holidays))
    return tuple(days)


def write_forecast(report: ForecastReport, output: Path) -> int:
    """Write the forecast rows of ``report`` as CSV; returns the number of rows."""
    return write_forecast_csv(output, report.rows())


def build_series(
    rows: Iterable[IntervalRow],
    interval_s: int | None,
    special_days: Sequence[SpecialDay] = (),
    *,
    source: str = "history",
) -> list[QueueSeries]:
    """Group rows by queue and lay each queue out on its open days x slots grid."""
    cells: dict[str, dict[tuple[date, int], list[float]]] = defaultdict(dict)
    for row in rows:
        handle = row.calls * row.aht_s if row.aht_s is not None else math.nan
        cells[row.queue][(row.start.date(), second_of_day(row.start))] = [row.calls, handle]
    if not cells:
        raise InputError("the history holds no rows", file=source)
    excluded = {s.day for s in special_days}
    return [_queue_series(q, c, interval_s, excluded, source) for q, c in sorted(cells.items())]


def _queue_series(
    queue: str,
    cells: dict[tuple[date, int], list[float]],
    interval_s: int | None,
    excluded: set[date],
    source: str,
) -> QueueSeries:
    seconds = sorted({s for _, s in cells})
    base = base_interval(seconds)
    step = _target_interval(base, interval_s, source)
    grid = SlotGrid.covering(seconds, step)
    present = {d for d, _ in cells}
    week = OpenWeek.from_dates(present)
    days = week.days_between(min(present), max(present))
    row_of = {d: i for i, d in enumerate(days)}
    calls = np.zeros((len(days), grid.count))
    handle = np.zeros_like(calls)
    known = np.zeros_like(calls)
    for (day, sec), (n, h) in cells.items():
        i, k = row_of[day], grid.index(sec)
        calls[i, k] += n
        if not math.isnan(h):
            handle[i, k] += h
            known[i, k] += n
    skip = [d for d in days if d not in present or d in excluded]
    for d in skip:
        calls[row_of[d]] = handle[row_of[d]] = known[row_of[d]] = math.nan
    has_aht = bool(np.nansum(known) > 0)
    first = week.position(days[0])
    return QueueSeries(
        queue=queue,
        days=days,
        week=week,
        grid=grid,
        calls=DayMatrix(calls, week.length, first),
        aht_calls=DayMatrix(known, week.length, first) if has_aht else None,
        handle_s=handle if has_aht else None,
        excluded=[d for d in skip if d in excluded],
        missing=[d for d in skip if d not in excluded],
        partial_slots=_partial_slots(seconds, grid, base),
    )


def _target_interval(base: int, interval_s: int | None, source: str) -> int:
    if interval_s is None:
        return base
    if interval_s % base:
        raise InputError(
            f"cannot aggregate {base // 60} min intervals to {interval_s / 60:g} min "
            "(use a multiple of the history's interval)",
            file=source,
            field="--interval",
        )
    return interval_s


def _partial_slots(seconds: Sequence[int], grid: SlotGrid, base: int) -> int:
    per_slot = grid.interval_s // base
    seen: dict[int, int] = defaultdict(int)
    for sec in seconds:
        seen[grid.index(sec)] += 1
    return sum(1 for n in seen.values() if n < per_slot)


def forecast_queue(
    series: QueueSeries, options: ForecastOptions
) -> tuple[QueueForecast, list[str]]:
    """Backtest, choose a model and forecast one queue; returns the forecast and notes."""
    notes: list[str] = []
    ahead = series.week.days_after(series.days[-1], options.horizon_days)
    horizon = max(1, len(ahead))
    results = _backtests(series, options, horizon)
    chosen = _choose(series.queue, options.model, results, notes)
    try:
        mean = np.maximum(make_model(chosen).predict(series.calls, horizon), 0.0)
    except NotEnoughHistoryError as exc:
        raise InputError(f"queue {series.queue}: {exc}") from exc
    result = next((r for r in results if r.model == chosen), None)
    if result is not None and any(r.size for r in result.residuals):
        lo, hi = residual_interval(mean, result.residuals, options.level)
    else:
        notes.append(f"queue {series.queue}: no backtest possible; Poisson prediction intervals")
        lo, hi = poisson_interval(mean, options.level)
    scale = np.asarray(_factors(series.queue, ahead, options.special_days, notes))[:, None]
    bands = (mean[: len(ahead)] * scale, lo[: len(ahead)] * scale, hi[: len(ahead)] * scale)
    rows = _rows(series, ahead, bands, _aht(series, horizon))
    return QueueForecast(series.queue, chosen, rows, results), notes


def _backtests(series: QueueSeries, options: ForecastOptions, horizon: int) -> list[BacktestResult]:
    origins = rolling_origins(
        series.calls.days,
        horizon,
        series.week.length,
        options.origins,
        MIN_TRAIN_WEEKS * series.week.length,
    )
    if not origins:
        return []
    everything = options.model == AUTO or options.compare_all
    names = model_names() if everything else (options.model,)
    return [backtest(series.calls, make_model(name), horizon, origins) for name in names]


def _choose(queue: str, wanted: str, results: list[BacktestResult], notes: list[str]) -> str:
    if wanted != AUTO:
        return wanted
    scored = [r for r in results if not math.isnan(r.wape)]
    if not scored:
        notes.append(f"queue {queue}: history too short to backtest; using the profile model")
        return "profile"
    best = best_model(scored)
    notes.append(f"queue {queue}: model {best.model} (backtest WAPE {best.wape:.2%})")
    return best.model


def _aht(series: QueueSeries, horizon: int) -> FloatArray | None:
    if series.aht_calls is None or series.handle_s is None:
        return None
    return aht_profile(series.aht_calls, series.handle_s, horizon)


def _factors(
    queue: str, ahead: list[date], special: Sequence[SpecialDay], notes: list[str]
) -> list[float]:
    by_day = {s.day: s for s in special}
    factors = []
    for day in ahead:
        s = by_day.get(day)
        if s is not None and s.factor is None:
            notes.append(
                f"queue {queue}: special day {day} ({s.name or 'no name'}) is forecast as a "
                "normal day; give it a factor to scale it"
            )
        factors.append(1.0 if s is None or s.factor is None else s.factor)
    return factors


def _rows(
    series: QueueSeries,
    ahead: list[date],
    bands: tuple[FloatArray, FloatArray, FloatArray],
    aht: FloatArray | None,
) -> list[dict[str, Any]]:
    mean, lo, hi = (np.round(b, 2) for b in bands)
    rows = []
    for d, day in enumerate(ahead):
        for k, start in enumerate(series.grid.starts(day)):
            known = aht is not None and not math.isnan(aht[d, k])
            rows.append(
                {
                    "queue": series.queue,
                    "interval_start": start,
                    "calls": float(mean[d, k]),
                    "calls_lo": float(lo[d, k]),
                    "calls_hi": float(hi[d, k]),
                    "aht_s": round(float(aht[d, k]), 1) if aht is not None and known else None,
                    "interval_s": series.grid.interval_s,
                }
            )
    return rows


def _series_notes(series: QueueSeries) -> list[str]:
    notes = []
    q = series.queue
    if series.excluded:
        notes.append(f"queue {q}: {len(series.excluded)} special day(s) excluded from fitting")
    if series.missing:
        shown = ", ".join(str(d) for d in series.missing[:5])
        more = "" if len(series.missing) <= 5 else ", ..."
        notes.append(f"queue {q}: {len(series.missing)} open day(s) missing: {shown}{more}")
    if series.partial_slots:
        notes.append(
            f"queue {q}: {series.partial_slots} slot(s) of {series.grid.interval_s // 60} min "
            "are only partly covered by the history"
        )
    return notes


def _backtest_row(forecast: QueueForecast, result: BacktestResult) -> dict[str, Any]:
    row: dict[str, Any] = {
        "queue": forecast.queue,
        "model": result.model,
        "origins": len(result.origins),
        "wape": _round(result.wape),
        "mase": _round(result.mase),
    }
    for h, value in enumerate(result.wape_by_horizon, start=1):
        row[f"wape_d{h}"] = _round(value)
    row["chosen"] = "yes" if result.model == forecast.model else ""
    return row


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)
