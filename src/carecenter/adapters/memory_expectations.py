"""The expectation register kept in memory: the fake of
:class:`~carecenter.services.ports.ExpectationStore`, with the same answers as
:class:`~carecenter.adapters.store.expectation_repo.SqlExpectationStore`."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime

from carecenter.domain.expectations import Expectation, Register, Source

REGISTER = "register"


class InMemoryExpectationStore:
    """The register and the sources in attributes."""

    def __init__(self) -> None:
        self._register: Register | None = None
        self._sources: dict[str, Source] = {}

    def save_register(self, register: Register, *, name: str, saved_at: datetime) -> None:
        self._register = register
        self._sources[REGISTER] = Source(REGISTER, name, saved_at, None)

    def load_register(self) -> Register | None:
        return self._register

    def update(self, expectation: Expectation, *, saved_at: datetime) -> bool:
        register = self._register
        if register is None or register.get(expectation.expectation_id) is None:
            return False
        found = tuple(
            expectation if e.expectation_id == expectation.expectation_id else e
            for e in register.expectations
        )
        self._register = replace(register, expectations=found)
        return True

    def save_source(self, source: Source) -> None:
        self._sources[source.kind] = replace(source, content=copy.deepcopy(source.content))

    def sources(self) -> dict[str, Source]:
        return {k: s for k, s in self._sources.items() if s.kind != REGISTER}
