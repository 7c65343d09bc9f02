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
from resonanz.records import AUTHOR_SCHEMA, POST_SCHEMA, AuthorRecord, PostRecord

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
#: The post fields in ``POST_SCHEMA`` order: the order of :func:`post_row`'s values.
POST_FIELDS: Final = tuple(POST_SCHEMA.names)
#: The author fields in ``AUTHOR_SCHEMA`` order (``raw`` last): the order of author rows.
AUTHOR_FIELDS: Final = tuple(AUTHOR_SCHEMA.names)
assert AUTHOR_FIELDS[-1] == "raw"


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
    row, author = post_row(obj, defaults)
    post: PostRecord = dict(zip(POST_FIELDS, row, strict=True))  # type: ignore[assignment]
    if author is None:
        return post, None
    profile = dict(zip(AUTHOR_FIELDS[:-1], author[:-1], strict=True))
    return post, profile  # type: ignore[return-value]


def post_row(
    obj: Mapping[str, Any], defaults: Defaults
) -> tuple[tuple[Any, ...], list[Any] | None]:
    """Return the post of ``obj`` as a row in :data:`POST_FIELDS` order, and its author's row.

    The importers' own path (no dict per post): the usual field types are checked inline,
    and fields a record leaves out cost one lookup. Problems are found in the order
    :func:`normalize` names them.
    """
    get = obj.get
    value = get("id", get("native_id"))
    native_id = value.strip() or None if value.__class__ is str else id_value(value, "id")
    if native_id is None:
        raise RecordError("missing id")
    value = get("repost_of")
    repost_of = None if value is None else id_value(value, "repost_of")
    text = get("text")
    if text is None or (text == "" and repost_of is None):
        raise RecordError("missing text")
    if text.__class__ is not str and not isinstance(text, str):
        raise RecordError(f"text must be a string, got {type(text).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        raise RecordError(f"text too long: {len(text)} characters (limit {MAX_TEXT_CHARS})")
    created_at = timestamp_value(get("created_at"), "created_at")
    if created_at is None:
        raise RecordError("missing created_at")
    value = get("platform")
    platform = (
        value if value.__class__ is str and value else text_value(value, "platform")
    ) or defaults.platform
    value = get("author")
    author = None if value is None else handle_value(value, "author")
    value = get("collected_at")
    collected_at = (
        None if value is None else timestamp_value(value, "collected_at")
    ) or defaults.collected_at
    row = (
        platform,
        native_id,
        _text(get("url"), "url"),
        author,
        text,
        _text(get("lang"), "lang"),
        created_at,
        _id(get("reply_to"), "reply_to"),
        repost_of,
        _id(get("quote_of"), "quote_of"),
        _id(get("thread_root"), "thread_root"),
        _hashtags(get("hashtags"), text),
        _listed(get("mentions"), "mentions", "@", text, extract_mentions),
        _listed(get("links"), "links", "", text, extract_links),
        _flag(get("has_media")),
        _count(get("likes"), "likes"),
        _count(get("reposts"), "reposts"),
        _count(get("replies"), "replies"),
        _count(get("views"), "views"),
        collected_at,
        defaults.source,
        _raw(obj),
    )
    if author is None:
        return row, None
    return row, _author(obj, platform, author, collected_at)


def _text(value: object, name: str) -> str | None:
    if value is None:
        return None
    return value if value.__class__ is str and value else text_value(value, name)


def _id(value: object, name: str) -> str | None:
    return None if value is None else id_value(value, name)


def _count(value: object, name: str) -> int | None:
    if value.__class__ is int and value >= 0:
        return value
    return None if value is None else int_value(value, name)


def _flag(value: object) -> bool:
    if value is None:
        return False
    return bool_value(value, "has_media") or False


def _hashtags(value: object, text: str) -> list[str]:
    if value is None:
        return extract_hashtags(text) if "#" in text else []
    listed = list_value(value, "hashtags", "#")
    if listed is None:
        return extract_hashtags(text)
    return list(dict.fromkeys(tag.lower() for tag in listed))


def _listed(
    value: object, name: str, strip: str, text: str, extract: Callable[[str], list[str]]
) -> list[str]:
    listed = None if value is None else list_value(value, name, strip)
    return extract(text) if listed is None else listed


def _author(obj: Mapping[str, Any], platform: str, handle: str, seen: datetime) -> list[Any]:
    """Return the author's profile as a row in :data:`AUTHOR_FIELDS` order."""
    get = obj.get
    value = get("author_is_bot")
    return [
        platform,
        handle,
        _text(get("author_name"), "author_name"),
        _text(get("author_bio"), "author_bio"),
        _count(get("author_followers"), "author_followers"),
        _count(get("author_following"), "author_following"),
        None if value is None else bool_value(value, "author_is_bot"),
        seen,
        None,  # raw: the import format has no author payload
    ]


def _raw(obj: Mapping[str, Any]) -> str | None:
    """Keep unknown fields (and a given ``raw`` payload) as one JSON string."""
    raw = obj.get("raw")
    if obj.keys() <= _KNOWN:  # the usual record: nothing unknown to keep
        if raw is None or isinstance(raw, str):
            return raw or None
        return orjson.dumps(raw, default=str).decode()
    kept = {key: obj[key] for key in sorted(obj) if key not in _KNOWN}
    if raw is not None:
        kept["raw"] = raw
    return orjson.dumps(kept, default=str).decode()
