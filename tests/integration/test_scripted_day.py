"""A scripted day by hand: what the contact engine will emit, appended to a workspace's event
log, projected, and read back by ``carecenter report`` and ``carecenter promises``.

Monday 23 November 2026 in the example center (Europe/London, which is UTC in November).

* c1 (VIP, identified in the entry flow) waits 15 s in billing, told 20 s; a001 answers, promises
  a reply by 10:00 (pfu2, never done) and escalates to the cards experts, where a003 answers
  after 10 s (told nothing) and promises a resolution by tomorrow noon (pfu3);
* c2 (standard) waits 90 s in billing, told 60 s (head-of-line predictor; an announcement of
  30 s later is not the estimate told on entry); its skills relax once; a002 answers and
  promises a follow-up by 10:45 (pfu1), done at 11:10: broken, late;
* c3 (standard) is told 240 s, takes the callback offer and keeps its place (pcb1, between
  09:15 and 09:30); a006 calls back at 09:20:10: kept;
* c4 books a callback in cards between 09:35 and 09:50 (pcb2); nobody calls: the check at
  10:05 breaks it, overdue;
* c5 is told 30 s in billing and hangs up after 120 s: abandoned, so its real wait is unknown
  (censored) and the estimate's accuracy leaves it out.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from carecenter.adapters.memory import FakeClock
from carecenter.adapters.settings import Settings
from carecenter.domain.contact import Contact
from carecenter.domain.enums import Channel, Direction, PromiseKind
from carecenter.domain.events import (
    ContactHoldTreatment,
    ContactIdentified,
    ContactQueued,
    ContactSkillsRelaxed,
    ContactTransferred,
    ContactWaitEstimated,
    Event,
    PromiseBroken,
    PromiseKept,
    PromiseMade,
)
from carecenter.interfaces.cli.app import app
from carecenter.services.bootstrap import bootstrap
from carecenter.services.promises import list_promises

DAY = datetime(2026, 11, 23, tzinfo=UTC)


def t(hhmmss: str) -> datetime:
    h, m, s = (int(x) for x in hhmmss.split(":"))
    return DAY + timedelta(hours=h, minutes=m, seconds=s)


def told(c: Contact, at: str, seconds: float, predictor: str = "queue_length") -> Event:
    return c.apply(
        ContactWaitEstimated(
            occurred_at=t(at),
            contact_id=c.contact_id,
            queue_id=c.queue_id or "",
            estimate_s=seconds,
            predictor=predictor,
            position=2,
            announced=True,
        )
    )


def promise(
    pid: str, at: str, due: datetime, *, contact: str, customer: str, **kw: Any
) -> PromiseMade:
    return PromiseMade(
        occurred_at=t(at),
        promise_id=pid,
        customer_id=customer,
        contact_id=contact,
        kind=kw.pop("kind", PromiseKind.CALLBACK),
        due_at=due,
        **kw,
    )


def vip_escalated() -> list[Event]:
    c, arrived = Contact.arrive("c1", Channel.VOICE, t("09:00:00"))
    identified = ContactIdentified(
        occurred_at=t("09:00:02"), contact_id="c1", customer_id="k1", tier="vip"
    )
    return [
        arrived,
        c.apply(identified),
        c.queue("billing", t("09:00:05"), priority=10),
        told(c, "09:00:05", 20),
        c.answer("a001", t("09:00:20")),
        promise(
            "pfu2",
            "09:03:00",
            t("10:00:00"),
            contact="c1",
            customer="k1",
            kind=PromiseKind.REPLY,
            agent_id="a001",
        ),
        c.apply(
            ContactTransferred(
                occurred_at=t("09:04:00"),
                contact_id="c1",
                from_queue_id="billing",
                to_queue_id="cards",
                agent_id="a001",
                kind="escalation",
                reason="card_fraud",
            )
        ),
        c.queue("cards", t("09:04:00"), priority=10),
        c.answer("a003", t("09:04:10")),
        promise(
            "pfu3",
            "09:06:00",
            t("12:00:00") + timedelta(days=1),
            contact="c1",
            customer="k1",
            kind=PromiseKind.RESOLUTION,
            agent_id="a003",
        ),
        c.end(t("09:10:00"), resolved=True),
    ]


def standard_relaxed() -> list[Event]:
    c, arrived = Contact.arrive("c2", Channel.VOICE, t("09:01:00"), customer_id="k2")
    return [
        arrived,
        c.queue("billing", t("09:01:00")),
        told(c, "09:01:00", 60, "head_of_line"),
        c.apply(
            ContactSkillsRelaxed(
                occurred_at=t("09:01:40"), contact_id="c2", queue_id="billing", step=1
            )
        ),
        told(c, "09:02:00", 30),
        c.answer("a002", t("09:02:30")),
        promise(
            "pfu1",
            "09:05:00",
            t("10:45:00"),
            contact="c2",
            customer="k2",
            kind=PromiseKind.RESOLUTION,
            agent_id="a002",
        ),
        c.wrap_up(t("09:08:00")),
        c.end(t("09:09:00"), ended_by="agent", resolved=True),
        PromiseBroken(occurred_at=t("11:10:00"), promise_id="pfu1", reason="late"),
    ]


def virtual_hold_kept() -> list[Event]:
    c, arrived = Contact.arrive("c3", Channel.VOICE, t("09:02:00"), customer_id="k3")
    cb, called = Contact.arrive(
        "cb3",
        Channel.VOICE,
        t("09:20:00"),
        direction=Direction.OUTBOUND,
        customer_id="k3",
        parent_contact_id="c3",
    )
    offer = ContactHoldTreatment(
        occurred_at=t("09:02:30"),
        contact_id="c3",
        queue_id="billing",
        kind="callback_offer",
        value=240.0,
    )
    return [
        arrived,
        c.queue("billing", t("09:02:00")),
        told(c, "09:02:00", 240),
        c.apply(offer),
        c.request_callback(t("09:03:00"), promise_id="pcb1", due_at=t("09:30:00")),
        promise(
            "pcb1",
            "09:03:00",
            t("09:30:00"),
            contact="c3",
            customer="k3",
            queue_id="billing",
            window_start=t("09:15:00"),
        ),
        called,
        cb.apply(
            ContactQueued(
                occurred_at=t("09:20:00"),
                contact_id="cb3",
                queue_id="billing",
                place_since=t("09:02:00"),
            )
        ),
        cb.offer("a006", t("09:20:00")),
        cb.answer("a006", t("09:20:10")),
        PromiseKept(
            occurred_at=t("09:20:10"), promise_id="pcb1", agent_id="a006", contact_id="cb3"
        ),
        cb.end(t("09:25:00"), ended_by="agent", resolved=True),
    ]


def booked_broken() -> list[Event]:
    c, arrived = Contact.arrive("c4", Channel.VOICE, t("09:05:00"), customer_id="k4")
    return [
        arrived,
        c.queue("cards", t("09:05:00")),
        told(c, "09:05:00", 120),
        c.request_callback(t("09:05:30"), promise_id="pcb2", due_at=t("09:50:00")),
        promise(
            "pcb2",
            "09:05:30",
            t("09:50:00"),
            contact="c4",
            customer="k4",
            queue_id="cards",
            window_start=t("09:35:00"),
        ),
        PromiseBroken(occurred_at=t("10:05:00"), promise_id="pcb2", reason="overdue"),
    ]


def abandoned() -> list[Event]:
    c, arrived = Contact.arrive("c5", Channel.VOICE, t("09:06:00"))
    return [
        arrived,
        c.queue("billing", t("09:06:00")),
        told(c, "09:06:00", 30),
        c.abandon(t("09:08:00")),
    ]


def the_day() -> list[Event]:
    """Every event of the day in the order it happened (stable: a contact's own order)."""
    events = [
        *vip_escalated(),
        *standard_relaxed(),
        *virtual_hold_kept(),
        *booked_broken(),
        *abandoned(),
    ]
    return sorted(events, key=lambda e: e.occurred_at)


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("day")
    cli("init", str(root))
    with bootstrap(Settings(workspace=root)) as ws:
        ws.events.append(the_day())
    assert f"projected {len(the_day())} events" in cli("project", "--workspace", str(root))
    return root


def report(workspace: Path, *args: str) -> list[dict[str, Any]]:
    out = cli("report", "--workspace", str(workspace), "--format", "json", *args)
    rows = json.loads(out)
    assert isinstance(rows, list)
    return rows


def test_the_whole_day(workspace: Path) -> None:
    (day,) = report(workspace)
    # inbound answered: c1 in billing, c1 in cards, c2 (cb3 is an outbound callback); c5 abandoned
    assert (day["answered"], day["abandoned"], day["offered"], day["callbacks"]) == (3, 1, 4, 2)
    assert (day["outbound_attempts"], day["outbound_connected"]) == (1, 1)
    # told on entry and answered: c1 15 s vs 20 s (error 5, within 30 s, not exceeded) and
    # c2 90 s vs 60 s (error 30, within 30 s, exceeded); c3 c4 (callbacks) c5 (abandoned) out
    assert (day["ewt_answered"], day["ewt_error_total_s"]) == (2, 35.0)
    assert (day["ewt_mae_s"], day["ewt_within_30s"], day["ewt_not_exceeded"]) == (17.5, 1.0, 0.5)
    # c1's escalation is the day's one transfer, of 3 answered
    assert (day["transferred"], day["escalated"]) == (1, 1)
    assert day["escalation_rate"] == pytest.approx(1 / 3)
    # made: pfu2 pfu3 pfu1 pcb1 pcb2; kept: pcb1; broken: pcb2 (overdue), pfu1 (late)
    assert (day["promises_made"], day["promises_kept"], day["promises_broken"]) == (5, 1, 2)
    assert day["promise_kept_rate"] == pytest.approx(1 / 3)


def test_per_hour(workspace: Path) -> None:
    rows = {r["interval_start"][11:16]: r for r in report(workspace, "--interval", "1h")}
    assert sorted(rows) == ["09:00", "10:00"]
    nine, ten = rows["09:00"], rows["10:00"]
    # pcb2 broke when it fell due (09:50), though the check that broke it ran at 10:05;
    # pfu1 fell due at 10:45 and was done late at 11:10: broken in the 10:00 hour
    assert [nine[k] for k in ("promises_made", "promises_kept", "promises_broken")] == [5, 1, 1]
    assert nine["promise_kept_rate"] == 0.5 and nine["ewt_mae_s"] == 17.5
    assert [ten[k] for k in ("promises_made", "promises_kept", "promises_broken")] == [0, 0, 1]
    assert (ten["promise_kept_rate"], ten["answered"], ten["ewt_mae_s"]) == (0.0, 0, None)


def test_per_queue(workspace: Path) -> None:
    rows = {r["queue"]: r for r in report(workspace, "--by", "queue")}
    billing, cards = rows["billing"], rows["cards"]
    # billing: c1 (escalated) and c2 answered, both told; promises pcb1 (kept), pfu1 (made in
    # c2's billing visit, broken) and pfu2 (made in c1's billing visit, open)
    assert (billing["answered"], billing["ewt_answered"], billing["ewt_mae_s"]) == (2, 2, 17.5)
    assert (billing["escalated"], billing["escalation_rate"]) == (1, 0.5)
    assert [billing[k] for k in ("promises_made", "promises_kept", "promises_broken")] == [3, 1, 1]
    assert billing["promise_kept_rate"] == 0.5
    # cards: c1 after the escalation, told nothing; pcb2 (broken) and pfu3 (open)
    assert (cards["answered"], cards["ewt_answered"], cards["ewt_mae_s"]) == (1, 0, None)
    assert [cards[k] for k in ("promises_made", "promises_kept", "promises_broken")] == [2, 0, 1]
    assert cards["promise_kept_rate"] == 0.0


def test_per_agent_who_made_the_promise(workspace: Path) -> None:
    rows = {r["agent"]: r for r in report(workspace, "--by", "agent")}
    keys = ("promises_made", "promises_kept", "promises_broken", "promise_kept_rate")
    assert [rows[None][k] for k in keys] == [2, 1, 1, 0.5]  # the callbacks the engine booked
    assert [rows["a002"][k] for k in keys] == [1, 0, 1, 0.0]
    assert [rows["a001"][k] for k in keys] == [1, 0, 0, None]
    assert [rows["a003"][k] for k in keys] == [1, 0, 0, None]


def test_by_tier_the_report_says_promises_have_none(workspace: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "--workspace", str(workspace), "--by", "tier", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    rows = {r["tier"]: r for r in json.loads(result.stdout)}
    assert rows["vip"]["answered"] == 2 and rows["vip"]["promises_made"] is None
    assert "promises have no tier" in result.stderr


def test_the_facts_of_the_visits(workspace: Path) -> None:
    from tests.helpers import query

    rows = query(
        workspace,
        "SELECT contact_id, visit, tier, relaxation_step, ewt_s, ewt_predictor, transfer_kind, "
        "transfer_reason FROM contact_facts ORDER BY contact_id, visit",
    )
    assert rows == [
        ("c1", 1, "vip", 0, 20.0, "queue_length", "escalation", "card_fraud"),
        ("c1", 2, "vip", 0, None, None, None, None),
        ("c2", 1, "standard", 1, 60.0, "head_of_line", None, None),
        ("c3", 1, "standard", 0, 240.0, "queue_length", None, None),
        ("c4", 1, "standard", 0, 120.0, "queue_length", None, None),
        ("c5", 1, "standard", 0, 30.0, "queue_length", None, None),
        ("cb3", 1, "standard", 0, None, None, None, None),
    ]


NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def listing(workspace: Path, due: str) -> list[dict[str, Any]]:
    with bootstrap(Settings(workspace=workspace), clock=FakeClock(NOON), read_only=True) as ws:
        return list_promises(ws, due=due).rows


def test_the_promise_ledger_at_noon(workspace: Path) -> None:
    every = listing(workspace, "all")
    assert [(r["promise_id"], r["status"], r["overdue_s"]) for r in every] == [
        ("pcb1", "kept", None),
        ("pcb2", "broken", None),
        ("pfu2", "open", 7200.0),
        ("pfu1", "broken", None),
        ("pfu3", "open", 0.0),
    ]
    assert every[0]["queue_id"] == "billing" and every[0]["agent_id"] is None
    assert every[2]["due_at"].isoformat() == "2026-11-23T10:00:00+00:00"
    assert [r["promise_id"] for r in listing(workspace, "today")] == [
        "pcb1",
        "pcb2",
        "pfu2",
        "pfu1",
    ]
    assert [r["promise_id"] for r in listing(workspace, "overdue")] == ["pfu2"]


def test_the_promises_command(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("carecenter.services.bootstrap.SystemClock", lambda: FakeClock(NOON))
    rows = json.loads(cli("promises", "--workspace", str(workspace), "--format", "json"))
    assert [r["promise_id"] for r in rows] == ["pcb1", "pcb2", "pfu2", "pfu1", "pfu3"]
    assert list(rows[0]) == [
        "promise_id",
        "kind",
        "customer_id",
        "queue_id",
        "agent_id",
        "made_at",
        "due_at",
        "status",
        "overdue_s",
    ]
    assert rows[0]["due_at"] == "2026-11-23T09:30:00+00:00"
    table = cli("promises", "--workspace", str(workspace), "--due", "today")
    assert "pfu1" in table and "pfu3" not in table
    csv = cli("promises", "--workspace", str(workspace), "--format", "csv", "--due", "overdue")
    assert csv.splitlines() == [
        ",".join(rows[0]),
        "pfu2,reply,k1,billing,a001,2026-11-23T09:03:00+00:00,2026-11-23T10:00:00+00:00,"
        "open,7200.0",
    ]
