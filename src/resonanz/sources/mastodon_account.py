"""Our own Mastodon accounts: our posts with engagement over time, and notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from resonanz.errors import Unavailable
from resonanz.sources.base import (
    Connector,
    CursorState,
    Emit,
    Item,
    MalformedItem,
    NotificationRecord,
    RawPage,
    Resync,
    parse_time,
    require,
)
from resonanz.sources.http import Http
from resonanz.sources.mastodon import (
    PAGE_SIZE,
    full_handle,
    host_of,
    next_max_id,
    normalize_account,
    normalize_status,
    status_key,
    stream_events,
)
from resonanz.sources.settings import AccountSettings

#: Mastodon notification types → our notification kinds ('mention' may become 'reply').
KINDS = {
    "mention": "mention",
    "quote": "quote",
    "reblog": "repost",
    "favourite": "like",
    "follow": "follow",
}


class _MastodonAccount(Connector):
    platform = "mastodon"

    def __init__(self, source_id: str, http: Http, account: AccountSettings, token: str) -> None:
        super().__init__(source_id, http)
        self.account = account
        self.base = account.service_url()
        self.instance_host = host_of(self.base)
        self.headers = {"Authorization": f"Bearer {token}"}
        self.me_id: str | None = None

    async def me(self) -> str:
        """Return our account's id (``/api/v1/accounts/verify_credentials``)."""
        if self.me_id is None:
            data = await self.http.get_json(
                f"{self.base}/api/v1/accounts/verify_credentials", headers=self.headers
            )
            self.me_id = str(require(data, "id"))
        return self.me_id


class MastodonOwnPosts(_MastodonAccount):
    """Our newest posts, re-read every poll so that ``post_metrics`` gains an observation."""

    watermark = False

    async def page(self, token: str | None, state: CursorState, since: datetime | None) -> RawPage:
        """Fetch our newest page of statuses (engagement of older posts rarely moves)."""
        me = await self.me()
        data = await self.http.get_json(
            f"{self.base}/api/v1/accounts/{me}/statuses",
            params={"limit": PAGE_SIZE},
            headers=self.headers,
        )
        if not isinstance(data, list):
            raise Unavailable("mastodon answered without a list of our statuses")
        return RawPage(data, None)

    def key(self, raw: Any) -> str:
        """See :func:`~resonanz.sources.mastodon.status_key`."""
        return status_key(raw)

    def normalize(self, raw: Any, collected_at: datetime) -> Item:
        """See :func:`~resonanz.sources.mastodon.normalize_status`."""
        return normalize_status(raw, self.instance_host)


class MastodonNotifications(_MastodonAccount):
    """Mentions, replies, quotes (and reposts, likes, follows) of our account."""

    streams = True

    async def page(self, token: str | None, state: CursorState, since: datetime | None) -> RawPage:
        """Fetch one page of notifications, newest first."""
        await self.me()
        params: list[tuple[str, str | int]] = [("limit", PAGE_SIZE)]
        params += [("types[]", kind) for kind in KINDS]
        if token:
            params.append(("max_id", token))
        response = await self.http.request(
            "GET", f"{self.base}/api/v1/notifications", params=params, headers=self.headers
        )
        items = response.json()
        if not isinstance(items, list):
            raise Unavailable("mastodon answered without a list of notifications")
        return RawPage(items, next_max_id(response, items))

    def can_stream(self) -> bool:
        """Follow ``user:notification`` unless the account's ``stream`` is off."""
        return self.account.stream

    def key(self, raw: Any) -> str:
        """Order notifications by id."""
        return str(require(raw, "id")).rjust(24, "0")

    def normalize(self, raw: Any, collected_at: datetime) -> Item:
        """Map a Notification entity to a notification row (and the post it is about)."""
        kind = KINDS.get(str(require(raw, "type")))
        if kind is None:
            return Item(None)  # polls, edits, reports: not for the inbox
        status = raw.get("status") if isinstance(raw.get("status"), dict) else None
        replying = status and str(status.get("in_reply_to_account_id")) == self.me_id
        if kind == "mention" and replying:
            kind = "reply"
        item = normalize_status(status, self.instance_host) if status else None
        who = require(raw, "account")
        author = full_handle(str(require(who, "acct")), who.get("url"), self.instance_host)
        notification = NotificationRecord(
            account_id=self.account.account_id,
            platform="mastodon",
            native_id=str(raw["id"]),
            kind=kind,
            post_native_id=item.post["native_id"] if item and item.post else None,
            author=author,
            created_at=parse_time(require(raw, "created_at")),
        )
        if item is None:
            return Item(None, normalize_account(who, self.instance_host), notification)
        return Item(item.post, item.author, notification)

    async def live(self, state: CursorState, emit: Emit, resync: Resync) -> None:
        """Follow the ``user:notification`` stream."""
        holder = [state]

        async def opened() -> None:
            holder[0] = await resync()

        params = {"stream": "user:notification"}
        async for event, payload in stream_events(self.base, params, self.headers, opened):
            state = holder[0]
            if event != "notification" or not isinstance(payload, dict):
                continue
            try:
                key: str | None = self.key(payload)
            except MalformedItem:
                key = None
            holder[0] = state.raised_to(key)
            await emit([payload], holder[0], f"stream {payload.get('id', '?')}")
