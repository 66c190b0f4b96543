"""``carecenter import complaints`` then ``carecenter voc themes``, through the CLI.

The complaints are the 290 CFPB narratives of ``tests/fixtures/cfpb_narratives_excerpt.csv``
(public domain: a US Government work) in the CFPB export's own columns, plus five rows made
here: one with a date that does not exist (quarantined), one without a narrative, one that is
spam, and two copies of the fixture's first narrative (complaint 2555305, received 2017-06-21).
The fixture itself holds 4 complaints with the same text as an earlier one (all received in
2019): 3174256 (of 3174151), 3180424 and 3180532 (of 3180394), 3436584 (of 3399277). Kept:
290 - 4 = 286, of which 244 - 4 = 240 received in 2019.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.helpers import query
from typer.testing import CliRunner

from carecenter.adapters.settings import Settings
from carecenter.domain.contact import Contact
from carecenter.domain.enums import Channel
from carecenter.domain.events import ContactEnded, Event, SurveyAnswered
from carecenter.interfaces.cli.app import app
from carecenter.services.bootstrap import bootstrap
from carecenter.services.projector import project

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "cfpb_narratives_excerpt.csv"


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("themes")
    with FIXTURE.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    first = dict(zip(header, rows[0], strict=True))
    made = [
        ["900001", "2019/02/30", "Debt collection", "Written notification about debt",
         "I never got a letter about this debt before the calls started.", "Web"],
        ["900002", "2019/05/02", "Mortgage", "Struggling to pay mortgage", "", "Phone"],
        ["900003", "2019/05/03", "Mortgage", "Struggling to pay mortgage", "!!!!!!!!!", "Web"],
        ["900004", "2019/12/30", first["Product"], first["Issue"],
         first["Consumer complaint narrative"], "Web"],
        ["900005", "2020/01/02", first["Product"], first["Issue"],
         first["Consumer complaint narrative"].upper(), "Web"],
    ]  # fmt: skip
    complaints = tmp / "complaints.csv"
    with complaints.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows([*rows, *made])
    ws = tmp / "ws"
    assert cli("init", str(ws))[0] == 0
    return {"complaints": complaints, "ws": ws, "tmp": tmp}


@pytest.fixture(scope="module")
def imported(files: dict[str, Path]) -> tuple[int, str, str]:
    return cli(
        "import", "complaints", str(files["complaints"]), "-w", str(files["ws"]), "-f", "json"
    )


def test_import_quarantines_the_bad_row_and_sets_aside_with_reasons(
    files: dict[str, Path], imported: tuple[int, str, str]
) -> None:
    code, out, err = imported
    assert code == 3, err
    (row,) = json.loads(out)
    assert (row["records"], row["quarantined"]) == (295, 1)
    assert "note: complaints kept: 286" in err
    for note in ("no text: 1", "spam: 1", "duplicate: 6"):
        assert f"note: set aside: {note}" in err, err
    assert "Traceback" not in err
    # the made rows are one line each, after the fixture's (whose narratives span lines)
    line = files["complaints"].read_bytes().count(b"\n") - 4
    assert query(files["ws"], "SELECT line, reason FROM import_quarantine") == [
        (line, "received_at: not a time in format auto: '2019/02/30'")
    ]
    reasons = query(
        files["ws"],
        "SELECT complaint_id, reason FROM complaints WHERE status = 'set_aside' "
        "ORDER BY complaint_id",
    )
    assert reasons == [
        ("cfpb:3174256", "duplicate of cfpb:3174151"),
        ("cfpb:3180424", "duplicate of cfpb:3180394"),
        ("cfpb:3180532", "duplicate of cfpb:3180394"),
        ("cfpb:3436584", "duplicate of cfpb:3399277"),
        ("cfpb:900002", "no text"),
        ("cfpb:900003", "spam: no letters"),
        ("cfpb:900004", "duplicate of cfpb:2555305"),
        ("cfpb:900005", "duplicate of cfpb:2555305"),
    ]
    assert query(files["ws"], "SELECT count(*) FROM complaints WHERE status = 'kept'") == [(286,)]


def test_themes_from_the_workspace(files: dict[str, Path], imported: tuple[int, str, str]) -> None:
    summary = files["tmp"] / "summary.csv"
    months = files["tmp"] / "months.csv"
    code, out, err = cli(
        "voc", "themes", "-w", str(files["ws"]), "--themes", "7", "--seed", "1",
        "--format", "json", "--summary", str(summary), "--by-month", str(months),
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 286 and list(rows[0]) == ["id", "theme_id", "theme"]
    assert all(r["id"].startswith("cfpb:") for r in rows)
    sizes = Counter(r["theme_id"] for r in rows)
    with summary.open(encoding="utf-8", newline="") as f:
        themes = list(csv.DictReader(f))
    assert list(themes[0]) == [
        "theme_id", "theme", "top_terms", "examples", "complaints", "share", "trend_per_month",
    ]  # fmt: skip
    assert [int(t["complaints"]) for t in themes] == [sizes[i] for i in range(1, 8)]
    assert sum(float(t["share"]) for t in themes) == pytest.approx(1.0)
    for t in themes:
        assert len(t["top_terms"].split(";")) == 8
        assert len(t["examples"].split(" | ")) == 3
        assert {r["theme"] for r in rows if r["theme_id"] == int(t["theme_id"])} == {t["theme"]}
        float(t["trend_per_month"])  # every theme has a trend over the months 2017-2020
    with months.open(encoding="utf-8", newline="") as f:
        cells = list(csv.DictReader(f))
    assert sum(int(c["complaints"]) for c in cells) == 286
    assert {c["queue"] for c in cells} <= {
        "Debt collection",
        "Mortgage",
        "Credit card or prepaid card",
        "Checking or savings account",
        "Credit reporting, credit repair services, or other personal consumer reports",
        "Student loan",
        "Vehicle loan or lease",
        "Payday loan, title loan, or personal loan",
        "Money transfer, virtual currency, or money service",
    }
    assert "theme 1: " in err


def test_themes_of_a_period_and_the_same_seed(
    files: dict[str, Path], imported: tuple[int, str, str]
) -> None:
    args = ["voc", "themes", "-w", str(files["ws"]), "--from", "2019-01-01", "--to",
            "2019-12-31", "--themes", "5", "-f", "csv"]  # fmt: skip
    code, out, err = cli(*args)
    assert code == 0, err
    again = cli(*args)[1]
    assert out == again
    lines = out.splitlines()
    assert lines[0] == "id,theme_id,theme" and len(lines) == 1 + 240


def test_themes_from_a_file(files: dict[str, Path]) -> None:
    summary = files["tmp"] / "file-summary.json"
    code, out, err = cli(
        "voc", "themes", str(FIXTURE), "--text-column", "Consumer complaint narrative",
        "--id-column", "Complaint ID", "--date-column", "Date received",
        "--queue-column", "Product", "--themes", "7", "--format", "csv",
        "--summary", str(summary),
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert len(rows) == 290 and not rows[0]["id"].startswith("cfpb:")
    themes = json.loads(summary.read_text())
    assert [t["theme_id"] for t in themes] == list(range(1, 8))
    assert sum(t["complaints"] for t in themes) == 290


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (("--text-column", "Nope", "--id-column", "Complaint ID"), "--text-column"),
        (("--id-column", "Complaint ID"), "--text-column"),
        (
            (
                "--text-column",
                "Consumer complaint narrative",
                "--id-column",
                "Complaint ID",
                "--themes",
                "1",
            ),
            "--themes",
        ),
    ],
)
def test_bad_input_is_one_line(args: tuple[str, ...], flag: str) -> None:
    code, _, err = cli("voc", "themes", str(FIXTURE), *args)
    assert code == 2 and flag in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


def test_an_empty_workspace_says_so(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    code, _, err = cli("voc", "themes", "-w", str(ws))
    assert code == 2 and "no complaints" in err and len(err.strip().splitlines()) == 1, err


SOURCES_CSV = """\
Complaint ID,Date received,Product,Issue,Consumer complaint narrative,Submitted via
1,2026/03/02,Mortgage,Trouble during payment process,The bank lost my mortgage payment and \
charged me a late fee.,Web
2,2026/03/03,Credit card,Problem with a purchase,My credit card was charged twice for one \
purchase at the store.,Web
3,2026/03/04,Credit card,Problem with a purchase,!!!!!!!!,Web
"""
"""Three complaints in the CFPB export's columns (made here); the third is spam."""


def _sources_events() -> list[Event]:
    """Three contacts in queue ``billing`` (answered by a1, ended by the agent) and three
    survey answers, in March 2026 (UTC):

    * k1 ``complaint`` with a note; k2 ``COMPLAINT`` without one; k3 ``sales`` with a note;
    * survey s1 about k1: CSAT 1 with a comment (dissatisfied); s2 about k3: CSAT 5 with a
      comment (satisfied: left out); s3: NPS 9 without a comment.
    """
    at = lambda d, h=10: datetime(2026, 3, d, h, tzinfo=UTC)  # noqa: E731
    events: list[Event] = []
    ends = [
        ("k1", "complaint", "The late fee was charged twice and nobody refunded my card."),
        ("k2", "COMPLAINT", None),
        ("k3", "sales", "Wants a second card for the spouse."),
    ]
    for d, (cid, code, note) in enumerate(ends, start=5):
        contact, arrived = Contact.arrive(cid, Channel.VOICE, at(d), customer_id=f"u-{cid}")
        events += [arrived, contact.queue("billing", at(d)), contact.answer("a1", at(d, 11))]
        events.append(
            ContactEnded(
                occurred_at=at(d, 12), contact_id=cid, ended_by="agent", disposition=code, note=note
            )
        )
    answers = [
        ("s1", "k1", "csat", 1, 5, "The agent was rude and the fee is still on my card."),
        ("s2", "k3", "csat", 5, 5, "Quick and friendly, thank you."),
        ("s3", None, "nps", 9, 10, None),
    ]
    for survey, cid, question, score, top, comment in answers:
        events.append(
            SurveyAnswered(
                occurred_at=at(10),
                survey_id=survey,
                question=question,
                score=score,
                scale_max=top,
                contact_id=cid,
                comment=comment,
            )
        )
    return events


def test_themes_of_imported_contact_and_survey_complaints(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("init", str(ws))[0] == 0
    complaints = tmp_path / "complaints.csv"
    complaints.write_text(SOURCES_CSV, encoding="utf-8")
    code, _, err = cli("import", "complaints", str(complaints), "-w", str(ws))
    assert code == 0 and "complaints kept: 2" in err, err
    with bootstrap(Settings(workspace=ws)) as opened_ws:
        opened_ws.events.append(_sources_events())
        project(opened_ws.events, opened_ws.warehouse)
    months = tmp_path / "months.json"
    code, out, err = cli(
        "voc", "themes", "-w", str(ws), "--themes", "2", "-f", "json", "--by-month", str(months)
    )
    assert code == 0, err
    assert sorted(r["id"] for r in json.loads(out)) == [
        "cfpb:1",
        "cfpb:2",
        "contact:k1",
        "survey:s1",
    ]
    assert (
        "complaints: 4 (2 imported, 1 from contacts with disposition complaint, "
        "1 from dissatisfied survey comments)"
    ) in err
    assert "1 complaint contacts without a note: counted, not themed" in err
    cells: Counter[tuple[str, str]] = Counter()
    for cell in json.loads(months.read_text()):
        cells[(cell["month"], cell["queue"])] += cell["complaints"]
    # the contact and the comment on it count in the contact's queue, imports by product
    assert cells == {
        ("2026-03", "billing"): 2,
        ("2026-03", "Mortgage"): 1,
        ("2026-03", "Credit card"): 1,
    }
    code, out, err = cli("voc", "themes", "-w", str(ws), "--from", "2026-03-03", "--themes", "2",
                         "-f", "json")  # fmt: skip
    assert code == 0, err
    assert sorted(r["id"] for r in json.loads(out)) == ["cfpb:2", "contact:k1", "survey:s1"]
    assert "complaints: 3 (1 imported, 1 from contacts" in err
