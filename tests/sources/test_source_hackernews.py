"""Hacker News over real HTTP: Algolia search_by_date paged by time."""

from __future__ import annotations

from typing import Any

from recorded import FAST, at, fixture_json

from resonanz.localnet import hackernews as local
from resonanz.localnet.state import Fault, NetworkState
from resonanz.sources import settings as cfg
from resonanz.sources.fetch import fetch, parse_since
from resonanz.workspace import Workspace


def test_stories_and_comments_with_since_and_500(serve: Any, workspace: Workspace) -> None:
    hits = list(reversed(fixture_json("hackernews", "search_by_date.json")["hits"]))
    hits += [local.hit(900 + i, "hn", at(i), title=f"acme launch {i}") for i in range(12)]
    hits += [local.hit(800, "hn", at(-40_000), title="acme in the old days")]
    state = NetworkState("hackernews", posts=hits, page_size=5)
    state.faults = [Fault("/api/v1/search_by_date", 502, after=1)]
    url = serve("hackernews", state)
    settings = cfg.HackerNewsSource(api=f"{url}/api/v1", query="acme", http=FAST)
    assert fetch(workspace, settings).posts_new == 15
    recent = settings.model_copy(update={"name": "recent"})
    fetch(workspace, recent, since=parse_since("2026-11-01"))
    with workspace.open() as store:
        # The recorded 2025 thread and October's story are older than --since.
        assert store.con.execute(
            "SELECT count(*) FROM posts WHERE source = 'recent'"
        ).fetchone() == (12,)
        row = store.con.execute(
            "SELECT reply_to, thread_root, text, links FROM posts WHERE native_id = '42100003'"
        ).fetchone()
    assert row is not None
    assert row[:2] == ("42100002", "42100001")
    assert row[2].startswith("Acme's battery claims are optimistic.")
    assert row[3] == ["https://bench.example/acme"]
