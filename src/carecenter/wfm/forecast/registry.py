"""Every forecasting model by name, with its default settings."""

from __future__ import annotations

from collections.abc import Callable

from carecenter.wfm.forecast.daily_shape import DailyShape
from carecenter.wfm.forecast.harmonic import HarmonicRegression
from carecenter.wfm.forecast.models import SeasonalNaive, VolumeModel, WeekdayProfile

MODEL_FACTORIES: dict[str, Callable[[], VolumeModel]] = {
    "seasonal-naive": SeasonalNaive,
    "profile": WeekdayProfile,
    "weekday-mean": lambda: WeekdayProfile(8, name="weekday-mean"),
    "daily-shape": DailyShape,
    "harmonic": HarmonicRegression,
}

BASELINES = ("seasonal-naive", "weekday-mean")
"""The benchmarks a stronger model has to beat: the same interval last week, and the plain mean
of the same weekday and interval over the last 8 weeks."""


def model_names() -> tuple[str, ...]:
    return tuple(MODEL_FACTORIES)


def make_model(name: str) -> VolumeModel:
    """The model called ``name`` with default settings; KeyError for an unknown name."""
    try:
        factory = MODEL_FACTORIES[name]
    except KeyError:
        raise KeyError(
            f"unknown model {name!r}; choose one of {', '.join(MODEL_FACTORIES)}"
        ) from None
    return factory()
