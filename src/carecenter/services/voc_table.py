"""Use case: ``carecenter voc table`` — the customer expectation evaluation table.

The register (a YAML file, :mod:`carecenter.adapters.expectations_yaml`) and the evidence files
(the complaint theme summary of ``voc themes --summary``, the drivers of ``voc drivers``, the
peers file of :mod:`carecenter.services.peer_file`) are saved in the workspace's store when
given, each replacing the one saved before; what is not given is taken from the store. The
table ranks the register's expectations by the score of
:mod:`carecenter.domain.expectations`. A manager's edit of an expectation (class, effort,
impact, owner) writes the store (:func:`edit`).

The center's own mystery-shopping figures are the peers file's rows for the peer
``(center)``; without them, ``connection_rate`` is ``1 - abandon_rate`` and ``wait_s`` the
ASA of the contacts in the warehouse (all of them), taken when the peers file is saved.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from carecenter.domain.expectations import (
    CLASSES,
    MYSTERY_METRICS,
    Driver,
    Expectation,
    Peers,
    Register,
    Scored,
    Source,
    Theme,
    default_importance,
    gather,
    peer_mean,
    rank,
    score,
    shortfall,
)
from carecenter.errors import InputError
from carecenter.services.bootstrap import Workspace, WorkspaceSource, opened
from carecenter.services.peer_file import CENTER, read_peer_file

COLUMNS = [
    "rank",
    "expectation_id",
    "statement",
    "class",
    "suggested_class",
    "owner",
    "effort",
    "impact",
    "complaints",
    "complaint_share",
    "survey_gap",
    "importance",
    "peer_gap",
    "feature_gap",
    "missing_features",
    "gap",
    "weight",
    "score",
]
SHORT_COLUMNS = [c for c in COLUMNS if c not in ("complaint_share", "missing_features")]
"""The columns of the table on a screen or a page: the evidence, without its details."""
PEER_COLUMNS = ["kind", "item", "ours", "peers_mean", "peers", "shortfall"]
EDITABLE = ("class", "effort", "impact", "owner")


@dataclass(frozen=True)
class Evaluation:
    """The ranked table, the peer comparison and what the reader should know."""

    scored: list[Scored]
    peers: Peers | None
    sources: dict[str, Source]
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """One row per expectation, ranked (:data:`COLUMNS`)."""
        return [table_row(s) for s in self.scored]

    @property
    def peer_rows(self) -> list[dict[str, Any]]:
        """The center against its peers (:data:`PEER_COLUMNS`)."""
        return peer_rows(self.peers) if self.peers is not None else []


def table_row(s: Scored) -> dict[str, Any]:
    """The table row of ``s``."""
    e, ev = s.expectation, s.evidence
    return {
        "rank": s.rank,
        "expectation_id": e.expectation_id,
        "statement": e.statement,
        "class": s.klass,
        "suggested_class": s.suggested,
        "owner": e.owner,
        "effort": e.effort,
        "impact": e.impact,
        "complaints": ev.complaints,
        "complaint_share": ev.complaint_share,
        "survey_gap": ev.survey_gap,
        "importance": ev.importance,
        "peer_gap": ev.peer_gap,
        "feature_gap": ev.feature_gap,
        "missing_features": ";".join(ev.missing_features),
        "gap": s.gap,
        "weight": s.weight,
        "score": s.score,
    }


def peer_rows(peers: Peers) -> list[dict[str, Any]]:
    """Each mystery-shopping metric (ours, the peers' mean, each peer's value, the shortfall)
    and each feature a peer offers (whether the center does; shortfall 1 when it does not)."""
    rows: list[dict[str, Any]] = []
    for metric in MYSTERY_METRICS:
        theirs = peer_mean(peers, metric)
        if theirs is None:
            continue
        ours = peers.ours.get(metric)
        values = ";".join(
            f"{p}={v[metric]:g}" for p, v in sorted(peers.figures.items()) if metric in v
        )
        short = shortfall(metric, ours, theirs) if ours is not None else None
        rows.append(_peer_row("figure", metric, ours, theirs, values, short))
    for feature, offering in peers.offered().items():
        ours_has = feature in peers.own_features
        rows.append(
            _peer_row(
                "feature", feature, ours_has, None, ";".join(offering), 0.0 if ours_has else 1.0
            )
        )
    return rows


def _peer_row(
    kind: str, item: str, ours: Any, mean: float | None, peers: str, short: float | None
) -> dict[str, Any]:
    return {
        "kind": kind,
        "item": item,
        "ours": ours,
        "peers_mean": mean,
        "peers": peers,
        "shortfall": short,
    }


def _read(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """The rows of the CSV file ``path`` with their line numbers; it must have the ``required``
    columns."""
    from carecenter.adapters.files import read_csv_table

    return read_csv_table(path, required)[1]


def _value(
    path: Path, n: int, row: Mapping[str, str], column: str, kind: Callable[[str], Any] = float
) -> Any:
    text = (row.get(column) or "").strip()
    try:
        value = kind(text)
    except ValueError:
        raise InputError(
            f"{text!r} is not a number", file=str(path), line=n, field=column
        ) from None
    if (isinstance(value, float) and not math.isfinite(value)) or value < 0:
        raise InputError(
            f"must be a number not below 0, got {text}", file=str(path), line=n, field=column
        )
    return value


def read_themes(path: Path) -> list[dict[str, Any]]:
    """The theme summary of ``voc themes --summary`` (``theme_id``, ``theme``, ``complaints``,
    ``share``) as JSON rows."""
    rows = _read(path, ("theme_id", "theme", "complaints", "share"))
    return [
        {
            "theme_id": (r.get("theme_id") or "").strip(),
            "theme": (r.get("theme") or "").strip(),
            "complaints": _value(path, n, r, "complaints", int),
            "share": _value(path, n, r, "share"),
        }
        for n, r in rows
    ]


def read_drivers(path: Path) -> list[dict[str, Any]]:
    """The drivers of ``voc drivers`` (``attribute``, ``importance``, ``mean_score``) as JSON
    rows."""
    rows = _read(path, ("attribute", "importance"))
    out = []
    for n, r in rows:
        mean = (r.get("mean_score") or "").strip()
        out.append(
            {
                "attribute": (r.get("attribute") or "").strip(),
                "importance": _value(path, n, r, "importance"),
                "mean_score": _value(path, n, r, "mean_score") if mean else None,
            }
        )
    return out


def _center_figures(ws: Workspace) -> dict[str, float]:
    """``connection_rate`` and ``wait_s`` of all the contacts in the warehouse."""
    from carecenter.services.reporting import metrics_report

    report = metrics_report(ws, interval="all", fcr=False, percentiles=False)
    row = report.rows[0] if report.rows else {}
    out: dict[str, float] = {}
    if row.get("abandon_rate") is not None and math.isfinite(row["abandon_rate"]):
        out["connection_rate"] = 1 - float(row["abandon_rate"])
    if row.get("asa_s") is not None and math.isfinite(row["asa_s"]):
        out["wait_s"] = float(row["asa_s"])
    return out


def read_peers_content(path: Path, ws: Workspace) -> dict[str, Any]:
    """The peers file's figures and features, and the center's own (see the module)."""
    found = read_peer_file(path)
    ours = dict(found.figures.pop(CENTER, {}))
    ours_from = dict.fromkeys(ours, "peers file")
    if not {"connection_rate", "wait_s"} <= set(ours):
        for metric, value in _center_figures(ws).items():
            if metric not in ours:
                ours[metric], ours_from[metric] = value, "warehouse"
    own = sorted(found.features.pop(CENTER, set()))
    return {
        "figures": found.figures,
        "features": {p: sorted(f) for p, f in sorted(found.features.items())},
        "ours": ours,
        "ours_from": ours_from,
        "own_features": own,
    }


def peers_of(content: Mapping[str, Any], register: Register) -> Peers:
    """The :class:`Peers` of a saved peers source; the center's features are the register's
    ``center_features`` and the peers file's ``(center)`` features."""
    return Peers(
        figures=content["figures"],
        features={p: frozenset(f) for p, f in content["features"].items()},
        ours=content["ours"],
        own_features=register.center_features | frozenset(content.get("own_features", ())),
    )


def _save_inputs(
    ws: Workspace,
    now: datetime,
    register: Path | None,
    themes: Path | None,
    drivers: Path | None,
    peers: Path | None,
) -> None:
    if register is not None:
        from carecenter.adapters.expectations_yaml import read_register

        ws.expectations.save_register(read_register(register), name=register.name, saved_at=now)
    if themes is not None:
        ws.expectations.save_source(Source("themes", themes.name, now, read_themes(themes)))
    if drivers is not None:
        ws.expectations.save_source(Source("drivers", drivers.name, now, read_drivers(drivers)))
    if peers is not None:
        ws.expectations.save_source(Source("peers", peers.name, now, read_peers_content(peers, ws)))


def evaluate_register(register: Register, sources: Mapping[str, Source]) -> Evaluation:
    """The ranked table of ``register`` with the evidence of ``sources``."""
    themes = [Theme(**t) for t in sources["themes"].content] if "themes" in sources else []
    drivers = (
        {d["attribute"]: Driver(**d) for d in sources["drivers"].content}
        if "drivers" in sources
        else {}
    )
    peers = peers_of(sources["peers"].content, register) if "peers" in sources else None
    base = default_importance(drivers)
    scored = [
        score(
            e,
            gather(
                e,
                themes=themes,
                drivers=drivers,
                survey=register.survey,
                survey_range=register.scale_max - register.scale_min,
                peers=peers,
            ),
            base,
        )
        for e in register.expectations
    ]
    notes = [
        f"{s.kind}: {s.name}, saved {s.saved_at:%Y-%m-%d %H:%M} UTC"
        for _, s in sorted(sources.items())
    ]
    notes += [
        f"no {kind} saved: that evidence is missing"
        for kind in ("themes", "drivers", "peers")
        if kind not in sources
    ]
    if peers is not None:
        notes += _own_figures(sources["peers"].content)
        notes += [
            f"peers offer {f} ({', '.join(p)}); the center does not"
            for f, p in peers.missing().items()
        ]
    return Evaluation(rank(scored), peers, dict(sources), notes)


def _own_figures(content: Mapping[str, Any]) -> list[str]:
    """Where the center's own figures come from, and which the peers have and it lacks."""
    found = [f"{m} ({content['ours_from'][m]})" for m in sorted(content["ours"])]
    notes = [f"the center's own figures: {', '.join(found)}"] if found else []
    theirs = {m for figures in content["figures"].values() for m in figures}
    lacking = [m for m in MYSTERY_METRICS if m in theirs and m not in content["ours"]]
    if lacking:
        notes.append(
            f"no figure of the center's for {', '.join(lacking)} (no contacts in the warehouse "
            "and no (center) row in the peers file): not compared"
        )
    return notes


def evaluate(
    source: WorkspaceSource,
    *,
    register: Path | None = None,
    themes: Path | None = None,
    drivers: Path | None = None,
    peers: Path | None = None,
    now: datetime | None = None,
) -> Evaluation:
    """Save the files given (see the module), then rank the saved register."""
    at = now or datetime.now(UTC)
    with opened(source) as ws:
        _save_inputs(ws, at, register, themes, drivers, peers)
        saved = ws.expectations.load_register()
        if saved is None:
            raise InputError("no expectation register saved yet: give one", field="register")
        return evaluate_register(saved, ws.expectations.sources())


def edited(e: Expectation, changes: Mapping[str, Any]) -> Expectation:
    """``e`` with the manager's ``changes`` (:data:`EDITABLE`: ``class``, one of the classes
    or empty for the suggested one; ``effort`` and ``impact``, 1-5; ``owner``)."""
    out = e
    for key, value in changes.items():
        if key not in EDITABLE:
            raise InputError(f"cannot be edited; edit {', '.join(EDITABLE)}", field=key)
        if key == "class":
            if value not in (None, "", *CLASSES):
                raise InputError(f"must be one of {', '.join(CLASSES)}, got {value!r}", field=key)
            out = replace(out, klass=value or None)
        elif key == "owner":
            if not isinstance(value, str):
                raise InputError("must be text", field=key)
            out = replace(out, owner=value.strip())
        else:
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                raise InputError(f"must be a whole number from 1 to 5, got {value!r}", field=key)
            out = replace(out, effort=value) if key == "effort" else replace(out, impact=value)
    return out


def edit(
    source: WorkspaceSource,
    expectation_id: str,
    changes: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> Evaluation:
    """Apply a manager's ``changes`` to one expectation (see :func:`edited`), save it and
    rank the register again."""
    with opened(source) as ws:
        saved = ws.expectations.load_register()
        found = saved.get(expectation_id) if saved is not None else None
        if saved is None or found is None:
            raise InputError(f"no expectation {expectation_id!r} in the register", field="id")
        ws.expectations.update(edited(found, changes), saved_at=now or datetime.now(UTC))
        again = ws.expectations.load_register()
        assert again is not None
        return evaluate_register(again, ws.expectations.sources())


def current(source: WorkspaceSource) -> Evaluation | None:
    """The ranked table of the saved register (``None``: no register saved)."""
    with opened(source, read_only=True) as ws:
        saved = ws.expectations.load_register()
        return None if saved is None else evaluate_register(saved, ws.expectations.sources())
