"""Every connector through the same generic checks, on recorded and served payloads."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from recorded import FAST, at, fixture_json, fixture_lines

from resonanz.localnet import bluesky as bsky_local
from resonanz.localnet import hackernews as hn_local
from resonanz.localnet import mastodon as masto_local
from resonanz.localnet import reddit as reddit_local
from resonanz.localnet.state import NetworkState
from resonanz.secrets import Secret
from resonanz.sources import settings as cfg
from resonanz.sources.base import Connector
from resonanz.sources.collect import build_batch
from resonanz.sources.fetch import fetch
from resonanz.sources.registry import Factory
from resonanz.workspace import Workspace

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def _rss_entries() -> list[dict[str, Any]]:
    import feedparser

    from resonanz.sources.rss import entry_dict

    out = []
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((fixture_path("rss", name)).read_bytes())
        out += [entry_dict(e, parsed.feed) for e in parsed.entries]
    return out


def fixture_path(network: str, name: str) -> Any:
    from recorded import FIXTURES

    return FIXTURES / network / name


RECORDED: dict[str, Callable[[], tuple[cfg.AnySource, list[Any], list[Any]]]] = {
    "mastodon": lambda: (
        cfg.MastodonSource(hashtag="acme"),
        fixture_json("mastodon", "statuses.json"),
        fixture_json("mastodon", "malformed.json"),
    ),
    "bluesky": lambda: (
        cfg.BlueskySource(query="acme"),
        fixture_json("bluesky", "search_posts.json")["posts"]
        + [e for e in fixture_lines("bluesky", "jetstream.jsonl") if e["kind"] == "commit"][:2],
        fixture_json("bluesky", "malformed.json"),
    ),
    "reddit": lambda: (
        cfg.RedditSource(query="acme"),
        fixture_json("reddit", "listing.json")["data"]["children"],
        fixture_json("reddit", "malformed.json"),
    ),
    "hackernews": lambda: (
        cfg.HackerNewsSource(query="acme"),
        fixture_json("hackernews", "search_by_date.json")["hits"],
        fixture_json("hackernews", "malformed.json"),
    ),
    "rss": lambda: (cfg.RssSource(url="http://x.example/"), _rss_entries(), [{"summary": "x"}]),
}


def _connector(settings: cfg.AnySource, monkeypatch: pytest.MonkeyPatch) -> Connector:
    monkeypatch.setenv("REDDIT_CLIENT_ID", "id")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "secret")
    return Factory().source(settings)


@pytest.mark.parametrize("network", sorted(RECORDED))
def test_normalize_is_pure_and_total_on_recordings(
    network: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, good, _ = RECORDED[network]()
    connector = _connector(settings, monkeypatch)
    try:
        for raw in good:
            before = copy.deepcopy(raw)
            first, second = connector.normalize(raw, NOW), connector.normalize(raw, NOW)
            assert first == second
            assert raw == before, "normalize must not change its input"
            assert first.post is not None
            assert first.post["platform"] == network
            assert first.post["created_at"].tzinfo is not None
            assert isinstance(connector.key(raw), str)
    finally:
        asyncio.run(connector.aclose())


@pytest.mark.parametrize("network", sorted(RECORDED))
def test_malformed_items_are_quarantined_with_reasons(
    network: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, good, bad = RECORDED[network]()
    connector = _connector(settings, monkeypatch)
    try:
        built = build_batch(connector, good + bad, "page 1", collected_at=NOW)
    finally:
        asyncio.run(connector.aclose())
    assert built.batch.posts.num_rows == len(good)
    assert len(built.batch.quarantined) == len(bad)
    assert all(q.reason for q in built.batch.quarantined)


def _served(network: str, count: int, offset: int = 0) -> list[dict[str, Any]]:
    out = []
    for i in range(offset, offset + count):
        text, when = f"acme item {i}", at(i)
        if network == "mastodon":
            who = masto_local.account(f"u{i % 3}@social.example", i % 3 + 1)
            out.append(masto_local.status(1000 + i, text, when, who, tags=["acme"]))
        elif network == "bluesky":
            out.append(bsky_local.post_view(f"3l{i:08d}", f"u{i % 3}.bsky.social", text, when))
        elif network == "reddit":
            out.append(reddit_local.link(f"{1000 + i:x}", text, f"u{i % 3}", when))
        elif network == "hackernews":
            out.append(hn_local.hit(1000 + i, f"u{i % 3}", when, title=text))
        else:
            out.append(
                {"id": f"e{i}", "title": text, "link": f"https://b.example/{i}", "published": when}
            )
    return out


def _settings(network: str, url: str) -> cfg.AnySource:
    if network == "mastodon":
        return cfg.MastodonSource(instance=url, hashtag="acme", http=FAST)
    if network == "bluesky":
        return cfg.BlueskySource(service=url, query="acme", http=FAST)
    if network == "reddit":
        return cfg.RedditSource(
            api_url=url,
            auth_url=url,
            query="acme",
            client_id=Secret(env="RID"),
            client_secret=Secret(env="RSECRET"),
            http=FAST,
        )
    if network == "hackernews":
        return cfg.HackerNewsSource(api=f"{url}/api/v1", query="acme", http=FAST)
    return cfg.RssSource(url=f"{url}/feed.xml", http=FAST)


@pytest.mark.parametrize("network", ["mastodon", "bluesky", "reddit", "hackernews", "rss"])
def test_cursor_advances_and_resume_yields_no_duplicates(
    network: str, serve: Any, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RID", "id")
    monkeypatch.setenv("RSECRET", "secret")
    state = NetworkState(network, posts=_served(network, 23), page_size=5)
    settings = _settings(network, serve(network, state))
    first = fetch(workspace, settings)
    assert first.posts_new == 23
    with workspace.open() as store:
        cursor_1 = store.get_cursor(cfg.source_id(settings))
    for item in _served(network, 4, offset=23):
        state.add_post(item)
    second = fetch(workspace, settings)
    assert second.posts_new == 4
    if network != "rss":  # a feed is re-read whole; the store absorbs what is known
        assert second.posts_seen == 4, "already stored items were delivered again"
    with workspace.open() as store:
        assert store.get_cursor(cfg.source_id(settings)) != cursor_1
        assert store.count("posts") == 27
