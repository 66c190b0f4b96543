"""The survey importer: a hand-written survey file and its mapping (Madrid time, UTC+1 in
winter), bad answers quarantined one by one, scales from 0, 1 or elsewhere, the mapping's
checks, and the shared bank survey with the mapping shipped in docs/examples."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from carecenter.adapters.files import open_text
from carecenter.errors import InputError
from carecenter.ingest import ImportOptions, make_importer
from carecenter.ingest.common import MemorySink
from carecenter.ingest.survey_file import (
    Question,
    SurveyFile,
    original_score,
    read_survey_mapping,
    stored_score,
)

ROOT = Path(__file__).resolve().parents[3]
BANK = Path("/work/shared/data/surveys/plspm_bank_satisfaction_250.csv")

MAPPING = """\
survey: post-call
respondent: id
answered_at: when
time_format: "%d/%m/%Y %H:%M"
time_zone: Europe/Madrid
source: crm
customer: client
contact: call
agent: agent
scale: [1, 5]
questions:
  q_csat: csat
  q_ces: {question: ces, scale: [1, 7]}
  q_nps: {question: nps, scale: [0, 10]}
  q_agree: {question: agree, scale: [-2, 2]}
attributes:
  service: [q_ces, q_agree]
outcome: q_csat
"""

SURVEY = """\
id,when,client,call,agent,q_csat,q_ces,q_nps,q_agree
r1,05/01/2026 10:30,c1,k1,ann,5,2,9,2
r2,05/01/2026 11:00,c2,,bob,3,,0,-2
r3,05/01/2026 12:00,,k3,,6,x,10,0
r4,99/01/2026 12:00,c4,k4,,4,4,4,1
,05/01/2026 13:00,c5,k5,,4,4,4,1
r6,05/01/2026 14:00,c6,k6,,,,,
r7,05/01/2026 15:00,c7,k7,,2.5,7,11,-3
"""


def _run(tmp_path: Path, mapping: str = MAPPING, survey: str = SURVEY) -> MemorySink:
    (tmp_path / "map.yaml").write_text(mapping)
    (tmp_path / "survey.csv").write_text(survey)
    importer = SurveyFile(read_survey_mapping(tmp_path / "map.yaml"))
    sink = MemorySink()
    sink.counts.file = "survey.csv"
    with open_text(tmp_path / "survey.csv") as text:
        importer.read(text, sink)
    return sink


def test_each_answer_becomes_a_row_linked_to_customer_and_contact(tmp_path: Path) -> None:
    answers = {(a["survey_id"], a["question"]): a for a in _run(tmp_path).answer_dicts()}
    r1 = [answers[("post-call:r1", q)] for q in ("csat", "ces", "nps", "agree")]
    # -2..2 is stored shifted to 1..5: 2 -> 5
    assert [(a["score"], a["scale_max"]) for a in r1] == [(5, 5), (2, 7), (9, 10), (5, 5)]
    assert {a["answered_at"] for a in r1} == {datetime(2026, 1, 5, 9, 30, tzinfo=UTC)}
    assert {(a["customer_id"], a["contact_id"]) for a in r1} == {("crm:c1", "crm:k1")}
    # r2: a blank answer is no answer; 0 is on the NPS scale; -2 is stored as 1
    r2 = {q: a["score"] for (s, q), a in answers.items() if s == "post-call:r2"}
    assert r2 == {"csat": 3, "nps": 0, "agree": 1}
    assert answers[("post-call:r2", "csat")]["contact_id"] is None
    # r3: no customer; the bad answers are set aside, the others kept
    r3 = {q: a["score"] for (s, q), a in answers.items() if s == "post-call:r3"}
    assert r3 == {"nps": 10, "agree": 3}
    assert answers[("post-call:r3", "nps")]["customer_id"] is None
    assert sorted({s for s, _ in answers}) == [
        "post-call:r1", "post-call:r2", "post-call:r3", "post-call:r7",
    ]  # fmt: skip
    assert {q: a["score"] for (s, q), a in answers.items() if s == "post-call:r7"} == {"ces": 7}


def test_bad_answers_are_quarantined_with_line_and_column(tmp_path: Path) -> None:
    sink = _run(tmp_path)
    assert [(f, line, reason) for f, line, reason, _ in sink.quarantined] == [
        ("survey.csv", 4, "q_csat: 6 is not on the scale 1..5"),
        ("survey.csv", 4, "q_ces: 'x' is not a number"),
        ("survey.csv", 5, "when: not a time in format %d/%m/%Y %H:%M: '99/01/2026 12:00'"),
        ("survey.csv", 6, "id: empty (no respondent)"),
        ("survey.csv", 8, "q_csat: '2.5' is not a whole number"),
        ("survey.csv", 8, "q_nps: 11 is not on the scale 0..10"),
        ("survey.csv", 8, "q_agree: -3 is not on the scale -2..2"),
    ]
    counts = sink.counts
    assert (counts.records, counts.quarantined, counts.ignored) == (7, 7, 1)
    assert counts.notes["survey answers written"] == 10
    assert counts.notes["ignored: a row without answers"] == 1
    assert counts.notes["quarantined: q_csat"] == 2
    # r2 names an agent but no contact: the agent cannot be stored
    assert counts.warnings == [
        "1 rows give an agent, queue or tier but no contact: not stored "
        "(an answer reaches them through its contact)"
    ]


def test_without_respondent_column_the_line_is_the_respondent(tmp_path: Path) -> None:
    mapping = (
        "survey: s\ndate: 2026-03-29\ntime_zone: Europe/Paris\nquestions: {a: {scale: [1, 3]}}\n"
    )
    sink = _run(tmp_path, mapping, "a,b\n1,x\n\n3,y\n")
    rows = [(a["survey_id"], a["score"], a["answered_at"]) for a in sink.answer_dicts()]
    midnight = datetime(2026, 3, 28, 23, tzinfo=UTC)  # midnight in Paris, UTC+1 that day
    assert rows == [("s:2", 1, midnight), ("s:4", 3, midnight)]


def test_a_later_row_of_the_same_respondent_replaces_its_answers(tmp_path: Path) -> None:
    mapping = "survey: s\nrespondent: id\ndate: 2026-01-01\nscale: [1, 5]\nquestions: [a, b]\n"
    sink = _run(tmp_path, mapping, "id,a,b\nr,1,2\nr,5,\n")
    assert [(a["question"], a["score"]) for a in sink.answer_dicts()] == [("a", 5), ("b", 2)]


def test_scores_off_a_0_or_1_scale_are_shifted_and_back() -> None:
    agree = Question("c", "agree", -2, 2)
    assert [stored_score(v, agree) for v in (-2, 0, 2)] == [(1, 5), (3, 5), (5, 5)]
    assert [original_score(s, agree) for s in (1.0, 3.0, 5.0)] == [-2.0, 0.0, 2.0]
    nps, stars = Question("n", "nps", 0, 10), Question("s", "stars", 1, 5)
    assert (stored_score(0, nps), stored_score(4, stars)) == ((0, 10), (4, 5))
    assert original_score(7.0, nps) == 7.0
    decile = Question("d", "d", 5, 9)
    assert stored_score(9, decile) == (5, 5)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("date: 2026-01-01\nquestions: [a]\nscale: [1, 5]\n", "map.yaml: survey: name the survey"),
        ("survey: s\nquestions: [a]\nscale: [1, 5]\n", "answered_at: give either"),
        ("survey: s\ndate: 2026-01-01\nquestions: [a]\n", "questions.a: no scale"),
        ("survey: s\ndate: 2026-01-01\nquestions: [a]\nscale: [5, 1]\n", ":4: scale: expected"),
        ("survey: s\ndate: 2026-01-01\nscale: [1, 5]\nquestions: [a]\nwhen: x\n", "when: unknown"),
        (
            "survey: s\ndate: 2026-01-01\nscale: [1, 5]\nquestions: {a: x, b: x}\n",
            "question 'x' is named for two columns",
        ),
        (
            "survey: s\ndate: 2026-01-01\nscale: [1, 5]\nquestions: [a, b]\n"
            "attributes: {p: [a, z]}\n",
            "attributes.p: 'z' is not a column",
        ),
        (
            "survey: s\ndate: 2026-01-01\nscale: [1, 5]\nquestions: [a, b]\n"
            "attributes: {p: [a, b]}\noutcome: a\n",
            "outcome: expected an attribute",
        ),
        (
            "survey: s\ndate: 2026-01-01\nscale: [1, 5]\nquestions: [a, b, c]\n"
            "attributes: {p: [a], q: [b]}\noutcome: c\npaths: {p: [q], q: [p]}\n",
            "paths: the paths go round in a cycle",
        ),
        (
            "survey: s\ndate: 2026-01-01\nscale: [1, 5]\nquestions: [a, b, c]\n"
            "attributes: {p: [a], q: [b]}\noutcome: c\npaths: {p: [c]}\n",
            "paths: attribute 'q' is on no path",
        ),
    ],
)
def test_mapping_errors_name_the_file_line_and_setting(
    tmp_path: Path, mapping: str, message: str
) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(mapping)
    with pytest.raises(InputError, match=message) as caught:
        read_survey_mapping(path)
    assert str(path) in str(caught.value)


def test_without_paths_every_attribute_drives_the_outcome(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(
        MAPPING.replace("  service: [q_ces, q_agree]\n", "  s: [q_ces]\n  t: [q_nps]\n")
    )
    mapping = read_survey_mapping(path)
    assert mapping.paths == (("s", "q_csat"), ("t", "q_csat"))
    assert mapping.blocks() == {"s": ("q_ces",), "t": ("q_nps",), "q_csat": ("q_csat",)}


def test_the_import_dispatch_builds_the_survey_importer(tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text(MAPPING)
    importer = make_importer(
        "survey", ImportOptions(mapping_file=tmp_path / "map.yaml", time_zone="UTC")
    )
    assert isinstance(importer, SurveyFile)
    assert importer.source == "crm"
    assert importer.mapping.time_zone is UTC


@pytest.mark.skipif(not BANK.exists(), reason="the shared bank survey is not on this machine")
def test_the_bank_survey_imports_whole_with_the_shipped_mapping() -> None:
    mapping = read_survey_mapping(ROOT / "docs" / "examples" / "bank-satisfaction-survey.yaml")
    sink = MemorySink()
    with open_text(BANK) as text:
        SurveyFile(mapping).read(text, sink)
    assert (sink.counts.records, sink.counts.quarantined) == (250, 0)
    assert len(sink.answers) == 250 * 27
    # first data row (line 2): imag1 = 8, sat1 = 6; scores 0..10 stored as written
    first = {q: row[2] for (s, q), row in sink.answers.items() if s == "bank-satisfaction:2"}
    assert (first["imag1"], first["sat1"], first["loy4"]) == (8, 6, 6)
    assert {row[3] for row in sink.answers.values()} == {10}
    assert min(row[2] for row in sink.answers.values()) == 0


COMMENTED = """\
id,when,q_csat,q_ces,q_nps,q_agree,remarks
r1,05/01/2026 10:30,2,6,3,-1,Waited an hour for nobody.
r2,05/01/2026 11:00,,5,1,,  Too many transfers.
r3,05/01/2026 12:00,5,1,10,2,
r4,05/01/2026 13:00,,,,,Never got the survey questions.
"""


def test_the_comment_goes_on_the_outcome_answer_else_the_first(tmp_path: Path) -> None:
    mapping = MAPPING.replace("outcome: q_csat\n", "outcome: q_csat\ncomment: remarks\n")
    for link in ("customer: client\n", "contact: call\n", "agent: agent\n"):
        mapping = mapping.replace(link, "")
    sink = _run(tmp_path, mapping, COMMENTED)
    comments = {
        (a["survey_id"], a["question"]): a["comment"]
        for a in sink.answer_dicts()
        if a["comment"] is not None
    }
    # r1 answers the outcome (csat); r2 does not: its first answered question is ces
    assert comments == {
        ("post-call:r1", "csat"): "Waited an hour for nobody.",
        ("post-call:r2", "ces"): "Too many transfers.",
    }
    assert sink.counts.notes["survey comments written"] == 2
    assert sink.counts.notes["comments not stored: a row without answers"] == 1
