"""``carecenter promises --realism`` on a workspace whose warehouse holds a hand-built
promise ledger (dates in 2020, so every promise is past due whatever the day the test runs;
one open promise falls due in 2099 and is left out).

Callbacks of queue billing, each promised within 30 min: kept after 4, 8, ..., 28 min (7),
done late after 35, 42 and 49 min (3), one broken overdue and one still open past due (never
kept: they sort last). The twelve counted: 240 480 720 960 1200 1440 1680 2100 2520 2940 inf
inf. Linear interpolation at h = 11 q: p50 h = 5.5 -> (1440 + 1680) / 2 = 1560; p90 h = 9.9
-> between 2940 and inf: unknown; p80 h = 8.8 -> 2520 + 0.8 x 420 = 2856 -> 3000 s (5-minute
steps), which 10 of 12 took at most.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.adapters.warehouse import DuckDbWarehouse
from carecenter.domain.projection import ProjectionState
from carecenter.domain.promise_facts import PromiseRow
from carecenter.interfaces.cli.app import app

T0 = datetime(2020, 3, 2, 9, 0, tzinfo=UTC)


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _row(pid: str, status: str, after_s: float | None, reason: str | None = None) -> PromiseRow:
    return PromiseRow(
        pid,
        kind="callback",
        queue_id="billing",
        made_at=T0,
        due_at=T0 + timedelta(seconds=1800),
        status=status,
        closed_at=None if after_s is None else T0 + timedelta(seconds=after_s),
        reason=reason,
    )


def _ledger() -> list[PromiseRow]:
    rows = [_row(f"k{m}", "kept", m * 60) for m in (4, 8, 12, 16, 20, 24, 28)]
    rows += [_row(f"l{m}", "broken", m * 60, "late") for m in (35, 42, 49)]
    rows += [_row("o1", "broken", 1800, "overdue"), _row("o2", "open", None)]
    later = PromiseRow("f1", kind="callback", queue_id="billing", made_at=T0,
                       due_at=datetime(2099, 1, 1, tzinfo=UTC))  # fmt: skip
    return [*rows, later]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("realism") / "ws"
    assert cli("init", str(ws))[0] == 0
    warehouse = DuckDbWarehouse(ws / "warehouse.duckdb")
    try:
        state = ProjectionState()
        for p in _ledger():
            state.promises[p.promise_id] = p
            state.touched_promises.add(p.promise_id)
        warehouse.save_state(state, warehouse.checkpoint())
    finally:
        warehouse.close()
    return ws


def realism(ws: Path, *args: str) -> tuple[list[dict[str, object]], str]:
    code, out, err = cli("promises", "--realism", "-w", str(ws), "--format", "json", *args)
    assert code == 0, err
    return json.loads(out), err


def test_the_ninetieth_percentile_is_out_of_reach(workspace: Path) -> None:
    rows, err = realism(workspace)
    assert rows == [
        {
            "kind": "callback",
            "queue_id": "billing",
            "promises": 12,
            "kept": 7,
            "late": 3,
            "never_kept": 2,
            "kept_share": 7 / 12,
            "promised_p50_s": 1800.0,
            "realised_p50_s": 1560.0,
            "realised_p90_s": None,
            "realised_p95_s": None,
            "recommended_s": None,
            "margin_s": None,
            "kept_share_recommended": None,
        }
    ]
    assert err.splitlines() == [
        "note: callback (billing): 2 of 12 promises were never kept, so no promise would have "
        "kept 90% of them",
        "note: callback (billing): 1 open (not yet due) or cancelled left out",
    ]


def test_a_lower_percentile_gives_a_promise(workspace: Path) -> None:
    rows, _ = realism(workspace, "--percentile", "80")
    (row,) = rows
    assert row["recommended_s"] == 3000.0
    assert row["margin_s"] == 3000.0 - 1560.0
    assert row["kept_share_recommended"] == 10 / 12


def test_csv_and_table(workspace: Path) -> None:
    code, out, _ = cli("promises", "--realism", "-w", str(workspace), "-f", "csv",
                       "--percentile", "80")  # fmt: skip
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["recommended_s"] == "3000.0" and row["kept_share"] == str(7 / 12)
    code, out, _ = cli("promises", "--realism", "-w", str(workspace), "--percentile", "80")
    assert code == 0 and "83.3%" in out and "3000" in out


@pytest.mark.parametrize("value", ["0", "100", "-5"])
def test_bad_percentile_is_one_line(workspace: Path, value: str) -> None:
    code, out, err = cli("promises", "--realism", "-w", str(workspace), "--percentile", value)
    assert code == 2 and not out
    assert err == f"error: --percentile: must be above 0 and below 100, not {float(value):g}\n"


def test_an_empty_ledger(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    code, out, err = cli("promises", "--realism", "-w", str(ws), "-f", "json")
    assert code == 0 and json.loads(out) == [] and "no promises kept or due" in err
