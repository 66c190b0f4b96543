"""The evaluation table's JSON API over real HTTP: supervisors and admins read and edit it,
agents may not; an edit is checked, audited and answered with the table ranked again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.e2e.test_cli_voc_table import REGISTER
from tests.server import Running, make_workspace, running

from carecenter.services.voc_table import evaluate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = tmp_path_factory.mktemp("voc-api")
    settings = make_workspace(root / "ws")
    (root / "expectations.yaml").write_text(REGISTER)
    evaluate(settings, register=root / "expectations.yaml")
    with running(settings) as served:
        yield served


def test_roles_and_an_edit(live: Running) -> None:
    assert live.client().get("/api/voc/table").status_code == 401
    assert live.bearer("amy").get("/api/voc/table").status_code == 403
    assert live.client().get("/voc").status_code == 303
    sue = live.bearer("sue")
    table = sue.get("/api/voc/table").json()
    # no evidence but the register's survey scores: E1 and E2 have none (E1's perception
    # would come from the drivers): importance 1, gap 0.5, weight 0.2, so impact x 0.1 / effort
    by_id = {r["expectation_id"]: r for r in table["rows"]}
    assert by_id["E1"]["score"] == pytest.approx(0.25) and by_id["E5"]["manager_class"] == "medium"
    assert "no themes saved: that evidence is missing" in table["notes"]
    edited = sue.put("/api/voc/expectations/E2", json={"impact": 5, "effort": 1, "class": "now"})
    assert edited.status_code == 200, edited.text
    rows = edited.json()["rows"]
    assert rows[0]["expectation_id"] == "E2" and rows[0]["score"] == pytest.approx(0.5)
    assert rows[0]["class"] == "now" and rows[0]["manager_class"] == "now"
    cleared = sue.put("/api/voc/expectations/E2", json={"class": ""}).json()["rows"][0]
    assert cleared["manager_class"] is None and cleared["class"] == "now"  # suggested: effort 1
    assert sue.put("/api/voc/expectations/E2", json={"effort": 6}).status_code == 422
    assert sue.put("/api/voc/expectations/nope", json={"effort": 2}).status_code == 404
    assert live.bearer("amy").put("/api/voc/expectations/E2", json={"effort": 2}).status_code == 403
    log = live.bearer("ada").get("/api/audit").json()
    assert any(e["action"] == "expectation.edited" and e["subject"] == "E2" for e in log)


def test_the_page_is_served_to_a_signed_in_user(live: Running, tmp_path: Path) -> None:
    page = live.client("sue").get("/voc")
    assert page.status_code == 200 and '<script type="module" src="/static/voc.js">' in page.text
