"""Our own Bluesky accounts: our posts with engagement over time, and notifications.

Logs in with an app password (``com.atproto.server.createSession``) at the account's PDS.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from resonanz.errors import AuthFailed, Unavailable
from resonanz.records import AuthorRecord
from resonanz.sources.base import (
    Connector,
    CursorState,
    Item,
    NotificationRecord,
    RawPage,
    parse_time,
    require,
    time_key,
)
from resonanz.sources.bluesky import normalize_post_view, record_post
from resonanz.sources.http import Http
from resonanz.sources.settings import AccountSettings

PAGE_SIZE = 50
#: Notification reasons that concern a post written by someone else.
POST_REASONS = {"mention", "reply", "quote"}
KINDS = {"mention", "reply", "quote", "repost", "like", "follow"}


class _BlueskyAccount(Connector):
    platform = "bluesky"

    def __init__(self, source_id: str, http: Http, account: AccountSettings, password: str) -> None:
        super().__init__(source_id, http)
        self.account = account
        self.base = account.service_url()
        self.handle = account.handle.lstrip("@")
        self._password = password
        self._jwt: str | None = None

    async def _get(self, method: str, params: dict[str, str | int]) -> Any:
        url = f"{self.base}/xrpc/{method}"
        if self._jwt is None:
            await self._login()
        try:
            return await self.http.get_json(url, params=params, headers=self._auth())
        except AuthFailed:
            await self._login()  # access JWTs are short-lived; renew once
            return await self.http.get_json(url, params=params, headers=self._auth())

    async def _login(self) -> None:
        data = await self.http.get_json(
            f"{self.base}/xrpc/com.atproto.server.createSession",
            method="POST",
            json={"identifier": self.handle, "password": self._password},
        )
        self._jwt = str(require(data, "accessJwt"))

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._jwt}"}


class BlueskyOwnPosts(_BlueskyAccount):
    """Our newest posts (``app.bsky.feed.getAuthorFeed``), re-read every poll."""

    watermark = False

    async def page(self, token: str | None, state: CursorState, since: datetime | None) -> RawPage:
        """Fetch our newest posts (reposts of others left out)."""
        data = await self._get(
            "app.bsky.feed.getAuthorFeed",
            {"actor": self.handle, "limit": PAGE_SIZE, "filter": "posts_with_replies"},
        )
        feed = data.get("feed") if isinstance(data, dict) else None
        if not isinstance(feed, list):
            raise Unavailable("bluesky getAuthorFeed answered without `feed`")
        posts = [entry.get("post") for entry in feed if isinstance(entry, dict)]
        ours = [p for p in posts if isinstance(p, dict) and _handle(p) == self.handle]
        return RawPage(ours, None)

    def key(self, raw: Any) -> str:
        """Order by creation time, then URI."""
        return time_key(parse_time(require(raw, "record", "createdAt")), str(raw.get("uri")))

    def normalize(self, raw: Any, collected_at: datetime) -> Item:
        """See :func:`~resonanz.sources.bluesky.normalize_post_view`."""
        return normalize_post_view(raw)


def _handle(view: dict[str, Any]) -> str | None:
    author = view.get("author")
    return str(author.get("handle")) if isinstance(author, dict) else None


class BlueskyNotifications(_BlueskyAccount):
    """``app.bsky.notification.listNotifications`` of our account."""

    async def page(self, token: str | None, state: CursorState, since: datetime | None) -> RawPage:
        """Fetch one page of notifications, newest first."""
        params: dict[str, str | int] = {"limit": PAGE_SIZE}
        if token:
            params["cursor"] = token
        data = await self._get("app.bsky.notification.listNotifications", params)
        items = data.get("notifications") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise Unavailable("bluesky listNotifications answered without `notifications`")
        cursor = data.get("cursor")
        return RawPage(items, str(cursor) if cursor and items else None)

    def key(self, raw: Any) -> str:
        """Order by indexing time, then reason and URI."""
        when = parse_time(require(raw, "indexedAt"))
        return time_key(when, f"{raw.get('reason')}:{raw.get('uri')}")

    def normalize(self, raw: Any, collected_at: datetime) -> Item:
        """Map a notification to a notification row (and, for mentions etc., the post)."""
        reason = str(require(raw, "reason"))
        if reason not in KINDS:
            return Item(None)
        uri = str(require(raw, "uri"))
        who = require(raw, "author")
        handle = str(who.get("handle") or require(who, "did"))
        post = None
        if reason in POST_REASONS:
            post = record_post(uri, handle, require(raw, "record"))
        notification = NotificationRecord(
            account_id=self.account.account_id,
            platform="bluesky",
            native_id=f"{reason}:{uri}",
            kind=reason,
            post_native_id=uri if post is not None else raw.get("reasonSubject"),
            author=handle,
            created_at=parse_time(require(raw, "indexedAt")),
        )
        profile = AuthorRecord(
            platform="bluesky", handle=handle, display_name=who.get("displayName") or None
        )
        return Item(post, profile, notification)
