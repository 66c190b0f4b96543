"""The ``/voc`` page in headless Chromium against a real server: a supervisor signs in, sees
the register ranked as by hand (see ``tests/e2e/test_cli_voc_table.py``), lowers E4's effort
from 5 to 1 and sees it move up: 3 x 0.2 x 0.2 x 1.2 / 1 = 0.144, above E2's 0.11667."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.e2e.browser import chromium, require_chromium
from tests.e2e.test_cli_voc_table import DRIVERS, PEERS, REGISTER, THEMES
from tests.server import PASSWORD, Running, make_workspace, running

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

from carecenter.services.voc_table import evaluate  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = tmp_path_factory.mktemp("voc-page")
    settings = make_workspace(root / "ws")
    files = {}
    for name, text in [
        ("expectations.yaml", REGISTER),
        ("themes.csv", THEMES),
        ("drivers.csv", DRIVERS),
        ("peers.csv", PEERS),
    ]:
        files[name] = root / name
        files[name].write_text(text)
    evaluate(
        settings,
        register=files["expectations.yaml"],
        themes=files["themes.csv"],
        drivers=files["drivers.csv"],
        peers=files["peers.csv"],
    )
    with running(settings) as served:
        yield served


def ranked(page: Page) -> list[str]:
    return page.locator("#rows tr").evaluate_all("rows => rows.map(r => r.dataset.id)")


def sign_in(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/voc")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/voc")


def test_an_edit_changes_the_ranking(live: Running, tmp_path: Path) -> None:
    with chromium() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        sign_in(page, live.url, "sue")
        expect(page.locator("#status")).to_have_text("6 expectations, highest score first.")
        assert ranked(page) == ["E1", "A6", "E5", "E2", "E4", "E3"]
        expect(page.locator("tr[data-id=E4] td.score")).to_have_text("0.02880")
        page.select_option("select[aria-label='effort of E4']", "1")
        expect(page.locator("#status")).to_have_text("Saved effort of E4.")
        assert ranked(page) == ["E1", "A6", "E5", "E4", "E2", "E3"]
        expect(page.locator("tr[data-id=E4] td.score")).to_have_text("0.1440")
        expect(page.locator("tr[data-id=E4] td.rank")).to_have_text("4")
        page.select_option("select[aria-label='class of E2']", "guide")
        expect(page.locator("#status")).to_have_text("Saved class of E2.")
        page.fill("input[aria-label='owner of E2']", "Pricing team")
        page.keyboard.press("Tab")
        expect(page.locator("#status")).to_have_text("Saved owner of E2.")
        page.reload()
        expect(page.locator("#status")).to_have_text("6 expectations, highest score first.")
        expect(page.locator("select[aria-label='class of E2']")).to_have_value("guide")
        expect(page.locator("input[aria-label='owner of E2']")).to_have_value("Pricing team")
        expect(page.locator("select[aria-label='effort of E4']")).to_have_value("1")
        expect(page.locator("#peer-rows tr")).to_have_count(5)
        assert errors == []
