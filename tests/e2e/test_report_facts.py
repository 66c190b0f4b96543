"""``carecenter report --facts DIR``: the catalog on an export directory (DuckDB here; Spark in
tests/integration/test_catalog_spark.py), and a one-line error for each misuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.facts_workspace import calls_workspace, cli, export
from tests.helpers import same_value


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("facts")
    ws = calls_workspace(root, zone="America/New_York", count=600, spacing=300)
    export(ws, str(root / "facts"))
    return ws, root / "facts"


def rows(text: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(text)
    assert found
    return found


def test_the_facts_give_the_workspace_report(exported: tuple[Path, Path]) -> None:
    ws, out = exported
    args = ["report", "--interval", "30m", "--by", "queue", "--format", "json"]
    code, text, err = cli(*args, "-w", str(ws))
    assert code == 0, err
    ours = rows(text)
    for extra in (["-w", str(ws)], ["-c", str(ws / "center.yaml")]):
        code, text, err = cli(*args, "--facts", str(out), "--backend", "duckdb", *extra)
        assert code == 0, err
        theirs = rows(text)
        assert len(ours) == len(theirs)
        for mine, other in zip(ours, theirs, strict=True):
            assert all(same_value(v, other[k]) for k, v in mine.items()), (mine, other)


def test_without_a_center_file_the_days_are_those_of_the_export(
    exported: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out = exported
    monkeypatch.chdir(tmp_path)  # not a workspace: no center.yaml
    code, text, err = cli("report", "--facts", str(out), "--format", "json")
    assert code == 0, err
    assert rows(text)[0]["interval_start"].endswith("-05:00")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--backend", "spark"], "error: --backend: this option goes with --facts DIR"),
        (["--facts", "{out}", "--backend", "hive"], "unknown backend 'hive'"),
        (
            ["--facts", "{out}", "--spark-remote", "sc://h:1"],
            "--spark-remote needs --backend spark",
        ),
        (["--facts", "{out}", "--backend", "spark", "--spark-remote", "h:1"], "is not a Spark"),
        (["--facts", "{root}"], "no _carecenter_export.json; write it with carecenter export"),
        (["--facts", "{root}/none"], "no such directory"),
        (["--facts", "{out}", "--format", "html", "-o", "x.html"], "no html page"),
        (["--facts", "{out}", "--gaps"], "no html page, gap table or tickets"),
        (["--facts", "{out}", "-w", "{ws}", "-c", "{ws}/center.yaml"], "not both"),
    ],
)
def test_misuse_is_one_line(exported: tuple[Path, Path], args: list[str], message: str) -> None:
    ws, out = exported
    filled = [a.format(out=out, ws=ws, root=out.parent) for a in args]
    code, text, err = cli("report", *filled)
    assert code == 2, (text, err)
    assert message in err and len(err.strip().splitlines()) == 1, err
