"""Store a live stream's batches in a background thread, in order, so receiving goes on.

A stream's reader must not stop while a batch is enriched and stored, or the socket backs
up and the lag grows. :class:`BackgroundWriter` takes finished batches through a small
bounded queue (a full queue makes the stream wait: backpressure, never unbounded memory)
and writes them one after the other in its own thread. Enrichment in a worker process and
DuckDB's writes release the GIL, so the reader keeps most of a core meanwhile.

Order is what keeps resuming exact: every batch carries the cursor after its items, so a
batch may only be stored once all before it are. After a failed write the writer drops the
batches behind it (their cursor would skip the failed one) and reports the error; the source
then resumes from the last stored cursor.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from resonanz.store import Store

T = TypeVar("T")

#: Batches waiting behind the one being written; more make the stream wait.
QUEUE_DEPTH = 2


@contextmanager
def exclusive(store: Store, lock: threading.RLock) -> Iterator[Store]:
    """Use ``store`` alone: hold ``lock``, and finish every result before handing it on.

    DuckDB refuses work from one thread while a result read by another is unfinished
    (a ``fetchone()`` leaves the rest pending), so each turn ends with ``complete()``.
    """
    with lock:
        try:
            yield store
        finally:
            store.con.complete()


class BackgroundWriter(Generic[T]):
    """Write items in a thread, in order, one after the other.

    ``prefetch`` (optional) is called with each item as it is queued.
    """

    def __init__(
        self,
        write: Callable[[T], None],
        *,
        prefetch: Callable[[T], None] | None = None,
        depth: int = QUEUE_DEPTH,
    ) -> None:
        self._write = write
        self._prefetch = prefetch
        self._queue: queue.Queue[T | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="resonanz-writer", daemon=True)
        self._thread.start()

    async def put(self, batch: T) -> None:
        """Queue ``batch``; wait (without blocking the event loop) while the queue is full.

        A prefetching ingestor starts on the batch at once, so a worker process enriches
        it while the batches before it are stored.
        """
        self._raise()
        if self._prefetch is not None:
            self._prefetch(batch)
        try:
            self._queue.put_nowait(batch)
        except queue.Full:
            await asyncio.to_thread(self._queue.put, batch)

    def drain(self) -> None:
        """Wait until every queued batch is written; raise the first failure (once)."""
        self._queue.join()
        error, self._error = self._error, None
        if error is not None:
            raise error

    def close(self) -> None:
        """Write what is queued, then stop the thread (failures are dropped: see drain)."""
        self._queue.put(None)
        self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            try:
                if self._error is None:
                    self._write(batch)
            except Exception as exc:  # handed to the stream, which resumes from the cursor
                self._error = exc
            finally:
                self._queue.task_done()
        self._queue.task_done()
