"""Read one post and its author for the detail page (read-only)."""

from __future__ import annotations

from typing import Any

import duckdb

_POST = (
    "platform",
    "native_id",
    "url",
    "author",
    "text",
    "lang",
    "created_at",
    "reply_to",
    "repost_of",
    "quote_of",
    "hashtags",
    "links",
    "likes",
    "reposts",
    "replies",
    "sentiment",
    "sentiment_score",
    "emotion",
    "aspects",
    "intents",
)
_AUTHOR = (
    "handle",
    "display_name",
    "bio",
    "followers",
    "following",
    "is_bot",
    "stakeholder",
    "stakeholder_confidence",
    "stakeholder_evidence",
)


def post_by_id(
    con: duckdb.DuckDBPyConnection, platform: str, native_id: str
) -> dict[str, Any] | None:
    """Return one post with its enrichment, or None."""
    row = con.execute(
        f"SELECT {', '.join(_POST)} FROM posts WHERE platform = ? AND native_id = ?",  # noqa: S608
        [platform, native_id],
    ).fetchone()
    if row is None:
        return None
    post = dict(zip(_POST, row, strict=True))
    post["aspect_list"] = post["aspects"] or []
    post["aspects"] = [f"{a['category']}:{a['polarity']}" for a in post["aspect_list"]]
    return post


def author_of(
    con: duckdb.DuckDBPyConnection, platform: str, handle: str | None
) -> dict[str, Any] | None:
    """Return an author's profile and stakeholder group, or None."""
    if not handle:
        return None
    row = con.execute(
        f"SELECT {', '.join(_AUTHOR)} FROM authors WHERE platform = ? AND handle = ?",  # noqa: S608
        [platform, handle],
    ).fetchone()
    return None if row is None else dict(zip(_AUTHOR, row, strict=True))
