"""`resonanz serve --listen --publish`: the dashboard listens and publishes in its own process."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from click.testing import CliRunner
from dashboard_world import Browserless, add_mastodon_channel, serve_in_thread
from starlette.applications import Starlette

from polled_sources import add_hackernews_source
from resonanz.cli import main
from resonanz.localnet import hackernews as local
from resonanz.localnet.app import build_app
from resonanz.localnet.mastodon_write import MastodonWriteState
from resonanz.localnet.mastodon_write import routes as mastodon_routes
from resonanz.localnet.server import run_in_thread
from resonanz.localnet.state import NetworkState
from resonanz.publish import outbox
from resonanz.records import utcnow
from resonanz.web.jobs import Jobs
from resonanz.workspace import Workspace

TOKEN = "masto-token-for-tests"
START = datetime(2026, 3, 1, 10, tzinfo=UTC)


def _hits(count: int, offset: int = 0) -> list[dict[str, object]]:
    return [
        local.hit(500 + i, "hn", START + timedelta(minutes=i), title=f"acme {i}")
        for i in range(offset, offset + count)
    ]


def _wait(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def _with_source(workspace: Workspace, url: str) -> Workspace:
    add_hackernews_source(workspace.folder, url)
    return Workspace.load(workspace.folder)


def _sources_section(page: str) -> str:
    """Return the listening page from its sources table on."""
    return page[page.index('id="sources"') :]


def _stored(workspace: Workspace) -> list[str]:
    with workspace.open() as store:
        rows = store.con.execute(
            "SELECT native_id FROM posts WHERE platform = 'hackernews' ORDER BY 1"
        ).fetchall()
    return [str(r[0]) for r in rows]


def test_the_dashboard_listens_while_it_serves(web_workspace: Workspace) -> None:
    state = NetworkState("hackernews", posts=_hits(6), page_size=4)
    url, stop_network = run_in_thread(build_app("hackernews", state))
    workspace = _with_source(web_workspace, url)
    try:
        server = serve_in_thread(workspace, Jobs(listen=True))
        live = next(server)
        try:
            _wait(lambda: len(state.requests) >= 3)
            assert httpx.get(live.url + "/login", timeout=30).status_code == 200
            for hit in _hits(3, offset=6):  # new posts while it runs: the next poll finds them
                state.add_post(hit)
            seen = len(state.requests)
            _wait(lambda: len(state.requests) >= seen + 3)
            user = Browserless(live, "admin")
            try:
                # each poll passes through "backfill": the page shows "polling" between polls
                _wait(lambda: "polling" in _sources_section(user.client.get("/listening").text))
                assert "hackernews" in _sources_section(user.client.get("/listening").text)
            finally:
                user.client.close()
        finally:
            server.close()  # stops listening first: its last batch is committed
    finally:
        stop_network()
    assert _stored(workspace) == [str(500 + i) for i in range(9)]
    with workspace.open() as store:
        status = store.con.execute("SELECT state, posts_new FROM source_status").fetchall()
    assert status == [("stopped", 9)]


def test_the_dashboard_publishes_each_due_post_once(web_workspace: Workspace) -> None:
    masto = MastodonWriteState()
    masto.add_token(TOKEN, "acme")
    url, stop_network = run_in_thread(Starlette(routes=mastodon_routes(masto)))
    masto.base_url = url
    workspace = add_mastodon_channel(web_workspace, url, TOKEN)
    with workspace.open(write=True) as store, store.transaction() as con:
        item = outbox.enqueue(
            con, channel="masto", network="mastodon", text="Neu: Acme Phone 2", not_before=utcnow()
        )
    try:
        server = serve_in_thread(workspace, Jobs(publish=True))
        next(server)
        try:
            _wait(lambda: len(masto.received("acme")) >= 1)
            time.sleep(0.5)  # a second send would come now
        finally:
            server.close()
    finally:
        stop_network()
    assert [s["content"] for s in masto.received("acme")] == ["<p>Neu: Acme Phone 2</p>"]
    with workspace.open() as store:
        assert outbox.get(store.con, item).state == "published"


def test_without_sources_listening_is_skipped_and_the_dashboard_runs(
    web_workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    server = serve_in_thread(web_workspace, Jobs(listen=True))
    live = next(server)
    try:
        assert httpx.get(live.url + "/login", timeout=30).status_code == 200
    finally:
        server.close()
    assert "no [[sources]]" in caplog.text


def test_a_second_writer_is_told_how_to_publish_beside_the_dashboard(
    web_workspace: Workspace,
) -> None:
    lock = web_workspace.folder / ".resonanz.lock"
    server = serve_in_thread(web_workspace)
    next(server)
    try:
        lock.write_text(
            '{"pid": 1, "command": "resonanz serve --port 8765", "since": "now"}',
            encoding="utf-8",
        )
        result = CliRunner().invoke(main, ["publish", "-w", str(web_workspace.folder)])
    finally:
        server.close()
    assert result.exit_code != 0
    assert "resonanz serve --listen --publish" in result.output
