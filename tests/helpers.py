"""Helpers shared by the tests."""

from __future__ import annotations

from datetime import UTC, datetime

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""A Monday morning, the start of most hand-written scenarios."""
