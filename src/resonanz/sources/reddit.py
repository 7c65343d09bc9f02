"""Reddit: search or a subreddit's newest posts through the OAuth API.

Tokens come from the client-credentials grant (``/api/v1/access_token``); the shared HTTP
layer honours Reddit's ``X-Ratelimit-Remaining`` / ``X-Ratelimit-Reset`` headers. Items are
keyed by their fullname (``t3_…`` posts, ``t1_…`` comments), which is what replies point at.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

from resonanz.errors import AuthFailed, Unavailable
from resonanz.records import AuthorRecord, PostRecord
from resonanz.sources.base import (
    Connector,
    CursorState,
    Item,
    MalformedItem,
    RawPage,
    parse_time,
    require,
    time_key,
)
from resonanz.sources.http import Http
from resonanz.sources.settings import RedditSource

PAGE_SIZE = 100
_USER = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})")
_MEDIA_HINTS = {"image", "hosted:video", "rich:video"}


def _author(name: object) -> str | None:
    if not name or name in ("[deleted]", "[removed]"):
        return None
    return str(name)


def normalize_thing(raw: Any) -> Item:
    """Map a Reddit listing child (``{"kind": "t3"|"t1", "data": {…}}``) to records (pure)."""
    kind = require(raw, "kind")
    data = require(raw, "data")
    if kind not in ("t1", "t3"):
        raise MalformedItem(f"not a post or comment: kind {kind!r}")
    name = str(require(data, "name"))
    created = parse_time(require(data, "created_utc"))
    if kind == "t3":
        title = str(require(data, "title"))
        body = str(data.get("selftext") or "")
        text = f"{title}\n\n{body}" if body else title
        outbound = data.get("url")
        links = [str(outbound)] if outbound and not data.get("is_self") else []
        reply_to = thread_root = None
    else:
        text = str(require(data, "body"))
        links = []
        reply_to, thread_root = data.get("parent_id"), data.get("link_id")
    author = _author(data.get("author"))
    permalink = data.get("permalink")
    post = PostRecord(
        platform="reddit",
        native_id=name,
        url=f"https://www.reddit.com{permalink}" if permalink else None,
        author=author,
        text=text,
        created_at=created,
        reply_to=reply_to,
        thread_root=thread_root,
        hashtags=[],
        mentions=list(dict.fromkeys(m for m in _USER.findall(text) if m != author)),
        links=links,
        has_media=bool(
            data.get("is_video") or data.get("is_gallery") or data.get("post_hint") in _MEDIA_HINTS
        ),
        likes=data.get("score"),
        replies=data.get("num_comments"),
    )
    profile = AuthorRecord(platform="reddit", handle=author) if author else None
    return Item(post, profile)


class RedditConnector(Connector):
    """One search (optionally in one subreddit) or one subreddit's newest posts."""

    platform = "reddit"

    def __init__(
        self, source_id: str, http: Http, settings: RedditSource, client_id: str, secret: str
    ) -> None:
        super().__init__(source_id, http)
        if not settings.query and not settings.subreddit:
            raise ValueError("a Reddit source needs a query or a subreddit")
        self.settings = settings
        self._client = (client_id, secret)
        self._token: str | None = None
        self._expires = 0.0

    async def _authorize(self) -> None:
        """Fetch an app-only OAuth token (client credentials)."""
        data = await self.http.get_json(
            f"{self.settings.auth_url.rstrip('/')}/api/v1/access_token",
            method="POST",
            auth=self._client,
            data={"grant_type": "client_credentials"},
            headers={"User-Agent": self.settings.user_agent},
        )
        token = data.get("access_token") if isinstance(data, dict) else None
        if not token:
            raise AuthFailed(
                "reddit gave no access token: check REDDIT_CLIENT_ID / REDDIT_CLIENT_SECRET "
                "(the client id and secret of a 'script' app at reddit.com/prefs/apps)"
            )
        self._token = str(token)
        self._expires = time.monotonic() + float(data.get("expires_in") or 3600) - 60

    def _request(self, token: str | None) -> tuple[str, dict[str, str | int]]:
        api, sub = self.settings.api_url.rstrip("/"), self.settings.subreddit
        params: dict[str, str | int] = {"limit": PAGE_SIZE, "raw_json": 1}
        if token:
            params["after"] = token
        if not self.settings.query:
            return f"{api}/r/{sub}/new", params
        params.update(q=self.settings.query, sort="new", type="link")
        if sub:
            params["restrict_sr"] = 1
            return f"{api}/r/{sub}/search", params
        return f"{api}/search", params

    async def page(self, token: str | None, state: CursorState, since: datetime | None) -> RawPage:
        """Fetch one listing page, newest first (``after`` pages to older items)."""
        if self._token is None or time.monotonic() > self._expires:
            await self._authorize()
        url, params = self._request(token)
        try:
            data = await self.http.get_json(url, params=params, headers=self._headers())
        except AuthFailed:
            await self._authorize()  # a revoked or expired token: one fresh try
            data = await self.http.get_json(url, params=params, headers=self._headers())
        listing = data.get("data") if isinstance(data, dict) else None
        if not isinstance(listing, dict) or not isinstance(listing.get("children"), list):
            raise Unavailable("reddit answered without a Listing; check api_url")
        children = listing["children"]
        after = listing.get("after")
        return RawPage(children, str(after) if after and children else None)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"bearer {self._token}", "User-Agent": self.settings.user_agent}

    def key(self, raw: Any) -> str:
        """Order by creation time, then fullname."""
        data = require(raw, "data")
        return time_key(parse_time(require(data, "created_utc")), str(require(data, "name")))

    def normalize(self, raw: Any, collected_at: datetime) -> Item:
        """See :func:`normalize_thing`."""
        return normalize_thing(raw)
