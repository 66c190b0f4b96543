"""The expectation register in the operational store: ``expectations`` (one row each, its links
as JSON) and ``expectation_sources`` (the register's settings and the evidence files, one JSON
document each). A save of the register is one transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from carecenter.adapters.store.engine import reading
from carecenter.adapters.store.tables import expectation_sources, expectations
from carecenter.domain.expectations import (
    CLASSES,
    Expectation,
    Klass,
    Register,
    Source,
    SurveyScore,
)

REGISTER = "register"
"""The source kind that holds the register's own settings."""
LINKS = ("themes", "attributes", "metrics", "features")


def expectation_row(e: Expectation, position: int, saved_at: datetime) -> dict[str, Any]:
    """The table row of ``e``."""
    return {
        "expectation_id": e.expectation_id,
        "position": position,
        "statement": e.statement,
        "links": json.dumps({k: list(getattr(e, k)) for k in LINKS}),
        "class": e.klass,
        "effort": e.effort,
        "impact": e.impact,
        "owner": e.owner,
        "notes": e.notes,
        "updated_at": saved_at.astimezone(UTC),
    }


def _klass(text: str | None) -> Klass | None:
    return next((k for k in CLASSES if k == text), None)


def _expectation(row: Any) -> Expectation:
    links = json.loads(row["links"])
    return Expectation(
        row["expectation_id"],
        row["statement"],
        **{k: tuple(links.get(k, ())) for k in LINKS},
        klass=_klass(row["class"]),
        effort=row["effort"],
        impact=row["impact"],
        owner=row["owner"],
        notes=row["notes"],
    )


def register_settings(register: Register) -> dict[str, Any]:
    """The register's own settings as JSON values."""
    return {
        "center_features": sorted(register.center_features),
        "scale": [register.scale_min, register.scale_max],
        "survey": {a: [s.expectation, s.perception] for a, s in sorted(register.survey.items())},
    }


def register_from(settings: Any, found: list[Expectation]) -> Register:
    """The register of ``settings`` (as :func:`register_settings` wrote them) and ``found``."""
    low, high = settings["scale"]
    return Register(
        tuple(found),
        frozenset(settings["center_features"]),
        {a: SurveyScore(a, e, p) for a, (e, p) in settings["survey"].items()},
        float(low),
        float(high),
    )


class SqlExpectationStore:
    """:class:`~carecenter.services.ports.ExpectationStore` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save_register(self, register: Register, *, name: str, saved_at: datetime) -> None:
        rows = [expectation_row(e, n, saved_at) for n, e in enumerate(register.expectations)]
        source = Source(REGISTER, name, saved_at, register_settings(register))
        with self._engine.begin() as conn:
            conn.execute(delete(expectations))
            if rows:
                conn.execute(insert(expectations), rows)
            self._put(conn, source)

    def load_register(self) -> Register | None:
        settings = self._all().get(REGISTER)
        if settings is None:
            return None
        with reading(self._engine) as conn:
            found = conn.execute(select(expectations).order_by(expectations.c.position)).mappings()
            return register_from(settings.content, [_expectation(r) for r in found])

    def update(self, expectation: Expectation, *, saved_at: datetime) -> bool:
        row = expectation_row(expectation, 0, saved_at)
        del row["position"]
        with self._engine.begin() as conn:
            done = conn.execute(
                update(expectations)
                .where(expectations.c.expectation_id == expectation.expectation_id)
                .values(row)
            )
            return bool(done.rowcount)

    def save_source(self, source: Source) -> None:
        with self._engine.begin() as conn:
            self._put(conn, source)

    @staticmethod
    def _put(conn: Any, source: Source) -> None:
        conn.execute(delete(expectation_sources).where(expectation_sources.c.kind == source.kind))
        conn.execute(
            insert(expectation_sources),
            {
                "kind": source.kind,
                "name": source.name,
                "saved_at": source.saved_at.astimezone(UTC),
                "content": json.dumps(source.content, sort_keys=True),
            },
        )

    def sources(self) -> dict[str, Source]:
        return {k: s for k, s in self._all().items() if k != REGISTER}

    def _all(self) -> dict[str, Source]:
        with reading(self._engine) as conn:
            found = conn.execute(select(expectation_sources)).mappings()
            return {
                r["kind"]: Source(
                    r["kind"], r["name"], _utc(r["saved_at"]), json.loads(r["content"])
                )
                for r in found
            }


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
