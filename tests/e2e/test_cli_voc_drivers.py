"""``carecenter import survey`` then ``carecenter voc drivers``, through the CLI.

A synthetic post-call survey of 60 respondents (seeded): speed and courtesy on 1..5 and a CSAT
on 1..5 built as ``csat ~ 0.6 speed + 0.3 courtesy`` plus noise, linked to CRM customers and
contacts; respondent r7 answered courtesy 9 (off the scale). Each attribute is one item, so the
PLS path model reduces to the standardized least squares regression of csat on speed and
courtesy: the test computes that with numpy on the 59 complete respondents.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

MAPPING = """\
survey: postcall
respondent: id
answered_at: at
source: crm
customer: customer
contact: contact
scale: [1, 5]
questions:
  speed: speed
  courtesy: courtesy
  csat: csat
attributes:
  speed: [speed]
  courtesy: [courtesy]
outcome: csat
"""


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _survey() -> list[list[str]]:
    rng = np.random.default_rng(42)
    rows: list[list[str]] = []
    for k in range(60):
        speed, courtesy = rng.integers(1, 6, size=2)
        noise = rng.normal(scale=0.7)
        csat = int(np.clip(round(0.6 * speed + 0.3 * courtesy + 0.5 + noise), 1, 5))
        rows.append(
            [f"r{k}", f"2026-02-{k % 28 + 1:02d}T10:00:00Z", f"c{k}", f"k{k}",
             str(speed), str(courtesy), str(csat)]
        )  # fmt: skip
    rows[7][5] = "9"
    return rows


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("drivers")
    survey = tmp / "survey.csv"
    with survey.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "at", "customer", "contact", "speed", "courtesy", "csat"])
        out.writerows(_survey())
    (tmp / "map.yaml").write_text(MAPPING)
    ws = tmp / "ws"
    assert cli("init", str(ws))[0] == 0
    return {"survey": survey, "mapping": tmp / "map.yaml", "ws": ws}


def _expected() -> dict[str, float]:
    rows = [r for r in _survey() if r[0] != "r7"]
    data = np.array([[float(v) for v in r[4:]] for r in rows])
    z = (data - data.mean(axis=0)) / data.std(axis=0)
    coef, *_ = np.linalg.lstsq(z[:, :2], z[:, 2], rcond=None)
    residual = z[:, 2] - z[:, :2] @ coef
    return {
        "speed": float(coef[0]),
        "courtesy": float(coef[1]),
        "r2": float(1 - residual @ residual / len(z)),
        "speed_mean": float(data[:, 0].mean()),
    }


def test_import_quarantines_the_bad_answer_and_keeps_the_rest(files: dict[str, Path]) -> None:
    code, out, err = cli(
        "import", "survey", str(files["survey"]), "--mapping", str(files["mapping"]),
        "-w", str(files["ws"]), "--format", "json",
    )  # fmt: skip
    assert code == 3, err
    (row,) = json.loads(out)
    assert (row["records"], row["quarantined"]) == (60, 1)
    assert "note: survey answers written: 179" in err
    assert "note: quarantined: courtesy: 1" in err
    assert "Traceback" not in err


def test_drivers_from_the_workspace_and_the_file_agree_with_least_squares(
    files: dict[str, Path],
) -> None:
    cli(
        "import", "survey", str(files["survey"]), "--mapping", str(files["mapping"]),
        "-w", str(files["ws"]),
    )  # fmt: skip
    code, out, err = cli(
        "voc", "drivers", "-w", str(files["ws"]), "--survey", "postcall",
        "--mapping", str(files["mapping"]), "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    from_workspace = json.loads(out)
    code, out, err_file = cli(
        "voc", "drivers", str(files["survey"]), "--mapping", str(files["mapping"]), "-f", "json"
    )
    assert code == 0, err_file
    from_file = json.loads(out)
    assert from_file == from_workspace
    expected = _expected()
    by_name = {r["attribute"]: r for r in from_file}
    assert list(from_file[0]) == [
        "attribute", "importance", "coefficient", "direct", "mean_score", "respondents", "r2",
    ]  # fmt: skip
    assert by_name["speed"]["coefficient"] == pytest.approx(expected["speed"], abs=1e-9)
    assert by_name["courtesy"]["direct"] == pytest.approx(expected["courtesy"], abs=1e-9)
    share = expected["speed"] / (abs(expected["speed"]) + abs(expected["courtesy"]))
    assert by_name["speed"]["importance"] == pytest.approx(share, abs=1e-9)
    assert sum(r["importance"] for r in from_file) == pytest.approx(1.0, abs=1e-12)
    assert by_name["speed"]["mean_score"] == pytest.approx(expected["speed_mean"], abs=1e-12)
    assert {r["respondents"] for r in from_file} == {59}
    assert by_name["speed"]["r2"] == pytest.approx(expected["r2"], abs=1e-9)
    assert f"R^2 of csat: {expected['r2']:.4f} (59 respondents" in err
    assert "1 respondents left out: not every item of the model answered" in err
    assert "survey.csv:9: courtesy: 9 is not on the scale 1..5" in err_file


def test_bad_input_is_one_line_and_fails(files: dict[str, Path], tmp_path: Path) -> None:
    no_outcome = tmp_path / "no-outcome.yaml"
    no_outcome.write_text(MAPPING.replace("outcome: csat\n", ""))
    code, _, err = cli("voc", "drivers", str(files["survey"]), "--mapping", str(no_outcome))
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: {no_outcome}: outcome: name the outcome (the attribute that is overall "
        "satisfaction)"
    ]
    code, _, err = cli(
        "voc", "drivers", "-w", str(files["ws"]), "--survey", "nosuch",
        "--mapping", str(files["mapping"]),
    )  # fmt: skip
    assert code == 2
    assert "survey: the workspace holds no answers of survey 'nosuch'" in err
    assert "Traceback" not in err
    code, _, err = cli(
        "voc", "drivers", str(files["survey"]), "--mapping", str(files["mapping"]),
        "--scheme", "mode-b",
    )  # fmt: skip
    assert code == 2
    assert "unknown scheme 'mode-b'" in err
