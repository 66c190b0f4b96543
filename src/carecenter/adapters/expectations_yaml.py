"""Read the expectation register file of ``carecenter voc table --register``: every mistake is
reported with file, line and field, as in ``center.yaml``.

.. code-block:: yaml

    center_features: [chat, sms_updates]     # the service features the center offers
    survey:                                  # SERVQUAL-style mean scores, when asked
      scale: {min: 1, max: 10}
      scores:
        waiting: {expectation: 8.7, perception: 6.0}
        staff: {expectation: 7.5}            # perception: the drivers' mean_score
    expectations:
      - id: E1
        statement: Reach a person within a minute
        themes: [waiting]                    # theme names or ids of the theme summary
        attributes: [waiting]                # attributes of the drivers and the survey
        metrics: [wait_s, connection_rate]   # mystery-shopping metrics of the peers file
        features: [callback]                 # features of the peers file
        class: now                           # now, medium, long or guide; omit: suggested
        effort: 2                            # 1-5
        impact: 5                            # 1-5
        owner: Head of operations
        notes: Callback pilot in Q1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from carecenter.adapters.center_yaml import (
    line_of,
    parse_yaml,
    problems_of,
    raise_first,
    read_config_text,
)
from carecenter.adapters.schema_values import Proficiency, Strict
from carecenter.domain.expectations import (
    MYSTERY_METRICS,
    Expectation,
    Register,
    SurveyScore,
)
from carecenter.errors import ConfigError


class ScoreSection(Strict):
    expectation: float
    perception: float | None = None


class ScaleSection(Strict):
    min: float = 1.0
    max: float = 5.0


class SurveySection(Strict):
    scale: ScaleSection = ScaleSection()
    scores: dict[str, ScoreSection] = Field(default_factory=dict)


class ExpectationSection(Strict):
    id: str = Field(min_length=1, max_length=128)
    statement: str = Field(min_length=1)
    themes: list[str] = Field(default_factory=list)
    attributes: list[str] = Field(default_factory=list)
    metrics: list[str] = Field(default_factory=list)
    features: list[str] = Field(default_factory=list)
    class_: Literal["now", "medium", "long", "guide"] | None = Field(None, alias="class")
    effort: Proficiency = 3
    impact: Proficiency = 3
    owner: str = ""
    notes: str = ""

    def to_domain(self) -> Expectation:
        return Expectation(
            self.id,
            self.statement,
            themes=tuple(str(t) for t in self.themes),
            attributes=tuple(self.attributes),
            metrics=tuple(self.metrics),
            features=tuple(self.features),
            klass=self.class_,
            effort=self.effort,
            impact=self.impact,
            owner=self.owner,
            notes=self.notes,
        )


class RegisterFile(Strict):
    center_features: list[str] = Field(default_factory=list)
    survey: SurveySection = SurveySection()
    expectations: list[ExpectationSection] = Field(default_factory=list)


def read_register(path: Path) -> Register:
    """Read and validate the register file ``path``."""
    return parse_register(read_config_text(path), str(path))


def parse_register(text: str, name: str = "expectations.yaml") -> Register:
    """Validate the text of a register file (``name`` is used in messages)."""
    data, lines = parse_yaml(text, name)
    if not isinstance(data, dict):
        raise ConfigError("must be a mapping with an `expectations:` section", file=name, line=1)
    try:
        model = RegisterFile.model_validate(data)
    except ValidationError as exc:
        raise_first(problems_of(exc, lines, name))

    def fail(message: str, field: str) -> Any:
        raise ConfigError(message, file=name, line=line_of(field, lines), field=field)

    scale = model.survey.scale
    if scale.max <= scale.min:
        fail(f"must be above min ({scale.min:g}), got {scale.max:g}", "survey.scale.max")
    seen: set[str] = set()
    for n, e in enumerate(model.expectations):
        if e.id in seen:
            fail(f"expectation {e.id!r} is listed twice", f"expectations.{n}.id")
        seen.add(e.id)
        for m, metric in enumerate(e.metrics):
            if metric not in MYSTERY_METRICS:
                fail(
                    f"unknown metric {metric!r}; use one of {', '.join(MYSTERY_METRICS)}",
                    f"expectations.{n}.metrics.{m}",
                )
    return Register(
        tuple(e.to_domain() for e in model.expectations),
        frozenset(model.center_features),
        {a: SurveyScore(a, s.expectation, s.perception) for a, s in model.survey.scores.items()},
        scale.min,
        scale.max,
    )
