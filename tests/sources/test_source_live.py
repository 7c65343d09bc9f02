"""Against the real public services (deselected by default: `pytest -m network`)."""

from __future__ import annotations

import pytest

from resonanz.sources import settings as cfg
from resonanz.sources.fetch import fetch, parse_since
from resonanz.workspace import Workspace

pytestmark = pytest.mark.network


@pytest.mark.parametrize(
    "source",
    [
        cfg.MastodonSource(hashtag="python"),
        cfg.HackerNewsSource(query="python"),
        cfg.RssSource(url="https://blog.python.org/"),
    ],
    ids=["mastodon", "hackernews", "rss"],
)
def test_public_source(source: cfg.AnySource, workspace: Workspace) -> None:
    result = fetch(workspace, source, since=parse_since("2026-01-01"))
    assert result.posts_seen >= 0
    assert result.quarantined == 0


def test_bluesky_search(workspace: Workspace) -> None:
    fetch(workspace, cfg.BlueskySource(query="python"), since=parse_since("2026-01-01"))


def test_reddit_search(workspace: Workspace) -> None:
    fetch(workspace, cfg.RedditSource(query="python"), since=parse_since("2026-01-01"))
