"""Schedule adherence and conformance against timelines worked out by hand, and against a
minute-by-minute count on random timelines."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import NamedTuple

import pytest

from carecenter.errors import DomainError
from carecenter.wfm.adherence import (
    Actual,
    AdherenceEvent,
    AdherenceReport,
    AgentAdherence,
    IntervalAdherence,
    Planned,
    adherence,
)

DAY = datetime(2026, 12, 14, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


def work(start: datetime, end: datetime, agent: str = "A1") -> Planned:
    return Planned(agent, start, end, "work", True)


def pause(start: datetime, end: datetime, name: str = "meal", agent: str = "A1") -> Planned:
    return Planned(agent, start, end, name, False)


def was(start: datetime, end: datetime, state: str = "available", agent: str = "A1") -> Actual:
    return Actual(agent, start, end, state)


def run(
    planned: list[Planned], actual: list[Actual], **kw: object
) -> tuple[AdherenceReport, AgentAdherence]:
    kw = {"start_at": at(8), "end_at": at(18), **kw}
    report = adherence(planned, actual, **kw)  # type: ignore[arg-type]
    return report, report.agents[0]


# The day of the brief: work 09:00-17:00 with a meal 12:00-12:30; logged in at 09:05,
# available until 12:10, on break 12:10-12:40, busy until logging out at 16:50.
DAY_PLAN = [work(at(9), at(12)), pause(at(12), at(12, 30)), work(at(12, 30), at(17))]
DAY_ACTUAL = [
    was(at(9, 5), at(12, 10)),
    was(at(12, 10), at(12, 40), "break"),
    was(at(12, 40), at(16, 50), "busy"),
]


def test_the_day_of_the_brief_worked_by_hand() -> None:
    # Scheduled 8 h = 28800 s, of which work 7.5 h = 27000 s. Piece by piece:
    #   09:00-09:05 work, logged out  out   300
    #   09:05-12:00 work, available   in  10500
    #   12:00-12:10 meal, available   out   600
    #   12:10-12:30 meal, break       in   1200
    #   12:30-12:40 work, break       out   600
    #   12:40-16:50 work, busy        in  15000
    #   16:50-17:00 work, logged out  out   600
    # In adherence 26700 s: adherence 26700 / 28800 = 0.9270833; out of adherence 2100 s.
    # Worked 09:05-12:10 (11100) + 12:40-16:50 (15000) = 26100 s: conformance 26100 / 27000.
    _, agent = run(DAY_PLAN, DAY_ACTUAL)
    assert agent.scheduled_s == 28800.0
    assert agent.scheduled_work_s == 27000.0
    assert agent.in_adherence_s == 26700.0
    assert agent.out_of_adherence_s == 2100.0
    assert agent.worked_s == 26100.0
    assert agent.adherence == pytest.approx(26700 / 28800)
    assert agent.conformance == pytest.approx(26100 / 27000)


def test_the_late_login_is_an_event_only_under_a_tighter_tolerance() -> None:
    # Out-of-adherence stretches: 300 s at 09:00, 600 s at 12:00, 12:30 and 16:50. With a
    # tolerance of 300 s the 5-minute late login (300 s, not longer than 300) is no event.
    report, agent = run(DAY_PLAN, DAY_ACTUAL, tolerance_s=300.0)
    assert agent.events == 3
    assert report.events == [
        AdherenceEvent("A1", at(12), at(12, 10), 600.0, "meal", "available"),
        AdherenceEvent("A1", at(12, 30), at(12, 40), 600.0, "work", "break"),
        AdherenceEvent("A1", at(16, 50), at(17), 600.0, "work", "logged_out"),
    ]
    report, agent = run(DAY_PLAN, DAY_ACTUAL, tolerance_s=240.0)
    assert agent.events == 4
    assert report.events[0] == AdherenceEvent("A1", at(9), at(9, 5), 300.0, "work", "logged_out")
    # 600 s is not longer than 600 s either: nothing is left.
    report, agent = run(DAY_PLAN, DAY_ACTUAL, tolerance_s=600.0)
    assert (report.events, agent.events) == ([], 0)


def test_the_day_of_the_brief_per_half_hour() -> None:
    # Rows from 09:00 to 16:30 (16 of them): the agent has no time before 09:00 or after 17:00.
    report, _ = run(DAY_PLAN, DAY_ACTUAL)
    rows = {r.interval_start: r for r in report.intervals}
    assert sorted(rows) == [at(9) + timedelta(minutes=30 * k) for k in range(16)]
    # 09:00: logged in at 09:05, so 1500 s of 1800 in adherence and worked.
    assert rows[at(9)] == IntervalAdherence(
        "A1", at(9), 1800.0, 1800.0, 1500.0, 1500.0, 1500 / 1800, 1500 / 1800
    )
    # 12:00: all meal; 12:10-12:30 on break in adherence (1200 s); worked 12:00-12:10 (600 s)
    # although no work was scheduled: no conformance.
    assert rows[at(12)] == IntervalAdherence(
        "A1", at(12), 1800.0, 0.0, 1200.0, 600.0, 1200 / 1800, None
    )
    # 12:30: back 10 minutes late, 12:40-13:00 in adherence and worked.
    assert rows[at(12, 30)].in_adherence_s == 1200.0
    assert rows[at(12, 30)].worked_s == 1200.0
    # 16:30: logged out at 16:50.
    assert rows[at(16, 30)].in_adherence_s == 1200.0
    assert rows[at(16, 30)].conformance == pytest.approx(1200 / 1800)
    # 10:00: a clean half hour.
    assert rows[at(10)].adherence == 1.0


def test_a_break_taken_entirely_late_is_one_event_across_the_change_of_activity() -> None:
    # Rest planned 10:00-10:15; the agent works through it and breaks 10:15-10:30 instead.
    # 10:00-10:15 rest while available, then 10:15-10:30 work while on break: out of
    # adherence without a pause, one event of 1800 s that starts as "rest" / "available".
    planned = [work(at(9), at(10)), pause(at(10), at(10, 15), "rest"), work(at(10, 15), at(11))]
    actual = [was(at(9), at(10, 15)), was(at(10, 15), at(10, 30), "break"), was(at(10, 30), at(11))]
    report, agent = run(planned, actual)
    assert report.events == [
        AdherenceEvent("A1", at(10), at(10, 30), 1800.0, "rest", "available"),
    ]
    # Scheduled 7200, in adherence 7200 - 1800 = 5400; worked 7200 - 900 = 6300 of 6300.
    assert (agent.in_adherence_s, agent.out_of_adherence_s) == (5400.0, 1800.0)
    assert agent.conformance == 1.0


def test_a_break_taken_entirely_early_merges_with_the_work_it_skipped() -> None:
    # Rest planned 10:00-10:15, taken 09:45-10:00; then the agent works through the planned
    # rest: 09:45-10:00 work on break and 10:00-10:15 rest while available make one event.
    planned = [work(at(9), at(10)), pause(at(10), at(10, 15), "rest"), work(at(10, 15), at(11))]
    actual = [was(at(9), at(9, 45)), was(at(9, 45), at(10), "break"), was(at(10), at(11), "busy")]
    report, _ = run(planned, actual)
    assert report.events == [
        AdherenceEvent("A1", at(9, 45), at(10, 15), 1800.0, "work", "break"),
    ]


def test_a_break_taken_partly_early_leaves_two_events_around_the_overlap() -> None:
    # Break 09:50-10:05 against the rest planned 10:00-10:15: out 09:50-10:00 (600 s), in
    # 10:00-10:05 (on break during the rest), out 10:05-10:15 (available during the rest).
    planned = [work(at(9), at(10)), pause(at(10), at(10, 15), "rest"), work(at(10, 15), at(11))]
    actual = [was(at(9), at(9, 50)), was(at(9, 50), at(10, 5), "break"), was(at(10, 5), at(11))]
    report, agent = run(planned, actual)
    assert report.events == [
        AdherenceEvent("A1", at(9, 50), at(10), 600.0, "work", "break"),
        AdherenceEvent("A1", at(10, 5), at(10, 15), 600.0, "rest", "available"),
    ]
    assert agent.in_adherence_s == 7200.0 - 1200.0


def test_an_event_runs_on_across_a_change_of_actual_state() -> None:
    # Work all morning; on break 09:20-09:30 then logged out (no Actual) until 09:40: one
    # event of 1200 s starting "break". Touching Actuals (end == next start) do not overlap.
    report, agent = run(
        [work(at(9), at(12))],
        [was(at(9), at(9, 20)), was(at(9, 20), at(9, 30), "break"), was(at(9, 40), at(12))],
    )
    assert report.events == [AdherenceEvent("A1", at(9, 20), at(9, 40), 1200.0, "work", "break")]
    assert agent.out_of_adherence_s == 1200.0


def test_a_logged_out_actual_is_away_like_no_actual_and_after_call_work_is_working() -> None:
    # Meal 12:00-13:00 spent in an explicit logged_out Actual: in adherence. Work 11:00-12:00
    # in after_call_work: in adherence and worked.
    _, agent = run(
        [work(at(11), at(12)), pause(at(12), at(13))],
        [was(at(11), at(12), "after_call_work"), was(at(12), at(13), "logged_out")],
    )
    assert (agent.adherence, agent.worked_s, agent.conformance) == (1.0, 3600.0, 1.0)


def test_working_while_not_scheduled_counts_for_conformance_not_adherence() -> None:
    # Scheduled 09:00-10:00 only; available 08:00-10:00. Adherence 3600 / 3600 = 1; worked
    # 7200 s for 3600 s scheduled: conformance 2. The unscheduled hour is no event.
    report, agent = run([work(at(9), at(10))], [was(at(8), at(10))], tolerance_s=0.0)
    assert agent.adherence == 1.0
    assert agent.worked_s == 7200.0
    assert agent.conformance == 2.0
    assert report.events == []
    first = report.intervals[0]
    assert first == IntervalAdherence("A1", at(8), 0.0, 0.0, 0.0, 1800.0, None, None)
    assert len(report.intervals) == 4


def test_an_agent_with_only_actual_time_has_neither_ratio() -> None:
    report, agent = run([work(at(9), at(10), "A2")], [was(at(9), at(9, 30))])
    assert [a.agent_id for a in report.agents] == ["A1", "A2"]
    assert agent == AgentAdherence("A1", 0.0, 0.0, 0.0, 1800.0, 0.0, None, None, 0)
    # A2 never logged in: adherence 0, conformance 0, one event of the whole hour.
    a2 = report.agents[1]
    assert (a2.adherence, a2.conformance, a2.events) == (0.0, 0.0, 1)
    assert report.events[0].state == "logged_out"


def test_only_breaks_scheduled_gives_adherence_but_no_conformance() -> None:
    _, agent = run([pause(at(12), at(12, 30))], [was(at(12), at(12, 30), "break")])
    assert (agent.adherence, agent.conformance) == (1.0, None)


def test_everything_is_clipped_to_the_window() -> None:
    # Window 10:00-12:00. Work planned 09:00-13:00; available 09:30-11:00, break 11:00-12:30.
    # Inside the window: scheduled 7200, in adherence 10:00-11:00 = 3600, worked 3600, and
    # one event 11:00-12:00 cut at the window's end (3600 s, not 5400).
    report, agent = run(
        [work(at(9), at(13))],
        [was(at(9, 30), at(11)), was(at(11), at(12, 30), "break")],
        start_at=at(10),
        end_at=at(12),
    )
    assert (agent.scheduled_s, agent.in_adherence_s, agent.worked_s) == (7200.0, 3600.0, 3600.0)
    assert report.events == [AdherenceEvent("A1", at(11), at(12), 3600.0, "work", "break")]
    assert [r.interval_start for r in report.intervals] == [at(10), at(10, 30), at(11), at(11, 30)]


def test_agents_with_time_only_outside_the_window_are_left_out() -> None:
    report = adherence(
        [work(at(7), at(8), "early"), work(at(9), at(10), "A1")],
        [was(at(18), at(19), agent="late")],
        start_at=at(8),
        end_at=at(18),
    )
    assert [a.agent_id for a in report.agents] == ["A1"]


def test_intervals_are_aligned_on_the_window_start() -> None:
    # Window from 09:10 with 20-minute intervals: work 09:00-10:00 gives rows at 09:10 (1200 s)
    # and 09:30 (1200 s) and 09:50 (600 s).
    report, _ = run(
        [work(at(9), at(10))], [was(at(9), at(10))], start_at=at(9, 10), interval_s=1200
    )
    assert [(r.interval_start, r.scheduled_s) for r in report.intervals] == [
        (at(9, 10), 1200.0),
        (at(9, 30), 1200.0),
        (at(9, 50), 600.0),
    ]


def test_input_order_and_time_zones_do_not_matter() -> None:
    # The same day given shuffled and with the Actuals in UTC+01:00.
    plus_one = timezone(timedelta(hours=1))
    actual = [
        Actual(a.agent_id, a.start_at.astimezone(plus_one), a.end_at.astimezone(plus_one), a.state)
        for a in DAY_ACTUAL
    ]
    shuffled = adherence(
        DAY_PLAN[::-1], actual[::-1], start_at=at(8), end_at=at(18), tolerance_s=240.0
    )
    straight = adherence(DAY_PLAN, DAY_ACTUAL, start_at=at(8), end_at=at(18), tolerance_s=240.0)
    assert shuffled.agents == straight.agents
    assert shuffled.intervals == straight.intervals
    assert [(e.start_at, e.duration_s) for e in shuffled.events] == [
        (e.start_at, e.duration_s) for e in straight.events
    ]


def test_overlapping_actuals_are_a_data_error_naming_the_agent_and_times() -> None:
    with pytest.raises(DomainError) as caught:
        run([], [was(at(9), at(10), agent="A7"), was(at(9, 30), at(11), "busy", agent="A7")])
    message = str(caught.value)
    assert "A7" in message and "actual" in message and "\n" not in message
    assert at(9, 30).isoformat() in message and at(10).isoformat() in message


def test_overlapping_planned_activities_are_a_data_error() -> None:
    with pytest.raises(DomainError, match=r"planned intervals of agent A1 overlap"):
        run([work(at(9), at(17)), pause(at(12), at(12, 30))], [])


def test_overlaps_outside_the_window_are_still_errors() -> None:
    with pytest.raises(DomainError, match="overlap"):
        run([], [was(at(6), at(7)), was(at(6, 30), at(7, 30))])


def test_intervals_of_different_agents_may_overlap() -> None:
    report = adherence(
        [work(at(9), at(10), "A1"), work(at(9), at(10), "A2")],
        [was(at(9), at(10), agent="A1"), was(at(9), at(10), agent="A2")],
        start_at=at(8),
        end_at=at(18),
    )
    assert [a.adherence for a in report.agents] == [1.0, 1.0]


def test_an_interval_ending_before_it_starts_is_an_error_and_an_empty_one_is_ignored() -> None:
    with pytest.raises(DomainError, match=r"actual interval of agent A1 ends at .* before"):
        run([], [was(at(10), at(9))])
    with pytest.raises(DomainError, match=r"planned interval of agent A1 ends at .* before"):
        run([work(at(10), at(9))], [])
    # An empty Actual inside another one neither overlaps nor counts.
    _, agent = run([work(at(9), at(10))], [was(at(9), at(10)), was(at(9, 30), at(9, 30), "break")])
    assert agent.adherence == 1.0


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"end_at": at(8)}, "window"),
        ({"interval_s": 0}, "interval"),
        ({"tolerance_s": -1.0}, "tolerance"),
        ({"start_at": datetime(2026, 12, 14, 8)}, "time zone"),
    ],
)
def test_bad_arguments_are_refused(kw: dict[str, object], match: str) -> None:
    with pytest.raises(DomainError, match=match):
        run([work(at(9), at(10))], [], **kw)


def test_an_unknown_state_is_refused() -> None:
    with pytest.raises(DomainError, match="unknown state 'lunch'"):
        run([], [was(at(9), at(10), "lunch")])


def timeline(rng: random.Random, agent: str) -> tuple[list[Planned], list[Actual]]:
    """Random back-to-back pieces on a whole-minute grid between 07:00 and 19:00, with gaps."""
    planned: list[Planned] = []
    actual: list[Actual] = []
    for kind in ("planned", "actual"):
        t = at(7) + timedelta(minutes=rng.randrange(0, 120))
        while True:
            t += timedelta(minutes=rng.choice([0, 0, 0, 1, 7, 30]))
            end = t + timedelta(minutes=rng.choice([0, 1, 3, 5, 6, 15, 45, 90]))
            if end > at(19):
                break
            if kind == "planned":
                name = rng.choice(["work", "work", "meal", "rest"])
                planned.append(Planned(agent, t, end, name, name == "work"))
            else:
                state = rng.choice(["available", "busy", "after_call_work", "break", "logged_out"])
                actual.append(Actual(agent, t, end, state))
            t = end
    return planned, actual


class Minute(NamedTuple):
    activity: str | None  # the planned activity, None when not scheduled
    planned_working: bool
    state: str  # the actual state, "logged_out" when no Actual covers the minute
    covered: bool  # some Planned or Actual covers the minute

    @property
    def out(self) -> bool:
        return self.activity is not None and self.planned_working != (self.state in WORKING)


WORKING = {"available", "busy", "after_call_work"}


def by_minute(
    planned: list[Planned], actual: list[Actual], start: datetime, end: datetime
) -> dict[str, list[Minute]]:
    """Every agent's minutes in the window: the definitions applied one minute at a time."""
    minutes = int((end - start).total_seconds()) // 60
    out: dict[str, list[Minute]] = {}
    for agent in {p.agent_id for p in planned} | {a.agent_id for a in actual}:
        rows: list[Minute] = []
        for m in range(minutes):
            t = start + timedelta(minutes=m)
            plan = next(
                (p for p in planned if p.agent_id == agent and p.start_at <= t < p.end_at), None
            )
            act = next(
                (a for a in actual if a.agent_id == agent and a.start_at <= t < a.end_at), None
            )
            rows.append(
                Minute(
                    None if plan is None else plan.activity,
                    plan is not None and plan.working,
                    "logged_out" if act is None else act.state,
                    plan is not None or act is not None,
                )
            )
        out[agent] = rows
    return out


def out_runs(rows: list[Minute]) -> list[tuple[int, int]]:
    """(first minute, minutes) of each run of minutes scheduled and out of adherence."""
    runs: list[tuple[int, int]] = []
    m = 0
    for out, group in itertools.groupby(r.out for r in rows):
        n = len(list(group))
        if out:
            runs.append((m, n))
        m += n
    return runs


@pytest.mark.parametrize("seed", range(25))
def test_random_timelines_agree_with_a_minute_by_minute_count(seed: int) -> None:
    # Random timelines on a minute grid, shuffled; every total, row and event is checked
    # against the definitions applied minute by minute, and the rows against the totals.
    rng = random.Random(seed)
    planned: list[Planned] = []
    actual: list[Actual] = []
    for agent_id in ("A1", "A2", "A3"):
        p, a = timeline(rng, agent_id)
        planned += p
        actual += a
    start = at(7) + timedelta(minutes=rng.randrange(0, 180))
    end = at(19) - timedelta(minutes=rng.randrange(0, 180))
    interval_s = rng.choice([900, 1800, 3600, 420])
    tolerance_s = rng.choice([0.0, 60.0, 300.0])
    rng.shuffle(planned)
    rng.shuffle(actual)
    report = adherence(
        planned, actual, start_at=start, end_at=end, interval_s=interval_s, tolerance_s=tolerance_s
    )
    minutes = by_minute(planned, actual, start, end)
    per_interval = interval_s // 60

    present = sorted(name for name, rows in minutes.items() if any(r.covered for r in rows))
    assert [a.agent_id for a in report.agents] == present
    for agent in report.agents:
        rows = minutes[agent.agent_id]
        in_adh = sum(r.activity is not None and not r.out for r in rows)
        assert agent.scheduled_s == 60.0 * sum(r.activity is not None for r in rows)
        assert agent.scheduled_work_s == 60.0 * sum(r.planned_working for r in rows)
        assert agent.in_adherence_s == 60.0 * in_adh
        assert agent.worked_s == 60.0 * sum(r.state in WORKING for r in rows)
        assert agent.out_of_adherence_s == 60.0 * sum(r.out for r in rows)
        assert agent.adherence is None or 0.0 <= agent.adherence <= 1.0

        expected = [
            (start + timedelta(minutes=m), 60.0 * n, rows[m].activity, rows[m].state)
            for m, n in out_runs(rows)
            if 60.0 * n > tolerance_s
        ]
        got = [
            (e.start_at, e.duration_s, e.activity, e.state)
            for e in report.events
            if e.agent_id == agent.agent_id
        ]
        assert got == expected
        assert agent.events == len(expected)

        mine = [r for r in report.intervals if r.agent_id == agent.agent_id]
        for field in ("scheduled_s", "scheduled_work_s", "in_adherence_s", "worked_s"):
            assert sum(getattr(r, field) for r in mine) == pytest.approx(getattr(agent, field))
        # One row per interval with some planned or actual time, in order, matching its minutes.
        covered = sorted({m // per_interval for m, r in enumerate(rows) if r.covered})
        assert [r.interval_start for r in mine] == [
            start + k * timedelta(seconds=interval_s) for k in covered
        ]
        for k, row in zip(covered, mine, strict=True):
            part = rows[k * per_interval : (k + 1) * per_interval]
            assert row.in_adherence_s == 60.0 * sum(
                r.activity is not None and not r.out for r in part
            )
            assert row.worked_s == 60.0 * sum(r.state in WORKING for r in part)
            assert row.adherence is None or 0.0 <= row.adherence <= 1.0
            assert row.in_adherence_s <= row.scheduled_s
            assert row.scheduled_work_s <= row.scheduled_s
    assert report.events == sorted(report.events, key=lambda e: (e.agent_id, e.start_at))
