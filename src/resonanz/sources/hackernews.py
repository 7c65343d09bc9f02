"""Hacker News: stories and comments through the Algolia ``search_by_date`` API.

Pages are cut by time (``numericFilters=created_at_i<=T``) rather than by page number, so
new items arriving during a backfill never shift the pages under us.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from resonanz.errors import Unavailable
from resonanz.records import AuthorRecord, PostRecord
from resonanz.sources.base import (
    Connector,
    CursorState,
    Item,
    RawPage,
    parse_time,
    require,
    time_key,
)
from resonanz.sources.html_text import html_to_text
from resonanz.sources.http import Http
from resonanz.sources.settings import HackerNewsSource

PAGE_SIZE = 100
ITEM_URL = "https://news.ycombinator.com/item?id="


def _created(raw: dict[str, Any]) -> datetime:
    value = raw.get("created_at_i")
    return parse_time(value if value is not None else raw.get("created_at"))


def normalize_hit(raw: Any) -> Item:
    """Map an Algolia HN hit (story or comment) to our records (pure)."""
    native_id = str(require(raw, "objectID"))
    tags = raw.get("_tags") or []
    is_comment = "comment" in tags or raw.get("comment_text") is not None
    if is_comment:
        text = html_to_text(require(raw, "comment_text"))
        body, links = text.text, text.links
    else:
        story = html_to_text(raw.get("story_text"))
        title = str(require(raw, "title"))
        body = f"{title}\n\n{story.text}" if story.text else title
        links = ([str(raw["url"])] if raw.get("url") else []) + story.links
    author = raw.get("author")
    post = PostRecord(
        platform="hackernews",
        native_id=native_id,
        url=f"{ITEM_URL}{native_id}",
        author=str(author) if author else None,
        text=body,
        lang=None,
        created_at=_created(raw),
        reply_to=str(raw["parent_id"]) if is_comment and raw.get("parent_id") else None,
        thread_root=str(raw["story_id"]) if is_comment and raw.get("story_id") else None,
        hashtags=[],
        mentions=[],
        links=list(dict.fromkeys(links)),
        has_media=False,
        likes=raw.get("points"),
        replies=raw.get("num_comments"),
    )
    profile = AuthorRecord(platform="hackernews", handle=str(author)) if author else None
    return Item(post, profile)


class HackerNewsConnector(Connector):
    """One search over stories and comments, newest first."""

    platform = "hackernews"

    def __init__(self, source_id: str, http: Http, settings: HackerNewsSource) -> None:
        super().__init__(source_id, http)
        self.settings = settings
        self.base = settings.api.rstrip("/")

    async def page(self, token: str | None, state: CursorState, since: datetime | None) -> RawPage:
        """Fetch the newest hits at or before the token's time."""
        filters: list[str] = []
        if since is not None:
            filters.append(f"created_at_i>={int(since.timestamp())}")
        if token:
            op, _, value = token.partition(":")
            filters.append(f"created_at_i{'<' if op == 'lt' else '<='}{int(value)}")
        params: dict[str, str | int] = {
            "query": self.settings.query,
            "tags": "(story,comment)",
            "hitsPerPage": PAGE_SIZE,
        }
        if filters:
            params["numericFilters"] = ",".join(filters)
        data = await self.http.get_json(f"{self.base}/search_by_date", params=params)
        hits = data.get("hits") if isinstance(data, dict) else None
        if not isinstance(hits, list):
            raise Unavailable("the HN search answered without `hits`; check --api")
        more = int(data.get("nbHits") or 0) > len(hits)
        return RawPage(hits, _next_token(token, hits) if more else None)

    def key(self, raw: Any) -> str:
        """Order by creation time, then id."""
        return time_key(_created(raw), str(require(raw, "objectID")).rjust(12, "0"))

    def normalize(self, raw: Any, collected_at: datetime) -> Item:
        """See :func:`normalize_hit`."""
        return normalize_hit(raw)


def _next_token(token: str | None, hits: list[Any]) -> str | None:
    """Continue at the oldest time of the page (strictly before it if nothing moved)."""
    times = [h.get("created_at_i") for h in hits if isinstance(h, dict)]
    numbers = [int(t) for t in times if isinstance(t, int | float)]
    if not numbers:
        return None
    oldest = min(numbers)
    if token == f"le:{oldest}":
        return f"lt:{oldest}"  # a whole page within one second: step past it
    return f"le:{oldest}"
