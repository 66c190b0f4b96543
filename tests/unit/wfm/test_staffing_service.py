"""The staffing use cases: validation into InputError, models, rows for the interfaces."""

from __future__ import annotations

import math

import pytest

from carecenter.adapters.volumes_csv import InMemoryVolumes, VolumeRow
from carecenter.errors import InputError
from carecenter.services import staffing
from carecenter.wfm.staffing import StaffingTarget


def test_queue_measures_row_for_each_model() -> None:
    def run(model: str, **kwargs: float) -> dict[str, float]:
        return staffing.queue_measures(
            model, calls=360.0, interval_s=1800.0, aht_s=240.0, agents=55, **kwargs
        )

    c = run("c", threshold_s=15)
    assert c["agents"] == 55
    assert round(c["p_wait"], 4) == 0.2387
    assert list(c) == ["agents", *staffing.MEASURE_COLUMNS]
    a = run("a", patience_s=300)
    assert 0 < a["p_abandon"] < 0.02
    b = run("b")
    assert b["asa_s"] == 0.0
    assert b["p_wait"] == b["p_abandon"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"calls": -1.0}, "calls"),
        ({"aht_s": 0.0}, "aht"),
        ({"interval_s": 0.0}, "interval"),
        ({"agents": -1}, "agents"),
        ({"threshold_s": -3.0}, "threshold"),
        ({"patience_s": -3.0}, "patience"),
        ({"calls": math.nan}, "calls"),
    ],
)
def test_queue_measures_names_the_bad_field(kwargs: dict[str, float], field: str) -> None:
    args = {"calls": 10.0, "interval_s": 1800.0, "aht_s": 200.0, "agents": 3, "threshold_s": 20.0}
    args.update(kwargs)
    with pytest.raises(InputError) as info:
        staffing.queue_measures(
            "a",
            calls=args["calls"],
            interval_s=args["interval_s"],
            aht_s=args["aht_s"],
            agents=int(args["agents"]),
            threshold_s=args["threshold_s"],
            patience_s=args.get("patience_s", 60.0),
        )
    assert info.value.field == field
    assert info.value.exit_code == 2


def test_erlang_a_without_patience_is_an_input_error() -> None:
    with pytest.raises(InputError, match="patience"):
        staffing.queue_measures("a", calls=10, interval_s=1800, aht_s=200, agents=3)


def test_unknown_model() -> None:
    with pytest.raises(InputError, match="model"):
        staffing.queue_measures("x", calls=10, interval_s=1800, aht_s=200, agents=3)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"target_sl": 1.0}, "target_sl"),
        ({"threshold_s": -1.0}, "threshold"),
        ({"max_asa_s": 0.0}, "max_asa"),
        ({"max_abandon": 0.0}, "max_abandon"),
        ({"max_occupancy": 1.2}, "max_occupancy"),
    ],
)
def test_make_target_names_the_bad_field(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(InputError) as info:
        staffing.make_target(**kwargs)
    assert info.value.field == field


def test_staff_interval_uses_erlang_a_with_patience_and_c_without() -> None:
    target = staffing.make_target(target_sl=0.8, threshold_s=20)
    c = staffing.staff_interval(calls=360, interval_s=1800, aht_s=240, target=target)
    a = staffing.staff_interval(
        calls=360, interval_s=1800, aht_s=240, target=target, patience_s=120, shrinkage=0.3
    )
    assert c["model"] == "C"
    assert c["agents"] == 54
    assert c["scheduled_agents"] == 54
    assert a["model"] == "A"
    assert a["agents"] <= c["agents"]
    assert a["scheduled_agents"] == math.ceil(a["agents"] / 0.7)
    assert a["service_level"] >= 0.8


def test_staff_interval_rejects_bad_shrinkage() -> None:
    with pytest.raises(InputError) as info:
        staffing.staff_interval(
            calls=1, interval_s=1800, aht_s=240, target=StaffingTarget(), shrinkage=1.0
        )
    assert info.value.field == "shrinkage"


def test_staff_plan_picks_the_model_per_row() -> None:
    rows = [
        VolumeRow("billing", "2026-11-23T09:00", 360, 240),
        VolumeRow("billing", "2026-11-23T09:30", 0, 240),
        VolumeRow("cards", "2026-11-23T09:00", 200, 300, 900, patience_s=90),
    ]
    plan = staffing.staff_plan(InMemoryVolumes(rows), StaffingTarget(0.8, 20), shrinkage=0.25)
    assert [p["model"] for p in plan] == ["C", "C", "A"]
    assert [p["queue"] for p in plan] == ["billing", "billing", "cards"]
    assert plan[0]["agents"] == 54
    assert plan[0]["scheduled_agents"] == 72
    assert plan[1]["agents"] == 0
    assert plan[1]["service_level"] == 1.0
    assert plan[2]["service_level"] >= 0.8


def test_staff_plan_default_patience_applies_to_rows_without_one() -> None:
    rows = [VolumeRow("q", "t0", 360, 240), VolumeRow("q", "t1", 360, 240, patience_s=math.inf)]
    plan = staffing.staff_plan(InMemoryVolumes(rows), StaffingTarget(), default_patience_s=120)
    assert [p["model"] for p in plan] == ["A", "C"]


def test_staff_plan_of_nothing() -> None:
    assert staffing.staff_plan(InMemoryVolumes([]), StaffingTarget()) == []
