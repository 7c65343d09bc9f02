"""Write batches from any source: enrich, match topics, store — records and cursor together."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from resonanz.records import AUTHOR_SCHEMA, EDGE_SCHEMA, POST_SCHEMA
from resonanz.store import QuarantineItem, Store

#: Adds enrichment columns to a posts table (see :mod:`resonanz.enrich`).
Enrich = Callable[[pa.Table], pa.Table]
#: Adds stakeholder columns to an authors table, given the batch's posts.
EnrichAuthors = Callable[[pa.Table, pa.Table], pa.Table]
#: Returns the (platform, native_id, topic) matches of a posts table (see :mod:`resonanz.query`).
Match = Callable[[pa.Table], pa.Table]


@dataclass
class Batch:
    """What one page, file chunk or stream window produced."""

    posts: pa.Table = field(default_factory=POST_SCHEMA.empty_table)
    authors: pa.Table = field(default_factory=AUTHOR_SCHEMA.empty_table)
    edges: pa.Table | None = None  # None: derive from the posts' reply/repost/quote/mentions
    quarantined: Sequence[QuarantineItem] = ()
    cursor: tuple[str, str] | None = None  # (source, cursor) committed with the records


@dataclass
class IngestResult:
    """Counts of what one or more batches did to the store."""

    posts_new: int = 0
    posts_seen: int = 0
    authors_new: int = 0
    edges_new: int = 0
    quarantined: int = 0

    def add(self, other: IngestResult) -> None:
        """Accumulate another result into this one."""
        self.posts_new += other.posts_new
        self.posts_seen += other.posts_seen
        self.authors_new += other.authors_new
        self.edges_new += other.edges_new
        self.quarantined += other.quarantined


def derive_edges(posts: pa.Table) -> pa.Table:
    """Build reply/repost/quote/mention edges from the posts' own fields.

    The target's author is filled in by the store when the target post is known.
    """
    rows: dict[str, list[object]] = {name: [] for name in EDGE_SCHEMA.names}

    def add(
        platform: object,
        kind: str,
        src: object,
        dst: object,
        post: object,
        target: object,
        at: object,
    ) -> None:
        for name, value in zip(
            EDGE_SCHEMA.names, (platform, kind, src, dst, post, target, at), strict=True
        ):
            rows[name].append(value)

    cols = posts.select(
        [
            "platform",
            "native_id",
            "author",
            "created_at",
            "reply_to",
            "repost_of",
            "quote_of",
            "mentions",
        ]
    ).to_pydict()
    for i, src in enumerate(cols["author"]):
        if not src:
            continue
        platform, post, at = cols["platform"][i], cols["native_id"][i], cols["created_at"][i]
        for kind, key in (("reply", "reply_to"), ("repost", "repost_of"), ("quote", "quote_of")):
            target = cols[key][i]
            if target:
                add(platform, kind, src, None, post, target, at)
        for handle in cols["mentions"][i] or ():
            if handle and handle != src:
                add(platform, "mention", src, handle, post, None, at)
    return pa.Table.from_pydict(rows, schema=EDGE_SCHEMA)


class Ingestor:
    """Enrich, match and store batches in one workspace store.

    ``enrich`` and ``match`` are callables over a posts table: the first returns the table with
    enrichment columns added, the second a (platform, native_id, topic) table.
    """

    def __init__(
        self,
        store: Store,
        enrich: Enrich | None = None,
        match: Match | None = None,
        enrich_authors: EnrichAuthors | None = None,
    ) -> None:
        self.store = store
        self.enrich = enrich
        self.match = match
        self.enrich_authors = enrich_authors

    def write(self, batch: Batch) -> IngestResult:
        """Store one batch atomically (with its cursor) and return what changed."""
        posts = batch.posts
        if posts.num_rows and self.enrich is not None:
            posts = self.enrich(posts)
        authors = batch.authors
        if authors.num_rows and self.enrich_authors is not None:
            authors = self.enrich_authors(authors, posts)
        matches = self.match(posts) if (self.match is not None and posts.num_rows) else None
        edges = batch.edges if batch.edges is not None else derive_edges(posts)
        result = IngestResult(posts_seen=posts.num_rows)
        with self.store.transaction():
            result.posts_new = self.store.upsert_posts(posts)
            result.authors_new = self.store.upsert_authors(authors)
            result.edges_new = self.store.insert_edges(edges)
            if matches is not None:
                self.store.insert_matches(matches)
            result.quarantined = self.store.quarantine(list(batch.quarantined))
            if batch.cursor is not None:
                self.store.set_cursor(*batch.cursor)
        return result
