"""Open the ingest pipeline for ``resonanz listen``: in this process, or with worker processes.

A firehose (Bluesky's Jetstream delivers every post of the network) needs more than one
core for full enrichment: a worker process enriches and matches most of each batch while
this process receives, normalises and stores. For slow sources a worker only costs memory
and start-up time, so ``auto`` starts one only for a firehose on a machine with two cores
or more and enrichment switched on.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

from resonanz.config import Settings
from resonanz.ingest import Ingestor
from resonanz.pipeline import pooled_ingestor
from resonanz.sources.settings import BlueskySource
from resonanz.store import Store
from resonanz.store.connection import APPEND_SETTINGS
from resonanz.workspace import Workspace

#: Share of each stream batch enriched in this process: none, since receiving, decoding,
#: normalising, filtering and storing here measured more CPU per post than enrichment and
#: matching in the worker (about 225 vs 90 µs with a fifth of each batch kept here).
STREAM_LOCAL_SHARE = 0.0
#: WAL size after which DuckDB checkpoints while a stream is stored (its default: 16 MiB).
#: Each checkpoint writes the posts table's last, still filling row group again; a firehose
#: fills 16 MiB every second or two. With 256 MiB, storing a 120,000-post replay cost the
#: listener 31-36 instead of 45-56 µs per post; but what is committed waits in DuckDB's pool
#: until the checkpoint, and the writer's pool holds 128 MB. A threshold of half of it keeps
#: room for the batch being stored; the WAL, replayed after a crash, stays below this size.
STREAM_CHECKPOINT_THRESHOLD = "64MiB"


def auto_workers(settings: Settings, cpus: int | None = None) -> int:
    """Return 1 for a firehose with enrichment on a multi-core machine, else 0."""
    cpus = (os.cpu_count() or 1) if cpus is None else cpus
    firehose = any(isinstance(s, BlueskySource) and s.jetstream for s in settings.sources)
    return 1 if firehose and settings.enrich.on_import and cpus >= 2 else 0


@contextmanager
def listen_ingestor(
    workspace: Workspace, store: Store, workers: int | None = None
) -> Iterator[Ingestor]:
    """Yield the workspace's ingestor, with ``workers`` processes (None: :func:`auto_workers`)."""
    count = auto_workers(workspace.settings) if workers is None else workers
    with (
        stream_settings(store),
        pooled_ingestor(workspace, store, count, local_share=STREAM_LOCAL_SHARE) as ingestor,
        frozen_heap(),
    ):
        yield ingestor


@contextmanager
def stream_settings(store: Store) -> Iterator[None]:
    """Apply the append settings and :data:`STREAM_CHECKPOINT_THRESHOLD` for the block.

    The block uses the store :meth:`~resonanz.store.Store.alone`: a stream's sources write
    one at a time (under the runner's lock), so a long stream opens the database in a new
    connection now and then, as an import does (a store borrowed from the dashboard never
    does).
    """
    row = store.con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
    store.con.execute("SET checkpoint_threshold = ?", [STREAM_CHECKPOINT_THRESHOLD])
    try:
        with store.settings(APPEND_SETTINGS), store.alone():
            yield
    finally:
        store.con.complete()
        if row is not None:
            store.con.execute("SET checkpoint_threshold = ?", [str(row[0])])


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Exempt what start-up built (models, lexicons, topics) from garbage collection.

    A stream allocates containers all the time; every full collection walked the
    enrichers' millions of long-lived objects again (about a tenth of the consumer's CPU
    time). Frozen objects are still freed by reference counting; they are unfrozen after.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
