"""A local Reddit (read side): OAuth client-credentials tokens and Listings with rate headers.

``state.posts`` holds listing children (``{"kind": "t3"|"t1", "data": {…}}``), oldest first.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from resonanz.localnet.state import NetworkState, bearer, gate

DEFAULT_LIMIT = 25
WINDOW_REQUESTS = 600


def _secret(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value).decode("utf-8")
    except ValueError:
        return None
    return decoded.partition(":")[2]


def _text(child: dict[str, Any]) -> str:
    data = child.get("data") or {}
    return " ".join(str(data.get(k) or "") for k in ("title", "selftext", "body")).lower()


def routes(state: NetworkState) -> list[BaseRoute]:
    """Return the read-side routes of a local Reddit."""

    async def access_token(request: Request) -> Response:
        if (early := gate(state, request)) is not None:
            return early
        secret = _secret(request)
        if secret is None or (state.tokens and secret not in state.tokens):
            return JSONResponse({"message": "Unauthorized", "error": 401}, status_code=401)
        token = "tok-" + hashlib.sha256(f"{secret}|{state.next_id()}".encode()).hexdigest()[:20]
        with state.lock:
            state.sessions.add(token)
        return JSONResponse(
            {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"}
        )

    def listing(request: Request, items: list[dict[str, Any]]) -> Response:
        if (early := gate(state, request)) is not None:
            return early
        if bearer(request) not in state.sessions:
            return JSONResponse({"message": "Unauthorized", "error": 401}, status_code=401)
        q = request.query_params
        words = q.get("q", "").lower().split()
        found = [c for c in items if all(w in _text(c) for w in words)]
        found.sort(key=lambda c: float((c.get("data") or {}).get("created_utc") or 0), reverse=True)
        limit = min(int(q.get("limit", DEFAULT_LIMIT)), 100, state.page_size or 100)
        start = 0
        if q.get("after"):
            names = [(c.get("data") or {}).get("name") for c in found]
            start = names.index(q["after"]) + 1 if q["after"] in names else len(found)
        page = found[start : start + limit]
        more = start + limit < len(found)
        body = {
            "kind": "Listing",
            "data": {
                "after": page[-1]["data"]["name"] if page and more else None,
                "before": None,
                "dist": len(page),
                "modhash": "",
                "children": page,
            },
        }
        used = len(state.requests)
        headers = {
            "X-Ratelimit-Used": str(used),
            "X-Ratelimit-Remaining": str(max(0, WINDOW_REQUESTS - used)),
            "X-Ratelimit-Reset": "300",
        }
        return JSONResponse(body, headers=headers)

    async def search(request: Request) -> Response:
        return listing(request, state.visible_posts())

    async def sub_search(request: Request) -> Response:
        sub = request.path_params["sub"].lower()
        return listing(request, [c for c in state.visible_posts() if _sub(c) == sub])

    async def sub_new(request: Request) -> Response:
        sub = request.path_params["sub"].lower()
        return listing(request, [c for c in state.visible_posts() if _sub(c) == sub])

    return [
        Route("/api/v1/access_token", access_token, methods=["POST"]),
        Route("/search", search),
        Route("/r/{sub}/search", sub_search),
        Route("/r/{sub}/new", sub_new),
    ]


def _sub(child: dict[str, Any]) -> str:
    return str((child.get("data") or {}).get("subreddit") or "").lower()


def link(
    base36: str,
    title: str,
    author: str,
    created_at: datetime,
    *,
    subreddit: str = "de",
    selftext: str = "",
    score: int = 0,
    comments: int = 0,
) -> dict[str, Any]:
    """Return a ``t3`` listing child as Reddit's API delivers it."""
    permalink = f"/r/{subreddit}/comments/{base36}/{title.lower().replace(' ', '_')[:40]}/"
    return {
        "kind": "t3",
        "data": {
            "id": base36,
            "name": f"t3_{base36}",
            "title": title,
            "selftext": selftext,
            "author": author,
            "author_fullname": "t2_" + hashlib.sha256(author.encode()).hexdigest()[:8],
            "subreddit": subreddit,
            "subreddit_name_prefixed": f"r/{subreddit}",
            "created_utc": created_at.timestamp(),
            "permalink": permalink,
            "url": f"https://www.reddit.com{permalink}",
            "is_self": True,
            "is_video": False,
            "score": score,
            "ups": score,
            "num_comments": comments,
            "over_18": False,
        },
    }
