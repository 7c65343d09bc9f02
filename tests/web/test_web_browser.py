"""End to end in headless Chromium: the team's daily flows, and hostile texts kept inert."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dashboard_world import (
    PASSWORD,
    SCREENSHOTS,
    LiveServer,
    add_mastodon_channel,
    serve_in_thread,
)
from starlette.applications import Starlette

from resonanz.localnet.mastodon_write import MastodonWriteState
from resonanz.localnet.mastodon_write import routes as mastodon_routes
from resonanz.localnet.server import run_in_thread
from resonanz.workspace import Workspace

pytestmark = pytest.mark.browser

MASTO_TOKEN = "local-masto-token"
PAGES = (
    ("overview", "/"),
    ("listening", "/listening"),
    ("sentiment", "/sentiment"),
    ("feedback", "/feedback"),
    ("competitors", "/competitors"),
    ("trends", "/trends"),
    ("leaders", "/leaders"),
    ("cascades", "/cascades?cascade_platform=mastodon&root=0"),
    ("alerts", "/alerts"),
    ("inbox", "/inbox"),
    ("calendar", "/calendar"),
    ("campaigns", "/campaigns"),
    ("reports", "/reports"),
    ("settings", "/settings"),
    ("post", "/posts/mastodon/5"),
)
#: Evaluated in each page: what an injected payload would have added to the DOM.
INJECTED = """() => ({
  scripts: Array.from(document.scripts).map(s => s.getAttribute('src') || 'inline'),
  frames: document.querySelectorAll('iframe, object, embed').length,
  handlers: Array.from(document.querySelectorAll('*')).filter(
      e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
  jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
  inlineSvg: document.querySelectorAll('body svg').length,
  styles: document.querySelectorAll('body style').length,
})"""


@pytest.fixture(scope="module")
def mastodon() -> Iterator[tuple[str, MastodonWriteState]]:
    """A local Mastodon server that accepts our token."""
    state = MastodonWriteState()
    state.add_token(MASTO_TOKEN, "acme")
    url, stop = run_in_thread(Starlette(routes=mastodon_routes(state)))
    state.base_url = url
    yield url, state
    stop()


@pytest.fixture(scope="module")
def server(
    web_world: Path,
    tmp_path_factory: pytest.TempPathFactory,
    mastodon: tuple[str, MastodonWriteState],
) -> Iterator[LiveServer]:
    """The dashboard of a private copy of the world, replying through local Mastodon."""
    target = tmp_path_factory.mktemp("browser") / "ws"
    shutil.copytree(web_world, target)
    workspace = add_mastodon_channel(Workspace.load(target), mastodon[0], MASTO_TOKEN)
    yield from serve_in_thread(workspace)


@pytest.fixture(scope="module")
def page(browser: Any, server: LiveServer) -> Iterator[Any]:
    """A logged-in admin tab; any alert/confirm/prompt dialog is recorded."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 860}, accept_downloads=True, locale="en-US"
    )
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.goto(server.url + "/")
    assert "/login" in tab.url
    tab.fill("input[name=username]", "admin")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button.primary")
    tab.wait_for_url(server.url + "/")
    yield tab
    context.close()


def _shot(tab: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_every_page_renders_and_hostile_text_stays_inert(page: Any, server: LiveServer) -> None:
    for name, path in PAGES:
        response = page.goto(server.url + path)
        assert response.status == 200, (name, response.status)
        page.wait_for_load_state("networkidle")
        found = page.evaluate(INJECTED)
        assert found["scripts"] == ["/static/app.js"], (name, found)
        assert found["frames"] == 0 and found["handlers"] == 0, (name, found)
        assert found["jsLinks"] == 0 and found["inlineSvg"] == 0, (name, found)
        assert found["styles"] == 0, (name, found)
        assert page.dialogs == [], (name, page.dialogs)
        _shot(page, name)
    page.goto(server.url + "/listening")
    assert "{{7*7}}" in page.inner_text("#stream")
    assert "<script>alert('xss-script')</script>" in page.inner_text("#stream")


def test_build_a_topic_with_the_query_editor(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/listening")
    page.fill("#query", "acme AND (")
    page.wait_for_selector("#query-status.bad")
    assert "^" in page.inner_text("#query-status")
    page.fill("#query", '"acme phone" OR rival')
    page.wait_for_selector("#query-status.ok")
    page.wait_for_selector("#query-preview .post")
    page.fill("#topic-name", "phones")
    _shot(page, "query-editor")
    page.click("#topic-save")
    page.wait_for_selector(".flash")
    assert "phones" in page.inner_text(".flash")
    assert re.search(r"[1-9]\d* stored posts match", page.inner_text(".flash"))


def test_filter_mentions(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/listening")
    page.select_option("#mention-filters select[name=sentiment]", "negative")
    page.select_option("#mention-filters select[name=platform]", "bluesky")
    page.click("#mention-filters button")
    page.wait_for_url(re.compile(r"sentiment=negative"))
    cards = page.locator("#stream .post")
    assert cards.count() > 0
    sentiments = {cards.nth(i).get_attribute("data-sentiment") for i in range(cards.count())}
    assert sentiments == {"negative"}
    _shot(page, "mentions-filtered")


def test_answer_an_inbox_item(
    page: Any, server: LiveServer, mastodon: tuple[str, MastodonWriteState]
) -> None:
    page.goto(server.url + "/inbox")
    mastodon_items = page.locator(".queue .item:has(.meta span:text-is('mastodon'))")
    assert mastodon_items.count() > 0
    mastodon_items.first.locator("a").click()
    page.wait_for_load_state("networkidle")
    item_id = page.get_attribute("#inbox-item", "data-id")
    page.keyboard.press("r")
    page.keyboard.type("Thanks for telling us, we are on it.")
    _shot(page, "inbox-reply")
    page.click("#reply-send")
    page.wait_for_selector(".flash")
    assert "Done" in page.inner_text(".flash"), page.inner_text(".flash")
    sent = mastodon[1].received("acme")
    assert len(sent) == 1
    assert sent[0]["in_reply_to_id"] is not None
    assert "we are on it" in sent[0]["content"]
    page.goto(f"{server.url}/inbox?view=all&item={item_id}")
    assert "waiting" in page.inner_text("#inbox-item") or "answered" in page.inner_text(
        "#inbox-item"
    )


def test_schedule_a_post(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/calendar")
    page.fill("#draft-text", "Spring is here: the new Acme Phone colours are out! #acme")
    assert page.inner_text(".net-preview[data-network=bluesky] .count").startswith("57 / 300")
    page.click("#draft-schedule")
    page.wait_for_selector(".flash")
    assert "scheduled" in page.inner_text(".flash"), page.inner_text(".flash")
    assert page.locator(".draft:has-text('Spring is here')").count() == 1
    _shot(page, "calendar-scheduled")


def test_download_a_pdf_report(page: Any, server: LiveServer, tmp_path: Path) -> None:
    page.goto(server.url + "/reports")
    page.fill("#report-form input[name=since]", "2026-02-20")
    with page.expect_download(timeout=120_000) as info:
        page.click("#report-download")
    target = tmp_path / "report.pdf"
    info.value.save_as(target)
    assert target.read_bytes()[:5] == b"%PDF-"
    assert target.stat().st_size > 20_000


def test_language_switch(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/alerts")
    page.click("nav.langs a:text-is('DE')")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("nav.sidebar").startswith("Überblick")
    _shot(page, "alerts-de")
    page.click("nav.langs a:text-is('EN')")
