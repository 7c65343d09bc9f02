"""Turn one flat input record (a JSONL object, a CSV row, a Parquet row) into our records.

The field names are those of the documented JSONL format (docs/import-formats.md); CSV and
Parquet rows are renamed to them first. Unknown fields are kept as JSON in ``raw``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson

from resonanz.importers.values import (
    RecordError,
    bool_value,
    extract_hashtags,
    extract_links,
    extract_mentions,
    handle_value,
    id_value,
    int_value,
    list_value,
    text_value,
    timestamp_value,
)
from resonanz.records import AuthorRecord, PostRecord

#: Longest post text accepted; longer texts are quarantined as absurd.
MAX_TEXT_CHARS: Final = 100_000

#: The fields of the import format, in documentation order.
FIELDS: Final = (
    "id",
    "text",
    "created_at",
    "author",
    "platform",
    "lang",
    "url",
    "author_name",
    "author_bio",
    "author_followers",
    "author_following",
    "author_is_bot",
    "reply_to",
    "repost_of",
    "quote_of",
    "thread_root",
    "likes",
    "reposts",
    "replies",
    "views",
    "hashtags",
    "mentions",
    "links",
    "has_media",
    "collected_at",
    "raw",
)

#: Other names accepted for the fields (our own Parquet/export column names among them).
ALIASES: Final[Mapping[str, str]] = {"native_id": "id"}

#: Columns our exports add that an import recomputes, so they are not kept in ``raw``.
DERIVED: Final = frozenset(
    {"sentiment", "sentiment_score", "emotion", "aspects", "intents", "enriched", "topics"}
)
_KNOWN: Final = frozenset(FIELDS) | frozenset(ALIASES) | DERIVED | {"source"}


@dataclass(frozen=True)
class Defaults:
    """Values a record gets when it does not say otherwise."""

    platform: str
    source: str
    collected_at: datetime


def normalize(obj: Mapping[str, Any], defaults: Defaults) -> tuple[PostRecord, AuthorRecord | None]:
    """Return the post and (when it names an author) the author record of ``obj``.

    Raise :class:`RecordError` naming the first problem found.
    """
    get = obj.get
    native_id = id_value(get("id", get("native_id")), "id")
    if native_id is None:
        raise RecordError("missing id")
    repost_of = id_value(get("repost_of"), "repost_of")
    text = get("text")
    if text is None or (text == "" and repost_of is None):
        raise RecordError("missing text")
    if not isinstance(text, str):
        raise RecordError(f"text must be a string, got {type(text).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        raise RecordError(f"text too long: {len(text)} characters (limit {MAX_TEXT_CHARS})")
    created_at = timestamp_value(get("created_at"), "created_at")
    if created_at is None:
        raise RecordError("missing created_at")
    platform = text_value(get("platform"), "platform") or defaults.platform
    author = handle_value(get("author"), "author")
    collected_at = timestamp_value(get("collected_at"), "collected_at") or defaults.collected_at
    post: PostRecord = {
        "platform": platform,
        "native_id": native_id,
        "url": text_value(get("url"), "url"),
        "author": author,
        "text": text,
        "lang": text_value(get("lang"), "lang"),
        "created_at": created_at,
        "reply_to": id_value(get("reply_to"), "reply_to"),
        "repost_of": repost_of,
        "quote_of": id_value(get("quote_of"), "quote_of"),
        "thread_root": id_value(get("thread_root"), "thread_root"),
        "hashtags": _hashtags(get("hashtags"), text),
        "mentions": _listed(get("mentions"), "mentions", "@", text, extract_mentions),
        "links": _listed(get("links"), "links", "", text, extract_links),
        "has_media": bool_value(get("has_media"), "has_media") or False,
        "likes": int_value(get("likes"), "likes"),
        "reposts": int_value(get("reposts"), "reposts"),
        "replies": int_value(get("replies"), "replies"),
        "views": int_value(get("views"), "views"),
        "collected_at": collected_at,
        "source": defaults.source,
        "raw": _raw(obj),
    }
    return post, _author(obj, platform, author, collected_at)


def _hashtags(value: object, text: str) -> list[str]:
    listed = list_value(value, "hashtags", "#")
    if listed is None:
        return extract_hashtags(text)
    return list(dict.fromkeys(tag.lower() for tag in listed))


def _listed(
    value: object, name: str, strip: str, text: str, extract: Callable[[str], list[str]]
) -> list[str]:
    listed = list_value(value, name, strip)
    return extract(text) if listed is None else listed


def _author(
    obj: Mapping[str, Any], platform: str, handle: str | None, seen: datetime
) -> AuthorRecord | None:
    if handle is None:
        return None
    get = obj.get
    return {
        "platform": platform,
        "handle": handle,
        "display_name": text_value(get("author_name"), "author_name"),
        "bio": text_value(get("author_bio"), "author_bio"),
        "followers": int_value(get("author_followers"), "author_followers"),
        "following": int_value(get("author_following"), "author_following"),
        "is_bot": bool_value(get("author_is_bot"), "author_is_bot"),
        "updated_at": seen,
    }


def _raw(obj: Mapping[str, Any]) -> str | None:
    """Keep unknown fields (and a given ``raw`` payload) as one JSON string."""
    extra = [key for key in obj if key not in _KNOWN]
    raw = obj.get("raw")
    if not extra:
        if raw is None or isinstance(raw, str):
            return raw or None
        return orjson.dumps(raw, default=str).decode()
    kept = {key: obj[key] for key in sorted(extra)}
    if raw is not None:
        kept["raw"] = raw
    return orjson.dumps(kept, default=str).decode()
