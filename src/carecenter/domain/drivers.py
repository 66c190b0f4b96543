"""Driver analysis: which attributes move overall satisfaction, and by how much.

Pure functions used by ``carecenter voc drivers`` (:mod:`carecenter.services.voc_drivers`).

**The model** is a PLS path model (partial least squares, Wold's algorithm as Lohmöller wrote
it and as R's ``plspm`` computes it). Each attribute (image, quality, value, satisfaction...)
is a *block* of survey items; the inner model says which attribute drives which (``paths``,
``(from, to)`` pairs, no cycle). Each attribute gets a score per respondent, a weighted sum of
its items, found by iterating until the weights settle:

1. the items are centred (``scaled=True``: also divided by their standard deviation, the
   population one, ``n`` divisor); each block starts with equal weights;
2. outer estimate ``Y_j = X_j w_j``, standardized;
3. inner estimate ``Z_j = sum_i e_ji Y_i`` over the attributes ``i`` linked to ``j``, with the
   inner weights ``e_ji`` of the scheme: ``path`` (the default): for a predecessor ``i -> j``
   the coefficient of ``Y_i`` in the regression of ``Y_j`` on all its predecessors, for a
   successor ``j -> i`` the correlation ``cor(Y_j, Y_i)``; ``centroid``: the sign of that
   correlation; ``factorial``: the correlation;
4. Mode A (reflective items) new weights ``w_j = X_j' Z_j / n``; back to 2 until
   ``sum (|w_old| - |w_new|)^2 < tol`` (1e-6);
5. the scores ``Y_j = X_j w_j`` are normalized to variance 1 (an attribute whose items mostly
   correlate negatively with it is turned round).

The path coefficients are the ordinary least squares coefficients of each attribute's score on
the scores of its predecessors (standardized coefficients, since every score has variance 1),
with the ``R^2`` of that regression. With ``B[j, i]`` the coefficient of ``i`` in ``j``'s
equation, the **total effect** of ``i`` on ``j`` (direct plus through every mediating path) is
``T = B + B^2 + ... = (I - B)^-1 - I``.

**Driver importance** of an attribute ``a`` on the outcome ``o``: its total effect's share,
``|T[o, a]| / sum_b |T[o, b]|`` over the attributes with a path to ``o`` (fractions adding up
to 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Scheme = Literal["path", "centroid", "factorial"]
SCHEMES: tuple[Scheme, ...] = ("path", "centroid", "factorial")

Matrix = NDArray[np.float64]


@dataclass(frozen=True)
class PathModel:
    """Blocks (attribute -> columns of the data) and the inner model (``(from, to)`` pairs)."""

    blocks: Mapping[str, Sequence[int]]
    paths: Sequence[tuple[str, str]]

    def names(self) -> list[str]:
        """The attributes, in the blocks' order."""
        return list(self.blocks)

    def adjacency(self) -> Matrix:
        """``A[j, i] = 1`` when ``i -> j``; ``ValueError`` for an unknown attribute, a path of
        an attribute to itself or a cycle."""
        names = self.names()
        at = {n: k for k, n in enumerate(names)}
        a = np.zeros((len(names), len(names)))
        for source, target in self.paths:
            for name in (source, target):
                if name not in at:
                    raise ValueError(f"path {source} -> {target}: no attribute {name!r}")
            if source == target:
                raise ValueError(f"path {source} -> {target}: an attribute cannot drive itself")
            a[at[target], at[source]] = 1.0
        if np.any(np.linalg.matrix_power(a, len(names)) != 0):
            raise ValueError("the paths go round in a cycle")
        return a


@dataclass(frozen=True)
class PlsResult:
    """A fitted PLS path model."""

    names: list[str]
    weights: list[Matrix]
    """Outer weights of each block's items (on the treated items)."""
    loadings: list[Matrix]
    """Correlation of each block's items with the block's score."""
    scores: Matrix
    """Respondents x attributes, each column of mean 0 and variance 1."""
    path: Matrix
    """``path[j, i]``: the coefficient of ``i`` in ``j``'s equation (0 without a path)."""
    r2: dict[str, float]
    """``R^2`` of each endogenous attribute (one with predecessors)."""
    iterations: int
    adjacency: Matrix
    """``adjacency[j, i] = 1`` when the model has the path ``i -> j``."""

    def total_effects(self) -> Matrix:
        """``T[j, i]``: the total effect of ``i`` on ``j``, ``(I - B)^-1 - I``."""
        eye = np.eye(len(self.names))
        return np.asarray(np.linalg.inv(eye - self.path) - eye, dtype=np.float64)


@dataclass(frozen=True)
class Driver:
    """One attribute's effect on the outcome."""

    attribute: str
    importance: float
    """Share of the absolute total effects on the outcome (0..1, adding up to 1)."""
    total_effect: float
    direct: float
    """The path coefficient of the direct path to the outcome (0 without one)."""


def _standardized(values: Matrix, ddof: int = 0) -> Matrix:
    centred = values - values.mean(axis=0)
    return np.asarray(centred / centred.std(axis=0, ddof=ddof), dtype=np.float64)


def _treated(data: Matrix, scaled: bool) -> Matrix:
    if data.ndim != 2 or data.shape[0] < 3:
        raise ValueError("need at least 3 respondents")
    if not np.all(np.isfinite(data)):
        raise ValueError("the data has missing or infinite values")
    spread = data.std(axis=0)
    if np.any(spread == 0):
        raise ValueError(f"item {int(np.argmax(spread == 0))} has the same answer everywhere")
    return _standardized(data) if scaled else data - data.mean(axis=0)


def _inner_weights(scheme: Scheme, adjacency: Matrix, y: Matrix) -> Matrix:
    """``E[i, j]``: the weight of ``Y_i`` in the inner estimate of ``j``."""
    linked = adjacency + adjacency.T
    corr: Matrix = np.asarray(np.corrcoef(y, rowvar=False), dtype=np.float64)
    if scheme == "centroid":
        return np.asarray(np.sign(corr) * linked, dtype=np.float64)
    if scheme == "factorial":
        return np.asarray(corr * linked, dtype=np.float64)
    e = np.zeros_like(adjacency)
    for k in range(adjacency.shape[0]):
        before = np.flatnonzero(adjacency[k])
        if before.size:
            e[before, k] = np.linalg.lstsq(y[:, before], y[:, k], rcond=None)[0]
        after = np.flatnonzero(adjacency[:, k])
        if after.size:
            e[after, k] = corr[k, after]
    return e


def _outer_weights(
    x: Matrix, columns: list[list[int]], adjacency: Matrix, scheme: Scheme, tol: float, most: int
) -> tuple[Matrix, int]:
    n, lvs = x.shape[0], len(columns)
    odm = np.zeros((x.shape[1], lvs))
    for j, cols in enumerate(columns):
        odm[cols, j] = 1.0
    correction = np.sqrt((n - 1) / n)
    w = odm / (np.std(x @ odm, axis=0, ddof=1) * correction)
    w_old = w.sum(axis=1)
    for iteration in range(1, most + 1):
        y = _standardized(x @ w, ddof=1) * correction
        z = y @ _inner_weights(scheme, adjacency, y)
        for j, cols in enumerate(columns):
            w[cols, j] = z[:, j] @ x[:, cols] / n
        w_new = w.sum(axis=1)
        if float(np.sum((np.abs(w_old) - np.abs(w_new)) ** 2)) < tol:
            return w / (np.std(x @ w, axis=0, ddof=1) * correction), iteration
        w_old = w_new
    raise ValueError(f"the outer weights did not settle in {most} iterations")


def pls_path_model(
    data: Matrix,
    model: PathModel,
    *,
    scheme: Scheme = "path",
    scaled: bool = True,
    tol: float = 1e-6,
    max_iter: int = 100,
) -> PlsResult:
    """Fit the PLS path ``model`` (Mode A blocks) to ``data`` (respondents x items, complete);
    ``ValueError`` for a model or data it cannot fit."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; schemes are {', '.join(SCHEMES)}")
    adjacency = model.adjacency()
    columns = [list(cols) for cols in model.blocks.values()]
    if any(not cols for cols in columns):
        raise ValueError("every attribute needs at least one item")
    x = _treated(np.asarray(data, dtype=np.float64), scaled)
    w, iterations = _outer_weights(x, columns, adjacency, scheme, tol, max_iter)
    scores = x @ w
    loads = np.array([np.corrcoef(x[:, c], scores[:, j])[0, 1] for c, j in _pairs(columns)])
    sign = np.array(
        [
            1.0 if np.sum(np.sign(loads[_positions(columns, j)])) > 0 else -1.0
            for j in range(len(columns))
        ]
    )
    scores = scores * sign
    w = w * sign
    path, r2 = _paths(scores, adjacency, model.names())
    return PlsResult(
        names=model.names(),
        weights=[w[cols, j] for j, cols in enumerate(columns)],
        loadings=[loads[_positions(columns, j)] * sign[j] for j in range(len(columns))],
        scores=scores,
        path=path,
        r2=r2,
        iterations=iterations,
        adjacency=adjacency,
    )


def _pairs(columns: list[list[int]]) -> list[tuple[int, int]]:
    return [(c, j) for j, cols in enumerate(columns) for c in cols]


def _positions(columns: list[list[int]], block: int) -> list[int]:
    start = sum(len(c) for c in columns[:block])
    return list(range(start, start + len(columns[block])))


def _paths(scores: Matrix, adjacency: Matrix, names: list[str]) -> tuple[Matrix, dict[str, float]]:
    path = np.zeros_like(adjacency)
    r2: dict[str, float] = {}
    for j, name in enumerate(names):
        before = np.flatnonzero(adjacency[j])
        if not before.size:
            continue
        coef = np.linalg.lstsq(scores[:, before], scores[:, j], rcond=None)[0]
        path[j, before] = coef
        residual = scores[:, j] - scores[:, before] @ coef
        r2[name] = float(1.0 - residual @ residual / (scores[:, j] @ scores[:, j]))
    return path, r2


def drivers(result: PlsResult, outcome: str) -> list[Driver]:
    """The attributes with a path to ``outcome``, by importance (largest first, then name):
    their total effects on it and their shares of the absolute total effects."""
    if outcome not in result.names:
        raise ValueError(f"no attribute {outcome!r}")
    o = result.names.index(outcome)
    total = result.total_effects()[o]
    reach = np.linalg.inv(np.eye(len(result.names)) - result.adjacency)[o] != 0
    found = [i for i in range(len(result.names)) if i != o and reach[i]]
    whole = float(sum(abs(total[i]) for i in found))
    out = [
        Driver(
            result.names[i],
            abs(float(total[i])) / whole if whole > 0 else 1.0 / len(found),
            float(total[i]),
            float(result.path[o, i]),
        )
        for i in found
    ]
    return sorted(out, key=lambda d: (-d.importance, d.attribute))
