"""A local Mastodon instance (read side): timelines, search, notifications, streaming.

Serves ``state.posts`` (Status entities, oldest first) with Mastodon's paging (``max_id``,
``since_id``, ``min_id``, ``Link`` header), the WebSocket streaming API and its SSE twin.
"""

from __future__ import annotations

import html
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from resonanz.localnet.state import NetworkState, gate, require_token
from resonanz.localnet.streams import pump, sse_lines

DEFAULT_LIMIT = 20
MAX_LIMIT = 40


def _id(item: dict[str, Any]) -> int:
    return int(item["id"]) if str(item.get("id", "")).isdigit() else 0


def paginate(items: list[dict[str, Any]], request: Request) -> tuple[list[dict[str, Any]], str]:
    """Apply Mastodon's id paging; return the page (newest first) and its Link header."""
    state: NetworkState = request.app.state.network
    q = request.query_params
    limit = min(int(q.get("limit", state.page_size or DEFAULT_LIMIT)), MAX_LIMIT)
    limit = min(limit, state.page_size or limit)
    ordered = sorted(items, key=_id)
    if q.get("max_id"):
        ordered = [i for i in ordered if _id(i) < int(q["max_id"])]
    if q.get("since_id"):
        ordered = [i for i in ordered if _id(i) > int(q["since_id"])]
    if q.get("min_id"):
        newer = [i for i in ordered if _id(i) > int(q["min_id"])]
        page = list(reversed(newer[:limit]))
    else:
        page = list(reversed(ordered[-limit:])) if limit else []
    links = []
    if page:
        base = str(request.url.remove_query_params(["max_id", "min_id", "since_id"]))
        sep = "&" if "?" in base else "?"
        if len(page) == limit:
            links.append(f'<{base}{sep}max_id={page[-1]["id"]}>; rel="next"')
        links.append(f'<{base}{sep}min_id={page[0]["id"]}>; rel="prev"')
    return page, ", ".join(links)


def _listing(items: list[dict[str, Any]], request: Request) -> Response:
    page, link = paginate(items, request)
    headers = {"Link": link} if link else {}
    return JSONResponse(page, headers=headers)


def _unauthorized() -> Response:
    return JSONResponse({"error": "The access token is invalid"}, status_code=401)


def _has_tag(status: dict[str, Any], tag: str) -> bool:
    tags = (status.get("reblog") or status).get("tags") or []
    return any(str(t.get("name", "")).lower() == tag.lower() for t in tags)


def _tagged(state: NetworkState, tag: str) -> list[dict[str, Any]]:
    return [s for s in state.visible_posts() if _has_tag(s, tag)]


def _matches(status: dict[str, Any], words: list[str]) -> bool:
    content = str((status.get("reblog") or status).get("content", "")).lower()
    return all(w in content for w in words)


def routes(state: NetworkState) -> list[BaseRoute]:
    """Return the read-side routes of a local Mastodon instance."""

    async def tag_timeline(request: Request) -> Response:
        return gate(state, request) or _listing(_tagged(state, request.path_params["tag"]), request)

    async def public_timeline(request: Request) -> Response:
        return gate(state, request) or _listing(state.visible_posts(), request)

    async def search(request: Request) -> Response:
        if (early := gate(state, request)) is not None:
            return early
        words = request.query_params.get("q", "").lower().split()
        found = [s for s in state.visible_posts() if words and _matches(s, words)]
        page, link = paginate(found, request)
        body = {"accounts": [], "statuses": page, "hashtags": []}
        return JSONResponse(body, headers={"Link": link} if link else {})

    async def verify_credentials(request: Request) -> Response:
        early = gate(state, request) or require_token(state, request, _unauthorized)
        if early is not None:
            return early
        if state.account is None:
            return JSONResponse({"error": "Record not found"}, status_code=404)
        return JSONResponse(state.account)

    async def account_statuses(request: Request) -> Response:
        if (early := gate(state, request)) is not None:
            return early
        me = request.path_params["id"]
        ours = [s for s in state.visible_posts() if str((s.get("account") or {}).get("id")) == me]
        return _listing(ours, request)

    async def notifications(request: Request) -> Response:
        early = gate(state, request) or require_token(state, request, _unauthorized)
        if early is not None:
            return early
        types = set(request.query_params.getlist("types[]"))
        with state.lock:
            items = [n for n in state.notifications if not types or n["type"] in types]
        return _listing(items, request)

    async def streaming(websocket: WebSocket) -> None:
        await _stream_ws(state, websocket)

    async def sse(request: Request) -> Response:
        if (early := gate(state, request)) is not None:
            return early
        kind = request.path_params["kind"].replace("/", ":")
        produce = _producer(state, kind, request.query_params.get("tag"), sse=True)
        start = _start(state, kind)
        return StreamingResponse(
            _chunks(sse_lines(state, produce, start)), media_type="text/event-stream"
        )

    return [
        Route("/api/v1/timelines/tag/{tag}", tag_timeline),
        Route("/api/v1/timelines/public", public_timeline),
        Route("/api/v2/search", search),
        Route("/api/v1/accounts/verify_credentials", verify_credentials),
        Route("/api/v1/accounts/{id}/statuses", account_statuses),
        Route("/api/v1/notifications", notifications),
        WebSocketRoute("/api/v1/streaming", streaming),
        Route("/api/v1/streaming/{kind:path}", sse),
    ]


async def _chunks(lines: AsyncIterator[str]) -> AsyncIterator[bytes]:
    async for line in lines:
        yield line.encode("utf-8")


def _start(state: NetworkState, stream: str) -> int:
    with state.lock:
        return (
            len(state.notifications)
            if stream == "user:notification"
            else len(state.visible_posts())
        )


def _producer(state: NetworkState, stream: str, tag: str | None, *, sse: bool = False) -> Any:
    """Return a function giving the stream's new messages after a position."""

    def produce(position: int) -> tuple[list[str], int]:
        if stream == "user:notification":
            with state.lock:
                fresh = state.notifications[position:]
            event, items, end = "notification", fresh, position + len(fresh)
        else:
            posts = state.visible_posts()
            fresh = posts[position:]
            if stream == "hashtag" and tag:
                fresh = [s for s in fresh if _has_tag(s, tag)]
            event, items, end = "update", fresh, len(posts)
        if sse:
            return [f"event: {event}\ndata: {json.dumps(i)}\n\n" for i in items], end
        names = [stream, tag] if tag else [stream]
        return [
            json.dumps({"stream": names, "event": event, "payload": json.dumps(i)}) for i in items
        ], end

    return produce


async def _stream_ws(state: NetworkState, websocket: WebSocket) -> None:
    with state.lock:
        state.requests.append(websocket.url.path)
    if (fault := state.take_fault(websocket.url.path)) is not None:
        await websocket.close(code=1008 if fault.status in (401, 403) else 1011)
        return
    stream = websocket.query_params.get("stream", "public")
    if stream == "user:notification" and not websocket.headers.get("authorization"):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    tag = websocket.query_params.get("tag")
    await pump(websocket, state, _producer(state, stream, tag), _start(state, stream))


def account(handle: str, number: int, *, followers: int | None = None) -> dict[str, Any]:
    """Return an Account entity for ``user@domain`` (local accounts have a bare ``acct``)."""
    user, _, domain = handle.lstrip("@").partition("@")
    domain = domain or "social.example"
    return {
        "id": str(number),
        "username": user,
        "acct": f"{user}@{domain}",
        "display_name": user.replace("_", " ").title(),
        "note": "",
        "url": f"https://{domain}/@{user}",
        "followers_count": followers if followers is not None else 0,
        "following_count": 0,
        "statuses_count": 0,
        "bot": False,
        "created_at": "2024-01-01T00:00:00.000Z",
    }


def status(
    number: int,
    text: str,
    created_at: datetime,
    who: dict[str, Any],
    *,
    tags: list[str] | None = None,
    reply_to: str | None = None,
    counts: tuple[int, int, int] = (0, 0, 0),
    lang: str | None = "en",
) -> dict[str, Any]:
    """Return a Status entity as the REST and streaming APIs deliver it."""
    domain = who["url"].split("/")[2]
    tags = tags or []
    links = " ".join(
        f'<a href="https://{domain}/tags/{t}" class="mention hashtag" rel="tag">'
        f"#<span>{t}</span></a>"
        for t in tags
    )
    content = f"<p>{html.escape(text)}{' ' + links if links else ''}</p>"
    likes, reposts, replies = counts
    return {
        "id": str(number),
        "uri": f"https://{domain}/users/{who['username']}/statuses/{number}",
        "url": f"https://{domain}/@{who['username']}/{number}",
        "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "account": who,
        "content": content,
        "spoiler_text": "",
        "visibility": "public",
        "sensitive": False,
        "language": lang,
        "in_reply_to_id": reply_to,
        "in_reply_to_account_id": None,
        "reblog": None,
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": t, "url": f"https://{domain}/tags/{t}"} for t in tags],
        "emojis": [],
        "card": None,
        "poll": None,
        "favourites_count": likes,
        "reblogs_count": reposts,
        "replies_count": replies,
    }
