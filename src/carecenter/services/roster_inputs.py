"""What the roster model is given, from the workspace: the saved schedule's shifts as slots
with one place per agent (:func:`slots_of`), the center's agents with their queues, hours,
availability and preferences (:func:`agents_of`), and what the roster saved before the first
day says of each agent's rest and days in a row (:func:`carried_over`).

Times are wall-clock minutes from midnight of the first day, in the center's time zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from carecenter.adapters.shifts_yaml import ShiftSettings
from carecenter.domain.center import WEEKDAYS, Agent, Center
from carecenter.domain.durations import wall_s
from carecenter.domain.rosters import RosteredShift
from carecenter.domain.schedules import ScheduledShift
from carecenter.errors import InputError
from carecenter.wfm.roster import DAY_MIN, RosterAgent, ShiftSlot

HOUR = 60


def minute_of(moment: datetime, first_day: date, zone: ZoneInfo) -> int:
    return int(wall_s(moment, first_day, zone) // 60)


def _of_day(t: time) -> int:
    return t.hour * HOUR + t.minute


def slots_of(
    shifts: Sequence[ScheduledShift],
    settings: ShiftSettings | None,
    first_day: date,
    zone: ZoneInfo,
) -> tuple[list[ShiftSlot], dict[int, tuple[ScheduledShift, ...]]]:
    """One slot per day, shift and start of the saved schedule; one place per agent on it,
    with that agent's breaks; and, per slot key, the saved row of each place."""
    contract = {t.name: t.contract for t in settings.templates} if settings else {}
    grouped: dict[tuple[int, str, int, int], list[ScheduledShift]] = defaultdict(list)
    for s in shifts:
        start, end = minute_of(s.start_at, first_day, zone), minute_of(s.end_at, first_day, zone)
        grouped[(s.day - first_day).days, s.shift, start, end].append(s)
    out: list[ShiftSlot] = []
    rows_of: dict[int, tuple[ScheduledShift, ...]] = {}
    for (day, name, start, end), rows in sorted(grouped.items()):
        each = tuple(row for row in rows for _ in range(row.agents))
        places = [
            tuple(
                (minute_of(b.start_at, first_day, zone), minute_of(b.end_at, first_day, zone))
                for b in row.breaks
            )
            for row in each
        ]
        paid = round(rows[0].paid_hours * HOUR)
        rows_of[len(out)] = each
        out.append(
            ShiftSlot(len(out), day, name, start, end, paid, contract.get(name), tuple(places))
        )
    return out, rows_of


def carried_over(
    before: Sequence[RosteredShift], first_day: date, zone: ZoneInfo
) -> dict[str, tuple[int, int]]:
    """Agent id -> (days worked in a row just before ``first_day``, when their last shift
    ended in minutes from its midnight), from the rostered shifts of the days before it."""
    worked: dict[str, set[date]] = defaultdict(set)
    ended: dict[str, int] = {}
    for shift in before:
        worked[shift.agent_id].add(shift.day)
        end = minute_of(shift.end_at, first_day, zone)
        ended[shift.agent_id] = max(end, ended.get(shift.agent_id, end))
    out = {}
    for agent_id, days in worked.items():
        run, day = 0, first_day - timedelta(days=1)
        while day in days:
            run, day = run + 1, day - timedelta(days=1)
        out[agent_id] = (run, ended[agent_id])
    return out


def _windows(agent: Agent, first_day: date, days: int) -> tuple[tuple[int, int], ...] | None:
    work = agent.work
    if work.availability is None and not work.leave:
        return None
    spans: list[tuple[int, int]] = []
    for d in range(days):
        today = first_day + timedelta(days=d)
        if today in work.leave:
            continue
        base = d * DAY_MIN
        if work.availability is None:
            spans.append((base, base + DAY_MIN))
            continue
        for opens, closes in work.availability.get(WEEKDAYS[today.weekday()], ()):
            end = DAY_MIN if closes == time(0) else _of_day(closes)
            spans.append((base + _of_day(opens), base + end))
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def agents_of(
    center: Center,
    settings: ShiftSettings | None,
    first_day: date,
    days: int,
    carried: dict[str, tuple[int, int]] | None = None,
) -> list[RosterAgent]:
    """The center's agents as the roster sees them: the queues each can serve, their
    contract's or their own hours (for ``days`` days; a day of leave counts as a day's
    hours), availability less leave, preferences, and (``carried``) the days in a row they
    worked and when their last shift ended before ``first_day``."""
    contracts = {c.name: c for c in settings.contracts} if settings else {}
    hours = settings.contract_hours if settings else {}
    out = []
    for agent in center.agents.values():
        work = agent.work
        queues = frozenset(q.queue_id for q in center.queues.values() if agent.serves(q))
        contract = contracts.get(work.contract) if work.contract else None
        if work.contract and contract is None:
            known = ", ".join(sorted(contracts)) or "none"
            raise InputError(
                f"agent {agent.agent_id}: no contract {work.contract!r} in shifts.yaml "
                f"(defined: {known})",
                field=f"agents.{agent.agent_id}.contract",
            )
        low, high = hours.get(work.contract or "", (0.0, None))
        low = work.min_hours if work.min_hours is not None else low
        high = work.max_hours if work.max_hours is not None else high
        per_week = contract.days_per_week if contract else 7
        leave = sum(1 for d in range(days) if first_day + timedelta(days=d) in work.leave)
        share = days / 7
        least = max(low * share - low / per_week * leave, 0.0)
        prefers_off = frozenset(
            d
            for d in range(days)
            if WEEKDAYS[(first_day + timedelta(days=d)).weekday()] in work.prefers_off
        )
        start = work.prefers_start
        run, last_end = (carried or {}).get(agent.agent_id, (0, None))
        out.append(
            RosterAgent(
                agent.agent_id,
                queues=queues,
                contract=work.contract,
                min_paid_min=round(least * HOUR),
                max_paid_min=None if high is None else round(high * share * HOUR),
                max_days=round(per_week * share) if contract else None,
                consecutive_days_off=bool(contract and contract.consecutive_days_off),
                available=_windows(agent, first_day, days),
                prefers_off=prefers_off,
                prefers_start=None if start is None else (_of_day(start[0]), _of_day(start[1])),
                worked_before=run,
                last_end=last_end,
            )
        )
    return out
