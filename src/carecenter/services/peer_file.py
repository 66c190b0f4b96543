"""The peers file of ``carecenter report --peers`` and ``carecenter voc table --peers``: one CSV
with the peer benchmarks, the peers' mystery-shopping results and the features they offer.

Columns ``metric`` and ``value`` (required), ``queue``, ``peer`` and ``feature`` (optional;
a file with only the first three reads as before). Each row is one of:

* a **benchmark** (``peer`` empty): ``metric`` one of the gap table's metrics, its ``value``
  for ``queue`` (empty: the whole center): what ``report --gaps`` compares with;
* a **peer's figure** (``peer`` set, ``feature`` empty): a mystery-shopping result of that
  peer: ``connection_rate`` (share 0-1 of the mystery calls that reached a person),
  ``wait_s`` (mean seconds until a person answered), ``ease_of_use`` (mean score, e.g. 1-5),
  or one of the gap table's metrics. The peer ``(center)`` is the center itself, when it was
  mystery-shopped like its peers;
* a **feature** (``peer`` and ``feature`` set, ``metric`` and ``value`` empty): that peer
  offers this service feature (``callback``, ``chat``...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from carecenter.domain.expectations import MYSTERY_METRICS
from carecenter.errors import InputError

CENTER = "(center)"


@dataclass
class PeerFile:
    """What a peers file holds."""

    benchmarks: dict[tuple[str, str], float] = field(default_factory=dict)
    """(queue or ``(center)``, metric) -> value: the rows without a peer."""
    figures: dict[str, dict[str, float]] = field(default_factory=dict)
    """Peer -> metric -> value (the center's own under ``(center)``)."""
    features: dict[str, set[str]] = field(default_factory=dict)
    """Peer -> the features it offers (the center's own under ``(center)``)."""


def read_peer_file(path: Path) -> PeerFile:
    """Read and check the peers file ``path`` (see the module)."""
    from carecenter.adapters.files import read_csv_table

    return _peer_file(path, read_csv_table(path, ("metric", "value"))[1])


def _number(path: Path, n: int, text: str | None, metric: str) -> float:
    try:
        value = float(text or "")
    except ValueError:
        raise InputError(
            f"{text!r} is not a number", file=str(path), line=n, field="value"
        ) from None
    if not math.isfinite(value):
        raise InputError("must be a finite number", file=str(path), line=n, field="value")
    if metric in MYSTERY_METRICS and value < 0:
        raise InputError("must not be negative", file=str(path), line=n, field="value")
    if metric == "connection_rate" and value > 1:
        raise InputError(
            f"a share from 0 to 1, got {value:g}", file=str(path), line=n, field="value"
        )
    return value


def _peer_file(path: Path, rows: list[tuple[int, dict[str, str]]]) -> PeerFile:
    from carecenter.services.reporting import GAP_METRICS

    out = PeerFile()
    for n, row in rows:
        metric = (row.get("metric") or "").strip()
        peer = (row.get("peer") or "").strip()
        feature = (row.get("feature") or "").strip()
        if feature:
            if not peer:
                raise InputError("a feature needs its peer", file=str(path), line=n, field="peer")
            if metric or (row.get("value") or "").strip():
                raise InputError(
                    "a feature row has no metric and no value", file=str(path), line=n,
                    field="metric",
                )  # fmt: skip
            out.features.setdefault(peer, set()).add(feature)
            continue
        known = (*GAP_METRICS, *MYSTERY_METRICS) if peer else tuple(GAP_METRICS)
        if metric not in known:
            hint = (
                f"; {metric} is a peer's mystery-shopping figure: name the peer (column peer)"
                if metric in MYSTERY_METRICS
                else ""
            )
            raise InputError(
                f"unknown metric {metric!r}; use one of {', '.join(known)}{hint}",
                file=str(path),
                line=n,
                field="metric",
            )
        value = _number(path, n, row.get("value"), metric)
        if peer:
            out.figures.setdefault(peer, {})[metric] = value
        else:
            out.benchmarks[((row.get("queue") or "").strip() or CENTER, metric)] = value
    return out
