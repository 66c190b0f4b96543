"""``carecenter voc estimate`` on a workspace built through the CLI, as in
``test_cli_voc_sample.py``: contacts in November 2026 from a ``csv`` import (source ``crm``),
6 VIP customers (v1-v6) and 12 standard ones (s1-s12), one billing queue, UTC.

``voc sample --strata tier --size 8 --allocation equal`` draws 4 of each: weights 6/4 = 1.5 and
12/4 = 3. Then the survey answers of December (positions in each stratum's sorted draw):

* vip 1: csat 1 on 12-02, then csat 5 on 12-05 (the latest counts); nps 10; ces 2
* vip 2: csat 4, nps 9, ces 3; vip 3: csat 4, nps 6; vip 4: a ``csat`` score 8 on a 1-10
  scale only (not counted: no answer);
* standard 1 (through the contact it is about, no customer id): csat 2, nps 7, ces 5;
  standard 2: csat 4, nps 3, ces 6; standard 3: csat 5 on 11-20 (before --from: no answer);
  standard 4: nothing. A customer not in the sample answered csat 1: ignored.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from scipy.stats import t as student_t
from typer.testing import CliRunner

from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.projection import ProjectionState, SurveyAnswerRow
from carecenter.interfaces.cli.app import app

CENTER = """\
center: {name: Survey center, timezone: UTC}
skills: {billing: {}}
tiers:
  standard: {}
  vip: {priority: 10}
queues:
  billing: {skills: {billing: 1}}
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

HEAD = "customer_id,stratum,weight\n"
ANSWERS = ("--from", "2026-12-01", "--to", "2026-12-31")


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _contacts() -> list[tuple[str, str, str, str, str]]:
    rows = [(f"v{i}", "vip", f"2026-11-{i + 1:02d}T10:00:00Z") for i in range(1, 7)]
    rows += [(f"s{i}", "standard", f"2026-11-{i + 1:02d}T11:00:00Z") for i in range(1, 13)]
    return [(f"k{n}", "billing", c, t, at) for n, (c, t, at) in enumerate(rows)]


def _at(day: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, 9, tzinfo=UTC)


def _answers(vip: list[str], std: list[str]) -> list[SurveyAnswerRow]:
    def a(n: int, q: str, score: int, at: datetime, scale: int = 0, **link: str) -> SurveyAnswerRow:
        scales = {"csat": 5, "nps": 10, "ces": 7}
        return SurveyAnswerRow(f"survey{n}", q, score, scale or scales[q], at, **link)

    contact_of = {f"crm:{c}": f"crm:{k}" for k, _, c, _, _ in _contacts()}
    std1_contact = contact_of[std[0]]
    return [
        a(1, "csat", 1, _at(2), customer_id=vip[0]),
        a(2, "csat", 5, _at(5), customer_id=vip[0]),
        a(2, "nps", 10, _at(5), customer_id=vip[0]),
        a(2, "ces", 2, _at(5), customer_id=vip[0]),
        *(a(3, q, s, _at(6), customer_id=vip[1]) for q, s in (("csat", 4), ("nps", 9), ("ces", 3))),
        *(a(4, q, s, _at(7), customer_id=vip[2]) for q, s in (("csat", 4), ("nps", 6))),
        a(5, "csat", 8, _at(8), scale=10, customer_id=vip[3]),
        *(a(6, q, s, _at(9), contact_id=std1_contact) for q, s in (("csat", 2), ("nps", 7))),
        a(6, "ces", 5, _at(9), contact_id=std1_contact),
        *(a(7, q, s, _at(10), customer_id=std[1]) for q, s in (("csat", 4), ("nps", 3))),
        a(7, "ces", 6, _at(10), customer_id=std[1]),
        a(8, "csat", 5, _at(20, 11), customer_id=std[2]),
        a(9, "csat", 1, _at(11), customer_id="crm:outsider"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str], list[str]]:
    """The workspace, the call list, and the sampled VIP and standard customers (sorted)."""
    tmp = tmp_path_factory.mktemp("estimate")
    ws = tmp / "ws"
    assert cli("init", str(ws))[0] == 0
    (ws / "center.yaml").write_text(CENTER)
    code, _, err = cli("config", "apply", "-w", str(ws))
    assert code == 0, err
    with (tmp / "contacts.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "queue", "customer", "tier", "queued"])
        out.writerows(_contacts())
    (tmp / "mapping.yaml").write_text(MAPPING)
    code, _, err = cli(
        "import", "csv", str(tmp / "contacts.csv"), "--mapping", str(tmp / "mapping.yaml"),
        "-w", str(ws),
    )  # fmt: skip
    assert code == 0, err
    calls = tmp / "calls.csv"
    code, _, err = cli(
        "voc", "sample", "-w", str(ws), "--from", "2026-11-01", "--to", "2026-11-30",
        "--strata", "tier", "--size", "8", "--allocation", "equal", "--seed", "5",
        "--format", "csv", "--output", str(calls),
    )  # fmt: skip
    assert code == 0, err
    with calls.open(newline="") as f:
        drawn = list(csv.DictReader(f))
    vip = sorted(r["customer_id"] for r in drawn if r["tier"] == "vip")
    std = sorted(r["customer_id"] for r in drawn if r["tier"] == "standard")
    assert len(vip) == len(std) == 4
    assert {r["weight"] for r in drawn} == {"1.5", "3.0"}
    warehouse = DuckDbWarehouse(ws / "warehouse.duckdb")
    try:
        state = ProjectionState()
        for answer in _answers(vip, std):
            state.survey_answers[(answer.survey_id, answer.question)] = answer
        warehouse.save_state(state, warehouse.checkpoint())
    finally:
        warehouse.close()
    return ws, calls, vip, std


def estimate(ws: Path, calls: Path, *args: str) -> tuple[dict[str, dict[str, object]], list[str]]:
    code, out, err = cli(
        "voc", "estimate", "-w", str(ws), "--sample", str(calls), *ANSWERS, "--format", "json",
        *args,
    )  # fmt: skip
    assert code == 0, err
    return {str(r["stratum"]): r for r in json.loads(out)}, err.splitlines()


def ci(
    value: Fraction, terms: list[tuple[Fraction, int]], bounds: tuple[float, float]
) -> tuple[float, float]:
    """The hand interval: V the sum of the terms (each with its df), Satterthwaite's df."""
    variance = sum(t for t, _ in terms)
    df = variance**2 / sum(t**2 / d for t, d in terms if t) if variance else 1
    half = float(student_t.ppf(0.975, float(df))) * math.sqrt(variance)
    return max(bounds[0], float(value) - half), min(bounds[1], float(value) + half)


def check(row: dict[str, object], metric: str, value: float, low: float, high: float) -> None:
    got = (row[metric], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"])
    assert got == pytest.approx((value, low, high), rel=1e-9), (metric, got)


def test_strata_by_hand(survey: tuple[Path, Path, list[str], list[str]]) -> None:
    ws, calls, _, _ = survey
    rows, _ = estimate(ws, calls)
    vip, std = rows["tier=vip"], rows["tier=standard"]
    assert (vip["sampled"], vip["responded"], vip["response_rate"]) == (4, 3, 0.75)
    assert (std["sampled"], std["responded"], std["response_rate"]) == (4, 2, 0.5)
    f = Fraction
    # vip (N 6, r 3, fpc 1/2): csat 5, 4, 4: 13/3, s^2 1/3, V = 1/2 * 1/3 / 3 = 1/18
    check(vip, "csat", 13 / 3, *ci(f(13, 3), [(f(1, 18), 2)], (1, 5)))
    # satisfied 1, 1, 1: a point; nps +1, +1, -1: 1/3, s^2 4/3, V = 2/9
    check(vip, "csat_satisfied", 1, 1, 1)
    check(vip, "nps", 1 / 3, *ci(f(1, 3), [(f(2, 9), 2)], (-1, 1)))
    # ces 2, 3 (N 6, r 2): 2.5, s^2 1/2, V = 2/3 * 1/2 / 2 = 1/6
    check(vip, "ces", 2.5, *ci(f(5, 2), [(f(1, 6), 1)], (1, 7)))
    assert [vip[f"{m}_respondents"] for m in ("csat", "csat_satisfied", "nps", "ces")] == [
        3, 3, 3, 2,
    ]  # fmt: skip
    # standard (N 12, r 2, fpc 5/6): csat 2, 4: 3, V = 5/6 * 2 / 2; nps 0, -1; ces 5, 6
    check(std, "csat", 3, *ci(f(3), [(f(5, 6), 1)], (1, 5)))
    check(std, "csat_satisfied", 0.5, *ci(f(1, 2), [(f(5, 24), 1)], (0, 1)))
    check(std, "nps", -0.5, *ci(f(-1, 2), [(f(5, 24), 1)], (-1, 1)))
    check(std, "ces", 5.5, *ci(f(11, 2), [(f(5, 24), 1)], (1, 7)))


def test_overall_weighted_by_hand(survey: tuple[Path, Path, list[str], list[str]]) -> None:
    ws, calls, _, _ = survey
    rows, err = estimate(ws, calls)
    overall = rows["overall"]
    assert list(rows) == ["tier=standard", "tier=vip", "overall"]
    assert (overall["sampled"], overall["responded"], overall["response_rate"]) == (8, 5, 0.625)
    f = Fraction
    # W = 6/18 = 1/3 (vip), 2/3 (standard); each term W_h^2 V_h with the stratum's df
    vip, std = f(1, 9), f(4, 9)
    check(overall, "csat", 31 / 9, *ci(f(31, 9), [(vip / 18, 2), (std * f(5, 6), 1)], (1, 5)))
    check(overall, "csat_satisfied", 2 / 3, *ci(f(2, 3), [(f(0), 2), (std * f(5, 24), 1)], (0, 1)))
    check(overall, "nps", -2 / 9, *ci(f(-2, 9), [(vip * f(2, 9), 2), (std * f(5, 24), 1)], (-1, 1)))
    check(overall, "ces", 4.5, *ci(f(9, 2), [(vip / 6, 1), (std * f(5, 24), 1)], (1, 7)))
    # the unweighted mean of the 5 CSAT answers would be 19/5 = 3.8, not 31/9 = 3.44
    assert overall["csat_respondents"] == 5 and overall["ces_respondents"] == 4
    assert err == [
        "tier=standard: sampled 4, responded 2 (50.0%), no answer 2",
        "tier=vip: sampled 4, responded 3 (75.0%), no answer 1",
        "overall: sampled 8, responded 5 (62.5%), no answer 3",
        # (12 * 2/4 + 6 * 3/4) / 18 = 10.5 / 18
        "weighted response rate (sum N_h r_h / n_h / N): 58.3%",
    ]


def test_confidence_and_csv(
    survey: tuple[Path, Path, list[str], list[str]], tmp_path: Path
) -> None:
    ws, calls, _, _ = survey
    rows, _ = estimate(ws, calls, "--confidence", "0.8")
    # vip ces 2, 3: V = 1/6, df 1; t(0.90, 1) = 3.077684 (published tables)
    half = 3.077684 * math.sqrt(1 / 6)
    got = rows["tier=vip"]
    assert (got["ces_ci_low"], got["ces_ci_high"]) == pytest.approx((2.5 - half, 2.5 + half))
    out = tmp_path / "estimates.csv"
    code, _, err = cli(
        "voc", "estimate", "-w", str(ws), "--sample", str(calls), *ANSWERS, "--format", "csv",
        "--output", str(out),
    )  # fmt: skip
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert lines[0].startswith("stratum,sampled,responded,response_rate,csat,csat_ci_low,")
    assert lines[0].endswith(",ces,ces_ci_low,ces_ci_high,ces_respondents") and len(lines) == 4


def test_table_shows_intervals_in_one_cell(survey: tuple[Path, Path, list[str], list[str]]) -> None:
    ws, calls, _, _ = survey
    code, out, err = cli("voc", "estimate", "-w", str(ws), "--sample", str(calls), *ANSWERS)
    assert code == 0, err
    vip = next(line for line in out.splitlines() if "tier=vip" in line)
    # csat 13/3 [13/3 - 4.303 * sqrt(1/18), 5]: 4.33 [3.32, 5]; ces 2.5 [1, 7]
    assert "4.33 [3.32, 5]" in vip and "2.5 [1, 7]" in vip, out


def test_silent_and_single_strata_are_reported(
    survey: tuple[Path, Path, list[str], list[str]], tmp_path: Path
) -> None:
    ws, _, vip, std = survey
    calls = tmp_path / "own.csv"
    calls.write_text(
        f"customer_id,stratum,weight\n{vip[0]},a,2\n{vip[1]},a,2\n{std[0]},b,4\n{std[3]},c,3\n"
    )
    rows, err = estimate(ws, calls)
    # a: csat 5, 4 (N 4); b: csat 2 (N 4, one respondent); c: nobody (N 3, left out)
    assert rows["b"]["csat"] == 2 and rows["b"]["csat_ci_low"] is None
    assert rows["c"]["csat"] is None and rows["c"]["response_rate"] == 0
    assert rows["overall"]["csat"] == pytest.approx(3.25, rel=1e-12)
    assert rows["overall"]["csat_ci_low"] is not None
    assert (
        "no respondents in c: the overall estimates speak for the other strata (8 of 11 customers)"
        in err
    ), err
    assert any(line.startswith("csat: one respondent in b: no interval there") for line in err)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("customer_id,stratum\ncrm:v1,a\n", "bad.csv:1: weight: missing column"),
        (HEAD + "crm:v1,a,2\ncrm:v2,a,abc\n", "bad.csv:3: weight: 'abc' is not a number"),
        (HEAD + "crm:v1,a,2\ncrm:v2,a,3\n", "bad.csv:3: weight: 3 differs"),
        (HEAD + "crm:v1,a,2\ncrm:v1,b,2\n", "bad.csv:3: customer_id: crm:v1 is already on line 2"),
        (HEAD + "crm:v1,,2\n", "bad.csv:2: stratum: empty"),
        (HEAD, "bad.csv: no sampled customers"),
    ],
)  # fmt: skip
def test_bad_sample_file_is_one_line(
    survey: tuple[Path, Path, list[str], list[str]], tmp_path: Path, content: str, expected: str
) -> None:
    ws = survey[0]
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    code, _, err = cli("voc", "estimate", "-w", str(ws), "--sample", str(bad), *ANSWERS)
    assert code == 2 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1 and expected in err, err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--sample", "missing.csv", *ANSWERS), "missing.csv: cannot read"),
        (("--sample", "{calls}", *ANSWERS, "--confidence", "1.5"), "--confidence: must be"),
        (("--sample", "{calls}", "--from", "2026-12-31", "--to", "2026-12-01"), "--to: must not"),
    ],
)
def test_bad_options_are_one_line(
    survey: tuple[Path, Path, list[str], list[str]], args: tuple[str, ...], expected: str
) -> None:
    ws, calls, _, _ = survey
    argv = [a.replace("{calls}", str(calls)) for a in args]
    code, _, err = cli("voc", "estimate", "-w", str(ws), *argv)
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1, err
