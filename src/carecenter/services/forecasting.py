"""Forecast use cases: interval history in, volume and AHT forecast per queue and interval out.

``forecast_from_csv`` loads a history from a CSV file, ``forecast_from_warehouse`` reads it from
the workspace's warehouse (the metric catalog's offered and AHT per queue and interval, in the
center's time zone); both aggregate it to the chosen interval, exclude special days, backtest
the models on rolling origins, pick the best by WAPE (``model="auto"``) and forecast the next
days with prediction intervals from the backtest residuals.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
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
from carecenter.adapters.interval_history import DEFAULT_INTERVAL_S, read_interval_history
from carecenter.adapters.settings import Settings
from carecenter.domain.durations import divides_day, format_duration
from carecenter.domain.plans import PlanKind
from carecenter.errors import InputError, WorkspaceError
from carecenter.metrics.dims import Dimensions
from carecenter.services import plans
from carecenter.services.bootstrap import WorkspaceSource, opened
from carecenter.services.forecast_series import QueueSeries, build_series, series_notes
from carecenter.wfm.forecast import (
    BacktestResult,
    NotEnoughHistoryError,
    aht_profile,
    backtest,
    best_model,
    calibrated_interval,
    make_model,
    model_names,
    poisson_interval,
    residual_interval,
    rolling_origins,
)
from carecenter.wfm.forecast.calendar import OpenWeek
from carecenter.wfm.forecast.intervals import MIN_RESIDUALS
from carecenter.wfm.forecast.series import FloatArray

__all__ = [
    "FORECAST_COLUMNS",
    "ForecastOptions",
    "ForecastReport",
    "build_series",
    "forecast_from_csv",
    "forecast_from_warehouse",
    "forecast_queue",
    "save_forecast",
    "special_days",
    "warehouse_history",
    "write_forecast",
]

AUTO = "auto"
FALLBACK_MODEL = "profile"
"""The model of ``auto`` when no backtest could choose one (it forecasts from any data)."""
MIN_TRAIN_WEEKS = 2
STALE_DAYS = 28
"""A queue with no history in this many days before the forecast start is not forecast."""


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
class QueueForecast:
    queue: str
    model: str
    rows: list[dict[str, Any]]
    backtests: list[BacktestResult]


@dataclass(frozen=True)
class ForecastReport:
    forecasts: list[QueueForecast]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Queues skipped (no recent history) and weekdays that could not be forecast."""

    def rows(self) -> list[dict[str, Any]]:
        """Forecast rows: queue, interval_start, calls, calls_lo, calls_hi, aht_s, interval_s."""
        return [row for f in self.forecasts for row in f.rows]

    def backtest_rows(self) -> list[dict[str, Any]]:
        """One row per queue and model: WAPE, MASE and WAPE per horizon day."""
        return [_backtest_row(f, r) for f in self.forecasts for r in f.backtests]


def check_model(name: str) -> str:
    if name != AUTO and name not in model_names():
        choices = ", ".join((AUTO, *model_names()))
        raise InputError(f"unknown model {name!r}; choose one of {choices}", field="model")
    return name


def check_interval(interval_s: int | None) -> int | None:
    """``interval_s`` when intervals of it tile a day (or ``None``); else an input error."""
    if interval_s is not None and not divides_day(interval_s):
        raise InputError(
            f"intervals of {format_duration(interval_s)} do not divide a day "
            "(use e.g. 15m, 30m, 1h)",
            field="interval",
        )
    return interval_s


def forecast_from_csv(path: Path, options: ForecastOptions) -> ForecastReport:
    """The ``carecenter forecast`` use case on a CSV history."""
    check_model(options.model)
    check_interval(options.interval_s)
    rows = iter_interval_rows(path, day_origin=options.day_origin or DEFAULT_DAY_ORIGIN)
    series = build_series(rows, options.interval_s, options.special_days, source=str(path))
    return _forecast_series(series, options)


def forecast_from_warehouse(source: WorkspaceSource, options: ForecastOptions) -> ForecastReport:
    """The ``carecenter forecast`` use case on the workspace's warehouse.

    The catalog's offered contacts and AHT per queue and interval (``options.interval_s``,
    default 30 minutes) in the center's time zone; intervals inside opening hours with no
    visit count as zero calls.
    """
    check_model(options.model)
    step = check_interval(options.interval_s) or DEFAULT_INTERVAL_S
    rows = warehouse_history(source, step)
    settings = source if isinstance(source, Settings) else source.settings
    where = f"{settings.warehouse_path} (contact_facts)"
    if not rows:
        raise InputError("the warehouse holds no contact facts to forecast from", file=where)
    series = build_series(rows, step, options.special_days, source=where, native_s=step)
    return _forecast_series(series, options)


def warehouse_history(
    source: WorkspaceSource, interval_s: int = DEFAULT_INTERVAL_S
) -> list[IntervalRow]:
    """The interval history the forecast reads from the warehouse: per queue and interval of
    ``interval_s`` (center time), the metric catalog's offered and AHT (what ``carecenter
    report --by queue`` prints), zero-filled inside the opening hours of the days with data."""
    if isinstance(source, Settings) and not source.config_path.exists():
        raise WorkspaceError(
            f"{source.workspace}: not a carecenter workspace (no center.yaml); "
            "give --history FILE.csv or --workspace DIR"
        )
    with opened(source, read_only=True) as ws:
        center = ws.center.load()
        return read_interval_history(
            ws.warehouse.backend(),
            timezone=center.timezone if center else "UTC",
            interval_s=interval_s,
            hours={q.queue_id: q.hours for q in center.queues.values()} if center else None,
            dims=Dimensions.from_center(center),
        )


def _forecast_series(series: list[QueueSeries], options: ForecastOptions) -> ForecastReport:
    forecasts: list[QueueForecast] = []
    notes: list[str] = []
    warnings: list[str] = []
    last = max(one.days[-1] for one in series)
    start = OpenWeek.from_dates(d for one in series for d in one.days).next_open_day(last)
    weekdays = sorted({w for one in series for w in one.week.weekdays})
    for one in series:
        if (start - one.days[-1]).days > STALE_DAYS:
            warnings.append(
                f"queue {one.queue}: no history in the {STALE_DAYS} days before {start} "
                f"(last day {one.days[-1]}); not forecast"
            )
            continue
        notes.extend(series_notes(one))
        warnings.extend(_unforecastable_weekdays(one, weekdays, options.horizon_days))
        forecast, more = forecast_queue(one, options)
        forecasts.append(forecast)
        notes.extend(more)
    if not forecasts:
        raise InputError("no queue has history in the 4 weeks before the forecast start")
    return ForecastReport(forecasts, notes, warnings)


def _unforecastable_weekdays(series: QueueSeries, weekdays: list[int], horizon: int) -> list[str]:
    """A warning naming the weekdays of the horizon the queue has no history for.

    The weekdays a center opens are those seen in its history (of all queues); a history
    shorter than a week may lack some of them, which are then not forecast.
    """
    span = (series.days[-1] - series.days[0]).days + 1
    wanted = set(weekdays) | (set(range(5)) if span < 7 else set())
    first = series.days[-1] + timedelta(1)
    ahead = {(first + timedelta(i)).weekday() for i in range(horizon)}
    missing = sorted((wanted & ahead) - set(series.week.weekdays))
    if not missing:
        return []
    names = ", ".join(calendar.day_name[d] for d in missing)
    return [
        f"queue {series.queue}: the history ({span} day(s)) has no {names}; "
        "those days of the horizon are not forecast"
    ]


def special_days(holidays: Path | None, dates: Iterable[date] = ()) -> tuple[SpecialDay, ...]:
    """Special days from a holidays file and from single dates."""
    days = [SpecialDay(d) for d in dates]
    if holidays is not None:
        days.extend(read_special_days(holidays))
    return tuple(days)


def save_forecast(
    source: WorkspaceSource, report: ForecastReport, *, command: str
) -> plans.SavedPlan:
    """Save the forecast of ``report`` as the workspace's forecast plan (a new version that
    replaces the current plan of the same queues and intervals); ``command`` is recorded."""
    models = {f.queue: f.model for f in report.forecasts}
    return plans.save_plan(
        source,
        PlanKind.FORECAST,
        lambda zone: plans.forecast_plan_rows(report.rows(), models, zone),
        command=command,
        where="the forecast",
    )


def write_forecast(report: ForecastReport, output: Path) -> int:
    """Write the forecast rows of ``report`` as CSV; returns the number of rows."""
    return write_forecast_csv(output, report.rows())


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
        if options.model != AUTO or chosen == FALLBACK_MODEL:
            raise InputError(f"queue {series.queue}: model {chosen}: {exc}", field="model") from exc
        notes.append(f"queue {series.queue}: model {chosen}: {exc}; using the profile model")
        chosen = FALLBACK_MODEL
        mean = np.maximum(make_model(chosen).predict(series.calls, horizon), 0.0)
    result = next((r for r in results if r.model == chosen), None)
    if result is not None and result.calibration.size >= MIN_RESIDUALS:
        lo, hi = calibrated_interval(mean, result.calibration, options.level)
    elif result is not None and any(r.size for r in result.residuals):
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
        return FALLBACK_MODEL
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
    for level, share in sorted(result.coverage.items()):
        row[f"coverage_{round(level * 100)}"] = _round(share)
    row["chosen"] = "yes" if result.model == forecast.model else ""
    return row


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)
