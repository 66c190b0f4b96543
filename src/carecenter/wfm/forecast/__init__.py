"""Volume and handle-time forecasting for contact-center intervals (pure numpy/scipy).

Arrays in, arrays out: a :class:`DayMatrix` of open days x intraday slots goes into a model,
the rolling-origin :func:`backtest` scores models (WAPE, MASE per horizon day), and the
backtest residuals of the chosen model give the prediction intervals.
"""

from carecenter.wfm.forecast.aht import aht_profile
from carecenter.wfm.forecast.backtest import (
    BacktestResult,
    backtest,
    best_model,
    mase,
    rolling_origins,
    wape,
)
from carecenter.wfm.forecast.calendar import BUSINESS_WEEK, OpenWeek, SlotGrid
from carecenter.wfm.forecast.daily_shape import DailyShape
from carecenter.wfm.forecast.harmonic import HarmonicRegression
from carecenter.wfm.forecast.intervals import (
    calibrated_interval,
    poisson_interval,
    residual_interval,
)
from carecenter.wfm.forecast.models import (
    NotEnoughHistoryError,
    SeasonalNaive,
    VolumeModel,
    WeekdayProfile,
)
from carecenter.wfm.forecast.registry import BASELINES, make_model, model_names
from carecenter.wfm.forecast.series import DayMatrix

__all__ = [
    "BASELINES",
    "BUSINESS_WEEK",
    "BacktestResult",
    "DailyShape",
    "DayMatrix",
    "HarmonicRegression",
    "NotEnoughHistoryError",
    "OpenWeek",
    "SeasonalNaive",
    "SlotGrid",
    "VolumeModel",
    "WeekdayProfile",
    "aht_profile",
    "backtest",
    "best_model",
    "calibrated_interval",
    "make_model",
    "mase",
    "model_names",
    "poisson_interval",
    "residual_interval",
    "rolling_origins",
    "wape",
]
