"""A local Hacker News search (read side): Algolia's ``search_by_date`` with numeric filters.

``state.posts`` holds Algolia hits (stories and comments), oldest first.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from resonanz.localnet.state import NetworkState, gate

DEFAULT_HITS = 20
_FILTER = re.compile(r"^(\w+)(<=|>=|<|>|=)(\d+)$")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
}


def _text(hit: dict[str, Any]) -> str:
    keys = ("title", "story_text", "comment_text", "url")
    return " ".join(str(hit.get(k) or "") for k in keys).lower()


def _numeric(hit: dict[str, Any], filters: str) -> bool:
    for part in filter(None, (p.strip() for p in filters.split(","))):
        match = _FILTER.match(part)
        if match is None:
            continue
        name, op, value = match.groups()
        if not _OPS[op](int(hit.get(name) or 0), int(value)):
            return False
    return True


def _tagged(hit: dict[str, Any], tags: str) -> bool:
    wanted = [t for t in re.split(r"[(),]", tags) if t]
    return not wanted or any(t in (hit.get("_tags") or []) for t in wanted)


def routes(state: NetworkState) -> list[BaseRoute]:
    """Return the read-side routes of a local HN Algolia API."""

    async def search_by_date(request: Request) -> Response:
        if (early := gate(state, request)) is not None:
            return early
        q = request.query_params
        words = q.get("query", "").lower().split()
        hits = [
            h
            for h in state.visible_posts()
            if all(w in _text(h) for w in words)
            and _numeric(h, q.get("numericFilters", ""))
            and _tagged(h, q.get("tags", ""))
        ]
        hits.sort(key=lambda h: int(h.get("created_at_i") or 0), reverse=True)
        per_page = min(int(q.get("hitsPerPage", DEFAULT_HITS)), 1000, state.page_size or 1000)
        page = int(q.get("page", 0))
        chunk = hits[page * per_page : (page + 1) * per_page]
        return JSONResponse(
            {
                "hits": chunk,
                "nbHits": len(hits),
                "page": page,
                "nbPages": -(-len(hits) // per_page) if per_page else 0,
                "hitsPerPage": per_page,
                "exhaustiveNbHits": True,
                "query": q.get("query", ""),
                "params": str(request.url.query),
                "processingTimeMS": 1,
            }
        )

    return [Route("/api/v1/search_by_date", search_by_date)]


def hit(
    object_id: int,
    author: str,
    created_at: datetime,
    *,
    title: str | None = None,
    comment: str | None = None,
    story_id: int | None = None,
    parent_id: int | None = None,
    points: int | None = None,
) -> dict[str, Any]:
    """Return an Algolia HN hit: a story (``title``) or a comment (``comment``)."""
    kind = "comment" if comment is not None else "story"
    return {
        "objectID": str(object_id),
        "created_at": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "created_at_i": int(created_at.timestamp()),
        "author": author,
        "title": title,
        "url": None,
        "story_text": None,
        "comment_text": comment,
        "points": points,
        "num_comments": 0 if kind == "story" else None,
        "story_id": story_id,
        "parent_id": parent_id,
        "_tags": [kind, f"author_{author}", f"story_{story_id or object_id}"],
    }
