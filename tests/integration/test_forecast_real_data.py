"""The forecast on real data: 120 weekdays of 5-minute call counts of a US bank (2003).

Skipped when ``../shared/data`` is not there (the file is not shipped with the repository).
"""

from __future__ import annotations

import pytest
from tests.helpers import SHARED_DATA

from carecenter.services.forecasting import ForecastOptions, forecast_from_csv

US_BANK = SHARED_DATA / "callcenter" / "us_bank_calls_5min_2003.csv"

pytestmark = pytest.mark.skipif(not US_BANK.exists(), reason=f"{US_BANK} is absent")

# one week (5 business days) ahead, 16 weekly rolling origins: days 40, 45, ..., 115
EXPECTED_WAPE = {
    None: {
        "seasonal-naive": 0.1130,
        "profile": 0.0937,
        "weekday-mean": 0.1002,
        "daily-shape": 0.0885,
        "harmonic": 0.0894,
    },
    1800: {
        "seasonal-naive": 0.0865,
        "profile": 0.0747,
        "weekday-mean": 0.0845,
        "daily-shape": 0.0722,
        "harmonic": 0.0755,
    },
}


@pytest.mark.parametrize("interval_s", [None, 1800], ids=["5min", "30min"])
def test_chosen_model_beats_seasonal_naive_and_the_profile(interval_s: int | None) -> None:
    options = ForecastOptions(interval_s=interval_s, horizon_days=7, origins=16, compare_all=True)
    report = forecast_from_csv(US_BANK, options)
    table = {row["model"]: row for row in report.backtest_rows()}
    assert {row["origins"] for row in table.values()} == {16}
    chosen = next(row for row in table.values() if row["chosen"] == "yes")
    assert chosen["wape"] < table["seasonal-naive"]["wape"]
    assert chosen["wape"] < table["profile"]["wape"]
    assert chosen["model"] == "daily-shape"
    for model, wape in EXPECTED_WAPE[interval_s].items():
        assert table[model]["wape"] == pytest.approx(wape, abs=1e-4)


def test_forecast_of_the_next_week_at_30_minutes() -> None:
    report = forecast_from_csv(US_BANK, ForecastOptions(interval_s=1800, origins=8))
    rows = report.rows()
    assert len(rows) == 5 * 29  # Monday-Friday, 07:00-21:00 in 30-minute slots
    assert rows[0]["interval_start"].isoformat() == "2003-08-18T07:00:00"
    assert {r["queue"] for r in rows} == {"all"}
    assert all(r["aht_s"] is None for r in rows)
    weekly = sum(r["calls"] for r in rows)
    assert 150_000 < weekly < 170_000  # the history's weeks hold 150-175 thousand calls
    assert all(r["calls_lo"] <= r["calls"] <= r["calls_hi"] for r in rows)


@pytest.mark.parametrize("interval_s", [None, 1800], ids=["5min", "30min"])
def test_last_nine_weeks_chosen_model_ten_percent_below_both_baselines(
    interval_s: int | None,
) -> None:
    # issue 8: rolling one week ahead over the last 9 weeks (origins 75, 80, ..., 115)
    options = ForecastOptions(interval_s=interval_s, horizon_days=7, origins=9, compare_all=True)
    table = {row["model"]: row for row in forecast_from_csv(US_BANK, options).backtest_rows()}
    chosen = next(row for row in table.values() if row["chosen"] == "yes")
    assert chosen["origins"] == 9
    for baseline in ("seasonal-naive", "weekday-mean"):
        assert chosen["wape"] <= 0.9 * table[baseline]["wape"]
    for level in (50, 80, 95):
        assert abs(chosen[f"coverage_{level}"] - level / 100) <= 0.02
    harmonic = table["harmonic"]["wape"]
    assert 0 < harmonic < 0.15  # bounded: no blow-up on the bank data
