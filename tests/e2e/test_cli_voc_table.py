"""``carecenter voc table`` on a workspace built through the CLI: the hand-built register of
``tests/unit/domain/test_expectations.py`` as a YAML file, the theme summary, the drivers and
the peers file as CSV fixtures (the formats ``voc themes --summary`` and ``voc drivers`` write).

The hand computation (see the unit test's module): E1 1.75, A6 and E5 5/6 (a tie, by id), E2
4 x 1/3 x 0.5 x 0.7 / 4 = 0.11667, E4 0.0288, E3 0.

The center's own mystery-shopping figures come from the peers file's ``(center)`` rows, or
else from the warehouse: four contacts imported, three answered after 20, 40 and 60 s, one
abandoned: connection rate 1 - 1/4 = 0.75, wait (ASA) 40 s.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecenter.interfaces.cli.app import app

REGISTER = """\
center_features: [chat]
survey:
  scale: {min: 1, max: 10}
  scores:
    waiting: {expectation: 8.7}
    staff: {expectation: 7.5, perception: 8.0}
    app: {expectation: 8.0, perception: 6.2}
expectations:
  - id: E1
    statement: Reach a person fast
    themes: [waiting]
    attributes: [waiting]
    metrics: [wait_s, connection_rate]
    features: [callback]
    effort: 2
    impact: 5
    owner: Operations
  - {id: E2, statement: Fees explained, themes: [fees], effort: 4, impact: 4, owner: Product}
  - {id: E3, statement: Staff who know, attributes: [staff], features: [chat], effort: 3}
  - id: E4
    statement: A human in 10 seconds
    themes: [T2]
    attributes: [app]
    metrics: [connection_rate]
    effort: 5
    impact: 3
  - id: E5
    statement: Call me back
    themes: [waiting]
    features: [callback]
    class: medium
    effort: 2
    impact: 5
  - {id: A6, statement: Call me back too, themes: [waiting], features: [callback], effort: 2, impact: 5}
"""  # noqa: E501
THEMES = """\
theme_id,theme,top_terms,examples,complaints,share,trend_per_month
T0,waiting,hold;wait,on hold for an hour | nobody answers,40,0.4,1.5
T1,fees,fee;charge,an unexpected fee,30,0.3,0
T2,app,app;login,cannot log in,20,0.2,-1
T3,other,misc,other,10,0.1,0
"""
DRIVERS = """\
attribute,importance,coefficient,mean_score,respondents,r2
waiting,0.5,0.4,6.0,200,0.55
staff,0.3,0.2,8.0,200,0.55
app,0.2,0.1,7.0,200,0.55
"""
PEERS = """\
metric,value,queue,peer,feature
service_level,0.8,,,
connection_rate,0.9,,bank-a,
wait_s,30,,bank-a,
ease_of_use,4.2,,bank-a,
connection_rate,0.8,,bank-b,
wait_s,50,,bank-b,
connection_rate,0.85,,(center),
wait_s,60,,(center),
,,,bank-a,callback
,,,bank-a,chat
,,,bank-b,callback
"""
MAPPING = """\
source: pbx
columns:
  contact_id: id
  queue_id: queue
  enqueued_at: queued
  answered_at: answered
  ended_at: ended
"""
CONTACTS = """\
id,queue,queued,answered,ended
c1,billing,2026-11-02T10:00:00Z,2026-11-02T10:00:20Z,2026-11-02T10:05:00Z
c2,billing,2026-11-02T11:00:00Z,2026-11-02T11:00:40Z,2026-11-02T11:05:00Z
c3,billing,2026-11-02T12:00:00Z,2026-11-02T12:01:00Z,2026-11-02T12:05:00Z
c4,billing,2026-11-02T13:00:00Z,,2026-11-02T13:02:00Z
"""
RANKED = ["E1", "A6", "E5", "E2", "E4", "E3"]


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("voc-table-files")
    for name, text in [
        ("expectations.yaml", REGISTER),
        ("themes.csv", THEMES),
        ("drivers.csv", DRIVERS),
        ("peers.csv", PEERS),
        ("mapping.yaml", MAPPING),
        ("contacts.csv", CONTACTS),
    ]:
        (tmp / name).write_text(text)
    return tmp


@pytest.fixture
def workspace(files: Path, tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    return ws


def table(ws: Path, *args: str) -> tuple[list[dict[str, object]], str]:
    code, out, err = cli("voc", "table", "-w", str(ws), "--format", "json", *args)
    assert code == 0, err
    return json.loads(out), err


def saved_all(ws: Path, files: Path) -> list[dict[str, object]]:
    rows, _ = table(
        ws,
        *("--register", str(files / "expectations.yaml")),
        *("--themes", str(files / "themes.csv")),
        *("--drivers", str(files / "drivers.csv")),
        *("--peers", str(files / "peers.csv")),
    )
    return rows


def test_the_hand_computed_ranking(workspace: Path, files: Path) -> None:
    rows = saved_all(workspace, files)
    assert [r["expectation_id"] for r in rows] == RANKED
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5, 6]
    scores = [r["score"] for r in rows]
    assert scores == pytest.approx([1.75, 5 / 6, 5 / 6, 1 / 3 * 0.5 * 0.7, 0.0288, 0], abs=1e-12)
    assert [r["class"] for r in rows] == ["now", "now", "medium", "long", "guide", "medium"]
    e1 = rows[0]
    assert e1 == {
        "rank": 1,
        "expectation_id": "E1",
        "statement": "Reach a person fast",
        "class": "now",
        "suggested_class": "now",
        "owner": "Operations",
        "effort": 2,
        "impact": 5,
        "complaints": 40,
        "complaint_share": 0.4,
        "survey_gap": pytest.approx(2.7),
        "importance": 0.5,
        "peer_gap": pytest.approx(1 / 6),
        "feature_gap": 1.0,
        "missing_features": "callback",
        "gap": 1.0,
        "weight": pytest.approx(1.4),
        "score": pytest.approx(1.75),
    }


def test_saved_inputs_are_used_again_and_replaced(workspace: Path, files: Path) -> None:
    saved_all(workspace, files)
    rows, err = table(workspace)  # nothing given: what was saved
    assert [r["expectation_id"] for r in rows] == RANKED
    assert "themes: themes.csv, saved" in err
    assert "peers offer callback (bank-a, bank-b); the center does not" in err
    # without the fees theme, E2 has no evidence at all: 4 x 1/3 x 0.5 x 0.2 / 4
    (files / "themes2.csv").write_text(THEMES.replace("T1,fees", "T1,charges"))
    rows, _ = table(workspace, "--themes", str(files / "themes2.csv"))
    e2 = next(r for r in rows if r["expectation_id"] == "E2")
    assert e2["complaints"] == 0 and e2["score"] == pytest.approx(1 / 3 * 0.5 * 0.2)
    # a new register replaces the whole one
    (files / "small.yaml").write_text("expectations:\n  - {id: X1, statement: Only this}\n")
    rows, _ = table(workspace, "--register", str(files / "small.yaml"))
    assert [r["expectation_id"] for r in rows] == ["X1"]


def test_peer_comparison_and_csv_html_output(workspace: Path, files: Path) -> None:
    saved_all(workspace, files)
    rows, _ = table(workspace, "--view", "peers")
    assert rows == [
        {
            "kind": "figure",
            "item": "connection_rate",
            "ours": 0.85,
            "peers_mean": pytest.approx(0.85),
            "peers": "bank-a=0.9;bank-b=0.8",
            "shortfall": 0.0,
        },
        {
            "kind": "figure",
            "item": "wait_s",
            "ours": 60.0,
            "peers_mean": 40.0,
            "peers": "bank-a=30;bank-b=50",
            "shortfall": pytest.approx(1 / 3),
        },
        {
            "kind": "figure",
            "item": "ease_of_use",
            "ours": None,
            "peers_mean": 4.2,
            "peers": "bank-a=4.2",
            "shortfall": None,
        },
        {
            "kind": "feature",
            "item": "callback",
            "ours": False,
            "peers_mean": None,
            "peers": "bank-a;bank-b",
            "shortfall": 1.0,
        },
        {
            "kind": "feature",
            "item": "chat",
            "ours": True,
            "peers_mean": None,
            "peers": "bank-a",
            "shortfall": 0.0,
        },
    ]
    out = files / "table.csv"
    code, _, err = cli("voc", "table", "-w", str(workspace), "--format", "csv", "-o", str(out))
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert lines[0].startswith("rank,expectation_id,statement,class,suggested_class,owner")
    assert lines[1].startswith("1,E1,Reach a person fast,now,now,Operations,2,5,40,0.4,")
    assert len(lines) == 7
    page = files / "table.html"
    code, _, err = cli("voc", "table", "-w", str(workspace), "--format", "html", "-o", str(page))
    assert code == 0, err
    text = page.read_text()
    assert "<h2>Customer expectations</h2>" in text and "<script" not in text
    assert text.index("Reach a person fast") < text.index("Call me back too")
    assert '<td class="guide">guide</td>' in text and "<td>callback</td>" in text


def test_the_center_figures_from_the_warehouse(workspace: Path, files: Path) -> None:
    code, _, err = cli(
        "import", "csv", str(files / "contacts.csv"), "--mapping", str(files / "mapping.yaml"),
        "-w", str(workspace),
    )  # fmt: skip
    assert code == 0, err
    (files / "peers_only.csv").write_text(
        "".join(line + "\n" for line in PEERS.splitlines() if "(center)" not in line)
    )
    table(workspace, "--register", str(files / "expectations.yaml"))
    rows, err = table(workspace, "--peers", str(files / "peers_only.csv"), "--view", "peers")
    ours = {r["item"]: r["ours"] for r in rows if r["kind"] == "figure"}
    assert ours == {"connection_rate": 0.75, "wait_s": 40.0, "ease_of_use": None}
    assert "the center's own figures: connection_rate (warehouse), wait_s (warehouse)" in err
    # wait 40 s: as good as the peers' mean; connection 0.75 against 0.85: 0.1 / 0.85
    short = {r["item"]: r["shortfall"] for r in rows if r["kind"] == "figure"}
    assert short["wait_s"] == 0.0 and short["connection_rate"] == pytest.approx(0.1 / 0.85)


def test_the_report_reads_the_extended_peers_file(workspace: Path, files: Path) -> None:
    code, out, err = cli(
        "report", "-w", str(workspace), "--gaps", "--peers", str(files / "peers.csv"),
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["queue"], r["metric"], r["peer"]) for r in rows] == [
        ("(center)", "service_level", 0.8)
    ]


def test_the_html_report_shows_the_ranked_table(workspace: Path, files: Path) -> None:
    ws = str(workspace)
    assert cli("import", "csv", str(files / "contacts.csv"), "-w", ws, "--mapping",
               str(files / "mapping.yaml"))[0] == 0  # fmt: skip
    page = workspace / "report.html"
    code, _, err = cli("report", "-w", ws, "--format", "html", "--output", str(page))
    assert code == 0, err
    assert "Customer expectations" not in page.read_text()  # no register saved yet
    saved_all(workspace, files)
    code, _, err = cli("report", "-w", ws, "--format", "html", "--output", str(page))
    assert code == 0, err
    text = page.read_text()
    section = text[text.index("<h2>Customer expectations</h2>") :]
    positions = [section.index(f">{e}<") for e in RANKED]
    assert positions == sorted(positions)  # in the ranking's order
    assert "Reach a person fast" in section


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "register: no expectation register saved yet"),
        (("--format", "xml"), "format: unknown format 'xml'"),
        (("--view", "all"), "view: unknown view 'all'"),
        (("--themes", "missing.csv"), "themes: no such file"),
    ],
)
def test_bad_input_is_one_line(workspace: Path, args: tuple[str, ...], expected: str) -> None:
    code, _, err = cli("voc", "table", "-w", str(workspace), *args)
    assert code == 2 and expected in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "expectations.yaml",
            "expectations:\n  - {id: E1, statement: x}\n  - {id: E1, statement: y}\n",
            "expectations.yaml:3: expectations.1.id: expectation 'E1' is listed twice",
        ),
        (
            "expectations.yaml",
            "expectations:\n  - {id: E1, statement: x, effort: 9}\n",
            "expectations.yaml:2: expectations.0.effort: must be between 1 and 5, got 9",
        ),
        (
            "expectations.yaml",
            "expectations:\n  - {id: E1, statement: x, metrics: [speed]}\n",
            "expectations.yaml:2: expectations.0.metrics.0: unknown metric 'speed'",
        ),
        (
            "themes.csv",
            "theme_id,theme,complaints,share\nT0,waiting,many,0.4\n",
            "themes.csv:2: complaints: 'many' is not a number",
        ),
        (
            "drivers.csv",
            "attribute,coefficient\nwaiting,0.4\n",
            "drivers.csv:1: importance: missing column",
        ),
        (
            "peers.csv",
            "metric,value,peer\nconnection_rate,1.5,bank-a\n",
            "peers.csv:2: value: a share from 0 to 1, got 1.5",
        ),
        (
            "peers.csv",
            "metric,value\nconnection_rate,0.9\n",
            "name the peer (column peer)",
        ),
    ],
)
def test_bad_files_name_file_line_and_field(
    workspace: Path, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    option = {"expectations.yaml": "--register"}.get(name, "--" + name.removesuffix(".csv"))
    code, _, err = cli("voc", "table", "-w", str(workspace), option, str(path))
    assert code == 2 and expected in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
