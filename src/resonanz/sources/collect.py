"""Drive a connector: page through it, normalise, and write batches with their cursor."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from resonanz.ingest import Batch, Ingestor, IngestResult
from resonanz.records import AUTHOR_SCHEMA, POST_SCHEMA, to_table, utcnow
from resonanz.sources.accounts import insert_notifications
from resonanz.sources.base import Connector, CursorState, MalformedItem, dump_raw
from resonanz.sources.writer import BackgroundWriter, exclusive
from resonanz.store import QuarantineItem

log = logging.getLogger("resonanz.sources")

#: Errors a normaliser may raise on an unexpected payload shape; the item is quarantined.
NORMALIZE_ERRORS = (MalformedItem, KeyError, TypeError, ValueError, AttributeError, IndexError)


@dataclass(frozen=True)
class PostColumns:
    """Posts a live stream normalised into a table already (``POST_SCHEMA`` columns).

    The collector adds ``source`` and ``collected_at`` and stores them as they are: at
    firehose rates a record per post, turned into a table again here, cost CPU time the
    listener lacks (see :meth:`resonanz.sources.bluesky.BlueskyConnector.select`).
    """

    posts: pa.Table


@dataclass
class Built:
    """A batch ready to write, its notifications, and whether ``since`` was reached."""

    batch: Batch
    reached_since: bool = False
    notifications: list[dict[str, Any]] = field(default_factory=list)


def build_batch(
    connector: Connector,
    raws: list[Any],
    location: str,
    *,
    collected_at: datetime,
    since: datetime | None = None,
) -> Built:
    """Normalise ``raws`` into a batch; bad items go to the quarantine with their reason."""
    posts: list[dict[str, Any]] = []
    authors: dict[str, dict[str, Any]] = {}
    quarantined: list[QuarantineItem] = []
    notifications: list[dict[str, Any]] = []
    reached = False
    tables: list[pa.Table] = []
    for i, raw in enumerate(raws):
        if isinstance(raw, PostColumns):
            table, dropped = _stamped(raw.posts, connector.source_id, collected_at, since)
            tables.append(table)
            reached = reached or dropped
            continue
        try:
            item = connector.normalize(raw, collected_at)
        except NORMALIZE_ERRORS as exc:
            reason = (
                f"{type(exc).__name__}: {exc}" if not isinstance(exc, MalformedItem) else str(exc)
            )
            quarantined.append(
                QuarantineItem(
                    connector.source_id, f"{location} item {i}", reason, dump_raw(raw).encode()
                )
            )
            continue
        if item.notification is not None:
            notifications.append({**item.notification, "raw": dump_raw(raw)})
        if item.post is not None:
            post: dict[str, Any] = dict(item.post)
            if since is not None and post["created_at"] < since:
                reached = True
                continue
            if post.get("raw") is None:  # a stream may keep the payload as it arrived
                post["raw"] = dump_raw(raw)
            post["source"] = connector.source_id
            post["collected_at"] = collected_at
            posts.append(post)
        if item.author is not None:
            author: dict[str, Any] = dict(item.author)
            author.setdefault("updated_at", collected_at)
            authors[author["handle"]] = author
    table = to_table(posts, POST_SCHEMA)
    batch = Batch(
        posts=pa.concat_tables([table, *tables]) if tables else table,
        authors=to_table(authors.values(), AUTHOR_SCHEMA),
        quarantined=quarantined,
    )
    return Built(batch, reached, notifications)


def _stamped(
    posts: pa.Table, source: str, collected_at: datetime, since: datetime | None
) -> tuple[pa.Table, bool]:
    """Return ``posts`` in ``POST_SCHEMA`` form with source and collection time, from ``since``.

    Also tell whether posts older than ``since`` were left out.
    """
    reached = False
    if since is not None and posts.num_rows:
        fresh = pc.greater_equal(
            posts.column("created_at"), pa.scalar(since, POST_SCHEMA.field("created_at").type)
        )
        reached = not pc.all(fresh).as_py()
        posts = posts.filter(fresh)
    n = posts.num_rows
    given = {"source": pa.array([source] * n, pa.string())}
    given["collected_at"] = pa.array([collected_at] * n, POST_SCHEMA.field("collected_at").type)
    columns = [
        given[f.name] if f.name in given else posts.column(f.name).cast(f.type) for f in POST_SCHEMA
    ]
    return pa.Table.from_arrays(columns, schema=POST_SCHEMA), reached


class Collector:
    """Write what one connector produces through an :class:`Ingestor`, cursor included.

    Pages are stored as they arrive; a live stream's batches are stored by a
    :class:`~resonanz.sources.writer.BackgroundWriter` so that the stream keeps reading.
    ``lock`` guards the store when several sources share it.
    """

    def __init__(
        self,
        connector: Connector,
        ingestor: Ingestor,
        *,
        on_write: Callable[[IngestResult], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
        lock: threading.RLock | None = None,
    ) -> None:
        self.connector = connector
        self.ingestor = ingestor
        self.on_write = on_write
        self.clock = clock
        self.lock = lock if lock is not None else threading.RLock()
        self.total = IngestResult()
        self._writer: BackgroundWriter[Built] | None = None

    @property
    def source_id(self) -> str:
        """The connector's source id (the cursor's key)."""
        return self.connector.source_id

    def state(self) -> CursorState:
        """Return the stored cursor of this source (after the batches still being written)."""
        self._settle()
        with exclusive(self.ingestor.store, self.lock) as store:
            return CursorState.loads(store.get_cursor(self.source_id))

    def write(
        self,
        raws: list[Any],
        state: CursorState,
        location: str,
        since: datetime | None = None,
    ) -> Built:
        """Normalise and store ``raws`` with ``state`` as the new cursor, in one transaction."""
        self._settle()  # a stream's batches before these come first
        built = self._build(raws, state, location, since)
        self._locked_store(built)
        return built

    def _build(
        self, raws: list[Any], state: CursorState, location: str, since: datetime | None = None
    ) -> Built:
        built = build_batch(self.connector, raws, location, collected_at=self.clock(), since=since)
        built.batch.cursor = (self.source_id, state.dumps())
        return built

    def _store(self, built: Built) -> None:
        """Write one built batch (the caller holds the lock)."""
        if built.notifications:
            # Written first and idempotently: a crash before the batch commits re-delivers
            # them, and the primary key absorbs the repeat.
            insert_notifications(self.ingestor.store, built.notifications)
        result = self.ingestor.write(built.batch)
        self.total.add(result)
        if self.on_write is not None:
            self.on_write(result)

    async def emit(self, raws: list[Any], state: CursorState, location: str) -> None:
        """Hand items pushed by a live stream to the background writer (``Emit``).

        Returns at once unless the writer is behind (backpressure); a failed earlier
        write is raised here, so the stream stops and resumes from the stored cursor.
        """
        built = self._build(raws, state, location)
        if self._writer is None:
            self._writer = BackgroundWriter(self._locked_store, prefetch=self._prefetch)
        await self._writer.put(built)

    def _locked_store(self, built: Built) -> None:
        with exclusive(self.ingestor.store, self.lock):
            self._store(built)

    def _prefetch(self, built: Built) -> None:
        self.ingestor.prefetch(built.batch)

    async def follow(self) -> None:
        """Follow the connector's live stream until it ends; store everything it emitted."""
        try:
            await self.connector.live(self.state(), self.emit, self.resync)
        finally:
            self._settle()

    def close(self) -> None:
        """Store what a stream emitted and stop the background writer."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    def _settle(self) -> None:
        """Wait for the background writer; raise what it failed with."""
        if self._writer is not None:
            self._writer.drain()

    async def resync(self) -> CursorState:
        """Back-fill up to now and return the cursor (a live stream's ``Resync``)."""
        await self.catch_up()
        return self.state()

    async def catch_up(self, since: datetime | None = None) -> IngestResult:
        """Page from the newest item down to the stored ``high`` (or ``since``) and store all.

        A run interrupted by a crash resumes at its stored ``next`` page.
        """
        before = IngestResult()
        before.add(self.total)
        state = self.state()
        token = state.next if state.run_top is not None else None
        while True:
            page = await self.connector.page(token, state, since)
            fresh, reached_high, top = self._split(page.items, state.high)
            if state.run_top is None and top is not None:
                state = CursorState(state.high, top, None, state.extra)
            location = f"page {token or 'first'}"
            nxt = page.next if not reached_high else None
            provisional = CursorState(state.high, state.run_top, nxt, {**state.extra, **page.extra})
            if nxt is None:
                provisional = CursorState(state.high, None, None, provisional.extra).raised_to(
                    state.run_top
                )
            built = self.write(fresh, provisional, location, since)
            state = provisional
            if nxt is None or built.reached_since:
                if built.reached_since and nxt is not None:
                    state = CursorState(state.high, None, None, state.extra).raised_to(
                        state.run_top
                    )
                    self.write([], state, location)
                break
            token = nxt
        return _minus(self.total, before)

    def _split(self, raws: list[Any], high: str | None) -> tuple[list[Any], bool, str | None]:
        """Drop items at or below ``high``; return the rest, whether any fell, the top key."""
        fresh: list[Any] = []
        reached = False
        top: str | None = None
        for raw in raws:
            try:
                key = self.connector.key(raw)
            except NORMALIZE_ERRORS:
                fresh.append(raw)  # normalising it will quarantine it with the reason
                continue
            if self.connector.watermark and high is not None and key <= high:
                reached = True
                continue
            top = key if top is None or key > top else top
            fresh.append(raw)
        return fresh, reached, top


def _minus(a: IngestResult, b: IngestResult) -> IngestResult:
    return IngestResult(
        a.posts_new - b.posts_new,
        a.posts_seen - b.posts_seen,
        a.authors_new - b.authors_new,
        a.edges_new - b.edges_new,
        a.quarantined - b.quarantined,
    )
