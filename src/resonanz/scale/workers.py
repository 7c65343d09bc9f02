"""Use more cores for enrichment and matching: a batch split across worker processes.

Enrichers and matchers are pure functions of Arrow batches, so a batch can be cut into
parts, each part handled by another process, and the parts glued back in order. The store
stays single-writer in the calling process; ``Ingestor.write`` stays synchronous and atomic.
Workers build their own enrichers from the same settings (nothing unpicklable travels),
and tables travel as Arrow IPC streams: out without the payload as received (``raw``, which no
enricher or matcher reads), back only the columns the enrichment added or changed. The full
round trip cost both processes about 2 µs per post (a 10,000-post stream batch is 7 MB, more
than half of it ``raw``); the caller puts the columns back in place.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import signal
import threading
import traceback
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa

from resonanz.config import Settings
from resonanz.errors import ResonanzError
from resonanz.ingest import Batch, Enrich, EnrichAuthors, Ingestor, Match, gc_paused
from resonanz.query.matcher import MATCH_SCHEMA
from resonanz.store import Store

#: Batches smaller than this are not worth a round trip to a worker.
MIN_SPLIT_ROWS = 400
#: What a worker says once its enrichers and matcher are built.
READY = "ready"
#: Columns that stay with the caller: the payload as received is stored, never read.
KEPT_BACK = ("raw",)
#: Schema metadata key of an answer: the enriched table's column names, in order.
_ORDER = b"resonanz.columns"
#: Starts a message that gives a worker new topics (JSON) instead of a part to enrich.
_TOPICS = b"resonanz.topics\n"


@dataclass(frozen=True)
class Recipe:
    """How to build a workspace's enrichment step and topic matcher, in any process."""

    settings_json: str = field(default_factory=lambda: Settings().model_dump_json())
    folder: str | None = None
    topics: Mapping[str, str] = field(default_factory=dict)
    enrich: bool = True

    def build(self) -> tuple[Enrich | None, EnrichAuthors | None, Match | None]:
        """Return (enrich, author enrich, match) as :func:`resonanz.pipeline.open_ingestor` does."""
        from resonanz.enrich import build_author_enrich, build_enrich
        from resonanz.query import topic_matcher

        settings = Settings.model_validate_json(self.settings_json)
        folder = Path(self.folder) if self.folder else None
        match = topic_matcher(dict(self.topics))
        if not self.enrich:
            return None, None, match
        return build_enrich(settings, folder), build_author_enrich(settings, folder), match


def to_ipc(table: pa.Table) -> bytes:
    """Serialise a table as an Arrow IPC stream."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def from_ipc(data: bytes) -> pa.Table:
    """Read a table written by :func:`to_ipc`."""
    with pa.ipc.open_stream(pa.py_buffer(data)) as reader:
        return reader.read_all()


def outgoing(table: pa.Table) -> pa.Table:
    """Return ``table`` as a worker gets it: without the columns kept back."""
    kept = [name for name in KEPT_BACK if name in table.column_names]
    return table.drop_columns(kept) if kept else table


def changes(sent: pa.Table, enriched: pa.Table) -> pa.Table:
    """Return the columns of ``enriched`` that ``sent`` lacks or holds otherwise.

    The enriched table's column order rides along in the schema metadata.
    """
    names = [
        name
        for name in enriched.column_names
        if name not in sent.column_names or not enriched.column(name).equals(sent.column(name))
    ]
    order = json.dumps(enriched.column_names).encode()
    return enriched.select(names).replace_schema_metadata({_ORDER: order})


def merged(original: pa.Table, answer: pa.Table) -> pa.Table:
    """Put a worker's :func:`changes` into ``original``: the table enriching it here gives.

    Changed columns keep their place, added ones follow in the enriched order, and the
    columns kept back stay where they were.
    """
    order: list[str] = json.loads((answer.schema.metadata or {}).get(_ORDER, b"[]"))
    fields = {f.name: f for f in original.schema}
    arrays = {name: original.column(name) for name in original.column_names}
    for changed in answer.schema.remove_metadata():
        fields[changed.name], arrays[changed.name] = changed, answer.column(changed.name)
    kept, listed = set(KEPT_BACK), set(order)
    names = [n for n in original.column_names if n in listed or n in kept]
    names += [n for n in order if n not in original.column_names]
    return pa.Table.from_arrays(
        [arrays[n] for n in names], schema=pa.schema([fields[n] for n in names])
    )


def _receive(conn: Connection, inbox: queue.SimpleQueue[bytes | None]) -> None:
    """Read parts as they come (worker side), so a caller's send never waits on our answer."""
    while True:
        try:
            inbox.put(conn.recv_bytes())
        except (EOFError, OSError):
            inbox.put(None)
            return


def _serve(conn: Connection, recipe: Recipe) -> None:
    """Enrich, then match, each part received until the pipe closes (worker side).

    The answer is two IPC streams: the enriched part and its matches (the matcher needs the
    languages the enrichment fills in, so both run here in one round trip).
    """
    # Ctrl+C reaches the whole process group: the caller stops us by closing the pipe,
    # after it has stored what it has, so the key press must not end us half-way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(conn, inbox), daemon=True).start()
    enrich, _, match = recipe.build()  # parts sent meanwhile wait in the inbox
    conn.send(READY)
    while (data := inbox.get()) is not None:
        if data.startswith(_TOPICS):  # parts sent after this one are matched with these
            from resonanz.query import topic_matcher

            match = topic_matcher(json.loads(data[len(_TOPICS) :]))
            continue
        try:
            table = from_ipc(data)
            with gc_paused():  # as the ingestor does: no cycles here, only garbage
                enriched = enrich(table) if enrich is not None else table
                matches = match(enriched) if match is not None else MATCH_SCHEMA.empty_table()
            answer = (to_ipc(changes(table, enriched)), to_ipc(matches))
        except Exception:  # the caller re-raises it: a worker must not die silently
            conn.send(False)
            conn.send_bytes(traceback.format_exc().encode())
            continue
        conn.send(True)
        for part in answer:
            conn.send_bytes(part)


@dataclass
class _Ticket:
    """A batch whose worker parts were sent: the first ``sent`` rows, ``size`` per worker."""

    table: pa.Table
    sent: int
    size: int
    topics: int  # the version of the topics the workers match it with


@dataclass
class _Done:
    """The last batch the pool enriched, with the matches of the workers' parts."""

    enriched: pa.Table
    worker_matches: list[pa.Table]
    local: pa.Table  # this process's enriched part, matched on request
    topics: int


class WorkerPool:
    """Worker processes that enrich and match parts of a batch beside the caller.

    ``local_share`` is the part of each batch this process keeps: about an equal share
    suits a caller that waits for the batch (a stream); 0 suits a caller that parses the
    next batch meanwhile in another thread (the importer's background writer).
    """

    def __init__(self, recipe: Recipe, workers: int = 1, local_share: float | None = None) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of an open DuckDB
        self.recipe = recipe
        self.local_share = 1 / (workers + 1) if local_share is None else local_share
        self._pipes: list[Connection] = []
        self._procs: list[Any] = []
        self._done: _Done | None = None
        self._tickets: deque[_Ticket] = deque()
        self._ready = False
        self._topics = 0  # the version of the workers' topics: one up with every change
        self._sending = threading.Lock()
        for _ in range(workers):
            mine, theirs = context.Pipe()
            proc = context.Process(target=_serve, args=(theirs, recipe), daemon=True)
            proc.start()
            theirs.close()
            self._pipes.append(mine)
            self._procs.append(proc)

    @property
    def workers(self) -> int:
        """How many worker processes run."""
        return len(self._pipes)

    @property
    def pids(self) -> list[int]:
        """The worker processes' ids (to measure them)."""
        return [int(proc.pid) for proc in self._procs]

    def submit(self, table: pa.Table) -> None:
        """Send ``table``'s worker parts now; a later :meth:`enrich` of it collects them.

        Lets a caller overlap the workers' enrichment of the next batch with its own work
        (storing the previous one). Small batches stay in this process and are not sent.
        """
        if table.num_rows < MIN_SPLIT_ROWS or not self._pipes:
            return
        with self._sending:  # a stream submits from its reader, the writer thread from here
            if any(ticket.table is table for ticket in self._tickets):
                return
            keep = int(table.num_rows * self.local_share)
            size = -(-(table.num_rows - keep) // self.workers)
            slim = outgoing(table)
            for i, pipe in enumerate(self._pipes):
                _send(pipe, to_ipc(slim.slice(i * size, size)))
            sent = min(table.num_rows, size * self.workers)
            self._tickets.append(_Ticket(table, sent, size, self._topics))

    def set_topics(self, topics: Mapping[str, str]) -> None:
        """Make the workers match the parts sent from now on with ``topics``."""
        with self._sending:
            message = _TOPICS + json.dumps(dict(topics)).encode()
            for pipe in self._pipes:
                _send(pipe, message)
            self.recipe = replace(self.recipe, topics=dict(topics))
            self._topics += 1

    def enrich(self, table: pa.Table, local: Enrich) -> pa.Table:
        """Enrich ``table``: parts in the workers (matched there too), the rest here."""
        self.submit(table)
        while self._tickets and self._tickets[0].table is not table:
            self._answers()  # a batch submitted but never written: its answers go unused
        if not self._tickets:
            self._done = None
            return local(table)
        ticket = self._tickets[0]
        rest = table.slice(ticket.sent)
        mine = local(rest) if rest.num_rows else table.slice(0, 0)
        answers = self._answers()
        parts = [
            merged(table.slice(i * ticket.size, ticket.size), changed)
            for i, (changed, _) in enumerate(answers)
        ]
        if rest.num_rows:
            parts.append(mine)
        enriched = pa.concat_tables(parts, promote_options="permissive")
        self._done = _Done(enriched, [matches for _, matches in answers], mine, ticket.topics)
        return enriched

    def wait_ready(self) -> None:
        """Wait until every worker has built its enrichers and matcher (start-up takes seconds)."""
        if self._ready:
            return
        for pipe in self._pipes:
            try:
                said = pipe.recv()
            except EOFError:
                said = None  # it died while starting; its traceback went to stderr
            if said is None:
                raise WorkerFailed("an enrichment worker did not start; see its error above")
            if said != READY:
                raise WorkerFailed(f"an enrichment worker said {said!r} instead of {READY!r}")
        self._ready = True

    def _answers(self) -> list[tuple[pa.Table, pa.Table]]:
        """Read the oldest ticket's answers from every worker, and retire it."""
        self.wait_ready()
        self._tickets.popleft()
        answers = [_answer(pipe) for pipe in self._pipes]  # all read: the pipes stay in step
        for answer in answers:
            if isinstance(answer, WorkerFailed):
                raise answer
        return [answer for answer in answers if not isinstance(answer, WorkerFailed)]

    def match(self, table: pa.Table, local: Match) -> pa.Table:
        """Match ``table``; for the batch just enriched, only this process's part is left."""
        done, self._done = self._done, None
        if done is None or table is not done.enriched or done.topics != self._topics:
            return local(table)  # (workers that matched with topics changed since: all here)
        mine = local(done.local) if done.local.num_rows else MATCH_SCHEMA.empty_table()
        return pa.concat_tables([*done.worker_matches, mine.cast(MATCH_SCHEMA)])

    def close(self) -> None:
        """Stop the workers."""
        for pipe in self._pipes:
            pipe.close()
        for proc in self._procs:
            proc.join(10)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
            proc.close()
        self._pipes, self._procs = [], []
        self._tickets.clear()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class WorkerFailed(ResonanzError):
    """A worker process could not enrich or match its part of a batch."""


def _send(pipe: Connection, data: bytes) -> None:
    """Send ``data`` to a worker; a worker that is gone raises :class:`WorkerFailed`.

    Not the pipe's own ``OSError``: an importer takes that for a file it cannot read.
    """
    try:
        pipe.send_bytes(data)
    except OSError as exc:
        raise WorkerFailed(f"an enrichment worker exited ({exc}); see its error above") from exc


def _answer(pipe: Connection) -> tuple[pa.Table, pa.Table] | WorkerFailed:
    try:
        ok = pipe.recv()
        if not ok:
            text = pipe.recv_bytes().decode(errors="replace")
            return WorkerFailed(f"an enrichment worker failed:\n{text}")
        return from_ipc(pipe.recv_bytes()), from_ipc(pipe.recv_bytes())
    except (EOFError, OSError):  # (OSError: a reset pipe; not a file the importer reads)
        return WorkerFailed("an enrichment worker exited; see its error above")


class ParallelIngestor(Ingestor):
    """An :class:`Ingestor` whose enrichment and matching use a :class:`WorkerPool` too."""

    pool: WorkerPool

    def prefetch(self, batch: Batch) -> None:
        """Start enriching ``batch`` in the workers now; its :meth:`write` collects it."""
        if batch.posts.num_rows and self.enrich is not None:
            self.pool.submit(batch.posts)


def parallel_ingestor(
    store: Store, pool: WorkerPool, *, follow_topics: bool = False
) -> ParallelIngestor:
    """Return an ingestor whose enrichment and matching use ``pool``'s workers too.

    Without enrichment (``recipe.enrich`` false) the workers only match. With
    ``follow_topics`` the topics are the store's, and a change made while the ingestor runs
    reaches the workers (see :class:`resonanz.pipeline.StoredTopicsMatcher`).
    """
    enrich, enrich_authors, match = pool.recipe.build()
    local_enrich: Enrich = enrich if enrich is not None else _same
    run_match: Match | None = None
    if follow_topics:
        run_match = _following_match(store, pool)
    elif match is not None:
        run_match = partial(pool.match, local=match)

    def run_enrich(table: pa.Table) -> pa.Table:
        return pool.enrich(table, local_enrich)

    ingestor = ParallelIngestor(
        store,
        enrich=run_enrich if (enrich is not None or run_match is not None) else None,
        match=run_match,
        enrich_authors=enrich_authors,
    )
    ingestor.pool = pool
    return ingestor


def _following_match(store: Store, pool: WorkerPool) -> Match:
    """Return a match step over the store's topics that tells the workers of every change."""
    from resonanz.pipeline import StoredTopicsMatcher

    following = StoredTopicsMatcher(store)
    if following.topics != dict(pool.recipe.topics):
        pool.set_topics(following.topics)

    def run_match(table: pa.Table) -> pa.Table:
        following.follow()
        if following.topics != dict(pool.recipe.topics):
            pool.set_topics(following.topics)
        found = pool.match(table, following.match)
        following.remember(table)
        return found

    return run_match


def _same(table: pa.Table) -> pa.Table:
    return table
