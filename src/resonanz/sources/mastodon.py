"""Mastodon: hashtag timelines and ``/api/v2/search`` for backfill, streaming API for live.

Statuses keep their instance-local id as ``native_id`` (that is what replies point at);
handles are always ``user@domain``. Live posts come from the streaming API over WebSocket
(``/api/v1/streaming``), falling back to Server-Sent Events when the upgrade is refused.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from resonanz.errors import AuthFailed, Unavailable
from resonanz.records import POST_SCHEMA, AuthorRecord, PostRecord, to_table
from resonanz.sources.base import (
    Connector,
    CursorState,
    Emit,
    Item,
    MalformedItem,
    RawPage,
    Resync,
    parse_time,
    require,
)
from resonanz.sources.html_text import html_to_text
from resonanz.sources.http import Http
from resonanz.sources.matching import post_filter
from resonanz.sources.settings import MastodonSource

PAGE_SIZE = 40


def host_of(url: str | None) -> str:
    """Return the host part of a URL ('' when absent)."""
    return urlsplit(url or "").netloc


def full_handle(acct: str, url: str | None, instance_host: str) -> str:
    """Make ``acct`` a ``user@domain`` handle (local accounts lack the domain)."""
    acct = acct.lstrip("@")
    if "@" in acct:
        return acct
    return f"{acct}@{host_of(url) or instance_host}"


def normalize_account(account: dict[str, Any], instance_host: str) -> AuthorRecord:
    """Map a Mastodon Account entity to an author record (pure)."""
    handle = full_handle(str(require(account, "acct")), account.get("url"), instance_host)
    return AuthorRecord(
        platform="mastodon",
        handle=handle,
        display_name=account.get("display_name") or None,
        bio=html_to_text(account.get("note")).text or None,
        followers=account.get("followers_count"),
        following=account.get("following_count"),
        is_bot=account.get("bot"),
    )


def normalize_status(raw: Any, instance_host: str) -> Item:
    """Map a Mastodon Status entity (reblogs and quotes included) to our records (pure)."""
    if not isinstance(raw, dict):
        raise MalformedItem("status is not a JSON object")
    native_id = str(require(raw, "id"))
    author = normalize_account(require(raw, "account"), instance_host)
    inner = raw.get("reblog") if isinstance(raw.get("reblog"), dict) else None
    body = inner or raw
    text = html_to_text(body.get("content"))
    spoiler = body.get("spoiler_text") or ""
    quote = body.get("quote") if isinstance(body.get("quote"), dict) else None
    quoted = quote.get("quoted_status") if quote else None
    card = body.get("card") if isinstance(body.get("card"), dict) else None
    links = list(text.links)
    if card and card.get("url") and card["url"] not in links:
        links.append(card["url"])
    post = PostRecord(
        platform="mastodon",
        native_id=native_id,
        url=raw.get("url") or raw.get("uri"),
        author=author["handle"],
        text=(f"{spoiler}\n{text.text}" if spoiler else text.text),
        lang=body.get("language"),
        created_at=parse_time(require(raw, "created_at")),
        reply_to=_str_or_none(raw.get("in_reply_to_id")),
        repost_of=str(inner["id"]) if inner and inner.get("id") else None,
        quote_of=str(quoted["id"]) if isinstance(quoted, dict) and quoted.get("id") else None,
        hashtags=[str(t["name"]).lower() for t in body.get("tags") or () if t.get("name")],
        mentions=[
            full_handle(str(m["acct"]), m.get("url"), instance_host)
            for m in body.get("mentions") or ()
            if m.get("acct")
        ],
        links=links,
        has_media=bool(body.get("media_attachments")),
        likes=body.get("favourites_count"),
        reposts=body.get("reblogs_count"),
        replies=body.get("replies_count"),
    )
    return Item(post, author)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def status_key(raw: Any) -> str:
    """Order statuses by id (snowflake ids grow with time; flake ids have fixed length)."""
    return str(require(raw, "id")).rjust(24, "0")


def next_max_id(response: httpx.Response, items: list[Any]) -> str | None:
    """Return the ``max_id`` of the Link header's next page (or of a full page's last item)."""
    link = response.links.get("next")
    if link and link.get("url"):
        values = parse_qs(urlsplit(link["url"]).query).get("max_id")
        if values:
            return values[0]
        return None
    if len(items) >= PAGE_SIZE and isinstance(items[-1], dict) and items[-1].get("id"):
        return str(items[-1]["id"])
    return None


class MastodonConnector(Connector):
    """One hashtag or search on one instance."""

    platform = "mastodon"
    streams = True

    def __init__(
        self, source_id: str, http: Http, settings: MastodonSource, token: str | None = None
    ) -> None:
        super().__init__(source_id, http)
        if not settings.hashtag and not settings.query:
            raise ValueError("a Mastodon source needs a hashtag or a query")
        self.settings = settings
        self.base = settings.instance.rstrip("/")
        self.instance_host = host_of(self.base)
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._filter = post_filter(settings.query) if settings.query else None

    async def page(self, token: str | None, state: CursorState, since: datetime | None) -> RawPage:
        """Fetch one page of the hashtag timeline or of the search, newest first."""
        params: dict[str, str | int] = {"limit": PAGE_SIZE}
        if token:
            params["max_id"] = token
        if self.settings.hashtag:
            url = f"{self.base}/api/v1/timelines/tag/{self.settings.hashtag.lstrip('#')}"
        else:
            url = f"{self.base}/api/v2/search"
            params.update(q=str(self.settings.query), type="statuses", resolve="false")
        response = await self.http.request("GET", url, params=params, headers=self._headers)
        body = response.json()
        items = body.get("statuses", []) if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise Unavailable(f"mastodon answered {url} without a list of statuses")
        return RawPage(items, next_max_id(response, items))

    def key(self, raw: Any) -> str:
        """See :func:`status_key`."""
        return status_key(raw)

    def normalize(self, raw: Any, collected_at: datetime) -> Item:
        """See :func:`normalize_status`."""
        return normalize_status(raw, self.instance_host)

    def can_stream(self) -> bool:
        """True unless the source's ``stream`` setting is off."""
        return self.settings.stream

    def stream_params(self) -> dict[str, str]:
        """Return the streaming API's stream selection for this source."""
        if self.settings.hashtag:
            return {"stream": "hashtag", "tag": self.settings.hashtag.lstrip("#")}
        return {"stream": "public"}

    async def live(self, state: CursorState, emit: Emit, resync: Resync) -> None:
        """Follow the streaming API; raise Unavailable when the stream ends."""
        holder = [state]

        async def opened() -> None:
            holder[0] = await resync()

        events = stream_events(self.base, self.stream_params(), self._headers, opened)
        async for event, payload in events:
            state = holder[0]
            if event not in ("update", "status.update") or not isinstance(payload, dict):
                continue
            if self._filter is not None and not self._keep(payload):
                continue
            try:
                key = status_key(payload)
            except MalformedItem:
                key = None
            holder[0] = state.raised_to(key)
            await emit([payload], holder[0], f"stream {payload.get('id', '?')}")

    def _keep(self, payload: dict[str, Any]) -> bool:
        assert self._filter is not None
        try:
            item = normalize_status(payload, self.instance_host)
        except (MalformedItem, KeyError, TypeError, ValueError):
            return True  # let the writer quarantine it with its reason
        if item.post is None:
            return False
        return bool(self._filter(to_table([dict(item.post)], POST_SCHEMA)))


async def stream_events(
    base: str,
    params: dict[str, str],
    headers: dict[str, str],
    opened: Callable[[], Awaitable[None]],
) -> AsyncIterator[tuple[str, Any]]:
    """Yield ``(event, payload)`` from the streaming API (WebSocket, else SSE).

    ``opened`` runs once the stream is connected (events meanwhile wait in the buffer).
    """
    ws_url = httpx.URL(base.replace("http", "ws", 1) + "/api/v1/streaming").copy_merge_params(
        params
    )
    try:
        async with websockets.connect(
            str(ws_url), additional_headers=headers, open_timeout=20, ping_interval=30
        ) as socket:
            await opened()
            async for message in socket:
                parsed = _ws_message(message)
                if parsed is not None:
                    yield parsed
    except InvalidHandshake as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status in (401, 403):
            raise AuthFailed(
                "mastodon rejected the streaming token: create a new access token in the "
                "instance's Preferences > Development"
            ) from None
        async for event in _sse_events(base, params, headers, opened):
            yield event
        return
    except (ConnectionClosed, OSError, TimeoutError) as exc:
        raise Unavailable(f"mastodon stream dropped ({type(exc).__name__}); resuming") from None
    raise Unavailable("mastodon stream closed by the server; resuming")


def _ws_message(message: str | bytes) -> tuple[str, Any] | None:
    try:
        data = json.loads(message)
    except ValueError:
        return None
    if not isinstance(data, dict) or "event" not in data:
        return None
    payload = data.get("payload")
    if isinstance(payload, str):
        with contextlib.suppress(ValueError):  # 'delete' carries a bare id
            payload = json.loads(payload)
    return str(data["event"]), payload


async def _sse_events(
    base: str,
    params: dict[str, str],
    headers: dict[str, str],
    opened: Callable[[], Awaitable[None]],
) -> AsyncIterator[tuple[str, Any]]:
    """Yield events of the streaming API's Server-Sent-Events endpoints."""
    stream = params.get("stream", "public")
    path = {"hashtag": "hashtag", "public": "public", "user:notification": "user/notification"}
    url = f"{base}/api/v1/streaming/{path.get(stream, 'public')}"
    query = {k: v for k, v in params.items() if k != "stream"}
    try:
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(30, read=None)) as client,
            client.stream("GET", url, params=query, headers=headers) as response,
        ):
            if response.status_code in (401, 403):
                raise AuthFailed("mastodon rejected the streaming token; create a new one")
            if response.status_code >= 400:
                raise Unavailable(f"mastodon streaming answered HTTP {response.status_code}")
            await opened()
            event = "message"
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    try:
                        yield event, json.loads(line[5:].strip())
                    except ValueError:
                        yield event, line[5:].strip()
    except httpx.TransportError as exc:
        raise Unavailable(f"mastodon SSE stream dropped ({type(exc).__name__})") from None
    raise Unavailable("mastodon SSE stream closed by the server; resuming")
