"""What the contact engine tells becomes facts: the expected wait told on entry, the skill
relaxation, the kind of a transfer, and one row per promise."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.helpers import T0

from carecenter.adapters.memory import InMemoryEventLog, InMemoryWarehouse
from carecenter.domain.contact import Contact
from carecenter.domain.enums import Channel, PromiseKind
from carecenter.domain.events import (
    ContactSkillsRelaxed,
    ContactTransferred,
    ContactWaitEstimated,
    Event,
    PromiseBroken,
    PromiseCancelled,
    PromiseKept,
    PromiseMade,
)
from carecenter.services.projector import project


def s(x: float) -> datetime:
    return T0 + timedelta(seconds=x)


def run(events: list[Event], batch_size: int = 5000) -> InMemoryWarehouse:
    log, warehouse = InMemoryEventLog(), InMemoryWarehouse()
    log.append(events)
    project(log, warehouse, batch_size=batch_size)
    return warehouse


def estimate(c: Contact, at: float, seconds: float, predictor: str = "queue_length") -> Event:
    return c.apply(
        ContactWaitEstimated(
            occurred_at=s(at),
            contact_id=c.contact_id,
            queue_id=c.queue_id or "",
            estimate_s=seconds,
            predictor=predictor,
            position=3,
        )
    )


def relax(c: Contact, at: float, step: int) -> Event:
    return c.apply(
        ContactSkillsRelaxed(
            occurred_at=s(at), contact_id=c.contact_id, queue_id=c.queue_id or "", step=step
        )
    )


def escalated_call() -> list[Event]:
    c, arrived = Contact.arrive("c1", Channel.VOICE, s(0), customer_id="k1")
    return [
        arrived,
        c.queue("billing", s(0)),
        estimate(c, 0, 60, "head_of_line"),
        relax(c, 30, 1),
        estimate(c, 40, 15),  # an announcement later: not the estimate told on entry
        relax(c, 60, 2),
        c.answer("a1", s(75)),
        c.transfer(s(200), to_queue_id="experts", kind="escalation"),
        c.queue("experts", s(200)),
        c.answer("a9", s(210)),
        c.end(s(400)),
    ]


def test_the_first_estimate_the_highest_relaxation_and_the_transfer_kind() -> None:
    events = escalated_call()
    for batch in (1, 3, 5000):
        wh = run(events, batch)
        first, second = wh.contact_facts[("c1", 1)], wh.contact_facts[("c1", 2)]
        assert (first.ewt_s, first.ewt_predictor, first.wait_s) == (60.0, "head_of_line", 75.0)
        assert first.relaxation_step == 2
        assert (first.transfer_kind, first.transferred_out) == ("escalation", True)
        assert (second.ewt_s, second.relaxation_step, second.transfer_kind) == (None, 0, None)


def test_an_overflow_keeps_its_reason() -> None:
    c, arrived = Contact.arrive("c2", Channel.VOICE, s(0))
    queued = c.queue("billing", s(0))
    moved = c.apply(
        ContactTransferred(
            occurred_at=s(90),
            contact_id="c2",
            from_queue_id="billing",
            to_queue_id="cards",
            reason="overflow_wait",
        )
    )
    wh = run([arrived, queued, moved])
    fact = wh.contact_facts[("c2", 1)]
    assert (fact.outcome, fact.transfer_kind, fact.transfer_reason) == (
        "flowed_out",
        "blind",
        "overflow_wait",
    )


def made(
    pid: str,
    at: float,
    due: float,
    *,
    contact: str | None = None,
    kind: PromiseKind = PromiseKind.CALLBACK,
    queue: str | None = None,
    agent: str | None = None,
    window: datetime | None = None,
) -> PromiseMade:
    return PromiseMade(
        occurred_at=s(at),
        promise_id=pid,
        customer_id="k1",
        contact_id=contact,
        kind=kind,
        due_at=s(due),
        queue_id=queue,
        agent_id=agent,
        window_start=window,
    )


def test_promise_rows_from_made_kept_broken_cancelled() -> None:
    c, arrived = Contact.arrive("c1", Channel.VOICE, s(0), customer_id="k1")
    events: list[Event] = [
        arrived,
        c.queue("billing", s(0)),
        c.answer("a1", s(10)),
        # a follow-up the agent promised during the call: its queue is the call's
        made("p1", 60, 3600, contact="c1", agent="a1", kind=PromiseKind.RESOLUTION),
        c.end(s(120)),
        made("p2", 200, 1800, queue="cards", window=s(900)),
        made("p3", 300, 600),
        made("p4", 400, 5000),
        PromiseKept(occurred_at=s(1500), promise_id="p2", agent_id="a2", contact_id="cb2"),
        PromiseBroken(occurred_at=s(660), promise_id="p3", reason="overdue"),
        PromiseCancelled(occurred_at=s(700), promise_id="p4", reason="no longer needed"),
        PromiseBroken(occurred_at=s(4000), promise_id="p1", reason="late"),
    ]
    for batch in (1, 4, 5000):
        wh = run(events, batch)
        p1, p2, p3, p4 = (wh.promises[p] for p in ("p1", "p2", "p3", "p4"))
        assert (p1.queue_id, p1.agent_id, p1.kind, p1.status, p1.reason) == (
            "billing",
            "a1",
            "resolution",
            "broken",
            "late",
        )
        assert (p1.made_at, p1.due_at, p1.closed_at) == (s(60), s(3600), s(4000))
        assert (p2.queue_id, p2.window_start, p2.status, p2.closed_at) == (
            "cards",
            s(900),
            "kept",
            s(1500),
        )
        assert (p2.agent_id, p2.kept_by_agent_id, p2.kept_contact_id) == (None, "a2", "cb2")
        assert (p3.queue_id, p3.status, p3.reason) == (None, "broken", "overdue")
        assert (p4.status, p4.reason, p4.closed_at) == ("cancelled", "no longer needed", s(700))
        assert wh.counts().promises == 4


def test_an_open_promise_is_overdue_after_its_due_time() -> None:
    wh = run([made("p1", 0, 600)])
    row = wh.promises["p1"]
    assert row.status == "open" and row.closed_at is None
    assert row.overdue_s(s(300)) == 0.0 and row.overdue_s(s(900)) == 300.0
    assert [p.promise_id for p in wh.promise_rows(status="open", due_before=s(601))] == ["p1"]
    assert wh.promise_rows(status="kept") == []


def test_a_promise_closed_without_its_making_is_kept() -> None:
    wh = run([PromiseKept(occurred_at=s(10), promise_id="lost", agent_id="a1")])
    row = wh.promises["lost"]
    assert (row.status, row.made_at, row.kind, row.kept_by_agent_id) == ("kept", None, None, "a1")
    wh2 = run([PromiseKept(occurred_at=s(10), promise_id="lost"), made("lost", 20, 30)])
    assert (wh2.promises["lost"].status, wh2.promises["lost"].made_at) == ("kept", s(20))


def test_the_in_memory_warehouse_reports_promises() -> None:
    from carecenter.metrics.dims import Dimensions
    from carecenter.metrics.engine import ReportSpec
    from carecenter.metrics.engine import run as report

    wh = run(
        [
            made("p1", 0, 600, queue="billing"),
            made("p2", 10, 20),
            PromiseKept(occurred_at=s(300), promise_id="p1"),
            PromiseBroken(occurred_at=s(900), promise_id="p2", reason="overdue"),
        ]
    )
    rows = report(wh.backend(), ReportSpec("all", ("queue",)), Dimensions({}, {}, {})).rows
    got = {r["queue"]: (r["promises_made"], r["promises_kept"], r["promises_broken"]) for r in rows}
    assert got == {"billing": (1, 1, 0), None: (1, 0, 1)}
