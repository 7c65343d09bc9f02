"""RSS and Atom feeds: conditional polling (ETag / Last-Modified) and feed discovery.

A site URL that answers with HTML is searched for ``<link rel="alternate"
type="application/rss+xml|atom+xml">``; the discovered feed URL is kept in the cursor.
Feeds are small and re-served whole, so every poll stores the whole feed and the store's
idempotent upsert absorbs what is already known.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser

from resonanz.errors import Unavailable
from resonanz.records import AuthorRecord, PostRecord
from resonanz.sources.base import Connector, CursorState, Item, MalformedItem, RawPage, time_key
from resonanz.sources.html_text import html_to_text
from resonanz.sources.http import Http
from resonanz.sources.settings import RssSource

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


class _FeedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        rel = (values.get("rel") or "").lower().split()
        wanted = tag == "link" and "alternate" in rel and values.get("type") in FEED_TYPES
        if wanted and values.get("href"):
            self.found.append(str(values["href"]))


def discover_feeds(html: str, base_url: str) -> list[str]:
    """Return the feed URLs a page advertises, absolute, in page order."""
    parser = _FeedLinks()
    parser.feed(html)
    parser.close()
    return [urljoin(base_url, href) for href in parser.found]


def _iso(parsed: Any) -> str | None:
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()


def entry_dict(entry: Any, feed: Any) -> dict[str, Any]:
    """Reduce a feedparser entry to a plain JSON object (what we keep as ``raw``)."""
    content = entry.get("content") or []
    return {
        "id": entry.get("id"),
        "link": entry.get("link"),
        "title": entry.get("title"),
        "summary": entry.get("summary"),
        "content": content[0].get("value") if content else None,
        "author": entry.get("author"),
        "published": _iso(entry.get("published_parsed")),
        # dict.get: feedparser's own get() maps a missing `updated` to `published`, with a warning
        "updated": _iso(dict.get(entry, "updated_parsed")),
        "tags": [t.get("term") for t in entry.get("tags") or () if t.get("term")],
        "feed_title": feed.get("title"),
        "feed_link": feed.get("link"),
    }


def normalize_entry(raw: Any, collected_at: datetime) -> Item:
    """Map a feed entry (see :func:`entry_dict`) to our records (pure)."""
    if not isinstance(raw, dict):
        raise MalformedItem("entry is not a JSON object")
    ident = raw.get("id") or raw.get("link")
    if not ident and not raw.get("title"):
        raise MalformedItem("entry has neither id, link nor title")
    if not ident:
        digest = hashlib.sha256(f"{raw.get('title')}|{raw.get('published')}".encode()).hexdigest()
        ident = f"urn:sha256:{digest[:32]}"
    body = html_to_text(raw.get("content") or raw.get("summary"))
    title = str(raw.get("title") or "").strip()
    text = f"{title}\n\n{body.text}" if title and body.text else (title or body.text)
    when = raw.get("published") or raw.get("updated")
    created = datetime.fromisoformat(when) if when else collected_at
    author = raw.get("author") or raw.get("feed_title")
    links = ([str(raw["link"])] if raw.get("link") else []) + body.links
    post = PostRecord(
        platform="rss",
        native_id=str(ident),
        url=raw.get("link"),
        author=str(author) if author else None,
        text=text,
        created_at=created,
        hashtags=[str(t).lower() for t in raw.get("tags") or ()],
        mentions=[],
        links=list(dict.fromkeys(links)),
        has_media=False,
    )
    profile = AuthorRecord(platform="rss", handle=str(author)) if author else None
    return Item(post, profile)


class RssConnector(Connector):
    """One feed (or the feed a site advertises)."""

    platform = "rss"
    watermark = False  # entries may lack dates; the idempotent store dedupes instead

    def __init__(self, source_id: str, http: Http, settings: RssSource) -> None:
        super().__init__(source_id, http)
        self.settings = settings

    async def page(self, token: str | None, state: CursorState, since: datetime | None) -> RawPage:
        """Fetch the feed unless unchanged (304); discover it first from a site's HTML."""
        url = str(state.extra.get("feed_url") or self.settings.url)
        headers: dict[str, str] = {}
        if state.extra.get("etag"):
            headers["If-None-Match"] = str(state.extra["etag"])
        if state.extra.get("last_modified"):
            headers["If-Modified-Since"] = str(state.extra["last_modified"])
        response = await self.http.request("GET", url, headers=headers)
        if response.status_code == 304:
            return RawPage([], None, {"feed_url": url})
        kind = response.headers.get("content-type", "")
        if "html" in kind and "xml" not in kind:
            feeds = discover_feeds(response.text, str(response.url))
            if not feeds:
                raise Unavailable(
                    f"{url} is a web page without a feed link; give the feed's URL instead"
                )
            return await self.page(token, CursorState(extra={"feed_url": feeds[0]}), since)
        parsed = feedparser.parse(response.content)
        if not parsed.get("version") and not parsed.entries:
            raise Unavailable(f"{url} is not an RSS or Atom feed; check the URL")
        items = [entry_dict(e, parsed.feed) for e in parsed.entries]
        items.sort(key=lambda i: i.get("published") or i.get("updated") or "", reverse=True)
        extra = {
            "feed_url": url,
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
        }
        return RawPage(items, None, extra)

    def key(self, raw: Any) -> str:
        """Order by publication time, then id (undated entries first)."""
        when = raw.get("published") or raw.get("updated") or "0001-01-01T00:00:00+00:00"
        return time_key(datetime.fromisoformat(when), str(raw.get("id") or raw.get("link")))

    def normalize(self, raw: Any, collected_at: datetime) -> Item:
        """See :func:`normalize_entry`."""
        return normalize_entry(raw, collected_at)
