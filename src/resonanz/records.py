"""The Post / Author / Edge / Quarantine records shared by every stage, as Arrow schemas.

Sources normalise into these shapes, enrichers add the enrichment columns, the store
persists them. Timestamps are always UTC. Ids of other posts (``reply_to`` …) are native
ids on the same platform.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final, TypedDict

import pyarrow as pa

UTC_TS: Final = pa.timestamp("us", tz="UTC")

ASPECT_TYPE: Final = pa.struct([("category", pa.string()), ("polarity", pa.string())])

EDGE_KINDS: Final = ("reply", "repost", "quote", "mention")
SENTIMENTS: Final = ("negative", "neutral", "positive")
EMOTIONS: Final = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "none")
INTENTS: Final = ("question", "complaint", "purchase_intent", "recommendation", "churn_threat")
STAKEHOLDERS: Final = (
    "customer",
    "prospect",
    "press",
    "employee",
    "investor",
    "politician",
    "ngo",
    "influencer",
    "competitor",
    "bot",
)

#: Columns a source or importer fills.
POST_BASE_FIELDS: Final[list[pa.Field]] = [
    pa.field("platform", pa.string(), nullable=False),
    pa.field("native_id", pa.string(), nullable=False),
    pa.field("url", pa.string()),
    pa.field("author", pa.string()),
    pa.field("text", pa.string(), nullable=False),
    pa.field("lang", pa.string()),
    pa.field("created_at", UTC_TS, nullable=False),
    pa.field("reply_to", pa.string()),
    pa.field("repost_of", pa.string()),
    pa.field("quote_of", pa.string()),
    pa.field("thread_root", pa.string()),
    pa.field("hashtags", pa.list_(pa.string())),
    pa.field("mentions", pa.list_(pa.string())),
    pa.field("links", pa.list_(pa.string())),
    pa.field("has_media", pa.bool_()),
    pa.field("likes", pa.int64()),
    pa.field("reposts", pa.int64()),
    pa.field("replies", pa.int64()),
    pa.field("views", pa.int64()),
    pa.field("collected_at", UTC_TS, nullable=False),
    pa.field("source", pa.string()),
    pa.field("raw", pa.string()),
]

#: Columns the enrichers add (see ``resonanz.enrich``).
POST_ENRICHMENT_FIELDS: Final[list[pa.Field]] = [
    pa.field("sentiment", pa.string()),
    pa.field("sentiment_score", pa.float32()),
    pa.field("emotion", pa.string()),
    pa.field("aspects", pa.list_(ASPECT_TYPE)),
    pa.field("intents", pa.list_(pa.string())),
    pa.field("enriched", pa.string()),  # JSON {enricher name: version}
]

POST_SCHEMA: Final = pa.schema(POST_BASE_FIELDS)
ENRICHED_POST_SCHEMA: Final = pa.schema(POST_BASE_FIELDS + POST_ENRICHMENT_FIELDS)

AUTHOR_SCHEMA: Final = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("handle", pa.string(), nullable=False),
        pa.field("display_name", pa.string()),
        pa.field("bio", pa.string()),
        pa.field("followers", pa.int64()),
        pa.field("following", pa.int64()),
        pa.field("is_bot", pa.bool_()),
        pa.field("updated_at", UTC_TS, nullable=False),
        pa.field("raw", pa.string()),
    ]
)

EDGE_SCHEMA: Final = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # one of EDGE_KINDS
        pa.field("src_author", pa.string(), nullable=False),
        pa.field("dst_author", pa.string()),
        pa.field("post_id", pa.string(), nullable=False),  # the post that creates the edge
        pa.field("target_post_id", pa.string()),  # the post replied to / reposted / quoted
        pa.field("created_at", UTC_TS, nullable=False),
    ]
)


class PostRecord(TypedDict, total=False):
    """One normalised post as a plain dict (the row form of ``POST_SCHEMA``)."""

    platform: str
    native_id: str
    url: str | None
    author: str | None
    text: str
    lang: str | None
    created_at: datetime
    reply_to: str | None
    repost_of: str | None
    quote_of: str | None
    thread_root: str | None
    hashtags: list[str]
    mentions: list[str]
    links: list[str]
    has_media: bool
    likes: int | None
    reposts: int | None
    replies: int | None
    views: int | None
    collected_at: datetime
    source: str | None
    raw: str | None


class AuthorRecord(TypedDict, total=False):
    """One author profile as a plain dict (the row form of ``AUTHOR_SCHEMA``)."""

    platform: str
    handle: str
    display_name: str | None
    bio: str | None
    followers: int | None
    following: int | None
    is_bot: bool | None
    updated_at: datetime
    raw: str | None


class EdgeRecord(TypedDict, total=False):
    """One interaction edge as a plain dict (the row form of ``EDGE_SCHEMA``)."""

    platform: str
    kind: str
    src_author: str
    dst_author: str | None
    post_id: str
    target_post_id: str | None
    created_at: datetime


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def to_table(rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """Build an Arrow table of ``schema`` from dict rows; missing keys become null."""
    names = schema.names
    columns: dict[str, list[Any]] = {name: [] for name in names}
    for row in rows:
        for name in names:
            columns[name].append(row.get(name))
    try:
        return pa.Table.from_pydict(columns, schema=schema)
    except UnicodeEncodeError:
        # Rare: a lone surrogate (from a JSON escape such as "\ud800") has no UTF-8 form.
        # Mark it as unreadable instead of failing the batch it arrived in.
        scrubbed = {name: [_scrub(v) for v in values] for name, values in columns.items()}
        return pa.Table.from_pydict(scrubbed, schema=schema)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(text: str) -> str:
    """Replace lone surrogates, which cannot be encoded, by U+FFFD (an unreadable character)."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return replace_lone_surrogates(value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def empty(schema: pa.Schema) -> pa.Table:
    """Return an empty table of ``schema``."""
    return schema.empty_table()


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Select and cast ``table``'s columns to ``schema`` (missing columns become null)."""
    arrays = []
    for field in schema:
        if field.name in table.column_names:
            arrays.append(table.column(field.name).cast(field.type))
        else:
            arrays.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)
