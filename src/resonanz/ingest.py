"""Write batches from any source: enrich, match topics, store — records and cursor together."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from resonanz.heap import release_free_memory
from resonanz.records import AUTHOR_SCHEMA, EDGE_SCHEMA, POST_SCHEMA
from resonanz.store import QuarantineItem, Store
from resonanz.store.connection import is_out_of_memory

#: Posts a long run (an import, a stream) stores between two fresh connections to the
#: workspace (:meth:`Store.reattach`), which drop DuckDB's in-memory metadata of the row
#: groups written meanwhile. That metadata lives on the C heap among each batch's
#: short-lived arrays, and the longer it stays the more of the heap it pins: every 500,000
#: posts, the heap's free part grew from 119 to 210 MB and a batch's peak by 30 MB from 1M
#: to 2.5M posts; every 100,000 both stayed level (free part 103-107 MB, peak within 10 MB
#: from 1M to 2M). Detaching the file alone left DuckDB's handles of its temporary blocks
#: (about 1.9 MB per million posts) and the peak still rose by 17 MB from 1M to 5M posts; a
#: new connection, which closes the database instance, kept it within 5 MB. Reconnecting
#: takes 20-50 ms, its checkpoint included.
REATTACH_POSTS: Final = 100_000
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


_EDGE_SOURCE_COLUMNS = [
    "platform",
    "native_id",
    "author",
    "created_at",
    "reply_to",
    "repost_of",
    "quote_of",
    "mentions",
]


def derive_edges(posts: pa.Table) -> pa.Table:
    """Build reply/repost/quote/mention edges from the posts' own fields.

    The target's author is filled in by the store when the target post is known.
    Vectorised over the whole table (a per-row loop cost ~10 µs per post).
    """
    cols = posts.select(_EDGE_SOURCE_COLUMNS).combine_chunks()
    cols = cols.filter(_present(cols["author"]))
    parts = []
    for kind, key in (("reply", "reply_to"), ("repost", "repost_of"), ("quote", "quote_of")):
        sub = cols.filter(_present(cols[key]))
        parts.append(_edges(sub, kind, pa.nulls(sub.num_rows, pa.string()), sub[key]))
    mentions = cols["mentions"].combine_chunks()
    if len(mentions):
        handles = pc.list_flatten(mentions)
        sub = cols.take(pc.list_parent_indices(mentions))
        keep = pc.and_(_present(handles), pc.fill_null(pc.not_equal(handles, sub["author"]), True))
        sub, handles = sub.filter(keep), handles.filter(keep)
        parts.append(_edges(sub, "mention", handles, pa.nulls(sub.num_rows, pa.string())))
    if not parts:
        return EDGE_SCHEMA.empty_table()
    return pa.concat_tables(parts)


def _present(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """True where a string is neither null nor empty."""
    return pc.fill_null(pc.not_equal(values, ""), False)


def _edges(sub: pa.Table, kind: str, dst: pa.Array, target: pa.Array) -> pa.Table:
    columns = [
        sub["platform"],
        pa.array([kind] * sub.num_rows, pa.string()),
        sub["author"],
        dst,
        sub["native_id"],
        target,
        sub["created_at"],
    ]
    return pa.Table.from_arrays(columns, schema=EDGE_SCHEMA)


# --- pipeline speed: the cyclic garbage collector pauses while a batch is enriched ---
_GC_LOCK = threading.Lock()
_GC_PAUSES = [0, 0]  # [blocks running, 1 if the collector was on before the first]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (process-wide, nestable, thread-safe).

    Enriching and matching a batch allocates millions of short-lived containers that form no
    cycles; with the collector on, each few hundred of them trigger a collection, and the
    older generations, which hold the models and caches, are walked again and again (a sixth
    of the pipeline's time). Reference counting still frees everything at once; the
    collector resumes, and catches up, when the last paused block ends.
    """
    with _GC_LOCK:
        if _GC_PAUSES[0] == 0:
            _GC_PAUSES[1] = int(gc.isenabled())
            gc.disable()
        _GC_PAUSES[0] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_PAUSES[0] -= 1
            if _GC_PAUSES[0] == 0 and _GC_PAUSES[1]:
                gc.enable()


# --- end of the pipeline speed block ---


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
        self._since_reattach = 0  # posts stored since the store was last attached afresh

    def prefetch(self, batch: Batch) -> None:
        """Start enriching ``batch`` before its :meth:`write` (here: nothing; workers: sent)."""

    def write(self, batch: Batch) -> IngestResult:
        """Store one batch atomically (with its cursor) and return what changed."""
        posts, authors, matches = self._derive(batch)
        edges = batch.edges if batch.edges is not None else derive_edges(posts)
        checkpointed = False
        while True:
            try:
                result = self._store(batch, posts, authors, edges, matches)
            except duckdb.Error as exc:  # rolled back: the batch can be stored again
                if not is_out_of_memory(exc):
                    raise
                if self.store.grow_import_memory():
                    continue
                if checkpointed:
                    raise
                # Data committed since the last checkpoint stays in DuckDB's memory: written
                # to the file, it frees the pool, and the batch is stored again once.
                self.store.checkpoint_with_room()
                checkpointed = True
            else:
                self._since_reattach += posts.num_rows
                if self._since_reattach >= REATTACH_POSTS:
                    self._since_reattach = 0
                    self.store.reattach()
                release_free_memory()
                return result

    def _store(
        self,
        batch: Batch,
        posts: pa.Table,
        authors: pa.Table,
        edges: pa.Table,
        matches: pa.Table | None,
    ) -> IngestResult:
        """Store the derived records of ``batch`` and its cursor in one transaction."""
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

    def _derive(self, batch: Batch) -> tuple[pa.Table, pa.Table, pa.Table | None]:
        """Return the enriched posts, the enriched authors and the topic matches of ``batch``."""
        posts, authors, matches = batch.posts, batch.authors, None
        with gc_paused():
            if posts.num_rows and self.enrich is not None:
                posts = self.enrich(posts)
            if authors.num_rows and self.enrich_authors is not None:
                authors = self.enrich_authors(authors, posts)
            if self.match is not None and posts.num_rows:
                matches = self.match(posts)
        return posts, authors, matches
