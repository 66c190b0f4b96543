"""Use case: ``carecenter voc drivers`` — which attributes move overall satisfaction.

The answers come straight from a survey file read through its mapping (the ``survey``
importer, :mod:`carecenter.ingest.survey_file`, so a bad answer is set aside exactly as an
import would), or from the answers a workspace holds for one survey (survey ids
``<survey>:<respondent>``). The mapping's ``attributes`` are the blocks of items, its
``outcome`` the attribute that is overall satisfaction, its ``paths`` the inner model (without
them, every attribute drives the outcome directly).

Respondents who left an item of the model unanswered (or whose answer was quarantined) are
left out (listwise deletion) and counted in a note. The model is the PLS path model of
:mod:`carecenter.domain.drivers`; each attribute with a path to the outcome gets a row:
``importance`` (its share of the absolute total effects on the outcome, adding up to 1),
``coefficient`` (its total effect, standardized), ``direct`` (its direct path coefficient, 0
without a direct path), ``mean_score`` (the mean over the respondents of the mean of its items,
on the items' own scale), ``respondents`` and ``r2`` (the outcome's R^2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from carecenter.adapters.files import open_text
from carecenter.domain.drivers import SCHEMES, PathModel, Scheme, drivers, pls_path_model
from carecenter.errors import InputError
from carecenter.ingest.common import MemorySink
from carecenter.ingest.survey_file import (
    SurveyFile,
    SurveyMapping,
    original_score,
    read_survey_mapping,
)
from carecenter.services.bootstrap import WorkspaceSource, opened

COLUMNS = ["attribute", "importance", "coefficient", "direct", "mean_score", "respondents", "r2"]
"""The columns of the driver table, in order."""

Answer = tuple[str, str, float]
"""(survey id, question, stored score)."""


@dataclass(frozen=True)
class DriverTable:
    """The driver rows, the outcome's R^2 and what the reader should know."""

    rows: list[dict[str, Any]]
    outcome: str
    r2: float
    respondents: int
    notes: list[str] = field(default_factory=list)


def _scheme(scheme: str) -> Scheme:
    for known in SCHEMES:
        if scheme == known:
            return known
    raise InputError(
        f"unknown scheme {scheme!r}; choose one of {', '.join(SCHEMES)}", field="scheme"
    )


def _mapping(path: Path) -> SurveyMapping:
    mapping = read_survey_mapping(path)
    if mapping.outcome is None:
        raise InputError(
            "name the outcome (the attribute that is overall satisfaction)",
            file=str(path),
            field="outcome",
        )
    if not mapping.paths:
        raise InputError("no attribute drives the outcome", file=str(path), field="attributes")
    return mapping


def drivers_from_file(
    survey_file: Path,
    mapping_file: Path,
    *,
    scheme: str = "path",
    scaled: bool = True,
    encoding: str | None = None,
) -> DriverTable:
    """The drivers of the outcome in a survey file described by ``mapping_file``."""
    used = _scheme(scheme)
    mapping = _mapping(mapping_file)
    sink = MemorySink()
    sink.counts.file = str(survey_file)
    with open_text(survey_file, encoding=encoding) as text:
        SurveyFile(mapping).read(text, sink)
    answers = [(r[0], r[1], float(r[2])) for r in sink.answers.values()]
    notes = [f"{f}:{line}: {reason}" for f, line, reason, _ in sink.quarantined[:5]]
    if len(sink.quarantined) > 5:
        notes.append(f"... and {len(sink.quarantined) - 5} more answers quarantined")
    elif sink.quarantined:
        notes.append(f"{len(sink.quarantined)} answers quarantined (left out)")
    return _table(mapping, answers, used, scaled, notes)


def drivers_from_workspace(
    source: WorkspaceSource,
    mapping_file: Path,
    *,
    survey: str | None = None,
    scheme: str = "path",
    scaled: bool = True,
) -> DriverTable:
    """The drivers of the outcome in the answers a workspace holds for ``survey`` (default:
    the mapping's), with the blocks of ``mapping_file``."""
    used = _scheme(scheme)
    mapping = _mapping(mapping_file)
    name = survey or mapping.survey
    with opened(source, read_only=True) as ws:
        table = ws.warehouse.backend().table("survey_answers")
        found = table.filter(table.survey_id.startswith(f"{name}:"))
        rows = found.select("survey_id", "question", "score").to_pyarrow().to_pylist()
    if not rows:
        raise InputError(f"the workspace holds no answers of survey {name!r}", field="survey")
    answers = [(r["survey_id"], r["question"], float(r["score"])) for r in rows]
    return _table(mapping, answers, used, scaled, [])


def _table(
    mapping: SurveyMapping,
    answers: Iterable[Answer],
    scheme: Scheme,
    scaled: bool,
    notes: list[str],
) -> DriverTable:
    blocks = mapping.blocks()
    items = [column for cols in blocks.values() for column in cols]
    question = {c: mapping.question(c) for c in items}
    at = {question[c].name: k for k, c in enumerate(items)}
    by_respondent: dict[str, list[float]] = defaultdict(lambda: [np.nan] * len(items))
    for survey_id, name, score in answers:
        if name in at:
            k = at[name]
            by_respondent[survey_id][k] = original_score(score, question[items[k]])
    data = np.array([by_respondent[r] for r in sorted(by_respondent)], dtype=np.float64)
    complete = data[~np.isnan(data).any(axis=1)] if data.size else data
    left_out = len(data) - len(complete)
    if left_out:
        notes.append(f"{left_out} respondents left out: not every item of the model answered")
    if len(complete) < 3:
        raise InputError(
            f"{len(complete)} respondents answered every item of the model; at least 3 are needed",
            file=mapping.where,
            field="attributes",
        )
    start = np.cumsum([0] + [len(cols) for cols in blocks.values()])
    model = PathModel(
        {b: list(range(start[k], start[k + 1])) for k, b in enumerate(blocks)}, mapping.paths
    )
    try:
        result = pls_path_model(complete, model, scheme=scheme, scaled=scaled)
    except ValueError as exc:
        raise InputError(str(exc), file=mapping.where, field="attributes") from None
    outcome = mapping.outcome
    assert outcome is not None  # checked by _mapping
    r2 = result.r2[outcome]
    means = {
        b: float(complete[:, start[k] : start[k + 1]].mean(axis=1).mean())
        for k, b in enumerate(blocks)
    }
    rows = [
        {
            "attribute": d.attribute,
            "importance": d.importance,
            "coefficient": d.total_effect,
            "direct": d.direct,
            "mean_score": means[d.attribute],
            "respondents": len(complete),
            "r2": r2,
        }
        for d in drivers(result, outcome)
    ]
    others = [b for b in blocks if b != outcome and b not in {r["attribute"] for r in rows}]
    if others:
        notes.append(f"not drivers of {outcome} (no path to it): {', '.join(others)}")
    return DriverTable(rows, outcome, r2, len(complete), notes)


def summary_lines(table: DriverTable, scheme: str, scaled: bool) -> list[str]:
    """The notes, then the outcome's R^2 and the model."""
    items = "standardized" if scaled else "centred"
    return [
        *table.notes,
        f"R^2 of {table.outcome}: {table.r2:.4f} ({table.respondents} respondents; "
        f"PLS path model, {scheme} scheme, {items} items)",
    ]
