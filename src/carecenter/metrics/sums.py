"""The pieces of arithmetic every part of the catalog uses: a count of the rows where a
condition holds (of single rows, or of class rows that carry their count), and a ratio that is
empty (not infinite) when nothing was counted."""

from __future__ import annotations

from typing import Any

import ibis  # type: ignore[import-untyped]


def count_if(condition: Any) -> Any:
    """1 where ``condition`` holds, else 0 (an unknown condition does not hold)."""
    return ibis.ifelse(condition.fill_null(False), 1, 0)


def class_count(v: Any, condition: Any, column: str = "n") -> Any:
    """The visits a class row ``v`` counts in ``column`` (``n``: all of them) where
    ``condition`` holds, else 0."""
    return ibis.ifelse(condition, v[column], 0)


def divide(numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator`` as floats; empty when the denominator is 0."""
    return numerator.cast("float64") / denominator.cast("float64").nullif(0.0)
