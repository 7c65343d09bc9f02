"""The dashboard over the demo world: it serves with the demo login and shows its story."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dashboard_world import SCREENSHOTS, LiveServer, serve_in_thread

from resonanz.demo import load_truth
from resonanz.web.server import DEMO_USER, ensure_demo_user
from resonanz.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(
    demo_world: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, str]]:
    """A private copy of the shared demo world, served with a fresh demo login."""
    target = tmp_path_factory.mktemp("demo-web") / "ws"
    shutil.copytree(demo_world, target, ignore=shutil.ignore_patterns("*.lock"))
    workspace = Workspace.load(target)
    _user, password = ensure_demo_user(workspace)
    for server in serve_in_thread(workspace):
        yield server, password


def test_demo_world_pages(browser: Any, demo_server: tuple[LiveServer, str]) -> None:
    server, password = demo_server
    truth = load_truth(server.workspace.folder)
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="de-DE")
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        tab.goto(server.url + "/login")
        tab.fill("input[name=username]", DEMO_USER)
        tab.fill("input[name=password]", password)
        tab.click("button.primary")
        tab.wait_for_url(server.url + "/")
        assert tab.inner_text("nav.sidebar").startswith("Überblick")  # browser asks for German
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name in ("", "listening", "competitors", "feedback", "leaders", "inbox", "calendar"):
            response = tab.goto(f"{server.url}/{name}")
            assert response.status == 200, name
            tab.screenshot(path=str(SCREENSHOTS / f"demo-{name or 'overview'}.png"), full_page=True)
            if name == "leaders":
                handles = {leader["handle"] for leader in truth["opinion_leaders"][:10]}
                shown = tab.inner_text("main")
                assert any(handle in shown for handle in handles)
        assert dialogs == []
    finally:
        context.close()
