"""Fixtures of the translator tests."""

from __future__ import annotations

from typing import Any

import pytest

from carecenter.domain.events import ContactEvent
from carecenter.ingest.folding import EventFolder


@pytest.fixture
def stories(monkeypatch: pytest.MonkeyPatch) -> list[list[ContactEvent]]:
    """Every contact story a translator hands to :meth:`EventFolder.contact` during the test,
    in order (still folded and written as usual)."""
    kept: list[list[ContactEvent]] = []
    fold_contact = EventFolder.contact

    def keep(self: EventFolder, events: Any) -> None:
        kept.append(list(events))
        fold_contact(self, events)

    monkeypatch.setattr(EventFolder, "contact", keep)
    return kept
