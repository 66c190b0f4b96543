"""The metric catalog gives the same results on Spark as on DuckDB, over the same facts exported
as Parquet (``carecenter export facts``): every metric, every grouping, policy variant and time
zone of the DuckDB-vs-PostgreSQL test, through Ibis' PySpark backend in local mode and through a
Spark Connect server; and ``carecenter report --facts DIR --backend spark``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import ibis
import pytest
from tests.catalog_data import AGENTS, POLICIES, answers, facts, promises
from tests.facts_workspace import calls_workspace, cli, export
from tests.helpers import T0, same_value
from tests.unit.metrics.builders import dims, warehouse

from carecenter.adapters.parquet_export import export_facts
from carecenter.adapters.parquet_facts import open_facts
from carecenter.metrics.engine import Report, ReportSpec, run

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    pytest.mark.xdist_group("spark"),
    # PySpark's result collection leaves its local socket to the garbage collector
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

VARIANTS = [
    ("1h", ("queue",), "UTC"),
    ("30m", (), "Europe/London"),
    ("1d", ("agent",), "America/New_York"),
    ("all", ("site", "team"), "UTC"),
    ("1w", ("channel", "tier"), "Asia/Kolkata"),
    ("1d", ("topic",), "Europe/Paris"),
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any]]:
    """The generated facts exported to Parquet, and the warehouse they came from (an Ibis
    DuckDB backend over it)."""
    visits, intervals = facts()
    wh = warehouse(visits, intervals, answers(), promises())
    directory = tmp_path_factory.mktemp("facts")
    export_facts(wh.connection, directory, zone="Europe/London")
    try:
        yield directory, ibis.duckdb.from_connection(wh.connection)
    finally:
        wh.close()


@pytest.fixture(scope="module")
def backends(exported: tuple[Path, Any], spark: object) -> tuple[Any, Any, Any]:
    """(the warehouse, DuckDB over the Parquet files, Spark over the Parquet files)."""
    directory, source = exported
    duck = open_facts(directory, "duckdb")
    on_spark = open_facts(directory, "spark")
    assert (
        duck.tables
        == on_spark.tables
        == (
            "contact_facts",
            "agent_state_intervals",
            "survey_answers",
            "promises",
        )
    )
    return source, duck.con, on_spark.con


def assert_same(ours: Report, theirs: Report) -> None:
    assert ours.columns == theirs.columns
    assert len(ours.rows) == len(theirs.rows) > 0
    for mine, other in zip(ours.rows, theirs.rows, strict=True):
        diff = {k: (v, other[k]) for k, v in mine.items() if not same_value(v, other[k])}
        assert not diff, (mine["interval_start"], diff)


@pytest.mark.parametrize(("interval", "by", "timezone"), VARIANTS)
def test_duckdb_and_spark_agree(
    backends: tuple[Any, Any, Any], interval: str, by: tuple[str, ...], timezone: str
) -> None:
    source, duck, on_spark = backends
    d = replace(dims(POLICIES, AGENTS), fees={"a3": 2.5})  # a3 is an outsourcer's
    spec = ReportSpec(interval, by, T0 - timedelta(days=1), T0 + timedelta(days=3))
    ours = run(duck, spec, d, timezone)
    assert_same(run(source, spec, d, timezone), ours)  # the export loses nothing
    theirs = run(on_spark, spec, d, timezone)
    assert_same(ours, theirs)
    rows = ours.rows
    assert any(r["outsourced_cost"] for r in rows) and any(r["wait_p90_s"] for r in rows)
    assert any(r["csat_answers"] for r in rows) and any(r["nps"] for r in rows)
    assert any(r["ewt_mae_s"] for r in rows) and any(r["escalated"] for r in rows)
    assert any(r["fcr"] for r in rows) and any(r["email_response_p50_s"] for r in rows)
    if "channel" not in by and "tier" not in by and "topic" not in by:
        assert any(r["promises_broken"] for r in rows)
    if not set(by) - {"agent", "team", "site"}:
        assert any(r["occupancy"] for r in rows)


def test_whole_period_agent_groups_and_without_the_costly_metrics(
    backends: tuple[Any, Any, Any],
) -> None:
    _, duck, on_spark = backends
    d = dims(POLICIES, AGENTS)
    for spec in (
        ReportSpec("1d", ("queue",)),
        ReportSpec("all", groups={"billing": ["a1", "a2"], "cards": ["a3"]}),
        ReportSpec("2h", ("queue", "channel"), fcr=False, percentiles=False),
    ):
        assert_same(run(duck, spec, d, "Europe/London"), run(on_spark, spec, d, "Europe/London"))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A workspace with two days of Asterisk calls, and its facts exported."""
    root = tmp_path_factory.mktemp("ws")
    ws = calls_workspace(root, zone="Europe/Paris", count=1500, spacing=200)
    export(ws, str(root / "facts"))
    return ws, root / "facts"


def json_rows(text: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(text)
    assert rows
    return rows


def assert_same_rows(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
    assert len(ours) == len(theirs)
    for mine, other in zip(ours, theirs, strict=True):
        assert mine.keys() == other.keys()
        diff = {k: (v, other[k]) for k, v in mine.items() if not same_value(v, other[k])}
        assert not diff, (mine["interval_start"], mine.get("queue"), diff)


def test_report_on_the_facts_with_spark_is_the_workspace_report(
    workspace: tuple[Path, Path], spark: object
) -> None:
    ws, out = workspace
    args = ["report", "--interval", "1h", "--by", "queue,team", "--format", "json"]
    code, text, err = cli(*args, "-w", str(ws))
    assert code == 0, err
    ours = json_rows(text)
    code, text, err = cli(*args, "--facts", str(out), "--backend", "spark", "-w", str(ws))
    assert code == 0, err
    assert_same_rows(ours, json_rows(text))
    code, text, err = cli(*args, "--facts", str(out), "-c", str(ws / "center.yaml"))
    assert code == 0, err
    assert_same_rows(ours, json_rows(text))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Spark Connect server (PySpark's own, in local mode) on a free port of loopback."""
    import pyspark

    port = _free_port()
    home = Path(pyspark.__file__).parent
    log = tmp_path_factory.mktemp("connect") / "server.log"
    command = [
        str(home / "bin" / "spark-submit"),
        "--class",
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master",
        "local[2]",
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
        "--conf",
        "spark.ui.enabled=false",
        "spark-internal",
    ]
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
    with log.open("wb") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, log.read_text(errors="replace")[-2000:]
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        else:
            pytest.fail("the Spark Connect server did not start: " + log.read_text()[-2000:])
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(30)


def test_report_through_a_spark_connect_server(
    workspace: tuple[Path, Path], connect_server: str
) -> None:
    """The command as a user runs it (its own process, a client of the server)."""
    ws, out = workspace
    args = ["report", "--interval", "1d", "--by", "queue", "--format", "json", "-w", str(ws)]
    code, text, err = cli(*args)
    assert code == 0, err
    remote = ["--facts", str(out), "--backend", "spark", "--spark-remote", connect_server]
    done = subprocess.run(
        [sys.executable, "-m", "carecenter", *args, *remote],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert_same_rows(json_rows(text), json_rows(done.stdout))
