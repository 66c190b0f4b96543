"""``POST /api/contacts/{contact_id}/survey`` over real HTTP: a contact is answered and ended,
its post-contact survey posted; the answers are in the event log when acknowledged, the live
projection puts them in the warehouse's ``survey_answers`` (with the contact's customer), and
the catalog's CSAT counts them. Bad scores are 422, agents may not post (403)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from tests.server import Running, make_workspace, running, wait_for

from carecenter.domain.events import SurveyAnswered
from carecenter.services.bootstrap import bootstrap, opened
from carecenter.services.reporting import Period, metrics_report

pytestmark = pytest.mark.slow
FAR = datetime(2100, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    settings = make_workspace(tmp_path_factory.mktemp("survey"))
    with running(settings) as served:
        yield served


def _ok(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code in (200, 201), response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


def _handled(sue: httpx.Client, contact_id: str, customer_id: str) -> None:
    """``contact_id`` of ``customer_id`` comes in for support, b1 answers it, it ends."""
    body = {"contact_id": contact_id, "queue_id": "support", "customer_id": customer_id}
    _ok(sue.post("/api/contacts", json=body))
    _ok(sue.post(f"/api/agents/b1/offers/{contact_id}/accept"))
    _ok(sue.post(f"/api/contacts/{contact_id}/end", json={"resolved": True}))


def test_a_survey_of_an_ended_contact_reaches_the_log_the_warehouse_and_the_csat(
    live: Running,
) -> None:
    sue = live.bearer("sue")
    _ok(sue.post("/api/agents/b1/sign-in"))
    _handled(sue, "v1", "10001")
    _handled(sue, "v2", "10002")
    posted = sue.post(
        "/api/contacts/v1/survey", json={"csat": 4, "nps": 9, "comment": "Sorted in one call."}
    )
    told = [
        (e["name"], e["question"], e["score"], e["scale_max"], e["comment"]) for e in _ok(posted)
    ]
    assert told == [
        ("survey.answered", "csat", 4, 5, "Sorted in one call."),
        ("survey.answered", "nps", 9, 10, None),
    ]
    assert {e["survey_id"] for e in posted.json()["events"]} == {"post-contact:v1"}
    seqs = [e["seq"] for e in posted.json()["events"]]
    with bootstrap(live.settings) as ws:
        logged = {s.seq: s.event for s in ws.events.read(after=0)}
    assert all(isinstance(logged[s], SurveyAnswered) for s in seqs)
    first = logged[seqs[0]]
    assert isinstance(first, SurveyAnswered)
    assert (first.contact_id, first.customer_id) == ("v1", None)  # over: the engine forgot it
    _ok(sue.post("/api/contacts/v2/survey", json={"csat": 3, "ces": 6}))
    again = _ok(sue.post("/api/contacts/v2/survey", json={"csat": 2}))  # replaces the 3
    day = again[0]["occurred_at"][:10]

    def stored() -> list[tuple[Any, ...]] | None:
        with opened(live.settings, read_only=True) as ws:
            rows = ws.warehouse.customer_answers(FAR)
        found = sorted((r.contact_id, r.question, r.score, r.customer_id) for r in rows)
        return found if len(found) == 4 and ("v2", "csat", 2, "10002") in found else None

    # the warehouse takes the customer of the contact the answer is about
    assert wait_for(stored) == [
        ("v1", "csat", 4, "10001"),
        ("v1", "nps", 9, "10001"),
        ("v2", "ces", 6, "10002"),
        ("v2", "csat", 2, "10002"),
    ]
    report = metrics_report(live.settings, period=Period(day, day), interval="1d", by=("queue",))
    (support,) = [r for r in report.rows if r["queue"] == "support"]
    # two CSAT answers, 4 (satisfied) and 2: 1 / 2; one NPS answer, a promoter: (1 - 0) / 1
    assert (support["csat_answers"], support["csat_satisfied"]) == (2, 1)
    assert support["csat"] == pytest.approx(0.5)
    assert support["nps"] == pytest.approx(1.0)


def test_a_bad_or_missing_score_is_422_and_an_agent_may_not_post(live: Running) -> None:
    sue = live.bearer("sue")
    for body, field in (({"csat": 6}, "csat"), ({"nps": -1}, "nps"), ({"ces": 8}, "ces")):
        refused = sue.post("/api/contacts/v9/survey", json=body)
        assert refused.status_code == 422, body
        (problem,) = refused.json()["detail"]
        assert problem["loc"] == ["body", field]
        assert "\n" not in problem["msg"]
    empty = sue.post("/api/contacts/v9/survey", json={"comment": "no score"})
    assert empty.status_code == 422
    (problem,) = empty.json()["detail"]
    assert problem["msg"] == "Value error, give at least one score: csat, ces or nps"
    long = sue.post("/api/contacts/v9/survey", json={"csat": 5, "comment": "x" * 2001})
    assert long.status_code == 422
    assert live.bearer("bea").post("/api/contacts/v9/survey", json={"csat": 5}).status_code == 403
    assert live.client().post("/api/contacts/v9/survey", json={"csat": 5}).status_code == 401
    with bootstrap(live.settings) as ws:
        about = [s.event for s in ws.events.read(after=0) if isinstance(s.event, SurveyAnswered)]
    assert not [e for e in about if e.contact_id == "v9"]
