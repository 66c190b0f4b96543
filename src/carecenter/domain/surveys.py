"""The survey questions the metric catalog and the voice of the customer read: a ``csat``
answer on 1..5 (4 and 5 are satisfied), an ``nps`` answer on 0..10 (9 and 10 promote, 0 to
6 detract) and a ``ces`` answer on 1..7 (customer effort). One definition, so an importer, the
catalog, the survey sampling, the survey estimates and the engine's post-contact survey agree."""

from __future__ import annotations

from collections.abc import Mapping

CSAT_QUESTION, CSAT_SCALE, CSAT_SATISFIED = "csat", 5, 4
NPS_QUESTION, NPS_SCALE, NPS_PROMOTER, NPS_DETRACTOR = "nps", 10, 9, 6
CES_QUESTION, CES_SCALE = "ces", 7

POST_CONTACT = (
    (CSAT_QUESTION, 1, CSAT_SCALE),
    (CES_QUESTION, 1, CES_SCALE),
    (NPS_QUESTION, 0, NPS_SCALE),
)
"""(question, lowest score, highest score) of a post-contact survey, in the order told."""
LOWEST = {question: low for question, low, _ in POST_CONTACT}
"""Question -> its lowest score (NPS starts at 0, the others at 1)."""


def post_contact_problem(answers: Mapping[str, int]) -> str | None:
    """What is wrong with the post-contact ``answers`` (question -> score): an unknown
    question, none at all, or a score off its scale; ``None``: nothing."""
    unknown = sorted(set(answers) - set(LOWEST))
    if unknown:
        return f"unknown survey question {unknown[0]!r} (questions: csat, ces, nps)"
    if not answers:
        return "a survey answer needs a score for csat, ces or nps"
    for question, low, high in POST_CONTACT:
        score = answers.get(question)
        if score is not None and not low <= score <= high:
            return f"{question} score {score} is not on its scale {low}..{high}"
    return None
