"""Every forecasting model by name, with its default settings."""

from __future__ import annotations

from collections.abc import Callable

from carecenter.wfm.forecast.daily_shape import DailyShape
from carecenter.wfm.forecast.harmonic import HarmonicRegression
from carecenter.wfm.forecast.models import SeasonalNaive, VolumeModel, WeekdayProfile

MODEL_FACTORIES: dict[str, Callable[[], VolumeModel]] = {
    "seasonal-naive": SeasonalNaive,
    "profile": WeekdayProfile,
    "daily-shape": DailyShape,
    "harmonic": HarmonicRegression,
}

BASELINES = ("seasonal-naive", "profile")
"""The benchmarks a stronger model has to beat."""


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
