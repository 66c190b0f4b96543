"""``carecenter voc sample`` on a workspace built through the CLI: contacts with customers and
tiers from a ``csv`` import (source ``crm``: customer ``s7`` is ``crm:s7`` in the warehouse),
survey answers written to the workspace's warehouse, an opt-out in ``center.yaml``.

Period 2026-11-01 to 2026-11-30, UTC. Customers and their most recent contact in the period:

* vip / billing: v1-v4; vip / sales: v5
* standard / billing: s1-s6
* standard / sales: s7-s12, and m1 (billing on 11-02, then sales on 11-20: sales decides)
* o1 called on 10-31 and 12-01 only (not in the period); one contact has no customer.

Left out: s7 opted out (``survey_opt_out: true``); s8 answered a survey on 11-15 (by customer),
s9 on 11-20 (through the contact it was about). s10 answered in July: more than 90 days before.
Frames: vip/billing 4, vip/sales 1, standard/billing 6, standard/sales 4 (7 less 3): 15.

CSAT answers before the end of the period: s1 2, s2 4, v1 4, v2 5 (June), s8 1, s9 5, s10 3.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.projection import ProjectionState, SurveyAnswerRow
from carecenter.interfaces.cli.app import app

CENTER = """\
center: {name: Survey center, timezone: UTC}
skills: {billing: {}, sales: {}}
tiers:
  standard: {}
  vip: {priority: 10}
queues:
  billing: {skills: {billing: 1}}
  sales: {skills: {sales: 1}}
customers:
  "crm:s7": {survey_opt_out: true}
  "crm:v1": {tier: vip}
"""

MAPPING = """\
source: crm
columns:
  contact_id: id
  queue_id: queue
  customer_id: customer
  tier: tier
  enqueued_at: queued
"""

PERIOD = ("--from", "2026-11-01", "--to", "2026-11-30")


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _contacts() -> list[tuple[str, str, str, str, str]]:
    rows = [(f"v{i}", "vip", "billing", f"2026-11-{i + 2:02d}T10:00:00Z") for i in range(1, 5)]
    rows.append(("v5", "vip", "sales", "2026-11-09T10:00:00Z"))
    rows += [
        (f"s{i}", "standard", "billing", f"2026-11-{i + 2:02d}T11:00:00Z") for i in range(1, 7)
    ]
    rows += [(f"s{i}", "standard", "sales", f"2026-11-{i + 2:02d}T12:00:00Z") for i in range(7, 13)]
    rows += [
        ("m1", "standard", "billing", "2026-11-02T09:00:00Z"),
        ("m1", "standard", "sales", "2026-11-20T09:00:00Z"),
        ("o1", "vip", "billing", "2026-10-31T23:59:00Z"),
        ("o1", "vip", "billing", "2026-12-01T00:00:00Z"),
        ("", "standard", "billing", "2026-11-05T09:00:00Z"),
    ]
    return [(f"k{n}", q, c, t, at) for n, (c, t, q, at) in enumerate(rows)]


def _answer(n: int, score: int, at: datetime, **link: str) -> SurveyAnswerRow:
    return SurveyAnswerRow(f"survey{n}", "csat", score, 5, at, **link)


def _answers(contact_of: dict[str, str]) -> list[SurveyAnswerRow]:
    june = datetime(2026, 6, 1, 12, tzinfo=UTC)
    return [
        _answer(1, 2, june, customer_id="crm:s1"),
        _answer(2, 4, june, customer_id="crm:s2"),
        _answer(3, 4, june, customer_id="crm:v1"),
        _answer(4, 5, june, customer_id="crm:v2"),
        _answer(5, 1, datetime(2026, 11, 15, 9, tzinfo=UTC), customer_id="crm:s8"),
        _answer(6, 5, datetime(2026, 11, 20, 9, tzinfo=UTC), contact_id=contact_of["s9"]),
        _answer(7, 3, datetime(2026, 7, 1, 9, tzinfo=UTC), customer_id="crm:s10"),
    ]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("voc")
    ws = tmp / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "center.yaml").write_text(CENTER)
    code, _, err = cli("config", "apply", "-w", str(ws))
    assert code == 0, err
    contacts = _contacts()
    with (tmp / "contacts.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "queue", "customer", "tier", "queued"])
        out.writerows(contacts)
    (tmp / "mapping.yaml").write_text(MAPPING)
    code, _, err = cli(
        "import", "csv", str(tmp / "contacts.csv"), "--mapping", str(tmp / "mapping.yaml"),
        "-w", str(ws),
    )  # fmt: skip
    assert code == 0, err
    contact_of = {c: f"crm:{k}" for k, _, c, _, _ in contacts if c}
    warehouse = DuckDbWarehouse(ws / "warehouse.duckdb")
    try:
        state = ProjectionState()
        for a in _answers(contact_of):
            state.survey_answers[(a.survey_id, a.question)] = a
        warehouse.save_state(state, warehouse.checkpoint())
    finally:
        warehouse.close()
    return ws


def sample(ws: Path, *args: str) -> tuple[list[dict[str, object]], list[str]]:
    code, out, err = cli("voc", "sample", "-w", str(ws), *PERIOD, "--format", "json", *args)
    assert code == 0, err
    return json.loads(out), err.splitlines()


def test_everyone_eligible_once_with_the_exclusions(workspace: Path) -> None:
    rows, err = sample(workspace, "--strata", "tier,queue", "--size", "100")
    ids = [r["customer_id"] for r in rows]
    assert len(ids) == len(set(ids)) == 15
    assert not {"crm:s7", "crm:s8", "crm:s9", "crm:o1"} & set(ids)
    assert {"crm:s10", "crm:m1"} <= set(ids)
    m1 = next(r for r in rows if r["customer_id"] == "crm:m1")
    assert m1 == {
        "customer_id": "crm:m1",
        "stratum": "tier=standard;queue=sales",
        "weight": 1.0,
        "tier": "standard",
        "queue": "sales",
    }
    assert "tier=standard;queue=sales: population 7, excluded 3, sampled 4, weight 1" in err, err


def test_proportional_weights(workspace: Path) -> None:
    # 6 of 15: quotas 1.6, 0.4, 2.4, 1.6 -> 1, 0, 2, 1 and the 2 left to the .6s
    rows, err = sample(workspace, "--strata", "tier,queue", "--size", "6")
    by: dict[object, list[object]] = {}
    for r in rows:
        by.setdefault(r["stratum"], []).append(r["weight"])
    assert by == {
        "tier=standard;queue=billing": [3.0, 3.0],
        "tier=standard;queue=sales": [2.0, 2.0],
        "tier=vip;queue=billing": [2.0, 2.0],
    }
    assert "tier=vip;queue=sales: population 1, excluded 0, sampled 0, weight -" in err
    # the weights add up to the frames of the strata sampled: 15 less vip / sales's 1
    assert sum(float(str(r["weight"])) for r in rows) == 14


def test_same_seed_same_sample_and_csv_output(workspace: Path, tmp_path: Path) -> None:
    first, _ = sample(workspace, "--strata", "queue", "--size", "5", "--seed", "3")
    again, _ = sample(workspace, "--strata", "queue", "--size", "5", "--seed", "3")
    other, _ = sample(workspace, "--strata", "queue", "--size", "5", "--seed", "4")
    assert first == again and first != other
    out = tmp_path / "calls.csv"
    code, _, err = cli(
        "voc", "sample", "-w", str(workspace), *PERIOD, "--strata", "queue", "--size", "5",
        "--seed", "3", "--format", "csv", "--output", str(out),
    )  # fmt: skip
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert lines[0] == "customer_id,stratum,weight,queue" and len(lines) == 6


def test_neyman_by_csat_deviation(workspace: Path) -> None:
    # billing: 2, 4, 4, 5 -> s = 1.258; sales: 1, 5, 3 -> s = 2. Frames 10 and 5:
    # 12.58 : 10 of 9 -> 5.01, 3.99 -> 5 and 4 (proportional would be 6 and 3)
    rows, err = sample(workspace, "--strata", "queue", "--size", "9", "--allocation", "neyman")
    weights = {r["stratum"]: r["weight"] for r in rows}
    assert weights == {"queue=billing": 2.0, "queue=sales": 1.25}
    assert not any("proportional" in line for line in err[:-1])


def test_neyman_falls_back_to_proportional(workspace: Path) -> None:
    rows, err = sample(workspace, "--strata", "tier,queue", "--size", "6", "--allocation", "neyman")
    # CSAT answers: standard / billing 2 (s1, s2), standard / sales 3 (s8, s9, s10),
    # vip / billing 2 (v1, v2), vip / sales none
    assert err[0] == (
        "neyman: fewer than 2 CSAT answers in stratum tier=vip;queue=sales; "
        "allocated proportionally instead"
    ), err
    assert err[-1] == "6 customers sampled (proportional allocation)"
    assert len(rows) == 6


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (("--strata", "tier,region", "--size", "5"), "--strata"),
        (("--strata", "tier", "--size", "0"), "--size"),
        (("--strata", "tier", "--size", "5", "--allocation", "random"), "--allocation"),
    ],
)
def test_bad_input_is_one_line(workspace: Path, args: tuple[str, ...], flag: str) -> None:
    code, _, err = cli("voc", "sample", "-w", str(workspace), *PERIOD, *args)
    assert code == 2 and flag in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


def test_bad_period_and_empty_period(workspace: Path) -> None:
    code, _, err = cli(
        "voc", "sample", "-w", str(workspace), "--from", "2026-11-30", "--to", "2026-11-01",
        "--size", "5",
    )  # fmt: skip
    assert code == 2 and "--to" in err and len(err.strip().splitlines()) == 1, err
    code, _, err = cli(
        "voc", "sample", "-w", str(workspace), "--from", "2027-01-01", "--to", "2027-01-31",
        "--size", "5",
    )  # fmt: skip
    assert code == 2 and "no customers" in err and len(err.strip().splitlines()) == 1, err
