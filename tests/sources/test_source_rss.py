"""RSS/Atom over real HTTP: discovery from a site, ETag/304, recorded feeds."""

from __future__ import annotations

from typing import Any

from recorded import FAST, FIXTURES, at

from resonanz.localnet.state import NetworkState
from resonanz.sources import settings as cfg
from resonanz.sources.fetch import fetch
from resonanz.sources.rss import discover_feeds, normalize_entry
from resonanz.workspace import Workspace


def test_discovery_then_conditional_polls(serve: Any, workspace: Workspace) -> None:
    entries = [
        {"id": f"e{i}", "title": f"Post {i}", "link": f"https://b.example/{i}", "published": at(i)}
        for i in range(4)
    ]
    state = NetworkState("rss", posts=entries)
    url = serve("rss", state)
    settings = cfg.RssSource(url=f"{url}/", http=FAST)
    assert fetch(workspace, settings).posts_new == 4
    assert fetch(workspace, settings).posts_seen == 0  # 304 Not Modified
    state.add_post({"id": "e9", "title": "New", "link": "https://b.example/9", "published": at(9)})
    assert fetch(workspace, settings).posts_new == 1
    assert state.requests.count("/") == 1  # the feed URL was kept in the cursor


def test_recorded_feeds_normalise() -> None:
    import feedparser

    from resonanz.sources.rss import entry_dict

    for name, count in (("feed.xml", 3), ("atom.xml", 1)):
        parsed = feedparser.parse((FIXTURES / "rss" / name).read_bytes())
        items = [normalize_entry(entry_dict(e, parsed.feed), at(0)) for e in parsed.entries]
        assert len(items) == count
    first = items[0].post
    assert first is not None
    assert (
        first["text"]
        == "Akku-Problem nach Update\n\nSeit dem Update hält der Akku nur noch einen Tag."
    )


def test_discover_feeds_resolves_relative_links() -> None:
    html = '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
    assert discover_feeds(html, "https://site.example/blog/") == ["https://site.example/atom.xml"]
