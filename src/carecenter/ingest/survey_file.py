"""``survey``: a survey's answers, one CSV row per respondent, described by a mapping file.

The mapping file (YAML) says which columns hold what::

    survey: bank-2013              # survey ids are bank-2013:<respondent>
    respondent: id                 # the respondent's column (default: the line number)
    answered_at: answered          # a time column (time_format, time_zone as for csv)...
    date: 2013-06-01               # ...or one day for every answer (midnight, time_zone)
    time_zone: Europe/Madrid
    source: crm                    # optional: customer and contact ids become crm:<id>
    customer: client               # optional link columns: customer, contact,
    contact: call                  #   agent, queue, tier
    scale: [1, 10]                 # the default scale (min, max) of the questions
    questions:                     # column: question name, or {question, scale}
      imag1: image_1
      sat1: {question: overall, scale: [1, 10]}
      nps: {scale: [0, 10]}        # question name: the column's
    attributes:                    # optional, for driver analysis: attribute -> items
      image: [imag1, imag2]
    outcome: satisfaction          # the attribute (or item) that is overall satisfaction
    paths:                         # optional: attribute -> the attributes it drives
      image: [satisfaction]
    comment: remarks               # optional: the respondent's free-text comment column

Each answered question of a row becomes one ``survey_answers`` row (survey ``<survey>:
<respondent>``); a later row of the same respondent replaces the answers it gives again. A
blank cell is no answer. A cell that is not a whole number on its question's scale is
quarantined (file, line, the column and why), and the row's other answers are kept. A row
without a respondent or answer time is quarantined whole.

**Scores.** ``survey_answers`` holds whole scores on ``1..scale_max`` (``0..scale_max`` for a
scale from 0, such as NPS). A scale from 0 or 1 is stored as written; any other scale
``[lo, hi]`` is shifted to start at 1: score ``x`` is stored as ``x - lo + 1`` with
``scale_max = hi - lo + 1`` (a -2..2 agreement scale is stored as 1..5), see
:func:`stored_score` and :func:`original_score`.

**Comment.** A ``comment`` column's text (blank: none) goes on one answer of the row: its
answer to the ``outcome`` when the outcome is a question column the row answers, else its first
answered question in the order of ``questions``. A comment on a row that answers no question is
not stored (a note counts them). ``carecenter voc themes`` reads a comment given with a
dissatisfied answer as a complaint (:func:`carecenter.domain.complaints.dissatisfied`).

**Links.** An answer keeps its ``customer_id`` and ``contact_id``; the agent, queue and tier
of an answer are those of the contact it is about (``contact_facts``), since
``survey_answers`` has no columns for them. Agent, queue or tier cells of a row without a
contact are not stored, and a warning counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any

from carecenter.domain.drivers import PathModel
from carecenter.domain.projection import SurveyAnswerRow, row_values
from carecenter.ingest.common import FactSink, TextFile
from carecenter.ingest.mapping_file import MappingDocument, mapped_rows, read_document, time_parser
from carecenter.ingest.timezones import zone

LINKS = ("customer", "contact", "agent", "queue", "tier")
SETTINGS = {
    "survey",
    "respondent",
    "answered_at",
    "date",
    "time_format",
    "time_zone",
    "delimiter",
    "source",
    "scale",
    "questions",
    "attributes",
    "outcome",
    "paths",
    "comment",
    *LINKS,
}


@dataclass(frozen=True)
class Question:
    """A question column: its question name and scale ``low..high``."""

    column: str
    name: str
    low: int
    high: int


def stored_score(value: int, question: Question) -> tuple[int, int]:
    """(score, scale_max) as ``survey_answers`` holds ``value`` (see the module)."""
    if question.low in (0, 1):
        return value, question.high
    return value - question.low + 1, question.high - question.low + 1


def original_score(score: float, question: Question) -> float:
    """A stored score back on the question's own scale."""
    return score if question.low in (0, 1) else score + question.low - 1


@dataclass(frozen=True)
class SurveyMapping:
    """A validated survey mapping file."""

    where: str
    survey: str
    questions: tuple[Question, ...]
    respondent: str | None = None
    answered_at: str | None = None
    day: date | None = None
    time_format: str = "iso"
    time_zone: tzinfo | None = None
    delimiter: str | None = None
    source: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    """Link (customer, contact, agent, queue, tier) -> column."""
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Attribute -> the columns of its items."""
    outcome: str | None = None
    paths: tuple[tuple[str, str], ...] = ()
    comment: str | None = None
    """The column of the respondent's comment."""

    def question(self, column: str) -> Question:
        """The question of a column."""
        return next(q for q in self.questions if q.column == column)

    def blocks(self) -> dict[str, tuple[str, ...]]:
        """The driver model's blocks: the attributes, and the outcome as a one-item block
        when it is a question column."""
        blocks = dict(self.attributes)
        if self.outcome is not None:
            blocks.setdefault(self.outcome, (self.outcome,))
        return blocks


def _scale(value: Any, doc: MappingDocument, key: str) -> tuple[int, int]:
    ok = isinstance(value, list) and len(value) == 2
    ok = ok and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    if not ok or value[0] >= value[1]:
        raise doc.fail(f"expected [min, max], two whole numbers with min < max, not {value!r}", key)
    return int(value[0]), int(value[1])


def _questions(doc: MappingDocument) -> tuple[Question, ...]:
    data = doc.data
    default = _scale(data["scale"], doc, "scale") if "scale" in data else None
    raw = data.get("questions")
    if isinstance(raw, list):
        raw = dict.fromkeys(raw)
    if not isinstance(raw, dict) or not raw:
        raise doc.fail("a mapping of column: question is needed", "questions")
    out: list[Question] = []
    for column, spec in raw.items():
        key = f"questions.{column}"
        spec = {"question": spec} if spec is None or isinstance(spec, str) else spec
        if not isinstance(spec, dict) or set(spec) - {"question", "scale"}:
            raise doc.fail("expected a question name or {question: NAME, scale: [min, max]}", key)
        scale = _scale(spec["scale"], doc, key) if "scale" in spec else default
        if scale is None:
            raise doc.fail("no scale: give one here or a default `scale: [min, max]`", key)
        out.append(Question(str(column), str(spec.get("question") or column), *scale))
    names = [q.name for q in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise doc.fail(f"question {twice[0]!r} is named for two columns", "questions")
    return tuple(out)


def _attributes(doc: MappingDocument, columns: set[str]) -> dict[str, tuple[str, ...]]:
    raw = doc.data.get("attributes") or {}
    if not isinstance(raw, dict):
        raise doc.fail("expected a mapping of attribute: [item columns]", "attributes")
    out: dict[str, tuple[str, ...]] = {}
    for name, items in raw.items():
        key = f"attributes.{name}"
        if not isinstance(items, list) or not items:
            raise doc.fail("expected a list of item columns", key)
        for item in items:
            if str(item) not in columns:
                raise doc.fail(f"{item!r} is not a column of questions", key)
        out[str(name)] = tuple(str(i) for i in items)
    return out


def _model(
    doc: MappingDocument, attributes: dict[str, tuple[str, ...]], columns: set[str]
) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """The outcome and the paths (without ``paths``: every attribute drives the outcome)."""
    outcome = _text(doc.data.get("outcome"))
    blocks = dict(attributes)
    if outcome is not None:
        listed = {i for items in attributes.values() for i in items}
        if outcome not in attributes and (outcome not in columns or outcome in listed):
            raise doc.fail(
                "expected an attribute, or a question column that no attribute lists", "outcome"
            )
        blocks.setdefault(outcome, (outcome,))
    raw = doc.data.get("paths")
    if raw is None:
        star = [(a, outcome) for a in attributes if outcome is not None and a != outcome]
        return outcome, tuple(star)
    if not isinstance(raw, dict) or not raw:
        raise doc.fail("expected a mapping of attribute: [attributes it drives]", "paths")
    paths: list[tuple[str, str]] = []
    for source, targets in raw.items():
        targets = targets if isinstance(targets, list) else [targets]
        paths += [(str(source), str(t)) for t in targets]
    try:
        PathModel({b: [0] for b in blocks}, paths).adjacency()
    except ValueError as exc:
        raise doc.fail(str(exc), "paths") from None
    alone = [b for b in blocks if all(b not in p for p in paths)]
    if alone:
        raise doc.fail(f"attribute {alone[0]!r} is on no path", "paths")
    return outcome, tuple(paths)


def read_survey_mapping(path: Path, time_zone: str | None = None) -> SurveyMapping:
    """Read and check a survey mapping file; ``--tz`` (``time_zone``) overrides its zone."""
    doc = read_document(path)
    data = doc.data
    doc.check_settings(SETTINGS)
    if not data.get("survey"):
        raise doc.fail("name the survey (survey ids are <survey>:<respondent>)", "survey")
    questions = _questions(doc)
    columns = {q.column for q in questions}
    day = data.get("date")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise doc.fail(f"{day!r} is not a day YYYY-MM-DD", "date") from None
    if day is not None and not isinstance(day, date):
        raise doc.fail(f"{day!r} is not a day YYYY-MM-DD", "date")
    if (day is None) == (data.get("answered_at") is None):
        raise doc.fail("give either an answered_at column or a date", "answered_at")
    attributes = _attributes(doc, columns)
    outcome, paths = _model(doc, attributes, columns)
    zone_name = time_zone or data.get("time_zone")
    return SurveyMapping(
        where=str(path),
        survey=str(data["survey"]),
        questions=questions,
        respondent=_text(data.get("respondent")),
        answered_at=_text(data.get("answered_at")),
        day=day,
        time_format=str(data.get("time_format") or "iso"),
        time_zone=zone(str(zone_name), field="time_zone") if zone_name else None,
        delimiter=data.get("delimiter"),
        source=_text(data.get("source")),
        links={k: str(data[k]) for k in LINKS if data.get(k)},
        attributes=attributes,
        outcome=outcome,
        paths=paths,
        comment=_text(data.get("comment")),
    )


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


class SurveyFile:
    """Translator of a survey CSV described by a :class:`SurveyMapping` into answer rows."""

    def __init__(self, mapping: SurveyMapping) -> None:
        self.mapping = mapping
        self.source = mapping.source or mapping.survey
        self._parse_time = time_parser(mapping.time_format, mapping.time_zone)

    def _columns(self) -> dict[str, str]:
        m = self.mapping
        named = {"respondent": m.respondent, "answered_at": m.answered_at, **m.links}
        named["comment"] = m.comment
        columns = {f: c for f, c in named.items() if c is not None}
        return columns | {f"?{q.column}": q.column for q in m.questions}

    def read(self, file: TextFile, sink: FactSink) -> None:
        m = self.mapping
        unlinked = 0
        for number, values, text in mapped_rows(file, self._columns(), m.delimiter, sink):
            try:
                respondent = values.get("respondent", str(number))
                if not respondent:
                    raise ValueError(f"{m.respondent}: empty (no respondent)")
                answered = self._answered(values)
            except ValueError as exc:
                sink.quarantine(number, str(exc), text)
                continue
            contact = self._id(values.get("contact"))
            customer = self._id(values.get("customer"))
            if contact is None and any(values.get(k) for k in ("agent", "queue", "tier")):
                unlinked += 1
            rows: list[SurveyAnswerRow] = []
            for q in m.questions:
                cell = values[f"?{q.column}"]
                if cell == "":
                    continue
                try:
                    score, top = stored_score(_score(cell, q), q)
                except ValueError as exc:
                    sink.quarantine(number, str(exc), text)
                    continue
                rows.append(
                    SurveyAnswerRow(
                        f"{m.survey}:{respondent}", q.name, score, top, answered, contact, customer
                    )
                )
            self._comment(rows, values.get("comment", ""), sink)
            for row in rows:
                sink.answer(list(row_values(row)))
            written = len(rows)
            sink.counts.notes["survey answers written"] += written
            if not written:
                sink.counts.ignored += 1
                sink.counts.notes["ignored: a row without answers"] += 1
        if unlinked:
            sink.counts.warnings.append(
                f"{unlinked} rows give an agent, queue or tier but no contact: not stored "
                "(an answer reaches them through its contact)"
            )

    def finish(self, sink: FactSink) -> None:
        return None

    def _comment(self, rows: list[SurveyAnswerRow], comment: str, sink: FactSink) -> None:
        """Put the row's comment on its outcome answer, else on its first answer."""
        if not comment:
            return
        if not rows:
            sink.counts.notes["comments not stored: a row without answers"] += 1
            return
        m = self.mapping
        outcome = next((q.name for q in m.questions if q.column == m.outcome), None)
        row = next((r for r in rows if r.question == outcome), rows[0])
        row.comment = comment
        sink.counts.notes["survey comments written"] += 1

    def _answered(self, values: dict[str, str]) -> datetime:
        m = self.mapping
        if m.day is not None:
            return datetime.combine(m.day, time(0), m.time_zone or zone("UTC"))
        text = values.get("answered_at", "")
        if not text:
            raise ValueError(f"{m.answered_at}: empty (no answer time)")
        try:
            return self._parse_time(text)
        except (ValueError, OverflowError):
            raise ValueError(
                f"{m.answered_at}: not a time in format {m.time_format}: {text!r}"
            ) from None

    def _id(self, text: str | None) -> str | None:
        if not text:
            return None
        return f"{self.mapping.source}:{text}" if self.mapping.source else text


def _score(text: str, question: Question) -> int:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{question.column}: {text!r} is not a number") from None
    if not value.is_integer():
        raise ValueError(f"{question.column}: {text!r} is not a whole number")
    if not question.low <= value <= question.high:
        raise ValueError(
            f"{question.column}: {text} is not on the scale {question.low}..{question.high}"
        )
    return int(value)
