"""Average handle time forecast: the volume-weighted weekday x slot profile.

``AHT(p, k) = sum(calls * aht) / sum(calls)`` over the last ``weeks`` valid days at week
position ``p``, slot ``k``. Slots without calls there fall back to the volume-weighted mean of
that slot over all recent days, then to the overall mean; with no handle time at all the
forecast is NaN (unknown).
"""

from __future__ import annotations

import numpy as np

from carecenter.wfm.forecast.series import DayMatrix, FloatArray


def aht_profile(
    calls: DayMatrix, handle_s: FloatArray, horizon: int, *, weeks: int = 4
) -> FloatArray:
    """AHT per slot of the next ``horizon`` open days.

    ``handle_s`` has the shape of ``calls.values`` and holds the total handle time (calls x
    AHT) of each slot; NaN where the AHT is unknown.
    """
    known = calls.valid()[:, None] & ~np.isnan(handle_s) & (calls.values > 0)
    weight = np.where(known, calls.values, 0.0)
    handle = np.where(known, handle_s, 0.0)
    start = max(0, calls.days - weeks * calls.week_length)
    slot_mean = _ratio(handle[start:].sum(axis=0), weight[start:].sum(axis=0))
    total = _ratio(np.atleast_1d(handle.sum()), np.atleast_1d(weight.sum()))[0]
    out = np.empty((horizon, calls.slots), dtype=np.float64)
    for h in range(horizon):
        rows = calls.same_position_days(calls.days + h, weeks)
        own = _ratio(handle[rows].sum(axis=0), weight[rows].sum(axis=0))
        out[h] = np.where(np.isnan(own), slot_mean, own)
    return np.where(np.isnan(out), total, out)


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    out = np.full(num.shape, np.nan, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out
