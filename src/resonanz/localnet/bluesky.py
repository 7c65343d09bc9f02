"""A local Bluesky (read side): XRPC search, sessions, author feeds, notifications, Jetstream.

``state.posts`` holds ``app.bsky.feed.defs#postView`` objects (oldest first) and
``state.events`` Jetstream events (``time_us`` ascending).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from resonanz.localnet.state import NetworkState, bearer, gate
from resonanz.localnet.streams import pump

DEFAULT_LIMIT = 25
COLLECTION = "app.bsky.feed.post"


def _xrpc_error(status: int, error: str, message: str) -> Response:
    return JSONResponse({"error": error, "message": message}, status_code=status)


def _created(view: dict[str, Any]) -> str:
    return str((view.get("record") or {}).get("createdAt") or "")


def _page(items: list[dict[str, Any]], request: Request, key: str) -> Response:
    """Serve ``items`` (newest first) with offset cursors under ``key``."""
    state: NetworkState = request.app.state.network
    q = request.query_params
    limit = min(int(q.get("limit", DEFAULT_LIMIT)), 100, state.page_size or 100)
    start = int(q.get("cursor") or 0)
    page = items[start : start + limit]
    body: dict[str, Any] = {key: page}
    if start + limit < len(items):
        body["cursor"] = str(start + limit)
    return JSONResponse(body)


def _authorized(state: NetworkState, request: Request) -> Response | None:
    token = bearer(request)
    if token is None or token not in state.sessions:
        return _xrpc_error(401, "ExpiredToken", "Token has expired")
    return None


def routes(state: NetworkState) -> list[BaseRoute]:
    """Return the read-side routes of a local Bluesky AppView/PDS and Jetstream."""

    async def search_posts(request: Request) -> Response:
        if (early := gate(state, request)) is not None:
            return early
        words = request.query_params.get("q", "").lower().split()
        if not words:
            return _xrpc_error(400, "BadQueryString", "q is required")
        since = request.query_params.get("since") or ""
        found = [
            v
            for v in state.visible_posts()
            if all(w in str((v.get("record") or {}).get("text", "")).lower() for w in words)
            and _created(v) >= since
        ]
        found.sort(key=_created, reverse=True)
        return _page(found, request, "posts")

    async def create_session(request: Request) -> Response:
        if (early := gate(state, request)) is not None:
            return early
        body = await request.json()
        password = str(body.get("password", ""))
        if state.tokens and password not in state.tokens:
            return _xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        handle = str(body.get("identifier", ""))
        jwt = "jwt-" + hashlib.sha256(f"{handle}|{password}".encode()).hexdigest()[:24]
        with state.lock:
            state.sessions.add(jwt)
        did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        return JSONResponse(
            {"accessJwt": jwt, "refreshJwt": jwt + "-r", "handle": handle, "did": did}
        )

    async def author_feed(request: Request) -> Response:
        early = gate(state, request) or _authorized(state, request)
        if early is not None:
            return early
        actor = request.query_params.get("actor", "")
        ours = [{"post": v} for v in state.visible_posts() if v["author"]["handle"] == actor]
        ours.sort(key=lambda e: _created(e["post"]), reverse=True)
        return _page(ours, request, "feed")

    async def list_notifications(request: Request) -> Response:
        early = gate(state, request) or _authorized(state, request)
        if early is not None:
            return early
        with state.lock:
            items = sorted(state.notifications, key=lambda n: str(n["indexedAt"]), reverse=True)
        return _page(items, request, "notifications")

    async def subscribe(websocket: WebSocket) -> None:
        with state.lock:
            state.requests.append(websocket.url.path)
        if state.take_fault(websocket.url.path) is not None:
            await websocket.close(code=1011)
            return
        await websocket.accept()
        cursor = websocket.query_params.get("cursor")
        with state.lock:
            events = list(state.events)
        start = len(events)
        if cursor:
            start = next((i for i, e in enumerate(events) if e["time_us"] >= int(cursor)), start)

        def produce(position: int) -> tuple[list[str], int]:
            with state.lock:
                fresh = state.events[position:]
            return [json.dumps(e) for e in fresh], position + len(fresh)

        await pump(websocket, state, produce, start)

    return [
        Route("/xrpc/app.bsky.feed.searchPosts", search_posts),
        Route("/xrpc/com.atproto.server.createSession", create_session, methods=["POST"]),
        Route("/xrpc/app.bsky.feed.getAuthorFeed", author_feed),
        Route("/xrpc/app.bsky.notification.listNotifications", list_notifications),
        WebSocketRoute("/subscribe", subscribe),
    ]


def did_of(handle: str) -> str:
    """Return a stable fake DID for a handle."""
    return "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]


def post_view(
    rkey: str,
    handle: str,
    text: str,
    created_at: datetime,
    *,
    reply_to: str | None = None,
    counts: tuple[int, int, int] = (0, 0, 0),
    lang: str | None = "en",
) -> dict[str, Any]:
    """Return a ``postView`` as searchPosts delivers it."""
    did = did_of(handle)
    record: dict[str, Any] = {
        "$type": COLLECTION,
        "text": text,
        "createdAt": created_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "langs": [lang] if lang else [],
    }
    if reply_to:
        record["reply"] = {
            "root": {"uri": reply_to, "cid": "bafyroot"},
            "parent": {"uri": reply_to, "cid": "bafyparent"},
        }
    likes, reposts, replies = counts
    return {
        "uri": f"at://{did}/{COLLECTION}/{rkey}",
        "cid": "bafy" + hashlib.sha256(rkey.encode()).hexdigest()[:20],
        "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0].title()},
        "record": record,
        "replyCount": replies,
        "repostCount": reposts,
        "likeCount": likes,
        "quoteCount": 0,
        "indexedAt": record["createdAt"],
        "labels": [],
    }


def jetstream_event(view: dict[str, Any], time_us: int) -> dict[str, Any]:
    """Return the Jetstream commit event that created the post of ``view``."""
    did, _, rkey = view["uri"][len("at://") :].partition(f"/{COLLECTION}/")
    return {
        "did": did,
        "time_us": time_us,
        "kind": "commit",
        "commit": {
            "rev": f"rev{time_us}",
            "operation": "create",
            "collection": COLLECTION,
            "rkey": rkey,
            "record": view["record"],
            "cid": view.get("cid"),
        },
    }
