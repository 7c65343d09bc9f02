"""Bluesky over real HTTP and WebSocket: searchPosts with a session, Jetstream with resume."""

from __future__ import annotations

import json
from typing import Any

import pytest
from recorded import FAST, at, fixture_json, fixture_lines, run_until

from resonanz.localnet import bluesky as local
from resonanz.localnet.state import NetworkState
from resonanz.pipeline import open_ingestor
from resonanz.secrets import Secret
from resonanz.sources import settings as cfg
from resonanz.sources.base import CursorState
from resonanz.sources.fetch import fetch
from resonanz.sources.registry import Factory, Planned
from resonanz.sources.runner import Runner
from resonanz.workspace import Workspace

PASSWORD = "app-pass-abcd-efgh"


def test_search_with_session_keeps_structure(
    serve: Any, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BSKY_PW", PASSWORD)
    views = list(reversed(fixture_json("bluesky", "search_posts.json")["posts"]))
    views += [
        local.post_view(f"3lp{i:04d}", "dora.bsky.social", f"acme {i}", at(i)) for i in range(7)
    ]
    state = NetworkState("bluesky", posts=views, page_size=3, tokens={PASSWORD})
    url = serve("bluesky", state)
    settings = cfg.BlueskySource(
        service=url,
        query="acme",
        identifier="us.bsky.social",
        app_password=Secret(env="BSKY_PW"),
        http=FAST,
    )
    result = fetch(workspace, settings)
    assert result.posts_new == 9  # the fixture's quote post lacks the word in its text
    assert "/xrpc/com.atproto.server.createSession" in state.requests
    fetch(workspace, settings.model_copy(update={"query": "genau", "name": "quotes"}))
    with workspace.open() as store:
        row = store.con.execute(
            "SELECT author, reply_to, thread_root, mentions, hashtags, links, likes FROM posts "
            "WHERE native_id = 'at://did:plc:anna123/app.bsky.feed.post/3lbxyz2'"
        ).fetchone()
        quote = store.con.execute(
            "SELECT quote_of, has_media FROM posts WHERE author = 'ben.example.com'"
        ).fetchone()
    assert row == (
        "anna.bsky.social",
        "at://did:plc:acme/app.bsky.feed.post/3lparent",
        "at://did:plc:acme/app.bsky.feed.post/3lroot",
        ["acme.example"],
        ["acme"],
        ["https://blog.example/x"],
        4,
    )
    assert quote == ("at://did:plc:acme/app.bsky.feed.post/3lquoted", True)


def test_wrong_app_password_is_an_auth_error(
    serve: Any, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resonanz.errors import AuthFailed

    monkeypatch.setenv("BSKY_PW", "wrong-pass-value")
    state = NetworkState("bluesky", tokens={PASSWORD})
    url = serve("bluesky", state)
    settings = cfg.BlueskySource(
        service=url, query="acme", identifier="us", app_password=Secret(env="BSKY_PW"), http=FAST
    )
    with pytest.raises(AuthFailed) as info:
        fetch(workspace, settings)
    assert "app password" in str(info.value)
    assert "wrong-pass-value" not in str(info.value)


def _events(count: int, start_us: int, offset: int = 0) -> list[dict[str, Any]]:
    out = []
    for i in range(offset, offset + count):
        text = f"acme news {i}" if i % 2 == 0 else f"cats {i}"
        view = local.post_view(f"3lj{i:05d}", "eve.bsky.social", text, at(i))
        out.append(local.jetstream_event(view, start_us + i))
    return out


def test_jetstream_matches_query_and_resumes_after_a_drop(serve: Any, workspace: Workspace) -> None:
    state = NetworkState("bluesky", drop_stream_after=3, duplicate_stream=True)
    recorded = fixture_lines("bluesky", "jetstream.jsonl")
    state.events = recorded + _events(10, 1_763_700_000_000_000)
    url = serve("bluesky", state)
    settings = cfg.BlueskySource(
        service=url, query="acme", jetstream=url.replace("http", "ws"), http=FAST
    )
    with workspace.open(write=True) as store:
        # Start the Jetstream from the first recorded event.
        first = recorded[0]["time_us"]
        store.set_cursor(cfg.source_id(settings), CursorState(extra={"time_us": first}).dumps())
        connector = Factory(workspace.folder).source(settings)
        runner = Runner(open_ingestor(workspace, store), [Planned(connector, 60)], retry_base=0.01)

        def done() -> bool:
            return store.count("posts") >= 6 and state.requests.count("/subscribe") >= 2

        run_until(runner, done, settle=0.3)
        texts = sorted(r[0] for r in store.con.execute("SELECT text FROM posts").fetchall())
        cursor = json.loads(store.get_cursor(cfg.source_id(settings)) or "{}")
    assert texts == ["Acme Akku wieder leer", *sorted(f"acme news {i}" for i in range(0, 10, 2))]
    assert cursor["time_us"] == 1_763_700_000_000_009  # resumable at the last event seen
