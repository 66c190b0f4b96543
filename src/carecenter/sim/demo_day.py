"""A scripted day of a center: plausible, seeded event streams for demos and examples, and the
demo center's weeks as a scenario for the digital twin (:func:`demo_scenario`).

The scripted day is not the simulator (that drives the routing policies): contacts arrive as a
Poisson process with a two-peak daily shape inside each queue's opening hours and are served
first come, first served by the eligible agent who is free first; customers who wait longer
than their (exponential) patience abandon, and some voice callers ask for a callback instead.
Agents work a shift with a lunch break. Every event comes from the domain entities, so the
stream obeys the contact and agent life cycles.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from carecenter.domain.agent_state import AgentSession
from carecenter.domain.center import Agent, Center, Queue
from carecenter.domain.contact import Contact
from carecenter.domain.durations import DAY_S
from carecenter.domain.enums import AgentStatus, Channel, PromiseKind
from carecenter.domain.events import Event
from carecenter.domain.promise import Promise
from carecenter.sim.scenario import (
    Arrivals,
    Behaviour,
    Distribution,
    Scenario,
    Shape,
    Shift,
)

MEAN_TALK_S = {
    Channel.VOICE: 240.0,
    Channel.CHAT: 540.0,
    Channel.EMAIL: 360.0,
    Channel.CALLBACK: 240.0,
}
MEAN_PATIENCE_S = {
    Channel.VOICE: 150.0,
    Channel.CHAT: 400.0,
    Channel.EMAIL: math.inf,
    Channel.CALLBACK: math.inf,
}


def _shape(hour: float) -> float:
    """Relative arrival intensity over the day: peaks mid-morning and mid-afternoon."""
    return (
        0.25 + math.exp(-((hour - 10.5) ** 2) / 3.0) + 0.8 * math.exp(-((hour - 14.5) ** 2) / 3.0)
    )


@dataclass
class _Shift:
    agent: Agent
    start: datetime
    end: datetime
    lunch: tuple[datetime, datetime]
    free_at: datetime
    services: list[tuple[datetime, datetime, datetime]] = field(default_factory=list)

    def start_time(self, arrival: datetime) -> datetime | None:
        start = max(arrival, self.free_at, self.start)
        if self.lunch[0] <= start < self.lunch[1]:
            start = self.lunch[1]
        return start if start < self.end else None


def _arrivals(
    queue: Queue, day: date, tz: ZoneInfo, per_hour: float, rng: random.Random
) -> list[datetime]:
    times: list[datetime] = []
    t = datetime.combine(day, time(0), tz)
    end = t + timedelta(days=1)
    peak = per_hour * 1.25
    while True:
        t += timedelta(seconds=rng.expovariate(peak / 3600.0))
        if t >= end:
            return times
        hour = t.hour + t.minute / 60
        if queue.hours.is_open(t) and rng.random() < _shape(hour) / 1.25:
            times.append(t)


def _shift(agent: Agent, day: date, tz: ZoneInfo, rng: random.Random) -> _Shift:
    start = datetime.combine(day, time(8), tz) + timedelta(minutes=15 * rng.randrange(0, 4))
    lunch = datetime.combine(day, time(12), tz) + timedelta(minutes=15 * rng.randrange(0, 8))
    return _Shift(
        agent, start, start + timedelta(hours=9), (lunch, lunch + timedelta(minutes=30)), start
    )


def scripted_day(
    center: Center, day: date, rng: random.Random, *, calls_per_hour: float = 12.0, prefix: str = ""
) -> list[Event]:
    """Events of one day at ``center``, in time order."""
    tz = ZoneInfo(center.timezone)
    shifts = {
        a.agent_id: _shift(a, day, tz, rng)
        for a in sorted(center.agents.values(), key=lambda a: a.agent_id)
    }
    arrivals = sorted(
        (t, q.queue_id)
        for q in center.queues.values()
        for t in _arrivals(q, day, tz, calls_per_hour, rng)
    )
    streams: list[list[Event]] = []
    for n, (at, queue_id) in enumerate(arrivals, start=1):
        queue = center.queues[queue_id]
        contact_id = f"{prefix}{day:%Y%m%d}-{n:05d}"
        streams.append(_contact(center, queue, contact_id, at, shifts, rng))
    streams.extend(_agent_events(s) for s in shifts.values())
    merged = [e for stream in streams for e in stream]
    merged.sort(key=lambda e: e.occurred_at)  # stable: each entity's own order is kept
    return merged


def _contact(
    center: Center,
    queue: Queue,
    contact_id: str,
    at: datetime,
    shifts: dict[str, _Shift],
    rng: random.Random,
) -> list[Event]:
    tier = "vip" if "vip" in center.tiers and rng.random() < 0.1 else "standard"
    channel = queue.channel
    contact, arrived = Contact.arrive(
        contact_id,
        channel,
        at,
        tier=tier,
        topic=queue.queue_id,
        customer_id=f"cust{rng.randrange(1, 5000):04d}",
    )
    events: list[Event] = [arrived, contact.queue(queue.queue_id, at)]
    options = [
        (start, s)
        for s in shifts.values()
        if s.agent.can_serve(queue)
        if (start := s.start_time(at)) is not None
    ]
    patience = (
        rng.expovariate(1 / MEAN_PATIENCE_S[channel])
        if math.isfinite(MEAN_PATIENCE_S[channel])
        else math.inf
    )
    start, shift = min(options, key=lambda o: (o[0], o[1].agent.agent_id), default=(None, None))
    wait = (start - at).total_seconds() if start is not None else math.inf
    if shift is None or wait > patience:
        if channel is Channel.VOICE and patience > 90 and rng.random() < 0.3:
            ask = at + timedelta(seconds=90)
            _, made = Promise.make(
                f"p-{contact_id}",
                PromiseKind.CALLBACK,
                due_at=ask + timedelta(hours=2),
                at=ask,
                customer_id=contact.customer_id,
                contact_id=contact_id,
            )
            events += [
                contact.request_callback(ask, promise_id=made.promise_id, due_at=made.due_at),
                made,
            ]
        elif math.isfinite(patience):
            events.append(contact.abandon(at + timedelta(seconds=patience)))
        return events
    assert start is not None
    answer = start + timedelta(seconds=rng.uniform(2, 8))
    talk = rng.lognormvariate(math.log(MEAN_TALK_S[channel]) - 0.18, 0.6)
    talk_end = answer + timedelta(seconds=talk)
    acw_end = talk_end + timedelta(seconds=rng.uniform(10, 60))
    shift.free_at = acw_end
    shift.services.append((answer, talk_end, acw_end))
    agent_id = shift.agent.agent_id
    events += [contact.offer(agent_id, start), contact.answer(agent_id, answer)]
    if rng.random() < 0.2:
        hold = answer + timedelta(seconds=talk * rng.uniform(0.2, 0.6))
        events += [
            contact.hold(hold),
            contact.resume(hold + timedelta(seconds=rng.uniform(15, 90))),
        ]
    events += [
        contact.wrap_up(talk_end),
        contact.end(acw_end, ended_by="agent", resolved=rng.random() < 0.8),
    ]
    return events


def _agent_events(shift: _Shift) -> list[Event]:
    session = AgentSession(shift.agent.agent_id)
    events: list[Event] = [session.log_in(shift.start)]
    lunch_start, lunch_end = shift.lunch
    took_lunch = False
    for answer, talk_end, acw_end in sorted(shift.services):
        if not took_lunch and answer >= lunch_end:
            took_lunch = True
            begin = max(lunch_start, session.since or lunch_start)
            if begin < lunch_end:
                events += [session.take_break(begin, "lunch"), session.make_available(lunch_end)]
        events += [
            session.change(AgentStatus.BUSY, answer),
            session.change(AgentStatus.AFTER_CALL_WORK, talk_end),
            session.make_available(acw_end),
        ]
    events.append(session.log_out(max(shift.end, session.since or shift.end)))
    return events


DEMO_SLOT_S = 1800
"""The demo's arrival rates change every half hour."""


def demo_scenario(
    center: Center, start: date, days: int, *, calls_per_hour: float = 12.0, seed: int = 7
) -> Scenario:
    """The demo center's weekdays from ``start`` (a Monday) as a scenario for the twin: per
    queue, ``calls_per_hour`` contacts an hour shaped over the day (:func:`_shape`) while the
    queue is open, 10 % VIP callers where the center has the tier, handle times and patience
    per channel as in the scripted day, agents on shifts of nine hours from 08:00-08:45 with
    half an hour for lunch, a third of the voice callers offered a callback take it."""
    tz = ZoneInfo(center.timezone)
    monday = start - timedelta(days=start.weekday())
    slots = DAY_S // DEMO_SLOT_S
    arrivals = {}
    tiers = {"standard": 0.9, "vip": 0.1} if {"standard", "vip"} <= set(center.tiers) else {}
    for queue in center.queues.values():
        week = []
        for weekday in range(7):
            day = monday + timedelta(days=weekday)
            rates = []
            for i in range(slots):
                at = datetime.combine(day, time(0), tz) + timedelta(seconds=i * DEMO_SLOT_S)
                hour = (i + 0.5) * DEMO_SLOT_S / 3600
                is_open = weekday < 5 and queue.hours.is_open(at)
                rates.append(calls_per_hour * _shape(hour) if is_open else 0.0)
            week.append(tuple(rates))
        arrivals[queue.queue_id] = Arrivals(
            queue.queue_id, tuple(week), DEMO_SLOT_S, MappingProxyType(tiers)
        )
    behaviour = {
        q.queue_id: Behaviour(
            handle=Distribution(Shape.LOGNORMAL, MEAN_TALK_S[q.channel], MEAN_TALK_S[q.channel]),
            wrap_up=Distribution(Shape.EXPONENTIAL, 30.0),
            patience=(
                Distribution(Shape.EXPONENTIAL, MEAN_PATIENCE_S[q.channel])
                if math.isfinite(MEAN_PATIENCE_S[q.channel])
                else None
            ),
            callback_acceptance=0.3 if q.channel is Channel.VOICE else 0.0,
        )
        for q in center.queues.values()
    }
    shifts = {
        agent_id: Shift(
            8 * 3600 + 900 * (n % 4),
            17 * 3600 + 900 * (n % 4),
            ((12 * 3600 + 1800 * (n % 3), 1800),),
            frozenset(range(5)),
        )
        for n, agent_id in enumerate(sorted(center.agents))
    }
    last = start
    for _ in range(days - 1):
        last += timedelta(days=3 if last.weekday() == 4 else 1)
    return Scenario(
        center,
        MappingProxyType(arrivals),
        MappingProxyType(behaviour),
        start=start,
        horizon_s=((last - start).days + 1) * DAY_S,
        replications=1,
        seed=seed,
        answer_delay_s=3.0,
        shifts=MappingProxyType(shifts),
    )
