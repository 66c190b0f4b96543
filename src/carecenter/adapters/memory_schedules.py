"""Schedules and rosters kept in memory: the fake of
:class:`~carecenter.services.ports.ScheduleStore`, with the same answers as
:class:`~carecenter.adapters.store.schedule_repo.SqlScheduleStore`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from carecenter.domain.rosters import RosteredShift, RosterVersion
from carecenter.domain.schedules import ScheduledShift, ScheduleVersion, latest_per_day


class InMemoryScheduleStore:
    """Saved schedules and rosters in lists."""

    def __init__(self) -> None:
        self._versions: list[ScheduleVersion] = []
        self._shifts: list[tuple[int, int, ScheduledShift]] = []
        self._rosters: list[RosterVersion] = []
        self._rostered: list[tuple[int, int, RosteredShift]] = []

    def save(self, draft: ScheduleVersion, shifts: Sequence[ScheduledShift]) -> ScheduleVersion:
        saved = replace(draft, version=len(self._versions) + 1, shifts=len(shifts))
        self._versions.append(saved)
        self._shifts.extend((saved.version, n, s) for n, s in enumerate(shifts))
        return saved

    def versions(self) -> list[ScheduleVersion]:
        return list(self._versions)

    def current(self, first_day: date, last_day: date) -> list[tuple[int, ScheduledShift]]:
        chosen = latest_per_day(self._versions, first_day, last_day)
        found = [
            (version, n, shift)
            for version, n, shift in self._shifts
            if chosen.get(shift.day) == version
        ]
        found.sort(key=lambda x: (x[2].day, x[2].start_at, x[1]))
        return [(version, shift) for version, _, shift in found]

    def save_roster(self, draft: RosterVersion, shifts: Sequence[RosteredShift]) -> RosterVersion:
        saved = replace(draft, version=len(self._rosters) + 1, shifts=len(shifts))
        self._rosters.append(saved)
        self._rostered.extend((saved.version, n, s) for n, s in enumerate(shifts))
        return saved

    def roster_versions(self) -> list[RosterVersion]:
        return list(self._rosters)

    def current_roster(self, first_day: date, last_day: date) -> list[tuple[int, RosteredShift]]:
        chosen = latest_per_day(self._rosters, first_day, last_day)
        found = [
            (version, n, shift)
            for version, n, shift in self._rostered
            if chosen.get(shift.day) == version
        ]
        found.sort(key=lambda x: (x[2].day, x[2].start_at, x[1]))
        return [(version, shift) for version, _, shift in found]
