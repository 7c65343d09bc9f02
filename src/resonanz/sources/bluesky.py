"""Bluesky (AT Protocol): ``app.bsky.feed.searchPosts`` backfill, Jetstream live.

Posts are keyed by their ``at://`` URI. Jetstream delivers every new post of the network;
we keep the ones the source's query matches (:mod:`resonanz.sources.matching`) and resume
with Jetstream's ``time_us`` cursor, stored with the posts it produced.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

import httpx
import pyarrow as pa
import pyarrow.compute as pc

from resonanz.errors import AuthFailed, Unavailable
from resonanz.ingest import gc_paused
from resonanz.records import POST_SCHEMA, AuthorRecord, PostRecord, replace_lone_surrogates
from resonanz.sources import jetstream
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
    time_key,
)
from resonanz.sources.collect import PostColumns
from resonanz.sources.http import Http
from resonanz.sources.matching import post_filter
from resonanz.sources.settings import BlueskySource

PAGE_SIZE = 100
POST_COLLECTION = "app.bsky.feed.post"


#: The columns a source query can look at: the filter's table needs no others.
_FILTER_COLUMNS = ("platform", "native_id", "author", "text", "lang", "hashtags", "mentions")
_FILTER_SCHEMA = pa.schema([POST_SCHEMA.field(n) for n in (*_FILTER_COLUMNS, "links")])
#: The columns a stream's posts arrive with; the collector adds ``source`` and ``collected_at``.
_STREAM_SCHEMA = pa.schema([f for f in POST_SCHEMA if f.name not in ("source", "collected_at")])


def post_url(handle: str, uri: str) -> str:
    """Return the web address of a post."""
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def _facets(record: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """Return (mentions, links, tags) of a post record's rich-text facets."""
    mentions: list[str] = []
    links: list[str] = []
    tags = [str(t).lower() for t in record.get("tags") or ()]
    facets = record.get("facets")
    if not facets:  # most posts: no need to encode the text for byte offsets
        return mentions, links, list(dict.fromkeys(tags)) if tags else tags
    text_bytes = str(record.get("text") or "").encode("utf-8")
    for facet in facets:
        index = facet.get("index") or {}
        for feature in facet.get("features") or ():
            kind = str(feature.get("$type", ""))
            if kind.endswith("#mention"):
                start, end = int(index.get("byteStart", 0)), int(index.get("byteEnd", 0))
                shown = text_bytes[start:end].decode("utf-8", "replace").lstrip("@")
                mentions.append(shown or str(feature.get("did")))
            elif kind.endswith("#link") and feature.get("uri"):
                links.append(str(feature["uri"]))
            elif kind.endswith("#tag") and feature.get("tag"):
                tags.append(str(feature["tag"]).lower())
    return mentions, links, list(dict.fromkeys(tags))


def _embed(record: dict[str, Any]) -> tuple[str | None, bool, str | None]:
    """Return (quoted post URI, has media, external link) of a record's embed."""
    embed = record.get("embed")
    if not isinstance(embed, dict):
        return None, False, None
    kind = str(embed.get("$type", ""))
    if kind == "app.bsky.embed.record":
        return (embed.get("record") or {}).get("uri"), False, None
    if kind == "app.bsky.embed.recordWithMedia":
        inner = (embed.get("record") or {}).get("record") or {}
        return inner.get("uri"), True, None
    if kind == "app.bsky.embed.external":
        return None, False, (embed.get("external") or {}).get("uri")
    return None, kind in ("app.bsky.embed.images", "app.bsky.embed.video"), None


#: The fields :func:`post_fields` returns, in order (``POST_SCHEMA`` names).
FIELD_NAMES = (
    "native_id",
    "url",
    "author",
    "text",
    "lang",
    "created_at",
    "reply_to",
    "thread_root",
    "quote_of",
    "hashtags",
    "mentions",
    "links",
    "has_media",
)
#: A post's fields in the order of :data:`FIELD_NAMES`.
PostFields = tuple[
    str, str, str, str, Any, datetime, Any, Any, Any, list[str], list[str], list[str], bool
]


def post_fields(uri: str, author: str, record: dict[str, Any]) -> PostFields:
    """Map an ``app.bsky.feed.post`` record to a post's fields (:data:`FIELD_NAMES`)."""
    if record.get("$type", POST_COLLECTION) != POST_COLLECTION:
        raise MalformedItem(f"not a post record: {record.get('$type')!r}")
    mentions, links, tags = _facets(record)
    quoted, media, external = _embed(record) if "embed" in record else (None, False, None)
    if external and external not in links:
        links.append(external)
    reply: dict[str, Any] = record["reply"] if isinstance(record.get("reply"), dict) else {}
    langs = record.get("langs") or [None]
    return (
        uri,
        post_url(author, uri),
        author,
        str(record.get("text") or ""),
        langs[0],
        parse_time(require(record, "createdAt")),
        (reply.get("parent") or {}).get("uri") if reply else None,
        (reply.get("root") or {}).get("uri") if reply else None,
        quoted,
        tags,
        mentions,
        links,
        media,
    )


def record_post(uri: str, author: str, record: dict[str, Any]) -> PostRecord:
    """Map an ``app.bsky.feed.post`` record to a post (counts unknown)."""
    post = dict(zip(FIELD_NAMES, post_fields(uri, author, record), strict=True))
    post["platform"] = "bluesky"
    return cast(PostRecord, post)


def normalize_post_view(raw: Any) -> Item:
    """Map a ``app.bsky.feed.defs#postView`` to our records (pure)."""
    uri = str(require(raw, "uri"))
    author = require(raw, "author")
    handle = str(author.get("handle") or require(author, "did"))
    post = record_post(uri, handle, require(raw, "record"))
    post["likes"] = raw.get("likeCount")
    post["reposts"] = raw.get("repostCount")
    post["replies"] = raw.get("replyCount")
    profile = AuthorRecord(
        platform="bluesky",
        handle=handle,
        display_name=author.get("displayName") or None,
        bio=author.get("description") or None,
        followers=author.get("followersCount"),
        following=author.get("followsCount"),
    )
    return Item(post, profile)


def normalize_jetstream(raw: Any, handles: Mapping[str, str]) -> Item:
    """Map a Jetstream commit event (create of a post) to our records (pure)."""
    did = str(require(raw, "did"))
    uri, record = _created_post(raw, did)
    return Item(record_post(uri, handles.get(did, did), record))


def jetstream_fields(raw: Any, handles: Mapping[str, str]) -> PostFields:
    """Return the fields of the post a Jetstream commit event creates, as a record would."""
    did = str(require(raw, "did"))
    uri, record = _created_post(raw, did)
    return post_fields(uri, handles.get(did, did), record)


def _created_post(raw: Any, did: str) -> tuple[str, dict[str, Any]]:
    """Return the URI and record of the post a commit event creates (else MalformedItem)."""
    commit = require(raw, "commit")
    if commit.get("operation") != "create" or commit.get("collection") != POST_COLLECTION:
        raise MalformedItem("not the creation of a post")
    return f"at://{did}/{POST_COLLECTION}/{require(commit, 'rkey')}", require(commit, "record")


class BlueskyConnector(Connector):
    """One search query: searchPosts pages, then Jetstream filtered by the same query."""

    platform = "bluesky"
    streams = True

    def __init__(
        self, source_id: str, http: Http, settings: BlueskySource, password: str | None = None
    ) -> None:
        super().__init__(source_id, http)
        self.settings = settings
        self.base = settings.service.rstrip("/")
        self._password = password
        self._jwt: str | None = None
        self.handles: dict[str, str] = {}
        self._filter = post_filter(settings.query)
        self.started_us = time.time_ns() // 1000

    def can_stream(self) -> bool:
        """True when a Jetstream URL is configured."""
        return bool(self.settings.jetstream)

    async def login(self) -> None:
        """Open a session with the app password (``com.atproto.server.createSession``)."""
        if not self.settings.identifier or self._password is None:
            return
        body = {"identifier": self.settings.identifier, "password": self._password}
        data = await self.http.get_json(
            f"{self.base}/xrpc/com.atproto.server.createSession", method="POST", json=body
        )
        self._jwt = str(require(data, "accessJwt"))

    async def page(self, token: str | None, state: CursorState, since: datetime | None) -> RawPage:
        """Fetch one searchPosts page (``sort=latest``), logging in when configured."""
        if token is None:
            self.started_us = time.time_ns() // 1000
        if self._jwt is None and self._password is not None:
            await self.login()
        params: dict[str, str | int] = {"q": self.settings.query, "sort": "latest"}
        params["limit"] = PAGE_SIZE
        if token:
            params["cursor"] = token
        if since is not None:
            params["since"] = since.isoformat().replace("+00:00", "Z")
        url = f"{self.base}/xrpc/app.bsky.feed.searchPosts"
        try:
            data = await self.http.get_json(url, params=params, headers=self._auth())
        except AuthFailed:
            if self._password is None:
                raise
            await self.login()  # the access JWT lives minutes; a fresh one is cheap
            data = await self.http.get_json(url, params=params, headers=self._auth())
        posts = data.get("posts") if isinstance(data, dict) else None
        if not isinstance(posts, list):
            raise Unavailable("bluesky searchPosts answered without `posts`; check --service")
        for view in posts:
            author = view.get("author") if isinstance(view, dict) else None
            if isinstance(author, dict) and author.get("did") and author.get("handle"):
                self.handles[str(author["did"])] = str(author["handle"])
        cursor = data.get("cursor")
        return RawPage(posts, str(cursor) if cursor and posts else None)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._jwt}"} if self._jwt else {}

    def key(self, raw: Any) -> str:
        """Order by the record's creation time, then URI."""
        if "commit" in raw:
            record = require(raw, "commit", "record")
            uri = f"at://{raw['did']}/{POST_COLLECTION}/{raw['commit'].get('rkey')}"
        else:
            record, uri = require(raw, "record"), str(require(raw, "uri"))
        return time_key(parse_time(require(record, "createdAt")), uri)

    def normalize(self, raw: Any, collected_at: datetime) -> Item:
        """Map a post view or a Jetstream commit event."""
        if isinstance(raw, dict) and "commit" in raw:
            return normalize_jetstream(raw, self.handles)
        return normalize_post_view(raw)

    async def live(self, state: CursorState, emit: Emit, resync: Resync) -> None:
        """Follow Jetstream from the stored ``time_us`` (or from when the backfill began)."""
        if not self.settings.jetstream:
            raise NotImplementedError("no jetstream configured")
        cursor = int(state.extra.get("time_us") or self.started_us)
        url = httpx.URL(self.settings.jetstream.rstrip("/") + "/subscribe").copy_merge_params(
            {"wantedCollections": POST_COLLECTION, "cursor": str(cursor)}
        )
        batcher = jetstream.Batcher(state, emit, self.select, self._note_identity, cursor)
        await jetstream.follow(str(url), batcher)

    def _note_identity(self, event: dict[str, Any]) -> None:
        identity = event.get("identity")
        if (
            event.get("kind") == "identity"
            and isinstance(identity, dict)
            and identity.get("did")
            and identity.get("handle")
        ):
            self.handles[str(identity["did"])] = str(identity["handle"])

    def select(self, events: list[tuple[str, dict[str, Any]]]) -> list[PostColumns]:
        """Return the created posts the source's query matches, as one table of posts.

        Each post is normalised once into a row of fields, and the rows become one table
        column by column (no record dict per post): the filter and the store read the same
        table. The message text as received is the raw payload.
        """
        rows: list[PostFields] = []
        raws: list[str] = []
        handles = self.handles
        with gc_paused():  # thousands of live records, no cycles: collections only cost
            for text, event in events:
                if event.get("kind") != "commit":
                    continue
                try:
                    rows.append(jetstream_fields(event, handles))
                except (MalformedItem, KeyError, TypeError, ValueError, AttributeError):
                    continue  # deletes, likes of other collections, broken records
                raws.append(text)
            if not rows:
                return []
            table = stream_table(rows, raws)
            del rows, raws
        matched = self._filter(table.select(_FILTER_SCHEMA.names))
        if not matched:
            return []
        if len(matched) == table.num_rows:
            return [PostColumns(table)]
        keep = pc.is_in(table.column("native_id"), value_set=pa.array(sorted(matched)))
        return [PostColumns(table.filter(keep))]


def stream_table(rows: list[PostFields], raws: list[str]) -> pa.Table:
    """Build the table of a stream's posts from their fields, column by column.

    Lone surrogates (from JSON escapes such as ``"\\ud800"``), which have no UTF-8 form,
    are scrubbed as :func:`resonanz.records.to_table` does.
    """
    n = len(rows)
    given: dict[str, Sequence[Any]] = dict(zip(FIELD_NAMES, zip(*rows, strict=True), strict=True))
    given["raw"] = raws
    given["platform"] = ["bluesky"] * n
    columns = []
    for f in _STREAM_SCHEMA:
        values = given.get(f.name)
        columns.append(pa.nulls(n, f.type) if values is None else _array(values, f.type))
    return pa.Table.from_arrays(columns, schema=_STREAM_SCHEMA)


def _array(values: Sequence[Any], kind: pa.DataType) -> pa.Array:
    try:
        return pa.array(values, kind)
    except UnicodeEncodeError:
        return pa.array([_scrubbed(v) for v in values], kind)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return replace_lone_surrogates(value)
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value
